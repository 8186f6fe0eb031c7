"""The audit trail records who did what, and keeps the name when the user is gone. Each coordinator action
is recorded by its service, so the API, the staff pages and the admin leave the same one event; an action
that is refused leaves none."""

import io
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from exports import plan_io
from surveys.models import AccessToken, AuditEvent, Programme, Response
from surveys.services import tokens
from surveys.services.audit import audit_record
from tests import factories
from tests.factories import UserFactory
from tests.plan_helpers import plan_xlsx


@pytest.mark.django_db
def test_audit_record_keeps_who_did_it_after_the_user_is_deleted():
    user = UserFactory(role="coordinator", username="anna", first_name="Anna", last_name="Berg")
    audit_record(actor=user, action="round.open", target="Preventionsindex 2026", detail={"x": 1})
    user.delete()
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_label == "Anna Berg"
    assert (event.action, event.target, event.detail) == ("round.open", "Preventionsindex 2026", {"x": 1})


@pytest.mark.django_db
def test_audit_record_without_a_user_is_the_system():
    event = audit_record(actor=None, action="retention.anonymise", target="3 kontakter")
    assert event.actor_label == "systemet"


# --------------------------------------------------------------------------------------------------
# One action, one event, from the API and from the staff pages alike
# --------------------------------------------------------------------------------------------------

LATER = (timezone.localdate() + timedelta(days=60)).isoformat()
ROUND = "Preventionsindex mini 2026"
NEW_DEADLINE = f"ny sista svarsdag {LATER} kl. 23.59"


def _world(state, *, submitted=False, link=False):
    """A round in `state` with one recipient (Socialnämnden, contact Anna) and one organisation that is
    not a recipient (Kulturnämnden); the ids by the letters the cases' paths use (r round, a assignment,
    s and o the two organisations, c contact, t link)."""
    survey_round = factories.SurveyRoundFactory(state=state, name="Preventionsindex mini", year=2026)
    organisation = factories.OrganisationFactory(name="Socialnämnden")
    contact = factories.ContactFactory(organisation=organisation, name="Anna Berg", email="anna@example.se")
    assignment = factories.AssignmentFactory(round=survey_round, organisation=organisation)
    other = factories.OrganisationFactory(name="Kulturnämnden")
    factories.ContactFactory(organisation=other, email="kultur@example.se")
    if submitted:
        Response.objects.filter(assignment=assignment).update(state="submitted", submitted_at=timezone.now())
    token = None
    if link:
        tokens.issue_token(assignment=assignment, contact=contact)
        token = AccessToken.objects.get(assignment=assignment)
    return SimpleNamespace(
        r=survey_round.pk,
        a=assignment.pk,
        s=organisation.pk,
        c=contact.pk,
        o=other.pk,
        t=token.pk if token else None,
    )


@dataclass
class Case:
    code: str
    state: str
    api: str  # "/api/..." with {r} {a} {s} {c} {o} {t} from _world
    staff: str  # the action's path below /personal/omgangar/{r}/
    target: str
    api_data: dict = field(default_factory=dict)
    staff_data: dict = field(default_factory=dict)
    world: dict = field(default_factory=dict)

    def __str__(self):
        return self.code


CASES = [
    Case("round.schedule", "draft", "/api/rounds/{r}/schedule/", "atgard/schemalagg/", ROUND),
    Case("round.unschedule", "scheduled", "/api/rounds/{r}/unschedule/", "atgard/avschemalagg/", ROUND),
    Case("round.open", "draft", "/api/rounds/{r}/open/", "atgard/oppna/", ROUND),
    Case("round.close", "open", "/api/rounds/{r}/close/", "atgard/stang/", ROUND),
    Case("round.publish", "closed", "/api/rounds/{r}/publish/", "atgard/publicera/", ROUND),
    Case("round.remind", "open", "/api/rounds/{r}/remind/", "atgard/paminn/", ROUND),
    Case(
        "round.extend",
        "open",
        "/api/rounds/{r}/extend/",
        "atgard/forlang/",
        NEW_DEADLINE,
        api_data={"deadline": LATER},
        staff_data={"deadline_on": LATER},
    ),
    Case(
        "round.recipient_add",
        "open",
        "/api/rounds/{r}/recipients/add/",
        "atgard/lagg-till/",
        "Kulturnämnden",
        api_data={"organisations": ["{o}"]},
        staff_data={"organisation": "{o}"},
    ),
    Case(
        "round.recipient_remove",
        "open",
        "/api/rounds/{r}/recipients/remove/",
        "organisationer/{a}/atgard/ta-bort/",
        "Socialnämnden",
        api_data={"organisations": ["{s}"]},
    ),
    Case(
        "assignment.remind",
        "open",
        "/api/assignments/{a}/remind/",
        "organisationer/{a}/atgard/paminn/",
        "Socialnämnden",
    ),
    Case(
        "assignment.extend",
        "open",
        "/api/assignments/{a}/extend/",
        "organisationer/{a}/atgard/forlang/",
        f"Socialnämnden · {NEW_DEADLINE}",
        api_data={"deadline": LATER},
        staff_data={"deadline_on": LATER},
    ),
    Case(
        "assignment.reopen",
        "open",
        "/api/assignments/{a}/reopen/",
        "organisationer/{a}/atgard/oppna-igen/",
        "Socialnämnden",
        world={"submitted": True},
    ),
    Case(
        "assignment.resend_invitation",
        "open",
        "/api/assignments/{a}/resend/",
        "organisationer/{a}/atgard/skicka-inbjudan/",
        "Socialnämnden · kontakt {c}",
        api_data={"contact": "{c}"},
        staff_data={"kontakt": "{c}"},
    ),
    Case(
        "assignment.revoke_link",
        "open",
        "/api/access-links/{t}/revoke/",
        "organisationer/{a}/atgard/aterkalla-lank/",
        "Socialnämnden · kontakt {c}",
        staff_data={"lank": "{t}"},
        world={"link": True},
    ),
]


