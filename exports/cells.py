"""Excel-safe cell values: what a respondent typed always reaches Excel as text, never as a formula.

OWASP's CSV/formula-injection guidance names the dangerous first characters: = + - @ tab and carriage
return. openpyxl turns a string that starts with "=" into a formula and "#N/A"-like strings into error
cells, so such strings are written as explicit string cells (`data_type = "s"`). The stored text is not
changed; the cell also gets Excel's quote prefix so that editing it in Excel keeps it text. Characters
that XML 1.0 forbids are removed instead of aborting the whole export.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

EXCEL_MAX_TEXT = 32767
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


CUT_MARK = " […]"


def utf16_units(text_value):
    """Length as Excel counts it: UTF-16 code units (an emoji is two)."""
    return len(text_value.encode("utf-16-le")) // 2


def cut_to_excel_limit(text_value):
    """The text as it fits in one Excel cell: at most 32,767 UTF-16 units. Longer text is cut, never inside
    a surrogate pair, and ends with CUT_MARK so a reader sees that something is missing."""
    if len(text_value) * 2 <= EXCEL_MAX_TEXT or utf16_units(text_value) <= EXCEL_MAX_TEXT:
        return text_value
    keep = EXCEL_MAX_TEXT - utf16_units(CUT_MARK)
    units = text_value.encode("utf-16-le")[: keep * 2]
    if 0xD8 <= units[-1] <= 0xDB:  # the last unit opens a surrogate pair: leave the pair out whole
        units = units[:-2]
    return units.decode("utf-16-le") + CUT_MARK


def is_cut(text_value):
    """True for text that `cut_to_excel_limit` cut."""
    return (
        isinstance(text_value, str)
        and text_value.endswith(CUT_MARK)
        and utf16_units(text_value) >= EXCEL_MAX_TEXT - 1
    )


def clean_text(value):
    """The text without XML-illegal control characters, cut (and marked) at Excel's cell limit."""
    value = str(value)
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return cut_to_excel_limit(value)


def is_risky(text_value):
    """Text Excel would turn into a formula or an error value unless it is marked as text (OWASP)."""
    return text_value.startswith(FORMULA_TRIGGERS) or text_value in ERROR_CODES


def guarded_text_cell(ws, text_value):
    """An explicit string cell with the quote prefix: Excel and LibreOffice show it as typed."""
    cell = WriteOnlyCell(ws, value=text_value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def text(ws, value):
    """A value for `ws.append` that Excel shows as exactly this text. Plain text stays a plain str (the
    fast path); risky text becomes an explicit string cell with the quote prefix."""
    if value is None:
        return None
    value = clean_text(value)
    return guarded_text_cell(ws, value) if is_risky(value) else value


def local_datetime(value):
    """Excel has no time zones: show the Stockholm wall-clock time (openpyxl refuses aware datetimes)."""
    if value.tzinfo is not None:
        value = value.astimezone(STOCKHOLM).replace(tzinfo=None)
    return value


def value(ws, value):
    """Any value the exports produce: numbers stay numbers, dates dates, and every str goes through `text`."""
    if value is None or isinstance(value, bool):
        return None if value is None else ("Ja" if value else "Nej")
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return local_datetime(value)
    if isinstance(value, datetime.date):
        return value
    return text(ws, value)


BOLD = Font(bold=True)


def styled(ws, content, *, number_format=None, bold=False):
    """A cell with a number format or a bold font (headings), as safe as `value`."""
    content = value(ws, content)
    cell = content if isinstance(content, Cell) else WriteOnlyCell(ws, value=content)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = BOLD
    return cell
