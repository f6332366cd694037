"""Stakeholders and their sub-maps: the healthcare layer (issue 4) builds here."""
