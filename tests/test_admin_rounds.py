"""The admin shows progress at a glance and steers rounds with the same services as the API."""

import pytest
from django.core import mail
from django.utils import timezone

from surveys.models import Response, SurveyRound
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(
        factories.UserFactory(username="admin", is_staff=True, is_superuser=True, role="admin")
    )
    return client


def test_round_list_shows_progress_with_bounded_queries(admin_client, django_assert_max_num_queries):
    for _ in range(3):
        survey_round = factories.SurveyRoundFactory()
        for state in ("submitted", "draft", "draft", "reopened"):
            a = factories.AssignmentFactory(round=survey_round)
            Response.objects.filter(assignment=a).update(
                state=state, submitted_at=timezone.now() if state == "submitted" else None
            )
    with django_assert_max_num_queries(12):
        page = admin_client.get("/admin/surveys/surveyround/")
    assert page.status_code == 200
    assert "25%" in page.content.decode()
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/surveys/assignment/").status_code == 200


def test_open_now_action_sends_invitations_and_reports_illegal_ones(
    admin_client, django_capture_on_commit_callbacks
):
    draft = factories.SurveyRoundFactory(state="draft")
    factories.ContactFactory(organisation=factories.AssignmentFactory(round=draft).organisation)
    published = factories.SurveyRoundFactory(state="published")
    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(
            "/admin/surveys/surveyround/",
            {"action": "open_rounds", "_selected_action": [draft.pk, published.pk]},
            follow=True,
        )
    text = page.content.decode()
    assert "öppnad" in text and "Bara ett utkast eller en schemalagd omgång kan öppnas" in text
    draft.refresh_from_db()
    assert draft.state == SurveyRound.State.OPEN and len(mail.outbox) == 1


def test_round_page_previews_the_invitation(admin_client):
    survey_round = factories.SurveyRoundFactory(invitation_body="Välkommen {organisation}, svara via {link}")
    factories.AssignmentFactory(
        round=survey_round, organisation=factories.OrganisationFactory(name="Kungsholmen")
    )
    page = admin_client.get(f"/admin/surveys/surveyround/{survey_round.pk}/change/")
    assert "Välkommen Kungsholmen, svara via http" in page.content.decode()
