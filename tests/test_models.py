"""Rules of the domain that the database itself enforces."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from surveys.models import Question, ScoringRule, SurveyRound
from tests import factories

pytestmark = pytest.mark.django_db


def test_question_code_is_unique_within_a_version_but_not_across_versions():
    question = factories.QuestionFactory(code="ORG_1")
    other_version = factories.SectionFactory()
    factories.QuestionFactory(code="ORG_1", section=other_version)  # same code, another version: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.QuestionFactory(code="ORG_1", section=question.section)
    assert Question.objects.filter(code="ORG_1").count() == 2


def test_round_deadline_must_come_after_opening():
    round_ = factories.SurveyRoundFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyRound.objects.filter(pk=round_.pk).update(deadline=round_.opens_at - timedelta(hours=1))


def test_one_assignment_per_organisation_and_round():
    assignment = factories.AssignmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AssignmentFactory(round=assignment.round, organisation=assignment.organisation)


def test_one_answer_per_question_in_a_response():
    answer = factories.AnswerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AnswerFactory(response=answer.response, question=answer.question)


def test_scoring_rule_is_either_for_an_answer_code_or_a_threshold():
    rule = factories.ScoringRuleFactory(option_code="ja")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRule.objects.create(
            scheme=rule.scheme,
            question=rule.question,
            category=rule.category,
            option_code="nej",
            min_value=5,
            points=1,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRule.objects.create(
            scheme=rule.scheme,
            question=rule.question,
            category=rule.category,
            option_code="",
            min_value=None,
            points=1,
        )
    threshold = ScoringRule.objects.create(
        scheme=rule.scheme, question=rule.question, category=rule.category, min_value=30, points=1
    )
    assert threshold.pk


def test_outbox_key_is_unique():
    factories.OutboundEmailFactory(key="invite:1:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.OutboundEmailFactory(key="invite:1:1")


def test_export_progress_cannot_pass_100():
    job = factories.ExportJobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(job).objects.filter(pk=job.pk).update(progress=101)


def test_question_min_cannot_exceed_max():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.QuestionFactory(type="integer", min_value=10, max_value=5)
