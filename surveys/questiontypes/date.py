"""Datum: a calendar date, stored as ÅÅÅÅ-MM-DD and written to workbooks as a date."""

import datetime

from .base import AnswerError, QuestionKind
from .codes import QuestionType
from .registry import register


def as_date(value):
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class Date(QuestionKind):
    code = QuestionType.DATE
    label = QuestionType.DATE.label
    position = 70
    format_help = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-15."

    def clean(self, question, raw):
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise AnswerError("Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2026-03-15.") from None

    def wide_cell(self, value, *, part, labels):
        return as_date(value) or str(value)

    def sample(self, question, rng, strength):
        return (datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 1400))).isoformat()


register(Date())
