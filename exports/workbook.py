"""The compiled workbook of a survey round: openpyxl write-only mode (with lxml), answers streamed in chunks.

Sheets: Översikt, Svar, Svar (lång) [2, 3 … past Excel's row limit], Index, Trend, Aktiviteter (activity
questionnaires), Frågor. Every string goes through `exports.cells`, so respondents' text stays text."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from surveys.models import QuestionType
from surveys.questiontypes import kind_of

from . import cells
from .rows import PREFILLED_LABEL, RoundExport, as_number, mean_and_median

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
INDEX_FORMAT = "0.0"  # index figures and points: one decimal
COUNT_FORMAT = "#,##0"  # counts: thousands separators (Excel shows the reader's own separator)
MAX_TREND_SERIES = 30
MAX_WIDTH = 60
PREFILLED_FILL = PatternFill("solid", fgColor="FFF2CC")

MULTIPLE_NOTE = (
    "Flervalsfrågor: en kolumn per svarsalternativ, kod FRÅGA_ALTERNATIV; 1 = valt, 0 = inte valt, "
    "tom = frågan obesvarad."
)
BREAKDOWN_NOTE = "Fördelade antal (flickor/pojkar/kvinnor/män/totalt): en kolumn per del."
MEAN_NOTE = "Medelvärde och median är ovägda över organisationerna (som gruppvärden i Kolada)."
STATUS_NOTE = (
    "Status visar om organisationen har skickat in (utkast räknas inte som inskickade). Svar "
    f"{PREFILLED_LABEL} är förra årets svar som organisationen fått som förslag men inte bekräftat eller "
    "ändrat; de är gulmarkerade i Svar. Svar på frågor som ett villkor döljer (t.ex. en följdfråga till "
    "ett ”Nej”) visas inte och räknas inte, som i index och kvitto."
)


def build_round_workbook(
    survey_round_id,
    path,
    *,
    generated_by="",
    now=None,
    max_rows=EXCEL_MAX_ROWS,
    max_columns=EXCEL_MAX_COLUMNS,
    progress=None,
    chunk_size=None,
):
    """Write the workbook of a round to `path`. `progress(percent)` is called as the answers are written."""
    now = now or timezone.now()
    data = RoundExport(survey_round_id, **({"chunk_size": chunk_size} if chunk_size else {}))
    report = progress or (lambda percent: None)
    report(5)
    wb = Workbook(write_only=True)
    book = _Book(wb)
    overview = book.sheet("Översikt", widths=[36, 70, 20])  # first in the file, filled in last
    tally = _answers(book, data, max_rows=max_rows, max_columns=max_columns, report=report)
    report(85)
    _index(book, data)
    _trend(book, data)
    if data.activity_questions():
        _activities(book, data)
    _codebook(book, data)
    _overview(book, overview, data, tally, generated_by=generated_by, now=now)
    report(95)
    wb.save(path)
    return path


class _Book:
    """The workbook being written: every sheet gets the same print set-up (landscape, fit to the page
    width, heading rows repeated on every page), and every row goes through `put`, which counts rows and
    notes each cell whose text had to be cut at Excel's limit (listed in Översikt)."""

    def __init__(self, wb):
        self.wb = wb
        self.rows = {}
        self.cuts = []  # (sheet, cell, what)

    def sheet(self, title, *, widths=(), headings=(), heading_rows=1, fit_height=False):
        ws = self.wb.create_sheet(title)
        # Written at the top of the sheet's XML: must be set before the first row.
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if fit_height else 0
        ws.print_title_rows = f"1:{heading_rows}"
        ws.oddHeader.left.text = "Blad: &A"
        ws.oddFooter.right.text = "Sida &P av &N"
        if headings:
            widths = [max(w, _heading_width(h)) for w, h in zip(widths, headings, strict=False)]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = min(width, MAX_WIDTH)
        self.rows[ws.title] = 0
        return ws

    def put(self, ws, row, *, what=""):
        self.rows[ws.title] += 1
        for index, content in enumerate(row, start=1):
            value = content.value if hasattr(content, "value") else content
            if cells.is_cut(value):
                self.cuts.append((ws.title, f"{get_column_letter(index)}{self.rows[ws.title]}", what))
        ws.append(row)


def _heading_width(heading):
    """A column wide enough for its heading's longest line (bold text is a little wider)."""
    longest = max((len(line) for line in str(heading).splitlines()), default=0)
    return min(MAX_WIDTH, round(longest * 1.15) + 3)


