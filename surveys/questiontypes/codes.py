"""Names for the built-in question types' codes (stored in Question.type), for code that creates
questions of a known type. A type added later needs no name here: the registry is the list of types."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("Ja/nej")
    SINGLE = "single", _("Ett val")
    MULTIPLE = "multiple", _("Flera val")
    INTEGER = "integer", _("Heltal")
    DECIMAL = "decimal", _("Decimaltal")
    TEXT = "text", _("Fritext")
    DATE = "date", _("Datum")
    ACTIVITY_STATUS = "activity_status", _("Aktivitetsstatus")
    BREAKDOWN = "breakdown", _("Antal fördelat (flickor/pojkar/kvinnor/män/totalt)")
