"""REST API routes. Each area keeps its views in its own module under surveys/api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import exports, organisations

router = DefaultRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("contacts", organisations.ContactViewSet, basename="contact")
router.register("questionnaires", organisations.QuestionnaireViewSet, basename="questionnaire")
router.register("exports", exports.ExportJobViewSet, basename="export")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("rounds/<int:round_id>/exports/", exports.RoundExportsView.as_view(), name="round-exports"),
    path("", include(router.urls)),
]
