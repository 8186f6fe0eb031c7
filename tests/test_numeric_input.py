"""Numbers and ids in the API: refused with a Swedish 400 where they make no sense, never a 500 and never
read as something else (1.5 as 1)."""

import pytest

from surveys.models import AccessToken, ScoringCategory
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    return factories.ScoringSchemeFactory()


@pytest.mark.parametrize("cap", ["-1", -0.01, "-1000"])
def test_negative_category_cap_is_a_400_not_a_server_error(api, scheme, cap):
    reply = api.post(
        "/api/scoring/categories/",
        {"scheme": scheme.pk, "code": "S", "name": "Struktur", "cap": cap},
        format="json",
    )
    assert reply.status_code == 400 and "cap" in reply.json()
    assert not ScoringCategory.objects.filter(code="S").exists()


@pytest.mark.parametrize("scale_to", ["-100", "0"])
def test_zero_or_negative_scale_to_is_refused(api, scheme, scale_to):
    reply = api.patch(f"/api/scoring/schemes/{scheme.pk}/", {"scale_to": scale_to}, format="json")
    assert reply.status_code == 400 and "scale_to" in reply.json()


@pytest.mark.parametrize(
    "spell",
    [lambda pk: pk + 0.5, lambda pk: f"{pk}.5", lambda pk: float(pk), lambda pk: True, lambda pk: f"{pk}e0"],
    ids=["float", "text", "whole-float", "true", "exponent"],
)
def test_decimal_or_boolean_ids_are_refused_not_rounded(api, spell):
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    AccessToken.objects.all().delete()
    reply = api.post(
        "/api/access-links/", {"assignment": spell(assignment.pk), "contact": contact.pk}, format="json"
    )
    assert reply.status_code == 400 and "assignment" in reply.json()
    organisation = factories.OrganisationFactory()
    reply = api.post(
        "/api/contacts/",
        {"organisation": spell(organisation.pk), "name": "Anna", "email": "anna@example.se"},
        format="json",
    )
    assert reply.status_code == 400 and "organisation" in reply.json()
    assert organisation.contacts.count() == 0
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("query", ["organisation=1.5", "round=1.5", "assignment=1.5"])
def test_decimal_ids_in_filters_are_a_400(api, query):
    factories.AssignmentFactory()
    path = {"organisation": "/api/contacts/", "round": "/api/assignments/", "assignment": "/api/emails/"}
    reply = api.get(f"{path[query.split('=')[0]]}?{query}")
    assert reply.status_code == 400


def test_decimal_ids_in_urls_are_not_found(api):
    survey_round = factories.SurveyRoundFactory()
    assert api.get(f"/api/rounds/{survey_round.pk}.5/").status_code == 404
    assert api.get(f"/api/results/rounds/{survey_round.pk}.5/").status_code == 404
