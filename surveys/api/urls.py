"""REST API routes. Each area keeps its views in its own module under surveys/api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import access_links, organisations, rounds

router = DefaultRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("contacts", organisations.ContactViewSet, basename="contact")
router.register("questionnaires", organisations.QuestionnaireViewSet, basename="questionnaire")
router.register("access-links", access_links.AccessLinkViewSet, basename="access-link")
router.register("rounds", rounds.RoundViewSet, basename="round")
router.register("assignments", rounds.AssignmentViewSet, basename="assignment")
router.register("emails", rounds.EmailViewSet, basename="email")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