def _filled(data, world):
    """`data` with "{r}"-style placeholders replaced by the world's ids (as numbers)."""

    def one(value):
        if isinstance(value, list):
            return [one(v) for v in value]
        if isinstance(value, str) and value.startswith("{"):
            return getattr(world, value.strip("{}"))
        return value

    return {key: one(value) for key, value in data.items()}


def _setup(case):
    return _world(case.state, **case.world)


def _api_post(client, case, world):
    return client.post(case.api.format(**vars(world)), _filled(case.api_data, world), format="json")


def _the_one_event(world, case, actor):
    events = list(AuditEvent.objects.all())
    assert len(events) == 1, [(e.action, e.target) for e in events]
    event = events[0]
    target = case.target.format(**vars(world))
    assert (event.action, event.target, event.round_id) == (case.code, target, world.r)
    assert event.actor == actor and event.actor_label == actor.get_username()
    return event


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_api_action_records_one_event_with_who_and_what(case, api, coordinator):
    world = _setup(case)
    assert not AuditEvent.objects.exists()
    response = _api_post(api, case, world)
    assert response.status_code == 200, response.content
    _the_one_event(world, case, coordinator)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_same_action_on_the_staff_page_records_the_same_one_event(case, coordinator):
    world = _setup(case)
    client = Client()
    client.force_login(coordinator)
    url = f"/personal/omgangar/{world.r}/" + case.staff.format(**vars(world))
    assert client.get(url, _filled(case.staff_data, world)).status_code == 200  # the confirmation page
    assert not AuditEvent.objects.exists()
    response = client.post(url, _filled(case.staff_data, world))
    assert response.status_code == 302, response.content.decode()[-2000:]
    _the_one_event(world, case, coordinator)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_reader_is_refused_every_action_and_nothing_is_recorded(case, reader):
    client = APIClient()
    client.force_authenticate(reader)
    assert _api_post(client, case, _setup(case)).status_code == 403
    assert not AuditEvent.objects.exists()


REFUSED = [
    ("draft", "/api/rounds/{r}/publish/", {}),
    ("open", "/api/rounds/{r}/schedule/", {}),
    ("closed", "/api/rounds/{r}/open/", {}),
    ("draft", "/api/rounds/{r}/close/", {}),
    ("closed", "/api/rounds/{r}/remind/", {}),
    ("open", "/api/rounds/{r}/extend/", {"deadline": "2020-01-01"}),
    ("open", "/api/rounds/{r}/extend/", {"deadline": "inte ett datum"}),
    ("closed", "/api/rounds/{r}/recipients/add/", {"organisations": ["{o}"]}),
    ("open", "/api/rounds/{r}/recipients/remove/", {"organisations": ["{o}"]}),
    ("open", "/api/assignments/{a}/reopen/", {}),
    ("closed", "/api/assignments/{a}/resend/", {"contact": "{c}"}),
    ("open", "/api/assignments/{a}/resend/", {"contact": 2**62}),
    ("closed", "/api/assignments/{a}/extend/", {"deadline": LATER}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "url", "data"), REFUSED)
