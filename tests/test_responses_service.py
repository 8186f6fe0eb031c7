"""Answering: every question type's validation, versioned saves between colleagues, submit once, prefill."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from surveys.models import Answer, QuestionType, Response, ResponseRevision, SurveyRound
from surveys.services import responses
from tests import factories

pytestmark = pytest.mark.django_db


def q(type, **kwargs):
    return factories.QuestionFactory(type=type, **kwargs)


def error_of(question, raw):
    with pytest.raises(responses.AnswerError) as caught:
        responses.clean_value(question, raw)
    return caught.value.message


# -- validation per type ---------------------------------------------------------------------------


def test_yes_no_accepts_ja_nej_and_refuses_anything_else():
    question = q(QuestionType.YES_NO)
    assert responses.clean_value(question, "ja") == "ja"
    assert responses.clean_value(question, "") is None
    assert error_of(question, "kanske") == "Välj ett av alternativen."


def test_single_choice_accepts_only_its_options():
    option = factories.OptionFactory(code="ofta")
    assert responses.clean_value(option.question, "ofta") == "ofta"
    assert "alternativen" in error_of(option.question, "aldrig")


def test_multiple_choice_keeps_option_order_and_refuses_unknown_codes():
    question = q(QuestionType.MULTIPLE)
    factories.OptionFactory(question=question, code="a", order=1)
    factories.OptionFactory(question=question, code="b", order=2)
    assert responses.clean_value(question, ["b", "a"]) == ["a", "b"]
    assert responses.clean_value(question, []) is None
    assert error_of(question, ["a", "x"]) == "Välj bland alternativen som finns."


def test_integer_reads_swedish_spacing_and_checks_range():
    question = q(QuestionType.INTEGER, min_value=0, max_value=5000)
    assert responses.clean_value(question, "1 200") == 1200
    assert error_of(question, "12,5") == "Ange ett heltal utan decimaler."
    assert error_of(question, "tolv") == "Ange ett heltal, till exempel 12."
    assert error_of(question, "-1") == "Värdet får inte vara mindre än 0."
    assert error_of(question, "5001") == "Värdet får inte vara större än 5000."


def test_decimal_reads_decimal_comma_and_checks_range():
    question = q(QuestionType.DECIMAL, min_value=0, max_value="99.5")
    assert responses.clean_value(question, "12,5") == 12.5
    assert error_of(question, "100") == "Värdet får inte vara större än 99,5."
    assert error_of(question, "12.5.1") == "Ange ett tal, till exempel 12,5."


def test_text_is_limited_in_length():
    question = q(QuestionType.TEXT, max_length=10)
    assert responses.clean_value(question, "  kort  ") == "kort"
    assert error_of(question, "x" * 11) == "Texten får vara högst 10 tecken lång (nu 11 tecken)."


def test_date_must_be_a_real_date():
    question = q(QuestionType.DATE)
    assert responses.clean_value(question, "2026-03-15") == "2026-03-15"
    assert "ÅÅÅÅ-MM-DD" in error_of(question, "2026-02-30")


def test_activity_status_accepts_the_four_statuses():
    question = q(QuestionType.ACTIVITY_STATUS)
    assert responses.clean_value(question, "delvis") == "delvis"
    assert error_of(question, "klar") == "Välj ett av alternativen."


def test_breakdown_total_must_equal_the_parts_when_all_are_given():
    question = q(QuestionType.BREAKDOWN)
    parts = {"flickor": "1", "pojkar": "2", "kvinnor": "3", "man": "4"}
    assert responses.clean_value(question, {**parts, "total": "10"})["total"] == 10
    assert responses.clean_value(question, {"flickor": "5", "total": "7"}) == {"flickor": 5, "total": 7}
    assert error_of(question, {**parts, "total": "11"}) == "Totalt (11) ska vara summan av delarna (10)."
    assert error_of(question, {"flickor": "-1"}) == "Antalet får inte vara negativt."
    assert responses.clean_value(question, {"flickor": "", "total": ""}) is None


# -- saving with versions --------------------------------------------------------------------------


@pytest.fixture
def world():
    assignment = factories.AssignmentFactory()
    version = assignment.round.version
    section = factories.SectionFactory(version=version, order=1)
    questions = [factories.QuestionFactory(section=section, code=f"Q{i}", order=i) for i in range(1, 4)]
    alice = factories.ContactFactory(organisation=assignment.organisation, name="Alice")
    bob = factories.ContactFactory(organisation=assignment.organisation, name="Bob")
    return assignment.response, questions, alice, bob


def stored(response):
    return {
        a.question.code: a.value for a in Answer.objects.filter(response=response).select_related("question")
    }


def test_two_colleagues_editing_the_same_response_lose_nothing(world):
    response, (q1, q2, q3), alice, bob = world
    # Both load version 0. Alice saves q1 and q2; Bob, still on version 0, saves q1 differently and q3.
    responses.save_answers(
        response=response, values={q1: "ja", q2: "ja", q3: None}, base_version=0, contact=alice
    )
    result = responses.save_answers(
        response=response, values={q1: "nej", q2: None, q3: "nej"}, base_version=0, contact=bob
    )
    # Bob's q3 is saved; Alice's q2 is not wiped by Bob's untouched field; q1 is a visible conflict.
    assert stored(response) == {"Q1": "ja", "Q2": "ja", "Q3": "nej"}
    assert [(c.question.code, c.theirs, c.mine) for c in result.conflicts] == [("Q1", "ja", "nej")]
    # Bob sees both values and chooses his own, based on the version he now has.
    responses.save_answers(response=response, values={q1: "nej"}, base_version=result.version, contact=bob)
    assert stored(response)["Q1"] == "nej"
    revisions = list(
        ResponseRevision.objects.filter(response=response).values_list("contact__name", "changes")
    )
    assert revisions[0] == ("Alice", {"Q1": {"from": None, "to": "ja"}, "Q2": {"from": None, "to": "ja"}})
    assert revisions[-1] == ("Bob", {"Q1": {"from": "ja", "to": "nej"}})


def test_saving_the_same_values_again_makes_no_new_version(world):
    response, (q1, *_), alice, _ = world
    first = responses.save_answers(response=response, values={q1: "ja"}, base_version=0, contact=alice)
    again = responses.save_answers(
        response=response, values={q1: "ja"}, base_version=first.version, contact=alice
    )
    assert first.version == again.version == 1 and again.changed == []


def test_submitted_response_cannot_be_changed(world):
    response, (q1, q2, q3), alice, _ = world
    responses.save_answers(response=response, values={q1: "ja", q2: "ja", q3: "ja"}, base_version=0)
    responses.submit_response(response=response, contact=alice)
    with pytest.raises(responses.ResponseLocked):
        responses.save_answers(response=response, values={q1: "nej"}, base_version=response.version)


def test_drafts_can_be_saved_in_the_grace_period_but_not_after(world):
    response, (q1, *_), _, _ = world
    survey_round = response.assignment.round
    survey_round.grace_hours = 24
    survey_round.save()
    deadline = survey_round.deadline
    responses.save_answers(
        response=response, values={q1: "ja"}, base_version=0, now=deadline + timedelta(hours=23)
    )
    with pytest.raises(responses.ResponseLocked):
        responses.save_answers(
            response=response, values={q1: "nej"}, base_version=1, now=deadline + timedelta(hours=25)
        )


# -- submitting ------------------------------------------------------------------------------------


def test_submit_lists_missing_required_but_not_hidden_questions(world):
    response, (q1, q2, q3), alice, _ = world
    Q = type(q1)
    q1.required = q2.required = q3.required = True
    q1.save(), q2.save()
    q3.condition_question, q3.condition_operator, q3.condition_value = q1, Q.ConditionOperator.EQUALS, "ja"
    q3.save()
    responses.save_answers(response=response, values={q1: "nej"}, base_version=0)
    with pytest.raises(responses.SubmitRefused) as refused:
        responses.submit_response(response=response, contact=alice)
    assert [q.code for q in refused.value.missing] == ["Q2"]  # Q3 is hidden: never missing
    responses.save_answers(response=response, values={q2: "ja", q3: "ja"}, base_version=1)
    assert responses.submit_response(response=response, contact=alice) is True


def test_double_submit_makes_one_submission(world):
    response, (q1, q2, q3), alice, bob = world
    with mock.patch("surveys.events.response_submitted") as event:
        assert responses.submit_response(response=response, contact=alice) is True
        assert responses.submit_response(response=Response.objects.get(pk=response.pk), contact=bob) is False
    assert event.call_count == 1
    response.refresh_from_db()
    assert response.state == Response.State.SUBMITTED and response.submitted_by == alice
    assert ResponseRevision.objects.filter(response=response, action="submit").count() == 1


def test_reopened_response_can_be_edited_and_submitted_again(world, coordinator):
    response, (q1, *_), alice, _ = world
    responses.submit_response(response=response, contact=alice)
    assert responses.reopen_response(response=response, user=coordinator) is True
    assert responses.reopen_response(response=response, user=coordinator) is False
    responses.save_answers(response=response, values={q1: "nej"}, base_version=response.version)
    assert responses.submit_response(response=response, contact=alice) is True


def test_reopened_response_stays_editable_after_the_round_closed(world):
    response, (q1, *_), _, _ = world
    responses.submit_response(response=response)
    responses.reopen_response(response=response)
    SurveyRound.objects.filter(pk=response.assignment.round_id).update(state=SurveyRound.State.CLOSED)
    response.refresh_from_db()
    assert responses.save_answers(
        response=response, values={q1: "ja"}, base_version=response.version
    ).changed == ["Q1"]


# -- prefill ---------------------------------------------------------------------------------------


def _two_rounds(comparable=True):
    org = factories.OrganisationFactory()
    old_version = factories.VersionFactory()
    new_version = factories.VersionFactory(questionnaire=old_version.questionnaire)
    if comparable:
        new_version.comparable_with.add(old_version)
    old_q = factories.QuestionFactory(section=factories.SectionFactory(version=old_version), code="ORG_1")
    factories.QuestionFactory(section=old_q.section, code="GONE")
    new_section = factories.SectionFactory(version=new_version)
    new_q = factories.QuestionFactory(section=new_section, code="ORG_1")
    other = factories.QuestionFactory(section=new_section, code="NEW_1")
    last = factories.AssignmentFactory(
        organisation=org,
        round=factories.SurveyRoundFactory(version=old_version, year=2025, state="published"),
    )
    for question, value in ((old_q, "ja"), (old_q.section.questions.get(code="GONE"), "nej")):
        Answer.objects.create(response=last.response, question=question, value=value)
    Response.objects.filter(pk=last.response.pk).update(state="submitted", submitted_at=timezone.now())
    current = factories.AssignmentFactory(
        organisation=org, round=factories.SurveyRoundFactory(version=new_version, year=2026)
    )
    return current.response, new_q, other


def test_prefill_offers_last_years_answers_for_the_same_code_until_confirmed():
    response, question, other = _two_rounds()
    assert responses.prefill_response(response=response) == 1
    assert responses.prefill_response(response=response) == 0  # once only
    answer = Answer.objects.get(response=response)
    assert (answer.question, answer.value, answer.prefilled) == (question, "ja", True)
    response.refresh_from_db()
    # Saving the page with the value unchanged keeps it as last year's; confirming clears the mark.
    responses.save_answers(response=response, values={question: "ja"}, base_version=response.version)
    assert Answer.objects.get(pk=answer.pk).prefilled is True
    responses.save_answers(
        response=response, values={question: "ja"}, base_version=response.version, confirm={"ORG_1"}
    )
    assert Answer.objects.get(pk=answer.pk).prefilled is False


def test_prefilled_answer_changed_is_no_longer_last_years():
    response, question, _ = _two_rounds()
    responses.prefill_response(response=response)
    response.refresh_from_db()
    responses.save_answers(response=response, values={question: "nej"}, base_version=response.version)
    answer = Answer.objects.get(response=response)
    assert (answer.value, answer.prefilled) == ("nej", False)


def test_no_prefill_from_a_version_not_declared_comparable():
    response, _, _ = _two_rounds(comparable=False)
    assert responses.prefill_response(response=response) == 0
    assert not Answer.objects.filter(response=response).exists()


def test_own_later_saves_are_no_conflict_but_a_colleagues_stays_protected(world):
    """Autosave keeps an old base version after a conflict: the page's own saves since then must not
    conflict with themselves, while the colleague's answer stays protected."""
    response, (q1, q2, _), alice, bob = world
    responses.save_answers(response=response, values={q1: "ja"}, base_version=0, contact=bob)  # v1 by Bob
    # v2 and v3 by Alice's page loaded at version 0
    responses.save_answers(
        response=response, values={q2: "ja"}, base_version=0, contact=alice, page="tab-one"
    )
    result = responses.save_answers(
        response=response, values={q1: "nej", q2: "nej"}, base_version=0, contact=alice, page="tab-one"
    )
    assert stored(response) == {"Q1": "ja", "Q2": "nej"}
    assert [c.question.code for c in result.conflicts] == ["Q1"]


