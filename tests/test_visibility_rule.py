"""One visibility rule: an answer kept under a parent whose condition no longer holds (the activity turned
"ej aktuell" after the indicator was filled in) counts nowhere — not in the receipt, not in the activity
report, not in what a reminder says is left, not in the index."""

import pytest
from django.core.cache import cache

from surveys.models import Contact, Response
from surveys.selectors_results import activity_report
from surveys.services import responses
from surveys.services.activity_reports import generate_activity_version
from surveys.services.outbox import _required_left
from surveys.services.tokens import issue_token
from surveys.views import GUESS_KEY
from surveys.visibility import (
    deciding_question_ids,
    hidden_answer_ids,
    visible_answers,
    visible_question_ids,
)
from tests import factories
from tests.scoring_helpers import make_round, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead = factories.OrganisationFactory(name="Socialnämnden")
    partner = factories.OrganisationFactory(name="Kulturnämnden")
    activity = factories.ActivityFactory(number="1.1", title="Utbildning", lead=lead)
    activity.co_responsible.add(partner)
    factories.IndicatorFactory(activity=activity, text="Antal utbildad personal")
    version = generate_activity_version(activity.goal_area.programme)
    survey_round = make_round(version)
    done = submitted(survey_round, {"A1_1_STATUS": "genomford", "A1_1_IND1": 40}, organisation=lead)
    # Filled in the number, then found the activity was not relevant this year: the number stays stored.
    not_relevant = submitted(
        survey_round, {"A1_1_STATUS": "ej_aktuell", "A1_1_IND1": 262}, organisation=partner
    )
    return {"round": survey_round, "done": done, "not_relevant": not_relevant, "version": version}


def test_rule_takes_plain_data(world):
    questions = list(world["version"].questions.order_by("section__order", "order"))
    ids = {q.code: q.pk for q in questions}
    answers = {ids["A1_1_STATUS"]: "ej_aktuell", ids["A1_1_IND1"]: 262}
    assert ids["A1_1_IND1"] not in visible_question_ids(questions, answers)
    assert visible_answers(questions, answers) == {ids["A1_1_STATUS"]: "ej_aktuell"}
    assert hidden_answer_ids(questions, answers) == {ids["A1_1_IND1"]}
    # to tell whether the indicator is shown, its own answer and the status it hangs on are read
    assert deciding_question_ids(questions, [ids["A1_1_IND1"]]) == {ids["A1_1_IND1"], ids["A1_1_STATUS"]}


def test_activity_report_leaves_out_indicator_values_under_ej_aktuell(world):
    report = activity_report(world["round"])
    (indicator,) = report["activities"][0]["indicators"]
    assert indicator["total"] == 40.0
    assert indicator["reported_by"] == 1


def test_receipt_leaves_out_the_hidden_answer(client, world):
    cache.delete(GUESS_KEY.format("127.0.0.1"))
    assignment = world["not_relevant"]
    contact = Contact.objects.create(organisation=assignment.organisation, name="Kim", email="kim@example.se")
    client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/")
    html = client.get(f"/enkat/{assignment.pk}/kvitto/").content.decode()
    assert "Ej aktuell" in html
    assert "262" not in html and "Antal utbildad personal" not in html


def test_hidden_answer_is_neither_missing_nor_counted_for_reminders(world):
    assignment = world["not_relevant"]
    response = Response.objects.get(assignment=assignment)
    questionnaire = responses.load_questionnaire(response)
    assert responses.missing_required(questionnaire) == []
    assert _required_left(assignment) == 0
