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

    def sample(self, question, rng, strength):
        options = [option.code for option in question.options.all()]
        return options[min(len(options) - 1, int(rng.random() * strength * len(options) + 0.3))]


register(SingleChoice())
