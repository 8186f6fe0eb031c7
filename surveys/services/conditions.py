"""When a question is shown: one rule used by the respondent pages, validation, scoring and exports.

A question with a condition is shown only when the condition on an earlier answer holds; when it does
not, the question is hidden, its answer is ignored, and it never counts as missing."""

from decimal import Decimal, InvalidOperation

from ..models import Question

Op = Question.ConditionOperator


def _number(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def is_answered(value):
    if value is None or value == "" or value == [] or value == {}:
        return False
    if isinstance(value, dict):
        return any(v not in (None, "") for v in value.values())
    return True


def condition_holds(question, values_by_question_id, *, shown=None):
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
    if operator == Op.ANSWERED:
        return is_answered(value)
    if not is_answered(value):
        return operator == Op.NOT_EQUALS
    if operator == Op.EQUALS:
        return value == expected if not isinstance(value, list) else expected in value
    if operator == Op.NOT_EQUALS:
        return value != expected if not isinstance(value, list) else expected not in value
    if operator == Op.CONTAINS:
        return expected in value if isinstance(value, list) else value == expected
    if operator == Op.GREATER_THAN:
        left, right = _number(value), _number(expected)
        return left is not None and right is not None and left > right
    return True


def visible_questions(questions, values_by_question_id):
    """The subset of `questions` (in order) that is shown, following chains of conditions."""
    shown = {}
    for question in questions:
        shown[question.pk] = condition_holds(question, values_by_question_id, shown=shown)
    return [q for q in questions if shown[q.pk]]