def test_an_api_action_the_service_refuses_records_nothing(state, url, data, api):
    world = _world(state)
    response = api.post(url.format(**vars(world)), _filled(data, world), format="json")
    assert response.status_code == 400, response.content
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "path", "data"),
    [
        ("draft", "atgard/publicera/", {}),
        ("open", "atgard/forlang/", {"deadline_on": "2020-01-01"}),
        ("open", "organisationer/{a}/atgard/oppna-igen/", {}),
    ],
)
def test_a_staff_action_the_service_refuses_records_nothing(state, path, data, coordinator):
    world = _world(state)
    client = Client()
    client.force_login(coordinator)
    response = client.post(f"/personal/omgangar/{world.r}/" + path.format(**vars(world)), data)
    assert response.status_code == 400
    assert not AuditEvent.objects.exists()


# --------------------------------------------------------------------------------------------------
# The API's other writes through a service
# --------------------------------------------------------------------------------------------------


def _named(content, name):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _only_event(code, actor):
    event = AuditEvent.objects.get()
    assert event.action == code and event.actor == actor
    return event


@pytest.mark.django_db
def test_round_create_and_update_over_the_api_are_recorded(api, coordinator):
    factories.OrganisationFactory(name="SDF Norr", kind="sdf")
    now = timezone.now()
    payload = {
        "version": factories.VersionFactory().pk,
        "year": 2026,
        "name": "Preventionsindex mini",
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "deadline": (now + timedelta(days=31)).isoformat(),
        "kinds": ["sdf"],
    }
    created = api.post("/api/rounds/", payload, format="json")
    assert created.status_code == 201
    event = _only_event("round.create", coordinator)
    assert (event.round_id, event.target, event.detail["recipients"]) == (created.json()["id"], ROUND, 1)
    event.delete()
    refused = api.patch(f"/api/rounds/{event.round_id}/", {"deadline": "2020-01-01"}, format="json")
    assert refused.status_code == 400 and not AuditEvent.objects.exists()
    changed = api.patch(f"/api/rounds/{event.round_id}/", {"name": "Nytt namn"}, format="json")
    assert changed.status_code == 200
    event = _only_event("round.update", coordinator)
    assert event.detail["fields"] == ["name"] and event.target == "Nytt namn 2026"


@pytest.mark.django_db
def test_a_new_link_a_digest_and_a_retried_email_over_the_api_are_recorded(api, coordinator):
    world = _world("open")
    issued = api.post("/api/access-links/", {"assignment": world.a, "contact": world.c}, format="json")
    assert issued.status_code == 201
    event = _only_event("assignment.reissue_link", coordinator)
    assert (event.round_id, event.target) == (world.r, f"Socialnämnden · kontakt {world.c}")
    AuditEvent.objects.all().delete()
    assert api.post(f"/api/rounds/{world.r}/digest/", {"email": "sam@example.se"}).status_code == 200
    assert _only_event("round.digest", coordinator).round_id == world.r
    AuditEvent.objects.all().delete()
    row = factories.OutboundEmailFactory(status="sent")
    assert api.post(f"/api/emails/{row.pk}/retry/").status_code == 400
    assert not AuditEvent.objects.exists()
    row = factories.OutboundEmailFactory(status="failed", round_id=world.r)
    assert api.post(f"/api/emails/{row.pk}/retry/").status_code == 200
    assert _only_event("email.retry", coordinator).round_id == world.r


@pytest.mark.django_db
def test_an_alias_and_a_generated_activity_questionnaire_over_the_api_are_recorded(api, coordinator):
    organisation = factories.OrganisationFactory(name="Socialnämnden")
    refused = api.post("/api/organisation-aliases/", {"name": "Soc.nämnden"}, format="json")
    assert refused.status_code == 400 and not AuditEvent.objects.exists()
    accepted = api.post(
        "/api/organisation-aliases/", {"name": "Soc.nämnden", "organisation": organisation.pk}, format="json"
    )
    assert accepted.status_code == 201
    event = _only_event("organisation_alias.accept", coordinator)
    assert event.target == "Soc.nämnden" and event.detail["organisation"] == organisation.pk
    AuditEvent.objects.all().delete()
    programme = factories.ProgrammeFactory()
    generated = api.post(f"/api/programmes/{programme.pk}/activity-questionnaire/", {}, format="json")
    assert generated.status_code == 201
    assert _only_event("questionnaire.generate", coordinator).detail["programme"] == programme.pk


