"""REST API routes. Each area keeps its views in its own module under surveys/api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import access_links, organisations, respondent

router = DefaultRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("contacts", organisations.ContactViewSet, basename="contact")
router.register("questionnaires", organisations.QuestionnaireViewSet, basename="questionnaire")
router.register("access-links", access_links.AccessLinkViewSet, basename="access-link")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path(
        "respondent/assignments/<int:assignment_id>/",
        respondent.QuestionnaireView.as_view(),
        name="respondent-questionnaire",
    ),
    path(
        "respondent/assignments/<int:assignment_id>/answers/",
        respondent.AnswersView.as_view(),
        name="respondent-answers",
    ),
    path(
        "respondent/assignments/<int:assignment_id>/submit/",
        respondent.SubmitView.as_view(),
        name="respondent-submit",
    ),
    path("", include(router.urls)),
]
