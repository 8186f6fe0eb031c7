"""The accessibility statement and the personal-data notice in real Chromium: reached by keyboard from
the footer of a respondent page and of the results page, and free of WCAG 2.1 A/AA violations (axe)."""

import pytest

from tests.test_browser_questionnaire import assert_accessible, page, tab_to  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = "Tillgänglighetsredogörelse"
NOTICE = "Så behandlar vi personuppgifter"


def follow_by_keyboard(tab, text):
    tab.evaluate("() => document.activeElement.blur()")
    tab_to(tab, lambda e: e["tag"] == "a" and e["text"] == text)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def visit_both_from(tab, url):
    for text, path, heading in (
        (STATEMENT, "/tillganglighet/", "Tillgänglighet för Årsrunda"),
        (NOTICE, "/personuppgifter/", "Så behandlar vi personuppgifter i Årsrunda"),
    ):
        tab.goto(url)
        follow_by_keyboard(tab, text)
        assert tab.url.endswith(path), tab.url
        assert tab.locator("h1").inner_text() == heading
        assert_accessible(tab, f"{path} (from {url})")


def test_statement_and_notice_are_reached_by_keyboard_and_pass_axe(page, live_server):  # noqa: F811
    from surveys.demo import load_demo
    from surveys.services.tokens import issue_token

    world = load_demo()
    assignment = world["current_round"].assignments.select_related("organisation").first()
    contact = assignment.organisation.contacts.order_by("email").first()
    raw = issue_token(assignment=assignment, contact=contact)
    tab = page
    tab.goto(f"{live_server.url}/l/{raw}/")
    overview = tab.url
    assert overview.endswith(f"/enkat/{assignment.pk}/")
    # The coordinator's contact is on the respondent page, and the page with it passes axe.
    coordinator = world["current_round"].coordinator_contact()
    assert coordinator["email"] in tab.locator(".coordinator").inner_text()
    assert_accessible(tab, "overview with the coordinator's contact")

    visit_both_from(tab, overview)
    visit_both_from(tab, f"{live_server.url}/enkat/resultat/")
    tab.goto(f"{live_server.url}/enkat/resultat/")
    assert_accessible(tab, "results page with footer and coordinator")

    # On paper the page keeps the coordinator and drops the skip link and the footer's links.
    tab.goto(overview)
    tab.emulate_media(media="print")
    assert tab.locator(".coordinator").is_visible()
    assert not tab.locator(".footer-links").is_visible()
    assert not tab.locator(".skip-link").is_visible() or tab.locator(".skip-link").bounding_box() is None
