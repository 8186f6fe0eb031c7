"""When the database is unreachable, answer 503 (and say so) instead of a 500 with a stack trace; the
next request after the database is back works again on its own."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "database unavailable: %s",
            str(exception).strip().splitlines()[0] if str(exception) else exception,
        )
        # Drop broken connections so the next request opens a fresh one.
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        if request.path.startswith("/api/") or request.path.startswith("/healthz"):
            response = JsonResponse(
                {"detail": "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."}, status=503
            )
        else:
            response = render(request, "surveys/unavailable.html", status=503)
        response["Retry-After"] = "30"
        return response


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response (pages, errors, the admin, the API and its docs). A view
    that sets its own policy (the questionnaire pages) keeps it; otherwise the first entry of
    CSP_POLICIES whose path prefix matches is used, and CSP_DEFAULT_POLICY for the rest."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.default = settings.CSP_DEFAULT_POLICY
        self.by_prefix = list(settings.CSP_POLICIES.items())

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = next(
                (p for prefix, p in self.by_prefix if request.path.startswith(prefix)), self.default
            )
            response["Content-Security-Policy"] = policy
        return response
