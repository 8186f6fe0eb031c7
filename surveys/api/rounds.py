"""Survey rounds over the API: create and schedule, change state, recipients and deadlines, template
preview, progress per round and per assignment, and the outbox. Coordinators and admins write; readers
only read (surveys.permissions.IsStaffRole). Every rule lives in surveys.services.rounds."""

import datetime

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from .. import selectors
from ..models import Organisation, OutboundEmail, QuestionnaireVersion, SurveyRound
from ..permissions import IsCoordinator
from ..services import deadlines, outbox, rounds
from ..text import validate_single_line
from .errors import service_refusals
from .fields import IdField
from .schema import VALIDATION_ERROR, model_docs

# A service's refusal of a state change: `{"detail": [reason]}`.
REFUSED = VALIDATION_ERROR


def call(service, **kwargs):
    """Run a service; its ValidationError becomes a 400 with a message per field."""
    with service_refusals("detail"):
        return service(**kwargs)


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------


class DeadlineField(serializers.DateTimeField):
    """A deadline as a date and time, or as a date alone ("2026-12-02"), which means the end of that
    day in Stockholm (surveys.services.deadlines.deadline_from_date)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                return deadlines.deadline_from_date(datetime.date.fromisoformat(value.strip()))
            except ValueError:
                pass  # not a date: the usual message below
        return super().to_internal_value(value)


class TemplateFields(serializers.Serializer):
    invitation_subject = serializers.CharField(
        required=False, allow_blank=True, max_length=300, validators=[validate_single_line]
    )
    invitation_body = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    reminder_subject = serializers.CharField(
        required=False, allow_blank=True, max_length=300, validators=[validate_single_line]
    )
    reminder_body = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class RoundInput(TemplateFields):
    version = IdField(queryset=QuestionnaireVersion.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=300, validators=[validate_single_line]
    )
    opens_at = serializers.DateTimeField()
    deadline = DeadlineField()
    organisations = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=5000)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Organisation.Kind.choices), required=False, max_length=10
    )
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(min_value=-365, max_value=365), required=False, max_length=20
    )
    grace_hours = serializers.IntegerField(min_value=0, max_value=24 * 60, required=False)
    min_group_size = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    digest_to = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    coordinator_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=[validate_single_line]
    )
    coordinator_title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=[validate_single_line]
    )
    coordinator_email = serializers.EmailField(required=False, allow_blank=True)
    coordinator_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40, validators=[validate_single_line]
    )

    def validate(self, attrs):
        # Dates, templates and addresses are checked by the service (rounds.validate_round_fields);
        # only what is about this API's input shape is checked here.
        if self.instance is None:
            rounds.recipients_chosen_check(
                organisation_ids=attrs.get("organisations"), kinds=attrs.get("kinds")
            )
        elif "organisations" in attrs or "kinds" in attrs:
            raise serializers.ValidationError(
                {"organisations": ["Ändra mottagare med recipients/add och recipients/remove."]}
            )
        return attrs


class RecipientsInput(serializers.Serializer):
    organisations = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=5000)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Organisation.Kind.choices), required=False, max_length=10
    )

    def validate(self, attrs):
        if not attrs.get("organisations") and not attrs.get("kinds"):
            raise serializers.ValidationError({"organisations": ["Välj minst en organisation eller typ."]})
        return attrs


class DeadlineInput(serializers.Serializer):
    deadline = DeadlineField()


class DigestInput(serializers.Serializer):
    email = serializers.EmailField(required=False)


MAX_ID = 2**63 - 1  # a larger id is a 400, never a database error


class RemindInput(serializers.Serializer):
    assignment = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only this assignment's organisation; all non-responders when left out.",
    )


class ResendInput(serializers.Serializer):
    contact = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The contact who gets the invitation with a fresh link."
    )


class QueuedOutput(serializers.Serializer):
    queued = serializers.IntegerField()


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    not_opened = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    submitted = serializers.IntegerField()
    reopened = serializers.IntegerField()
    response_rate = serializers.FloatField()
    days_left = serializers.IntegerField(allow_null=True)


class RoundSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    # An address or nothing: documented as text, since an empty value is not an e-mail address.
    coordinator_email = serializers.CharField(
        read_only=True, help_text="The named coordinator's e-mail address; empty when none is named."
    )
    questionnaire = serializers.CharField(source="version.questionnaire.name", read_only=True)

    class Meta:
        model = SurveyRound
        fields = [
            "id",
            "name",
            "year",
            "version",
            "questionnaire",
            "state",
            "opens_at",
            "deadline",
            "grace_hours",
            "min_group_size",
            "reminder_offsets",
            "invitation_subject",
            "invitation_body",
            "reminder_subject",
            "reminder_body",
            "digest_to",
            "coordinator_name",
            "coordinator_title",
            "coordinator_email",
            "coordinator_phone",
            "opened_at",
            "closed_at",
            "published_at",
            "progress",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj):
        return selectors.progress_of(obj, now=self.context.get("now"))


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id")
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    status = serializers.CharField()
    deadline = serializers.DateTimeField()
    deadline_override = serializers.DateTimeField(allow_null=True)
    days_left = serializers.SerializerMethodField()
    first_opened_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(source="response.submitted_at", default=None, allow_null=True)
    removed_at = serializers.DateTimeField(allow_null=True)
    emails_sent = serializers.IntegerField()
    emails_failed = serializers.IntegerField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, obj):
        """Calendar days to this organisation's own (possibly extended) deadline while the round runs."""
        return selectors.days_left_in(obj.round, obj.deadline, now=self.context.get("now") or timezone.now())


