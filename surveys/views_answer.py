"""The respondents' questionnaire pages: overview, one page per section, review, submit and receipt.

A respondent reaches these pages only through a magic link: the session remembers which access link
(and so which contact and assignment) it was opened with; every page checks that link is still valid,
so a revoked link ends access at once, and another organisation's assignment is simply not found."""

import copy
import secrets
from functools import wraps

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .models import Response
from .questiontypes import is_answered, kind_of
from .selectors import attach_contributions, days_left_in
from .selectors_results import has_published_results
from .services import responses
from .services.respondent_access import (
    latest_assignment_id,
    load_organisation,
    mark_used,
    respondent_access,
)
from .services.tokens import TokenRefused

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def refused_page(request, refused):
    """The link page's answer (403, or 410 once expired) for a session whose link has ended."""
    status = 410 if refused.reason == "expired" else 403
    return _page(
        request,
        "surveys/link_refused.html",
        {"reason": refused.reason, "token": refused.token},
        status=status,
    )


def respondent_page(view):
    """A respondent page: a session whose link has ended gets the link page, never the questionnaire."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TokenRefused as refused:
            return refused_page(request, refused)

    return wrapped


def _page(request, template, context, status=200):
    if context.get("assignment") is not None:
        load_organisation(context["assignment"])  # every respondent page's header shows its name
    response = render(request, template, context, status=status)
    response["Content-Security-Policy"] = CSP
    return response


# --------------------------------------------------------------------------------------------------
# Displaying values
# --------------------------------------------------------------------------------------------------


def display_value(question, value):
    """An answer in words, as the receipt and conflict messages show it."""
    if not is_answered(value):
        return "Inget svar"
    return kind_of(question).display(question, value)


def build_fields(questions, answers, *, raw=None, errors=None, conflicts=None, typed=False):
    """What the template needs per question. For questions with an error or a conflict (or all of them
    when `typed`), `raw` (the submitted form) wins over the stored answer, so nothing typed is lost."""
    errors, conflicts = errors or {}, conflicts or {}
    fields = []
    for question in questions:
        kind = kind_of(question)
        answer = answers.get(question.pk)
        name = responses.field_name(question)
        current = kind.as_input(question, answer.value if answer else None)
        if raw is not None and (typed or question.code in errors or question.code in conflicts):
            # What the user typed stays in the field; every other field shows what is stored now
            # (the user's saved answers, and a colleague's newer answers the user did not touch).
            current = responses.raw_from_form(question, raw)
        error = errors.get(question.code)
        item = {
            "question": question,
            # The question's own text and settings as plain values: the template reads them from a dict,
            # which Django's template engine looks up far faster than a model's attributes.
            "code": question.code,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "max_length": question.max_length,
            "name": name,
            "id": f"id_{name}",
            "type": question.type,
            "template": kind.template,
            "grouped": kind.grouped,
            "input_mode": kind.input_mode,
            "format_help": kind.format_help,
            "error": error.message if error else "",
            "error_part": error.part if error else None,
            "prefilled": bool(answer and answer.prefilled),
            "conflict": conflicts.get(question.code),
            # Co-responsible organisations' answers (activity questions of a lead, attach_contributions).
            "contributions": getattr(question, "contributions", None),
        }
        described = [
            ("help", bool(question.help_text)),
            ("fmt", bool(kind.format_help)),
            ("pre", item["prefilled"]),
            ("con", bool(item["conflict"])),
            ("err", bool(error)),
        ]
        item["describedby"] = " ".join(f"{prefix}_{name}" for prefix, shown in described if shown)
        kind.field_context(question, item, current, field_name=responses.field_name)
        fields.append(item)
    return fields


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------


@require_http_methods(["POST"])
def logout(request):
    """Logga ut: forget every link this browser opened (a shared computer)."""
    request.session.flush()
    return _page(request, "surveys/logged_out.html", {})


@never_cache
def start(request):
    """/enkat/: the questionnaire of the link this browser opened last."""
    assignment_id = latest_assignment_id(request.session)
    if assignment_id is None:
        return _page(request, "surveys/link_refused.html", {"reason": "no_session"}, status=403)
    return redirect("surveys:overview", assignment_id=assignment_id)


def _progress(questionnaire):
    values = questionnaire.values
    visible = questionnaire.visible(values)
    rows = []
    for number, section in enumerate(questionnaire.sections(), start=1):
        shown = [q for q in visible if q.section_id == section.pk]
        answered = [q for q in shown if is_answered(values.get(q.pk))]
        missing = [q for q in shown if q.required and q not in answered]
        rows.append(
            {
                "number": number,
                "section": section,
                "total": len(shown),
                "answered": len(answered),
                "missing": len(missing),
            }
        )
    return rows


@never_cache
@respondent_page
def overview(request, assignment_id):
    access = respondent_access(request.session, assignment_id)
    assignment = access.assignment
    response = responses.response_for_assignment(assignment)
    if responses.is_editable(response):
        responses.prefill_response(response=response)
    questionnaire = responses.load_questionnaire(response)
    return _page(
        request,
        "surveys/answer/overview.html",
        {
            "access": access,
            "assignment": assignment,
            "response": response,
            "editable": responses.is_editable(response),
            "sections": _progress(questionnaire),
            "prefilled": sum(1 for a in questionnaire.answers.values() if a.prefilled),
            "days_left": days_left_in(assignment.round, assignment.deadline, now=timezone.now()),
            "has_results": has_published_results(
                organisation=assignment.organisation, version=assignment.round.version
            ),
        },
    )


def _section_of(questionnaire, number):
    sections = questionnaire.sections()
    if not 1 <= number <= len(sections):
        raise Http404("Avsnittet finns inte.")
    return sections, sections[number - 1]


@never_cache
@require_http_methods(["GET", "POST"])
@respondent_page
def section(request, assignment_id, number):
    access = respondent_access(request.session, assignment_id)
    response = responses.response_for_assignment(access.assignment)
    if response.state == Response.State.SUBMITTED:
        return redirect("surveys:receipt", assignment_id=assignment_id)
    questionnaire = responses.load_questionnaire(response, answers=request.method != "POST")
    sections, current_section = _section_of(questionnaire, number)
    autosave = request.headers.get("X-Autosave") == "1"
    raw = errors = conflicts = None
    if request.method == "POST":
        if not responses.is_editable(response):
            if autosave:
                return JsonResponse({"locked": True}, status=409)
            messages.error(request, "Enkäten kan inte ändras längre.")
            return redirect("surveys:overview", assignment_id=assignment_id)
        raw = request.POST
        try:
            result, errors, conflicts = _save_section(access, questionnaire, current_section, request.POST)
        except responses.UnknownVersion as refused:
            if autosave:
                return JsonResponse({"error": refused.message}, status=400)
            return _refused_version(
                request, access, response, questionnaire, sections, current_section, number
            )
        if autosave:
            return JsonResponse(
                {
                    "version": result.version,
                    "saved": result.changed,
                    "errors": {code: e.message for code, e in errors.items()},
                    "conflicts": sorted(conflicts),
                },
                status=409 if conflicts else 200,
            )
        if not errors and not conflicts:
            action = request.POST.get("action", "save")
            if action == "next" and number < len(sections):
                return redirect("surveys:section", assignment_id=assignment_id, number=number + 1)
            if action == "next":
                return redirect("surveys:review", assignment_id=assignment_id)
            if action == "prev" and number > 1:
                return redirect("surveys:section", assignment_id=assignment_id, number=number - 1)
            messages.success(request, f"Utkastet sparades {timezone.localtime():%H:%M}.")
            return redirect("surveys:section", assignment_id=assignment_id, number=number)
        questionnaire = responses.load_questionnaire(response)
    return _section_page(
        request, access, response, questionnaire, sections, current_section, number, raw, errors, conflicts
    )


def _section_page(
    request,
    access,
    response,
    questionnaire,
    sections,
    current_section,
    number,
    raw,
    errors,
    conflicts,
    *,
    status=None,
    typed=False,
):
    values = questionnaire.values
    shown = [q for q in questionnaire.visible(values) if q.section_id == current_section.pk]
    # Activity follow-up: the lead organisation sees what co-responsible organisations reported (on
    # copies: the questions are the version's compiled ones, shared with other requests).
    if any(q.activity_id for q in shown):
        shown = attach_contributions([copy.copy(q) for q in shown], access.assignment)
    fields = build_fields(
        shown, questionnaire.answers, raw=raw, errors=errors, conflicts=conflicts, typed=typed
    )
    return _page(
        request,
        "surveys/answer/section.html",
        {
            "access": access,
            "assignment": access.assignment,
            "response": response,
            "section": current_section,
            "number": number,
            "count": len(sections),
            "fields": fields,
            "errors": [f for f in fields if f["error"]],
            "conflicts": [f for f in fields if f["conflict"]],
            "editable": responses.is_editable(response),
            "page_id": _page_id(raw),
        },
        status=status or (400 if errors else 200),
    )


def _refused_version(request, access, response, questionnaire, sections, current_section, number):
    """A form whose version the response never had: nothing is saved, everything typed stays in the
    fields, and the page says what to do; it now carries the stored version."""
    response.refresh_from_db(fields=["version", "state"])
    questionnaire.answers = responses.load_questionnaire(response).answers
    messages.error(request, responses.UnknownVersion.message)
    return _section_page(
        request,
        access,
        response,
        questionnaire,
        sections,
        current_section,
        number,
        request.POST,
        {},
        {},
        status=400,
        typed=True,
    )


def _page_id(data=None):
    """The id of one page load (a browser tab): posted back with the form, so the page's own autosaves
    are told apart from another tab's saves."""
    posted = (data or {}).get("page", "")
    if (
        isinstance(posted, str)
        and 8 <= len(posted) <= 32
        and posted.replace("-", "").replace("_", "").isalnum()
    ):
        return posted
    return secrets.token_urlsafe(12)


