"""A respondent's access: which assignments a browser session may answer, and the check every respondent
page and API call makes.

A magic link opens a session (`remember_link`); the session remembers, per assignment, the access link it
was opened with. Every later request asks `respondent_access`, which reads that link with what the check
needs in one indexed query (the link, its contact, the assignment, the round, the version and the
response, all by primary or unique key) and applies the one link rule (`tokens.check_token`). The
organisation is not joined: a page that shows its name loads it when it does. (Leaving the round's e-mail
texts out with `defer` was measured slower than reading them: Django's deferred loading costs more than the
few kilobytes.)"""

from collections.abc import MutableMapping
from datetime import datetime, timedelta

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from ..models import AccessToken
from .tokens import check_token

SESSION_LINKS = "respondent_links"  # {assignment id: access token id}
SESSION_CURRENT = "respondent_current"  # the assignment of the link opened last
MARK_USED_EVERY = timedelta(minutes=5)


def remember_link(session: MutableMapping, access: AccessToken) -> None:
    """Let this session answer the link's assignment (and make it the one /enkat/ follows)."""
    links = dict(session.get(SESSION_LINKS, {}))
    links[str(access.assignment_id)] = access.pk
    session[SESSION_LINKS] = links
    session[SESSION_CURRENT] = access.assignment_id
    # A respondent's session lasts a working day, not the site's default of weeks.
    session.set_expiry(settings.RESPONDENT_SESSION_SECONDS)


def session_links(session: MutableMapping) -> dict[str, int]:
    """{assignment id: access token id} of the links this session opened."""
    return session.get(SESSION_LINKS) or {}


def latest_assignment_id(session: MutableMapping) -> int | None:
    """The assignment of the link this browser opened last (/enkat/ and the results page follow it)."""
    links = session_links(session)
    current = session.get(SESSION_CURRENT)
    if current is not None and str(current) in links:
        return int(current)
    return max((int(k) for k in links), default=None)


def respondent_access(session: MutableMapping, assignment_id: int) -> AccessToken:
    """The access link this session holds for `assignment_id`, with its contact, assignment, round,
    version and response; Http404 for an assignment the session never opened (another organisation's),
    TokenRefused when the link has ended since (revoked, expired, erased or removed contact)."""
    token_id = session_links(session).get(str(assignment_id))
    if not token_id:
        raise Http404("Ingen behörighet till den här enkäten.")
    try:
        access = AccessToken.objects.select_related(
            "contact", "assignment__round__version", "assignment__response"
        ).get(pk=token_id, assignment_id=assignment_id)
    except AccessToken.DoesNotExist:
        raise Http404("Ingen behörighet till den här enkäten.") from None
    check_token(access)
    return access


def mark_used(access: AccessToken, *, now: datetime | None = None) -> None:
    """A save or a submit is a human action (a mail scanner only GETs): the coordinator sees the link
    was used. Recorded at most every few minutes, so a run of autosaves writes it once."""
    now = now or timezone.now()
    if access.last_used_at is not None and timedelta(0) <= now - access.last_used_at < MARK_USED_EVERY:
        return
    AccessToken.objects.filter(pk=access.pk).update(last_used_at=now)
    access.last_used_at = now
