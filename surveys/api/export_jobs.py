"""Export jobs over the API: coordinators and readers ask for a round's workbook, poll the job, and
download the finished file here (never from a public media URL)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import ListCreateAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response as ApiResponse
from rest_framework.reverse import reverse

from ..models import ExportJob, SurveyRound
from ..permissions import can_read_rounds
from ..services import export_jobs
from .schema import error, model_docs


class CanReadRounds(BasePermission):
    """Coordinators, admins and readers (the central office) may ask for and download workbooks."""

    message = "Du saknar behörighet för detta."
    denied = "Not logged in (session or token) as a coordinator, an admin or a reader."

    def has_permission(self, request, view):
        return can_read_rounds(request.user)


class ExportJobSerializer(serializers.ModelSerializer):
    round_name = serializers.CharField(source="round.name", read_only=True)
    year = serializers.IntegerField(source="round.year", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField(help_text="No sign of life from a worker for a while.")
    status_text = serializers.SerializerMethodField(help_text="The state in Swedish words.")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "round",
            "round_name",
            "year",
            "kind",
            "state",
            "stalled",
            "status_text",
            "progress",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]

    def get_stalled(self, job) -> bool:
        return export_jobs.is_stalled(job)

    def get_status_text(self, job) -> str:
        return export_jobs.status_text(job)

    def get_download_url(self, job) -> str | None:
        if job.state != ExportJob.State.DONE or not job.file:
            return None
        return reverse("export-download", kwargs={"pk": job.pk}, request=self.context["request"])


def _jobs():
    return ExportJob.objects.select_related("round", "requested_by")


@extend_schema_view(
    get=extend_schema(summary="List a round's export jobs", description="Newest first; filter by state.")
)
class RoundExportsView(ListCreateAPIView):
    """GET: the export jobs of a round. POST: ask for the round's workbook (202 with a new job, or 200
    with the job already holding the workbook of the unchanged round)."""

    serializer_class = ExportJobSerializer
    permission_classes = [CanReadRounds]
    filterset_fields = ["state"]

    def get_round(self):
        return get_object_or_404(SurveyRound, pk=self.kwargs["round_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no round
            return ExportJob.objects.none()
        # Through the round's primary key: an id past the column's range is a 404, not a database error.
        return _jobs().filter(round=self.get_round())

    @extend_schema(
        request=inline_serializer(
            "ExportRequest",
            {
                "kind": serializers.ChoiceField(
                    choices=export_jobs.KINDS, required=False, default=export_jobs.KIND
                )
            },
        ),
        responses={200: ExportJobSerializer, 202: ExportJobSerializer},
        summary="Ask for a round's export",
        description=(
            "A new job (202) that a worker builds; poll it at /api/exports/{id}/. The job already holding "
            "the file of the unchanged round is answered at once (200). "
            "kind=round_workbook (default): the round's workbook. kind=round_archive: the archive package "
            "of a closed or published round (a zip: workbook, every submitted response as HTML, codebook, "
            "round JSON, manifest with SHA-256 checksums)."
        ),
    )
    def post(self, request, round_id):
        kind = request.data.get("kind") if hasattr(request.data, "get") else None
        try:
            job, created = export_jobs.request_export(
                survey_round=self.get_round(), user=request.user, kind=str(kind or export_jobs.KIND)
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        body = ExportJobSerializer(job, context={"request": request}).data
        return ApiResponse(body, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class NotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Filen är inte klar än."
    default_code = "not_ready"


class Expired(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "Filen har tagits bort; begär en ny export."
    default_code = "expired"


@model_docs(
    "an export job",
    "export jobs",
    list="Every round's jobs, newest first; filter by round and state.",
    retrieve="Poll it: state, progress, a stalled job, and the download URL once done.",
)
class ExportJobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ExportJobSerializer
    permission_classes = [CanReadRounds]
    queryset = _jobs()
    filterset_fields = ["round", "state"]

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                description="The workbook (.xlsx), or the archive package (application/zip) for a job of kind "
                "round_archive"
            ),
            409: error("The job has not finished (queued, running or failed)."),
            410: error("The file has been deleted after its retention time; ask for a new export."),
        },
        summary="Download an export's file",
        description="The finished job's file as an attachment, from here only (never a public URL).",
    )
    @action(detail=True)
    def download(self, request, pk=None):
        job = self.get_object()
        if job.state == ExportJob.State.EXPIRED:
            raise Expired()
        if job.state != ExportJob.State.DONE or not job.file:
            raise NotReady()
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:  # removed from the storage by hand: the same as expired for the caller
            raise Expired() from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=export_jobs.workbook_filename(job),
            content_type=export_jobs.content_type(job),
        )
