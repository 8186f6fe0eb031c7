"""API errors that are the user's to fix, answered as such instead of a server error."""

import logging
from itertools import islice

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..text import UNSTORABLE_MESSAGE

logger = logging.getLogger(__name__)

# Input no parser or serializer caught, answered as the user's to fix (400) and logged for us.
BAD_INPUT = (
    (RecursionError, "Innehållet är för djupt nästlat och kan inte tas emot.", status.HTTP_400_BAD_REQUEST),
    (RequestDataTooBig, "Innehållet är för stort.", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    ((SuspiciousOperation, BadRequest), "Begäran kunde inte läsas.", status.HTTP_400_BAD_REQUEST),
    (UnicodeError, UNSTORABLE_MESSAGE, status.HTTP_400_BAD_REQUEST),
    (DataError, "Värdet kan inte sparas (otillåtna tecken eller ett för stort värde).", 400),
    (IntegrityError, "Uppgifterna strider mot en regel för vad som kan sparas.", 400),
)


def exception_handler(exc, context):
    if isinstance(exc, (ProtectedError, RestrictedError)):
        blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        used_by = sorted({str(obj) for obj in islice(blocking, 5)})
        return Response(
            {
                "detail": "Kan inte tas bort eftersom andra uppgifter hänvisar hit.",
                "used_by": used_by,
            },
            status=status.HTTP_409_CONFLICT,
        )
    for kinds, message, code in BAD_INPUT:
        if isinstance(exc, kinds):
            logger.warning("refused API input: %s: %s", type(exc).__name__, str(exc)[:300])
            return Response({"detail": message}, status=code)
    return drf_exception_handler(exc, context)
