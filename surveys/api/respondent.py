"""The respondent's questionnaire over the API: the same services as the pages, for a script or another
front end. The caller is a browser session opened by a magic link (no staff login): it reaches only the
assignments whose links it opened, and unsafe methods need the CSRF token like any session."""

from django.contrib.auth.models import AnonymousUser
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from ..services import responses
from ..services.respondent_access import load_organisation, mark_used, respondent_access, session_links
from ..services.tokens import TokenRefused
from .schema import ErrorSerializer, ValidationErrorSerializer, error


class RespondentSessionAuthentication(SessionAuthentication):
    """A session that opened at least one magic link. CSRF is enforced as for staff sessions."""

    def authenticate(self, request):
        links = session_links(request._request.session)
        if not links:
            return None
        self.enforce_csrf(request)
        return (AnonymousUser(), links)


class RespondentSessionScheme(OpenApiAuthenticationExtension):
    target_class = RespondentSessionAuthentication
    name = "respondentSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The session a respondent's magic link opens (GET /l/<token>/).",
        }


class HasRespondentSession(BasePermission):
    message = "Öppna enkäten med din personliga länk först."
    denied = (
        "No session opened by a personal link (GET /l/<token>/), no CSRF token on a save or a submit, or "
        "the link that opened the session has been revoked since."
    )

    def has_permission(self, request, view):
        return bool(request.auth)


