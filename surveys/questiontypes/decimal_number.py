"""Decimaltal: a number with a decimal comma or point, within the question's min and max."""

from .base import NumberKind
from .codes import QuestionType
from .registry import register


class DecimalNumber(NumberKind):
    code = QuestionType.DECIMAL
    label = QuestionType.DECIMAL.label
    position = 50

    def sample(self, question, rng, strength):
        return round(rng.random() * strength * float(question.max_value or 100), 1)


register(DecimalNumber())
