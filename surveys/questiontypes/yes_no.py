"""Ja/nej: two fixed answer codes that scoring rules and conditions refer to."""

from django.utils.translation import gettext_lazy as _

from .base import ChoiceKind
from .codes import QuestionType
from .registry import register

YES_NO_CHOICES = [("ja", _("Ja")), ("nej", _("Nej"))]


class YesNo(ChoiceKind):
    code = QuestionType.YES_NO
    label = QuestionType.YES_NO.label
    position = 10
    aliases = ("ja/nej",)
    fixed_choices = YES_NO_CHOICES

    def score_codes(self, value):
        if isinstance(value, bool):  # answers stored by an older front end
            return ["ja" if value else "nej"]
        return super().score_codes(value)

    def sample(self, question, rng, strength):
        return "ja" if rng.random() < strength else "nej"


register(YesNo())
