"""One contact in two tabs (or a forwarded link in two browsers): a save on an older version than the stored
one is a conflict with both values, whoever made the newer change; a version the response never had is
refused; a page's own autosaves never conflict with themselves."""

import re

import pytest
from django.test import Client

from surveys.models import Answer, ResponseRevision
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1, title="Organisation")
    factories.QuestionFactory(section=section, code="PLAN", order=1, text="Finns en plan?")
    factories.QuestionFactory(section=section, code="POLICY", order=2, text="Finns en policy?")
    contact = factories.ContactFactory(organisation=assignment.organisation, name="Alice Andersson")
    return assignment, contact


def browser(assignment, contact):
    client = Client()
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
    return client


def section_url(assignment):
    return f"/enkat/{assignment.pk}/avsnitt/1/"


def loaded_tab(client, assignment):
    """The hidden fields of a freshly loaded section page: what one tab posts back."""
    html = client.get(section_url(assignment)).content.decode()
    return {
        "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "page": re.search(r'name="page" value="([^"]+)"', html).group(1),
    }


def stored(assignment):
    return dict(Answer.objects.filter(response=assignment.response).values_list("question__code", "value"))


def test_same_contact_in_two_tabs_gets_a_conflict_with_both_values(world):
    assignment, alice = world
    client = browser(assignment, alice)
    tab_one, tab_two = loaded_tab(client, assignment), loaded_tab(client, assignment)
    assert tab_one["page"] != tab_two["page"]
    client.post(section_url(assignment), {**tab_one, "q_PLAN": "ja"})
    page = client.post(section_url(assignment), {**tab_two, "q_PLAN": "nej"})
    html = page.content.decode()
    assert "Svar har ändrats medan du svarade" in html
    assert re.search(r"Svaret har ändrats till <strong>Ja</strong>.*Ditt svar: <strong>Nej</strong>", html)
    assert stored(assignment) == {"PLAN": "ja"}


def test_same_contact_in_two_tabs_autosaving_gets_a_409(world):
    assignment, alice = world
    client = browser(assignment, alice)
    tab_one, tab_two = loaded_tab(client, assignment), loaded_tab(client, assignment)
    first = client.post(section_url(assignment), {**tab_one, "q_PLAN": "ja"}, HTTP_X_AUTOSAVE="1")
    second = client.post(section_url(assignment), {**tab_two, "q_PLAN": "nej"}, HTTP_X_AUTOSAVE="1")
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["conflicts"] == ["PLAN"]
    assert stored(assignment) == {"PLAN": "ja"}


def test_a_pages_own_autosaves_never_conflict_with_themselves(world):
    """Autosave posts the version the page was loaded with, again and again: the same page load may
    change its own answer as often as it likes."""
    assignment, alice = world
    client = browser(assignment, alice)
    tab = loaded_tab(client, assignment)
    for value in ("ja", "nej", "ja"):
        saved = client.post(section_url(assignment), {**tab, "q_PLAN": value}, HTTP_X_AUTOSAVE="1")
        assert saved.status_code == 200 and saved.json()["conflicts"] == []
    assert stored(assignment) == {"PLAN": "ja"}


def test_a_future_version_on_the_page_is_refused_and_keeps_what_was_typed(world):
    assignment, alice = world
    colleague = browser(assignment, factories.ContactFactory(organisation=assignment.organisation))
    colleague.post(section_url(assignment), {**loaded_tab(colleague, assignment), "q_PLAN": "ja"})
    client = browser(assignment, alice)
    tab = loaded_tab(client, assignment)
    page = client.post(section_url(assignment), {**tab, "version": "99", "q_PLAN": "nej", "q_POLICY": "ja"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Sidan bygger på en version av svaren som inte finns" in html
    assert re.search(r'value="nej"[^>]*checked', html)  # what was typed stays
    assert stored(assignment) == {"PLAN": "ja"}
    assert ResponseRevision.objects.filter(response=assignment.response).count() == 1


@pytest.mark.parametrize("version", ["", "x", "-1", "2"])
def test_a_page_without_a_version_the_response_had_saves_nothing(world, version):
    assignment, alice = world
    client = browser(assignment, alice)
    tab = loaded_tab(client, assignment)
    autosave = client.post(
        section_url(assignment), {**tab, "version": version, "q_PLAN": "nej"}, HTTP_X_AUTOSAVE="1"
    )
    assert autosave.status_code == 400 and "inte finns" in autosave.json()["error"]
    assert stored(assignment) == {}


def api(assignment):
    return f"/api/respondent/assignments/{assignment.pk}/answers/"


def test_same_contact_saving_twice_over_the_api_on_one_version_gets_a_409(world):
    assignment, alice = world
    one, two = browser(assignment, alice), browser(assignment, alice)
    first = one.post(api(assignment), {"version": 0, "answers": {"PLAN": "ja"}}, "application/json")
    second = two.post(api(assignment), {"version": 0, "answers": {"PLAN": "nej"}}, "application/json")
    assert first.status_code == 200
    assert second.status_code == 409 and second.json()["conflicts"] == [
        {"code": "PLAN", "theirs": "ja", "mine": "nej"}
    ]
    assert stored(assignment) == {"PLAN": "ja"}


@pytest.mark.parametrize("version", [2, 1000])
def test_a_future_version_over_the_api_is_refused(world, version):
    """A client that sent a version ahead of the stored one used to skip the check and overwrite a
    colleague's newer answer."""
    assignment, alice = world
    colleague = browser(assignment, factories.ContactFactory(organisation=assignment.organisation))
    colleague.post(api(assignment), {"version": 0, "answers": {"PLAN": "ja"}}, "application/json")
    refused = browser(assignment, alice).post(
        api(assignment), {"version": version, "answers": {"PLAN": "nej"}}, "application/json"
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "version": ["Sidan bygger på en version av svaren som inte finns. Ladda om sidan och försök igen."]
    }
    assert stored(assignment) == {"PLAN": "ja"}


def test_the_respondent_api_sets_the_csrf_cookie_a_client_can_save_with(world):
    """An API client opens the link, reads the questionnaire and saves with the CSRF cookie that read set,
    without scraping a page for a token."""
    assignment, alice = world
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=alice)}/").status_code == 302
    client.cookies.pop("csrftoken", None)
    read = client.get(f"/api/respondent/assignments/{assignment.pk}/")
    assert read.status_code == 200 and "csrftoken" in read.cookies
    token = read.cookies["csrftoken"].value
    refused = client.post(api(assignment), {"version": 0, "answers": {"PLAN": "ja"}}, "application/json")
    assert refused.status_code == 403
    saved = client.post(
        api(assignment), {"version": 0, "answers": {"PLAN": "ja"}}, "application/json", HTTP_X_CSRFTOKEN=token
    )
    assert saved.status_code == 200 and stored(assignment) == {"PLAN": "ja"}
