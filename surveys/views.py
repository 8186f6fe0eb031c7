"""Web pages for respondents: the home page and the magic link that opens a questionnaire."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.client import client_address

from .services.respondent_access import remember_link
from .services.tokens import TokenRefused, resolve_token

GUESS_KEY = "magic-link-failures:{}"


def home(request):
    return render(request, "surveys/home.html")


def _guess_limit():
    """(failed attempts allowed, window in seconds) from the "magic_link" rate, e.g. "20/min"."""
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("magic_link") or "20/min"
    count, period = rate.split("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    return int(count), seconds


logger = logging.getLogger(__name__)


def _quiet(response):
    """The URL holds the token: keep it out of the request log (Django logs 4xx responses with the
    path) and out of any Referer header sent from this page."""
    response._has_been_logged = True
    response["Referrer-Policy"] = "no-referrer"
    return response


def _failed_attempts(key):
    """Failed links from this address in the window. The count lives in the cache (Redis in production);
    while the cache is unreachable respondents still get in (the throttle fails open, and says so)."""
    try:
        return cache.get(key, 0)
    except Exception:
        logger.warning("magic-link throttle unavailable: the cache is unreachable")
        return 0


def _count_failed_attempt(key, window):
    try:
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
    except Exception:
        logger.warning("magic-link throttle unavailable: the cache is unreachable")


@require_GET
@never_cache
def magic_link(request, token):
    """Take the token out of the URL at once: remember the link in the session and redirect (the pattern
    of Django's PasswordResetConfirmView). A GET changes nothing else: mail scanners open every link.
    A valid link always works. Failed attempts are counted per client address (backend/client.py); past
    the limit every failing attempt gets 429 for a while, so guessing is throttled without locking out
    anyone who holds a real link, however many others fail behind the same address."""
    limit, window = _guess_limit()
    key = GUESS_KEY.format(client_address(request))
    try:
        access = resolve_token(token)
    except TokenRefused as refused:
        if _failed_attempts(key) >= limit:
            return _quiet(render(request, "surveys/link_refused.html", {"reason": "throttled"}, status=429))
        if refused.reason == "unknown":
            _count_failed_attempt(key, window)
        return _quiet(
            render(
                request,
                "surveys/link_refused.html",
                {"reason": refused.reason, "token": refused.token},
                status=410 if refused.reason in ("expired", "erased") else 403,
            )
        )
    request.session.cycle_key()
    remember_link(request.session, access)
    return _quiet(redirect("surveys:overview", assignment_id=access.assignment_id))
