"""REST API routes. Each area keeps its views in its own module under surveys/api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import organisations, results, scoring

router = DefaultRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("contacts", organisations.ContactViewSet, basename="contact")
router.register("questionnaires", organisations.QuestionnaireViewSet, basename="questionnaire")
router.register("scoring/schemes", scoring.SchemeViewSet, basename="scoring-scheme")
router.register("scoring/categories", scoring.CategoryViewSet, basename="scoring-category")
router.register("scoring/rules", scoring.RuleViewSet, basename="scoring-rule")
router.register("results", results.ResultViewSet, basename="results")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
