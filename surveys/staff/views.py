"""The staff pages: coordinators and the central office's readers in the browser (Swedish, server-rendered,
working without JavaScript). Pages read through selectors and write through the same services as the API;
every action has a confirmation page (GET) and is done by a POST, recorded in the audit trail by its service."""

import copy
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Model
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exports import plan_io, questionnaire_workbook
from exports.xlsx_safety import XLSX_CONTENT_TYPE, UnsafeWorkbook

from .. import selectors_staff as reads
from ..models import (
    ROUND_TEMPLATE_FIELDS,
    AccessToken,
    Assignment,
    ExportJob,
    Programme,
    Questionnaire,
    QuestionnaireVersion,
    SurveyRound,
)
from ..permissions import is_coordinator
from ..services import email_templates, export_jobs, rounds, tokens
from ..services import programmes as plan_service
from ..services import questionnaires as questionnaire_service
from ..services.audit import audit_when
from ..services.deadlines import format_deadline
from ..services.plan_names import organisation_alias_accept
from . import forms
from .access import coordinator_required, staff_required

# --------------------------------------------------------------------------------------------------
# Logging in and out, password reset (Django's views, Swedish templates)
# --------------------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "surveys/staff/auth/login.html"
    authentication_form = forms.StaffLoginForm
    redirect_authenticated_user = False
    next_page = reverse_lazy("staff:start")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("staff:login")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "surveys/staff/auth/reset_form.html"
    form_class = forms.StaffPasswordResetForm
    email_template_name = "surveys/staff/auth/reset_email.txt"
    subject_template_name = "surveys/staff/auth/reset_subject.txt"
    success_url = reverse_lazy("staff:password-reset-sent")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "surveys/staff/auth/reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "surveys/staff/auth/reset_confirm.html"
    success_url = reverse_lazy("staff:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "surveys/staff/auth/reset_complete.html"


@require_GET
@staff_required
def start(request):
    """Each role's start page: the rounds (with actions for coordinators)."""
    return redirect("staff:rounds")


# --------------------------------------------------------------------------------------------------
# Reading: rounds, a round, its results and activity report
# --------------------------------------------------------------------------------------------------


def _round(pk):
    try:
        return reads.round_for_page(pk)
    except SurveyRound.DoesNotExist:
        raise Http404("Omgången finns inte.") from None


@require_GET
@staff_required
def rounds_list(request):
    return render(
        request,
        "surveys/staff/rounds.html",
        {"groups": reads.rounds_by_programme(), "now": timezone.now()},
    )


def _count_rows(survey_round):
    counts = reads.status_counts(survey_round)
    return [(key, label, counts[key]) for key, label in reads.PROGRESS_STATUSES.items()]


@require_GET
@staff_required
def round_page(request, round_id):
    survey_round = _round(round_id)
    context = {
        "round": survey_round,
        "progress": reads.progress_of_round(survey_round),
        "count_rows": _count_rows(survey_round),
        "has_activities": survey_round.version.questionnaire.kind == Questionnaire.Kind.ACTIVITY,
    }
    if is_coordinator(request.user):
        context["log"] = reads.audit_log(survey_round)
        context["editable"] = survey_round.state in EDITABLE
        context["actions"] = [
            (slug, a) for slug, a in ROUND_ACTIONS.items() if survey_round.state in a.states
        ]
    return render(request, "surveys/staff/round.html", context)


@require_GET
@staff_required
def round_results(request, round_id):
    survey_round = _round(round_id)
    return render(
        request,
        "surveys/staff/results.html",
        {
            "round": survey_round,
            "results": reads.round_results(survey_round),
            "trend": reads.round_trend(survey_round),
        },
    )


@require_GET
@staff_required
def round_activities(request, round_id):
    survey_round = _round(round_id)
    return render(
        request,
        "surveys/staff/activities.html",
        {"round": survey_round, "report": reads.activity_report_by_goal(survey_round)},
    )


# --------------------------------------------------------------------------------------------------
# The workbook: ask, watch the progress, download
# --------------------------------------------------------------------------------------------------


@require_POST
@staff_required
def round_export(request, round_id):
    survey_round = get_object_or_404(SurveyRound, pk=round_id)
    job, _ = export_jobs.request_export(survey_round=survey_round, user=request.user)
    return redirect("staff:export", job_id=job.pk)


@require_GET
@never_cache
@staff_required
def export_page(request, job_id):
    job = get_object_or_404(ExportJob.objects.select_related("round"), pk=job_id)
    return render(request, "surveys/staff/export.html", {"job": job, "round": job.round})


@require_GET
@never_cache
@staff_required
def export_download(request, job_id):
    """The finished file, for the same people as the API's download (coordinators, admins, readers)."""
    job = get_object_or_404(ExportJob.objects.select_related("round"), pk=job_id)
    if job.state != ExportJob.State.DONE or not job.file:
        return redirect("staff:export", job_id=job.pk)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        return render(
            request, "surveys/staff/export.html", {"job": job, "round": job.round, "gone": True}, status=410
        )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export_jobs.workbook_filename(job),
        content_type=XLSX_CONTENT_TYPE,
    )


