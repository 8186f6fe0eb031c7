"""Organisations, their contacts, and questionnaires over the API."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ..models import Contact, Organisation, Questionnaire, QuestionnaireVersion


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
        fields = ["id", "organisation", "name", "email", "is_active"]


class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    queryset = Contact.objects.select_related("organisation")
    filterset_fields = ["organisation", "is_active"]


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
