"""Coordinators re-issue and revoke respondents' links over the API; nobody else may."""

import pytest
from rest_framework.test import APIClient

from surveys.models import AccessToken
from surveys.services.tokens import hash_token, issue_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    raw = issue_token(assignment=assignment, contact=contact)
    return assignment, contact, raw


def test_reissue_revokes_the_old_link_and_returns_a_working_new_one(api, link, client):
    assignment, contact, old = link
    answer = api.post(
        "/api/access-links/", {"assignment": assignment.pk, "contact": contact.pk}, format="json"
    )
    assert answer.status_code == 201, answer.content
    new_link = answer.json()["link"]
    new = new_link.rsplit("/l/", 1)[1].strip("/")
    assert AccessToken.objects.get(token_hash=hash_token(old)).revoked_at is not None
    assert client.get(f"/l/{old}/").status_code == 403
    assert client.get(f"/l/{new}/").status_code == 302
    # The list never shows a token or its hash.
    listed = api.get(f"/api/access-links/?assignment={assignment.pk}").content.decode()
    assert new not in listed and hash_token(new) not in listed and "token_hash" not in listed


def test_revoke_refuses_the_link(api, link, client):
    assignment, contact, raw = link
    token = AccessToken.objects.get(token_hash=hash_token(raw))
    answer = api.post(f"/api/access-links/{token.pk}/revoke/")
    assert answer.status_code == 200 and answer.json()["revoked_at"]
    assert client.get(f"/l/{raw}/").status_code == 403


def test_contact_of_another_organisation_gets_no_link(api, link):
    assignment, _, _ = link
    stranger = factories.ContactFactory()
    answer = api.post(
        "/api/access-links/", {"assignment": assignment.pk, "contact": stranger.pk}, format="json"
    )
    assert answer.status_code == 400 and "organisation" in answer.content.decode()


@pytest.mark.parametrize("role", ["reader", "respondent"])
def test_only_coordinators_manage_links(link, role):
    assignment, contact, raw = link
    client = APIClient()
    client.force_authenticate(factories.UserFactory(role=role, username=role))
    assert client.get("/api/access-links/").status_code == 403
    assert (
        client.post("/api/access-links/", {"assignment": assignment.pk, "contact": contact.pk}).status_code
        == 403
    )
    assert AccessToken.objects.filter(revoked_at=None).count() == 1


def test_anonymous_cannot_list_links(link):
    assert APIClient().get("/api/access-links/").status_code in (401, 403)