# --------------------------------------------------------------------------------------------------
# Coordinators: progress per organisation
# --------------------------------------------------------------------------------------------------


@require_GET
@coordinator_required
def progress(request, round_id):
    survey_round = _round(round_id)
    status = request.GET.get("status", "")
    sort = request.GET.get("sortera", "organisation")
    if sort.lstrip("-") not in reads.SORTS:
        sort = "organisation"
    descending = sort.startswith("-")
    rows = reads.progress_rows(survey_round, status=status, sort=sort.lstrip("-"), descending=descending)
    columns = [
        ("organisation", "Organisation"),
        ("status", "Status"),
        ("besvarade", "Besvarade frågor"),
        ("senast", "Senast aktiv"),
    ]
    headers = []
    for key, label in columns:
        current = sort.lstrip("-") == key
        next_sort = f"-{key}" if current and not descending else key
        query = f"?sortera={next_sort}" + (f"&status={status}" if status in reads.PROGRESS_STATUSES else "")
        headers.append(
            {
                "label": label,
                "url": query,
                "sort": ("descending" if descending else "ascending") if current else None,
            }
        )
    return render(
        request,
        "surveys/staff/progress.html",
        {
            "round": survey_round,
            "rows": rows,
            "status": status,
            "status_label": reads.PROGRESS_STATUSES.get(status, ""),
            "count_rows": _count_rows(survey_round),
            "headers": headers,
            "sort": sort,
            "question_total": reads.question_total(survey_round),
        },
    )


@require_GET
@coordinator_required
def assignment_page(request, round_id, assignment_id):
    survey_round = _round(round_id)
    try:
        assignment = reads.assignment_for_page(survey_round, assignment_id)
    except Assignment.DoesNotExist:
        raise Http404("Organisationen finns inte i omgången.") from None
    return render(
        request,
        "surveys/staff/assignment.html",
        {
            "round": survey_round,
            "assignment": assignment,
            "actions": [
                (slug, a) for slug, a in ASSIGNMENT_ACTIONS.items() if survey_round.state in a.states
            ],
            "question_total": reads.question_total(survey_round),
            "answered": reads.answered_count(assignment),
        },
    )


# --------------------------------------------------------------------------------------------------
# Coordinators: actions, each confirmed on a page of its own and recorded
# --------------------------------------------------------------------------------------------------

OPEN, SCHEDULED, DRAFT, CLOSED = (
    SurveyRound.State.OPEN,
    SurveyRound.State.SCHEDULED,
    SurveyRound.State.DRAFT,
    SurveyRound.State.CLOSED,
)


@dataclass
class Action:
    """One thing a coordinator can do. `run(request, round, assignment, form, target)` calls the service
    and returns the message shown afterwards; `audit` is the code its service records in the audit trail."""

    title: str
    button: str
    explain: str
    audit: str
    states: tuple
    run: Any
    form: Any = None
    target: str = ""  # "contact" or "link": the object named in the query string
    extra: dict = field(default_factory=dict)


def _id(value):
    """An id from a form or query string, or None: a number past the database's range is no id."""
    text = str(value or "")
    return int(text) if text.isdigit() and int(text) < 2**63 else None


def _contact(assignment, request):
    pk = _id(request.POST.get("kontakt") or request.GET.get("kontakt"))
    contact = assignment.organisation.contacts.filter(pk=pk).first() if pk else None
    if contact is None:
        raise Http404("Kontaktpersonen finns inte.")
    return contact


