"""The round workbook, opened again with openpyxl as an analyst's Excel would: sheets, headings, values,
hostile text kept as text, charts, long-sheet splitting and a bounded number of queries."""

import datetime
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from exports import cells
from exports.workbook import build_round_workbook
from tests.export_world import HOSTILE, activity_round, index_round

pytestmark = pytest.mark.django_db


def build(tmp_path, survey_round, **kw):
    path = tmp_path / "omgang.xlsx"
    build_round_workbook(survey_round.pk, path, generated_by="samordnare", **kw)
    return path


def rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def by_first_column(ws):
    return {r[0]: r for r in rows(ws) if r and r[0] is not None}


@pytest.fixture
def world():
    return index_round()


@pytest.fixture
def workbook(world, tmp_path):
    return load_workbook(build(tmp_path, world["round"]))


def test_every_sheet_is_there_in_order(workbook):
    assert workbook.sheetnames == ["Översikt", "Svar", "Svar (lång)", "Index", "Trend", "Frågor"]


def test_overview_shows_round_recipients_and_response_rate(workbook):
    overview = by_first_column(workbook["Översikt"])
    assert overview["Enkätomgång"][1] == "Preventionsindex mini"
    assert overview["År"][1] == 2026
    assert overview["Enkätversion"][1] == "PI V2"
    assert overview["Mottagare"][1] == 3
    assert overview["Status: Inskickad"][1] == 1
    assert overview["Status: Påbörjad (utkast)"][1] == 1
    assert overview["Status: Ej påbörjad"][1:3] == [1, pytest.approx(1 / 3)]
    assert overview["Svarsfrekvens (inskickade)"][1] == pytest.approx(1 / 3)
    assert overview["Skapad av"][1] == "samordnare"
    assert isinstance(overview["Sista svarsdag"][1], datetime.datetime)
    notes = " ".join(str(r[1]) for r in rows(workbook["Översikt"]) if r[0] is None and r[1])
    assert "en kolumn per svarsalternativ" in notes


def test_wide_sheet_has_codes_texts_labels_and_one_column_per_option_and_part(workbook):
    ws = workbook["Svar"]
    table = rows(ws)
    codes, texts = table[0], table[1]
    assert codes[:6] == [
        "Organisation",
        "Status",
        "Inskickad",
        "Sista svarsdag",
        "Från förra året, ej bekräftat",
        "ORG_1",
    ]
    assert texts[5] == "Finns en plan?"
    assert "ORG_3_polis" in codes and "ORG_3_skola" in codes
    assert texts[codes.index("ORG_3_skola")] == "Vilka samverkar? – Skolan"
    assert {"ORG_8_flickor", "ORG_8_total"} <= set(codes)
    alfa, beta, gamma = (dict(zip(codes, r, strict=True)) for r in table[2:5])
    assert (alfa["Organisation"], alfa["Status"]) == ("Alfa", "Inskickad")
    assert alfa["Inskickad"] == datetime.datetime(2026, 11, 20, 10, 30)
    assert alfa["ORG_1"] == "Ja" and alfa["ORG_2"] == "Ofta"
    assert (alfa["ORG_3_polis"], alfa["ORG_3_skola"]) == (1, 0)
    assert alfa["ORG_4"] == 42 and alfa["ORG_5"] == 12.5
    assert alfa["ORG_6"] == datetime.datetime(2024, 3, 1)
    assert ws.cell(3, codes.index("ORG_6") + 1).is_date
    assert (alfa["ORG_8_flickor"], alfa["ORG_8_total"]) == (3, 10)
    assert (beta["Status"], beta["ORG_1"], beta["ORG_3_skola"], beta["ORG_4"]) == (
        "Påbörjad (utkast)",
        "Nej",
        1,
        None,
    )
    assert gamma["Status"] == "Ej påbörjad" and gamma["ORG_1"] is None
    assert ws.freeze_panes == "B3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["A"].width > 20


def test_hostile_answers_come_back_as_text_cells_never_formulas(workbook):
    ws = workbook["Svar"]
    codes = [c.value for c in ws[1]]
    for key, hostile in HOSTILE.items():
        cell = ws.cell(3, codes.index(f"TXT_{key.upper()}") + 1)
        assert cell.data_type == "s", key
        assert cell.value == hostile, key
        assert cell.quotePrefix, key
    long_cells = [r[6] for r in workbook["Svar (lång)"].iter_rows(min_row=2)]
    hostile_long = [c for c in long_cells if c.value in HOSTILE.values()]
    assert len(hostile_long) == len(HOSTILE)
    assert all(c.data_type == "s" for c in hostile_long)
    for ws in workbook:
        for row in ws.iter_rows():
            assert not any(c.data_type == "f" for c in row), ws.title