def test_a_stale_second_tab_of_the_same_person_does_not_undo_the_first(world):
    response, (q1, q2, _), alice, _ = world
    responses.save_answers(response=response, values={q1: "ja"}, base_version=0, contact=alice)  # tab 2
    # Tab 1 was loaded at version 0 (Q1 empty) and only changes Q2.
    responses.save_answers(response=response, values={q1: None, q2: "nej"}, base_version=0, contact=alice)
    assert stored(response) == {"Q1": "ja", "Q2": "nej"}


def test_same_contact_in_two_tabs_gets_a_conflict_with_both_values(world):
    """A forwarded link or two tabs: the same contact's other tab is "someone else" for this one."""
    response, (q1, _, _), alice, _ = world
    responses.save_answers(
        response=response, values={q1: "ja"}, base_version=0, contact=alice, page="tab-one"
    )
    result = responses.save_answers(
        response=response, values={q1: "nej"}, base_version=0, contact=alice, page="tab-two"
    )
    assert stored(response) == {"Q1": "ja"}
    assert [(c.question.code, c.theirs, c.mine) for c in result.conflicts] == [("Q1", "ja", "nej")]
    assert result.version == 1 and not result.changed


def test_same_contact_without_a_page_id_gets_a_conflict_too(world):
    """An API client (no page id) that saves on an old version never overwrites a newer answer, even
    its own from another script or tab."""
    response, (q1, _, _), alice, _ = world
    responses.save_answers(response=response, values={q1: "ja"}, base_version=0, contact=alice)
    result = responses.save_answers(response=response, values={q1: "nej"}, base_version=0, contact=alice)
    assert stored(response) == {"Q1": "ja"} and [c.question.code for c in result.conflicts] == ["Q1"]


def test_a_future_version_is_refused_and_saves_nothing(world):
    response, (q1, q2, _), alice, bob = world
    responses.save_answers(response=response, values={q1: "ja"}, base_version=0, contact=bob)
    with pytest.raises(responses.UnknownVersion):
        responses.save_answers(response=response, values={q1: "nej", q2: "ja"}, base_version=7, contact=alice)
    response.refresh_from_db()
    assert stored(response) == {"Q1": "ja"} and response.version == 1
    assert ResponseRevision.objects.filter(response=response).count() == 1