def _link(assignment, request):
    pk = _id(request.POST.get("lank") or request.GET.get("lank"))
    token = (
        AccessToken.objects.select_related("contact").filter(assignment=assignment, pk=pk).first()
        if pk
        else None
    )
    if token is None:
        raise Http404("Länken finns inte.")
    return token


def _open_now(request, survey_round, assignment, form, target):
    rounds.round_open_now(survey_round=survey_round, actor=request.user)
    return "Omgången är öppnad och inbjudningarna skickas."


def _schedule(request, survey_round, assignment, form, target):
    rounds.round_schedule(survey_round=survey_round, actor=request.user)
    return "Omgången är schemalagd. Den öppnas och inbjudningarna skickas vid öppningstiden."


def _unschedule(request, survey_round, assignment, form, target):
    rounds.round_unschedule(survey_round=survey_round, actor=request.user)
    return "Omgången är ett utkast igen."


def _remind(request, survey_round, assignment, form, target):
    queued = rounds.remind_now(survey_round=survey_round, assignment=assignment, actor=request.user)
    return f"{queued} påminnelser skickas." if queued != 1 else "1 påminnelse skickas."


def _extend(request, survey_round, assignment, form, target):
    deadline = form.deadline()
    rounds.extend_deadline(
        survey_round=survey_round, deadline=deadline, assignment=assignment, actor=request.user
    )
    return f"Sista svarsdag är nu {audit_when(deadline)}."


def _add(request, survey_round, assignment, form, target):
    organisation = form.cleaned_data["organisation"]
    rounds.add_recipient(survey_round=survey_round, organisation=organisation, actor=request.user)
    return f"{organisation.name} är tillagd som mottagare."


def _remove(request, survey_round, assignment, form, target):
    rounds.remove_recipient(
        survey_round=survey_round, organisation=assignment.organisation, actor=request.user
    )
    return f"{assignment.organisation.name} är borttagen ur omgången. Svar som redan finns sparas."


def _reopen(request, survey_round, assignment, form, target):
    rounds.reopen_response(assignment=assignment, user=request.user)
    return f"Svaret från {assignment.organisation.name} är öppnat igen."


def _close(request, survey_round, assignment, form, target):
    rounds.round_close_early(survey_round=survey_round, actor=request.user)
    return "Omgången är stängd."


def _publish(request, survey_round, assignment, form, target):
    rounds.round_publish(survey_round=survey_round, actor=request.user)
    return "Omgången är publicerad. Respondenterna ser nu sina resultat."


def _resend(request, survey_round, assignment, form, target):
    rounds.resend_invitation(assignment=assignment, contact=target, actor=request.user)
    return f"Inbjudan med en ny länk skickas till {target.name} ({target.email}). Tidigare länkar slutar fungera."


def _revoke(request, survey_round, assignment, form, target):
    tokens.revoke_link(token=target, actor=request.user)
    return f"Länken till {target.contact.name} fungerar inte längre."


ROUND_ACTIONS = {
    "schemalagg": Action(
        "Schemalägg omgången",
        "Schemalägg",
        "Omgången öppnas vid öppningstiden och inbjudningarna skickas då till alla mottagares kontaktpersoner.",
        "round.schedule",
        (DRAFT,),
        _schedule,
    ),
    "avschemalagg": Action(
        "Gör omgången till utkast igen",
        "Gör till utkast",
        "Omgången öppnas inte förrän den schemaläggs på nytt.",
        "round.unschedule",
        (SCHEDULED,),
        _unschedule,
    ),
    "oppna": Action(
        "Öppna omgången nu",
        "Öppna nu",
        "Omgången öppnas nu och inbjudningar skickas genast till alla mottagares kontaktpersoner.",
        "round.open",
        (DRAFT, SCHEDULED),
        _open_now,
    ),
    "paminn": Action(
        "Skicka påminnelse nu till alla som inte svarat",
        "Skicka påminnelse",
        "Alla kontaktpersoner hos organisationer som inte har skickat in får en påminnelse nu, med en "
        "rad om hur långt de har kommit.",
        "round.remind",
        (OPEN,),
        _remind,
    ),
    "forlang": Action(
        "Flytta sista svarsdag för hela omgången",
        "Flytta sista svarsdag",
        "Alla organisationer får den nya sista svarsdagen (utom de som redan har en egen, senare).",
        "round.extend",
        (DRAFT, SCHEDULED, OPEN),
        _extend,
        form=forms.DeadlineForm,
    ),
    "lagg-till": Action(
        "Lägg till en mottagare",
        "Lägg till",
        "Är omgången öppen får organisationens kontaktpersoner en inbjudan genast.",
        "round.recipient_add",
        (DRAFT, SCHEDULED, OPEN),
        _add,
        form=forms.OrganisationForm,
    ),
    "stang": Action(
        "Stäng omgången i förtid",
        "Stäng omgången",
        "Ingen kan längre svara eller skicka in. Väntande påminnelser stoppas och indexet räknas fram.",
        "round.close",
        (OPEN,),
        _close,
    ),
    "publicera": Action(
        "Publicera resultaten",
        "Publicera",
        "Respondenterna ser sina resultat jämförda med stadens medelvärde.",
        "round.publish",
        (CLOSED,),
        _publish,
    ),
}