def test_illegal_control_characters_are_removed_not_fatal(workbook):
    codes = [c.value for c in workbook["Svar"][1]]
    assert workbook["Svar"].cell(3, codes.index("ORG_7") + 1).value == "Bra samarbete"


def test_long_sheet_has_one_row_per_answer_with_numbers_as_numbers(workbook):
    table = rows(workbook["Svar (lång)"])
    assert table[0] == [
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
    alfa = [r for r in table[1:] if r[0] == "Alfa"]
    sent = "Inskickad"
    assert ["Alfa", sent, "ORG_1", "Finns en plan?", None, "ja", "Ja", None, 2026, "PI V2"] in alfa
    assert ["Alfa", sent, "ORG_4", "Antal utbildade?", None, None, 42, None, 2026, "PI V2"] in alfa
    assert ["Alfa", sent, "ORG_8", "Antal deltagare", "Flickor", None, 3, None, 2026, "PI V2"] in alfa
    beta_multi = [r[5] for r in table[1:] if r[0] == "Beta" and r[2] == "ORG_3"]
    assert beta_multi == ["polis", "skola"]
    assert not any(r[0] == "Gamma" for r in table)
    # seven one-row answers, the breakdown as five part rows, and the hostile texts
    assert len(alfa) == 7 + 5 + len(HOSTILE)


def test_long_sheet_continues_on_a_new_sheet_at_the_row_limit(world, tmp_path):
    workbook = load_workbook(build(tmp_path, world["round"], max_rows=5))
    long_sheets = [name for name in workbook.sheetnames if name.startswith("Svar (lång)")]
    assert long_sheets[:3] == ["Svar (lång)", "Svar (lång) 2", "Svar (lång) 3"]
    answers = 0
    for name in long_sheets:
        table = rows(workbook[name])
        assert len(table) <= 5
        assert table[0][0] == "Organisation"
        answers += len(table) - 1
    assert answers == 7 + 5 + len(HOSTILE) + 3
    assert workbook.sheetnames.index("Index") == len(long_sheets) + 2


def test_index_sheet_has_points_rank_mean_median_and_a_bar_chart(world, tmp_path):
    path = build(tmp_path, world["round"])
    ws = load_workbook(path)["Index"]
    table = rows(ws)
    assert table[0] == [
        "Organisation",
        "Struktur (max 10)",
        "Totalt",
        "Index (skalat)",
        "Rang",
        "Preliminärt",
    ]
    assert table[1] == ["Alfa", 8, 8, 80, 1, "Nej"]
    assert table[2] == ["Beta", 4, 4, 40, 2, "Nej"]
    summary = by_first_column(ws)
    assert summary["Medelvärde (ovägt)"][1:4] == [6, 6, 60]
    assert summary["Median"][3] == 60
    assert len(ws._charts) == 1
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        assert b"barChart" in b"".join(archive.read(n) for n in charts)


def test_trend_sheet_compares_comparable_years_with_a_line_chart(world, tmp_path):
    path = build(tmp_path, world["round"])
    ws = load_workbook(path)["Trend"]
    table = rows(ws)
    assert table[0] == ["Organisation", "2025", "2026"]
    assert table[1] == ["Medelvärde (ovägt)", 55, 60]
    assert table[2] == ["Alfa", 60, 80] and table[3] == ["Beta", 50, 40]
    assert len(ws._charts) == 1
    with zipfile.ZipFile(path) as archive:
        assert any(b"lineChart" in archive.read(n) for n in archive.namelist() if n.startswith("xl/charts/"))


def test_trend_leaves_out_rounds_of_versions_that_are_not_comparable(world, tmp_path):
    world["round"].version.comparable_with.clear()
    table = rows(load_workbook(build(tmp_path, world["round"]))["Trend"])
    assert table[0] == ["Organisation", "2026"]


def test_codebook_lists_type_options_points_category_and_condition(workbook):
    codebook = by_first_column(workbook["Frågor"])
    assert codebook["Kod"][:6] == [
        "Kod",
        "Avsnitt",
        "Fråga",
        "Typ",
        "Obligatorisk",
        "Svarsalternativ (kod = text)",
    ]
    assert codebook["ORG_1"][3:5] == ["Ja/nej", "Ja"]
    assert codebook["ORG_1"][5] == "ja = Ja; nej = Nej"
    assert codebook["ORG_1"][7:9] == ["ja: 2", "Struktur"]
    assert codebook["ORG_2"][5] == "aldrig = Aldrig; ofta = Ofta"
    assert codebook["ORG_3"][6] == "ORG_3_polis, ORG_3_skola"
    assert codebook["ORG_7"][9] == "Visas om ORG_1 är lika med ja"


def test_activity_sheet_shows_status_indicator_and_gender_split(tmp_path):
    survey_round = activity_round()
    workbook = load_workbook(build(tmp_path, survey_round))
    assert "Aktiviteter" in workbook.sheetnames
    ws = workbook["Aktiviteter"]
    table = rows(ws)
    assert table[0][:6] == ["Målområde", "Insatsområde", "Aktivitet", "Organisation", "Roll", "Status"]
    social, kultur = table[1], table[2]  # per activity, the lead organisation first
    assert social[:10] == [
        "1 Minskad tillgång",
        "1.1 Tillsyn",
        "1.1.1 Kontrollköp",
        "Socialnämnden",
        "Ansvarig",
        "Delvis genomförd",
        "Antal utbildade",
        "personer",
        None,
        12,
    ]
    assert social[10:14] == [5, 6, 0, 1]
    assert social[14] == "=cmd|' /C calc'!A0" and ws.cell(2, 15).data_type == "s"
    assert kultur[3:6] == ["Kulturnämnden", "Samverkan", "Genomförd"]


def test_index_and_trend_say_so_when_nothing_is_computed(tmp_path):
    survey_round = activity_round()
    workbook = load_workbook(build(tmp_path, survey_round))
    assert rows(workbook["Index"])[1][0] == "Inget index är beräknat för omgången ännu."
    assert rows(workbook["Trend"])[1][0] == "Inga jämförbara indexresultat finns ännu."


def test_query_count_does_not_grow_with_organisations(tmp_path):
    small = index_round(organisations=3, year=2024)
    with CaptureQueriesContext(connection) as few:
        build(tmp_path, small["round"], chunk_size=10_000)
    large = index_round(organisations=40, year=2030, prefix="Stor ")
    with CaptureQueriesContext(connection) as many:
        build(tmp_path, large["round"], chunk_size=10_000)
    assert len(many) == len(few)
    assert len(many) <= 15, [q["sql"][:80] for q in many.captured_queries]


def test_progress_is_reported_in_steps_up_to_95(world, tmp_path):
    seen = []
    build(tmp_path, world["round"], progress=seen.append)
    assert seen == sorted(seen) and seen[0] == 5 and seen[-1] == 95 and len(seen) >= 3


def test_text_cell_rules():
    ws = Workbook(write_only=True).create_sheet("x")
    assert cells.text(ws, "vanlig text") == "vanlig text"
    assert cells.text(ws, "a\x00b\x1fc") == "abc"
    assert cells.text(ws, "#N/A").data_type == "s"
    assert len(cells.clean_text("x" * 40_000)) == 32_767
    aware = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
    assert cells.value(ws, aware) == datetime.datetime(2026, 1, 1, 13, 0)


def _overview_rows(workbook):
    return rows(workbook["Översikt"])


def test_text_over_excels_limit_is_cut_by_utf16_units_marked_and_listed(world, tmp_path):
    """20,000 emoji are 40,000 UTF-16 units: Excel would refuse the cell. The cut keeps whole emoji, ends
    with a visible mark and is listed in Översikt."""
    from surveys.models import Answer

    alfa = world["assignments"][0]
    Answer.objects.filter(response=alfa.response, question=world["questions"]["TXT_PLUS"]).update(
        value="😀" * 20_000
    )
    workbook = load_workbook(build(tmp_path, world["round"]))
    codes = [c.value for c in workbook["Svar"][1]]
    text = workbook["Svar"].cell(3, codes.index("TXT_PLUS") + 1).value
    assert len(text.encode("utf-16-le")) // 2 <= 32_767
    assert text.endswith("[…]") and text.startswith("😀")
    assert "\ud83d" not in text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")[-5:]
    text.encode("utf-8")  # no lone surrogate: it encodes
    listed = [r for r in _overview_rows(workbook) if r[0] in ("Svar", "Svar (lång)")]
    assert {r[0] for r in listed} == {"Svar", "Svar (lång)"}
    assert any(r[1] == f"{cells_letter(codes.index('TXT_PLUS') + 1)}3" and r[2] == "Alfa" for r in listed)


def cells_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def test_nothing_cut_says_so_in_the_overview(workbook):
    assert any(r[1] == "Ingen text har avkortats." for r in _overview_rows(workbook))


def test_cut_rule_never_splits_a_surrogate_pair():
    for prefix in ("", "a"):
        text = cells.clean_text(prefix + "😀" * 20_000)
        assert cells.utf16_units(text) <= cells.EXCEL_MAX_TEXT and cells.is_cut(text)
        text.encode("utf-8")
    assert cells.clean_text("x" * 32_767) == "x" * 32_767  # exactly at the limit: untouched
    assert cells.is_cut(cells.clean_text("x" * 32_768))


def test_a_questionnaire_wider_than_excel_continues_on_more_svar_sheets(world, tmp_path):
    workbook = load_workbook(build(tmp_path, world["round"], max_columns=12))
    wide = [n for n in workbook.sheetnames if n == "Svar" or n.startswith("Svar ") and "lång" not in n]
    assert wide[:2] == ["Svar", "Svar 2"]
    all_codes = []
    for name in wide:
        head = [c.value for c in workbook[name][1]]
        assert len(head) <= 12 and head[:2] == ["Organisation", "Status"]
        assert [r[0] for r in rows(workbook[name])[2:]] == ["Alfa", "Beta", "Gamma"]
        all_codes += head[5:]
    single = load_workbook(build(tmp_path, world["round"]))
    assert all_codes == [c.value for c in single["Svar"][1]][5:]


def test_more_than_16384_answer_columns_do_not_break_the_workbook(world, tmp_path):
    from surveys.models import Option

    question = world["questions"]["ORG_3"]
    Option.objects.bulk_create(
        Option(question=question, order=10 + i, code=f"o{i}", label=f"Alternativ {i}") for i in range(16_400)
    )
    workbook = load_workbook(build(tmp_path, world["round"]), read_only=True)
    assert "Svar 2" in workbook.sheetnames
    first = next(workbook["Svar"].iter_rows(max_row=1, values_only=True))
    second = next(workbook["Svar 2"].iter_rows(max_row=1, values_only=True))
    assert len(first) == 16_384 and second[0] == "Organisation"


def test_figures_counts_and_dates_have_their_formats(workbook):
    index = workbook["Index"]
    assert index["D2"].number_format == "0.0" and index["B2"].number_format == "0.0"
    overview = {r[0].value: r[1] for r in workbook["Översikt"].iter_rows() if r[0].value}
    assert overview["Mottagare"].number_format == "#,##0"
    assert overview["Svar i Svar-bladen"].number_format == "#,##0"
    assert overview["Sista svarsdag"].is_date
    svar = workbook["Svar"]
    codes = [c.value for c in svar[1]]
    assert svar.cell(3, codes.index("ORG_4") + 1).number_format == "#,##0"
    assert svar.cell(3, codes.index("ORG_6") + 1).is_date
    assert svar.cell(3, codes.index("Sista svarsdag") + 1).is_date


def test_column_widths_fit_their_headings(workbook):
    for name in ("Index", "Svar (lång)", "Frågor", "Trend"):
        ws = workbook[name]
        for cell in ws[1]:
            if cell.value:
                width = ws.column_dimensions[cell.column_letter].width
                assert width >= min(len(str(cell.value)), 55), (name, cell.value, width)


def test_every_sheet_prints_landscape_fitted_to_width_with_headings_repeated(workbook):
    for ws in workbook:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.print_title_rows and ws.print_title_rows.startswith("$1:$"), ws.title
    assert workbook["Svar"].print_title_rows == "$1:$2"


def test_activity_targets_that_are_numbers_are_numbers(tmp_path):
    from surveys.models import Indicator

    survey_round = activity_round()
    Indicator.objects.update(target="1 200")
    ws = load_workbook(build(tmp_path, survey_round))["Aktiviteter"]
    head = [c.value for c in ws[1]]
    target = ws.cell(2, head.index("Mål") + 1)
    assert target.value == 1200 and target.number_format == "#,##0"
    Indicator.objects.update(target="öka")
    ws = load_workbook(build(tmp_path, survey_round))["Aktiviteter"]
    assert ws.cell(2, head.index("Mål") + 1).value == "öka"


def _chart_xml(path):
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")}


def test_index_chart_labels_every_organisation(tmp_path):
    world = index_round(organisations=14)
    path = build(tmp_path, world["round"])
    bar = next(x for x in _chart_xml(path).values() if "barChart" in x)
    assert '<tickLblSkip val="1"' in bar
    assert bar.count('<delete val="0"') == 2  # both axes drawn
    ws = load_workbook(path)["Index"]
    assert ws._charts[0].height >= 0.5 * 2  # grows with the number of organisations


def test_trend_chart_draws_lines_with_markers(world, tmp_path):
    line = next(x for x in _chart_xml(build(tmp_path, world["round"])).values() if "lineChart" in x)
    assert '<symbol val="circle"' in line and '<delete val="0"' in line
    assert "<a:ln" in line


def test_trend_with_fewer_than_two_comparable_rounds_says_so_and_draws_no_chart(world, tmp_path):
    world["round"].version.comparable_with.clear()
    ws = load_workbook(build(tmp_path, world["round"]))["Trend"]
    assert not ws._charts
    assert any(r[0] and "färre än två jämförbara omgångar" in r[0] for r in rows(ws))
