"""Rules that lived in the API now live in the services, so the admin, the staff pages and the API all
get them: the round's dates, templates and digest addresses; a link re-issue; scoring categories and rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys.models import AccessToken
from surveys.services import rounds
from surveys.services.schemes import check_category, check_rule
from surveys.services.tokens import reissue_link, resolve_token
from tests import factories

pytestmark = pytest.mark.django_db


def test_round_service_refuses_a_digest_address_that_is_not_one():
    survey_round = factories.SurveyRoundFactory(state="draft")
    with pytest.raises(ValidationError) as refused:
        rounds.round_update(survey_round=survey_round, digest_to="samordnare@example.se, inte-en-adress")
    assert refused.value.message_dict == {"digest_to": ["Ogiltig e-postadress: inte-en-adress."]}


def test_round_service_reports_dates_and_templates_together():
    survey_round = factories.SurveyRoundFactory(state="draft")
    with pytest.raises(ValidationError) as refused:
        rounds.round_update(
            survey_round=survey_round,
            deadline=survey_round.opens_at - timedelta(days=1),
            invitation_subject="Hej {namn}",
        )
    assert set(refused.value.message_dict) == {"deadline", "invitation_subject"}


def test_reissued_link_replaces_the_contacts_earlier_link():
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    first, first_raw = reissue_link(assignment=assignment, contact=contact)
    second, second_raw = reissue_link(assignment=assignment, contact=contact)
    assert AccessToken.objects.get(pk=first.pk).revoked_at is not None
    assert resolve_token(second_raw, now=timezone.now()).pk == second.pk


def test_link_is_never_issued_to_a_contact_of_another_organisation():
    assignment = factories.AssignmentFactory()
    stranger = factories.ContactFactory()
    with pytest.raises(ValidationError, match="hör inte till uppdragets organisation"):
        reissue_link(assignment=assignment, contact=stranger)
    assert not AccessToken.objects.filter(contact=stranger).exists()


def test_category_cannot_be_placed_under_itself():
    top = factories.ScoringCategoryFactory(code="struktur")
    child = factories.ScoringCategoryFactory(scheme=top.scheme, parent=top, code="policy")
    with pytest.raises(ValidationError) as refused:
        check_category(scheme=top.scheme, parent=child, code="struktur", category=top)
    assert refused.value.message_dict == {"parent": ["En kategori kan inte ligga under sig själv."]}


def test_rule_needs_either_an_answer_code_or_a_threshold():
    category = factories.ScoringCategoryFactory()
    question = factories.QuestionFactory(section=factories.SectionFactory(version=category.scheme.version))
    with pytest.raises(ValidationError, match="antingen en svarskod"):
        check_rule(
            scheme=category.scheme, question=question, category=category, option_code="ja", min_value=5
        )


def _coordinator_api():
    from rest_framework.test import APIClient

    from surveys.models import Role

    api = APIClient()
    api.force_authenticate(factories.UserFactory(role=Role.COORDINATOR))
    return api


def test_a_new_round_without_recipients_is_refused_with_one_message_by_the_api_and_the_staff_page():
    from django.test import Client

    from surveys.models import Role
    from surveys.services.roles import user_set_role

    version = factories.VersionFactory()
    api = _coordinator_api()
    now = timezone.now()
    refused = api.post(
        "/api/rounds/",
        {
            "version": version.pk,
            "year": 2031,
            "opens_at": (now + timedelta(days=1)).isoformat(),
            "deadline": (now + timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 400
    with pytest.raises(ValidationError) as service:
        rounds.recipients_chosen_check(organisation_ids=[], kinds=[])
    (message,) = service.value.message_dict["organisations"]
    assert refused.json()["organisations"] == [message]
    user = factories.UserFactory(role=Role.COORDINATOR)
    user_set_role(user=user, role=Role.COORDINATOR, actor=None)
    staff = Client()
    staff.force_login(user)
    page = staff.post(
        "/personal/omgangar/ny/",
        {"version": version.pk, "year": 2031, "opens_on": "2031-01-10", "deadline_on": "2031-02-10"},
    )
    assert page.status_code == 400 and message in page.content.decode()


@pytest.mark.parametrize("entry", ["api", "admin"])
def test_an_unknown_group_on_a_plan_row_is_refused_with_the_same_message_by_the_api_and_the_admin(
    entry, client
):
    from surveys.models import Indicator, Role

    indicator = factories.IndicatorFactory()
    with pytest.raises(ValidationError) as service:
        from surveys.services.programmes import plan_row_groups_check

        plan_row_groups_check(lead_group="Alla kommuner")
    (message,) = service.value.message_dict["lead_group"]
    if entry == "api":
        answer = _coordinator_api().patch(
            f"/api/indicators/{indicator.pk}/", {"lead_group": "Alla kommuner"}, format="json"
        )
        assert answer.status_code == 400 and message in str(answer.json())
    else:
        client.force_login(factories.UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
        form = client.get(f"/admin/surveys/indicator/{indicator.pk}/change/")
        assert form.status_code == 200
        data = {
            "activity": indicator.activity_id,
            "text": indicator.text,
            "unit": indicator.unit,
            "lead_group": "Alla kommuner",
            "co_groups": "[]",
            "partners": "[]",
            "inherits_responsibility": "on",
            "order": 0,
        }
        answer = client.post(f"/admin/surveys/indicator/{indicator.pk}/change/", data)
        assert answer.status_code == 200 and message in answer.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).lead_group == ""


def test_an_indicator_written_with_a_lead_states_its_responsibility_in_full_unless_it_says_otherwise():
    from surveys.services.programmes import indicator_row_rules

    lead = factories.OrganisationFactory()
    assert indicator_row_rules({"lead": lead})["inherits_responsibility"] is False
    assert (
        indicator_row_rules({"lead": lead, "inherits_responsibility": True})["inherits_responsibility"]
        is True
    )
    assert "inherits_responsibility" not in indicator_row_rules({"unit": "st"})
