"""The respondents' questionnaire pages: overview, one page per section, review, submit and receipt.

A respondent reaches these pages only through a magic link: the session remembers which access link
(and so which contact and assignment) it was opened with; every page checks that link is still valid,
so a revoked link ends access at once, and another organisation's assignment is simply not found."""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .models import AccessToken, QuestionType, Response
from .selectors import attach_contributions
from .services import responses as svc

T = QuestionType
SESSION_LINKS = "respondent_links"  # {assignment id: access token id}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def remember_link(request, access):
    links = dict(request.session.get(SESSION_LINKS, {}))
    links[str(access.assignment_id)] = access.pk
    request.session[SESSION_LINKS] = links


def latest_assignment_id(request):
    links = request.session.get(SESSION_LINKS) or {}
    return max((int(k) for k in links), default=None)


def respondent_access(request, assignment_id):
    """The access link this session holds for `assignment_id`, with assignment, round, organisation,
    response and contact loaded in one query; 404 for anything else (another organisation's assignment,
    a revoked link, a removed assignment or contact)."""
    token_id = (request.session.get(SESSION_LINKS) or {}).get(str(assignment_id))
    access = (
        AccessToken.objects.select_related(
            "contact",
            "assignment__round__created_by",
            "assignment__organisation",
            "assignment__response",
        )
        .filter(
            pk=token_id,
            assignment_id=assignment_id,
            revoked_at=None,
            assignment__removed_at=None,
            contact__is_active=True,
        )
        .first()
        if token_id
        else None
    )
    if access is None:
        raise Http404("Ingen behörighet till den här enkäten.")
    return access


def _page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Content-Security-Policy"] = CSP
    return response


# --------------------------------------------------------------------------------------------------
# Displaying values
# --------------------------------------------------------------------------------------------------


def _number(value):
    return formats.number_format(value, use_l10n=True, force_grouping=False)


def display_value(question, value):
    """An answer in words, as the receipt and conflict messages show it."""
    if value is None or value == "" or value == [] or value == {}:
        return "Inget svar"
    labels = dict(svc.choices_for(question)) if question.type not in (T.TEXT, T.DATE) else {}
    if question.type in (T.YES_NO, T.SINGLE, T.ACTIVITY_STATUS):
        return labels.get(value, str(value))
    if question.type == T.MULTIPLE:
        return ", ".join(labels.get(code, code) for code in value)
    if question.type == T.BREAKDOWN and isinstance(value, dict):
        return ", ".join(f"{labels.get(k, k)}: {v}" for k, v in value.items())
    if question.type in (T.INTEGER, T.DECIMAL):
        return _number(value)
    return str(value)


def _as_input(question, value):
    """A stored value as the text an input shows."""
    if value is None:
        return ""
    if question.type == T.DECIMAL:
        return format(Decimal(str(value)).normalize(), "f").replace(".", ",")
    return value


def build_fields(questions, answers, *, raw=None, errors=None, conflicts=None):
    """What the template needs per question. For questions with an error or a conflict, `raw` (the
    submitted form) wins over the stored answer, so nothing the user typed is lost."""
    errors, conflicts = errors or {}, conflicts or {}
    fields = []
    for question in questions:
        answer = answers.get(question.pk)
        name = svc.field_name(question)
        current = _as_input(question, answer.value if answer else None)
        if raw is not None and (question.code in errors or question.code in conflicts):
            # What the user typed stays in the field; every other field shows what is stored now
            # (the user's saved answers, and a colleague's newer answers the user did not touch).
            current = svc.raw_from_form(question, raw)
        error = errors.get(question.code)
        item = {
            "question": question,
            "name": name,
            "id": f"id_{name}",
            "type": question.type,
            "error": error.message if error else "",
            "error_part": error.part if error else None,
            "prefilled": bool(answer and answer.prefilled),
            "conflict": conflicts.get(question.code),
        }
        described = [
            ("help", bool(question.help_text)),
            ("fmt", question.type == T.DATE),
            ("pre", item["prefilled"]),
            ("con", bool(item["conflict"])),
            ("err", bool(error)),
        ]
        item["describedby"] = " ".join(f"{prefix}_{name}" for prefix, shown in described if shown)
        if question.type == T.BREAKDOWN:
            values = current if isinstance(current, dict) else {}
            item["parts"] = [
                {
                    "code": code,
                    "label": label,
                    "name": svc.field_name(question, code),
                    "id": f"id_{svc.field_name(question, code)}",
                    "value": values.get(code, ""),
                }
                for code, label in svc.choices_for(question)
            ]
            item["id"] = item["parts"][0]["id"] if item["parts"] else item["id"]
            if error and error.part:
                item["id"] = f"id_{svc.field_name(question, error.part)}"
        elif question.type in (T.YES_NO, T.SINGLE, T.ACTIVITY_STATUS, T.MULTIPLE):
            chosen = current if isinstance(current, list) else [current]
            item["choices"] = [
                {"code": code, "label": label, "id": f"id_{name}_{i}", "checked": code in chosen}
                for i, (code, label) in enumerate(svc.choices_for(question))
            ]
            item["id"] = item["choices"][0]["id"] if item["choices"] else item["id"]
        else:
            item["value"] = current if current is not None else ""
        fields.append(item)
    return fields


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------


