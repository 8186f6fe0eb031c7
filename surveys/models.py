"""The domain of Årsrunda: organisations, programmes, questionnaires, rounds, answers, outbox, exports."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Question types live in the registry (surveys/questiontypes/); these names stay importable from here.
from .questiontypes import QuestionType  # noqa: F401
from .questiontypes import choices as question_type_choices
from .questiontypes.activity_status import ACTIVITY_STATUS_CHOICES  # noqa: F401
from .questiontypes.breakdown import BREAKDOWN_DEFAULT_PARTS  # noqa: F401
from .questiontypes.yes_no import YES_NO_CHOICES  # noqa: F401
from .text import validate_single_line

# --------------------------------------------------------------------------------------------------
# People and organisations
# --------------------------------------------------------------------------------------------------


class Role(models.TextChoices):
    ADMIN = "admin", _("Systemförvaltare")
    COORDINATOR = "coordinator", _("Samordnare")
    READER = "reader", _("Läsare (stadsledningskontoret)")
    RESPONDENT = "respondent", _("Respondent")


class User(AbstractUser):
    """A person who logs in. Staff roles work over the admin and the API; respondents are bound to
    organisations (most respondents never get a User: they come by magic link as a Contact)."""

    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.RESPONDENT, verbose_name=_("roll")
    )
    organisations = models.ManyToManyField(
        "Organisation",
        blank=True,
        related_name="users",
        help_text=_("För respondenter: vilka organisationer de svarar för."),
        verbose_name=_("organisationer"),
    )

    @property
    def is_coordinator(self):
        return self.is_superuser or self.role in (Role.ADMIN, Role.COORDINATOR)

    @property
    def can_read_rounds(self):
        return self.is_coordinator or self.role == Role.READER


class Organisation(models.Model):
    """Nämnd, förvaltning, stadsdelsförvaltning, bolag or an external partner (Polisen, Regionen)."""

    class Kind(models.TextChoices):
        NAMND = "namnd", _("Nämnd")
        FORVALTNING = "forvaltning", _("Förvaltning")
        SDF = "sdf", _("Stadsdelsförvaltning")
        BOLAG = "bolag", _("Bolag")
        EXTERN = "extern", _("Extern part")

    name = models.CharField(_("namn"), max_length=200, unique=True, validators=[validate_single_line])
    short_name = models.CharField(_("kortnamn"), max_length=60, blank=True)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("överordnad"),
    )
    aliases = models.TextField(
        _("andra stavningar"),
        blank=True,
        help_text=_("En per rad; används när en plan eller fil importeras."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self):
        return self.name

    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class OrganisationAlias(models.Model):
    """Another spelling of an organisation, or a name known to be an external partner ("samverkanspart"),
    saved when a coordinator accepts a suggestion from a plan check; used by every later import."""

    name = models.CharField(_("namn"), max_length=300)
    key = models.CharField(max_length=300, unique=True, help_text=_("Namnet normaliserat (jämförs)."))
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="accepted_aliases"
    )
    is_partner = models.BooleanField(_("extern part"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, is_partner=False)
                | Q(organisation__isnull=True, is_partner=True),
                name="alias_is_organisation_or_partner",
            )
        ]
        verbose_name = _("annan stavning")
        verbose_name_plural = _("andra stavningar")

    def __str__(self):
        return f"{self.name} → {self.organisation or _('extern part')}"


class Contact(models.Model):
    """A contact person of an organisation; gets the e-mailed links of its organisation's assignments."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200, validators=[validate_single_line])
    email = models.EmailField(_("e-post"))
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    erased_at = models.DateTimeField(
        _("personuppgifter borttagna"),
        null=True,
        blank=True,
        help_text=_("Namn, e-post och telefon är ersatta; svaren finns kvar och hör till organisationen."),
    )
    created_at = models.DateTimeField(_("tillagd"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="contact_unique_email_per_organisation"
            )
        ]
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktpersoner")

    def __str__(self):
        return f"{self.name} <{self.email}> ({self.organisation})"


