"""The questionnaire workbook, in the spirit of XLSForm: a sheet of questions, one of answer options, one of
scoring rules and one of scoring categories, plus sections and settings. This module knows only the
sheets and columns; surveys/services/questionnaires.py gives the rows their meaning."""

import io

from openpyxl import Workbook

from .sheets import Column, read_table, write_table
from .xlsx_safety import open_workbook, text_cell

SETTINGS = "Inställningar"
SECTIONS = "Avsnitt"
QUESTIONS = "Frågor"
OPTIONS = "Svarsalternativ"
RULES = "Poäng"
CATEGORIES = "Poängkategorier"
HELP_SHEET = "Instruktioner"

SPECS = {
    SETTINGS: [Column("key", "Inställning", (), 24), Column("value", "Värde", (), 40)],
    SECTIONS: [
        Column("title", "Avsnitt", ("rubrik",), 40),
        Column("description", "Beskrivning", (), 60),
    ],
    QUESTIONS: [
        Column("code", "Kod", ("frågekod", "name"), 14),
        Column("section", "Avsnitt", ("sida",), 30),
        Column("type", "Typ", ("frågetyp",), 16),
        Column("text", "Fråga", ("text", "label", "frågetext"), 60),
        Column("help", "Hjälptext", ("hint", "hjälp"), 40),
        Column("required", "Obligatorisk", ("krävs", "required"), 12),
        Column("condition_question", "Villkor fråga", ("visas om fråga",), 14),
        Column("condition_operator", "Villkor operator", ("villkor",), 14),
        Column("condition_value", "Villkor värde", ("villkorsvärde",), 14),
        Column("min", "Min", ("minsta värde",), 10),
        Column("max", "Max", ("största värde",), 10),
        Column("max_length", "Max längd", ("största längd",), 10),
        Column("activity", "Aktivitet (id)", ("aktivitet",), 12),
        Column("indicator", "Indikator (id)", ("indikator",), 12),
    ],
    OPTIONS: [
        Column("question", "Fråga", ("frågekod",), 14),
        Column("code", "Kod", ("svarskod",), 14),
        Column("label", "Text", ("svarsalternativ", "label"), 50),
    ],
    RULES: [
        Column("question", "Fråga", ("frågekod",), 14),
        Column("option", "Svarskod", ("svar",), 14),
        Column("threshold", "Från värde", ("tröskel", "minst"), 12),
        Column("points", "Poäng", (), 10),
        Column("category", "Kategori", ("kategorikod",), 14),
    ],
    CATEGORIES: [
        Column("code", "Kod", (), 14),
        Column("name", "Namn", (), 40),
        Column("parent", "Överordnad", ("förälder",), 14),
        Column("cap", "Tak", ("maxpoäng",), 10),
    ],
}
REQUIRED = {
    SETTINGS: ("key", "value"),
    SECTIONS: ("title",),
    QUESTIONS: ("code", "type", "text"),
    OPTIONS: ("question", "code", "label"),
    RULES: ("question", "points", "category"),
    CATEGORIES: ("code", "name"),
}
ORDER = [SETTINGS, SECTIONS, QUESTIONS, OPTIONS, RULES, CATEGORIES]


def read_questionnaire(upload):
    """{sheet name: SheetRows or None when the sheet is absent}, after refusing hostile files."""
    workbook = open_workbook(upload)
    try:
        return {
            name: read_table(workbook[name], SPECS[name], required=REQUIRED[name])
            if name in workbook.sheetnames
            else None
            for name in ORDER
        }
    finally:
        workbook.close()


def write_questionnaire(tables, *, title=None):
    """A workbook (bytes) from {sheet name: rows}; every sheet is written, empty ones with their header."""
    workbook = Workbook(write_only=True)
    for name in ORDER:
        write_table(workbook, name, SPECS[name], tables.get(name, []))
    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 110
    for line in ([title] if title else []) + HELP:
        help_sheet.append([text_cell(help_sheet, line)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HELP = [
    "Frågor: en rad per fråga, i den ordning de visas. Koden är unik och följer frågan mellan jämförbara versioner.",
    "Typ: yes_no (ja/nej), single (ett val), multiple (flera val), integer, decimal, text, date, "
    "activity_status (genomförd/delvis/ej genomförd/ej aktuell), breakdown (flickor/pojkar/kvinnor/män/totalt).",
    "Villkor: frågan visas bara om en tidigare fråga (Villkor fråga) uppfyller Villkor operator "
    "(equals, not_equals, contains, gt, answered) med Villkor värde.",
    "Svarsalternativ: för single och multiple (och egna delar för breakdown): frågans kod, svarskod och text.",
    "Poäng: frågans kod och antingen Svarskod (ja, nej, genomford, ett alternativs kod) eller Från värde (tal), "
    "poäng och kategori.",
    "Poängkategorier: kod, namn, överordnad kategori och tak (högsta poäng).",
    "Importen kontrollerar allt först och skapar en ny utkastversion bara om filen är helt felfri.",
]

TEMPLATE = {
    SETTINGS: [
        {"key": "Versionsbenämning", "value": "Ny version"},
        {"key": "Poängsättning", "value": "Index"},
        {"key": "Skala till", "value": 100},
    ],
    SECTIONS: [{"title": "Struktur", "description": "Organisation och styrning"}],
    QUESTIONS: [
        {
            "code": "ORG_1",
            "section": "Struktur",
            "type": "yes_no",
            "text": "Finns en samordnare?",
            "required": "Ja",
        },
        {
            "code": "ORG_2",
            "section": "Struktur",
            "type": "integer",
            "text": "Hur många timmar per vecka?",
            "required": "Nej",
            "condition_question": "ORG_1",
            "condition_operator": "equals",
            "condition_value": "ja",
            "min": 0,
            "max": 40,
        },
        {
            "code": "ORG_3",
            "section": "Struktur",
            "type": "single",
            "text": "Finns en plan?",
            "required": "Ja",
        },
    ],
    OPTIONS: [
        {"question": "ORG_3", "code": "antagen", "label": "Ja, antagen"},
        {"question": "ORG_3", "code": "arbete", "label": "Under arbete"},
        {"question": "ORG_3", "code": "nej", "label": "Nej"},
    ],
    RULES: [
        {"question": "ORG_1", "option": "ja", "points": 1, "category": "struktur"},
        {"question": "ORG_2", "threshold": 10, "points": 1, "category": "struktur"},
        {"question": "ORG_3", "option": "antagen", "points": 2, "category": "struktur"},
    ],
    CATEGORIES: [
        {"code": "total", "name": "Totalt", "cap": 10},
        {"code": "struktur", "name": "Struktur", "parent": "total", "cap": 4},
    ],
}


def template():
    return write_questionnaire(TEMPLATE, title="Mall för import av enkät (ersätt exempelraderna)")