def _heading_row(ws, values):
    return [cells.styled(ws, v, bold=True) for v in values]


def _overview(book, ws, data, tally, *, generated_by, now):
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
        ("Förlängd sista svarsdag (organisationer)", tally["extended"]),
        ("Stängd", cells.local_datetime(r.closed_at) if r.closed_at else None),
        ("Publicerad", cells.local_datetime(r.published_at) if r.published_at else None),
        ("Mottagare", recipients),
    ]
    for label in ("Inskickad", "Återöppnad", "Påbörjad (utkast)", "Ej påbörjad"):
        count = counts.get(label, 0)
        rows.append((f"Status: {label}", count, count / recipients if recipients else None))
    rows.append(("Svarsfrekvens (inskickade)", submitted / recipients if recipients else None))
    rows.append(("Svar i Svar-bladen", tally["answers"]))
    rows.append((f"Svar {PREFILLED_LABEL}", tally["prefilled"]))
    rows.append((f"Organisationer med svar {PREFILLED_LABEL}", tally["prefilled_organisations"]))
    rows.append(("Svar dolda av ett villkor (visas och räknas inte)", tally["hidden"]))
    rows.append(("Skapad", cells.local_datetime(now)))
    rows.append(("Skapad av", generated_by))
    book.put(ws, _heading_row(ws, [f"{r.name} {r.year}", "", "Andel av mottagarna"]))
    for label, content, *share in rows:
        number_format = None
        if label.startswith("Svarsfrekvens"):
            number_format = PERCENT_FORMAT
        elif hasattr(content, "hour"):
            number_format = DATETIME_FORMAT
        elif isinstance(content, int) and label != "År":
            number_format = COUNT_FORMAT
        line = [cells.text(ws, label), cells.styled(ws, content, number_format=number_format)]
        if share and share[0] is not None:
            line.append(cells.styled(ws, share[0], number_format=PERCENT_FORMAT))
        book.put(ws, line)
    book.put(ws, [])
    book.put(ws, _heading_row(ws, ["Att läsa", ""]))
    for note in (MULTIPLE_NOTE, BREAKDOWN_NOTE, MEAN_NOTE, STATUS_NOTE, _long_note(data), *tally["notes"]):
        book.put(ws, [None, cells.text(ws, note)])
    book.put(ws, [])
    book.put(ws, _heading_row(ws, ["Avkortad text", "Cell", "Vad"]))
    if not book.cuts:
        book.put(ws, [None, cells.text(ws, "Ingen text har avkortats.")])
    else:
        book.put(
            ws,
            [
                None,
                cells.text(
                    ws,
                    f"{len(book.cuts)} celler hade mer text än Excels gräns (32 767 tecken); de slutar med "
                    f"”{cells.CUT_MARK.strip()}”. Hela texten finns i Årsrunda.",
                ),
            ],
        )
        for sheet, cell, what in book.cuts:
            book.put(ws, [cells.text(ws, sheet), cells.text(ws, cell), cells.text(ws, what)])


def _long_note(data):
    return (
        "Svar (lång): en rad per svar (och per valt alternativ eller del), för pivottabeller och "
        f"statistikprogram; fortsätter i Svar (lång) 2 osv. före Excels gräns på {EXCEL_MAX_ROWS:,} rader."
    ).replace(",", " ")


LONG_HEADINGS = [
    "Organisation",
    "Status",
    "Frågekod",
    "Fråga",
    "Del",
    "Svarskod",
    "Värde",
    "Från förra året",
    "År",
    "Enkätversion",
]
LONG_WIDTHS = [30, 18, 14, 50, 14, 14, 30, 28, 8, 20]
WIDE_FIXED = ["Organisation", "Status", "Inskickad", "Sista svarsdag", "Från förra året, ej bekräftat"]
WIDE_WIDTHS = [34, 18, 17, 17, 30]


class _LongSheets:
    """The long answer sheet, continued on a new sheet before the row limit."""

    def __init__(self, book, max_rows):
        self.book = book
        self.max_rows = max_rows
        self.number = 0
        self._new_sheet()

    def _new_sheet(self):
        self.number += 1
        title = "Svar (lång)" if self.number == 1 else f"Svar (lång) {self.number}"
        self.ws = self.book.sheet(title, widths=LONG_WIDTHS, headings=LONG_HEADINGS)
        self.ws.freeze_panes = "A2"
        self.book.put(self.ws, _heading_row(self.ws, LONG_HEADINGS))
        self.rows = 1

    def append(self, row, what=""):
        if self.rows >= self.max_rows:
            self._finish()
            self._new_sheet()
        self.book.put(self.ws, row, what=what)
        self.rows += 1

    def _finish(self):
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(LONG_HEADINGS))}{self.rows}"

    def close(self):
        self._finish()


