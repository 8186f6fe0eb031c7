"""Staff reach the API by session or token; roles decide what they may change."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_gets_no_data():
    factories.OrganisationFactory()
    response = APIClient().get("/api/organisations/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_reader_reads_but_cannot_change(reader):
    factories.OrganisationFactory(name="Bromma")
    client = APIClient()
    client.force_authenticate(reader)
    assert client.get("/api/organisations/").json()["results"][0]["name"] == "Bromma"
    response = client.post("/api/organisations/", {"name": "Ny", "kind": "sdf"})
    assert response.status_code == 403


def test_respondent_user_cannot_read_staff_api():
    respondent = factories.UserFactory(role="respondent", username="resp")
    client = APIClient()
    client.force_authenticate(respondent)
    assert client.get("/api/organisations/").status_code == 403


def test_coordinator_with_api_token_creates_an_organisation(coordinator):
    token = Token.objects.create(user=coordinator)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/organisations/", {"name": "Farsta", "kind": "sdf"}, format="json")
    assert response.status_code == 201, response.content
    assert client.get("/api/organisations/?kind=sdf").json()["count"] == 1


def test_token_endpoint_gives_a_token_for_username_and_password(coordinator):
    response = APIClient().post("/api/auth/token/", {"username": "coord", "password": "secret-pass-123"})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_openapi_schema_is_served(coordinator):
    client = APIClient()
    client.force_authenticate(coordinator)
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"/api/organisations/" in response.content


def test_deleting_an_organisation_others_refer_to_is_a_conflict_not_a_server_error(api):
    from tests.factories import OrganisationFactory

    parent = OrganisationFactory(name="Socialnämnden")
    OrganisationFactory(name="Socialförvaltningen", parent=parent)

    response = api.delete(f"/api/organisations/{parent.pk}/")

    assert response.status_code == 409
    assert response.json()["used_by"] == ["Socialförvaltningen"]
    assert parent.__class__.objects.filter(pk=parent.pk).exists()
