"""Who reaches the questionnaire pages, the respondent API and the link API: every route of this feature,
walked with every role. Objects belong to organisation A; A's respondent opened A's link, B's respondent
B's link. (Rows in the same shape as the project's access matrix, so they can move there.)"""

import pytest
from django.db import transaction
from django.test import Client

from surveys.models import AccessToken
from surveys.services.tokens import issue_token
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ("anon", "resp_a", "resp_b", "reader", "coord", "admin")
DENY_API = (403, 403, 403)


class World:
    def __init__(self):
        self.version = f.VersionFactory()
        section = f.SectionFactory(version=self.version)
        self.question = f.QuestionFactory(version=self.version, section=section, code="Q1", type="text")
        self.round = f.SurveyRoundFactory(version=self.version, state="open")
        self.contact_a = f.ContactFactory(organisation=f.OrganisationFactory(name="Organisation A"))
        self.contact_b = f.ContactFactory(organisation=f.OrganisationFactory(name="Organisation B"))
        self.assignment_a = f.AssignmentFactory(round=self.round, organisation=self.contact_a.organisation)
        self.assignment_b = f.AssignmentFactory(round=self.round, organisation=self.contact_b.organisation)
        self.users = {
            "reader": f.UserFactory(role="reader", username="m-reader"),
            "coord": f.UserFactory(role="coordinator", username="m-coord"),
            "admin": f.UserFactory(role="admin", username="m-admin"),
        }
        self.token_a = issue_token(assignment=self.assignment_a, contact=self.contact_a)
        self.token_b = issue_token(assignment=self.assignment_b, contact=self.contact_b)
        self.link_a = AccessToken.objects.get(assignment=self.assignment_a)

    def client(self, role):
        client = Client()
        if role in self.users:
            client.force_login(self.users[role])
        elif role == "resp_a":
            client.get(f"/l/{self.token_a}/")
        elif role == "resp_b":
            client.get(f"/l/{self.token_b}/")
        return client


def row(name, method, path, expected, data=None):
    return pytest.param(
        name, method, path, dict(zip(ROLES, expected, strict=True)), data, id=f"{method} {name}"
    )


MATRIX = [
    row("surveys:start", "get", lambda w: "/enkat/", (403, 302, 302, 403, 403, 403)),
    row("surveys:overview", "get", lambda w: f"/enkat/{w.assignment_a.pk}/", (404, 200, 404, 404, 404, 404)),
    row(
        "surveys:section",
        "get",
        lambda w: f"/enkat/{w.assignment_a.pk}/avsnitt/1/",
        (404, 200, 404, 404, 404, 404),
    ),
    row(
        "surveys:section",
        "post",
        lambda w: f"/enkat/{w.assignment_a.pk}/avsnitt/1/",
        (404, 302, 404, 404, 404, 404),
        data={},
    ),
    row(
        "surveys:review",
        "get",
        lambda w: f"/enkat/{w.assignment_a.pk}/granska/",
        (404, 200, 404, 404, 404, 404),
    ),
    # Without the confirmation box the review page refuses to submit (400), for A's respondent only.
    row(
        "surveys:review",
        "post",
        lambda w: f"/enkat/{w.assignment_a.pk}/granska/",
        (404, 400, 404, 404, 404, 404),
        data={},
    ),
    # Not submitted yet: the receipt sends A's respondent back to the overview.
    row(
        "surveys:receipt",
        "get",
        lambda w: f"/enkat/{w.assignment_a.pk}/kvitto/",
        (404, 302, 404, 404, 404, 404),
    ),
    # The respondent API: a magic-link session only (staff sessions hold no link), bound to its assignment.
    row(
        "respondent-questionnaire",
        "get",
        lambda w: f"/api/respondent/assignments/{w.assignment_a.pk}/",
        (403, 200, 404, 403, 403, 403),
    ),
    row(
        "respondent-answers",
        "post",
        lambda w: f"/api/respondent/assignments/{w.assignment_a.pk}/answers/",
        (403, 200, 404, 403, 403, 403),
        data={"version": 0, "answers": {"Q1": "Svar"}},
    ),
    row(
        "respondent-submit",
        "post",
        lambda w: f"/api/respondent/assignments/{w.assignment_a.pk}/submit/",
        (403, 200, 404, 403, 403, 403),
    ),
    # Respondents' links: coordinators and admins only.
    row("access-link-list", "get", lambda w: "/api/access-links/", DENY_API + (403, 200, 200)),
    row("access-link-list", "post", lambda w: "/api/access-links/", DENY_API + (403, 400, 400), data={}),
    row(
        "access-link-detail", "get", lambda w: f"/api/access-links/{w.link_a.pk}/", DENY_API + (403, 200, 200)
    ),
    row(
        "access-link-revoke",
        "post",
        lambda w: f"/api/access-links/{w.link_a.pk}/revoke/",
        DENY_API + (403, 200, 200),
    ),
]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Each row builds three staff users; real password hashing would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("name, method, path, expected, data", MATRIX)
def test_access(name, method, path, expected, data):
    world = World()
    seen = {}
    for role in ROLES:
        with transaction.atomic():
            client = world.client(role)
            kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
            seen[role] = getattr(client, method)(path(world), **kwargs).status_code
            transaction.set_rollback(True)
    assert seen == expected
