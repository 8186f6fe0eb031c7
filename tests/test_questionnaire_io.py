"""The questionnaire workbook: export → import is exact; a broken file lists every error and writes nothing."""

import io

import openpyxl
import pytest

from exports import questionnaire_workbook
from exports.xlsx_safety import UnsafeWorkbook
from surveys.models import Question, QuestionnaireVersion
from surveys.services.questionnaires import export_version, import_questionnaire, version_snapshot
from tests import factories

pytestmark = pytest.mark.django_db


def workbook(sheets):
    """{sheet: [header, row, ...]} → xlsx bytes."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_pi_mini_v2_round_trip_is_exact(demo):
    source = demo["pi_v2"]
    content = export_version(source)
    report = import_questionnaire(upload=content, questionnaire=source.questionnaire)
    assert report.ok, [str(e) for e in report.errors]
    copy = report.version
    assert copy.number == 3 and copy.frozen_at is None
    assert version_snapshot(copy) == version_snapshot(source)
    snapshot = version_snapshot(copy)
    assert len(snapshot[questionnaire_workbook.RULES]) > 20 and any(
        r["threshold"] is not None for r in snapshot[questionnaire_workbook.RULES]
    )
    assert any(q["condition_question"] for q in snapshot[questionnaire_workbook.QUESTIONS])
    categories = {c["code"]: c for c in snapshot[questionnaire_workbook.CATEGORIES]}
    assert any(c["parent"] for c in categories.values())


def test_activity_questionnaire_round_trip_keeps_links_to_the_plan(demo):
    source = demo["activity_version"]
    report = import_questionnaire(upload=export_version(source), questionnaire=source.questionnaire)
    assert report.ok, [str(e) for e in report.errors]
    assert version_snapshot(report.version) == version_snapshot(source)
    linked = Question.objects.filter(version=report.version, indicator__isnull=False)
    assert linked.exists() and all(q.activity_id == q.indicator.activity_id for q in linked)


def test_texts_that_look_like_formulas_and_decimals_survive(db):
    version = factories.VersionFactory(label="=1+1 är text")
    section = factories.SectionFactory(version=version, title="-Avsnitt", description="+beskrivning\nrad två")
    q = factories.QuestionFactory(
        section=section,
        code="Q1",
        type="decimal",
        text="=SUM(A1:A3)",
        help_text="@hjälp",
        min_value="0.25",
        max_value="99.5",
    )
    scheme = factories.ScoringSchemeFactory(version=version, name="Test", scale_to="55.5")
    category = factories.ScoringCategoryFactory(scheme=scheme, code="total", cap="12.5")
    factories.ScoringRuleFactory(
        scheme=scheme, category=category, question=q, option_code="", min_value="1.5", points="0.25"
    )
    report = import_questionnaire(upload=export_version(version), questionnaire=version.questionnaire)
    assert report.ok, [str(e) for e in report.errors]
    assert version_snapshot(report.version) == version_snapshot(version)
    assert report.version.questions.get().text == "=SUM(A1:A3)"


BROKEN = {
    questionnaire_workbook.QUESTIONS: [
        [
            "Kod",
            "Avsnitt",
            "Typ",
            "Fråga",
            "Obligatorisk",
            "Villkor fråga",
            "Villkor operator",
            "Villkor värde",
            "Min",
            "Max",
        ],
        ["Q1", "A", "yes_no", "Finns en plan?", "Ja", None, None, None, None, None],
        ["Q2", "A", "slider", "Hur bra?", "Nej", None, None, None, None, None],  # 3: unknown type
        ["Q1", "A", "text", "Igen", "Nej", None, None, None, None, None],  # 4: duplicate code
        ["Q3", "A", "integer", "Antal", "Nej", "Q4", "equals", "ja", 10, 5],  # 5: later question, min > max
        ["Q4", "A", "single", "Vilken?", "kanske", "Q9", "equals", "x", None, None],  # 6: yes/no, unknown q
        ["Q5", "A", "text", "Om ja", "Nej", "Q1", "equals", "kanske", None, None],  # 7: bad value for yes_no
        ["Q6", "A", "text", "Själv", "Nej", "Q6", "answered", None, None, None],  # 8: condition on itself
    ],
    questionnaire_workbook.OPTIONS: [
        ["Fråga", "Kod", "Text"],
        ["Q4", "a", "Alternativ A"],
        ["Q4", "a", "Dubblett"],  # 3: duplicate option
        ["Q8", "b", "Okänd fråga"],  # 4: unknown question
    ],
    questionnaire_workbook.RULES: [
        ["Fråga", "Svarskod", "Från värde", "Poäng", "Kategori"],
        ["Q1", "ja", None, 1, "total"],
        ["Q4", "zz", None, 1, "total"],  # 3: points on a missing option
        ["Q1", "nej", None, "mycket", "saknas"],  # 4: points not a number, unknown category
    ],
    questionnaire_workbook.CATEGORIES: [
        ["Kod", "Namn", "Överordnad", "Tak"],
        ["total", "Totalt", "ingen", -1],
    ],  # 2: parent, cap
}


def test_broken_workbook_lists_every_error_and_creates_nothing(db):
    questionnaire = factories.QuestionnaireFactory()
    report = import_questionnaire(upload=workbook(BROKEN), questionnaire=questionnaire)
    assert not report.ok and report.version is None
    assert [str(e) for e in report.errors] == [
        'Blad Frågor, rad 3, kolumn C (Typ): Okänd frågetyp "slider".',
        "Blad Frågor, rad 4, kolumn A (Kod): Koden Q1 finns redan på rad 2.",
        "Blad Frågor, rad 5, kolumn J (Max): Max är mindre än Min.",
        "Blad Frågor, rad 5, kolumn F (Villkor fråga): Villkoret gäller frågan Q4 som kommer senare; ett villkor "
        "får bara gälla en tidigare fråga.",
        "Blad Frågor, rad 6, kolumn E (Obligatorisk): Skriv Ja eller Nej.",
        "Blad Frågor, rad 6, kolumn F (Villkor fråga): Villkoret gäller en okänd fråga (Q9).",
        "Blad Frågor, rad 7, kolumn H (Villkor värde): Frågan Q1 har svarskoderna ja, nej.",
        "Blad Frågor, rad 8, kolumn F (Villkor fråga): Villkoret kan inte gälla frågan själv.",
        "Blad Svarsalternativ, rad 3, kolumn B (Kod): Svarskoden a finns redan för frågan Q4.",
        "Blad Svarsalternativ, rad 4, kolumn A (Fråga): Okänd fråga (Q8).",
        "Blad Poängkategorier, rad 2, kolumn D (Tak): Talet får inte vara mindre än 0.",
        "Blad Poängkategorier, rad 2, kolumn C (Överordnad): Okänd överordnad kategori (ingen).",
        "Blad Poäng, rad 3, kolumn B (Svarskod): Frågan Q4 har inget svarsalternativ zz.",
        "Blad Poäng, rad 4, kolumn D (Poäng): Skriv ett tal.",
        "Blad Poäng, rad 4, kolumn E (Kategori): Okänd kategori (saknas); lägg den på bladet Poängkategorier.",
    ]
    assert not QuestionnaireVersion.objects.exists()


def test_a_workbook_without_the_questions_sheet_is_refused(db):
    report = import_questionnaire(
        upload=workbook({"Blad1": [["x"]]}), questionnaire=factories.QuestionnaireFactory()
    )
    assert [str(e) for e in report.errors] == ["Blad Frågor: Bladet Frågor saknas."]


def test_choice_question_without_options_and_threshold_on_text_are_errors(db):
    sheets = {
        questionnaire_workbook.QUESTIONS: [
            ["Kod", "Typ", "Fråga"],
            ["Q1", "single", "Vilken?"],
            ["Q2", "text", "Beskriv"],
        ],
        questionnaire_workbook.RULES: [
            ["Fråga", "Svarskod", "Från värde", "Poäng", "Kategori"],
            ["Q2", None, 3, 1, "t"],
        ],
        questionnaire_workbook.CATEGORIES: [["Kod", "Namn"], ["t", "Totalt"]],
    }
    report = import_questionnaire(upload=workbook(sheets), questionnaire=factories.QuestionnaireFactory())
    assert [str(e) for e in report.errors] == [
        "Blad Frågor, rad 2, kolumn B (Typ): Frågan saknar svarsalternativ (bladet Svarsalternativ).",
        "Blad Poäng, rad 2, kolumn C (Från värde): Frågan Q2 är ingen sifferfråga; ange Svarskod.",
    ]


def test_template_imports_as_a_version_with_swedish_type_names_accepted(db):
    questionnaire = factories.QuestionnaireFactory()
    report = import_questionnaire(
        upload=questionnaire_workbook.template(), questionnaire=questionnaire, label="Från mallen"
    )
    assert report.ok, [str(e) for e in report.errors]
    version = report.version
    assert version.label == "Från mallen" and version.number == 1
    assert version.scoring.categories.get(code="struktur").parent.code == "total"
    sheets = {
        questionnaire_workbook.QUESTIONS: [
            ["Kod", "Typ", "Fråga"],
            ["Q1", "Ja/nej", "Finns?"],
            ["Q2", "Fritext", "Vad?"],
        ]
    }
    second = import_questionnaire(upload=workbook(sheets), questionnaire=questionnaire)
    assert second.ok and [q.type for q in second.version.questions.order_by("order")] == ["yes_no", "text"]
    assert second.version.number == 2


def test_hostile_file_is_refused_before_parsing(db):
    with pytest.raises(UnsafeWorkbook):
        import_questionnaire(upload=b"PK\x03\x04 not really", questionnaire=factories.QuestionnaireFactory())


def test_export_query_count_does_not_grow_with_questions(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        export_version(demo["pi_v2"])


# --- over the API ---------------------------------------------------------------------------------


def named(content):
    handle = io.BytesIO(content)
    handle.name = "enkat.xlsx"
    return handle


def test_api_export_check_and_import(api, demo):
    version = demo["pi_v2"]
    exported = api.get(f"/api/questionnaire-versions/{version.pk}/workbook/")
    assert exported.status_code == 200 and exported["Content-Disposition"].endswith('-v2.xlsx"')
    data = {"file": named(exported.content), "questionnaire": version.questionnaire_id}
    check = api.post("/api/questionnaire-versions/check/", data)
    assert check.status_code == 200 and check.json()["applied"] is False
    count = QuestionnaireVersion.objects.count()
    data["file"] = named(exported.content)
    created = api.post("/api/questionnaire-versions/import/", data)
    assert created.status_code == 201, created.json()
    assert QuestionnaireVersion.objects.count() == count + 1
    assert api.get("/api/questionnaire-versions/template/").status_code == 200


def test_api_broken_workbook_gives_400_with_places(api, db):
    questionnaire = factories.QuestionnaireFactory()
    response = api.post(
        "/api/questionnaire-versions/import/",
        {"file": named(workbook(BROKEN)), "questionnaire": questionnaire.pk},
    )
    assert response.status_code == 400
    first = response.json()["errors"][0]
    assert (first["sheet"], first["row"], first["column"]) == ("Frågor", 3, "C (Typ)")


def test_api_refuses_a_word_document_and_readers_cannot_import(api, reader, db):
    import zipfile

    from rest_framework.test import APIClient

    questionnaire = factories.QuestionnaireFactory()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    response = api.post(
        "/api/questionnaire-versions/import/",
        {"file": named(out.getvalue()), "questionnaire": questionnaire.pk},
    )
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["message"]
        == "Filen är ett Word-dokument, inte en Excel-arbetsbok (.xlsx)."
    )
    client = APIClient()
    client.force_authenticate(reader)
    denied = client.post(
        "/api/questionnaire-versions/import/",
        {"file": named(questionnaire_workbook.template()), "questionnaire": questionnaire.pk},
    )
    assert denied.status_code == 403 and not QuestionnaireVersion.objects.exists()