# --------------------------------------------------------------------------------------------------
# Programme: program / handlingsplan → målområde → insatsområde → aktivitet → indikator
# --------------------------------------------------------------------------------------------------


class Programme(models.Model):
    """Program or handlingsplan, valid for a period (e.g. 2023–2026)."""

    name = models.CharField(_("namn"), max_length=300)
    owner = models.CharField(_("kommun/region"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("från år"))
    end_year = models.PositiveSmallIntegerField(_("till år"))
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        ordering = ["-start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="programme_period_order"
            )
        ]
        verbose_name = _("program")
        verbose_name_plural = _("program")

    def __str__(self):
        return f"{self.name} {self.start_year}–{self.end_year}"


class GoalArea(models.Model):
    """Målområde / delmål, numbered, optionally linked to the national strategy's målområde."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="goal_areas", verbose_name=_("program")
    )
    number = models.CharField(_("nummer"), max_length=20)
    title = models.CharField(_("rubrik"), max_length=500)
    national_goal = models.CharField(_("nationellt målområde"), max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0, verbose_name=_("ordning"))

    class Meta:
        ordering = ["programme", "order", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="goalarea_unique_number")]
        verbose_name = _("målområde")
        verbose_name_plural = _("målområden")

    def __str__(self):
        return f"{self.number} {self.title}"


class FocusArea(models.Model):
    """Insatsområde, e.g. "1.1 Tillsyn"."""

    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.CASCADE, related_name="focus_areas", verbose_name=_("målområde")
    )
    number = models.CharField(_("nummer"), max_length=20)
    title = models.CharField(_("rubrik"), max_length=500)
    order = models.PositiveIntegerField(default=0, verbose_name=_("ordning"))

    class Meta:
        ordering = ["goal_area", "order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal_area", "number"], name="focusarea_unique_number")
        ]
        verbose_name = _("insatsområde")
        verbose_name_plural = _("insatsområden")

    def __str__(self):
        return f"{self.number} {self.title}"


class Activity(models.Model):
    """Aktivitet: what is done, when, by a lead organisation (ansvarig) with co-responsible ones (samverkan).

    Plans without insatsområden (Västerås) hang activities directly under the målområde, so the focus area
    is optional; the goal area is always known."""

    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.CASCADE, related_name="activities", verbose_name=_("målområde")
    )
    focus_area = models.ForeignKey(
        FocusArea,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("insatsområde"),
    )
    number = models.CharField(_("nummer"), max_length=20, blank=True)
    title = models.CharField(_("aktivitet"), max_length=500)
    description = models.TextField(_("vad"), blank=True)
    frequency = models.CharField(_("när"), max_length=300, blank=True)
    lead = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_activities",
        verbose_name=_("ansvarig"),
    )
    co_responsible = models.ManyToManyField(
        Organisation, blank=True, related_name="shared_activities", verbose_name=_("samverkan")
    )
    lead_group = models.CharField(
        _("ansvarig grupp"), max_length=100, blank=True, help_text=_('T.ex. "Alla nämnder", som det skrevs.')
    )
    lead_partner = models.CharField(_("ansvarig extern part"), max_length=300, blank=True)
    co_groups = models.JSONField(_("samverkande grupper"), default=list, blank=True)
    partners = models.JSONField(_("externa samverkansparter"), default=list, blank=True)
    archived_at = models.DateTimeField(_("arkiverad"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0, verbose_name=_("ordning"))

    class Meta:
        ordering = ["goal_area", "order", "number"]
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def clean(self):
        if self.focus_area_id and self.focus_area.goal_area_id != self.goal_area_id:
            raise ValidationError({"focus_area": _("Insatsområdet hör till ett annat målområde.")})


class Indicator(models.Model):
    """Indikator of an activity. It may name its own lead and co-responsible organisations, because real
    plans differ per indicator within one activity (Västerås 2.1, 3.4, 4.1)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("aktivitet")
    )
    text = models.CharField(_("indikator"), max_length=500)
    unit = models.CharField(_("enhet"), max_length=60, blank=True)
    target = models.CharField(_("mål"), max_length=300, blank=True)
    due_date = models.DateField(_("ska vara uppfylld"), null=True, blank=True)
    gender_split = models.BooleanField(_("fördelat på kön"), default=False)
    lead = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_indicators",
        verbose_name=_("ansvarig"),
    )
    co_responsible = models.ManyToManyField(
        Organisation, blank=True, related_name="shared_indicators", verbose_name=_("samverkan")
    )
    inherits_responsibility = models.BooleanField(
        _("ärver aktivitetens ansvar"),
        default=True,
        help_text=_(
            "Ja: aktivitetens ansvariga och samverkan svarar (plus indikatorns egna samverkan). "
            "Nej: indikatorns egen ansvarig och samverkan, och bara de."
        ),
    )
    lead_group = models.CharField(
        _("ansvarig grupp"), max_length=100, blank=True, help_text=_('T.ex. "Alla nämnder", som det skrevs.')
    )
    lead_partner = models.CharField(_("ansvarig extern part"), max_length=300, blank=True)
    co_groups = models.JSONField(_("samverkande grupper"), default=list, blank=True)
    partners = models.JSONField(_("externa samverkansparter"), default=list, blank=True)
    archived_at = models.DateTimeField(_("arkiverad"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0, verbose_name=_("ordning"))

    class Meta:
        ordering = ["activity", "order", "id"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")

    def __str__(self):
        return self.text


# --------------------------------------------------------------------------------------------------
# Questionnaires, versions, questions, scoring
# --------------------------------------------------------------------------------------------------


class Questionnaire(models.Model):
    """Enkät: the stable identity across its versions."""

    class Kind(models.TextChoices):
        INDEX = "index", _("Indexenkät")
        ACTIVITY = "activity", _("Aktivitetsuppföljning")
        GENERAL = "general", _("Övrig enkät")

    name = models.CharField(_("namn"), max_length=300)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaires",
        verbose_name=_("program"),
    )
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enkät")
        verbose_name_plural = _("enkäter")

    def __str__(self):
        return self.name


class QuestionnaireVersion(models.Model):
    """A version of a questionnaire. Frozen (immutable) once a round uses it; declares the earlier
    versions whose results it may be compared with."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions", verbose_name=_("enkät")
    )
    number = models.PositiveIntegerField(_("versionsnummer"))
    label = models.CharField(_("benämning"), max_length=100, blank=True)
    comparable_with = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="comparable_successors",
        verbose_name=_("jämförbar med"),
    )
    frozen_at = models.DateTimeField(_("låst"), null=True, blank=True)
    responsibilities_frozen = models.BooleanField(
        _("ansvar låst"),
        default=False,
        help_text=_("Vem som svarar på vilken fråga är sparat med versionen (QuestionResponsibility)."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("skapad"))

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="version_unique_number")
        ]
        verbose_name = _("enkätversion")
        verbose_name_plural = _("enkätversioner")

    def __str__(self):
        return f"{self.questionnaire} – {self.label or f'version {self.number}'}"

    @property
    def is_frozen(self):
        return self.frozen_at is not None


class Section(models.Model):
    """A page of the questionnaire."""

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("enkätversion"),
    )
    order = models.PositiveIntegerField(_("ordning"))
    title = models.CharField(_("rubrik"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="section_unique_order")]
        verbose_name = _("avsnitt")
        verbose_name_plural = _("avsnitt")

    def __str__(self):
        return self.title


class Question(models.Model):
    """A question with a stable code (e.g. ORG_1) that is unique in its version and identifies the
    same question across comparable versions."""

    class ConditionOperator(models.TextChoices):
        EQUALS = "equals", _("är lika med")
        NOT_EQUALS = "not_equals", _("är inte lika med")
        CONTAINS = "contains", _("innehåller (flera val)")
        GREATER_THAN = "gt", _("är större än")
        ANSWERED = "answered", _("är besvarad")

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("enkätversion"),
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("avsnitt")
    )
    order = models.PositiveIntegerField(_("ordning"))
    code = models.CharField(_("kod"), max_length=40)
    text = models.TextField(_("fråga"))
    help_text = models.TextField(_("hjälptext"), blank=True)
    type = models.CharField(_("typ"), max_length=20, choices=question_type_choices)
    required = models.BooleanField(_("obligatorisk"), default=False)
    min_value = models.DecimalField(_("minsta värde"), max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(
        _("största värde"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(_("största längd"), null=True, blank=True)
    condition_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependants",
        verbose_name=_("visas om fråga"),
    )
    condition_operator = models.CharField(
        _("villkor"), max_length=20, choices=ConditionOperator.choices, blank=True
    )
    condition_value = models.CharField(_("villkorsvärde"), max_length=200, blank=True)
    # PROTECT: a question that lost its plan row would be shown to every organisation.
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("aktivitet"),
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("indikator"),
    )

    class Meta:
        ordering = ["version", "section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_unique_code_per_version"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="question_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True) | ~Q(condition_operator=""),
                name="question_condition_has_operator",
            ),
        ]
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")

    def __str__(self):
        return f"{self.code}: {self.text[:60]}"

    def clean(self):
        if self.section_id and self.version_id and self.section.version_id != self.version_id:
            raise ValidationError({"section": _("Avsnittet hör till en annan version.")})
        if self.condition_question_id and self.condition_question.version_id != self.version_id:
            raise ValidationError(
                {"condition_question": _("Villkoret måste gälla en fråga i samma version.")}
            )


class Option(models.Model):
    """An answer option of a choice question, or a part of a breakdown question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("fråga")
    )
    order = models.PositiveIntegerField(_("ordning"))
    code = models.CharField(_("kod"), max_length=40)
    label = models.CharField(_("text"), max_length=300)

    class Meta:
        ordering = ["question", "order"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="option_unique_code")]
        verbose_name = _("svarsalternativ")
        verbose_name_plural = _("svarsalternativ")

    def __str__(self):
        return f"{self.code}: {self.label}"