def _save_section(access, questionnaire, section, data):
    """Validate and save one section's form; returns (SaveResult, errors by code, conflicts by code).
    Raises UnknownVersion for a form without a version the response had."""
    mark_used(access)

    # Only the questions the page showed (judged on the answers as stored when the save takes its lock):
    # one hidden when the page was loaded has no field on it, and its kept answer must not be read as
    # "emptied".
    def raw_by_code(current):
        return {q.code: responses.raw_from_form(q, data) for q in current.visible() if q.section_id == section.pk}

    try:
        base_version = int(data.get("version", ""))
    except ValueError:
        base_version = None
    if base_version is None or base_version < 0:
        raise responses.UnknownVersion()
    result, errors = responses.save_input(
        questionnaire=questionnaire,
        raw_by_code=raw_by_code,
        base_version=base_version,
        contact=access.contact,
        confirm={key[len("confirm_") :] for key in data if key.startswith("confirm_")},
        page=_page_id(data),
    )
    conflicts = {
        c.question.code: {
            "theirs": display_value(c.question, c.theirs),
            "mine": display_value(c.question, c.mine),
        }
        for c in result.conflicts
    }
    return result, errors, conflicts


@never_cache
@require_http_methods(["GET", "POST"])
@respondent_page
def review(request, assignment_id):
    access = respondent_access(request.session, assignment_id)
    response = responses.response_for_assignment(access.assignment)
    if response.state == Response.State.SUBMITTED:
        return redirect("surveys:receipt", assignment_id=assignment_id)
    questionnaire = responses.load_questionnaire(response)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = "Kryssa i rutan för att bekräfta att svaren ska skickas in."
        else:
            mark_used(access)
            try:
                first = responses.submit_response(response=response, contact=access.contact)
            except responses.SubmitRefused:
                error = "Svaren kan inte skickas in förrän alla obligatoriska frågor är besvarade."
            except responses.ResponseLocked:
                messages.error(request, "Enkäten är stängd och kan inte skickas in längre.")
                return redirect("surveys:overview", assignment_id=assignment_id)
            else:
                if first:
                    messages.success(request, "Tack! Svaren är inskickade.")
                else:
                    messages.info(request, "Svaren var redan inskickade.")
                return redirect("surveys:receipt", assignment_id=assignment_id)
    numbers = {s.pk: i for i, s in enumerate(questionnaire.sections(), start=1)}
    missing = [
        {"question": q, "number": numbers[q.section_id], "anchor": f"id_{responses.field_name(q)}"}
        for q in responses.missing_required(questionnaire) + responses.invalid_answers(questionnaire)
    ]
    return _page(
        request,
        "surveys/answer/review.html",
        {
            "access": access,
            "assignment": access.assignment,
            "response": response,
            "missing": missing,
            "error": error,
            "editable": responses.is_editable(response),
            "prefilled": sum(1 for a in questionnaire.answers.values() if a.prefilled),
            "rows": _answer_rows(questionnaire),
        },
        status=400 if error else 200,
    )


def _answer_rows(questionnaire):
    values = questionnaire.values
    rows = []
    for question in questionnaire.visible(values):
        rows.append(
            {
                "section": question.section,
                "question": question,
                "display": display_value(question, values.get(question.pk)),
            }
        )
    return rows


@never_cache
@respondent_page
def receipt(request, assignment_id):
    access = respondent_access(request.session, assignment_id)
    response = responses.response_for_assignment(access.assignment)
    if response.state != Response.State.SUBMITTED:
        return redirect("surveys:overview", assignment_id=assignment_id)
    questionnaire = responses.load_questionnaire(response)
    return _page(
        request,
        "surveys/answer/receipt.html",
        {
            "access": access,
            "assignment": access.assignment,
            "response": response,
            "rows": _answer_rows(questionnaire),
        },
    )
