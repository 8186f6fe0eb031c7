"""Ett val: one of the question's own options."""

from .base import ChoiceKind
from .codes import QuestionType
from .registry import register


class SingleChoice(ChoiceKind):
    code = QuestionType.SINGLE
    label = QuestionType.SINGLE.label
    position = 20
    aliases = ("select_one",)
    takes_options = True
    needs_options = True


register(SingleChoice())