ASSIGNMENT_ACTIONS = {
    "paminn": Action(
        "Skicka påminnelse nu till organisationen",
        "Skicka påminnelse",
        "Organisationens kontaktpersoner får en påminnelse nu, med en rad om hur långt de har kommit.",
        "assignment.remind",
        (OPEN,),
        _remind,
    ),
    "forlang": Action(
        "Ge organisationen en senare sista svarsdag",
        "Flytta sista svarsdag",
        "Bara den här organisationen får den nya sista svarsdagen.",
        "assignment.extend",
        (DRAFT, SCHEDULED, OPEN),
        _extend,
        form=forms.DeadlineForm,
    ),
    "oppna-igen": Action(
        "Öppna svaret igen",
        "Öppna svaret igen",
        "Organisationen kan ändra sitt inskickade svar och måste skicka in det på nytt.",
        "assignment.reopen",
        (OPEN,),
        _reopen,
    ),
    "ta-bort": Action(
        "Ta bort organisationen ur omgången",
        "Ta bort",
        "Organisationens länkar slutar fungera och e-post som inte har skickats stoppas. Svar som redan "
        "finns sparas (allmänna handlingar).",
        "round.recipient_remove",
        (DRAFT, SCHEDULED, OPEN),
        _remove,
    ),
    "skicka-inbjudan": Action(
        "Skicka inbjudan igen med en ny länk",
        "Skicka inbjudan",
        "Kontaktpersonen får inbjudan igen med en ny personlig länk. Personens tidigare länkar till "
        "omgången slutar fungera.",
        "assignment.resend_invitation",
        (OPEN,),
        _resend,
        target="contact",
    ),
    "aterkalla-lank": Action(
        "Återkalla en personlig länk",
        "Återkalla länken",
        "Länken slutar fungera direkt. Personen kan få en ny länk med ”Skicka inbjudan igen”.",
        "assignment.revoke_link",
        (DRAFT, SCHEDULED, OPEN, CLOSED, SurveyRound.State.PUBLISHED),
        _revoke,
        target="link",
    ),
}


def _errors(error):
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _act(request, survey_round, action, slug, *, assignment=None):
    target = None
    if action.target == "contact":
        target = _contact(assignment, request)
    elif action.target == "link":
        target = _link(assignment, request)
    form_kwargs = {}
    if action.form is forms.OrganisationForm:
        form_kwargs["organisations"] = reads.organisations_to_add(survey_round)
    form = None
    if action.form:
        form = action.form(request.POST if request.method == "POST" else None, **form_kwargs)
    problems = []
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            message = action.run(request, survey_round, assignment, form, target)
        except ValidationError as error:
            problems = _errors(error)
        else:
            messages.success(request, message)
            if assignment is not None and action.audit != "round.recipient_remove":
                return redirect("staff:assignment", round_id=survey_round.pk, assignment_id=assignment.pk)
            return redirect("staff:round", round_id=survey_round.pk)
    back = (
        reverse("staff:assignment", args=[survey_round.pk, assignment.pk])
        if assignment
        else reverse("staff:round", args=[survey_round.pk])
    )
    invalid = request.method == "POST"
    return render(
        request,
        "surveys/staff/confirm.html",
        {
            "round": survey_round,
            "assignment": assignment,
            "action": action,
            "slug": slug,
            "form": form,
            "target": target,
            "problems": problems,
            "back": back,
            "allowed": survey_round.state in action.states,
        },
        status=400 if invalid else 200,
    )


