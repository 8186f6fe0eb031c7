"""Who can see and change what: every page and API endpoint, walked with every role.

Roles: anonymous, a respondent of organisation A and one of organisation B (each signed in through their
own magic link), the central office's reader, a coordinator, and an admin. Objects in the table belong to
organisation A, so the respondent of B must never read or write them. Two more roles walk every row: a
respondent *user* of A and one of B (a login bound to their organisation, for the results API); unless a row
says otherwise they get what anonymous gets.

`test_every_route_is_in_the_matrix` fails when a new URL is added without a row here.

The admin has its own matrix below, generated from `admin.site._registry`: every changelist, add, change,
delete and history view of every registered model, by GET and POST, for anonymous, a respondent user, the
reader, the coordinator, the system manager (admin role) and a superuser. A model registered without a
policy, or an admin URL without a row, fails `test_every_admin_route_is_in_the_matrix`."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from exports import questionnaire_workbook
from surveys.models import AccessToken, ExportJob, IndexResult, OrganisationAlias
from surveys.services.programmes import export_plan
from surveys.services.tokens import hash_token, issue_token
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("anon", "resp_a", "resp_b", "reader", "coord", "admin", "user_a", "user_b")

# Routes that are not part of the application's own access rules.
NOT_IN_MATRIX = {"api-root"}


class World:
    """Organisations A and B answering an open round, with last year's published round (their index
    results and its finished workbook), a programme with an activity A leads, a scoring scheme on a version
    no round froze, staff and respondent users; clients signed in per role."""

    def __init__(self):
        self.version = factories.VersionFactory()
        section = factories.SectionFactory(version=self.version)
        self.question = factories.QuestionFactory(
            version=self.version, section=section, code="Q1", type="text"
        )
        self.round = factories.SurveyRoundFactory(version=self.version, state="open")
        self.org_a = factories.OrganisationFactory(name="Organisation A")
        self.org_b = factories.OrganisationFactory(name="Organisation B")
        self.contact_a = factories.ContactFactory(organisation=self.org_a)
        self.contact_b = factories.ContactFactory(organisation=self.org_b)
        self.assignment_a = factories.AssignmentFactory(round=self.round, organisation=self.org_a)
        self.assignment_b = factories.AssignmentFactory(round=self.round, organisation=self.org_b)
        self.users = {
            "reader": factories.UserFactory(role="reader", username="m-reader"),
            "coord": factories.UserFactory(role="coordinator", username="m-coord"),
            "admin": factories.UserFactory(role="admin", username="m-admin"),
            "user_a": factories.UserFactory(role="respondent", username="m-user-a"),
            "user_b": factories.UserFactory(role="respondent", username="m-user-b"),
        }
        self.users["user_a"].organisations.add(self.org_a)
        self.users["user_b"].organisations.add(self.org_b)
        self.email_a = factories.OutboundEmailFactory(
            assignment=self.assignment_a, contact=self.contact_a, status="failed", last_error="SMTP 451"
        )
        self.token_a = issue_token(assignment=self.assignment_a, contact=self.contact_a)
        self.token_a_row = AccessToken.objects.get(token_hash=hash_token(self.token_a))
        self.org_c = factories.OrganisationFactory(name="Organisation C")
        # Rounds to schedule and open: on a version without scoring (an index version's scheme is checked
        # before a round starts, and this world's index scheme is deliberately bare).
        unscored = factories.VersionFactory()
        factories.QuestionFactory(version=unscored, code="Q1", type="text")
        self.draft = factories.SurveyRoundFactory(version=unscored, state="draft", year=2030)
        self.scheduled = factories.SurveyRoundFactory(version=unscored, state="scheduled", year=2031)
        self.closed = factories.SurveyRoundFactory(version=self.version, state="closed", year=2024)
        for survey_round in (self.draft, self.scheduled):
            factories.AssignmentFactory(round=survey_round, organisation=self.org_a)
        self.submitted = factories.AssignmentFactory(
            round=self.round, organisation=factories.OrganisationFactory(name="D")
        )
        self.submitted.response.state = "submitted"
        self.submitted.response.submitted_at = timezone.now()
        self.submitted.response.save()
        self.token_b = issue_token(assignment=self.assignment_b, contact=self.contact_b)
        self._results()
        self._programme()
        self._scoring()

    def _results(self):
        """A published round of the same version with index results for A and B, and its workbook."""
        # The open round froze its version when it opened; the published round uses it too.
        self.version.frozen_at = timezone.now() - timedelta(days=400)
        self.version.save(update_fields=["frozen_at"])
        self.frozen_scheme = scheme = factories.ScoringSchemeFactory(version=self.version)
        self.published = factories.SurveyRoundFactory(version=self.version, state="published", year=2025)
        self.published_a = factories.AssignmentFactory(round=self.published, organisation=self.org_a)
        self.published_b = factories.AssignmentFactory(round=self.published, organisation=self.org_b)
        for points, assignment in enumerate((self.published_a, self.published_b), start=1):
            IndexResult.objects.create(
                assignment=assignment,
                scheme=scheme,
                categories={},
                total=Decimal(10 * points),
                scaled=Decimal(20 * points),  # A 20, B 40
                rank=3 - points,
                preliminary=False,
            )
        # A's preliminary index in the open round, which does not show preliminary results.
        self.preliminary_a = IndexResult.objects.create(
            assignment=self.assignment_a, scheme=scheme, categories={}, total=5, scaled=10, preliminary=True
        )
        self.job = factories.ExportJobFactory(round=self.published, state=ExportJob.State.DONE, progress=100)
        self.job.file.save("omgang-2025.xlsx", ContentFile(b"workbook"), save=True)

    def _programme(self):
        self.programme = factories.ProgrammeFactory()
        self.goal_area = factories.GoalAreaFactory(programme=self.programme)
        self.focus_area = factories.FocusAreaFactory(goal_area=self.goal_area)
        self.activity = factories.ActivityFactory(
            goal_area=self.goal_area, focus_area=self.focus_area, lead=self.org_a
        )
        self.indicator = factories.IndicatorFactory(activity=self.activity, lead=self.org_a)
        self.alias = OrganisationAlias.objects.create(name="Polisen", key="polisen", is_partner=True)

    def _scoring(self):
        """A scheme on a version no round has frozen, so coordinators may still change it."""
        self.open_version = factories.VersionFactory()
        section = factories.SectionFactory(version=self.open_version)
        self.open_question = factories.QuestionFactory(
            version=self.open_version, section=section, code="S1", type="yes_no"
        )
        self.scheme = factories.ScoringSchemeFactory(version=self.open_version)
        self.category = factories.ScoringCategoryFactory(scheme=self.scheme, code="struktur")
        self.rule = factories.ScoringRuleFactory(
            scheme=self.scheme, category=self.category, question=self.open_question, option_code="ja"
        )

    def client(self, role):
        client = Client()
        if role in self.users:
            client.force_login(self.users[role])
        elif role == "resp_a":
            client.get(f"/l/{self.token_a}/")
        elif role == "resp_b":
            client.get(f"/l/{self.token_b}/")
        return client


def row(name, method, path, expected, data=None, users=None):
    """`expected` lists the status for anon, resp_a, resp_b, reader, coord, admin in that order; `users`
    the status for the respondent users of A and B (by default anonymous's)."""
    expected = tuple(expected) + tuple(users or (expected[0], expected[0]))
    return pytest.param(
        name, method, path, dict(zip(ROLES, expected, strict=True)), data, id=f"{method} {name}"
    )


class Upload:
    """A multipart body: `build(world)` gives the form fields (a file as bytes under "file")."""

    def __init__(self, build=lambda w: {}):
        self.build = build

    def fields(self, world):
        fields = dict(self.build(world))
        if "file" in fields:
            fields["file"] = ContentFile(fields["file"], name="upload.xlsx")
        return fields


DENY_API = (403, 403, 403)  # anonymous and both respondents: DRF answers 403 to the unauthenticated
STAFF_READ = DENY_API + (200, 200, 200)
COORD_ONLY = DENY_API + (403, 200, 200)
COORD_ONLY_CREATED = DENY_API + (403, 201, 201)

MATRIX = [
    row("healthz", "get", lambda w: "/healthz", (200, 200, 200, 200, 200, 200)),
    row("healthz-live", "get", lambda w: "/healthz/live", (200,) * 6),
    row("healthz-ready", "get", lambda w: "/healthz/ready", (200,) * 6),
    row("healthz-status", "get", lambda w: "/healthz/status", (503,) * 6),  # no scheduler or worker here
    row("schema", "get", lambda w: "/api/schema/", (200, 200, 200, 200, 200, 200)),
    row("api-docs", "get", lambda w: "/api/docs/", (200, 200, 200, 200, 200, 200)),
    row("api-redoc", "get", lambda w: "/api/redoc/", (200, 200, 200, 200, 200, 200)),
    row("api-token", "post", lambda w: "/api/auth/token/", (400,) * 6, data={}),
    row("surveys:home", "get", lambda w: "/", (200,) * 6),
    # The accessibility statement and the personal-data notice are public.
    row("surveys:accessibility", "get", lambda w: "/tillganglighet/", (200,) * 6),
    row("surveys:privacy", "get", lambda w: "/personuppgifter/", (200,) * 6),
    row("surveys:magic-link", "get", lambda w: "/l/not-a-real-token-value-at-all/", (403,) * 6),
    # The start page shows each respondent their own assignment; staff and anonymous have none.
    row("surveys:start", "get", lambda w: "/enkat/", (403, 302, 302, 403, 403, 403)),
    row("surveys:logout", "post", lambda w: "/enkat/logga-ut/", (200,) * 6),
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
        data=Upload(lambda w: {"version": "0"}),  # a form post, with the version the page was loaded with
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
    row(
        "organisation-detail",
        "delete",
        lambda w: f"/api/organisations/{w.org_c.pk}/",
        DENY_API + (403, 204, 204),
    ),
    row("contact-list", "get", lambda w: "/api/contacts/", DENY_API + (200, 200, 200)),
    row(
        "contact-list",
        "post",
        lambda w: "/api/contacts/",
        COORD_ONLY_CREATED,
        data=lambda w: {"organisation": w.org_a.pk, "name": "Ny Kontakt", "email": "ny@example.se"},
    ),
    row(
        "contact-detail",
        "patch",
        lambda w: f"/api/contacts/{w.contact_a.pk}/",
        COORD_ONLY,
        data={"name": "Nytt Namn"},
    ),
    row("contact-detail", "get", lambda w: f"/api/contacts/{w.contact_a.pk}/", DENY_API + (200, 200, 200)),
    row("contact-detail", "delete", lambda w: f"/api/contacts/{w.contact_a.pk}/", DENY_API + (403, 204, 204)),
    # Erasing a contact's personal data: coordinators and admins only.
    row("contact-erase", "post", lambda w: f"/api/contacts/{w.contact_a.pk}/erase/", COORD_ONLY),
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
    row(
        "round-list",
        "post",
        lambda w: "/api/rounds/",
        COORD_ONLY_CREATED,
        data=lambda w: {
            "version": w.version.pk,
            "year": 2032,
            "opens_at": (timezone.now() + timedelta(days=10)).isoformat(),
            "deadline": (timezone.now() + timedelta(days=40)).isoformat(),
            "organisations": [w.org_a.pk, w.org_b.pk],
        },
    ),
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
    # Previewing unsaved templates writes nothing, but only those who may save templates do it.
    row(
        "round-preview",
        "post",
        lambda w: f"/api/rounds/{w.round.pk}/preview/",
        COORD_ONLY,
        data={"invitation_subject": "Enkät {{ year }}"},
    ),
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


def crud(name, path, *, list_path, create, change, read=STAFF_READ):
    """List, create, detail, change and delete rows of a model viewset: staff read, coordinators and
    admins write, respondents reach nothing."""
    detail = f"{name}-detail"
    return [
        row(f"{name}-list", "get", lambda w: list_path, read),
        row(f"{name}-list", "post", lambda w: list_path, COORD_ONLY_CREATED, data=create),
        row(detail, "get", path, read),
        row(detail, "patch", path, COORD_ONLY, data=change),
        row(detail, "delete", path, DENY_API + (403, 204, 204)),
    ]


MATRIX += [
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
    # Without the confirmation box the review page refuses to submit (400), for A's respondent only.
    row(
        "surveys:review",
        "post",
        lambda w: f"/enkat/{w.assignment_a.pk}/granska/",
        (404, 400, 404, 404, 404, 404),
        data={},
    ),
    row("access-link-list", "post", lambda w: "/api/access-links/", COORD_ONLY[:4] + (400, 400), data={}),
    # A link to A's response for B's contact would hand B's respondent A's answers: refused.
    row(
        "access-link-list",
        "post",
        lambda w: "/api/access-links/",
        COORD_ONLY[:4] + (400, 400),
        data=lambda w: {"assignment": w.assignment_a.pk, "contact": w.contact_b.pk},
    ),
    # The result page shows each respondent their own organisation beside the city mean; no one else.
    row("surveys:results", "get", lambda w: "/enkat/resultat/", (403, 200, 200, 403, 403, 403)),
    # Index results over the API: staff (reader included) read; only coordinators and admins recompute.
    # A magic-link session is no API user: respondents read their result on the page above.
    # A respondent user reads its own organisation's published result and trend, and the round's figures
    # (without other organisations' rows); never another organisation's.
    row(
        "results-assignment",
        "get",
        lambda w: f"/api/results/assignments/{w.published_a.pk}/",
        STAFF_READ,
        users=(200, 404),
    ),
    row(
        "results-round",
        "get",
        lambda w: f"/api/results/rounds/{w.published.pk}/",
        STAFF_READ,
        users=(200, 200),
    ),
    # Before publication (no preliminary results in this round) respondents see neither their own
    # result nor the round's figures.
    row(
        "results-assignment",
        "get",
        lambda w: f"/api/results/assignments/{w.assignment_a.pk}/",
        STAFF_READ,
        users=(404, 404),
    ),
    row("results-round", "get", lambda w: f"/api/results/rounds/{w.round.pk}/", STAFF_READ, users=(404, 404)),
    row(
        "results-trend",
        "get",
        lambda w: (
            f"/api/results/organisations/{w.org_b.pk}/trend/?questionnaire={w.version.questionnaire_id}"
        ),
        STAFF_READ,
        users=(404, 200),
    ),
    row(
        "results-compute",
        "post",
        lambda w: f"/api/results/rounds/{w.round.pk}/compute/",
        DENY_API + (403, 202, 202),
        data={},
    ),
    row(
        "results-trend",
        "get",
        lambda w: (
            f"/api/results/organisations/{w.org_a.pk}/trend/?questionnaire={w.version.questionnaire_id}"
        ),
        STAFF_READ,
        users=(200, 404),
    ),
    row("results-activities", "get", lambda w: f"/api/results/rounds/{w.round.pk}/activities/", STAFF_READ),
    # Exports: the central office's reader asks for and downloads workbooks like a coordinator.
    row("round-exports", "get", lambda w: f"/api/rounds/{w.published.pk}/exports/", STAFF_READ),
    row(
        "round-exports",
        "post",
        lambda w: f"/api/rounds/{w.round.pk}/exports/",
        DENY_API + (202, 202, 202),
        data={},
    ),
    row("export-list", "get", lambda w: "/api/exports/", STAFF_READ),
    row("export-detail", "get", lambda w: f"/api/exports/{w.job.pk}/", STAFF_READ),
    row("export-download", "get", lambda w: f"/api/exports/{w.job.pk}/download/", STAFF_READ),
    # Programmes and their plans: staff read, coordinators and admins change.
    *crud(
        "programme",
        lambda w: f"/api/programmes/{w.programme.pk}/",
        list_path="/api/programmes/",
        create={"name": "Nytt program", "start_year": 2027, "end_year": 2030},
        change={"description": "Reviderad"},
    ),
    *crud(
        "goalarea",
        lambda w: f"/api/goal-areas/{w.goal_area.pk}/",
        list_path="/api/goal-areas/",
        create=lambda w: {"programme": w.programme.pk, "number": "9", "title": "Nytt målområde"},
        change={"title": "Ändrat"},
    ),
    *crud(
        "focusarea",
        lambda w: f"/api/focus-areas/{w.focus_area.pk}/",
        list_path="/api/focus-areas/",
        create=lambda w: {"goal_area": w.goal_area.pk, "number": "9.1", "title": "Nytt insatsområde"},
        change={"title": "Ändrat"},
    ),
    *crud(
        "activity",
        lambda w: f"/api/activities/{w.activity.pk}/",
        list_path="/api/activities/",
        create=lambda w: {"goal_area": w.goal_area.pk, "number": "9.9", "title": "Ny", "lead": w.org_b.pk},
        change={"title": "Ändrad"},
    ),
    *crud(
        "indicator",
        lambda w: f"/api/indicators/{w.indicator.pk}/",
        list_path="/api/indicators/",
        create=lambda w: {"activity": w.activity.pk, "text": "Antal träffar", "lead": w.org_a.pk},
        change={"target": "10"},
    ),
    # Accepted spellings and partners from a plan check: staff read, coordinators and admins decide.
    row("organisation-alias-list", "get", lambda w: "/api/organisation-aliases/", STAFF_READ),
    row(
        "organisation-alias-list",
        "post",
        lambda w: "/api/organisation-aliases/",
        COORD_ONLY_CREATED,
        data={"name": "Regionen", "is_partner": True},
    ),
    row("organisation-alias-detail", "get", lambda w: f"/api/organisation-aliases/{w.alias.pk}/", STAFF_READ),
    row(
        "organisation-alias-detail",
        "delete",
        lambda w: f"/api/organisation-aliases/{w.alias.pk}/",
        DENY_API + (403, 204, 204),
    ),
    row("programme-plan-template", "get", lambda w: "/api/programmes/plan-template/", STAFF_READ),
    row("programme-plan-export", "get", lambda w: f"/api/programmes/{w.programme.pk}/plan/", STAFF_READ),
    # A dry run writes nothing, but it is the first half of an import: coordinators and admins only.
    row(
        "programme-plan-check",
        "post",
        lambda w: f"/api/programmes/{w.programme.pk}/plan/check/",
        COORD_ONLY,
        data=Upload(lambda w: {"file": export_plan(w.programme)}),
    ),
    row(
        "programme-plan-import",
        "post",
        lambda w: f"/api/programmes/{w.programme.pk}/plan/import/",
        COORD_ONLY,
        data=Upload(lambda w: {"file": export_plan(w.programme)}),
    ),
    row(
        "programme-activity-questionnaire",
        "post",
        lambda w: f"/api/programmes/{w.programme.pk}/activity-questionnaire/",
        COORD_ONLY_CREATED,
        data={},
    ),
    # Questionnaire versions as workbooks: staff read, coordinators and admins check and import.
    row("questionnaireversion-list", "get", lambda w: "/api/questionnaire-versions/", STAFF_READ),
    row(
        "questionnaireversion-detail",
        "get",
        lambda w: f"/api/questionnaire-versions/{w.version.pk}/",
        STAFF_READ,
    ),
    row(
        "questionnaireversion-template", "get", lambda w: "/api/questionnaire-versions/template/", STAFF_READ
    ),
    row(
        "questionnaireversion-workbook",
        "get",
        lambda w: f"/api/questionnaire-versions/{w.version.pk}/workbook/",
        STAFF_READ,
    ),
    row(
        "questionnaireversion-check",
        "post",
        lambda w: "/api/questionnaire-versions/check/",
        COORD_ONLY,
        data=Upload(
            lambda w: {"file": questionnaire_workbook.template(), "questionnaire": w.version.questionnaire_id}
        ),
    ),
    row(
        "questionnaireversion-import-version",
        "post",
        lambda w: "/api/questionnaire-versions/import/",
        COORD_ONLY_CREATED,
        data=Upload(
            lambda w: {"file": questionnaire_workbook.template(), "questionnaire": w.version.questionnaire_id}
        ),
    ),
    # Scoring schemes: staff read, coordinators and admins change (while the version is not frozen).
    *crud(
        "scoring-scheme",
        lambda w: f"/api/scoring/schemes/{w.scheme.pk}/",
        list_path="/api/scoring/schemes/",
        create=lambda w: {"version": factories.VersionFactory().pk, "name": "Index", "scale_to": 100},
        change={"scale_to": 10},
    ),
    # Once a round has opened on the version, its scheme is kept as the results were computed: 409.
    row(
        "scoring-scheme-detail",
        "patch",
        lambda w: f"/api/scoring/schemes/{w.frozen_scheme.pk}/",
        DENY_API + (403, 409, 409),
        data={"scale_to": 10},
    ),
    row(
        "scoring-scheme-problems",
        "get",
        lambda w: f"/api/scoring/schemes/{w.scheme.pk}/problems/",
        STAFF_READ,
    ),
    *crud(
        "scoring-category",
        lambda w: f"/api/scoring/categories/{w.category.pk}/",
        list_path="/api/scoring/categories/",
        create=lambda w: {"scheme": w.scheme.pk, "code": "samverkan", "name": "Samverkan"},
        change={"cap": "5"},
    ),
    *crud(
        "scoring-rule",
        lambda w: f"/api/scoring/rules/{w.rule.pk}/",
        list_path="/api/scoring/rules/",
        create=lambda w: {
            "scheme": w.scheme.pk,
            "question": w.open_question.pk,
            "category": w.category.pk,
            "option_code": "nej",
            "points": "0",
        },
        change={"points": "2"},
    ),
]


# The staff pages (/personal/): anonymous visitors and magic-link respondents (who are not signed-in users)
# are sent to the staff login; respondent users get 403; readers read; coordinators and admins also act.
LOGIN = (302, 302, 302)
STAFF_PAGE = LOGIN + (200, 200, 200)
COORD_PAGE = LOGIN + (403, 200, 200)
COORD_ACT = LOGIN + (403, 302, 302)
NO_USERS = (403, 403)
EVERYONE = (200,) * 6


def staff(name, method, path, expected, data=None, users=NO_USERS):
    return row(f"staff:{name}", method, path, expected, data=data, users=users)


def form(build=lambda w: {}):
    """Form fields as a browser posts them (multipart), not JSON."""
    return Upload(build)


def in_a_week(w):
    return (timezone.localtime(w.round.deadline) + timedelta(days=7)).date().isoformat()


def edit(w):
    """The edit form of the draft round with a new name, confirmed."""
    return {
        "name": "Ny benämning",
        "opens_on": timezone.localtime(w.draft.opens_at).date().isoformat(),
        "opens_time": timezone.localtime(w.draft.opens_at).strftime("%H:%M"),
        "deadline_on": timezone.localtime(w.draft.deadline).date().isoformat(),
        "deadline_time": timezone.localtime(w.draft.deadline).strftime("%H:%M"),
        "confirm": "1",
    }


MATRIX += [
    staff("login", "get", lambda w: "/personal/logga-in/", EVERYONE, users=(200, 200)),
    # A wrong password shows the form again (200) for everyone.
    staff(
        "login",
        "post",
        lambda w: "/personal/logga-in/",
        EVERYONE,
        data=form(lambda w: {"username": "m-coord", "password": "fel"}),
        users=(200, 200),
    ),
    staff("logout", "post", lambda w: "/personal/logga-ut/", (302,) * 6, users=(302, 302)),
    staff("logout", "get", lambda w: "/personal/logga-ut/", (405,) * 6, users=(405, 405)),
    staff("password-reset", "get", lambda w: "/personal/losenord/", EVERYONE, users=(200, 200)),
    staff(
        "password-reset",
        "post",
        lambda w: "/personal/losenord/",
        (302,) * 6,
        data=form(lambda w: {"email": "ingen@example.se"}),
        users=(302, 302),
    ),
    staff("password-reset-sent", "get", lambda w: "/personal/losenord/skickat/", EVERYONE, users=(200, 200)),
    staff(
        "password-reset-confirm",
        "get",
        lambda w: "/personal/losenord/nytt/MQ/fel-token/",
        EVERYONE,
        users=(200, 200),
    ),
    staff(
        "password-reset-complete", "get", lambda w: "/personal/losenord/klart/", EVERYONE, users=(200, 200)
    ),
    staff("start", "get", lambda w: "/personal/", LOGIN + (302, 302, 302)),
    staff("rounds", "get", lambda w: "/personal/omgangar/", STAFF_PAGE),
    staff("round", "get", lambda w: f"/personal/omgangar/{w.round.pk}/", STAFF_PAGE),
    staff(
        "round",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/",
        (405,) * 6,
        users=(405, 405),
    ),
    staff("results", "get", lambda w: f"/personal/omgangar/{w.published.pk}/resultat/", STAFF_PAGE),
    staff("activities", "get", lambda w: f"/personal/omgangar/{w.round.pk}/aktiviteter/", STAFF_PAGE),
    staff(
        "round-export", "post", lambda w: f"/personal/omgangar/{w.round.pk}/excel/", LOGIN + (302, 302, 302)
    ),
    staff(
        "round-export",
        "get",
        lambda w: f"/personal/omgangar/{w.round.pk}/excel/",
        (405,) * 6,
        users=(405, 405),
    ),
    staff("export", "get", lambda w: f"/personal/exporter/{w.job.pk}/", STAFF_PAGE),
    staff("export-download", "get", lambda w: f"/personal/exporter/{w.job.pk}/fil/", STAFF_PAGE),
    staff("progress", "get", lambda w: f"/personal/omgangar/{w.round.pk}/framsteg/", COORD_PAGE),
    staff(
        "assignment",
        "get",
        lambda w: f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/",
        COORD_PAGE,
    ),
    # An assignment of another round under this round's address does not exist.
    staff(
        "assignment",
        "get",
        lambda w: f"/personal/omgangar/{w.draft.pk}/organisationer/{w.assignment_a.pk}/",
        LOGIN + (403, 404, 404),
    ),
    staff("round-new", "get", lambda w: "/personal/omgangar/ny/", COORD_PAGE),
    staff("round-new", "post", lambda w: "/personal/omgangar/ny/", LOGIN + (403, 400, 400), data=form()),
    staff(
        "round-new",
        "post",
        lambda w: "/personal/omgangar/ny/",
        COORD_ACT,
        data=form(
            lambda w: {
                "version": w.version.pk,
                "year": "2033",
                "organisations": [w.org_a.pk],
                "opens_on": "2033-10-01",
                "deadline_on": "2033-10-31",
                "remind_before": "7",
                "create": "1",
            }
        ),
    ),
    staff(
        "round-preview",
        "post",
        lambda w: "/personal/omgangar/ny/forhandsgranska/",
        LOGIN + (403, 400, 400),
        data=form(),
    ),
    # Editing a round: the form (GET), its review and confirmed save (POST), the live preview.
    staff("round-edit", "get", lambda w: f"/personal/omgangar/{w.draft.pk}/andra/", COORD_PAGE),
    staff(
        "round-edit", "post", lambda w: f"/personal/omgangar/{w.draft.pk}/andra/", COORD_ACT, data=form(edit)
    ),
    staff(
        "round-edit",
        "post",
        lambda w: f"/personal/omgangar/{w.draft.pk}/andra/",
        LOGIN + (403, 200, 200),  # without "confirm": the page that shows what will change
        data=form(lambda w: {k: v for k, v in edit(w).items() if k != "confirm"}),
    ),
    staff(
        "round-edit",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/andra/",
        LOGIN + (403, 400, 400),
        data=form(),
    ),
    staff(
        "round-edit",
        "delete",
        lambda w: f"/personal/omgangar/{w.draft.pk}/andra/",
        (405,) * 6,
        users=(405, 405),
    ),
    staff(
        "round-edit-preview",
        "post",
        lambda w: f"/personal/omgangar/{w.draft.pk}/andra/forhandsgranska/",
        LOGIN + (403, 200, 200),
        data=form(edit),
    ),
    staff(
        "round-edit-preview",
        "get",
        lambda w: f"/personal/omgangar/{w.draft.pk}/andra/forhandsgranska/",
        (405,) * 6,
        users=(405, 405),
    ),
    staff("round-action", "get", lambda w: f"/personal/omgangar/{w.round.pk}/atgard/paminn/", COORD_PAGE),
    staff("round-action", "post", lambda w: f"/personal/omgangar/{w.round.pk}/atgard/paminn/", COORD_ACT),
    staff(
        "round-action",
        "get",
        lambda w: f"/personal/omgangar/{w.round.pk}/atgard/finns-inte/",
        LOGIN + (403, 404, 404),
    ),
    staff("round-action", "post", lambda w: f"/personal/omgangar/{w.round.pk}/atgard/stang/", COORD_ACT),
    staff(
        "round-action",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/atgard/forlang/",
        COORD_ACT,
        data=form(lambda w: {"deadline_on": in_a_week(w)}),
    ),
    staff(
        "round-action",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/atgard/lagg-till/",
        COORD_ACT,
        data=form(lambda w: {"organisation": w.org_c.pk}),
    ),
    staff("round-action", "post", lambda w: f"/personal/omgangar/{w.draft.pk}/atgard/schemalagg/", COORD_ACT),
    staff(
        "round-action",
        "post",
        lambda w: f"/personal/omgangar/{w.scheduled.pk}/atgard/avschemalagg/",
        COORD_ACT,
    ),
    staff("round-action", "post", lambda w: f"/personal/omgangar/{w.scheduled.pk}/atgard/oppna/", COORD_ACT),
    staff("round-action", "post", lambda w: f"/personal/omgangar/{w.closed.pk}/atgard/publicera/", COORD_ACT),
    staff(
        "assignment-action",
        "get",
        lambda w: f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/paminn/",
        COORD_PAGE,
    ),
    staff(
        "assignment-action",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/paminn/",
        COORD_ACT,
    ),
    staff(
        "assignment-action",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/forlang/",
        COORD_ACT,
        data=form(lambda w: {"deadline_on": in_a_week(w)}),
    ),
    staff(
        "assignment-action",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/organisationer/{w.submitted.pk}/atgard/oppna-igen/",
        COORD_ACT,
    ),
    staff(
        "assignment-action",
        "post",
        lambda w: f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_b.pk}/atgard/ta-bort/",
        COORD_ACT,
    ),
    staff(
        "assignment-action",
        "get",
        lambda w: (
            f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/skicka-inbjudan/"
            f"?kontakt={w.contact_a.pk}"
        ),
        COORD_PAGE,
    ),
    staff(
        "assignment-action",
        "post",
        lambda w: (
            f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/skicka-inbjudan/"
        ),
        COORD_ACT,
        data=form(lambda w: {"kontakt": w.contact_a.pk}),
    ),
    # B's contact is no contact of A's organisation: no invitation to A's response for B.
    staff(
        "assignment-action",
        "post",
        lambda w: (
            f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/skicka-inbjudan/"
        ),
        LOGIN + (403, 404, 404),
        data=form(lambda w: {"kontakt": w.contact_b.pk}),
    ),
    staff(
        "assignment-action",
        "post",
        lambda w: (
            f"/personal/omgangar/{w.round.pk}/organisationer/{w.assignment_a.pk}/atgard/aterkalla-lank/"
        ),
        COORD_ACT,
        data=form(lambda w: {"lank": w.token_a_row.pk}),
    ),
    staff("workbooks", "get", lambda w: "/personal/arbetsbocker/", STAFF_PAGE),
    staff("plan-template", "get", lambda w: "/personal/arbetsbocker/plan/mall/", STAFF_PAGE),
    staff("plan-download", "get", lambda w: f"/personal/arbetsbocker/plan/{w.programme.pk}/", STAFF_PAGE),
    staff(
        "plan-check",
        "post",
        lambda w: f"/personal/arbetsbocker/plan/{w.programme.pk}/kontroll/",
        COORD_PAGE,
        data=Upload(lambda w: {"file": export_plan(w.programme)}),
    ),
    staff(
        "plan-import", "post", lambda w: "/personal/arbetsbocker/plan/import/abc123/", LOGIN + (403, 404, 404)
    ),
    staff(
        "plan-names", "post", lambda w: "/personal/arbetsbocker/plan/namn/abc123/", LOGIN + (403, 404, 404)
    ),
    staff(
        "plan-names",
        "get",
        lambda w: "/personal/arbetsbocker/plan/namn/abc123/",
        (405,) * 6,
        users=(405, 405),
    ),
    staff("questionnaire-template", "get", lambda w: "/personal/arbetsbocker/enkat/mall/", STAFF_PAGE),
    staff(
        "version-download",
        "get",
        lambda w: f"/personal/arbetsbocker/enkat/version/{w.version.pk}/",
        STAFF_PAGE,
    ),
    staff(
        "questionnaire-check",
        "post",
        lambda w: f"/personal/arbetsbocker/enkat/{w.version.questionnaire_id}/kontroll/",
        COORD_PAGE,
        data=Upload(lambda w: {"file": questionnaire_workbook.template()}),
    ),
    staff(
        "questionnaire-import",
        "post",
        lambda w: "/personal/arbetsbocker/enkat/import/abc123/",
        LOGIN + (403, 404, 404),
    ),
    # Reminders now and invitations again over the API: the same services as the pages.
    row("round-remind", "post", lambda w: f"/api/rounds/{w.round.pk}/remind/", COORD_ONLY, data={}),
    row(
        "round-remind",
        "post",
        lambda w: f"/api/rounds/{w.round.pk}/remind/",
        COORD_ONLY,
        data=lambda w: {"assignment": w.assignment_a.pk},
    ),
    row(
        "assignment-remind",
        "post",
        lambda w: f"/api/assignments/{w.assignment_a.pk}/remind/",
        COORD_ONLY,
        data={},
    ),
    row(
        "assignment-resend",
        "post",
        lambda w: f"/api/assignments/{w.assignment_a.pk}/resend/",
        COORD_ONLY,
        data=lambda w: {"contact": w.contact_a.pk},
    ),
    row(
        "assignment-resend",
        "post",
        lambda w: f"/api/assignments/{w.assignment_a.pk}/resend/",
        COORD_ONLY[:4] + (400, 400),
        data=lambda w: {"contact": w.contact_b.pk},
    ),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("name, method, path, expected, data", MATRIX)
def test_access(name, method, path, expected, data):
    world = World()
    seen = {}
    for role in ROLES:
        # Each role meets the same state: its requests run in a savepoint that is rolled back.
        with transaction.atomic():
            client = world.client(role)
            body = data(world) if callable(data) else data
            if isinstance(body, Upload):
                kwargs = {"data": body.fields(world)}  # multipart/form-data, as a browser sends a file
            elif body is not None:
                kwargs = {"content_type": "application/json", "data": body}
            else:
                kwargs = {}
            seen[role] = getattr(client, method)(path(world), **kwargs).status_code
            transaction.set_rollback(True)
    assert seen == expected, f"{method.upper()} {name}: got {seen}"


def test_each_respondent_sees_only_their_own_organisations_result():
    """Both respondents reach the result page (200 above); each sees its own index, never the other's."""
    world = World()
    for role, own, other in (("resp_a", "A", "B"), ("resp_b", "B", "A")):
        html = world.client(role).get("/enkat/resultat/").content.decode()
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        own_index, other_index = ("20,0", "40,0") if own == "A" else ("40,0", "20,0")
        assert f"Resultat för Organisation {own}" in text
        assert f"Ert index är {own_index} av 100" in text
        assert f"Organisation {other}" not in text and other_index not in text


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


# --------------------------------------------------------------------------------------------------
# The admin
# --------------------------------------------------------------------------------------------------

ADMIN_ROLES = ("anon", "user_a", "reader", "coord", "admin", "superuser")
ADMIN_VIEWS = (
    ("changelist", "get"),
    ("changelist", "post"),  # the bulk delete action, confirmed
    ("add", "get"),
    ("add", "post"),  # an empty form: 200 with its errors when allowed
    ("change", "get"),
    ("change", "post"),  # the form as the superuser's page shows it, unchanged
    ("delete", "get"),
    ("delete", "post"),  # confirmed
    ("history", "get"),
)
# What a cell shows: "login" (sent to the login page), 403, a status, "deleted" (the object is gone) or
# "kept" (a bulk delete that was not carried out).
LEVELS = {
    "-": (403, 403, 403, 403, 403, 403, 403, 403, 403),
    "view": (200, "kept", 403, 403, 200, 403, 403, 403, 200),
    "edit": (200, "deleted", 200, 200, 200, 302, 200, "deleted", 200),
    # add and change, never delete (rounds: answers are public records)
    "edit-keep": (200, "kept", 200, 200, 200, 302, 403, 403, 200),
}
PLAN = {"reader": "view", "coord": "edit", "admin": "edit", "superuser": "edit"}
READ_ALL = {"reader": "view", "coord": "view", "admin": "view", "superuser": "view"}
NO_READER = {"reader": "-", "coord": "view", "admin": "view", "superuser": "view"}
SUPERUSER_ONLY = {"reader": "-", "coord": "-", "admin": "-", "superuser": "edit"}

# Per registered model: the policy per staff role, and the object its change and delete views open.
ADMIN_POLICY = {
    "auth.group": (SUPERUSER_ONLY, lambda w: w.group),
    "authtoken.tokenproxy": (SUPERUSER_ONLY, lambda w: w.api_token),
    "surveys.user": ({**SUPERUSER_ONLY, "admin": "view"}, lambda w: w.users["user_b"]),
    "surveys.organisation": (PLAN, lambda w: w.org_c),
    "surveys.contact": (PLAN, lambda w: w.contact_c),
    "surveys.programme": (PLAN, lambda w: w.programme),
    "surveys.goalarea": (PLAN, lambda w: w.goal_area),
    "surveys.focusarea": (PLAN, lambda w: w.focus_area),
    "surveys.activity": (PLAN, lambda w: w.activity),
    "surveys.indicator": (PLAN, lambda w: w.indicator),
    "surveys.questionnaire": (PLAN, lambda w: w.unused_questionnaire),
    "surveys.questionnaireversion": (PLAN, lambda w: w.open_version),
    "surveys.question": (PLAN, lambda w: w.open_question),
    "surveys.scoringscheme": (PLAN, lambda w: w.scheme),
    "surveys.scoringcategory": (PLAN, lambda w: w.category),
    "surveys.scoringrule": (PLAN, lambda w: w.rule),
    "surveys.surveyround": (
        {**PLAN, "coord": "edit-keep", "admin": "edit-keep", "superuser": "edit-keep"},
        lambda w: w.round,
    ),
    "surveys.assignment": (READ_ALL, lambda w: w.assignment_a),
    "surveys.response": (READ_ALL, lambda w: w.assignment_a.response),
    "surveys.responserevision": (READ_ALL, lambda w: w.revision),
    "surveys.indexresult": (READ_ALL, lambda w: w.preliminary_a),
    "surveys.exportjob": (READ_ALL, lambda w: w.job),
    "surveys.accesstoken": (NO_READER, lambda w: w.token_a_row),
    "surveys.outboundemail": (NO_READER, lambda w: w.email_a),
}

# Cells that differ from their level, with the reason.
ADMIN_CELL_OVERRIDES = {
    # DRF's token proxy lists tokens by user id, which its bulk delete does not find: delete one by one.
    ("authtoken.tokenproxy", "superuser", "changelist", "post"): "kept",
}

# Admin pages that belong to no model: (name, method, path, expected per ADMIN_ROLES).
ADMIN_SITE_ROWS = [
    ("index", "get", "/admin/", ("login", "login", 200, 200, 200, 200)),
    ("app_list", "get", "/admin/surveys/", ("login", "login", 200, 200, 200, 200)),
    ("login", "get", "/admin/login/", (200, 200, 302, 302, 302, 302)),
    ("password_change", "get", "/admin/password_change/", ("login", "login", 200, 200, 200, 200)),
]
# Reached from the pages above, with no rights of their own to check.
ADMIN_NOT_IN_MATRIX = {"logout", "password_change_done", "jsi18n", "autocomplete", "view_on_site"}


class AdminWorld(World):
    """The API matrix's world with staff given their roles' groups, a superuser, and objects the admin's
    delete views can delete (nothing refers to them)."""

    def __init__(self):
        super().__init__()
        from django.contrib.auth.models import Group
        from rest_framework.authtoken.models import Token

        from surveys.services.roles import user_set_role

        for role, name in (("reader", "reader"), ("coord", "coordinator"), ("admin", "admin")):
            user_set_role(user=self.users[role], role=name, actor=None)
        self.users["superuser"] = factories.UserFactory(
            username="m-superuser", role="admin", is_staff=True, is_superuser=True
        )
        self.group = Group.objects.get(name="Läsare")
        from rest_framework.authtoken.models import TokenProxy

        Token.objects.create(user=self.users["user_b"])
        self.api_token = TokenProxy.objects.get(user=self.users["user_b"])
        self.contact_c = factories.ContactFactory(organisation=self.org_c)
        self.unused_questionnaire = factories.QuestionnaireFactory()
        self.revision = self.assignment_a.response.revisions.create(version=1, action="save")


def _admin_cell(client, method, url, data, obj):
    response = getattr(client, method)(url, data or {})
    gone = (
        obj is not None
        and not type(obj)._default_manager.filter(pk=obj._meta.pk.value_from_object(obj)).exists()
    )
    if gone:
        return "deleted"
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "login"
    if method == "post" and url.endswith("/changelist/") or (method == "post" and data and "action" in data):
        return 403 if response.status_code == 403 else "kept"
    return response.status_code


def _admin_urls(model, obj):
    from django.urls import reverse

    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return {
        "changelist": reverse(f"{prefix}_changelist"),
        "add": reverse(f"{prefix}_add"),
        "change": reverse(f"{prefix}_change", args=[obj.pk]),
        "delete": reverse(f"{prefix}_delete", args=[obj.pk]),
        "history": reverse(f"{prefix}_history", args=[obj.pk]),
    }


def _registered():
    from django.contrib import admin

    return sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


@pytest.mark.parametrize("label", sorted(ADMIN_POLICY))
def test_admin_access(label):
    from django.apps import apps

    from tests.support.admin_forms import form_data

    model = apps.get_model(label)
    policy, pick = ADMIN_POLICY[label]
    world = AdminWorld()
    obj = pick(world)
    urls = _admin_urls(model, obj)
    superuser = world.client("superuser")
    change_page = superuser.get(urls["change"])
    assert change_page.status_code == 200
    change_data = form_data(change_page.content.decode(), f"{model._meta.model_name}_form")
    bodies = {
        ("changelist", "post"): {
            "action": "delete_selected",
            "_selected_action": [obj._meta.pk.value_from_object(obj)],
            "post": "yes",
        },
        ("add", "post"): {},
        ("change", "post"): change_data,
        ("delete", "post"): {"post": "yes"},
    }
    seen, expected = {}, {}
    for role in ADMIN_ROLES:
        level = policy.get(role)
        wanted = ("login",) * len(ADMIN_VIEWS) if level is None else LEVELS[level]
        for (view, method), cell in zip(ADMIN_VIEWS, wanted, strict=True):
            with transaction.atomic():
                client = world.client(role)
                body = bodies.get((view, method))
                got = _admin_cell(client, method, urls[view], body, obj if method == "post" else None)
                transaction.set_rollback(True)
            seen[(role, view, method)] = got
            expected[(role, view, method)] = ADMIN_CELL_OVERRIDES.get((label, role, view, method), cell)
    wrong = {k: (seen[k], expected[k]) for k in seen if seen[k] != expected[k]}
    assert not wrong, f"{label}: (got, expected) {wrong}"


def test_admin_user_password_form_is_the_superusers_alone():
    world = AdminWorld()
    url = f"/admin/surveys/user/{world.users['user_b'].pk}/password/"
    expected = {
        "get": ("login", "login", 403, 403, 403, 200),
        "post": ("login", "login", 403, 403, 403, 200),
    }
    for method, statuses in expected.items():
        for role, wanted in zip(ADMIN_ROLES, statuses, strict=True):
            with transaction.atomic():
                got = _admin_cell(world.client(role), method, url, {}, None)
                transaction.set_rollback(True)
            assert got == wanted, f"{method.upper()} password form as {role}: {got}"


def test_admin_site_pages():
    world = AdminWorld()
    for name, method, path, statuses in ADMIN_SITE_ROWS:
        for role, wanted in zip(ADMIN_ROLES, statuses, strict=True):
            got = _admin_cell(world.client(role), method, path, None, None)
            assert got == wanted, f"{method.upper()} {name} as {role}: {got}"


def test_every_admin_route_is_in_the_matrix():
    from django.contrib import admin

    registered = {model._meta.label_lower for model in _registered()}
    assert registered == set(ADMIN_POLICY), (
        f"registered without a policy: {sorted(registered - set(ADMIN_POLICY))}; "
        f"a policy for nothing registered: {sorted(set(ADMIN_POLICY) - registered)}"
    )
    model_views = {
        f"{label.replace('.', '_')}_{view}" for label in ADMIN_POLICY for view, _ in ADMIN_VIEWS
    } | {"auth_user_password_change"}  # UserAdmin names it so
    covered = model_views | {row[0] for row in ADMIN_SITE_ROWS} | ADMIN_NOT_IN_MATRIX
    names = {p.name for p in _flatten(admin.site.get_urls()) if p.name}
    assert names - covered == set(), f"admin routes without a row: {sorted(names - covered)}"


def _flatten(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _flatten(pattern.url_patterns)
        else:
            yield pattern
