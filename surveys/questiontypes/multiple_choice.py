"""Flera val: any of the question's options, stored as a list of codes in the options' order."""

from .base import AnswerError, ChoiceKind
from .codes import QuestionType
from .registry import register


class MultipleChoice(ChoiceKind):
    code = QuestionType.MULTIPLE
    label = QuestionType.MULTIPLE.label
    position = 30
    aliases = ("select_multiple",)
    takes_options = True
    needs_options = True
    multi_valued = True
    input_type = "checkbox"

    def clean(self, question, raw):
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise AnswerError("Välj ett eller flera av alternativen.")
        codes = [code for code, _ in self.choices(question)]
        if any(item not in codes for item in items):
            raise AnswerError("Välj bland alternativen som finns.")
        return [code for code in codes if code in items] or None

    def raw_from_form(self, question, data, name):
        return data.getlist(name)

    def display(self, question, value, labels=None):
        labels = self.labels(question) if labels is None else labels
        return (
            ", ".join(str(labels.get(code, code)) for code in value)
            if isinstance(value, list)
            else str(value)
        )

    def score_codes(self, value):
        return [str(code) for code in value] if isinstance(value, list) else super().score_codes(value)

    def sheet_parts(self, question, options):
        return options

    def wide_cell(self, value, *, part, labels):
        chosen = value if isinstance(value, list) else [value]
        return 1 if part in chosen else 0

    def long_cells(self, value, *, labels, parts):
        for code in value if isinstance(value, list) else [value]:
            yield "", code, labels.get(code, code)

    def sample(self, question, rng, strength):
        return [option.code for option in question.options.all() if rng.random() < strength]


register(MultipleChoice())
