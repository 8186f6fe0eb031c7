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
