"""Heltal: a whole number (a count), within the question's min and max."""

from .base import NumberKind
from .codes import QuestionType
from .registry import register


class Integer(NumberKind):
    code = QuestionType.INTEGER
    label = QuestionType.INTEGER.label
    position = 40
    integer = True
    input_mode = "numeric"

    def sample(self, question, rng, strength):
        return int(rng.random() * strength * 150)


register(Integer())
