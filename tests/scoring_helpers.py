"""Building responses on the demo's PI mini for the index tests."""

from datetime import timedelta

from django.utils import timezone

from surveys.models import (
    Answer,
    Assignment,
    Question,
    QuestionType,
    Response,
    ScoringRule,
    SurveyRound,
)
from tests.factories import OrganisationFactory


def best_value(question, rules):
    """The answer that scores the most on `question` (all scoring codes for a multiple choice)."""
    options = [r for r in rules if r.option_code]
    thresholds = [r for r in rules if not r.option_code]
    if question.type == QuestionType.MULTIPLE:
        return [r.option_code for r in options if r.points > 0]
    if thresholds:
        top = max(thresholds, key=lambda r: r.points)
        return int(top.min_value) if question.type == QuestionType.INTEGER else float(top.min_value)
    return max(options, key=lambda r: r.points).option_code


def max_answers(version, *, categories=None):
    """{code: value} for every scored question at its maximum, optionally only in some categories
    (a category's subtree included). Questions that open a scored follow-up are answered "ja"."""
    rules = {}
    for rule in ScoringRule.objects.filter(scheme__version=version).select_related("category__parent"):
        rules.setdefault(rule.question_id, []).append(rule)
    values = {}
    for question in Question.objects.filter(version=version):
        own = rules.get(question.pk)
        if not own:
            continue
        cats = {r.category.code for r in own} | {r.category.parent.code for r in own if r.category.parent}
        if categories is None or cats & set(categories):
            values[question.code] = best_value(question, own)
    return values


def make_round(version, *, year=2030, state=SurveyRound.State.OPEN, **extra):
    opens = timezone.now() - timedelta(days=5)
    return SurveyRound.objects.create(
        name="Testomgång",
        version=version,
        year=year,
        state=state,
        opens_at=opens,
        deadline=opens + timedelta(days=30),
        **extra,
    )


def submitted(survey_round, values_by_code, *, organisation=None, state=Response.State.SUBMITTED):
    """An assignment with a response holding `values_by_code`, submitted unless told otherwise."""
    assignment = Assignment.objects.create(
        round=survey_round, organisation=organisation or OrganisationFactory()
    )
    response = Response.objects.create(
        assignment=assignment,
        state=state,
        submitted_at=timezone.now() if state == Response.State.SUBMITTED else None,
    )
    questions = dict(Question.objects.filter(version=survey_round.version).values_list("code", "id"))
    Answer.objects.bulk_create(
        Answer(response=response, question_id=questions[code], value=value)
        for code, value in values_by_code.items()
    )
    return assignment
