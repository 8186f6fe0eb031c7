"""The activity report (the API's sums) counts the answers the one visibility rule shows, as the
workbook's *Aktiviteter* sheet does: a figure kept under a hidden parent — the activity turned
"ej aktuell", or a screening question answered "Nej" above the whole plan — changes neither the sum,
the gender split nor the number of organisations that reported."""

import pytest
from openpyxl import load_workbook

from exports.workbook import build_round_workbook
from surveys.models import Question, QuestionType, Section
from surveys.selectors_results import activity_report
from surveys.services.activity_reports import generate_activity_version
from tests import factories
from tests.scoring_helpers import make_round, submitted

pytestmark = pytest.mark.django_db

PARTS = ("flickor", "pojkar", "kvinnor", "man")


@pytest.fixture
def world():
    names = ("Socialnämnden", "Kulturnämnden", "Idrottsnämnden", "Fritidsnämnden")
    lead, *partners = (factories.OrganisationFactory(name=n) for n in names)
    activity = factories.ActivityFactory(number="1.1", title="Föräldrastöd", lead=lead)
    activity.co_responsible.add(*partners)
    factories.IndicatorFactory(activity=activity, text="Antal föräldrar", gender_split=True)
    version = generate_activity_version(activity.goal_area.programme)
    # A screening question before the plan (not an activity question): "Nej" hides the activity's status,
    # and with it, through the chain, its indicator.
    screen = Question.objects.create(
        version=version,
        section=Section.objects.create(version=version, order=0, title="Inledning"),
        code="ARBETE",
        type=QuestionType.YES_NO,
        text="Har nämnden arbetat med planen i år?",
        order=1,
    )
    Question.objects.filter(version=version, code="A1_1_STATUS").update(
        condition_question=screen,
        condition_operator=Question.ConditionOperator.EQUALS,
        condition_value="ja",
    )
    survey_round = make_round(version)
    split = {"flickor": 10, "pojkar": 5, "kvinnor": 20, "man": 5, "total": 40}
    submitted(
        survey_round,
        {"ARBETE": "ja", "A1_1_STATUS": "genomford", "A1_1_IND1": split},
        organisation=lead,
    )
    hidden = {"flickor": 100, "pojkar": 100, "kvinnor": 31, "man": 31, "total": 262}
    # Filled in, then the activity turned out not to be relevant: the figure stays stored, hidden.
    submitted(
        survey_round,
        {"ARBETE": "ja", "A1_1_STATUS": "ej_aktuell", "A1_1_IND1": hidden},
        organisation=partners[0],
    )
    # Filled in, then "Nej" to the screening question: status and figure stay stored, both hidden.
    submitted(
        survey_round,
        {"ARBETE": "nej", "A1_1_STATUS": "genomford", "A1_1_IND1": hidden},
        organisation=partners[1],
    )
    # Answered "ja" but never reported the activity: nothing to count.
    submitted(survey_round, {"ARBETE": "ja"}, organisation=partners[2])
    return survey_round


def _aktiviteter(survey_round, tmp_path):
    """{organisation: (status, [total, flickor, pojkar, kvinnor, män])} of the Aktiviteter sheet."""
    ws = load_workbook(build_round_workbook(survey_round.pk, tmp_path / "wb.xlsx"))["Aktiviteter"]
    table = [[c.value for c in row] for row in ws.iter_rows()]
    at = {heading: i for i, heading in enumerate(table[0])}
    figures = ["Värde / totalt", "Flickor", "Pojkar", "Kvinnor", "Män"]
    return {
        row[at["Organisation"]]: (row[at["Status"]], [row[at[h]] for h in figures])
        for row in table[1:]
        if row[0]
    }


def test_hidden_figures_count_nowhere_in_the_activity_report(world):
    (row,) = activity_report(world)["activities"]
    (indicator,) = row["indicators"]
    assert indicator["total"] == 40.0  # never the 262 kept under "ej aktuell" or under "Nej"
    assert indicator["gender"] == {"flickor": 10.0, "pojkar": 5.0, "kvinnor": 20.0, "man": 5.0}
    assert indicator["reported_by"] == 1
    assert row["responsible"] == 4
    assert row["status"]["genomford"]["count"] == 1  # the hidden "genomförd" under "Nej" is not counted
    assert row["status"]["ej_aktuell"]["count"] == 1
    assert row["not_reported"] == 2


def test_activity_report_sums_what_the_workbook_shows(world, tmp_path):
    sheet = _aktiviteter(world, tmp_path)
    assert "Idrottsnämnden" not in sheet  # "Nej": its activity answers are hidden, so not printed
    (row,) = activity_report(world)["activities"]
    (indicator,) = row["indicators"]
    printed = [figures for _, figures in sheet.values() if figures[0] is not None]
    assert indicator["total"] == sum(figures[0] for figures in printed)
    assert [indicator["gender"][part] for part in PARTS] == [
        sum(figures[i] or 0 for figures in printed) for i in range(1, 5)
    ]
    assert indicator["reported_by"] == len(printed)
    statuses = [status for status, _ in sheet.values() if status]
    assert row["status"]["genomford"]["count"] == statuses.count("Genomförd")
    assert row["status"]["ej_aktuell"]["count"] == statuses.count("Ej aktuell")
