"""Respondents' personal links over the API: list, re-issue and revoke (coordinators and admins only).

A new link is shown once in the answer to the request that made it; only its hash is stored."""

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import AccessToken, Assignment, Contact
from ..permissions import IsCoordinator
from ..services.tokens import issue_token, link_expires_at, link_for, revoke_link, revoke_tokens


class AccessLinkSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.name", read_only=True)
    contact_email = serializers.EmailField(source="contact.email", read_only=True)
    organisation = serializers.CharField(source="assignment.organisation.name", read_only=True)
    expires_at = serializers.SerializerMethodField()

    class Meta:
        model = AccessToken
        fields = [
            "id",
            "assignment",
            "contact",
            "contact_name",
            "contact_email",
            "organisation",
            "created_at",
            "revoked_at",
            "last_used_at",
            "expires_at",
        ]

    def get_expires_at(self, token) -> str:
        return link_expires_at(token.assignment).isoformat()


class IssueInputSerializer(serializers.Serializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.select_related("round"))
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all())

    def validate(self, data):
        if data["contact"].organisation_id != data["assignment"].organisation_id:
            raise serializers.ValidationError("Kontaktpersonen hör inte till uppdragets organisation.")
        if not data["contact"].is_active:
            raise serializers.ValidationError("Kontaktpersonen är inte aktiv.")
        if data["assignment"].removed_at is not None:
            raise serializers.ValidationError("Uppdraget är borttaget ur omgången.")
        return data


class IssuedLinkSerializer(AccessLinkSerializer):
    link = serializers.CharField(read_only=True, help_text="The personal link; shown only this once.")

    class Meta(AccessLinkSerializer.Meta):
        fields = AccessLinkSerializer.Meta.fields + ["link"]


class AccessLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Personal links of contacts to assignments. Creating one revokes the contact's earlier links to
    the same assignment (a re-issue)."""

    serializer_class = AccessLinkSerializer
    permission_classes = [IsCoordinator]
    filterset_fields = ["assignment", "contact"]
    queryset = AccessToken.objects.select_related(
        "contact", "assignment__organisation", "assignment__round"
    ).order_by("-created_at")

    @extend_schema(request=IssueInputSerializer, responses={201: IssuedLinkSerializer})
    def create(self, request):
        data = IssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment, contact = data.validated_data["assignment"], data.validated_data["contact"]
        now = timezone.now()
        with transaction.atomic():
            revoke_tokens(assignment=assignment, contact=contact, now=now)
            raw = issue_token(assignment=assignment, contact=contact, now=now)
        token = self.get_queryset().filter(assignment=assignment, contact=contact, revoked_at=None).first()
        token.link = link_for(raw)
        return Response(IssuedLinkSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AccessLinkSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = revoke_link(token=self.get_object(), now=timezone.now())
        return Response(AccessLinkSerializer(token).data)
