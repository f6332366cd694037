"""Text bound for a spreadsheet (every CSV export uses this)."""

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A spreadsheet must show the text, never run it as a formula: such a cell gets a leading quote."""
    return "'" + text if text[:1] in FORMULA_STARTS else text
