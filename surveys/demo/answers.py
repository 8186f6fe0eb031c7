"""What the demo's respondents type: plausible, seeded answers to the questions they are shown. The
loader saves and submits them through the respondent's services, which validate them again."""

import random
from typing import Any

from ..questiontypes import kind_of
from ..visibility import condition_holds


def value_for(question: Any, rng: random.Random, strength: float) -> Any:
    """A plausible answer, from the question's type (its `sample` hook); `strength` (0–1) is how far the
    organisation has come."""
    return kind_of(question).sample(question, rng, strength)


def answers_for(questions: list, rng: random.Random, *, complete: bool) -> dict[str, Any]:
    """{code: value} for the questions (in page order) one organisation is shown as it answers them:
    all of them when `complete`, else about the first half."""
    strength = 0.35 + 0.6 * rng.random()
    values: dict[int, Any] = {}
    shown: dict[int, bool] = {}
    for question in questions[: len(questions) if complete else len(questions) // 2]:
        shown[question.pk] = condition_holds(question, values, shown=shown)
        if shown[question.pk]:
            value = value_for(question, rng, strength)
            if value is not None:
                values[question.pk] = value
    return {q.code: values[q.pk] for q in questions if q.pk in values}
