"""The plan workbook: one row per activity/indicator, the way coordinators keep their activity appendix.

This module knows openpyxl and the columns, nothing about the database: it writes plain row dicts to a
workbook and reads a (checked) upload back into row dicts with their row numbers. The meaning of the rows
(matching organisations, what would change) lives in surveys/services/programmes.py."""

import datetime
import io

from openpyxl import Workbook

from .sheets import CellError, Column, read_table, write_table
from .xlsx_safety import check_xlsx, open_workbook, text_cell, unsaved_formulas

SHEET = "Plan"
HELP_SHEET = "Instruktioner"


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


def read_plan(upload):
    """Read a plan workbook (refusing hostile files first). The sheet named "Plan" is used, or the first;
    the header is the first row, within the first ten, that names an Aktivitet column."""
    data = check_xlsx(upload)
    workbook = open_workbook(upload, data=data)
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        result = _read_sheet(sheet)
    finally:
        workbook.close()
    for ref in unsaved_formulas(data, result.sheet):
        result.errors.append(
            CellError(
                result.sheet,
                None,
                None,
                f"Cell {ref} innehåller en formel utan sparat värde. Öppna filen i Excel, spara den och "
                "försök igen, eller skriv in värdet i stället för formeln.",
            )
        )
    return result


def _read_sheet(sheet):
    result = read_table(sheet, COLUMNS, required=("goal", "activity"), anchor="activity", search_rows=10)
    for row in result.rows:
        if isinstance(row.get("due_date"), datetime.datetime):
            row["due_date"] = row["due_date"].date()
    return result


def write_plan(rows, *, title=None):
    """A workbook (bytes) with the plan's rows in the import format; `rows` are dicts keyed by column key.
    Write-only and text-safe: a title starting with "=" stays text."""
    workbook = Workbook(write_only=True)
    write_table(workbook, SHEET, COLUMNS, rows, date_keys=("due_date",))
    _write_help(workbook, title)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HELP = [
    "Så fyller du i planen",
    "En rad per aktivitet och indikator. En aktivitet med flera indikatorer får en rad per indikator.",
    'Målområde, Insatsområde och Aktivitet skrivs med nummer först, t.ex. "1.1 Tillsyn".',
    "En tom cell i Målområde, Insatsområde eller Aktivitet fortsätter raden ovanför (som sammanslagna celler).",
    "Ansvarig: en organisation, en grupp eller en extern part. Samverkan: flera, åtskilda med semikolon eller "
    "radbrytning (komma går när varje del är ett känt namn).",
    '"Alla nämnder", "Samtliga nämnder", "Alla förvaltningar", "Alla stadsdelsförvaltningar" och "Alla bolag" '
    "är grupper: alla organisationer av det slaget, också de som tillkommer senare.",
    "En indikatorrad som anger egen ansvarig har just den ansvarig och just sin samverkan (tom = ingen); "
    "en rad utan ansvarig ärver aktivitetens.",
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
