"""Web pages for respondents."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Assignment, Contact
from .services.tokens import TokenRefused, resolve_token

SESSION_ASSIGNMENT = "respondent_assignment"
SESSION_CONTACT = "respondent_contact"


def home(request):
    return render(request, "surveys/home.html")


@require_GET
@never_cache
def magic_link(request, token):
    """Take the token out of the URL at once: remember whose link it was in the session and redirect
    (the pattern of Django's PasswordResetConfirmView). A GET changes nothing else: mail scanners open
    every link."""
    try:
        access = resolve_token(token)
    except TokenRefused as refused:
        return render(
            request,
            "surveys/link_refused.html",
            {"reason": refused.reason, "token": refused.token},
            status=403,
        )
    request.session.cycle_key()
    request.session[SESSION_ASSIGNMENT] = access.assignment_id
    request.session[SESSION_CONTACT] = access.contact_id
    return redirect("surveys:start")


def current_respondent(request):
    assignment_id = request.session.get(SESSION_ASSIGNMENT)
    contact_id = request.session.get(SESSION_CONTACT)
    if not assignment_id or not contact_id:
        return None, None
    assignment = (
        Assignment.objects.select_related("round", "organisation", "response")
        .filter(pk=assignment_id)
        .first()
    )
    contact = Contact.objects.filter(
        pk=contact_id, organisation_id=getattr(assignment, "organisation_id", None)
    ).first()
    return (assignment, contact) if assignment and contact else (None, None)


@never_cache
def start(request):
    assignment, contact = current_respondent(request)
    if assignment is None:
        return render(request, "surveys/link_refused.html", {"reason": "no_session"}, status=403)
    return render(request, "surveys/start.html", {"assignment": assignment, "contact": contact})