def _column_format(column):
    """Counts with thousands separators; dates are dates (openpyxl gives them a date format)."""
    if column.question.type in (QuestionType.INTEGER, QuestionType.BREAKDOWN):
        return COUNT_FORMAT
    return None


def _wide_sheets(book, data, columns, max_columns):
    """Svar, continued as Svar 2, 3 … when the questionnaire has more columns than Excel allows; each
    part repeats the organisation columns so every row stands on its own."""
    per_sheet = max(1, max_columns - len(WIDE_FIXED))
    chunks = [columns[i : i + per_sheet] for i in range(0, len(columns), per_sheet)] or [[]]
    sheets = []
    for number, chunk in enumerate(chunks, start=1):
        title = "Svar" if number == 1 else f"Svar {number}"
        headings = WIDE_FIXED + [c.code for c in chunk]
        ws = book.sheet(title, widths=WIDE_WIDTHS + [14] * len(chunk), heading_rows=2)
        ws.freeze_panes = "B3"
        book.put(ws, _heading_row(ws, headings))
        book.put(ws, _heading_row(ws, [""] * len(WIDE_FIXED) + [c.heading for c in chunk]))
        sheets.append((ws, chunk, [_column_format(c) for c in chunk]))
    return sheets


def _answers(book, data, *, max_rows, max_columns, report):
    """Svar and Svar (lång) are written side by side from one pass over the shown answers. Returns the
    counts Översikt shows."""
    columns = data.columns()
    wides = _wide_sheets(book, data, columns, max_columns)
    long = _LongSheets(book, max_rows)
    round_cells = (data.round.year, cells.text(long.ws, data.version.label or str(data.version.number)))
    question_text = {q.pk: cells.text(long.ws, q.text) for q in data.questions}
    question_code = {q.pk: cells.text(long.ws, q.code) for q in data.questions}
    by_id = {q.pk: q for q in data.questions}
    total = max(data.answer_count(), 1)
    tally = {"answers": 0, "prefilled": 0, "prefilled_organisations": 0, "hidden": 0, "extended": 0}
    tally["notes"] = []
    if len(wides) > 1:
        tally["notes"].append(
            "Enkäten har fler kolumner än Excels gräns (16 384); Svar fortsätter i "
            f"{', '.join(ws.title for ws, _, _ in wides[1:])} med organisationskolumnerna upprepade."
        )
    written = 0
    last_percent = 5
    for item in data.organisations():
        assignment = item.assignment
        org = assignment.organisation
        submitted_at = getattr(assignment.response, "submitted_at", None)
        prefilled_codes = [
            by_id[pk].code for pk in sorted(item.prefilled, key=data.position.get) if pk in by_id
        ]
        tally["answers"] += len(item.values)
        tally["prefilled"] += len(item.prefilled)
        tally["prefilled_organisations"] += 1 if item.prefilled else 0
        tally["hidden"] += item.hidden
        tally["extended"] += 1 if assignment.deadline_override else 0
        for ws, chunk, formats in wides:
            row = [
                cells.text(ws, org.name),
                item.status,
                cells.styled(ws, submitted_at, number_format=DATETIME_FORMAT) if submitted_at else None,
                cells.styled(
                    ws, assignment.deadline_override or data.round.deadline, number_format=DATETIME_FORMAT
                ),
                cells.text(ws, ", ".join(prefilled_codes)) if prefilled_codes else None,
            ]
            for column, number_format in zip(chunk, formats, strict=True):
                content = data.wide_value(column, item.values.get(column.question.pk))
                offered = column.question.pk in item.prefilled
                if content is None or (number_format is None and not offered):
                    row.append(cells.value(ws, content))
                    continue
                cell = cells.styled(
                    ws, content, number_format=number_format if isinstance(content, int) else None
                )
                if offered:
                    cell.fill = PREFILLED_FILL
                row.append(cell)
            book.put(ws, row, what=org.name)
        name = cells.text(long.ws, org.name)
        status = cells.text(long.ws, item.status)
        for question_id in sorted(item.values, key=lambda pk: data.position.get(pk, 0)):
            question = by_id.get(question_id)
            if question is None:
                continue
            offered = PREFILLED_LABEL if question_id in item.prefilled else None
            for part, code, content in data.long_values(question, item.values[question_id]):
                long.append(
                    [
                        name,
                        status,
                        question_code[question_id],
                        question_text[question_id],
                        cells.text(long.ws, part) if part else None,
                        cells.text(long.ws, code) if code else None,
                        cells.value(long.ws, content),
                        offered,
                        *round_cells,
                    ],
                    what=f"{org.name}, {question.code}",
                )
        written += len(item.values) + item.hidden
        percent = 5 + int(80 * written / total)
        if percent >= last_percent + 5:
            report(percent)
            last_percent = percent
    for ws, chunk, _ in wides:
        ws.auto_filter.ref = (
            f"A2:{get_column_letter(len(WIDE_FIXED) + len(chunk))}{len(data.assignments) + 2}"
        )
    long.close()
    return tally


