"""The OpenAPI schema's shared parts: the error bodies the API answers with, the error responses every
operation can give (added by AutoSchema, so a view declares only its own), and the summaries of the
standard model actions."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in Swedish.")


class ProtectedErrorSerializer(ErrorSerializer):
    used_by = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Some of the rows that refer to this one."
    )


class ValidationErrorSerializer(serializers.Serializer):
    """Invalid input, as DRF answers it: each refused field with its messages (Swedish); a message about no
    single field is under `non_field_errors` or `detail`, and unreadable input (bad JSON) is `{"detail"}`."""


class ValidationErrorScheme(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": ValidationErrorSerializer.__doc__.replace("\n    ", " "),
            "additionalProperties": {},
        }


def error(description, serializer=ErrorSerializer, **kwargs):
    """An error response: `{"detail": "..."}` unless another body is named."""
    return OpenApiResponse(serializer, description=description, **kwargs)


VALIDATION_ERROR = OpenApiResponse(
    ValidationErrorSerializer,
    description="Invalid input (in the body or a filter); nothing is changed.",
    examples=[
        OpenApiExample("A field refused", value={"deadline": ["Ange datum och tid."]}, status_codes=["400"]),
        OpenApiExample(
            "Unreadable JSON", value={"detail": "Innehållet är inte giltig JSON."}, status_codes=["400"]
        ),
    ],
)
NOT_FOUND = error(
    "No such object, or not one this caller may see; also any id in the path that is not a whole number."
)
FORBIDDEN = "Not logged in (session or token), or the role may not do this."
PROTECTED = error(
    "Other rows refer to this one (`used_by` names some of them); nothing is deleted.",
    ProtectedErrorSerializer,
)
PAGING = {"limit", "offset"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the errors every operation here can answer, unless the view declares
    them itself: 400 when it takes a body or filters (a view that refuses otherwise declares it), 403
    unless anyone may call it (DRF answers 403, never 401: the session comes first), and 404 when the path
    names an object."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, response in self._usual_errors(operation).items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _usual_errors(self, operation):
        errors = {}
        queries = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if "requestBody" in operation or queries - PAGING:
            errors["400"] = VALIDATION_ERROR
        permissions = [p for p in self.view.get_permissions() if not isinstance(p, AllowAny)]
        if permissions:
            why = [getattr(p, "denied", FORBIDDEN) for p in permissions]
            errors["403"] = error(" ".join(dict.fromkeys(why)))
        if "{" in self.path:
            errors["404"] = NOT_FOUND
        return errors


STANDARD = {
    "list": ("List {many}", "The {many}, a page at a time (`limit`, `offset`)."),
    "create": ("Create {one}", "Stores {one} and answers with it (201)."),
    "retrieve": ("Retrieve {one}", "{One} by its id."),
    "update": ("Replace {one}", "Every writable field is sent; answers with the stored row."),
    "partial_update": ("Update {one} in part", "Only the fields sent change; answers with the stored row."),
    "destroy": ("Delete {one}", "Deletes {one} (204)."),
}


def model_docs(one, many, conflicts=None, **extra):
    """Summaries and descriptions for a viewset's standard actions, e.g. `model_docs("a programme",
    "programmes")`. `extra` adds sentences to an action's description (`destroy="..."`); `conflicts` names
    the actions that can be refused with a 409, and why (`{"destroy": PROTECTED}`, or words)."""

    def decorate(viewset):
        docs = {}
        for name, (summary, description) in STANDARD.items():
            own = getattr(viewset.__dict__.get(name), "kwargs", {})  # where extend_schema puts a method's
            if not hasattr(viewset, name) or "schema" in own:
                continue  # not an action of this viewset, or one it documents itself
            words = {"one": one, "One": one[0].upper() + one[1:], "many": many}
            text = " ".join(filter(None, [description.format(**words), extra.get(name)]))
            responses = {}
            conflict = (conflicts or {}).get(name)
            if conflict:
                success = {"create": 201, "destroy": 204}.get(name, 200)
                responses = {
                    success: None if name == "destroy" else viewset.serializer_class,
                    409: conflict if isinstance(conflict, OpenApiResponse) else error(conflict),
                }
            docs[name] = extend_schema(
                summary=summary.format(**words),
                description=text,
                **({"responses": responses} if responses else {}),
            )
        return extend_schema_view(**docs)(viewset)

    return decorate