class QuestionResponsibility(models.Model):
    """Who answers a plan-linked question of a frozen version, and in which role: stored when the
    version's first round opens, so later plan edits never change what the round asks or reports."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Ansvarig")
        CO = "co", _("Samverkan")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="responsibilities")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("roll"), max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "organisation"], name="question_responsibility_unique"
            )
        ]
        verbose_name = _("frågeansvar")
        verbose_name_plural = _("frågeansvar")

    def __str__(self):
        return f"{self.question_id}: {self.organisation_id} ({self.role})"


class ScoringScheme(models.Model):
    """How answers of one version become index points. Scoring is data, never code per questionnaire."""

    version = models.OneToOneField(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="scoring", verbose_name=_("enkätversion")
    )
    name = models.CharField(_("namn"), max_length=200, default="Index")
    scale_to = models.DecimalField(
        _("skala till"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("100"),
        help_text=_("Totalen räknas om till 0–detta värde (t.ex. 55 poäng → 0–100)."),
    )

    class Meta:
        verbose_name = _("poängsättning")
        verbose_name_plural = _("poängsättningar")

    def __str__(self):
        return f"{self.name} ({self.version})"


class ScoringCategory(models.Model):
    """A category of points with a cap; categories nest (struktur ≤ 22 = organisation ≤ 10 + …)."""

    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="categories", verbose_name=_("poängsättning")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("överordnad kategori"),
    )
    code = models.CharField(_("kod"), max_length=40)
    name = models.CharField(_("namn"), max_length=200)
    cap = models.DecimalField(_("tak"), max_digits=10, decimal_places=2, null=True, blank=True)
    order = models.PositiveIntegerField(default=0, verbose_name=_("ordning"))

    class Meta:
        ordering = ["scheme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="category_unique_code"),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=0), name="category_cap_not_negative"
            ),
        ]
        verbose_name = _("poängkategori")
        verbose_name_plural = _("poängkategorier")

    def __str__(self):
        return self.name


class ScoringRule(models.Model):
    """Points for one answer: for an option/answer code (ja, genomford, an option code), or for a
    numeric answer at or above a threshold (≥ 30 trained coaches → 1 point)."""

    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("poängsättning")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="scoring_rules", verbose_name=_("fråga")
    )
    category = models.ForeignKey(
        ScoringCategory, on_delete=models.CASCADE, related_name="rules", verbose_name=_("poängkategori")
    )
    option_code = models.CharField(_("svarskod"), max_length=40, blank=True)
    min_value = models.DecimalField(_("från värde"), max_digits=14, decimal_places=4, null=True, blank=True)
    points = models.DecimalField(_("poäng"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["scheme", "question", "option_code", "min_value"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(option_code="") & Q(min_value__isnull=False))
                | (~Q(option_code="") & Q(min_value__isnull=True)),
                name="rule_either_option_or_threshold",
            ),
            models.UniqueConstraint(
                fields=["question", "option_code"], condition=~Q(option_code=""), name="rule_unique_option"
            ),
            models.UniqueConstraint(
                fields=["question", "min_value"],
                condition=Q(min_value__isnull=False),
                name="rule_unique_threshold",
            ),
        ]
        verbose_name = _("poängregel")
        verbose_name_plural = _("poängregler")

    def __str__(self):
        what = self.option_code or f"≥ {self.min_value}"
        return f"{self.question.code} {what} → {self.points}"


# --------------------------------------------------------------------------------------------------
# Rounds, assignments, responses, answers
# --------------------------------------------------------------------------------------------------


def default_min_group_size():
    return settings.RESULTS_MIN_GROUP_SIZE


def default_reminder_offsets():
    # Days relative to the deadline: 14, 7 and 2 days before, and 1 day after.
    return [-14, -7, -2, 1]


class SurveyRound(models.Model):
    """Enkätomgång: one questionnaire version sent to recipients for one year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SCHEDULED = "scheduled", _("Schemalagd")
        OPEN = "open", _("Öppen")
        CLOSED = "closed", _("Stängd")
        PUBLISHED = "published", _("Publicerad")

    # While a round runs, the days left to its deadline are shown; once it has ended its answers no longer
    # change: the index is final, and the round can be archived.
    RUNNING = (State.SCHEDULED, State.OPEN)
    ENDED = (State.CLOSED, State.PUBLISHED)

    name = models.CharField(_("namn"), max_length=300, validators=[validate_single_line])
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("enkätversion")
    )
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rounds",
        verbose_name=_("program"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    opens_at = models.DateTimeField(_("öppnar"))
    deadline = models.DateTimeField(_("sista svarsdag"))
    grace_hours = models.PositiveIntegerField(
        _("respittid (timmar)"),
        default=0,
        help_text=_("Utkast kan skickas in så här länge efter sista svarsdag."),
    )
    reminder_offsets = models.JSONField(
        _("påminnelser (dagar från sista svarsdag)"), default=default_reminder_offsets
    )
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT)
    # Empty template fields mean the built-in Swedish texts (surveys/services/rounds.py). Placeholders:
    # {organisation}, {deadline}, {link}, {round}, {year}, {status}.
    invitation_subject = models.CharField(
        _("inbjudan: ämne"), max_length=300, blank=True, validators=[validate_single_line]
    )
    invitation_body = models.TextField(_("inbjudan: text"), blank=True)
    reminder_subject = models.CharField(
        _("påminnelse: ämne"), max_length=300, blank=True, validators=[validate_single_line]
    )
    reminder_body = models.TextField(_("påminnelse: text"), blank=True)
    digest_to = models.TextField(
        _("sammanställning till"),
        blank=True,
        help_text=_("E-postadresser (kommaseparerade) som får en sammanställning när omgången stängs."),
    )
    show_preliminary_result = models.BooleanField(_("visa preliminärt resultat vid inskick"), default=False)
    min_group_size = models.PositiveSmallIntegerField(
        _("minsta antal organisationer för jämförelser"),
        default=default_min_group_size,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Stadens medelvärde, områdenas medelvärden och placering visas för svarande först när så här "
            "många organisationer har ett resultat, så att ingen kan räkna ut en annans resultat."
        ),
    )
    # The named coordinator respondents write to (Reply-To and signature of every e-mail, every page).
    # Empty fields fall back to the user who created the round, then to the settings (coordinator_contact).
    coordinator_name = models.CharField(_("samordnare: namn"), max_length=200, blank=True)
    coordinator_title = models.CharField(_("samordnare: titel"), max_length=200, blank=True)
    coordinator_email = models.EmailField(_("samordnare: e-post"), blank=True)
    coordinator_phone = models.CharField(_("samordnare: telefon"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("skapad"))
    opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("öppnades"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("stängdes"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("publicerades"))

    class Meta:
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")), name="round_deadline_after_opening"
            ),
        ]
        indexes = [models.Index(fields=["state", "opens_at"]), models.Index(fields=["state", "deadline"])]
        verbose_name = _("enkätomgång")
        verbose_name_plural = _("enkätomgångar")

    def __str__(self):
        return f"{self.name} {self.year}"

    def coordinator_contact(self):
        """{name, title, email, phone, organisation} of the round's coordinator: the round's own fields,
        else the user who created the round, else the organisation's defaults from the settings."""
        owner = None
        if self.created_by_id and not (self.coordinator_name and self.coordinator_email):
            owner = self.created_by  # read only when the round's own fields leave something to fill
        return {
            "name": self.coordinator_name
            or (owner.get_full_name() if owner else "")
            or settings.COORDINATOR_NAME,
            "title": self.coordinator_title or settings.COORDINATOR_TITLE,
            "email": self.coordinator_email or (owner.email if owner else "") or settings.COORDINATOR_EMAIL,
            "phone": self.coordinator_phone or settings.COORDINATOR_PHONE,
            "organisation": settings.ORGANISATION_NAME,
        }


