"""The Django admin: every model, with the filters and searches a coordinator reaches for.

The admin is not a second write path: what a service owns (round states, responses, links, e-mails,
exports, index results, roles) changes here only through actions that call the service, and is read-only
otherwise. Nothing here deletes answers. Only a superuser manages users, roles, groups and API tokens."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from . import models
from .permissions import can_read_rounds
from .services import export_jobs
from .services import programmes as plan_service
from .services import rounds as round_services
from .services.roles import user_set_role
from .staff.forms import add_service_errors

admin.site.site_header = _("Årsrunda – administration")
admin.site.site_title = _("Årsrunda – administration")
admin.site.index_title = _("Administration")


def _error_text(error):
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


class SuperuserOnlyMixin:
    """Users, groups and API tokens grant rights: only a superuser sees or changes them here."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ServiceOwnedMixin:
    """A model whose every write belongs to a service: read-only here (no add, change or delete); its
    actions call the service and need the model's "change" permission (`permissions=["service"]`)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_service_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class ServiceOwnedInline(ServiceOwnedMixin, admin.TabularInline):
    """Rows a service writes, listed on their parent's page: nothing to add, change or delete here."""

    extra = 0
    can_delete = False


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    """Only a superuser creates users or changes roles, flags, permissions or passwords; the group follows
    the role (surveys.services.roles.user_set_role). A system manager may look at the users."""

    list_display = ["username", "email", "role", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "is_superuser"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personlig information"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Roll och rättigheter"),
            {"fields": ("role", "organisations", "is_active", "is_superuser", "is_staff", "groups")},
        ),
        (_("Särskilda rättigheter"), {"fields": ("user_permissions",), "classes": ("collapse",)}),
        (_("Viktiga datum"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Årsrunda"), {"fields": ["role", "email"]}),)
    # The group and the admin login follow the role.
    readonly_fields = ["is_staff", "groups", "last_login", "date_joined"]
    filter_horizontal = ["organisations", "user_permissions"]

    def _superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        # A system manager may look (its group's view permission); a stray permission gives no one else.
        if request.user.is_active and request.user.role != models.Role.ADMIN:
            return self._superuser(request)
        return super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)

    def user_change_password(self, request, id, form_url=""):
        if not self._superuser(request):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not self._superuser(request):
            raise PermissionDenied
        role = obj.role
        if change:
            # The service changes the role (and records it); the form saves everything else.
            obj.role = models.User.objects.values_list("role", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=role, actor=request.user)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyMixin, BaseGroupAdmin):
    pass


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(SuperuserOnlyMixin, BaseTokenAdmin):
    pass


class ContactInline(admin.TabularInline):
    model = models.Contact
    extra = 0
    # Deleting here would skip the check the contact's own delete page makes (its links, who submitted).
    can_delete = False


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "aliases", "contacts__email"]
    autocomplete_fields = ["parent"]
    inlines = [ContactInline]


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "is_active"]
    list_filter = ["is_active", "organisation__kind"]
    search_fields = ["name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


class GoalAreaInline(admin.TabularInline):
    model = models.GoalArea
    extra = 0


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "start_year", "end_year"]
    search_fields = ["name", "owner"]
    inlines = [GoalAreaInline]


class FocusAreaInline(admin.TabularInline):
    model = models.FocusArea
    extra = 0


@admin.register(models.GoalArea)
class GoalAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "programme"]
    list_filter = ["programme"]
    search_fields = ["title", "number"]
    inlines = [FocusAreaInline]


@admin.register(models.FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "goal_area"]
    list_filter = ["goal_area__programme"]
    search_fields = ["title", "number"]


