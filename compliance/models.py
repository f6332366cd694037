"""Compliance checkpoints: the healthcare layer (issue 4) builds here."""
