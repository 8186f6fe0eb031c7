"""Tables in workbooks: named columns with Swedish headers (and the other spellings people use), read
into plain row dicts that remember their row number, written back text-safe. Shared by the plan and the
questionnaire workbooks; errors name sheet, row and column in Swedish."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from surveys.text import strip_unstorable

from .xlsx_safety import text_cell


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple = ()
    width: int = 20


@dataclass
class CellError:
    """One problem with its place; `str()` is the Swedish sentence shown to the coordinator."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = [f"Blad {self.sheet}"]
        if self.row:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn {self.column}")
        return f"{', '.join(where)}: {self.message}"

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "text": str(self),
        }


def normalise_header(value):
    return re.sub(r"\s+", " ", str(value or "")).strip().rstrip(":").strip().lower()


def cell_text(value):
    """A cell as text: numbers without a spurious `.0`, dates as ISO, whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # Characters no database column can hold (NUL, lone surrogates) are dropped; the rest is kept.
    return strip_unstorable(str(value)).strip()


YES = {"ja", "j", "x", "yes", "true", "1", "sant"}
NO = {"nej", "n", "no", "false", "0", "falskt", ""}


def cell_yes_no(value):
    """True for Ja (and its usual spellings), False for Nej or blank, None for anything else."""
    text = cell_text(value).casefold()
    return True if text in YES else False if text in NO else None


@dataclass
class SheetRows:
    """What was read from one sheet: rows (dicts keyed by column key, plus `_row`), each found column's
    letter, headers that were ignored, and structural errors."""

    sheet: str
    spec: list
    rows: list
    columns: dict
    ignored_headers: list
    errors: list

    def place(self, key):
        """`C (Aktivitet)` — how a message names a column."""
        header = next(c.header for c in self.spec if c.key == key)
        letter = self.columns.get(key)
        return f"{letter} ({header})" if letter else header

    def error(self, row, key, message):
        return CellError(self.sheet, row["_row"] if row else None, self.place(key) if key else None, message)


def read_table(sheet, spec, *, required=(), anchor=None, search_rows=1):
    """Rows of `sheet` under its header row. The header is the first row (within `search_rows`) that names
    the `anchor` column (any known column when None); blank rows are skipped."""
    lookup = {}
    for column in spec:
        for name in (column.header, *column.aliases):
            lookup[normalise_header(name)] = column.key
    by_key = {c.key: c for c in spec}
    rows_iter = sheet.iter_rows(values_only=True)
    found, ignored, header_row = {}, [], None
    for number, values in enumerate(rows_iter, start=1):
        keys = [lookup.get(normalise_header(v)) for v in values]
        if (anchor in keys) if anchor else any(keys):
            header_row = number
            for index, (key, value) in enumerate(zip(keys, values, strict=False)):
                if key and key not in found:
                    found[key] = index
                elif cell_text(value):
                    ignored.append(cell_text(value))
            break
        if number >= search_rows:
            break
    letters = {key: get_column_letter(index + 1) for key, index in found.items()}
    result = SheetRows(sheet.title, spec, [], letters, ignored, [])
    if header_row is None:
        what = f"kolumnen {by_key[anchor].header}" if anchor else "kända kolumnrubriker"
        where = "bland de tio första raderna" if search_rows > 1 else "på första raden"
        result.errors.append(
            CellError(sheet.title, None, None, f"Hittar ingen rubrikrad med {what} {where}.")
        )
        return result
    for key in required:
        if key not in found:
            result.errors.append(
                CellError(sheet.title, header_row, None, f"Kolumnen {by_key[key].header} saknas.")
            )
    if result.errors:
        return result
    max_rows = getattr(settings, "IMPORT_MAX_ROWS", 20000)
    for number, values in enumerate(rows_iter, start=header_row + 1):
        if len(result.rows) >= max_rows:
            result.errors.append(
                CellError(sheet.title, number, None, f"Bladet har för många rader; högst {max_rows} läses.")
            )
            break
        row = {"_row": number}
        for key, index in found.items():
            row[key] = values[index] if index < len(values) else None
        if any(cell_text(row[k]) for k in found):
            result.rows.append(row)
    return result


def write_table(workbook, name, spec, rows, *, date_keys=()):
    """A write-only sheet with a bold header and `rows` (dicts keyed by column key), every cell text-safe."""
    sheet = workbook.create_sheet(name)
    for index, column in enumerate(spec, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in spec:
        cell = text_cell(sheet, column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        cells = []
        for column in spec:
            cell = text_cell(sheet, row.get(column.key))
            if column.key in date_keys and row.get(column.key):
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    return sheet
