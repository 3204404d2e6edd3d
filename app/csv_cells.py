"""CSV cells a spreadsheet will not run: a leading =, +, -, @, tab or CR is quoted with '."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """`value` as CSV text; one a spreadsheet would read as a formula gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_row(values) -> list[str]:
    """Every cell of a row through `safe_cell`: the one rule for every CSV Puente writes."""
    return [safe_cell(value) for value in values]