def _index(book, data):
    rows = data.index_rows()
    categories = data.categories
    headings = ["Organisation"] + [
        f"{c.name} (max {_plain(c.cap)})" if c.cap is not None else c.name for c in categories
    ]
    headings += ["Totalt", "Index (skalat)", "Rang", "Preliminärt"]
    # One page for a round of a city's size; a very large round prints on as many pages as it needs.
    ws = book.sheet(
        "Index", widths=[34] + [12] * (len(headings) - 1), headings=headings, fit_height=len(rows) <= 40
    )
    ws.freeze_panes = "B2"
    book.put(ws, _heading_row(ws, headings))
    if not rows:
        book.put(ws, [cells.text(ws, "Inget index är beräknat för omgången ännu.")])
        return

    def figure(value):
        return cells.styled(ws, value, number_format=INDEX_FORMAT) if value is not None else None

    for name, points, total, scaled, rank, preliminary in rows:
        book.put(
            ws,
            [cells.text(ws, name)]
            + [figure(points.get(c.code)) for c in categories]
            + [figure(total), figure(scaled), rank, "Ja" if preliminary else "Nej"],
            what=name,
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{len(rows) + 1}"
    book.put(ws, [])
    for label, pick in (("Medelvärde (ovägt)", 0), ("Median", 1)):
        line = [cells.styled(ws, label, bold=True)]
        for c in categories:
            line.append(figure(mean_and_median([p.get(c.code) for _, p, *_ in rows])[pick]))
        line.append(figure(mean_and_median([row[2] for row in rows])[pick]))
        line.append(figure(mean_and_median([row[3] for row in rows])[pick]))
        book.put(ws, line)
    scaled_col = len(categories) + 3
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Index (skalat) per organisation"
    chart.y_axis.title = "Index"
    chart.y_axis.scaling.min = 0
    chart.y_axis.numFmt = INDEX_FORMAT
    # Every organisation labelled: no skipped labels, axes not deleted, 0.6 cm per bar.
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top, as in the table
    chart.height = max(7.5, 0.6 * len(rows) + 3)
    chart.width = 18
    chart.add_data(Reference(ws, min_col=scaled_col, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
    chart.legend = None
    # Below the table, so the sheet prints as one column of pages.
    ws.add_chart(chart, f"A{len(rows) + 6}")


def _trend(book, data):
    rounds, series = data.trend()
    headings = ["Organisation"] + [c.label for c in rounds]
    ws = book.sheet("Trend", widths=[34] + [10] * len(rounds), headings=headings)
    ws.freeze_panes = "B2"
    book.put(ws, _heading_row(ws, headings))
    if not series:
        book.put(ws, [cells.text(ws, "Inga jämförbara indexresultat finns ännu.")])
        return

    def figure(value):
        return cells.styled(ws, value, number_format=INDEX_FORMAT) if value is not None else None

    mean_row = [cells.styled(ws, "Medelvärde (ovägt)", bold=True)]
    for column in rounds:
        mean_row.append(figure(mean_and_median([values.get(column.id) for _, values in series])[0]))
    book.put(ws, mean_row)
    for name, values in series:
        book.put(ws, [cells.text(ws, name)] + [figure(values.get(c.id)) for c in rounds], what=name)
    book.put(ws, [])
    if len(rounds) < 2:
        book.put(
            ws,
            [
                cells.text(
                    ws,
                    "Det finns färre än två jämförbara omgångar, så det finns ingen trend att visa ännu. "
                    "Diagrammet visas när en omgång med samma eller jämförbar enkätversion har ett index.",
                )
            ],
        )
        return
    book.put(
        ws,
        [
            cells.text(
                ws,
                "En kolumn per omgång (två omgångar samma år är två kolumner); bara omgångar med jämförbar "
                "enkätversion visas. "
                + (
                    f"Diagrammet visar medelvärdet och de första {MAX_TREND_SERIES - 1} organisationerna."
                    if len(series) >= MAX_TREND_SERIES
                    else "Diagrammet visar medelvärdet och varje organisation."
                ),
            )
        ],
    )
    shown = min(len(series) + 1, MAX_TREND_SERIES)
    chart = LineChart()
    chart.title = "Index (skalat) per omgång"
    chart.y_axis.title = "Index"
    chart.x_axis.title = "Omgång"
    chart.y_axis.scaling.min = 0
    chart.y_axis.numFmt = INDEX_FORMAT
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1
    chart.height = 10
    chart.width = 20
    chart.add_data(
        Reference(ws, min_col=1, max_col=len(rounds) + 1, min_row=2, max_row=shown + 1),
        from_rows=True,
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=2, max_col=len(rounds) + 1, min_row=1, max_row=1))
    for number, line in enumerate(chart.series):
        line.smooth = False
        line.marker.symbol = "circle"
        line.marker.size = 7
        line.graphicalProperties.line.width = 38100 if number == 0 else 19050  # EMU: the mean thicker
    ws.add_chart(chart, f"A{len(series) + 6}")


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


ROLE_LABELS = {"lead": "Ansvarig", "co": "Samverkan"}


def _activities(book, data):
    """Per activity (in plan order: målområde, insatsområde, aktivitet) and organisation (the lead first):
    the status, then one row per indicator with its gender split. Activity answers are few (organisations
    × their activities), so the rows are gathered and sorted before they are written."""
    ws = book.sheet(
        "Aktiviteter",
        widths=[30, 26, 40, 30, 12, 20, 40, 10, 12, 12, 9, 9, 9, 9, 40],
        headings=ACTIVITY_HEADINGS,
    )
    ws.freeze_panes = "A2"
    book.put(ws, _heading_row(ws, ACTIVITY_HEADINGS))
    activities = data.activities()
    roles = data.activity_roles()
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
            role = ROLE_LABELS.get(roles.get(activity.pk, {}).get(org.pk), "")
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
                    split = [_count(ws, raw.get(k)) for k in ("total", "flickor", "pojkar", "kvinnor", "man")]
                elif raw is not None:
                    split[0] = _count(ws, data.scalar(q, raw))
                row = (
                    head
                    + [
                        cells.text(ws, ind.text) if ind else None,
                        cells.text(ws, ind.unit) if ind else None,
                        _target(ws, ind.target) if ind else None,
                    ]
                    + split
                    + [cells.text(ws, comment)]
                )
                rows.append(((position, role != "Ansvarig", org.name), row))
    for _, row in sorted(rows, key=lambda item: item[0]):  # stable: indicators keep their order
        book.put(ws, row, what="Aktiviteter")
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ACTIVITY_HEADINGS))}{len(rows) + 1}"


