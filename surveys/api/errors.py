"""API errors that are the user's to fix, answered as such instead of a server error."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse
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


@contextmanager
def service_refusals(non_field_key: str = "non_field_errors") -> Iterator[None]:
    """A service's ValidationError (the rules live there) as a 400 with a message per field; a message
    that names no field goes under `non_field_key`."""
    try:
        yield
    except DjangoValidationError as refused:
        detail = refused.message_dict if hasattr(refused, "error_dict") else {non_field_key: refused.messages}
        raise serializers.ValidationError(detail) from refused


def exception_handler(exc, context):
    if isinstance(exc, (ProtectedError, RestrictedError)):
        blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        used_by = sorted({str(obj) for obj in islice(blocking, 5)})
        return ApiResponse(
            {
                "detail": "Kan inte tas bort eftersom andra uppgifter hänvisar hit.",
                "used_by": used_by,
            },
            status=status.HTTP_409_CONFLICT,
        )
    for kinds, message, code in BAD_INPUT:
        if isinstance(exc, kinds):
            logger.warning("refused API input: %s: %s", type(exc).__name__, str(exc)[:300])
            return ApiResponse({"detail": message}, status=code)
    return drf_exception_handler(exc, context)
