"""Who can see and change what: every page and API endpoint, walked with every role.

Roles: anonymous, a respondent of organisation A and one of organisation B (each signed in through their
own magic link), the central office's reader, a coordinator, and an admin. Objects in the table belong to
organisation A, so the respondent of B must never read or write them.

`test_every_route_is_in_the_matrix` fails when a new URL is added without a row here."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from surveys.models import AccessToken
from surveys.services.tokens import hash_token, issue_token
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ("anon", "resp_a", "resp_b", "reader", "coord", "admin")

# Routes that are not part of the application's own access rules.
NOT_IN_MATRIX = {"api-root"}


class World:
    """Two organisations answering one open round, plus staff users; clients signed in per role."""

    def __init__(self):
        self.version = f.VersionFactory()
        section = f.SectionFactory(version=self.version)
        self.question = f.QuestionFactory(version=self.version, section=section, code="Q1", type="text")
        self.round = f.SurveyRoundFactory(version=self.version, state="open")
        self.org_a = f.OrganisationFactory(name="Organisation A")
        self.org_b = f.OrganisationFactory(name="Organisation B")
        self.contact_a = f.ContactFactory(organisation=self.org_a)
        self.contact_b = f.ContactFactory(organisation=self.org_b)
        self.assignment_a = f.AssignmentFactory(round=self.round, organisation=self.org_a)
        self.assignment_b = f.AssignmentFactory(round=self.round, organisation=self.org_b)
        self.users = {
            "reader": f.UserFactory(role="reader", username="m-reader"),
            "coord": f.UserFactory(role="coordinator", username="m-coord"),
            "admin": f.UserFactory(role="admin", username="m-admin"),
        }
        self.email_a = f.OutboundEmailFactory(
            assignment=self.assignment_a, contact=self.contact_a, status="failed", last_error="SMTP 451"
        )
        self.token_a = issue_token(assignment=self.assignment_a, contact=self.contact_a)
        self.token_a_row = AccessToken.objects.get(token_hash=hash_token(self.token_a))
        self.org_c = f.OrganisationFactory(name="Organisation C")
        self.draft = f.SurveyRoundFactory(version=self.version, state="draft", year=2030)
        self.scheduled = f.SurveyRoundFactory(version=self.version, state="scheduled", year=2031)
        self.closed = f.SurveyRoundFactory(version=self.version, state="closed", year=2024)
        for survey_round in (self.draft, self.scheduled):
            f.AssignmentFactory(round=survey_round, organisation=self.org_a)
        self.submitted = f.AssignmentFactory(round=self.round, organisation=f.OrganisationFactory(name="D"))
        self.submitted.response.state = "submitted"
        self.submitted.response.submitted_at = timezone.now()
        self.submitted.response.save()
        self.token_b = issue_token(assignment=self.assignment_b, contact=self.contact_b)

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
    """`expected` lists the status for anon, resp_a, resp_b, reader, coord, admin in that order."""
    return pytest.param(
        name, method, path, dict(zip(ROLES, expected, strict=True)), data, id=f"{method} {name}"
    )


DENY_API = (403, 403, 403)  # anonymous and both respondents: DRF answers 403 to the unauthenticated
STAFF_READ = DENY_API + (200, 200, 200)
COORD_ONLY = DENY_API + (403, 200, 200)
COORD_ONLY_CREATED = DENY_API + (403, 201, 201)

MATRIX = [
    row("healthz", "get", lambda w: "/healthz", (200, 200, 200, 200, 200, 200)),
    row("schema", "get", lambda w: "/api/schema/", (200, 200, 200, 200, 200, 200)),
    row("api-docs", "get", lambda w: "/api/docs/", (200, 200, 200, 200, 200, 200)),
    row("api-token", "post", lambda w: "/api/auth/token/", (400,) * 6, data={}),
    row("surveys:home", "get", lambda w: "/", (200,) * 6),
    row("surveys:magic-link", "get", lambda w: "/l/not-a-real-token-value-at-all/", (403,) * 6),
    # The start page shows each respondent their own assignment; staff and anonymous have none.
    row("surveys:start", "get", lambda w: "/enkat/", (403, 302, 302, 403, 403, 403)),
    # Organisation A's response: only A's respondents; everyone else gets 404 (existence is not revealed).
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
    row(
        "surveys:receipt",
        "get",
        lambda w: f"/enkat/{w.assignment_a.pk}/kvitto/",
        (404, 302, 404, 404, 404, 404),
    ),
    # Organisations, contacts and questionnaires: staff read, coordinators and admins write.
    row("organisation-list", "get", lambda w: "/api/organisations/", DENY_API + (200, 200, 200)),
    row(
        "organisation-list",
        "post",
        lambda w: "/api/organisations/",
        DENY_API + (403, 201, 201),
        data={"name": "Ny nämnd", "kind": "namnd"},
    ),
    row(
        "organisation-detail",
        "get",
        lambda w: f"/api/organisations/{w.org_a.pk}/",
        DENY_API + (200, 200, 200),
    ),
    row(
        "organisation-detail",
        "patch",
        lambda w: f"/api/organisations/{w.org_a.pk}/",
        DENY_API + (403, 200, 200),
        data={"short_name": "A"},
    ),
    row("contact-list", "get", lambda w: "/api/contacts/", DENY_API + (200, 200, 200)),
    row("contact-detail", "get", lambda w: f"/api/contacts/{w.contact_a.pk}/", DENY_API + (200, 200, 200)),
    row("contact-detail", "delete", lambda w: f"/api/contacts/{w.contact_a.pk}/", DENY_API + (403, 204, 204)),
    row("questionnaire-list", "get", lambda w: "/api/questionnaires/", DENY_API + (200, 200, 200)),
    row(
        "questionnaire-detail",
        "get",
        lambda w: f"/api/questionnaires/{w.version.questionnaire_id}/",
        DENY_API + (200, 200, 200),
    ),
    # Respondents' links: coordinators and admins only (the reader never sees links).
    row("access-link-list", "get", lambda w: "/api/access-links/", COORD_ONLY),
    row(
        "access-link-list",
        "post",
        lambda w: "/api/access-links/",
        COORD_ONLY_CREATED,
        data=lambda w: {"assignment": w.assignment_a.pk, "contact": w.contact_a.pk},
    ),
    row("access-link-detail", "get", lambda w: f"/api/access-links/{w.token_a_row.pk}/", COORD_ONLY),
    row(
        "access-link-revoke",
        "post",
        lambda w: f"/api/access-links/{w.token_a_row.pk}/revoke/",
        COORD_ONLY,
        data={},
    ),
    # Rounds: staff read; coordinators and admins change.
    row("round-list", "get", lambda w: "/api/rounds/", STAFF_READ),
    row("round-detail", "get", lambda w: f"/api/rounds/{w.round.pk}/", STAFF_READ),
    row("round-detail", "patch", lambda w: f"/api/rounds/{w.round.pk}/", COORD_ONLY, data={"name": "Ny"}),
    row("round-schedule", "post", lambda w: f"/api/rounds/{w.draft.pk}/schedule/", COORD_ONLY, data={}),
    row(
        "round-unschedule", "post", lambda w: f"/api/rounds/{w.scheduled.pk}/unschedule/", COORD_ONLY, data={}
    ),
    row("round-open-now", "post", lambda w: f"/api/rounds/{w.scheduled.pk}/open/", COORD_ONLY, data={}),
    row("round-close", "post", lambda w: f"/api/rounds/{w.round.pk}/close/", COORD_ONLY, data={}),
    row("round-publish", "post", lambda w: f"/api/rounds/{w.closed.pk}/publish/", COORD_ONLY, data={}),
    row(
        "round-extend",
        "post",
        lambda w: f"/api/rounds/{w.round.pk}/extend/",
        COORD_ONLY,
        data=lambda w: {"deadline": (w.round.deadline + timedelta(days=7)).isoformat()},
    ),
    row(
        "round-add-recipients",
        "post",
        lambda w: f"/api/rounds/{w.round.pk}/recipients/add/",
        COORD_ONLY,
        data=lambda w: {"organisations": [w.org_c.pk]},
    ),
    row(
        "round-remove-recipients",
        "post",
        lambda w: f"/api/rounds/{w.round.pk}/recipients/remove/",
        COORD_ONLY,
        data=lambda w: {"organisations": [w.org_b.pk]},
    ),
    row("round-preview", "get", lambda w: f"/api/rounds/{w.round.pk}/preview/", STAFF_READ),
    row("round-digest", "post", lambda w: f"/api/rounds/{w.round.pk}/digest/", COORD_ONLY, data={}),
    row("assignment-list", "get", lambda w: "/api/assignments/", STAFF_READ),
    row("assignment-detail", "get", lambda w: f"/api/assignments/{w.assignment_a.pk}/", STAFF_READ),
    row(
        "assignment-reopen",
        "post",
        lambda w: f"/api/assignments/{w.submitted.pk}/reopen/",
        COORD_ONLY,
        data={},
    ),
    row(
        "assignment-extend",
        "post",
        lambda w: f"/api/assignments/{w.assignment_a.pk}/extend/",
        COORD_ONLY,
        data=lambda w: {"deadline": (w.round.deadline + timedelta(days=7)).isoformat()},
    ),
    row("email-list", "get", lambda w: "/api/emails/", COORD_ONLY),
    row("email-detail", "get", lambda w: f"/api/emails/{w.email_a.pk}/", COORD_ONLY),
    row("email-retry", "post", lambda w: f"/api/emails/{w.email_a.pk}/retry/", COORD_ONLY, data={}),
]


@pytest.mark.parametrize("name, method, path, expected, data", MATRIX)
def test_access(name, method, path, expected, data):
    world = World()
    seen = {}
    for role in ROLES:
        # Each role meets the same state: its requests run in a savepoint that is rolled back.
        with transaction.atomic():
            client = world.client(role)
            body = data(world) if callable(data) else data
            kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
            seen[role] = getattr(client, method)(path(world), **kwargs).status_code
            transaction.set_rollback(True)
    assert seen == expected, f"{method.upper()} {name}: got {seen}"


def _route_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner != "admin":
                yield from _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_route_is_in_the_matrix():
    covered = {param.values[0] for param in MATRIX}
    missing = sorted(set(_route_names(get_resolver().url_patterns)) - covered - NOT_IN_MATRIX)
    assert missing == [], f"routes without an access rule in the matrix: {missing}"