@require_http_methods(["GET", "POST"])
@coordinator_required
def round_action(request, round_id, action):
    survey_round = _round(round_id)
    if action not in ROUND_ACTIONS:
        raise Http404("Okänd åtgärd.")
    return _act(request, survey_round, ROUND_ACTIONS[action], action)


@require_http_methods(["GET", "POST"])
@coordinator_required
def assignment_action(request, round_id, assignment_id, action):
    survey_round = _round(round_id)
    if action not in ASSIGNMENT_ACTIONS:
        raise Http404("Okänd åtgärd.")
    assignment = get_object_or_404(
        Assignment.objects.select_related("organisation", "round"), round=survey_round, pk=assignment_id
    )
    return _act(request, survey_round, ASSIGNMENT_ACTIONS[action], action, assignment=assignment)


# --------------------------------------------------------------------------------------------------
# Coordinators: a new round, or last year's copied
# --------------------------------------------------------------------------------------------------


def _template_defaults():
    return {
        "invitation_subject": email_templates.DEFAULT_INVITATION_SUBJECT,
        "invitation_body": email_templates.DEFAULT_INVITATION_BODY,
        "reminder_subject": email_templates.DEFAULT_REMINDER_SUBJECT,
        "reminder_body": email_templates.DEFAULT_REMINDER_BODY,
    }


def _stored_templates(arguments):
    """A text left as the built-in default is stored empty, so it follows the default."""
    defaults = _template_defaults()
    for name, default in defaults.items():
        if name in arguments and arguments[name].replace("\r\n", "\n").strip() == default.strip():
            arguments[name] = ""
    return arguments


def _preview(arguments):
    """The invitation and a reminder as the first recipient would get them; errors by field."""
    unsaved = SurveyRound(
        name=arguments["name"] or arguments["version"].questionnaire.name,
        year=arguments["year"],
        deadline=arguments["deadline"],
        opens_at=arguments["opens_at"],
        version=arguments["version"],
    )
    overrides = {name: arguments[name] for name in ROUND_TEMPLATE_FIELDS}
    return rounds.preview(survey_round=unsaved, overrides=overrides)


@require_http_methods(["GET", "POST"])
@coordinator_required
def round_new(request):
    versions = reads.versions_to_choose()
    source = None
    if request.method == "GET":
        initial = {**_template_defaults()}
        copy = _id(request.GET.get("kopiera"))
        if copy:
            source = SurveyRound.objects.select_related("version").filter(pk=copy).first()
            if source is None:
                raise Http404("Omgången att kopiera finns inte.")
            copied = reads.copy_of(source)
            initial.update({k: v for k, v in copied.items() if v not in ("", None) or k.startswith("remind")})
        form = forms.RoundForm(initial=initial, versions=versions)
        return render(
            request,
            "surveys/staff/round_new.html",
            {"form": form, "source": source, "to_copy": reads.rounds_to_copy()},
        )
    form = forms.RoundForm(request.POST, versions=versions)
    preview = None
    problems = []
    if form.is_valid():
        arguments = form.service_arguments()
        try:
            if "preview" in request.POST:
                preview = _preview(arguments)
            else:
                survey_round = rounds.round_create(created_by=request.user, **_stored_templates(arguments))
                messages.success(request, "Omgången är skapad som utkast. Schemalägg den när allt stämmer.")
                return redirect("staff:round", round_id=survey_round.pk)
        except ValidationError as error:
            _form_errors(form, error)
            problems = form.non_field_errors()
    return render(
        request,
        "surveys/staff/round_new.html",
        {"form": form, "preview": preview, "problems": problems, "to_copy": reads.rounds_to_copy()},
        status=200 if preview else 400,
    )


# The round services' fields that the round forms name otherwise.
FIELD_OF = {"deadline": "deadline_on", "opens_at": "opens_on", "reminder_offsets": "remind_before"}


def _form_errors(form, error):
    forms.add_service_errors(form, error, FIELD_OF)


@require_POST
@coordinator_required
def round_preview(request):
    """The live preview of the e-mail texts (the page's script posts the form here while typing)."""
    form = forms.RoundForm(request.POST, versions=reads.versions_to_choose())
    return _preview_json(form, lambda: _preview(form.service_arguments()))


