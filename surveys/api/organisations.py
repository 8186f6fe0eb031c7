"""Organisations, their contacts, and questionnaires over the API."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import Contact, Organisation, Questionnaire, QuestionnaireVersion
from ..permissions import IsCoordinator
from ..services import data_protection
from .schema import PROTECTED, error, model_docs


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "parent", "aliases", "is_active"]


class OrganisationFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields = ["kind", "parent", "is_active", "name"]


@model_docs(
    "an organisation",
    "organisations",
    conflicts={"destroy": PROTECTED},
    list="Filter by kind, parent, active or not, and part of the name.",
    destroy="Refused while assignments, plan rows or sub-organisations refer to it; set `is_active` false "
    "instead.",
)
class OrganisationViewSet(viewsets.ModelViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    queryset = Organisation.objects.all()


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "organisation", "name", "email", "phone", "is_active", "erased_at"]
        read_only_fields = ["erased_at"]

    def validate(self, attrs):
        if self.instance is not None and self.instance.erased_at is not None:
            raise serializers.ValidationError(
                "Kontaktens personuppgifter är borttagna och kan inte ändras. Lägg till en ny kontaktperson."
            )
        return attrs


@model_docs(
    "a contact",
    "contacts",
    list="The people who answer for an organisation and get its e-mails; filter by organisation and active.",
    update="A contact whose personal data was erased cannot be changed (400).",
    partial_update="A contact whose personal data was erased cannot be changed (400).",
    destroy="Its personal links go with it; to keep answers and history but remove the person, use erase.",
)
class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    queryset = Contact.objects.select_related("organisation")
    filterset_fields = ["organisation", "is_active"]

    @extend_schema(
        summary="Erase a contact's personal data",
        description=(
            'Name, e-mail and phone are replaced by "Kontakt borttagen <date>"; the contact\'s links stop '
            "working (410), their sessions end, and e-mails to the contact lose address and text. Answers, "
            "change history and receipts stay and belong to the organisation. Coordinators only."
        ),
        request=None,
        responses={
            200: inline_serializer(
                "ContactErased",
                {
                    "contact": ContactSerializer(),
                    "links_revoked": serializers.IntegerField(),
                    "emails_cancelled": serializers.IntegerField(),
                    "emails_pruned": serializers.IntegerField(),
                    "sessions_ended": serializers.IntegerField(),
                },
            ),
            409: error("The contact's personal data is already erased."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsCoordinator])
    def erase(self, request, pk=None):
        contact = self.get_object()
        try:
            counts = data_protection.contact_erase(contact=contact, actor=request.user)
        except data_protection.AlreadyErased as done:
            return Response({"detail": str(done)}, status=status.HTTP_409_CONFLICT)
        return Response({"contact": ContactSerializer(contact).data, **counts})


class VersionSummarySerializer(serializers.ModelSerializer):
    is_frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "number", "label", "is_frozen", "comparable_with"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Questionnaire
        fields = ["id", "name", "kind", "programme", "description", "versions"]


@model_docs(
    "a questionnaire",
    "questionnaires",
    list="Each with its versions (frozen once a round has opened); filter by kind and programme.",
)
class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuestionnaireSerializer
    queryset = Questionnaire.objects.prefetch_related("versions__comparable_with")
    filterset_fields = ["kind", "programme"]