# Fields of a round edited as groups: its e-mail texts, and the named coordinator respondents write to.
ROUND_TEMPLATE_FIELDS = ("invitation_subject", "invitation_body", "reminder_subject", "reminder_body")
ROUND_COORDINATOR_FIELDS = ("coordinator_name", "coordinator_title", "coordinator_email", "coordinator_phone")


class Assignment(models.Model):
    """One organisation in one round (uppdrag)."""

    round = models.ForeignKey(
        SurveyRound, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("enkätomgång")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("organisation")
    )
    deadline_override = models.DateTimeField(_("egen sista svarsdag"), null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("först öppnad"))
    last_activity_at = models.DateTimeField(null=True, blank=True, verbose_name=_("senaste aktivitet"))
    removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Borttagen ur omgången; svar som redan finns behålls (allmänna handlingar)."),
        verbose_name=_("borttagen"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("skapad"))

    class Meta:
        ordering = ["round", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organisation"], name="assignment_unique_per_round")
        ]
        verbose_name = _("uppdrag")
        verbose_name_plural = _("uppdrag")

    def __str__(self):
        return f"{self.organisation} – {self.round}"

    @property
    def deadline(self):
        return self.deadline_override or self.round.deadline


class Response(models.Model):
    """The answers of one assignment. `version` grows by one on every save: a save based on an older
    version is a conflict, never a silent overwrite."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Inskickad")
        REOPENED = "reopened", _("Återöppnad")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="response", verbose_name=_("uppdrag")
    )
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=0, verbose_name=_("versionsnummer"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("inskickad"))
    submitted_by = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_responses",
        verbose_name=_("inskickad av"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("skapad"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("senast ändrad"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="submitted") | Q(submitted_at__isnull=False),
                name="response_submitted_has_time",
            )
        ]
        indexes = [models.Index(fields=["state"])]
        verbose_name = _("svar")
        verbose_name_plural = _("svar")

    def __str__(self):
        return f"{self.assignment} ({self.get_state_display()})"


class Answer(models.Model):
    """One question's answer. `value` holds the typed value: "ja"/"nej", an option or status code,
    a list of codes, a number, an ISO date, text, or {part: number} for a breakdown."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("svar")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("fråga")
    )
    value = models.JSONField(null=True, blank=True, verbose_name=_("värde"))
    prefilled = models.BooleanField(
        _("från förra året"),
        default=False,
        help_text=_("Föreslaget från förra omgången och ännu inte bekräftat."),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("senast ändrad"))
    updated_by = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ändrad av"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique_per_question")
        ]
        verbose_name = _("svar på fråga")
        verbose_name_plural = _("svar på frågor")

    def __str__(self):
        return f"{self.question.code} = {self.value!r}"


