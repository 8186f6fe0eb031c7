"""Questionnaire versions as workbooks over the API: template, export of any version, check and import
of a workbook as a new draft version."""

from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from exports import questionnaire_workbook
from exports.xlsx_safety import UnsafeWorkbook

from ..models import Questionnaire, QuestionnaireVersion
from ..services import questionnaires as service
from .fields import IdField
from .parsers import FormParser, MultiPartParser
from .programmes import IMPORT_REFUSED, XLSX_SCHEMA, upload_error_response, xlsx_response
from .schema import model_docs


class VersionSerializer(serializers.ModelSerializer):
    is_frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "questionnaire", "number", "label", "is_frozen", "comparable_with", "created_at"]


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    questionnaire = IdField(queryset=Questionnaire.objects.all())
    label = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


VERSION_UPLOAD_SCHEMA = extend_schema(request={"multipart/form-data": VersionUploadSerializer})


@model_docs(
    "a questionnaire version",
    "questionnaire versions",
    list="Filter by questionnaire. A version is frozen once a round of it has opened.",
)
class QuestionnaireVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VersionSerializer
    queryset = QuestionnaireVersion.objects.prefetch_related("comparable_with").order_by(
        "questionnaire", "number"
    )
    filterset_fields = ["questionnaire"]

    @extend_schema(summary="Download the questionnaire template")
    @XLSX_SCHEMA
    @action(detail=False, methods=["get"])
    def template(self, request):
        """An example questionnaire workbook: every sheet, a few rows, and instructions."""
        return xlsx_response(questionnaire_workbook.template(), "enkat-mall.xlsx")

    @extend_schema(summary="Download a version as a workbook")
    @XLSX_SCHEMA
    @action(detail=True, methods=["get"])
    def workbook(self, request, pk=None):
        """The version in the import format."""
        version = self.get_object()
        name = slugify(f"{version.questionnaire.name}-v{version.number}")
        return xlsx_response(service.export_version(version), f"{name}.xlsx")

    def _import(self, request, *, dry_run):
        upload = VersionUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            report = service.import_questionnaire(
                upload=data["file"],
                questionnaire=data["questionnaire"],
                dry_run=dry_run,
                label=data["label"],
                actor=request.user,
            )
        except UnsafeWorkbook as error:
            return upload_error_response(error)
        if not report.ok:
            return ApiResponse(report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse(
            report.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Check a questionnaire workbook", responses={200: OpenApiTypes.OBJECT, 400: IMPORT_REFUSED}
    )
    @VERSION_UPLOAD_SCHEMA
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def check(self, request):
        """Validate a questionnaire workbook; nothing is written."""
        return self._import(request, dry_run=True)

    @extend_schema(
        summary="Import a questionnaire workbook", responses={201: OpenApiTypes.OBJECT, 400: IMPORT_REFUSED}
    )
    @VERSION_UPLOAD_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_version(self, request):
        """Create a new draft version from a workbook without errors."""
        return self._import(request, dry_run=False)
