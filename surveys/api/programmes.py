"""Programmes over the API: programme → målområden → insatsområden → aktiviteter → indikatorer.

Coordinators and admins write, readers read, respondents see nothing (the default IsStaffRole). Every list
is filterable by programme and by organisation ("what is Individ- och familjenämnden responsible for?" =
the activities or indicators it leads or shares), with a bounded number of queries per page."""

from django import forms
from django.http import HttpResponse
from django.utils.text import slugify
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from exports import plan_io
from exports.xlsx_safety import XLSX_CONTENT_TYPE, UnsafeWorkbook

from ..models import Activity, FocusArea, GoalArea, Indicator, Organisation, OrganisationAlias, Programme
from ..selectors_plan import LEAD, programme_answerers
from ..services import programmes as plan_service
from ..services.activity_reports import generate_activity_version
from ..services.plan_names import organisation_alias_accept
from ..services.plan_responsibility import plan_delete_refusal
from .parsers import FormParser, MultiPartParser
from .schema import PROTECTED, ProtectedErrorSerializer, ValidationErrorSerializer, error, model_docs

# A programme's years as people write them; also keeps values inside the column on every database.
MIN_YEAR, MAX_YEAR = 1900, 2200


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "name", "owner", "start_year", "end_year", "description"]
        extra_kwargs = {
            "start_year": {"min_value": MIN_YEAR, "max_value": MAX_YEAR},
            "end_year": {"min_value": MIN_YEAR, "max_value": MAX_YEAR},
        }

    def validate(self, attrs):
        start = attrs.get("start_year", getattr(self.instance, "start_year", None))
        end = attrs.get("end_year", getattr(self.instance, "end_year", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"end_year": "Slutåret kan inte ligga före startåret."})
        return attrs


MAX_ID = 2**63 - 1  # BigAutoField
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@extend_schema_field(ID_SCHEMA)
class IdFilter(filters.NumberFilter):
    """A row id: a whole number inside the id column's range. (Compared through a foreign key, a larger
    number is not caught by Django and would reach the database as a server error.)"""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({**ID_SCHEMA, "description": "Ansvarig eller samverkan (id)"})
class OrganisationIdFilter(IdFilter):
    pass


class ProgrammeFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    year = filters.NumberFilter(method="filter_year", label="Gäller år")

    class Meta:
        model = Programme
        fields = ["owner", "name", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    create_organisations = serializers.BooleanField(
        default=False, help_text="Skapa organisationer vars namn inte matchar någon befintlig."
    )
    archive_missing = serializers.BooleanField(
        default=False,
        help_text="Arkivera aktiviteter och indikatorer som finns i programmet men inte i filen.",
    )


XLSX_SCHEMA = extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
IMPORT_REFUSED = OpenApiResponse(
    ValidationErrorSerializer,
    description="The workbook has errors (`ok` false; `errors` names sheet, row, column and message) or "
    "is no workbook that can be read safely; or a field of the form is refused (`file`). Nothing is written.",
)
UPLOAD_SCHEMA = extend_schema(
    request={"multipart/form-data": UploadSerializer},
    responses={200: OpenApiTypes.OBJECT, 400: IMPORT_REFUSED},
)


def upload_error_response(error):
    """A refused file: one Swedish sentence, in the same shape as import errors."""
    return ApiResponse(
        {
            "ok": False,
            "applied": False,
            "errors": [
                {"sheet": None, "row": None, "column": None, "message": error.message, "text": error.message}
            ],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


@model_docs(
    "a programme",
    "programmes",
    conflicts={"destroy": PROTECTED},
    list="Filter by owner, part of the name, and a year the programme covers.",
    destroy="With its goal areas, focus areas, activities and indicators; refused while a questionnaire "
    "asks about them.",
)
class ProgrammeViewSet(viewsets.ModelViewSet):
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    queryset = Programme.objects.all()

    @extend_schema(summary="Download the plan template")
    @XLSX_SCHEMA
    @action(detail=False, methods=["get"], url_path="plan-template")
    def plan_template(self, request):
        """The empty plan workbook with example rows and instructions."""
        return xlsx_response(plan_io.template(), "plan-mall.xlsx")

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "GeneratedVersion",
                {
                    "version": serializers.IntegerField(),
                    "questionnaire": serializers.IntegerField(),
                    "number": serializers.IntegerField(),
                    "questions": serializers.IntegerField(),
                },
            )
        },
        summary="Generate the activity questionnaire",
    )
    @action(detail=True, methods=["post"], url_path="activity-questionnaire")
    def activity_questionnaire(self, request, pk=None):
        """Generate a new draft version of the programme's activity questionnaire from the plan (an
        optional `label` names it)."""
        label = str(request.data.get("label", ""))[:100]
        version = generate_activity_version(self.get_object(), label=label, actor=request.user)
        return ApiResponse(
            {
                "version": version.pk,
                "questionnaire": version.questionnaire_id,
                "number": version.number,
                "questions": version.questions.count(),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="Download a programme's plan")
    @XLSX_SCHEMA
    @action(detail=True, methods=["get"], url_path="plan")
    def plan_export(self, request, pk=None):
        """The plan in the import format (one row per activity/indicator)."""
        programme = self.get_object()
        return xlsx_response(plan_service.export_plan(programme), f"plan-{slugify(programme.name)}.xlsx")

    def _import(self, request, *, dry_run):
        programme = self.get_object()
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            report = plan_service.import_plan(
                upload=upload.validated_data["file"],
                programme=programme,
                dry_run=dry_run,
                create_organisations=upload.validated_data["create_organisations"],
                archive_missing=upload.validated_data["archive_missing"],
                actor=request.user,
            )
        except UnsafeWorkbook as error:
            return upload_error_response(error)
        return ApiResponse(
            report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        )

    @extend_schema(summary="Check a plan workbook")
    @UPLOAD_SCHEMA
    @action(
        detail=True, methods=["post"], url_path="plan/check", parser_classes=[MultiPartParser, FormParser]
    )
    def plan_check(self, request, pk=None):
        """Dry run: what the workbook would create or change, and every error; nothing is written."""
        return self._import(request, dry_run=True)

    @extend_schema(summary="Import a plan workbook")
    @UPLOAD_SCHEMA
    @action(
        detail=True, methods=["post"], url_path="plan/import", parser_classes=[MultiPartParser, FormParser]
    )
    def plan_import(self, request, pk=None):
        """Apply the workbook to the programme, all or nothing."""
        return self._import(request, dry_run=False)


class GoalAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoalArea
        fields = ["id", "programme", "number", "title", "national_goal", "order"]


@model_docs(
    "a goal area",
    "goal areas (målområden) of the programmes",
    conflicts={"destroy": PROTECTED},
    list="Filter by programme.",
    destroy="With its focus areas and activities; refused while a questionnaire asks about them.",
)
class GoalAreaViewSet(viewsets.ModelViewSet):
    serializer_class = GoalAreaSerializer
    queryset = GoalArea.objects.all()
    filterset_fields = ["programme"]


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["id", "goal_area", "number", "title", "order"]


class FocusAreaFilter(filters.FilterSet):
    programme = IdFilter(field_name="goal_area__programme")

    class Meta:
        model = FocusArea
        fields = ["goal_area", "programme"]


@model_docs(
    "a focus area",
    "focus areas (insatsområden) of the goal areas",
    conflicts={"destroy": PROTECTED},
    list="Filter by goal area and programme.",
    destroy="With its activities; refused while a questionnaire asks about them.",
)
class FocusAreaViewSet(viewsets.ModelViewSet):
    serializer_class = FocusAreaSerializer
    filterset_class = FocusAreaFilter
    queryset = FocusArea.objects.all()


class IndicatorSerializer(serializers.ModelSerializer):
    # allow_null without default: a PATCH (partial) response would otherwise leave the field out.
    lead_name = serializers.CharField(source="lead.name", read_only=True, allow_null=True)
    co_groups = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, help_text='T.ex. ["Alla nämnder"].'
    )
    partners = serializers.ListField(child=serializers.CharField(max_length=300), required=False)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "activity",
            "text",
            "unit",
            "target",
            "due_date",
            "gender_split",
            "inherits_responsibility",
            "lead",
            "lead_name",
            "lead_group",
            "lead_partner",
            "co_responsible",
            "co_groups",
            "partners",
            "archived_at",
            "order",
        ]
        read_only_fields = ["archived_at"]

    def validate(self, attrs):
        return plan_service.indicator_row_rules(attrs)


class ActivitySerializer(serializers.ModelSerializer):
    # allow_null without default: a PATCH (partial) response would otherwise leave the field out.
    lead_name = serializers.CharField(source="lead.name", read_only=True, allow_null=True)
    co_groups = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, help_text='T.ex. ["Alla nämnder"].'
    )
    partners = serializers.ListField(child=serializers.CharField(max_length=300), required=False)

    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "goal_area",
            "focus_area",
            "number",
            "title",
            "description",
            "frequency",
            "lead",
            "lead_name",
            "lead_group",
            "lead_partner",
            "co_responsible",
            "co_groups",
            "partners",
            "archived_at",
            "order",
            "indicators",
        ]
        read_only_fields = ["archived_at"]

    def validate(self, attrs):
        plan_service.plan_row_groups_check(
            lead_group=attrs.get("lead_group") or "", co_groups=attrs.get("co_groups") or ()
        )
        goal_area = attrs.get("goal_area", getattr(self.instance, "goal_area", None))
        focus_area = attrs.get("focus_area", getattr(self.instance, "focus_area", None))
        if focus_area is not None and goal_area is not None and focus_area.goal_area_id != goal_area.pk:
            raise serializers.ValidationError({"focus_area": "Insatsområdet hör till ett annat målområde."})
        return attrs


class Responsibility:
    LEAD = "lead"
    SHARED = "shared"
    CHOICES = [(LEAD, "Ansvarig"), (SHARED, "Samverkan")]


