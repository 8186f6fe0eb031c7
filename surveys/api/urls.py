"""REST API routes. Each area keeps its views in its own module under surveys/api/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import (
    access_links,
    auth,
    export_jobs,
    organisations,
    programmes,
    questionnaire_workbooks,
    respondent,
    results,
    rounds,
    scoring,
)


class Router(DefaultRouter):
    """Object ids in our URLs are integers: anything else is a 404 before a view runs."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not getattr(viewset, "lookup_value_regex", None):
            viewset.lookup_value_regex = r"[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("contacts", organisations.ContactViewSet, basename="contact")
router.register("questionnaires", organisations.QuestionnaireViewSet, basename="questionnaire")
router.register("access-links", access_links.AccessLinkViewSet, basename="access-link")
router.register("rounds", rounds.RoundViewSet, basename="round")
router.register("assignments", rounds.AssignmentViewSet, basename="assignment")
router.register("emails", rounds.EmailViewSet, basename="email")
router.register("scoring/schemes", scoring.SchemeViewSet, basename="scoring-scheme")
router.register("scoring/categories", scoring.CategoryViewSet, basename="scoring-category")
router.register("scoring/rules", scoring.RuleViewSet, basename="scoring-rule")
router.register("results", results.ResultViewSet, basename="results")
router.register("exports", export_jobs.ExportJobViewSet, basename="export")
router.register("programmes", programmes.ProgrammeViewSet, basename="programme")
router.register("goal-areas", programmes.GoalAreaViewSet, basename="goalarea")
router.register("focus-areas", programmes.FocusAreaViewSet, basename="focusarea")
router.register("activities", programmes.ActivityViewSet, basename="activity")
router.register("indicators", programmes.IndicatorViewSet, basename="indicator")
router.register("organisation-aliases", programmes.OrganisationAliasViewSet, basename="organisation-alias")
router.register(
    "questionnaire-versions",
    questionnaire_workbooks.QuestionnaireVersionViewSet,
    basename="questionnaireversion",
)

urlpatterns = [
    path("auth/token/", auth.obtain_auth_token, name="api-token"),
    path("rounds/<int:round_id>/exports/", export_jobs.RoundExportsView.as_view(), name="round-exports"),
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
