"""Error pages: Swedish, in the site's look (templates 400/403/404/500.html); under /api/ the same errors
as JSON like every other API answer."""

from django.http import JsonResponse
from django.views import defaults

MESSAGES = {
    400: "Begäran kunde inte läsas.",
    403: "Du saknar behörighet för detta.",
    404: "Hittades inte.",
    500: "Ett fel uppstod i tjänsten. Försök igen om en stund.",
}


def _api(request, status):
    if request is not None and request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGES[status]}, status=status)
    return None


def bad_request(request, exception):
    return _api(request, 400) or defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return _api(request, 403) or defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return _api(request, 404) or defaults.page_not_found(request, exception)


def server_error(request):
    return _api(request, 500) or defaults.server_error(request)
