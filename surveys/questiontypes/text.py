"""Fritext: text up to the question's max length."""

from .base import AnswerError, QuestionKind
from .codes import QuestionType
from .registry import register


class Text(QuestionKind):
    code = QuestionType.TEXT
    label = QuestionType.TEXT.label
    position = 60
    template = "surveys/answer/types/text.html"

    def clean(self, question, raw):
        if not isinstance(raw, str):
            raise AnswerError("Skriv svaret som text.")
        text = raw.strip().replace("\r\n", "\n")
        if question.max_length and len(text) > question.max_length:
            raise AnswerError(
                f"Texten får vara högst {question.max_length} tecken lång (nu {len(text)} tecken)."
            )
        return text

    def sample(self, question, rng, strength):
        answers = ["Gott samarbete med skolorna.", "Fältgruppen har varit aktiv under sommaren.", ""]
        return rng.choice(answers) or None


register(Text())
