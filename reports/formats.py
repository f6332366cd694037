"""Registers the formats this app renders (pdf, svg, png) with `interchange.formats`."""