def _plain(number):
    """22.00 → "22", 0.50 → "0.5"."""
    return format(number.normalize(), "f")


def _count(ws, raw):
    """A reported figure: a number with thousands separators when it is one, else its text."""
    number = as_number(raw) if raw is not None else None
    if number is None:
        return cells.value(ws, raw)
    return cells.styled(ws, number, number_format=COUNT_FORMAT if isinstance(number, int) else None)


def _target(ws, target):
    """An indicator's target as a number when it is one ("1 200", "75"); text targets ("öka") stay text."""
    number = as_number(target) if target not in (None, "") else None
    if number is None:
        return cells.text(ws, target) if target else None
    return cells.styled(ws, number, number_format=COUNT_FORMAT if isinstance(number, int) else None)


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
        if not options and kind_of(q).fixed_choices:
            options = [(code, data.label(q, code)) for code, _ in kind_of(q).fixed_choices]
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


def _codebook(book, data):
    ws = book.sheet("Frågor", widths=[14, 30, 60, 18, 12, 50, 30, 30, 24, 40], headings=CODEBOOK_HEADINGS)
    ws.freeze_panes = "B2"
    book.put(ws, _heading_row(ws, CODEBOOK_HEADINGS))
    for row in codebook_rows(data):
        book.put(ws, [value if i == REQUIRED_COLUMN else cells.text(ws, value) for i, value in enumerate(row)])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(CODEBOOK_HEADINGS))}{len(data.questions) + 1}"

