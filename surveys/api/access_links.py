"""Respondents' personal links over the API: list, re-issue and revoke (coordinators and admins only).

A new link is shown once in the answer to the request that made it; only its hash is stored."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from ..models import AccessToken, Assignment, Contact
from ..permissions import IsCoordinator
from ..services.tokens import link_expires_at, link_for, reissue_link, revoke_link
from .errors import service_refusals
from .fields import IdField
from .schema import model_docs


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
    assignment = IdField(queryset=Assignment.objects.select_related("round"))
    contact = IdField(queryset=Contact.objects.all())


class IssuedLinkSerializer(AccessLinkSerializer):
    link = serializers.CharField(read_only=True, help_text="The personal link; shown only this once.")

    class Meta(AccessLinkSerializer.Meta):
        fields = AccessLinkSerializer.Meta.fields + ["link"]


@model_docs(
    "a personal link",
    "personal links",
    list="Newest first, without the link itself (only its hash is stored); filter by assignment and contact.",
)
class AccessLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Personal links of contacts to assignments. Creating one revokes the contact's earlier links to
    the same assignment (a re-issue)."""

    serializer_class = AccessLinkSerializer
    permission_classes = [IsCoordinator]
    filterset_fields = ["assignment", "contact"]
    queryset = AccessToken.objects.select_related(
        "contact", "assignment__organisation", "assignment__round"
    ).order_by("-created_at")

    @extend_schema(
        request=IssueInputSerializer,
        responses={201: IssuedLinkSerializer},
        summary="Issue a personal link",
        description="A new link for a contact of the assignment's organisation, shown only in this answer; "
        "the contact's earlier links to the assignment stop working. Refused (400) for a contact of another "
        "organisation, an inactive contact or a removed assignment.",
    )
    def create(self, request):
        data = IssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_refusals():
            token, raw = reissue_link(**data.validated_data, actor=request.user)
        token = self.get_queryset().get(pk=token.pk)
        token.link = link_for(raw)
        return ApiResponse(IssuedLinkSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: AccessLinkSerializer},
        summary="Revoke a personal link",
        description="The link stops working at once; revoking it again keeps the first time.",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = revoke_link(token=self.get_object(), actor=request.user)
        return ApiResponse(AccessLinkSerializer(token).data)
