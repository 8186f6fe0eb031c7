"""Scoring schemes over the API: categories and rules are editable while the version is not frozen;
`problems` lists what is wrong with a scheme before a round uses it."""

from decimal import Decimal

from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from ..models import ScoringCategory, ScoringRule, ScoringScheme
from ..services.schemes import SchemeLocked, ensure_editable, scheme_problems


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
        scheme = attrs.get("scheme") or self.instance.scheme
        parent = attrs.get("parent", getattr(self.instance, "parent", None))
        code = attrs.get("code") or self.instance.code
        if parent is not None and parent.scheme_id != scheme.pk:
            raise serializers.ValidationError({"parent": "Överkategorin hör till en annan poängsättning."})
        if self.instance is not None and parent is not None:
            ancestor = parent
            while ancestor is not None:
                if ancestor.pk == self.instance.pk:
                    raise serializers.ValidationError(
                        {"parent": "En kategori kan inte ligga under sig själv."}
                    )
                ancestor = ancestor.parent
        clash = ScoringCategory.objects.filter(scheme=scheme, code=code)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"code": f"Koden {code} finns redan i poängsättningen."})
        return attrs


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRule
        fields = ["id", "scheme", "question", "category", "option_code", "min_value", "points"]
        validators = []

    def validate(self, attrs):
        def pick(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        scheme, question, category = pick("scheme"), pick("question"), pick("category")
        option_code, min_value = pick("option_code") or "", pick("min_value")
        if question.version_id != scheme.version_id:
            raise serializers.ValidationError({"question": "Frågan hör till en annan version."})
        if category.scheme_id != scheme.pk:
            raise serializers.ValidationError({"category": "Kategorin hör till en annan poängsättning."})
        if bool(option_code) == (min_value is not None):
            raise serializers.ValidationError(
                "Ange antingen en svarskod (option_code) eller ett tröskelvärde (min_value), inte båda."
            )
        clash = ScoringRule.objects.filter(question=question)
        clash = clash.filter(option_code=option_code) if option_code else clash.filter(min_value=min_value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f"Frågan {question.code} har redan en regel för detta svar.")
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


class SchemeViewSet(LockedWhenFrozen, viewsets.ModelViewSet):
    serializer_class = SchemeSerializer
    queryset = ScoringScheme.objects.select_related("version").order_by("pk")
    filterset_fields = ["version"]
    key = "version"

    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        """What is wrong with the scheme (Swedish messages); empty when it can be used."""
        scheme = self.get_object()
        return Response({"problems": [p.as_dict() for p in scheme_problems(scheme.version)]})


class CategoryViewSet(LockedWhenFrozen, viewsets.ModelViewSet):
    serializer_class = CategorySerializer
    queryset = ScoringCategory.objects.select_related("scheme__version").order_by("scheme", "order", "code")
    filterset_fields = ["scheme", "parent"]


class RuleViewSet(LockedWhenFrozen, viewsets.ModelViewSet):
    serializer_class = RuleSerializer
    queryset = ScoringRule.objects.select_related("scheme__version").order_by("scheme", "question", "pk")
    filterset_fields = ["scheme", "question", "category"]
