"""Pages the law asks of a public-sector web service: the accessibility statement and the personal-data
notice. Both are public (no login), server-rendered, and take the organisation's details from settings."""

from datetime import date

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .views_answer import CSP


def _organisation():
    return {
        "name": settings.ORGANISATION_NAME,
        "address": settings.ORGANISATION_ADDRESS,
        "email": settings.ORGANISATION_EMAIL,
        "phone": settings.ORGANISATION_PHONE,
    }


def _page(request, template, context):
    response = render(request, template, {"organisation_info": _organisation(), **context})
    response["Content-Security-Policy"] = CSP
    return response


def _reviewed():
    try:
        return date.fromisoformat(settings.ACCESSIBILITY_REVIEWED)
    except ValueError:
        return None


@require_GET
def accessibility(request):
    """Tillgänglighetsredogörelse, in the form the supervisory authority (Digg) recommends."""
    return _page(
        request,
        "surveys/info/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL, "reviewed": _reviewed()},
    )


@require_GET
def privacy(request):
    """Hur vi behandlar personuppgifter: what is stored about a respondent, why, for how long, and whom
    to ask."""
    return _page(
        request,
        "surveys/info/privacy.html",
        {
            "dpo_email": settings.DATA_PROTECTION_OFFICER_EMAIL,
            "retention_months": settings.CONTACT_RETENTION_MONTHS,
            "outbox_days": settings.OUTBOX_RETENTION_DAYS,
            "link_days": settings.MAGIC_LINK_GRACE_DAYS,
        },
    )
