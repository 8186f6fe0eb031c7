"""Index results and activity reports over the API.

Coordinators, admins and readers see everything. A respondent user sees only their own organisations:
its own result (after publication, or at once when the round shows preliminary results), round
figures only once the round is published, and its trend over published rounds."""

import logging

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response as ApiResponse

from .. import selectors_results
from ..models import Assignment, Organisation, SurveyRound
from ..permissions import can_read_rounds, is_coordinator
from ..services.background import BackgroundUnavailable
from ..services.scoring import ScoringRefused, request_round_index
from .schema import error

logger = logging.getLogger(__name__)

PUBLISHED = SurveyRound.State.PUBLISHED
NO_RESULT = "Inget resultat."


def _own_organisations(user):
    return set(user.organisations.values_list("pk", flat=True))


def _int_list(request, name):
    raw = [part for value in request.query_params.getlist(name) for part in value.split(",") if part.strip()]
    try:
        return [int(part) for part in raw]
    except ValueError:
        raise ValidationError({name: "Ange id-nummer (heltal)."}) from None


def _year(request, name):
    value = request.query_params.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({name: "Ange ett årtal."})
    return int(value)


class ResultViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="An assignment's index result")
    @action(detail=False, url_path=r"assignments/(?P<assignment_id>[0-9]+)")
    def assignment(self, request, assignment_id):
        """One assignment's index: points per category (raw and capped), total, scaled, rank."""
        assignment = Assignment.objects.select_related("round").filter(pk=assignment_id).first()
        if assignment is None:
            raise NotFound(NO_RESULT)  # the same words as for another organisation's id
        if not can_read_rounds(request.user):
            round_ = assignment.round
            visible = round_.state == PUBLISHED or round_.show_preliminary_result
            if assignment.organisation_id not in _own_organisations(request.user) or not visible:
                raise NotFound(NO_RESULT)
        result = selectors_results.assignment_result(assignment)
        if result is None:
            raise NotFound("Resultatet är inte beräknat ännu.")
        if not can_read_rounds(request.user):
            result = selectors_results.for_respondent_result(result, assignment.round)
        return ApiResponse(result)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="A round's index figures")
    @action(detail=False, url_path=r"rounds/(?P<round_id>[0-9]+)")
    def round(self, request, round_id):
        """A round's figures (n, mean, median, min, max; per category too); staff also get every row."""
        survey_round = SurveyRound.objects.filter(pk=round_id).first()
        staff = can_read_rounds(request.user)
        if survey_round is None or (not staff and survey_round.state != PUBLISHED):
            # An unpublished round and a missing id look alike to respondents: ids tell nothing.
            raise NotFound(NO_RESULT)
        summary = selectors_results.round_summary(survey_round, with_rows=staff)
        return ApiResponse(summary if staff else selectors_results.for_respondent_round(summary, survey_round))

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer("IndexQueued", {"detail": serializers.CharField()}),
            403: error("Not logged in (session or token) as a coordinator or an admin."),
            409: error("The round's index can no longer be computed (the round is published)."),
            503: error("The background workers cannot be reached; try again in a while."),
        },
        summary="Recompute a round's index",
    )
    @action(detail=False, methods=["post"], url_path=r"rounds/(?P<round_id>[0-9]+)/compute")
    def compute(self, request, round_id):
        """Recompute a round's index in the background (after a scheme fix); refused once published."""
        if not is_coordinator(request.user):
            raise PermissionDenied("Endast samordnare får räkna om index.")
        survey_round = get_object_or_404(SurveyRound, pk=round_id)
        try:
            request_round_index(survey_round=survey_round)
        except ScoringRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        except BackgroundUnavailable:
            return ApiResponse(
                {"detail": "Bakgrundsjobben nås inte just nu. Försök igen om en stund."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return ApiResponse({"detail": "Indexet räknas om."}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="An organisation's index over the years",
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.STR, description="Versions-id, ett eller flera (kommaseparerade)"
            ),
            OpenApiParameter(
                "questionnaire", OpenApiTypes.INT, description="Enkät: versionerna dess omgångar använt"
            ),
            OpenApiParameter("from_year", OpenApiTypes.INT),
            OpenApiParameter("to_year", OpenApiTypes.INT),
        ],
    )
    @action(detail=False, url_path=r"organisations/(?P<organisation_id>[0-9]+)/trend")
    def trend(self, request, organisation_id):
        """The organisation's index over the years, only across comparable versions (400 otherwise)."""
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        staff = can_read_rounds(request.user)
        if organisation is None or (not staff and organisation.pk not in _own_organisations(request.user)):
            raise NotFound(NO_RESULT)
        version_ids = _int_list(request, "version")
        questionnaire = _int_list(request, "questionnaire")
        if not version_ids and not questionnaire:
            raise ValidationError({"version": "Ange version eller questionnaire."})
        from_year, to_year = _year(request, "from_year"), _year(request, "to_year")
        try:
            versions = selectors_results.trend_versions(
                version_ids=version_ids,
                questionnaire_id=questionnaire[0] if questionnaire else None,
                from_year=from_year,
                to_year=to_year,
            )
            trend = selectors_results.organisation_trend(
                organisation=organisation,
                versions=versions,
                published_only=not staff,
                from_year=from_year,
                to_year=to_year,
            )
        except selectors_results.IncomparableVersions as refused:
            raise ValidationError({"detail": str(refused)}) from None
        except ValueError as unknown:
            raise ValidationError({"version": str(unknown)}) from None
        return ApiResponse(trend if staff else selectors_results.for_respondent_trend(trend))

    @extend_schema(
        responses={
            200: OpenApiTypes.OBJECT,
            403: error("Not logged in (session or token) as a coordinator, an admin or a reader."),
        },
        summary="A round's activity report",
    )
    @action(detail=False, url_path=r"rounds/(?P<round_id>[0-9]+)/activities")
    def activities(self, request, round_id):
        """Activity report: per activity the share of responsible organisations per status, and each
        indicator's values summed with the gender split. Staff only (no index, no publication step)."""
        if not can_read_rounds(request.user):
            raise PermissionDenied("Du saknar behörighet för detta.")
        survey_round = get_object_or_404(SurveyRound, pk=round_id)
        return ApiResponse(selectors_results.activity_report(survey_round))
