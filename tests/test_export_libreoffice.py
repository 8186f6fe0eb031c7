"""The demo round's workbook opens in LibreOffice Calc (Debian's package, as a user's office suite would
open it): every sheet converts to CSV and shows the answers, hostile text as text. Needs `libreoffice`
(make browser-deps); skipped locally without it, a failure in CI."""

import csv
import shutil
import subprocess

import pytest

from exports.workbook import build_round_workbook
from surveys.models import Answer, IndexResult, QuestionType
from tests.conftest import IN_CI

pytestmark = [pytest.mark.office, pytest.mark.django_db]
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture
def libreoffice():
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if not found:
        if IN_CI:
            pytest.fail("LibreOffice is required in CI (make browser-deps installs libreoffice-calc)")
        pytest.skip("libreoffice not installed (make browser-deps)")
    return found


@pytest.fixture
def pdf_reader():
    """pypdf's PdfReader: installed with the browser extras (make browser-deps), like LibreOffice."""
    try:
        from pypdf import PdfReader
    except ImportError:
        if IN_CI:
            pytest.fail("pypdf is required in CI (make browser-deps installs the browser extras)")
        pytest.skip("pypdf not installed (make browser-deps)")
    return PdfReader


def read_csv(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_demo_workbook_opens_in_libreoffice_with_its_values(libreoffice, demo, tmp_path):
    survey_round = demo["last_round"]
    assert IndexResult.objects.filter(assignment__round=survey_round).count() == 12, "the demo's index"
    hostile = Answer.objects.filter(
        response__assignment__round=survey_round, question__type=QuestionType.TEXT
    ).order_by("response__assignment__organisation__name", "question__order")[:2]
    first, second = list(hostile)
    first.value, second.value = "=1+1", "@SUM(1)"
    first.save()
    second.save()
    workbook = build_round_workbook(survey_round.pk, tmp_path / "demo.xlsx", generated_by="slk")

    result = subprocess.run(
        [
            libreoffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            ALL_SHEETS_CSV,
            "--outdir",
            str(tmp_path / "out"),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    sheets = {p.stem.removeprefix("demo-"): p for p in (tmp_path / "out").glob("*.csv")}
    assert {"Översikt", "Svar", "Svar (lång)", "Index", "Trend", "Frågor"} <= set(sheets)

    wide = read_csv(sheets["Svar"])
    assert wide[0][:6] == [
        "Organisation",
        "Status",
        "Inskickad",
        "Sista svarsdag",
        "Från förra året, ej bekräftat",
        "ORG_1",
    ]
    organisations = [row[0] for row in wide[2:]]
    assert len(organisations) == 12 and "Bromma" in organisations
    cells = {value for row in wide for value in row}
    assert {"=1+1", "@SUM(1)"} <= cells, "hostile answers must stay text, not be computed"
    overview = {row[0]: row[1] for row in read_csv(sheets["Översikt"]) if row and row[0]}
    assert overview["Mottagare"] == "12" and overview["Skapad av"] == "slk"
    index = read_csv(sheets["Index"])
    top = IndexResult.objects.select_related("assignment__organisation").get(
        assignment__round=survey_round, rank=1
    )
    row = next(r for r in index if r and r[0] == top.assignment.organisation.name)
    assert row[-2] == "1" and round(float(row[-3]), 1) == round(float(top.scaled), 1)
    long = read_csv(sheets["Svar (lång)"])
    assert long[0][0] == "Organisation" and len(long) > 100


def _convert(libreoffice, tmp_path, workbook, target):
    result = subprocess.run(
        [
            libreoffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path / "out"),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


def test_demo_workbook_prints_the_index_sheet_on_one_page(libreoffice, pdf_reader, demo, tmp_path):
    """Printed (to PDF, as LibreOffice prints it), every page carries its sheet's name in the header:
    the demo round's Index sheet, table and chart, is one landscape page, and no sheet is printed as a
    column of narrow strips (the 2025 workbook printed as 104 pages)."""
    workbook = build_round_workbook(demo["last_round"].pk, tmp_path / "demo.xlsx", generated_by="slk")
    out = _convert(libreoffice, tmp_path, workbook, "pdf")
    reader = pdf_reader(str(out / "demo.pdf"))
    pages_per_sheet = {}
    for page in reader.pages:
        text = page.extract_text() or ""
        sheet = next(
            (line.split("Blad: ", 1)[1].strip() for line in text.splitlines() if "Blad: " in line), None
        )
        pages_per_sheet[sheet] = pages_per_sheet.get(sheet, 0) + 1
        assert page.mediabox.width > page.mediabox.height, f"{sheet} is printed in landscape"
    assert pages_per_sheet.get("Index") == 1, pages_per_sheet
    assert None not in pages_per_sheet, "every printed page names its sheet in the header"
    assert {"Översikt", "Svar", "Svar (lång)", "Trend", "Frågor"} <= set(pages_per_sheet)
    assert pages_per_sheet["Svar"] <= 3, "the wide sheet is fitted to the page width"
