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
