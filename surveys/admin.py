"""The Django admin: every model, with the filters and searches a coordinator reaches for."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import models as m
from .permissions import can_read_rounds
from .services import export_jobs


@admin.register(m.User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "is_superuser"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Årsrunda"), {"fields": ["role", "organisations"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Årsrunda"), {"fields": ["role"]}),)
    filter_horizontal = ["organisations", "groups", "user_permissions"]


class ContactInline(admin.TabularInline):
    model = m.Contact
    extra = 0


@admin.register(m.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "aliases", "contacts__email"]
    autocomplete_fields = ["parent"]
    inlines = [ContactInline]


@admin.register(m.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "is_active"]
    list_filter = ["is_active", "organisation__kind"]
    search_fields = ["name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


class GoalAreaInline(admin.TabularInline):
    model = m.GoalArea
    extra = 0


@admin.register(m.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "start_year", "end_year"]
    search_fields = ["name", "owner"]
    inlines = [GoalAreaInline]


class FocusAreaInline(admin.TabularInline):
    model = m.FocusArea
    extra = 0


@admin.register(m.GoalArea)
class GoalAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "programme"]
    list_filter = ["programme"]
    search_fields = ["title", "number"]
    inlines = [FocusAreaInline]


@admin.register(m.FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "goal_area"]
    list_filter = ["goal_area__programme"]
    search_fields = ["title", "number"]


class IndicatorInline(admin.StackedInline):
    model = m.Indicator
    extra = 0
    autocomplete_fields = ["lead", "co_responsible"]


@admin.register(m.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "goal_area", "focus_area", "lead", "frequency"]
    list_filter = ["goal_area__programme", "goal_area", "lead"]
    search_fields = ["title", "description", "number", "lead__name", "co_responsible__name"]
    autocomplete_fields = ["lead", "co_responsible", "goal_area", "focus_area"]
    list_select_related = ["goal_area", "focus_area", "lead"]
    inlines = [IndicatorInline]


@admin.register(m.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["text", "activity", "unit", "target", "due_date", "gender_split", "lead"]
    list_filter = ["gender_split", "activity__goal_area__programme"]
    search_fields = ["text", "activity__title"]
    autocomplete_fields = ["activity", "lead", "co_responsible"]
    list_select_related = ["activity", "lead"]


class VersionInline(admin.TabularInline):
    model = m.QuestionnaireVersion
    extra = 0
    fields = ["number", "label", "frozen_at"]
    readonly_fields = ["frozen_at"]
    show_change_link = True


@admin.register(m.Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "programme"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [VersionInline]


class FrozenVersionMixin:
    """Once a round has used a version it is immutable: questions, options and scoring become read-only."""

    def _version_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._version_of(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._version_of(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class SectionInline(admin.TabularInline):
    model = m.Section
    extra = 0


@admin.register(m.QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "questionnaire", "number", "label", "frozen_at"]
    list_filter = ["questionnaire"]
    search_fields = ["label", "questionnaire__name"]
    filter_horizontal = ["comparable_with"]
    readonly_fields = ["frozen_at"]
    inlines = [SectionInline]

    def get_inlines(self, request, obj):
        return [] if obj and obj.is_frozen else self.inlines


class OptionInline(admin.TabularInline):
    model = m.Option
    extra = 0


@admin.register(m.Question)
class QuestionAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["code", "text", "type", "required", "section", "version"]
    list_filter = ["version__questionnaire", "version", "type", "required"]
    search_fields = ["code", "text"]
    list_select_related = ["section", "version__questionnaire"]
    raw_id_fields = ["condition_question", "activity", "indicator", "section", "version"]
    inlines = [OptionInline]

    def _version_of(self, obj):
        return obj.version


class CategoryInline(admin.TabularInline):
    model = m.ScoringCategory
    extra = 0


@admin.register(m.ScoringScheme)
class ScoringSchemeAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["name", "version", "scale_to"]
    readonly_fields = ["problems"]
    inlines = [CategoryInline]

    @admin.display(description=_("problem"))
    def problems(self, obj):
        """What scheme_problems finds, so the coordinator sees it before a round starts."""
        from .services.schemes import scheme_problems

        if obj is None or obj.pk is None:
            return "–"
        found = scheme_problems(obj.version)
        if not found:
            return _("Inga problem hittades.")
        return format_html_join(mark_safe("<br>"), "{}", ((p.message,) for p in found))

    def _version_of(self, obj):
        return obj.version


@admin.register(m.ScoringCategory)
class ScoringCategoryAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["code", "name", "cap", "parent", "scheme"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]

    def _version_of(self, obj):
        return obj.scheme.version


@admin.register(m.ScoringRule)
class ScoringRuleAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["question", "option_code", "min_value", "points", "category"]
    list_filter = ["scheme", "category"]
    search_fields = ["question__code"]
    list_select_related = ["question", "category"]
    raw_id_fields = ["question"]

    def _version_of(self, obj):
        return obj.scheme.version


class AssignmentInline(admin.TabularInline):
    model = m.Assignment
    extra = 0
    fields = ["organisation", "deadline_override", "first_opened_at", "last_activity_at", "removed_at"]
    readonly_fields = ["first_opened_at", "last_activity_at"]
    autocomplete_fields = ["organisation"]
    show_change_link = True


def _run_state_action(modeladmin, request, queryset, service, done):
    """Apply a round service to each selected round; illegal transitions are reported, not raised."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    from .services import rounds as round_services

    for survey_round in queryset:
        try:
            getattr(round_services, service)(survey_round=survey_round)
        except ValidationError as error:
            modeladmin.message_user(request, f"{survey_round}: {' '.join(error.messages)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{survey_round}: {done}", messages.SUCCESS)


