"""REST API routes. Each area keeps its views in its own module under surveys/api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import organisations, programmes, questionnaire_io

router = DefaultRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("contacts", organisations.ContactViewSet, basename="contact")
router.register("questionnaires", organisations.QuestionnaireViewSet, basename="questionnaire")
router.register("programmes", programmes.ProgrammeViewSet, basename="programme")
router.register("goal-areas", programmes.GoalAreaViewSet, basename="goalarea")
router.register("focus-areas", programmes.FocusAreaViewSet, basename="focusarea")
router.register("activities", programmes.ActivityViewSet, basename="activity")
router.register("indicators", programmes.IndicatorViewSet, basename="indicator")
router.register(
    "questionnaire-versions", questionnaire_io.QuestionnaireVersionViewSet, basename="questionnaireversion"
)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
