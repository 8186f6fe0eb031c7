"""Scoring schemes over the API: categories and rules are editable while the version is not frozen;
`problems` lists what is wrong with a scheme before a round uses it."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response as ApiResponse

from ..models import ScoringCategory, ScoringRule, ScoringScheme
from ..services.schemes import SchemeLocked, check_category, check_rule, ensure_editable, scheme_problems
from .errors import service_refusals
from .schema import model_docs


class VersionLocked(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "version_frozen"


class SchemeSerializer(serializers.ModelSerializer):
    is_frozen = serializers.BooleanField(source="version.is_frozen", read_only=True)

    class Meta:
        model = ScoringScheme
        fields = ["id", "version", "name", "scale_to", "is_frozen"]
        extra_kwargs = {
            "scale_to": {"min_value": Decimal("0.01")}
        }  # a total scaled to 0 or less means nothing


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringCategory
        fields = ["id", "scheme", "parent", "code", "name", "cap", "order"]
        extra_kwargs = {"cap": {"min_value": Decimal("0")}}
        validators = []  # the unique code per scheme is checked below with a readable message

    def validate(self, attrs):
        with service_refusals():
            check_category(
                scheme=attrs.get("scheme") or self.instance.scheme,
                parent=attrs.get("parent", getattr(self.instance, "parent", None)),
                code=attrs.get("code") or self.instance.code,
                category=self.instance,
            )
        return attrs


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRule
        fields = ["id", "scheme", "question", "category", "option_code", "min_value", "points"]
        validators = []

    def validate(self, attrs):
        def pick(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        with service_refusals():
            check_rule(
                scheme=pick("scheme"),
                question=pick("question"),
                category=pick("category"),
                option_code=pick("option_code") or "",
                min_value=pick("min_value"),
                rule=self.instance,
            )
        return attrs


class LockedWhenFrozen:
    """Writes are refused (409) once the scheme's version is frozen; reads always work. `key` names the
    field that leads to the version (a scheme's own `version`, or a category's or rule's `scheme`)."""

    key = "scheme"

    def _version(self, data):
        value = data[self.key] if isinstance(data, dict) else getattr(data, self.key)
        return value if self.key == "version" else value.version

    def _guard(self, data):
        try:
            ensure_editable(self._version(data))
        except SchemeLocked as locked:
            raise VersionLocked(str(locked)) from None

    def perform_create(self, serializer):
        self._guard(serializer.validated_data)
        serializer.save()

    def perform_update(self, serializer):
        self._guard(serializer.instance)
        if self.key in serializer.validated_data:  # moved to another version: that one must be open too
            self._guard(serializer.validated_data)
        serializer.save()

    def perform_destroy(self, instance):
        self._guard(instance)
        instance.delete()


class SchemeProblemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()


class SchemeProblemsSerializer(serializers.Serializer):
    problems = SchemeProblemSerializer(many=True)


FROZEN = "The questionnaire version is frozen (a round of it has opened): its scoring can no longer change."
WRITES_REFUSED_WHEN_FROZEN = {
    "conflicts": dict.fromkeys(["create", "update", "partial_update", "destroy"], FROZEN)
}


@model_docs(
    "a scoring scheme",
    "scoring schemes (one per questionnaire version)",
    list="Filter by version.",
    **WRITES_REFUSED_WHEN_FROZEN,
)
class SchemeViewSet(LockedWhenFrozen, viewsets.ModelViewSet):
    serializer_class = SchemeSerializer
    queryset = ScoringScheme.objects.select_related("version").order_by("pk")
    filterset_fields = ["version"]
    key = "version"

    @extend_schema(
        summary="List a scoring scheme's problems",
        responses=SchemeProblemsSerializer,
    )
    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        """What is wrong with the scheme (Swedish messages); empty when it can be used."""
        scheme = self.get_object()
        return ApiResponse({"problems": [p.as_dict() for p in scheme_problems(scheme.version)]})


@model_docs(
    "a scoring category",
    "scoring categories",
    list="Filter by scheme and parent category.",
    **WRITES_REFUSED_WHEN_FROZEN,
)
class CategoryViewSet(LockedWhenFrozen, viewsets.ModelViewSet):
    serializer_class = CategorySerializer
    queryset = ScoringCategory.objects.select_related("scheme__version").order_by("scheme", "order", "code")
    filterset_fields = ["scheme", "parent"]


@model_docs(
    "a scoring rule",
    "scoring rules: the points an answer gives in a category",
    list="Filter by scheme, question and category.",
    **WRITES_REFUSED_WHEN_FROZEN,
)
class RuleViewSet(LockedWhenFrozen, viewsets.ModelViewSet):
    serializer_class = RuleSerializer
    queryset = ScoringRule.objects.select_related("scheme__version").order_by("scheme", "question", "pk")
    filterset_fields = ["scheme", "question", "category"]