@admin.action(description=_("Schemalägg"))
def schedule_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_schedule", _("schemalagd"))


@admin.action(description=_("Öppna nu (skickar inbjudningar)"))
def open_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_open_now", _("öppnad"))


@admin.action(description=_("Stäng nu"))
def close_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_close_early", _("stängd"))


@admin.action(description=_("Publicera"))
def publish_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_publish", _("publicerad"))


@admin.register(m.SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    """Progress at a glance: counts by status, response rate and days left in the list."""

    list_display = [
        "name",
        "year",
        "state",
        "opens_at",
        "deadline",
        "recipients",
        "not_opened",
        "in_progress",
        "submitted",
        "reopened",
        "response_rate",
        "days_left",
    ]
    list_filter = ["state", "year", "version__questionnaire"]
    search_fields = ["name"]
    date_hierarchy = "opens_at"
    readonly_fields = [
        "state",
        "opened_at",
        "closed_at",
        "published_at",
        "created_at",
        "created_by",
        "preview",
    ]
    inlines = [AssignmentInline]
    actions = [schedule_rounds, open_rounds, close_rounds, publish_rounds, "request_workbook"]

    @admin.action(description=_("Begär Excel-sammanställning (export)"))
    def request_workbook(self, request, queryset):
        if not can_read_rounds(request.user):
            self.message_user(request, _("Du saknar behörighet att exportera."), messages.ERROR)
            return
        for survey_round in queryset.select_related("version"):
            job, created = export_jobs.request_export(survey_round=survey_round, user=request.user)
            text = (
                _("Export av %(round)s är beställd (jobb %(job)s).")
                if created
                else _("%(round)s är oförändrad: den färdiga exporten (jobb %(job)s) används.")
            )
            self.message_user(request, text % {"round": survey_round, "job": job.pk}, messages.SUCCESS)

    def get_queryset(self, request):
        from .selectors import rounds_with_progress

        return rounds_with_progress()

    @admin.display(description=_("mottagare"), ordering="n_total")
    def recipients(self, obj):
        return obj.n_total

    @admin.display(description=_("ej öppnade"), ordering="n_not_opened")
    def not_opened(self, obj):
        return obj.n_not_opened

    @admin.display(description=_("påbörjade"), ordering="n_in_progress")
    def in_progress(self, obj):
        return obj.n_in_progress

    @admin.display(description=_("inskickade"), ordering="n_submitted")
    def submitted(self, obj):
        return obj.n_submitted

    @admin.display(description=_("återöppnade"), ordering="n_reopened")
    def reopened(self, obj):
        return obj.n_reopened

    @admin.display(description=_("svarsfrekvens"))
    def response_rate(self, obj):
        return f"{obj.n_submitted / obj.n_total:.0%}" if obj.n_total else "–"

    @admin.display(description=_("dagar kvar"))
    def days_left(self, obj):
        from .selectors import progress_of

        days = progress_of(obj)["days_left"]
        return "–" if days is None else days

    @admin.display(description=_("förhandsvisning av e-post"))
    def preview(self, obj):
        from django.core.exceptions import ValidationError
        from django.utils.html import format_html_join

        from .services.rounds import preview

        if obj is None or obj.pk is None:
            return "–"
        try:
            texts = preview(survey_round=obj)
        except ValidationError as error:
            return " ".join(error.messages)
        return format_html_join(
            "",
            "<p><strong>{}</strong></p><pre style='white-space: pre-wrap'>{}</pre>",
            ((t["subject"], t["body"]) for t in texts.values()),
        )


@admin.register(m.Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "round",
        "progress_status",
        "deadline_override",
        "last_activity_at",
        "emails_sent",
        "emails_failed",
    ]
    list_filter = ["round", "organisation__kind", "response__state"]
    search_fields = ["organisation__name", "round__name"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        from .selectors import assignments_with_progress

        return assignments_with_progress()

    @admin.display(description=_("status"), ordering="status")
    def progress_status(self, obj):
        return {
            "not_opened": _("Ej öppnad"),
            "in_progress": _("Påbörjad"),
            "submitted": _("Inskickad"),
            "reopened": _("Återöppnad"),
        }[obj.status]

    @admin.display(description=_("e-post skickad"), ordering="emails_sent")
    def emails_sent(self, obj):
        return obj.emails_sent

    @admin.display(description=_("e-post misslyckad"), ordering="emails_failed")
    def emails_failed(self, obj):
        return obj.emails_failed


class AnswerInline(admin.TabularInline):
    model = m.Answer
    extra = 0
    fields = ["question", "value", "prefilled", "updated_by", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "updated_by")

    def has_add_permission(self, request, obj=None):
        return False


class RevisionInline(admin.TabularInline):
    model = m.ResponseRevision
    extra = 0
    fields = ["version", "action", "contact", "user", "created_at", "changes"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Response)
class ResponseAdmin(admin.ModelAdmin):
    """Submitted answers are public records: they can be read here, never deleted."""

    list_display = ["assignment", "state", "version", "submitted_at", "updated_at"]
    list_filter = ["state", "assignment__round"]
    search_fields = ["assignment__organisation__name"]
    list_select_related = ["assignment__organisation", "assignment__round"]
    readonly_fields = ["assignment", "version", "submitted_at", "submitted_by", "created_at", "updated_at"]
    inlines = [AnswerInline, RevisionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.ResponseRevision)
class ResponseRevisionAdmin(admin.ModelAdmin):
    list_display = ["response", "version", "action", "contact", "user", "created_at"]
    list_filter = ["action", "response__assignment__round"]
    search_fields = ["response__assignment__organisation__name", "contact__email"]
    list_select_related = [
        "response__assignment__organisation",
        "response__assignment__round",
        "contact",
        "user",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["contact", "assignment", "created_at", "revoked_at", "last_used_at"]
    list_filter = ["assignment__round"]
    search_fields = ["contact__email", "assignment__organisation__name"]
    list_select_related = ["contact__organisation", "assignment__round", "assignment__organisation"]
    readonly_fields = ["token_hash", "created_at", "last_used_at"]
    exclude = []


@admin.register(m.IndexResult)
class IndexResultAdmin(admin.ModelAdmin):
    list_display = ["assignment", "total", "scaled", "rank", "preliminary", "computed_at"]
    list_filter = ["assignment__round", "preliminary"]
    search_fields = ["assignment__organisation__name"]
    list_select_related = ["assignment__organisation", "assignment__round"]


@admin.action(description=_("Skicka igen"))
def retry_emails(modeladmin, request, queryset):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from .services.outbox import retry

    for row in queryset.select_related("contact"):
        try:
            retry(row=row, now=timezone.now())
        except ValidationError:
            continue


@admin.register(m.OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "to_email", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind", "round"]
    search_fields = ["key", "to_email"]
    readonly_fields = ["key", "created_at", "claimed_at", "sent_at", "attempts"]
    actions = [retry_emails]


@admin.register(m.ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "round",
        "kind",
        "state",
        "progress",
        "requested_by",
        "created_at",
        "finished_at",
        "download",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["round", "requested_by"]
    readonly_fields = ["progress", "error", "fingerprint", "started_at", "finished_at", "download"]

    @admin.display(description=_("fil"))
    def download(self, obj):
        if obj.state != m.ExportJob.State.DONE or not obj.file:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("export-download", args=[obj.pk]), _("Ladda ner"))