class ResponsibleFilter(filters.FilterSet):
    """`organisation`: the rows it answers for, by the one rule of selectors_plan (lead or co-responsible,
    groups resolved, inheritance from the activity); `responsibility` narrows to only lead or only shared."""

    answerers_of = "activities"
    organisation = OrganisationIdFilter(method="filter_organisation")
    responsibility = filters.ChoiceFilter(
        choices=Responsibility.CHOICES,
        method="filter_noop",
        label="Med organisation: bara ansvarig/samverkan",
    )
    programme = IdFilter(method="filter_noop")

    def filter_noop(self, queryset, name, value):
        return queryset  # read by filter_organisation / the programme filter

    def filter_organisation(self, queryset, name, value):
        responsibility = self.form.cleaned_data.get("responsibility")
        programme_id = self.form.cleaned_data.get("programme")
        table = getattr(programme_answerers(programme_id=programme_id), self.answerers_of)
        organisation_id = int(value)
        wanted = {
            pk
            for pk, who in table.items()
            if organisation_id in who
            and (
                not responsibility
                or (who[organisation_id] == LEAD) == (responsibility == Responsibility.LEAD)
            )
        }
        return queryset.filter(pk__in=wanted)


class ActivityFilter(ResponsibleFilter):
    answerers_of = "activities"
    programme = IdFilter(field_name="goal_area__programme")

    class Meta:
        model = Activity
        fields = ["programme", "goal_area", "focus_area", "lead", "organisation", "responsibility"]


PLAN_ROW_IN_USE = error(
    "An opened round asks about the row (the message names the rounds), or other rows refer to it "
    "(`used_by`); nothing is deleted.",
    ProtectedErrorSerializer,
)
PLAN_ROW = {
    "list": "Filter by programme and the plan's structure; `organisation` gives the rows it answers for (as "
    "lead or co-responsible, groups resolved, inherited from the activity), `responsibility` only lead or only "
    "shared.",
    "destroy": "Refused while an opened round asks about it; archive it with a plan import instead.",
}


class RefusePlanDeleteMixin:
    """A plan row that an opened round asks about is not deleted: a 409 names the rounds."""

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        key = "activity_ids" if isinstance(row, Activity) else "indicator_ids"
        reason = plan_delete_refusal(**{key: [row.pk]})
        if reason:
            return ApiResponse({"detail": reason}, status=status.HTTP_409_CONFLICT)
        return super().destroy(request, *args, **kwargs)


@model_docs(
    "an activity",
    "activities of the plans, each with its indicators",
    {"destroy": PLAN_ROW_IN_USE},
    **PLAN_ROW,
)
class ActivityViewSet(RefusePlanDeleteMixin, viewsets.ModelViewSet):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    queryset = (
        Activity.objects.select_related("lead")
        .prefetch_related("co_responsible", "indicators__co_responsible", "indicators__lead")
        .order_by("goal_area__order", "goal_area__number", "order", "number", "pk")
    )


class IndicatorFilter(ResponsibleFilter):
    answerers_of = "indicators"
    programme = IdFilter(field_name="activity__goal_area__programme")

    class Meta:
        model = Indicator
        fields = ["programme", "activity", "gender_split", "lead", "organisation", "responsibility"]


@model_docs("an indicator", "indicators of the activities", {"destroy": PLAN_ROW_IN_USE}, **PLAN_ROW)
class IndicatorViewSet(RefusePlanDeleteMixin, viewsets.ModelViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    queryset = (
        Indicator.objects.select_related("lead")
        .prefetch_related("co_responsible")
        .order_by("activity__goal_area__order", "activity__order", "activity_id", "order", "pk")
    )


class OrganisationAliasSerializer(serializers.ModelSerializer):
    """A coordinator's accepted suggestion: `name` is another spelling of `organisation`, or (with
    `is_partner`) an external partner that stays on the plan and is never asked."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = OrganisationAlias
        fields = ["id", "name", "organisation", "is_partner", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"name": {"validators": []}}

    def validate(self, attrs):
        if not str(attrs.get("name", "")).strip():
            raise serializers.ValidationError({"name": "Ange namnet som det står i planen."})
        if bool(attrs.get("organisation")) == bool(attrs.get("is_partner")):
            raise serializers.ValidationError(
                {"organisation": "Välj antingen en organisation eller extern part (is_partner)."}
            )
        return attrs

    def create(self, validated_data):
        return organisation_alias_accept(
            name=validated_data["name"],
            organisation=validated_data.get("organisation"),
            partner=validated_data.get("is_partner", False),
            actor=self.context["request"].user,
        )


@model_docs(
    "an accepted name",
    "accepted names: other spellings of organisations, and external partners",
    create="The same name decided again replaces the earlier decision.",
    destroy="Plan checks and imports no longer know the name.",
)
class OrganisationAliasViewSet(
    viewsets.mixins.ListModelMixin,
    viewsets.mixins.RetrieveModelMixin,
    viewsets.mixins.CreateModelMixin,
    viewsets.mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Accepted spellings and partners, used by every plan check and import from then on."""

    serializer_class = OrganisationAliasSerializer
    queryset = OrganisationAlias.objects.select_related("organisation").order_by("name")