def _preview_json(form, build):
    """The live preview's answer: the e-mails `build()` renders, or the form's or service's errors."""
    if not form.is_valid():
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    try:
        return JsonResponse(build())
    except ValidationError as error:
        return JsonResponse(
            {"errors": error.message_dict if hasattr(error, "error_dict") else {"": error.messages}},
            status=400,
        )


# --------------------------------------------------------------------------------------------------
# Coordinators: an existing round edited (rounds.round_update, as the API's PATCH), confirmed, recorded
# --------------------------------------------------------------------------------------------------

EDITABLE = (DRAFT, SCHEDULED, OPEN)


def _edit_form(request, survey_round):
    initial = reads.round_form_values(survey_round)
    for name, default in _template_defaults().items():
        initial[name] = initial[name] or default
    return forms.RoundEditForm(request.POST if request.method == "POST" else None, initial=initial)


def _as_changed(survey_round, fields):
    """The round as it would be after `fields`, unsaved (for the preview)."""
    changed = copy.copy(survey_round)
    for name, value in fields.items():
        setattr(changed, name, value)
    return changed


def _shown(name, value):
    if name in ("opens_at", "deadline"):
        return format_deadline(value)
    if name == "reminder_offsets":
        before = ", ".join(str(-d) for d in sorted(value) if d < 0) or "inga"
        after = ", ".join(str(d) for d in sorted(value) if d >= 0) or "inga"
        return f"{before} dagar före, {after} efter sista svarsdag"
    if name in ROUND_TEMPLATE_FIELDS and not value:
        return "(standardtexten)"
    return "–" if value in ("", None) else str(value)


CHANGE_LABELS = {"opens_at": "Öppnar", "deadline": "Sista svarsdag", "reminder_offsets": "Påminnelser"}


def _change_rows(form, survey_round, fields):
    return [
        {
            "label": CHANGE_LABELS.get(name) or form.fields[name].label,
            "before": _shown(name, getattr(survey_round, name)),
            "after": _shown(name, value),
            "long": name.endswith("_body"),
        }
        for name, value in fields.items()
    ]


@require_http_methods(["GET", "POST"])
@coordinator_required
def round_edit(request, round_id):
    """The round's name, dates, reminders, e-mail texts and coordinator. "Granska ändringarna" shows
    what will change (the confirmation step); "Spara ändringarna" saves it through rounds.round_update,
    whose rules (nothing once closed, no dates once open) are shown beside the fields."""
    survey_round = _round(round_id)
    form = _edit_form(request, survey_round)
    context = {"round": survey_round, "form": form, "editable": survey_round.state in EDITABLE}
    if request.method == "GET" or "tillbaka" in request.POST:
        return render(request, "surveys/staff/round_edit.html", context)
    status = 400
    if form.is_valid():
        fields = _stored_templates(form.changes())
        try:
            if "preview" in request.POST:
                context["preview"] = _edit_preview(survey_round, form)
                status = 200
            elif not fields:
                form.add_error(
                    None, "Inget är ändrat. Ändra något i formuläret eller gå tillbaka till omgången."
                )
            elif "confirm" in request.POST:
                labels = ", ".join(row["label"].lower() for row in _change_rows(form, survey_round, fields))
                rounds.round_update(survey_round=survey_round, actor=request.user, **fields)
                messages.success(request, f"Omgången är ändrad: {labels}.")
                return redirect("staff:round", round_id=survey_round.pk)
            else:
                rounds.validate_round_update(survey_round=survey_round, fields=fields)
                context["changes"] = _change_rows(form, survey_round, fields)
                status = 200
        except ValidationError as error:
            _form_errors(form, error)
    return render(request, "surveys/staff/round_edit.html", context, status=status)


@require_POST
@coordinator_required
def round_edit_preview(request, round_id):
    """The live preview of an edited round's e-mail texts (the page's script posts the form here)."""
    survey_round = _round(round_id)
    form = _edit_form(request, survey_round)
    return _preview_json(form, lambda: _edit_preview(survey_round, form))


def _edit_preview(survey_round, form):
    overrides = {name: form.cleaned_data[name] for name in ROUND_TEMPLATE_FIELDS}
    changed = _as_changed(survey_round, _stored_templates(form.changes()))
    return rounds.preview(survey_round=changed, overrides=overrides)


# --------------------------------------------------------------------------------------------------
# Workbooks of plans and questionnaires: template, current, upload → check report → import
# --------------------------------------------------------------------------------------------------

