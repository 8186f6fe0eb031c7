"""API errors that are the user's to fix, answered as such instead of a server error."""

from itertools import islice

from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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
    return drf_exception_handler(exc, context)
