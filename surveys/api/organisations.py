"""Organisations, their contacts, and questionnaires over the API."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import Contact, Organisation, Questionnaire, QuestionnaireVersion
from ..permissions import IsCoordinator
from ..services import data_protection


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "parent", "aliases", "is_active"]


class OrganisationFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields = ["kind", "parent", "is_active", "name"]


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


class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    queryset = Contact.objects.select_related("organisation")
    filterset_fields = ["organisation", "is_active"]

    @extend_schema(
        summary="Ta bort en kontaktpersons personuppgifter",
        description=(
            'Namn, e-post och telefon ersätts av "Kontakt borttagen <datum>"; kontaktens länkar slutar '
            "gälla (410), sessionerna avslutas och e-post till kontakten förlorar adress och text. Svar, "
            "ändringshistorik och kvitton finns kvar och hör till organisationen. Bara samordnare."
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
            409: OpenApiResponse(description="Kontaktens personuppgifter är redan borttagna."),
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


class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuestionnaireSerializer
    queryset = Questionnaire.objects.prefetch_related("versions__comparable_with")
    filterset_fields = ["kind", "programme"]