class LinkEnded(APIException):
    """The link that opened this session no longer works: the same answer as the link page."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "link_ended"

    def __init__(self, reason):
        if reason == "expired":
            self.status_code = status.HTTP_410_GONE
        super().__init__(
            {
                "expired": "Länken har slutat gälla eftersom enkäten har stängt.",
                "not_open": "Enkäten har inte öppnat än.",
            }.get(reason, "Länken har spärrats. En ny länk kan ha skickats till dig eller en kollega.")
        )


class RespondentOptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class RespondentQuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    section = serializers.IntegerField(help_text="The section's number, from 1.")
    text = serializers.CharField()
    help_text = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    min_value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    max_value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    max_length = serializers.IntegerField(allow_null=True)
    options = RespondentOptionSerializer(many=True)
    visible = serializers.BooleanField(help_text="False when the question's condition does not hold.")
    value = serializers.JSONField(allow_null=True)
    prefilled = serializers.BooleanField(help_text="Last year's answer, not yet confirmed or changed.")


class RespondentQuestionnaireSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()
    organisation = serializers.CharField()
    round = serializers.CharField()
    deadline = serializers.DateTimeField()
    state = serializers.CharField()
    version = serializers.IntegerField()
    editable = serializers.BooleanField()
    sections = inline_serializer(
        "Section", {"number": serializers.IntegerField(), "title": serializers.CharField()}, many=True
    )
    questions = RespondentQuestionSerializer(many=True)


class SaveInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The version the answers are based on.")
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text="{code: value}")
    confirm = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Codes of last year's answers to confirm.",
    )


SaveResultSerializer = inline_serializer(
    "SaveResult",
    {
        "version": serializers.IntegerField(),
        "saved": serializers.ListField(child=serializers.CharField()),
        "conflicts": serializers.ListField(child=serializers.DictField()),
    },
)
LINK_EXPIRED = error(
    "The link has ended because the round has closed (its deadline and grace period are past)."
)


class RespondentView(APIView):
    authentication_classes = [RespondentSessionAuthentication]
    permission_classes = [HasRespondentSession]

    def load(self, request, assignment_id, *, answers=True):
        try:
            access = respondent_access(request._request.session, assignment_id)  # 404 for anything not opened
        except TokenRefused as refused:
            raise LinkEnded(refused.reason) from None
        response = responses.response_for_assignment(access.assignment)
        return access, response, responses.load_questionnaire(response, answers=answers)


def _questionnaire_data(access, response, questionnaire):
    numbers = {s.pk: i for i, s in enumerate(questionnaire.sections(), start=1)}
    visible = {q.pk for q in questionnaire.visible()}
    assignment = access.assignment
    return {
        "assignment": assignment.pk,
        "organisation": assignment.organisation.name,
        "round": str(assignment.round),
        "deadline": assignment.deadline,
        "state": response.state,
        "version": response.version,
        "editable": responses.is_editable(response),
        "sections": [{"number": numbers[s.pk], "title": s.title} for s in questionnaire.sections()],
        "questions": [
            {
                "code": q.code,
                "section": numbers[q.section_id],
                "text": q.text,
                "help_text": q.help_text,
                "type": q.type,
                "required": q.required,
                "min_value": q.min_value,
                "max_value": q.max_value,
                "max_length": q.max_length,
                "options": [{"code": c, "label": label} for c, label in responses.choices_for(q)],
                "visible": q.pk in visible,
                "value": questionnaire.answers[q.pk].value if q.pk in questionnaire.answers else None,
                "prefilled": bool(q.pk in questionnaire.answers and questionnaire.answers[q.pk].prefilled),
            }
            for q in questionnaire.questions
        ],
    }


class QuestionnaireView(RespondentView):
    @extend_schema(
        summary="The respondent's questionnaire and answers",
        description="Also sets the `csrftoken` cookie: send its value in the `X-CSRFToken` header of the "
        "saves and the submit, so a client needs no page to get one.",
        responses={200: RespondentQuestionnaireSerializer, 410: LINK_EXPIRED},
    )
    @method_decorator(ensure_csrf_cookie)
    def get(self, request, assignment_id):
        access, response, questionnaire = self.load(request, assignment_id)
        load_organisation(access.assignment)
        if responses.is_editable(response) and responses.prefill_response(response=response):
            questionnaire = responses.load_questionnaire(response)
        return ApiResponse(
            RespondentQuestionnaireSerializer(_questionnaire_data(access, response, questionnaire)).data
        )


class AnswersView(RespondentView):
    @extend_schema(
        request=SaveInputSerializer,
        responses={
            200: SaveResultSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description="Nothing is saved: invalid answers, `{errors: {code: message}}`; a `version` the "
                "response never had, `{version: [message]}`; or a refused field of the input.",
            ),
            409: OpenApiResponse(
                PolymorphicProxySerializer(
                    "SaveConflict", [SaveResultSerializer, ErrorSerializer], resource_type_field_name=None
                ),
                description="Conflicts: the other answers are saved, the conflicting ones keep the stored "
                "value and come back with both values. Or `{detail}` when the response can no longer be "
                "changed (submitted, or the round has closed).",
            ),
            410: LINK_EXPIRED,
        },
        summary="Save answers as a draft, based on a version",
        description="`version` is the version the answers were loaded with. Answers someone changed after "
        "it (a colleague, or the same person in another tab or script) keep the stored value and come "
        "back in `conflicts` with both values (409). Nothing is saved when any answer is invalid, or when "
        "`version` is newer than the stored one (400).",
    )
    def post(self, request, assignment_id):
        access, response, questionnaire = self.load(request, assignment_id, answers=False)
        data = SaveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mark_used(access)
        try:
            result, errors = responses.save_input(
                questionnaire=questionnaire,
                raw_by_code=data.validated_data["answers"],
                base_version=data.validated_data["version"],
                contact=access.contact,
                confirm=set(data.validated_data["confirm"]),
                all_or_nothing=True,
            )
        except responses.ResponseLocked:
            return ApiResponse({"detail": "Enkäten kan inte ändras längre."}, status=status.HTTP_409_CONFLICT)
        except responses.UnknownVersion as refused:
            return ApiResponse({"version": [refused.message]}, status=status.HTTP_400_BAD_REQUEST)
        if errors:
            return ApiResponse(
                {"errors": {code: e.message for code, e in errors.items()}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        conflicts = [{"code": c.question.code, "theirs": c.theirs, "mine": c.mine} for c in result.conflicts]
        return ApiResponse(
            {"version": result.version, "saved": result.changed, "conflicts": conflicts},
            status=status.HTTP_409_CONFLICT if conflicts else status.HTTP_200_OK,
        )


class SubmitView(RespondentView):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "Submitted",
                {"state": serializers.CharField(), "first_submission": serializers.BooleanField()},
            ),
            400: OpenApiResponse(
                inline_serializer(
                    "Missing", {"missing": serializers.ListField(child=serializers.CharField())}
                ),
                description="Not submitted: the codes of required questions that are shown and unanswered, or "
                "whose stored answer is no longer valid.",
            ),
            409: error("The round has closed: nothing can be submitted."),
            410: LINK_EXPIRED,
        },
        summary="Submit the response (once; a repeated call changes nothing)",
        description="Of two simultaneous submits exactly one is the first submission (`first_submission`).",
    )
    def post(self, request, assignment_id):
        access, response, _ = self.load(request, assignment_id)
        mark_used(access)
        try:
            first = responses.submit_response(response=response, contact=access.contact)
        except responses.SubmitRefused as refused:
            return ApiResponse(
                {"missing": [q.code for q in refused.missing]}, status=status.HTTP_400_BAD_REQUEST
            )
        except responses.ResponseLocked:
            return ApiResponse({"detail": "Enkäten är stängd."}, status=status.HTTP_409_CONFLICT)
        return ApiResponse({"state": response.state, "first_submission": first})
