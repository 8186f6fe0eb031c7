"""When a question is shown: the one visibility rule, used by the respondent pages, validation, scoring,
reminders, receipts, results and the workbooks.

A question with a condition is shown only when the condition on an earlier answer holds; when it does
not, the question is hidden, its answer is ignored, and it never counts as missing. The rule needs only
plain data (questions with `pk`, `condition_question_id`, `condition_operator`, `condition_value`, and the
answer values by question id), so any reader can call it on rows it already holds.

It sits beside the models and the question-type registry rather than among the services: it imports only
those two, so selectors and the workbooks (`exports/`) apply it without depending on a service."""

from collections.abc import Iterable, Mapping
from typing import Any

from .models import Question
from .questiontypes import is_answered, to_number

Operator = Question.ConditionOperator

__all__ = [
    "condition_holds",
    "deciding_question_ids",
    "hidden_answer_ids",
    "visible_answers",
    "visible_question_ids",
    "visible_questions",
]


def condition_holds(
    question: Any, values_by_question_id: Mapping[int, Any], *, shown: dict[int, bool] | None = None
) -> bool:
    """True when `question` is shown, given the current answer values keyed by question id.

    `shown` (optional, a dict question id → bool filled in question order) lets a chain of conditions
    be evaluated once: a question whose condition question is itself hidden is hidden too."""
    if not question.condition_question_id:
        return True
    parent_id = question.condition_question_id
    if shown is not None and shown.get(parent_id) is False:
        return False
    value = values_by_question_id.get(parent_id)
    operator = question.condition_operator
    expected = question.condition_value
    if operator == Operator.ANSWERED:
        return is_answered(value)
    if not is_answered(value):
        return operator == Operator.NOT_EQUALS
    if operator == Operator.EQUALS:
        return value == expected if not isinstance(value, list) else expected in value
    if operator == Operator.NOT_EQUALS:
        return value != expected if not isinstance(value, list) else expected not in value
    if operator == Operator.CONTAINS:
        return expected in value if isinstance(value, list) else value == expected
    if operator == Operator.GREATER_THAN:
        left, right = to_number(value), to_number(expected)
        return left is not None and right is not None and left > right
    return True


def visible_questions(questions: Iterable[Any], values_by_question_id: Mapping[int, Any]) -> list:
    """The subset of `questions` (in page order) that is shown, following chains of conditions."""
    questions = list(questions)
    shown: dict[int, bool] = {}
    for question in questions:
        shown[question.pk] = condition_holds(question, values_by_question_id, shown=shown)
    return [q for q in questions if shown[q.pk]]


def visible_question_ids(questions: Iterable[Any], values_by_question_id: Mapping[int, Any]) -> set[int]:
    """The ids of the questions that are shown: `questions` in page order, one organisation's answers."""
    return {q.pk for q in visible_questions(questions, values_by_question_id)}


def visible_answers(questions: Iterable[Any], values_by_question_id: Mapping[int, Any]) -> dict[int, Any]:
    """One organisation's answers without those its conditions hide: what counts everywhere."""
    shown = visible_question_ids(questions, values_by_question_id)
    return {pk: value for pk, value in values_by_question_id.items() if pk in shown}


def hidden_answer_ids(questions: Iterable[Any], values_by_question_id: Mapping[int, Any]) -> set[int]:
    """The question ids of stored answers that the conditions hide (they exist but do not count)."""
    shown = visible_question_ids(questions, values_by_question_id)
    return {pk for pk in values_by_question_id if pk not in shown}


def deciding_question_ids(questions: Iterable[Any], question_ids: Iterable[int]) -> set[int]:
    """`question_ids` and every question their conditions hang on, chains of conditions followed: the
    answers to read to tell whether those questions are shown (a reader that needs a few questions' answers
    reads these, then calls `visible_answers` with them)."""
    parent_of = {q.pk: q.condition_question_id for q in questions}
    deciding: set[int] = set()
    for pk in question_ids:
        while pk and pk not in deciding:
            deciding.add(pk)
            pk = parent_of.get(pk)
    return deciding
