"""What the demo's respondents type: plausible, seeded answers to the questions they are shown. The
loader saves and submits them through the respondent's services, which validate them again."""

import random
from datetime import date, timedelta
from typing import Any

from ..models import QuestionType
from ..visibility import condition_holds


def value_for(question: Any, rng: random.Random, strength: float) -> Any:
    """A plausible answer; `strength` (0–1) is how far the organisation has come."""
    options = [o.code for o in question.options.all()]
    if question.type == QuestionType.YES_NO:
        return "ja" if rng.random() < strength else "nej"
    if question.type == QuestionType.SINGLE:
        return options[min(len(options) - 1, int(rng.random() * strength * len(options) + 0.3))]
    if question.type == QuestionType.MULTIPLE:
        return [code for code in options if rng.random() < strength]
    if question.type == QuestionType.ACTIVITY_STATUS:
        return rng.choices(
            ["genomford", "delvis", "ej_genomford", "ej_aktuell"], [strength, 0.3, 1 - strength, 0.05]
        )[0]
    if question.type == QuestionType.INTEGER:
        return int(rng.random() * strength * 150)
    if question.type == QuestionType.DECIMAL:
        return round(rng.random() * strength * float(question.max_value or 100), 1)
    if question.type == QuestionType.DATE:
        return (date(2020, 1, 1) + timedelta(days=rng.randint(0, 1400))).isoformat()
    if question.type == QuestionType.BREAKDOWN:
        parts = {p: rng.randint(0, 200) for p in ("flickor", "pojkar", "kvinnor", "man")}
        return {**parts, "total": sum(parts.values())}
    if question.type == QuestionType.TEXT:
        return (
            rng.choice(["Gott samarbete med skolorna.", "Fältgruppen har varit aktiv under sommaren.", ""])
            or None
        )
    return None


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