@never_cache
def start(request):
    """/enkat/: the questionnaire of the link this browser opened last."""
    assignment_id = latest_assignment_id(request)
    if assignment_id is None:
        return _page(request, "surveys/link_refused.html", {"reason": "no_session"}, status=403)
    return redirect("surveys:overview", assignment_id=assignment_id)


def _progress(questionnaire):
    values = questionnaire.values
    visible = questionnaire.visible(values)
    rows = []
    for number, section in enumerate(questionnaire.sections(), start=1):
        shown = [q for q in visible if q.section_id == section.pk]
        answered = [q for q in shown if values.get(q.pk) not in (None, "", [], {})]
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
def overview(request, assignment_id):
    access = respondent_access(request, assignment_id)
    assignment = access.assignment
    response = svc.response_for_assignment(assignment)
    if svc.is_editable(response):
        svc.prefill_response(response=response)
    questionnaire = svc.load_questionnaire(response)
    return _page(
        request,
        "surveys/answer/overview.html",
        {
            "access": access,
            "assignment": assignment,
            "response": response,
            "editable": svc.is_editable(response),
            "sections": _progress(questionnaire),
            "prefilled": sum(1 for a in questionnaire.answers.values() if a.prefilled),
        },
    )


def _section_of(questionnaire, number):
    sections = questionnaire.sections()
    if not 1 <= number <= len(sections):
        raise Http404("Avsnittet finns inte.")
    return sections, sections[number - 1]


@never_cache
@require_http_methods(["GET", "POST"])
def section(request, assignment_id, number):
    access = respondent_access(request, assignment_id)
    response = svc.response_for_assignment(access.assignment)
    if response.state == Response.State.SUBMITTED:
        return redirect("surveys:receipt", assignment_id=assignment_id)
    questionnaire = svc.load_questionnaire(response)
    sections, current_section = _section_of(questionnaire, number)
    autosave = request.headers.get("X-Autosave") == "1"
    raw = errors = conflicts = None
    if request.method == "POST":
        if not svc.is_editable(response):
            if autosave:
                return JsonResponse({"locked": True}, status=409)
            messages.error(request, "Enkäten kan inte ändras längre.")
            return redirect("surveys:overview", assignment_id=assignment_id)
        raw = request.POST
        result, errors, conflicts = _save_section(access, questionnaire, current_section, request.POST)
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
        questionnaire = svc.load_questionnaire(response)
    values = questionnaire.values
    shown = [q for q in questionnaire.visible(values) if q.section_id == current_section.pk]
    # Activity follow-up: the lead organisation sees what co-responsible organisations reported.
    if any(q.activity_id for q in shown):
        attach_contributions(shown, access.assignment)
    fields = build_fields(shown, questionnaire.answers, raw=raw, errors=errors, conflicts=conflicts)
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
            "editable": svc.is_editable(response),
        },
        status=400 if errors else 200,
    )


def mark_used(access):
    """A save or a submit is a human action (a mail scanner only GETs): the coordinator sees the link
    was used."""
    AccessToken.objects.filter(pk=access.pk).update(last_used_at=timezone.now())


def _save_section(access, questionnaire, section, data):
    """Validate and save one section's form; returns (SaveResult, errors by code, conflicts by code)."""
    mark_used(access)
    # Only the questions the page showed: one hidden when the page was loaded has no field on it, and
    # its kept answer must not be read as "emptied".
    in_section = [q for q in questionnaire.visible() if q.section_id == section.pk]
    try:
        base_version = int(data.get("version", ""))
    except ValueError:
        base_version = 0
    result, errors = svc.save_input(
        questionnaire=questionnaire,
        raw_by_code={q.code: svc.raw_from_form(q, data) for q in in_section},
        base_version=base_version,
        contact=access.contact,
        confirm={key[len("confirm_") :] for key in data if key.startswith("confirm_")},
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
def review(request, assignment_id):
    access = respondent_access(request, assignment_id)
    response = svc.response_for_assignment(access.assignment)
    if response.state == Response.State.SUBMITTED:
        return redirect("surveys:receipt", assignment_id=assignment_id)
    questionnaire = svc.load_questionnaire(response)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = "Kryssa i rutan för att bekräfta att svaren ska skickas in."
        else:
            mark_used(access)
            try:
                first = svc.submit_response(response=response, contact=access.contact)
            except svc.SubmitRefused:
                error = "Svaren kan inte skickas in förrän alla obligatoriska frågor är besvarade."
            except svc.ResponseLocked:
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
        {"question": q, "number": numbers[q.section_id], "anchor": f"id_{svc.field_name(q)}"}
        for q in svc.missing_required(questionnaire) + svc.invalid_answers(questionnaire)
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
            "editable": svc.is_editable(response),
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
def receipt(request, assignment_id):
    access = respondent_access(request, assignment_id)
    response = svc.response_for_assignment(access.assignment)
    if response.state != Response.State.SUBMITTED:
        return redirect("surveys:overview", assignment_id=assignment_id)
    questionnaire = svc.load_questionnaire(response)
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