@pytest.mark.django_db
def test_plan_and_questionnaire_imports_over_the_api_are_recorded_and_a_check_is_not(api, coordinator):
    for name in ["Individ- och familjenämnden", "Grundskolenämnden", "Kulturnämnden"]:
        factories.OrganisationFactory(name=name, kind="namnd")
    factories.OrganisationFactory(name="Miljö- och konsumentnämnden", kind="namnd")
    factories.OrganisationFactory(name="Polisen", kind="extern", aliases="Polismyndigheten\nPolis")
    programme = Programme.objects.create(name="Handlingsplan", start_year=2022, end_year=2025)
    url = f"/api/programmes/{programme.pk}/plan/"
    broken = plan_xlsx([{"goal": "1. Mål", "activity": "1.1 Insats", "lead": "Ingen sådan nämnd"}])
    assert api.post(url + "import/", {"file": _named(broken, "plan.xlsx")}).status_code == 400
    checked = api.post(url + "check/", {"file": _named(plan_io.template(), "plan.xlsx")})
    assert checked.status_code == 200 and not AuditEvent.objects.exists()
    done = api.post(url + "import/", {"file": _named(plan_io.template(), "plan.xlsx")})
    assert done.status_code == 200, done.json()
    event = _only_event("plan.import", coordinator)
    assert (event.target, event.detail["file"]) == ("Handlingsplan 2022–2025", "plan.xlsx")
    AuditEvent.objects.all().delete()
    version = api.post(f"/api/programmes/{programme.pk}/activity-questionnaire/", {}, format="json").json()
    AuditEvent.objects.all().delete()
    workbook = api.get(f"/api/questionnaire-versions/{version['version']}/workbook/").content
    data = {"questionnaire": version["questionnaire"]}
    assert (
        api.post(
            "/api/questionnaire-versions/check/", {**data, "file": _named(workbook, "enkat.xlsx")}
        ).status_code
        == 200
    )
    assert not AuditEvent.objects.exists()
    imported = api.post(
        "/api/questionnaire-versions/import/", {**data, "file": _named(workbook, "enkat.xlsx")}
    )
    assert imported.status_code == 201, imported.json()
    event = _only_event("questionnaire.import", coordinator)
    assert event.detail["file"] == "enkat.xlsx" and event.detail["counts"]["questions"] > 0


# --------------------------------------------------------------------------------------------------
# The admin's write actions
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True, role="admin")
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "action", "code"),
    [
        ("draft", "schedule_rounds", "round.schedule"),
        ("scheduled", "unschedule_rounds", "round.unschedule"),
        ("draft", "open_rounds", "round.open"),
        ("open", "close_rounds", "round.close"),
        ("closed", "publish_rounds", "round.publish"),
    ],
)
def test_an_admin_round_action_records_the_same_event(state, action, code, admin_client):
    world = _world(state)
    refused = factories.SurveyRoundFactory(state="published")
    admin_client.post(
        "/admin/surveys/surveyround/", {"action": action, "_selected_action": [world.r, refused.pk]}
    )
    event = _only_event(code, admin_client.user)
    assert (event.round_id, event.target) == (world.r, ROUND)


@pytest.mark.django_db
def test_admin_reopen_remove_and_revoke_record_the_same_events(admin_client):
    world = _world("open", submitted=True, link=True)
    user = admin_client.user
    admin_client.post(
        "/admin/surveys/assignment/", {"action": "reopen_assignments", "_selected_action": [world.a]}
    )
    assert _only_event("assignment.reopen", user).target == "Socialnämnden"
    AuditEvent.objects.all().delete()
    admin_client.post(
        "/admin/surveys/accesstoken/", {"action": "revoke_links", "_selected_action": [world.t]}
    )
    admin_client.post(
        "/admin/surveys/accesstoken/", {"action": "revoke_links", "_selected_action": [world.t]}
    )
    assert AccessToken.objects.get(pk=world.t).revoked_at is not None
    assert _only_event("assignment.revoke_link", user).round_id == world.r
    AuditEvent.objects.all().delete()
    admin_client.post(
        "/admin/surveys/assignment/", {"action": "remove_assignments", "_selected_action": [world.a]}
    )
    assert _only_event("round.recipient_remove", user).target == "Socialnämnden"


@pytest.mark.django_db
def test_the_trail_names_a_contact_by_id_so_nothing_of_an_erased_person_stays_in_it(api):
    world = _world("open", link=True)
    assert api.post(f"/api/assignments/{world.a}/resend/", {"contact": world.c}).status_code == 200
    assert api.post("/api/access-links/", {"assignment": world.a, "contact": world.c}).status_code == 201
    assert api.post(f"/api/contacts/{world.c}/erase/").status_code == 200
    assert AuditEvent.objects.count() == 3
    for event in AuditEvent.objects.all():
        written = f"{event.target} {event.detail}"
        assert "anna@example.se" not in written and "Anna Berg" not in written