class PlanRowForm(forms.ModelForm):
    """An activity or indicator typed here meets the rules the API and the plan import apply (known
    groups only), with the same Swedish message beside the field."""

    def clean(self):
        cleaned = super().clean()
        try:
            plan_service.plan_row_groups_check(
                lead_group=cleaned.get("lead_group") or "", co_groups=cleaned.get("co_groups") or ()
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class IndicatorInline(admin.StackedInline):
    model = models.Indicator
    form = PlanRowForm
    extra = 0
    autocomplete_fields = ["lead", "co_responsible"]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    form = PlanRowForm
    list_display = ["number", "title", "goal_area", "focus_area", "lead", "frequency"]
    list_filter = ["goal_area__programme", "goal_area", "lead"]
    search_fields = ["title", "description", "number", "lead__name", "co_responsible__name"]
    autocomplete_fields = ["lead", "co_responsible", "goal_area", "focus_area"]
    list_select_related = ["goal_area", "focus_area", "lead"]
    inlines = [IndicatorInline]


@admin.register(models.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = PlanRowForm
    list_display = ["text", "activity", "unit", "target", "due_date", "gender_split", "lead"]
    list_filter = ["gender_split", "activity__goal_area__programme"]
    search_fields = ["text", "activity__title"]
    autocomplete_fields = ["activity", "lead", "co_responsible"]
    list_select_related = ["activity", "lead"]


class VersionInline(admin.TabularInline):
    model = models.QuestionnaireVersion
    extra = 0
    can_delete = False  # a version is deleted on its own page, where what would go with it is shown
    fields = ["number", "label", "frozen_at"]
    readonly_fields = ["frozen_at"]
    show_change_link = True


@admin.register(models.Questionnaire)
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
    model = models.Section
    extra = 0


@admin.register(models.QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "questionnaire", "number", "label", "frozen_at"]
    list_filter = ["questionnaire"]
    search_fields = ["label", "questionnaire__name"]
    filter_horizontal = ["comparable_with"]
    readonly_fields = ["frozen_at"]
    inlines = [SectionInline]

    def get_inlines(self, request, obj):
        return [] if obj and obj.is_frozen else self.inlines

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class OptionInline(admin.TabularInline):
    model = models.Option
    extra = 0


@admin.register(models.Question)
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
    model = models.ScoringCategory
    extra = 0


@admin.register(models.ScoringScheme)
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


@admin.register(models.ScoringCategory)
class ScoringCategoryAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["code", "name", "cap", "parent", "scheme"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]

    def _version_of(self, obj):
        return obj.scheme.version


@admin.register(models.ScoringRule)
class ScoringRuleAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["question", "option_code", "min_value", "points", "category"]
    list_filter = ["scheme", "category"]
    search_fields = ["question__code"]
    list_select_related = ["question", "category"]
    raw_id_fields = ["question"]

    def _version_of(self, obj):
        return obj.scheme.version


class AssignmentInline(ServiceOwnedInline):
    """Recipients are added and removed through the round's services (the API); a removed recipient
    keeps its answers. Here they are only listed."""

    model = models.Assignment
    fields = ["organisation", "deadline_override", "first_opened_at", "last_activity_at", "removed_at"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "round")


def _run_state_action(modeladmin, request, queryset, service, done):
    """Apply a round service to each selected round; illegal transitions are reported, not raised."""
    for survey_round in queryset:
        try:
            getattr(round_services, service)(survey_round=survey_round, actor=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, f"{survey_round}: {_error_text(error)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{survey_round}: {done}", messages.SUCCESS)


@admin.action(description=_("Schemalägg"), permissions=["change"])
def schedule_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_schedule", _("schemalagd"))


@admin.action(description=_("Ta tillbaka schemaläggningen"), permissions=["change"])
def unschedule_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_unschedule", _("tillbaka som utkast"))


@admin.action(description=_("Öppna nu (skickar inbjudningar)"), permissions=["change"])
def open_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_open_now", _("öppnad"))


@admin.action(description=_("Stäng nu"), permissions=["change"])
def close_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_close_early", _("stängd"))


@admin.action(description=_("Publicera"), permissions=["change"])
def publish_rounds(modeladmin, request, queryset):
    _run_state_action(modeladmin, request, queryset, "round_publish", _("publicerad"))


# Fields a service sets; never typed in.
ROUND_SERVICE_FIELDS = ["state", "opened_at", "closed_at", "published_at", "created_at", "created_by"]
ROUND_FORM_FIELDS = [
    "name",
    "version",
    "programme",
    "year",
    "opens_at",
    "deadline",
    "grace_hours",
    "reminder_offsets",
    "invitation_subject",
    "invitation_body",
    "reminder_subject",
    "reminder_body",
    "digest_to",
    # The named coordinator: every e-mail's Reply-To and signature, and the contact on respondents' pages.
    *models.ROUND_COORDINATOR_FIELDS,
    "show_preliminary_result",
]


class SurveyRoundForm(forms.ModelForm):
    """Checks a change with the round service's own rules (state, schedule, e-mail templates), so the
    form shows the same Swedish messages as the API and keeps what was typed."""

    class Meta:
        model = models.SurveyRound
        fields = ROUND_FORM_FIELDS

    def changed_fields(self):
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk:
            checks = [
                lambda: round_services.validate_round_update(
                    survey_round=self.instance, fields=self.changed_fields()
                )
            ]
        else:
            checks = [
                lambda: round_services.validate_round_fields(
                    opens_at=cleaned.get("opens_at"),
                    deadline=cleaned.get("deadline"),
                    reminder_offsets=cleaned.get("reminder_offsets"),
                    grace_hours=cleaned.get("grace_hours"),
                    digest_to=cleaned.get("digest_to"),
                    templates=cleaned,
                    coordinator_email=cleaned.get("coordinator_email"),
                ),
            ]
        for check in checks:
            try:
                check()
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


@admin.register(models.SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    """Progress at a glance: counts by status, response rate and days left in the list. The state changes
    only by the actions; a round that is not a draft keeps its version, year and programme."""

    form = SurveyRoundForm
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
    fields = [*ROUND_FORM_FIELDS, *ROUND_SERVICE_FIELDS, "preview"]
    inlines = [AssignmentInline]
    actions = [
        schedule_rounds,
        unschedule_rounds,
        open_rounds,
        close_rounds,
        publish_rounds,
        "request_workbook",
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = [*ROUND_SERVICE_FIELDS, "preview"]
        if obj is None:
            return [*fixed, "programme"]  # the version's programme (round_create)
        if obj.state == models.SurveyRound.State.DRAFT:
            return fixed
        if obj.state == models.SurveyRound.State.SCHEDULED:
            return [*fixed, "version", "year", "programme"]
        if obj.state == models.SurveyRound.State.OPEN:
            return [*fixed, *(f for f in ROUND_FORM_FIELDS if f not in round_services.EDITABLE_WHILE_OPEN)]
        return [*fixed, *ROUND_FORM_FIELDS]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A round holds answers (public records) from the moment it has recipients; the API deletes none.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            data = dict(form.cleaned_data)
            data.pop("programme", None)  # the version's (round_create)
            saved = round_services.round_create(
                version=data.pop("version"),
                year=data.pop("year"),
                opens_at=data.pop("opens_at"),
                deadline=data.pop("deadline"),
                name=data.pop("name", ""),
                reminder_offsets=data.pop("reminder_offsets", None),
                grace_hours=data.pop("grace_hours", 0),
                created_by=request.user,
                **data,
            )
            obj.pk = saved.pk
            obj._state.adding = False
            return
        try:
            round_services.round_update(survey_round=obj, actor=request.user, **form.changed_fields())
        except ValidationError as error:
            # The state changed between the form's check and the save (a tick, another coordinator).
            self.message_user(request, _error_text(error), messages.ERROR)

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
        if obj is None or obj.pk is None:
            return "–"
        try:
            texts = round_services.preview(survey_round=obj)
        except ValidationError as error:
            return _error_text(error)
        return format_html_join(
            "",
            "<p><strong>{}</strong></p><pre style='white-space: pre-wrap'>{}</pre>",
            ((t["subject"], t["body"]) for t in texts.values()),
        )


@admin.action(description=_("Öppna svaret igen"), permissions=["service"])
def reopen_assignments(modeladmin, request, queryset):
    for assignment in queryset.select_related("round", "organisation"):
        try:
            round_services.reopen_response(assignment=assignment, user=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, f"{assignment}: {_error_text(error)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{assignment}: {_('öppnat igen')}", messages.SUCCESS)


@admin.action(description=_("Ta bort ur omgången (svaren behålls)"), permissions=["service"])
def remove_assignments(modeladmin, request, queryset):
    for assignment in queryset.select_related("round", "organisation"):
        try:
            round_services.remove_recipient(
                survey_round=assignment.round, organisation=assignment.organisation, actor=request.user
            )
        except ValidationError as error:
            modeladmin.message_user(request, f"{assignment}: {_error_text(error)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{assignment}: {_('borttagen ur omgången')}", messages.SUCCESS)


@admin.register(models.Assignment)
class AssignmentAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    """Recipients come and go with the round's services; a deadline moves with extend (the API)."""

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
    fields = [
        "round",
        "organisation",
        "deadline_override",
        "first_opened_at",
        "last_activity_at",
        "removed_at",
    ]
    readonly_fields = fields
    actions = [reopen_assignments, remove_assignments]

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


class AnswerInline(ServiceOwnedInline):
    model = models.Answer
    fields = ["question", "value", "prefilled", "updated_by", "updated_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "updated_by")


class RevisionInline(ServiceOwnedInline):
    model = models.ResponseRevision
    fields = ["version", "action", "contact", "user", "created_at", "changes"]
    readonly_fields = fields
    can_delete = False


@admin.action(description=_("Skicka in (som samordnare)"), permissions=["service"])
def submit_responses(modeladmin, request, queryset):
    from .services.responses import ResponseLocked, SubmitRefused, submit_response

    for response in queryset.select_related("assignment__organisation", "assignment__round"):
        try:
            done = submit_response(response=response, user=request.user)
        except SubmitRefused as refused:
            codes = ", ".join(str(getattr(q, "code", q)) for q in refused.missing)
            text = _("Kan inte skickas in: obligatoriska eller ogiltiga svar saknas (%(codes)s).")
            modeladmin.message_user(request, f"{response}: {text % {'codes': codes}}", messages.ERROR)
        except ResponseLocked:
            text = _("Svaret kan inte skickas in längre (omgången är inte öppen).")
            modeladmin.message_user(request, f"{response}: {text}", messages.ERROR)
        else:
            text = _("inskickat") if done else _("var redan inskickat")
            modeladmin.message_user(
                request, f"{response}: {text}", messages.SUCCESS if done else messages.INFO
            )


@admin.action(description=_("Öppna igen"), permissions=["service"])
def reopen_responses(modeladmin, request, queryset):
    reopen_assignments(modeladmin, request, models.Assignment.objects.filter(response__in=queryset))


@admin.register(models.Response)
class ResponseAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    """Submitted answers are public records: they can be read here, never changed or deleted. Submitting
    and reopening are actions that call the answering rules (each leaves a revision)."""

    list_display = ["assignment", "state", "version", "submitted_at", "updated_at"]
    list_filter = ["state", "assignment__round"]
    search_fields = ["assignment__organisation__name"]
    list_select_related = ["assignment__organisation", "assignment__round"]
    fields = ["assignment", "state", "version", "submitted_at", "submitted_by", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [AnswerInline, RevisionInline]
    actions = [submit_responses, reopen_responses]


@admin.register(models.ResponseRevision)
class ResponseRevisionAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    list_display = ["response", "version", "action", "contact", "user", "created_at"]
    list_filter = ["action", "response__assignment__round"]
    search_fields = ["response__assignment__organisation__name", "contact__email"]
    list_select_related = [
        "response__assignment__organisation",
        "response__assignment__round",
        "contact",
        "user",
    ]


@admin.action(description=_("Återkalla länken"), permissions=["service"])
def revoke_links(modeladmin, request, queryset):
    from .services.tokens import revoke_link

    now = timezone.now()
    count = 0
    for token in queryset.filter(revoked_at=None).select_related(
        "assignment__organisation", "assignment__round", "contact"
    ):
        revoke_link(token=token, now=now, actor=request.user)  # recorded in the audit trail
        count += 1
    modeladmin.message_user(request, _("%(count)s länkar återkallade.") % {"count": count}, messages.SUCCESS)


@admin.register(models.AccessToken)
class AccessTokenAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    """Links are issued by the token service and sent by e-mail (the API's "ny länk"); the raw link is
    never stored, so none can be added here."""

    list_display = ["contact", "assignment", "created_at", "revoked_at", "last_used_at"]
    list_filter = ["assignment__round"]
    search_fields = ["contact__email", "assignment__organisation__name"]
    list_select_related = ["contact__organisation", "assignment__round", "assignment__organisation"]
    fields = ["contact", "assignment", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    actions = [revoke_links]


@admin.register(models.IndexResult)
class IndexResultAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    list_display = ["assignment", "total", "scaled", "rank", "preliminary", "computed_at"]
    list_filter = ["assignment__round", "preliminary"]
    search_fields = ["assignment__organisation__name"]
    list_select_related = ["assignment__organisation", "assignment__round"]
    fields = ["assignment", "scheme", "categories", "total", "scaled", "rank", "preliminary", "computed_at"]
    readonly_fields = fields


@admin.action(description=_("Skicka igen"), permissions=["service"])
def retry_emails(modeladmin, request, queryset):
    from .services.outbox import retry

    for row in queryset.select_related("contact"):
        try:
            retry(row=row, now=timezone.now(), actor=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, f"{row.to_email}: {_error_text(error)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{row.to_email}: {_('skickas igen')}", messages.SUCCESS)


@admin.register(models.OutboundEmail)
class OutboundEmailAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    list_display = ["key", "kind", "to_email", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind", "round"]
    search_fields = ["key", "to_email"]
    fields = [
        "key",
        "kind",
        "to_email",
        "contact",
        "assignment",
        "round",
        "step",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = [retry_emails]


@admin.register(models.ExportJob)
class ExportJobAdmin(ServiceOwnedMixin, admin.ModelAdmin):
    """Exports are requested with the round list's action (or the API) and built by a worker."""

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
    fields = [
        "round",
        "kind",
        "state",
        "progress",
        "requested_by",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
        "download",
    ]
    readonly_fields = fields

    @admin.display(description=_("fil"))
    def download(self, obj):
        if obj.state != models.ExportJob.State.DONE or not obj.file:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("export-download", args=[obj.pk]), _("Ladda ner"))
