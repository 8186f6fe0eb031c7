"""Aktivitetsstatus: how far an activity of the plan got this year (four fixed codes)."""

from django.utils.translation import gettext_lazy as _

from .base import ChoiceKind
from .codes import QuestionType
from .registry import register

ACTIVITY_STATUS_CHOICES = [
    ("genomford", _("Genomförd")),
    ("delvis", _("Delvis genomförd")),
    ("ej_genomford", _("Ej genomförd")),
    ("ej_aktuell", _("Ej aktuell")),
]


class ActivityStatus(ChoiceKind):
    code = QuestionType.ACTIVITY_STATUS
    label = QuestionType.ACTIVITY_STATUS.label
    position = 80
    fixed_choices = ACTIVITY_STATUS_CHOICES

    def sample(self, question, rng, strength):
        return rng.choices(
            ["genomford", "delvis", "ej_genomford", "ej_aktuell"], [strength, 0.3, 1 - strength, 0.05]
        )[0]


register(ActivityStatus())
