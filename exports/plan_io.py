"""The plan workbook: one row per activity/indicator, the way coordinators keep their activity appendix.

This module knows openpyxl and the columns, nothing about the database: it writes plain row dicts to a
workbook and reads a (checked) upload back into row dicts with their row numbers. The meaning of the rows
(matching organisations, what would change) lives in surveys/services/programmes.py."""

import datetime
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .xlsx_safety import open_workbook, text_cell

SHEET = "Plan"
HELP_SHEET = "Instruktioner"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple = ()
    width: int = 20


COLUMNS = [
    Column("goal", "Målområde", ("delmål", "utvecklingsområde", "strategiskt mål"), 40),
    Column("focus", "Insatsområde", (), 30),
    Column("activity", "Aktivitet", ("insats", "insatser", "aktiviteter"), 45),
    Column("description", "Vad", ("beskrivning",), 40),
    Column("frequency", "När", ("frekvens", "tidplan", "tid"), 20),
    Column("lead", "Ansvarig", ("ansvar", "ansvarig nämnd"), 30),
    Column("co", "Samverkan", ("samverkansparter", "samverkanspart", "samverkanspartner"), 30),
    Column("indicator", "Indikator", ("indikatorer", "uppföljning"), 45),
    Column("unit", "Enhet", (), 12),
    Column("target", "Mål", ("målvärde",), 15),
    Column("due_date", "Klart senast", ("ska vara uppfylld", "datum", "slutdatum"), 14),
    Column("gender_split", "Könsuppdelad", ("fördelat på kön", "per kön"), 13),
    Column("indicator_lead", "Indikator ansvarig", ("indikatorns ansvarig",), 25),
    Column("indicator_co", "Indikator samverkan", ("indikatorns samverkan",), 25),
]
REQUIRED = ("goal", "activity")
BY_KEY = {c.key: c for c in COLUMNS}


def _normalise_header(value):
    return re.sub(r"\s+", " ", str(value or "")).strip().rstrip(":").strip().lower()


_HEADER_LOOKUP = {}
for _c in COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _HEADER_LOOKUP[_normalise_header(_name)] = _c.key


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


@dataclass
class PlanRows:
    """What was read: rows (dicts keyed by column key, plus `_row`), where each column is (its letter and
    header for messages), the sheet's name, columns that were ignored, and structural errors."""

    sheet: str
    rows: list
    columns: dict
    ignored_headers: list
    errors: list

    def place(self, key):
        """`C (Aktivitet)` — how a message names a column."""
        letter = self.columns.get(key)
        return f"{letter} ({BY_KEY[key].header})" if letter else BY_KEY[key].header


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
    return str(value).strip()


def read_plan(upload):
    """Read a plan workbook (refusing hostile files first). The sheet named "Plan" is used, or the first;
    the header is the first row, within the first ten, that names an Aktivitet column."""
    workbook = open_workbook(upload)
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        return _read_sheet(sheet)
    finally:
        workbook.close()


def _read_sheet(sheet):
    rows_iter = sheet.iter_rows(values_only=True)
    columns, ignored, header_row = {}, [], None
    for number, values in enumerate(rows_iter, start=1):
        keys = [_HEADER_LOOKUP.get(_normalise_header(v)) for v in values]
        if "activity" in keys:
            header_row = number
            for index, (key, value) in enumerate(zip(keys, values, strict=False)):
                if key and key not in columns:
                    columns[key] = (index, get_column_letter(index + 1))
                elif cell_text(value):
                    ignored.append(cell_text(value))
            break
        if number >= 10:
            break
    result = PlanRows(sheet.title, [], {k: letter for k, (i, letter) in columns.items()}, ignored, [])
    if header_row is None:
        result.errors.append(
            CellError(
                sheet.title,
                None,
                None,
                "Hittar ingen rubrikrad med kolumnen Aktivitet bland de tio första raderna.",
            )
        )
        return result
    for key in REQUIRED:
        if key not in columns:
            result.errors.append(
                CellError(sheet.title, header_row, None, f"Kolumnen {BY_KEY[key].header} saknas.")
            )
    if result.errors:
        return result
    for number, values in enumerate(rows_iter, start=header_row + 1):
        row = {"_row": number}
        for key, (index, _letter) in columns.items():
            value = values[index] if index < len(values) else None
            row[key] = value.date() if isinstance(value, datetime.datetime) and key == "due_date" else value
        if any(cell_text(row[k]) for k in columns):
            result.rows.append(row)
    return result


def write_plan(rows, *, title=None):
    """A workbook (bytes) with the plan's rows in the import format; `rows` are dicts keyed by column key.
    Write-only and text-safe: a title starting with "=" stays text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = text_cell(sheet, column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        cells = []
        for column in COLUMNS:
            cell = text_cell(sheet, row.get(column.key))
            if column.key == "due_date" and row.get(column.key):
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    _write_help(workbook, title)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HELP = [
    "Så fyller du i planen",
    "En rad per aktivitet och indikator. En aktivitet med flera indikatorer får en rad per indikator.",
    'Målområde, Insatsområde och Aktivitet skrivs med nummer först, t.ex. "1.1 Tillsyn".',
    "En tom cell i Målområde, Insatsområde eller Aktivitet fortsätter raden ovanför (som sammanslagna celler).",
    "Ansvarig: en organisation. Samverkan: flera, åtskilda med semikolon, komma eller radbrytning.",
    '"Samtliga nämnder" eller "Alla nämnder" betyder alla nämnder.',
    "Organisationer matchas på namn, kortnamn och andra stavningar; namn som inte matchar listas vid kontrollen.",
    "Indikator ansvarig / Indikator samverkan: när en indikator har annat ansvar än sin aktivitet.",
    "Könsuppdelad: Ja om indikatorn redovisas fördelat på flickor/pojkar/kvinnor/män.",
    "Klart senast: datum ÅÅÅÅ-MM-DD.",
    "Importen gör allt eller inget: finns ett enda fel ändras ingenting.",
]


def _write_help(workbook, title):
    sheet = workbook.create_sheet(HELP_SHEET)
    sheet.column_dimensions["A"].width = 110
    if title:
        sheet.append([text_cell(sheet, title)])
    for line in HELP:
        sheet.append([text_cell(sheet, line)])


TEMPLATE_ROWS = [
    {
        "goal": "1 Tillgången till alkohol, narkotika, dopningsmedel, tobak och spel ska minska",
        "focus": "1.1 Tillsyn",
        "activity": "1.1 Effektiv och samordnad alkoholtillsyn",
        "description": "Tillsyn av serveringstillstånd, riskbaserat",
        "frequency": "Minst en gång per år",
        "lead": "Miljö- och konsumentnämnden",
        "co": "Polisen",
        "indicator": "Antal tillsynsbesök",
        "unit": "antal",
        "target": "120",
        "due_date": datetime.date(2025, 12, 31),
        "gender_split": "Nej",
    },
    {
        "indicator": "Antal deltagare i utbildning i ansvarsfull alkoholservering",
        "unit": "personer",
        "target": "40",
        "due_date": datetime.date(2025, 12, 31),
        "gender_split": "Ja",
    },
]


def template():
    """The empty import format with two example rows and the instructions sheet."""
    return write_plan(TEMPLATE_ROWS, title="Mall för import av handlingsplan (ta bort exempelraderna)")