class EmailSerializer(serializers.ModelSerializer):
    to_email = serializers.CharField(
        read_only=True,
        help_text="The recipient's address; empty once the e-mail's personal data are removed.",
    )

    class Meta:
        model = OutboundEmail
        fields = [
            "id",
            "key",
            "kind",
            "to_email",
            "round",
            "assignment",
            "step",
            "subject",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "next_attempt_at",
            "sent_at",
        ]
        read_only_fields = fields


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()


class PreviewOutput(serializers.Serializer):
    invitation = PreviewSerializer()
    reminder = PreviewSerializer()


# --------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------


def refusable(output, summary, description=None):
    """The schema of an action without a body that a service may refuse (400 with its reason)."""
    return extend_schema(
        request=None, responses={200: output, 400: REFUSED}, summary=summary, description=description
    )


class RoundFilter(filters.FilterSet):
    class Meta:
        model = SurveyRound
        fields = ["state", "year", "version", "version__questionnaire"]


@extend_schema_view(partial_update=extend_schema(request=RoundInput, responses=RoundSerializer))
@model_docs(
    "a round",
    "survey rounds",
    list="Newest year first, each with its progress; filter by state, year, version and questionnaire.",
    retrieve="With its progress: organisations not opened, in progress, submitted, reopened; days left.",
    partial_update="Recipients change with recipients/add and recipients/remove.",
)
class RoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = selectors.rounds_with_progress().order_by("-year", "name", "id")
    filterset_class = RoundFilter
    serializer_class = RoundSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _output(self, survey_round, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=survey_round.pk)
        return ApiResponse(RoundSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=RoundInput,
        responses={201: RoundSerializer},
        summary="Create a round",
        description="A draft round of a questionnaire version for a year, with its recipients (organisations "
        "or organisation kinds), opening time, deadline (a date alone means 23:59 that day in Stockholm), "
        "reminders and e-mail templates. Schedule it to have it open on its own.",
    )
    def create(self, request, *args, **kwargs):
        data = RoundInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        survey_round = call(
            rounds.round_create,
            organisation_ids=fields.pop("organisations", None),
            kinds=fields.pop("kinds", None),
            created_by=request.user,
            **fields,
        )
        return self._output(survey_round, status.HTTP_201_CREATED)

    @extend_schema(
        request=RoundInput,
        responses=RoundSerializer,
        summary="Change a round",
        description="Dates, reminders, templates and the name; recipients change with recipients/add and "
        "recipients/remove. What may change depends on the state (400 with the reason).",
    )
    def update(self, request, *args, **kwargs):
        survey_round = self.get_object()
        data = RoundInput(survey_round, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        call(rounds.round_update, survey_round=survey_round, actor=request.user, **data.validated_data)
        return self._output(survey_round)

    def _transition(self, service, **kwargs):
        survey_round = self.get_object()
        call(service, survey_round=survey_round, actor=self.request.user, **kwargs)
        return self._output(survey_round)

    @refusable(
        RoundSerializer,
        "Schedule a round",
        "A draft round opens on its own at `opens_at`. Refused (400) without recipients or with "
        "a scoring scheme that has problems.",
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        return self._transition(rounds.round_schedule)

    @refusable(
        RoundSerializer,
        "Unschedule a round",
        "A scheduled round goes back to draft.",
    )
    @action(detail=True, methods=["post"])
    def unschedule(self, request, pk=None):
        return self._transition(rounds.round_unschedule)

    @refusable(
        RoundSerializer,
        "Open a round now",
        "A draft or scheduled round opens at once, the invitations go out and the questionnaire "
        "version is frozen. Refused (400) without recipients or once the deadline has passed.",
    )
    @action(detail=True, methods=["post"], url_path="open")
    def open_now(self, request, pk=None):
        return self._transition(rounds.round_open_now)

    @refusable(
        RoundSerializer,
        "Close a round early",
        "An open round closes before its deadline.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(rounds.round_close_early)

    @refusable(
        RoundSerializer,
        "Publish a round's results",
        "A closed round is published: respondents see its results (figures stay hidden below the "
        "minimum group size) and every organisation's contacts are told where to find them.",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(rounds.round_publish)

    @extend_schema(
        request=DeadlineInput,
        responses=RoundSerializer,
        summary="Extend a round's deadline",
        description="A later deadline for the round (not once it has closed). A date alone means 23:59 that "
        "day in Stockholm.",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = DeadlineInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._transition(rounds.extend_deadline, deadline=data.validated_data["deadline"])

    def _recipients(self, request, service):
        survey_round = self.get_object()
        data = RecipientsInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisations = call(
            rounds.recipients_from,
            organisation_ids=data.validated_data.get("organisations"),
            kinds=data.validated_data.get("kinds"),
        )
        for organisation in organisations:
            call(service, survey_round=survey_round, organisation=organisation, actor=request.user)
        return self._output(survey_round)

    @extend_schema(
        request=RecipientsInput,
        responses=RoundSerializer,
        summary="Add recipients to a round",
        description="Organisations, by id or by kind, get an assignment (one removed earlier comes back); in "
        "an open round their contacts are invited at once. Not once the round has closed.",
    )
    @action(detail=True, methods=["post"], url_path="recipients/add")
    def add_recipients(self, request, pk=None):
        return self._recipients(request, rounds.add_recipient)

    @extend_schema(
        request=RecipientsInput,
        responses=RoundSerializer,
        summary="Remove recipients from a round",
        description="Their assignments are removed: answers stay, links stop working and e-mails not yet sent "
        "are cancelled. Not once the round has closed.",
    )
    @action(detail=True, methods=["post"], url_path="recipients/remove")
    def remove_recipients(self, request, pk=None):
        return self._recipients(request, rounds.remove_recipient)

    @extend_schema(request=TemplateFields, responses=PreviewOutput, summary="Preview a round's e-mails")
    @action(detail=True, methods=["get", "post"])
    def preview(self, request, pk=None):
        """The invitation and a reminder as the first recipient would get them; POST unsaved templates
        to see them before saving."""
        survey_round = self.get_object()
        data = TemplateFields(data=request.data if request.method == "POST" else {})
        data.is_valid(raise_exception=True)
        return ApiResponse(call(rounds.preview, survey_round=survey_round, overrides=data.validated_data))

    @extend_schema(request=RemindInput, responses=QueuedOutput, summary="Send reminders now")
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """Send a reminder now to every organisation that has not submitted (or to one assignment's)."""
        survey_round = self.get_object()
        data = RemindInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = None
        if data.validated_data.get("assignment") is not None:
            assignment = survey_round.assignments.filter(pk=data.validated_data["assignment"]).first()
            if assignment is None:
                raise serializers.ValidationError({"assignment": ["Okänt uppdrag i omgången."]})
        queued = call(rounds.remind_now, survey_round=survey_round, assignment=assignment, actor=request.user)
        return ApiResponse({"queued": queued})

    @extend_schema(request=DigestInput, responses=RoundSerializer, summary="Ask for a summary by e-mail")
    @action(detail=True, methods=["post"])
    def digest(self, request, pk=None):
        """Ask for a summary by e-mail when the round closes (at once if it already has)."""
        data = DigestInput(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data.get("email") or request.user.email
        if not email:
            raise serializers.ValidationError({"email": ["Ange en e-postadress."]})
        return self._transition(rounds.request_digest, email=email)


class AssignmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=[(s, s) for s in selectors.ASSIGNMENT_STATUSES])
    organisation_kind = filters.ChoiceFilter(
        field_name="organisation__kind", choices=Organisation.Kind.choices
    )
    removed = filters.BooleanFilter(field_name="removed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = selectors.Assignment
        fields = ["round", "organisation", "status", "organisation_kind", "removed"]


@model_docs(
    "an assignment",
    "assignments (one per organisation and round)",
    list="Each with status, deadline, last activity and e-mails sent and failed; filter by round, "
    "organisation, status, organisation kind and removed.",
)
class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Per assignment: status, last activity, e-mails sent and failed; reopen or extend one."""

    queryset = selectors.assignments_with_progress().order_by("round", "organisation__name")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    @refusable(
        AssignmentSerializer,
        "Reopen a submitted response",
        "A submitted response can be changed and submitted again; only while the round is open.",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        assignment = self.get_object()
        call(rounds.reopen_response, assignment=assignment, user=request.user)
        return ApiResponse(AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)

    @refusable(QueuedOutput, "Remind one organisation now")
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """Send this organisation's contacts a reminder now."""
        assignment = self.get_object()
        queued = call(
            rounds.remind_now, survey_round=assignment.round, assignment=assignment, actor=request.user
        )
        return ApiResponse({"queued": queued})

    @extend_schema(request=ResendInput, responses=EmailSerializer, summary="Re-send an invitation")
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """E-mail one contact the invitation again with a fresh link (earlier links stop working)."""
        assignment = self.get_object()
        data = ResendInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = assignment.organisation.contacts.filter(pk=data.validated_data["contact"]).first()
        if contact is None:
            raise serializers.ValidationError({"contact": ["Kontaktpersonen hör inte till organisationen."]})
        row = call(rounds.resend_invitation, assignment=assignment, contact=contact, actor=request.user)
        return ApiResponse(EmailSerializer(row).data)

    @extend_schema(
        request=DeadlineInput,
        responses=AssignmentSerializer,
        summary="Extend one organisation's deadline",
        description="A later deadline for this organisation only; its reminders and days left follow it.",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        assignment = self.get_object()
        data = DeadlineInput(data=request.data)
        data.is_valid(raise_exception=True)
        call(
            rounds.extend_deadline,
            survey_round=assignment.round,
            assignment=assignment,
            deadline=data.validated_data["deadline"],
            actor=request.user,
        )
        return ApiResponse(AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)


class EmailFilter(filters.FilterSet):
    class Meta:
        model = OutboundEmail
        fields = ["round", "assignment", "kind", "status"]


@model_docs(
    "an e-mail",
    "e-mails of the outbox",
    list="Newest first: what went out, what failed and why; filter by round, assignment, kind and status.",
)
class EmailViewSet(viewsets.ReadOnlyModelViewSet):
    """The outbox, for coordinators: what went out, what failed and why; a failed e-mail can be retried."""

    queryset = OutboundEmail.objects.order_by("-created_at", "-id")
    serializer_class = EmailSerializer
    filterset_class = EmailFilter
    permission_classes = [IsCoordinator]

    @refusable(
        EmailSerializer,
        "Retry a failed e-mail",
        "A failed e-mail is due again at once; any other state is refused (400).",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        row = self.get_object()
        call(outbox.retry, row=row, now=timezone.now(), actor=request.user)
        row.refresh_from_db()
        return ApiResponse(EmailSerializer(row).data)
