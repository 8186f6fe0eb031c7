"""The compiled workbook of a survey round: openpyxl write-only mode (with lxml), answers streamed in chunks.

Sheets: Översikt, Svar, Svar (lång) [2, 3 … past Excel's row limit], Index, Trend, Aktiviteter (activity
questionnaires), Frågor. Every string goes through `exports.cells`, so respondents' text stays text."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter

from surveys.models import ACTIVITY_STATUS_CHOICES, YES_NO_CHOICES

from . import cells
from .rows import RoundExport, as_number, mean_and_median

EXCEL_MAX_ROWS = 1_048_576
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
MAX_TREND_SERIES = 30

MULTIPLE_NOTE = (
    "Flervalsfrågor: en kolumn per svarsalternativ, kod FRÅGA_ALTERNATIV; 1 = valt, 0 = inte valt, "
    "tom = frågan obesvarad."
)
BREAKDOWN_NOTE = "Fördelade antal (flickor/pojkar/kvinnor/män/totalt): en kolumn per del."
MEAN_NOTE = "Medelvärde och median är ovägda över organisationerna (som gruppvärden i Kolada)."


def build_round_workbook(
    survey_round_id,
    path,
    *,
    generated_by="",
    now=None,
    max_rows=EXCEL_MAX_ROWS,
    progress=None,
    chunk_size=None,
):
    """Write the workbook of a round to `path`. `progress(percent)` is called as the answers are written."""
    now = now or timezone.now()
    data = RoundExport(survey_round_id, **({"chunk_size": chunk_size} if chunk_size else {}))
    report = progress or (lambda percent: None)
    report(5)
    wb = Workbook(write_only=True)
    _overview(wb, data, generated_by=generated_by, now=now)
    _answers(wb, data, max_rows=max_rows, report=report)
    report(85)
    _index(wb, data)
    _trend(wb, data)
    if data.activity_questions():
        _activities(wb, data)
    _codebook(wb, data)
    report(95)
    wb.save(path)
    return path


def _heading_row(ws, values):
    return [cells.styled(ws, v, bold=True) for v in values]


def _widths(ws, widths):
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _overview(wb, data, *, generated_by, now):
    ws = wb.create_sheet("Översikt")
    _widths(ws, [32, 70, 20])
    r = data.round
    counts = data.status_counts()
    recipients = len(data.assignments)
    submitted = counts.get("Inskickad", 0)
    rows = [
        ("Program", str(r.programme) if r.programme else ""),
        ("Enkätomgång", r.name),
        ("År", r.year),
        ("Enkät", r.version.questionnaire.name),
        ("Enkätversion", r.version.label or f"version {r.version.number}"),
        ("Status", r.get_state_display()),
        ("Öppnar", cells.local_datetime(r.opens_at)),
        ("Sista svarsdag", cells.local_datetime(r.deadline)),
        ("Stängd", cells.local_datetime(r.closed_at) if r.closed_at else None),
        ("Publicerad", cells.local_datetime(r.published_at) if r.published_at else None),
        ("Mottagare", recipients),
    ]
    for label in ("Inskickad", "Återöppnad", "Påbörjad (utkast)", "Ej påbörjad"):
        count = counts.get(label, 0)
        rows.append((f"Status: {label}", count, count / recipients if recipients else None))
    rows.append(("Svarsfrekvens (inskickade)", submitted / recipients if recipients else None))
    rows.append(("Skapad", cells.local_datetime(now)))
    rows.append(("Skapad av", generated_by))
    ws.append(_heading_row(ws, [f"{r.name} {r.year}", "", "Andel av mottagarna"]))
    for label, content, *share in rows:
        number_format = None
        if label.startswith("Svarsfrekvens"):
            number_format = PERCENT_FORMAT
        elif hasattr(content, "hour"):
            number_format = DATETIME_FORMAT
        line = [cells.text(ws, label), cells.styled(ws, content, number_format=number_format)]
        if share and share[0] is not None:
            line.append(cells.styled(ws, share[0], number_format=PERCENT_FORMAT))
        ws.append(line)
    ws.append([])
    ws.append(_heading_row(ws, ["Att läsa", ""]))
    for note in (MULTIPLE_NOTE, BREAKDOWN_NOTE, MEAN_NOTE, _long_note(data)):
        ws.append([None, cells.text(ws, note)])


def _long_note(data):
    return (
        "Svar (lång): en rad per svar (och per valt alternativ eller del), för pivottabeller och "
        f"statistikprogram; fortsätter i Svar (lång) 2 osv. före Excels gräns på {EXCEL_MAX_ROWS:,} rader."
    ).replace(",", " ")


LONG_HEADINGS = ["Organisation", "Frågekod", "Fråga", "Del", "Svarskod", "Värde", "År", "Enkätversion"]


class _LongSheets:
    """The long answer sheet, continued on a new sheet before the row limit."""

    def __init__(self, wb, max_rows):
        self.wb = wb
        self.max_rows = max_rows
        self.number = 0
        self._new_sheet()

    def _new_sheet(self):
        self.number += 1
        title = "Svar (lång)" if self.number == 1 else f"Svar (lång) {self.number}"
        self.ws = self.wb.create_sheet(title)
        self.ws.freeze_panes = "A2"
        _widths(self.ws, [30, 14, 50, 14, 14, 30, 8, 20])
        self.ws.append(_heading_row(self.ws, LONG_HEADINGS))
        self.rows = 1

    def append(self, row):
        if self.rows >= self.max_rows:
            self._finish()
            self._new_sheet()
        self.ws.append(row)
        self.rows += 1

    def _finish(self):
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(LONG_HEADINGS))}{self.rows}"

    def close(self):
        self._finish()


def _answers(wb, data, *, max_rows, report):
    """Svar and Svar (lång) are written side by side from one pass over the answers."""
    wide = wb.create_sheet("Svar")
    columns = data.columns()
    fixed = ["Organisation", "Status", "Inskickad"]
    wide.freeze_panes = "B3"
    _widths(wide, [34, 16, 17] + [14] * len(columns))
    wide.append(_heading_row(wide, fixed + [c.code for c in columns]))
    wide.append(_heading_row(wide, ["", "", ""] + [c.heading for c in columns]))
    long = _LongSheets(wb, max_rows)
    round_cells = (data.round.year, cells.text(long.ws, data.version.label or str(data.version.number)))
    question_text = {q.pk: cells.text(long.ws, q.text) for q in data.questions}
    question_code = {q.pk: cells.text(long.ws, q.code) for q in data.questions}
    by_id = {q.pk: q for q in data.questions}
    total = max(data.answer_count(), 1)
    written = 0
    last_percent = 5
    for item in data.organisations():
        org = item.assignment.organisation
        submitted_at = getattr(item.assignment.response, "submitted_at", None)
        row = [cells.text(wide, org.name), item.status]
        row.append(cells.styled(wide, submitted_at, number_format=DATETIME_FORMAT) if submitted_at else None)
        for column in columns:
            row.append(cells.value(wide, data.wide_value(column, item.values.get(column.question.pk))))
        wide.append(row)
        name = cells.text(long.ws, org.name)
        for question_id in sorted(item.values, key=lambda pk: data.position.get(pk, 0)):
            question = by_id.get(question_id)
            if question is None:
                continue
            for part, code, content in data.long_values(question, item.values[question_id]):
                long.append(
                    [
                        name,
                        question_code[question_id],
                        question_text[question_id],
                        cells.text(long.ws, part) if part else None,
                        cells.text(long.ws, code) if code else None,
                        cells.value(long.ws, content),
                        *round_cells,
                    ]
                )
        written += len(item.values)
        percent = 5 + int(80 * written / total)
        if percent >= last_percent + 5:
            report(percent)
            last_percent = percent
    wide.auto_filter.ref = f"A2:{get_column_letter(len(fixed) + len(columns))}{len(data.assignments) + 2}"
    long.close()


def _index(wb, data):
    ws = wb.create_sheet("Index")
    rows = data.index_rows()
    categories = data.categories
    headings = ["Organisation"] + [
        f"{c.name} (max {_plain(c.cap)})" if c.cap is not None else c.name for c in categories
    ]
    headings += ["Totalt", "Index (skalat)", "Rang", "Preliminärt"]
    _widths(ws, [34] + [14] * (len(headings) - 1))
    ws.freeze_panes = "B2"
    ws.append(_heading_row(ws, headings))
    if not rows:
        ws.append([cells.text(ws, "Inget index är beräknat för omgången ännu.")])
        return
    for name, points, total, scaled, rank, preliminary in rows:
        ws.append(
            [cells.text(ws, name)]
            + [cells.value(ws, points.get(c.code)) for c in categories]
            + [cells.value(ws, total), cells.value(ws, scaled), rank, "Ja" if preliminary else "Nej"]
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{len(rows) + 1}"
    ws.append([])
    for label, pick in (("Medelvärde (ovägt)", 0), ("Median", 1)):
        line = [cells.styled(ws, label, bold=True)]
        for c in categories:
            line.append(mean_and_median([p.get(c.code) for _, p, *_ in rows])[pick])
        line.append(mean_and_median([row[2] for row in rows])[pick])
        line.append(mean_and_median([row[3] for row in rows])[pick])
        ws.append(line)
    scaled_col = len(categories) + 3
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Index (skalat) per organisation"
    chart.y_axis.title = "Index"
    chart.height = max(7.5, 0.5 * len(rows))
    chart.width = 18
    chart.add_data(Reference(ws, min_col=scaled_col, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
    chart.legend = None
    ws.add_chart(chart, f"{get_column_letter(len(headings) + 2)}2")


def _trend(wb, data):
    ws = wb.create_sheet("Trend")
    years, series = data.trend()
    _widths(ws, [34] + [10] * len(years))
    ws.freeze_panes = "B2"
    ws.append(_heading_row(ws, ["Organisation"] + [str(y) for y in years]))
    if not series:
        ws.append([cells.text(ws, "Inga jämförbara indexresultat finns ännu.")])
        return
    mean_row = ["Medelvärde (ovägt)"]
    for year in years:
        mean_row.append(mean_and_median([values.get(year) for _, values in series])[0])
    ws.append([cells.styled(ws, mean_row[0], bold=True)] + mean_row[1:])
    for name, values in series:
        ws.append([cells.text(ws, name)] + [cells.value(ws, values.get(year)) for year in years])
    ws.append([])
    ws.append(
        [
            cells.text(
                ws,
                "Bara år med jämförbar enkätversion visas. "
                + (
                    f"Diagrammet visar medelvärdet och de första {MAX_TREND_SERIES - 1} organisationerna."
                    if len(series) >= MAX_TREND_SERIES
                    else "Diagrammet visar medelvärdet och varje organisation."
                ),
            )
        ]
    )
    shown = min(len(series) + 1, MAX_TREND_SERIES)
    chart = LineChart()
    chart.title = "Index (skalat) över år"
    chart.y_axis.title = "Index"
    chart.x_axis.title = "År"
    chart.height = 10
    chart.width = 20
    chart.add_data(
        Reference(ws, min_col=1, max_col=len(years) + 1, min_row=2, max_row=shown + 1),
        from_rows=True,
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=2, max_col=len(years) + 1, min_row=1, max_row=1))
    ws.add_chart(chart, f"{get_column_letter(len(years) + 3)}2")


ACTIVITY_HEADINGS = [
    "Målområde",
    "Insatsområde",
    "Aktivitet",
    "Organisation",
    "Roll",
    "Status",
    "Indikator",
    "Enhet",
    "Mål",
    "Värde / totalt",
    "Flickor",
    "Pojkar",
    "Kvinnor",
    "Män",
    "Kommentar",
]


def _activities(wb, data):
    """Per activity (in plan order: målområde, insatsområde, aktivitet) and organisation (the lead first):
    the status, then one row per indicator with its gender split. Activity answers are few (organisations
    × their activities), so the rows are gathered and sorted before they are written."""
    ws = wb.create_sheet("Aktiviteter")
    _widths(ws, [30, 26, 40, 30, 12, 20, 40, 10, 20, 12, 9, 9, 9, 9, 40])
    ws.freeze_panes = "A2"
    ws.append(_heading_row(ws, ACTIVITY_HEADINGS))
    activities = data.activities()
    by_activity = {}
    for q in data.activity_questions():
        by_activity.setdefault(q.activity_id, []).append(q)
    rows = []
    for assignment, values in data.activity_answers():
        org = assignment.organisation
        for position, activity in enumerate(activities):
            questions = by_activity.get(activity.pk, [])
            if not any(q.pk in values for q in questions):
                continue
            status = comment = None
            indicators = []
            for q in questions:
                raw = values.get(q.pk)
                if q.type == "activity_status":
                    status = data.scalar(q, raw) if raw is not None else None
                elif q.indicator_id:
                    indicators.append((q, raw))
                elif q.type == "text" and raw is not None:
                    comment = str(raw)
            role = ""
            if activity.lead_id == org.pk:
                role = "Ansvarig"
            elif any(o.pk == org.pk for o in activity.co_responsible.all()):
                role = "Samverkan"
            head = [
                cells.text(ws, str(activity.goal_area)),
                cells.text(ws, str(activity.focus_area) if activity.focus_area else ""),
                cells.text(ws, str(activity)),
                cells.text(ws, org.name),
                role,
                cells.text(ws, status),
            ]
            for q, raw in indicators or [(None, None)]:
                ind = q.indicator if q else None
                split = [None] * 5
                if isinstance(raw, dict):
                    split = [_number(raw.get(k)) for k in ("total", "flickor", "pojkar", "kvinnor", "man")]
                elif raw is not None:
                    split[0] = cells.value(ws, data.scalar(q, raw))
                row = (
                    head
                    + [
                        cells.text(ws, ind.text) if ind else None,
                        cells.text(ws, ind.unit) if ind else None,
                        cells.text(ws, ind.target) if ind else None,
                    ]
                    + split
                    + [cells.text(ws, comment)]
                )
                rows.append(((position, role != "Ansvarig", org.name), row))
    for _, row in sorted(rows, key=lambda item: item[0]):  # stable: indicators keep their order
        ws.append(row)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ACTIVITY_HEADINGS))}{len(rows) + 1}"


def _plain(number):
    """22.00 → "22", 0.50 → "0.5"."""
    return format(number.normalize(), "f")


def _number(raw):
    return as_number(raw) if raw is not None else None


CODEBOOK_HEADINGS = [
    "Kod",
    "Avsnitt",
    "Fråga",
    "Typ",
    "Obligatorisk",
    "Svarsalternativ (kod = text)",
    "Kolumner i Svar",
    "Poäng",
    "Kategori",
    "Villkor",
]


REQUIRED_COLUMN = 4  # "Ja"/"Nej", written as it is


def codebook_rows(data):
    """One row per question (the CODEBOOK_HEADINGS columns), plain values: the Frågor sheet and the
    archive package's codebook.csv are written from these."""
    rows = []
    for q in data.questions:
        options = data.parts(q) or data.options[q.pk]
        if not options and q.type in ("yes_no", "activity_status"):
            options = [(code, data.label(q, code)) for code in _fixed_codes(q.type)]
        rules = data.rules.get(q.pk, [])
        points = "; ".join(
            f"{r.option_code}: {_plain(r.points)}"
            if r.option_code
            else f"≥ {_plain(r.min_value)}: {_plain(r.points)}"
            for r in rules
        )
        categories = ", ".join(sorted({r.category.name for r in rules}))
        condition = ""
        if q.condition_question_id:
            condition = (
                f"Visas om {q.condition_question.code} {q.get_condition_operator_display()} {q.condition_value}"
            ).strip()
        parts = data.parts(q)
        rows.append(
            [
                q.code,
                q.section.title,
                q.text,
                str(q.get_type_display()),
                "Ja" if q.required else "Nej",
                "; ".join(f"{code} = {label}" for code, label in options),
                ", ".join(f"{q.code}_{code}" for code, _ in parts) if parts else q.code,
                points,
                categories,
                condition,
            ]
        )
    return rows


def _codebook(wb, data):
    ws = wb.create_sheet("Frågor")
    _widths(ws, [14, 30, 60, 18, 12, 50, 30, 30, 24, 40])
    ws.freeze_panes = "B2"
    ws.append(_heading_row(ws, CODEBOOK_HEADINGS))
    for row in codebook_rows(data):
        ws.append([value if i == REQUIRED_COLUMN else cells.text(ws, value) for i, value in enumerate(row)])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(CODEBOOK_HEADINGS))}{len(data.questions) + 1}"


def _fixed_codes(question_type):
    return [code for code, _ in (YES_NO_CHOICES if question_type == "yes_no" else ACTIVITY_STATUS_CHOICES)]