UPLOADS = "staff-uploads"


def _xlsx(content, filename):
    response = FileResponse(
        ContentFile(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return response


@require_GET
@staff_required
def workbooks(request):
    programmes, questionnaires = reads.programmes_and_questionnaires()
    return render(
        request,
        "surveys/staff/workbooks.html",
        {
            "programmes": programmes,
            "questionnaires": questionnaires,
            "plan_form": forms.UploadForm(auto_id="plan_%s"),
            "questionnaire_form": forms.QuestionnaireUploadForm(auto_id="q_%s"),
        },
    )


@require_GET
@staff_required
def plan_template(request):
    return _xlsx(plan_io.template(), "plan-mall.xlsx")


@require_GET
@staff_required
def plan_download(request, programme_id):
    programme = get_object_or_404(Programme, pk=programme_id)
    return _xlsx(plan_service.export_plan(programme), f"plan-{slugify(programme.name)}.xlsx")


@require_GET
@staff_required
def questionnaire_template(request):
    return _xlsx(questionnaire_workbook.template(), "enkat-mall.xlsx")


@require_GET
@staff_required
def version_download(request, version_id):
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=version_id)
    name = slugify(f"{version.questionnaire.name}-v{version.number}")
    return _xlsx(questionnaire_service.export_version(version), f"{name}.xlsx")


def _keep_upload(request, upload, **about):
    """Keep the checked file until the coordinator imports it (the import reads the same bytes)."""
    key = secrets.token_hex(16)
    upload.seek(0)
    default_storage.save(f"{UPLOADS}/{key}.xlsx", ContentFile(upload.read()))
    request.session.setdefault("staff_uploads", {})[key] = {**about, "name": upload.name[:200]}
    request.session.modified = True
    return key


def _kept(request, key, kind):
    about = request.session.get("staff_uploads", {}).get(key)
    if about is None or not key.isalnum() or about["kind"] != kind:
        raise Http404("Filen finns inte längre; ladda upp den igen.")
    path = f"{UPLOADS}/{key}.xlsx"
    if not default_storage.exists(path):
        raise Http404("Filen finns inte längre; ladda upp den igen.")
    return about, path


def _forget(request, key, path):
    default_storage.delete(path)
    request.session.get("staff_uploads", {}).pop(key, None)
    request.session.modified = True


@dataclass
class Workbook:
    """One upload → check report → import flow: a plan into a programme, or a questionnaire workbook
    into a new version. `run(upload, subject, about, dry_run, actor)` calls the import service (which
    records an import in the audit trail); `done(subject, report)` gives the message shown after it."""

    kind: str
    model: type[Model]  # the subject: Programme or Questionnaire
    form: type[django_forms.Form]
    prefix: str
    run: Callable[..., Any]  # (upload, subject, about, dry_run, actor=None) → the import's report
    done: Callable[[Any, Any], str]  # (subject, report) → the message

    def report(self, request, *, subject, report=None, errors=(), key=None, status=200, form=None, **extra):
        return render(
            request,
            "surveys/staff/workbook_report.html",
            {
                "kind": self.kind,
                "subject": subject,
                "report": report,
                "errors": list(errors),
                "key": key,
                "form": form,
                "names": _name_choices(report) if self.kind == "plan" and report else None,
                **extra,
            },
            status=status,
        )

    def reopen(self, request, key):
        """The kept file of `key` with its subject: (about, path, subject, the file's bytes)."""
        about, path = _kept(request, key, self.kind)
        subject = get_object_or_404(self.model, pk=about["target"])
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
        return about, path, subject, content


def _run_plan(upload, programme, about, dry_run, actor=None):
    return plan_service.import_plan(upload=upload, programme=programme, dry_run=dry_run, actor=actor)


def _plan_done(programme, report):
    return f"Planen för {programme} är importerad."


def _run_questionnaire(upload, questionnaire, about, dry_run, actor=None):
    return questionnaire_service.import_questionnaire(
        upload=upload, questionnaire=questionnaire, dry_run=dry_run, label=about.get("label", ""), actor=actor
    )


def _questionnaire_done(questionnaire, report):
    return f"En ny version av {questionnaire.name} är skapad: {report.version}."


PLAN = Workbook("plan", Programme, forms.UploadForm, "plan_%s", _run_plan, _plan_done)
QUESTIONNAIRE = Workbook(
    "questionnaire",
    Questionnaire,
    forms.QuestionnaireUploadForm,
    "q_%s",
    _run_questionnaire,
    _questionnaire_done,
)


def _upload_check(request, flow, subject_id):
    """Check an uploaded workbook (a dry run of the import) and keep the file for the import, or, for a
    plan naming organisations it does not know, for accepting suggestions and checking the same file again."""
    subject = get_object_or_404(flow.model, pk=subject_id)
    form = flow.form(request.POST, request.FILES, auto_id=flow.prefix)
    if not form.is_valid():
        return flow.report(request, subject=subject, status=400, form=form)
    upload = form.cleaned_data["file"]
    about = {"kind": flow.kind, "target": subject.pk, "label": form.cleaned_data.get("label", "")}
    try:
        report = flow.run(upload, subject, about, True)
    except UnsafeWorkbook as error:
        return flow.report(request, subject=subject, errors=[error.message], status=400)
    keep = report.ok or getattr(report, "unmatched_organisations", None)
    key = _keep_upload(request, upload, **about) if keep else None
    return _checked(request, flow, subject, report, key)


def _checked(request, flow, subject, report, key, **extra):
    return flow.report(
        request,
        subject=subject,
        report=report.as_dict(),
        errors=report.errors,
        key=key,
        status=200 if report.ok else 400,
        **extra,
    )


def _upload_import(request, flow, key):
    about, path, subject, content = flow.reopen(request, key)
    report = flow.run(ContentFile(content, name=about["name"]), subject, about, False, request.user)
    if not report.ok:
        return _checked(request, flow, subject, report, None)
    _forget(request, key, path)
    messages.success(request, flow.done(subject, report))
    return redirect("staff:workbooks")


def _workbook_views(flow):
    """The check and import views of one workbook flow (coordinators only, by POST)."""

    @require_POST
    @coordinator_required
    def check(request, subject_id):
        return _upload_check(request, flow, subject_id)

    @require_POST
    @coordinator_required
    def import_(request, key):
        return _upload_import(request, flow, key)

    return check, import_


plan_check, plan_import = _workbook_views(PLAN)
questionnaire_check, questionnaire_import = _workbook_views(QUESTIONNAIRE)


# --------------------------------------------------------------------------------------------------
# Names a plan check does not know: accept a suggestion (an alias) or mark an external partner, confirm,
# and the same kept file is checked again
# --------------------------------------------------------------------------------------------------


def _name_choices(report):
    """The choices form of a plan check report's unknown names (unbound: as the check proposes)."""
    entries = report.get("unmatched_organisations") or []
    return (
        forms.NameChoicesForm(entries=entries, initial=forms.NameChoicesForm.proposed(entries))
        if entries
        else None
    )


@require_POST
@coordinator_required
def plan_names(request, key):
    """The choices made on the check page: a confirmation page listing what will be saved, then (with
    "confirm") each decision saved through plan_names.organisation_alias_accept, recorded, and the kept
    file checked again."""
    about, path, programme, content = PLAN.reopen(request, key)
    report = _run_plan(ContentFile(content, name=about["name"]), programme, about, True)
    entries = report.as_dict()["unmatched_organisations"]
    form = forms.NameChoicesForm(request.POST, entries=entries)
    if "tillbaka" in request.POST:
        return _checked(request, PLAN, programme, report, key, names=form)
    if not form.is_valid() or not form.decisions():
        if form.is_valid():
            form.add_error(None, "Välj vad minst ett av namnen är.")
        return _checked(request, PLAN, programme, report, key, names=form)
    decisions = form.decisions()
    if "confirm" not in request.POST:
        return render(
            request,
            "surveys/staff/plan_names_confirm.html",
            {"programme": programme, "key": key, "form": form, "decisions": decisions},
        )
    for name, organisation in decisions:
        organisation_alias_accept(
            name=name, organisation=organisation, partner=organisation is None, actor=request.user
        )
    messages.success(
        request,
        f"{len(decisions)} namn är sparade och används vid varje import. Filen är kontrollerad igen."
        if len(decisions) != 1
        else "Namnet är sparat och används vid varje import. Filen är kontrollerad igen.",
    )
    again = _run_plan(ContentFile(content, name=about["name"]), programme, about, True)
    return _checked(request, PLAN, programme, again, key)