class ResponseRevision(models.Model):
    """Who changed what and when: one row per saved version of a response (an audit trail; never
    edited or deleted)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("svar")
    )
    version = models.PositiveIntegerField(verbose_name=_("versionsnummer"))
    action = models.CharField(
        max_length=20, default="save", verbose_name=_("händelse")
    )  # save / submit / reopen / prefill
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("användare"),
    )
    changes = models.JSONField(
        default=dict, help_text=_('{kod: {"from": …, "to": …}}'), verbose_name=_("ändringar")
    )
    # The page load (one browser tab) a save came from: its own autosaves never conflict with each other,
    # while another tab of the same person does.
    page = models.CharField(max_length=32, blank=True, default="", verbose_name=_("sidvisning"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("tidpunkt"))

    class Meta:
        ordering = ["response", "version"]
        constraints = [
            models.UniqueConstraint(fields=["response", "version"], name="revision_unique_version")
        ]
        verbose_name = _("ändring")
        verbose_name_plural = _("ändringshistorik")

    def __str__(self):
        return f"{self.response} v{self.version} ({self.action})"


class AccessToken(models.Model):
    """A respondent's magic link for one contact and assignment. Only the sha256 of the token is
    stored; the link itself exists only in the e-mail."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("uppdrag")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("kontaktperson")
    )
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("kontrollsumma"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("återkallad"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("senast använd"))

    class Meta:
        indexes = [models.Index(fields=["assignment", "contact"])]
        verbose_name = _("personlig länk")
        verbose_name_plural = _("personliga länkar")

    def __str__(self):
        return f"{self.contact} → {self.assignment}"


class IndexResult(models.Model):
    """The index of one assignment: points per category (raw and capped), total, scaled, rank."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="index_result", verbose_name=_("uppdrag")
    )
    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="results", verbose_name=_("poängsättning")
    )
    categories = models.JSONField(
        default=dict, help_text=_('{kod: {"raw": …, "capped": …}}'), verbose_name=_("poäng per kategori")
    )
    total = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("summa"))
    scaled = models.DecimalField(max_digits=6, decimal_places=1, verbose_name=_("index"))
    rank = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("placering"))
    preliminary = models.BooleanField(default=True, verbose_name=_("preliminärt"))
    computed_at = models.DateTimeField(default=timezone.now, verbose_name=_("beräknat"))

    class Meta:
        ordering = ["assignment__round", "rank"]
        verbose_name = _("indexresultat")
        verbose_name_plural = _("indexresultat")

    def __str__(self):
        return f"{self.assignment}: {self.scaled}"


# --------------------------------------------------------------------------------------------------
# The outbox and export jobs
# --------------------------------------------------------------------------------------------------


class OutboundEmail(models.Model):
    """One e-mail that must be sent. The unique key makes creating it idempotent; a sender claims it
    with a conditional update, so two workers never send the same row."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Inbjudan")
        REMINDER = "reminder", _("Påminnelse")
        RECEIPT = "receipt", _("Kvitto")
        DIGEST = "digest", _("Sammanställning")
        LINK = "link", _("Ny länk")
        RESULTS = "results", _("Resultat publicerade")

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        SENDING = "sending", _("Skickas")
        SENT = "sent", _("Skickat")
        FAILED = "failed", _("Misslyckades")
        CANCELLED = "cancelled", _("Avbrutet")

    key = models.CharField(max_length=200, unique=True, verbose_name=_("nyckel"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("typ"))
    to_email = models.EmailField(verbose_name=_("mottagare"))
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
        verbose_name=_("kontaktperson"),
    )
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("uppdrag"),
    )
    round = models.ForeignKey(
        SurveyRound,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("enkätomgång"),
    )
    step = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Påminnelsens dagar från sista svarsdag."),
        verbose_name=_("påminnelsesteg"),
    )
    subject = models.CharField(max_length=300, blank=True, verbose_name=_("ämne"))
    body = models.TextField(
        blank=True,
        help_text=_("Tom för meddelanden med personlig länk: de skrivs när de skickas."),
        verbose_name=_("text"),
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("försök"))
    last_error = models.TextField(blank=True, verbose_name=_("senaste fel"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("nästa försök"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("påbörjad"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("skickad"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("utgående e-post")
        verbose_name_plural = _("utgående e-post")

    def __str__(self):
        return self.key


class ExportJob(models.Model):
    """A workbook being built or built: the API polls this row; the worker fills it in."""

    class State(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")
        EXPIRED = "expired", _("Utgången")

    round = models.ForeignKey(
        SurveyRound, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("enkätomgång")
    )
    kind = models.CharField(max_length=40, default="round_workbook", verbose_name=_("typ"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("beställd av"),
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.QUEUED, verbose_name=_("status")
    )
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)], verbose_name=_("framsteg (%)")
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, verbose_name=_("fil"))
    error = models.TextField(blank=True, verbose_name=_("fel"))
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Omgångens data när filen byggdes; samma data ger samma fil."),
        verbose_name=_("dataversion"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("beställd"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("startad"))
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Senast jobbet skickades till en arbetare eller rapporterade framsteg."),
        verbose_name=_("senaste livstecken"),
    )
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("klar"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("tas bort"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_at_most_100")
        ]
        verbose_name = _("export")
        verbose_name_plural = _("exporter")

    def __str__(self):
        return f"{self.kind} {self.round} ({self.get_state_display()})"


# --------------------------------------------------------------------------------------------------
# Audit trail
# --------------------------------------------------------------------------------------------------


class AuditEvent(models.Model):
    """Who did what, and when (granskningslogg): one row per staff action or data-protection step.
    Written only through `surveys.services.audit.audit_record`; never edited or deleted."""

    created_at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utförd av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        _("utförd av (namn)"), max_length=200, blank=True, help_text=_("Behålls om användaren tas bort.")
    )
    action = models.CharField(_("åtgärd"), max_length=60, db_index=True)
    round = models.ForeignKey(
        "SurveyRound",
        verbose_name=_("enkätomgång"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    target = models.CharField(_("gäller"), max_length=300, blank=True)
    detail = models.JSONField(_("detaljer"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("händelse i granskningsloggen")
        verbose_name_plural = _("granskningslogg")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"


class Heartbeat(models.Model):
    """The last sign of life of a background process: the scheduler's tick and each worker. Kept in the
    database so it survives a Redis restart; /healthz/status judges it against a threshold."""

    class Kind(models.TextChoices):
        SCHEDULER = "scheduler", _("schemaläggare")
        WORKER = "worker", _("arbetsprocess")

    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("namn"), max_length=200, unique=True)
    last_seen_at = models.DateTimeField(_("senast"))

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("livstecken")
        verbose_name_plural = _("livstecken")

    def __str__(self):
        return f"{self.name} ({self.last_seen_at:%Y-%m-%d %H:%M:%S})"
