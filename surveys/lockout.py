"""The answer to a login that django-axes has locked out: Swedish, 429, JSON for the API."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

LOCKOUT_MESSAGE = (
    "För många misslyckade inloggningar. Inloggningen är spärrad i {minutes} minuter; "
    "försök igen senare eller kontakta systemförvaltaren."
)


def lockout_message():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return LOCKOUT_MESSAGE.format(minutes=minutes)


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    page = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Inloggningen är spärrad</title>'
        f"</head><body><main><h1>Inloggningen är spärrad</h1><p>{message}</p></main></body></html>"
    )
    return HttpResponse(page, status=429, content_type="text/html; charset=utf-8")
