"""API errors that are the user's to fix, answered as such instead of a server error."""

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse
from rest_framework.views import exception_handler as drf_exception_handler


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
    return drf_exception_handler(exc, context)
