"""A respondent in real Chromium, keyboard only: open a demo link, answer every section, autosave, reload,
submit, see the receipt; axe-core finds no WCAG 2.1 A/AA violation on the pages on the way."""

import os
import re
import shutil

import pytest

from tests.conftest import IN_CI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _browser_missing():
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "playwright/axe-playwright-python not installed (make browser-deps)"
    if not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (make browser-deps)"
    return None


@pytest.fixture
def page(live_server):
    missing = _browser_missing()
    if missing:
        if IN_CI:
            pytest.fail(f"browser test cannot run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="sv-SE")
        tab = context.new_page()
        tab.set_default_timeout(15000)
        yield tab
        browser.close()
        # ORM calls made while Playwright's loop runs get their own connections (asgiref keys them by
        # context): close them here, or PostgreSQL cannot drop the test database afterwards.
        from django.db import connections

        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def assert_accessible(tab, what):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG}})
    violations = results.response["violations"]
    assert not violations, f"{what}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


def active(tab):
    return tab.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(), type: e.type || '',
        name: e.name || '', value: e.value || '', checked: !!e.checked, text: (e.textContent || '').trim(),
        inputmode: e.inputMode || ''}; }"""
    )


def tab_to(tab, matches, limit=400):
    for _ in range(limit):
        tab.keyboard.press("Tab")
        element = active(tab)
        if matches(element):
            return element
    raise AssertionError("never reached the element by keyboard")


BREAKDOWN = {"flickor": "1", "pojkar": "2", "kvinnor": "3", "man": "4", "total": "10"}


def fill_by_keyboard(tab):
    """Tab through the section's fields up to "Spara utkast", answering every empty one."""
    chosen = set()
    while True:
        tab.keyboard.press("Tab")
        e = active(tab)
        if e["tag"] == "button":
            return
        if e["name"].startswith("confirm_"):
            if not e["checked"]:
                tab.keyboard.press("Space")
        elif e["type"] == "radio":
            # Tab lands on the group's checked radio, or its first when none is checked.
            if not e["checked"]:
                tab.keyboard.press("Space")
        elif e["type"] == "checkbox":
            if e["name"] not in chosen and not tab.evaluate(
                f"() => !!document.querySelector('input[name=\"{e['name']}\"]:checked')"
            ):
                tab.keyboard.press("Space")
            chosen.add(e["name"])
        elif e["tag"] in ("input", "textarea") and not e["value"]:
            part = e["name"].split("__")[-1] if "__" in e["name"] else None
            if part:
                tab.keyboard.type(BREAKDOWN[part])
            elif e["inputmode"] in ("numeric", "decimal"):
                tab.keyboard.type("1")
            elif tab.evaluate(
                "() => document.activeElement.getAttribute('aria-describedby') || ''"
            ).startswith("fmt_"):
                tab.keyboard.type("2025-06-30")
            else:
                tab.keyboard.type("Svar skrivet med tangentbordet")


def press_button(tab, label):
    tab.evaluate("() => document.activeElement.blur()")
    tab.keyboard.press("Home")
    tab_to(tab, lambda e: e["tag"] == "button" and e["text"] == label)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def test_respondent_answers_the_demo_questionnaire_by_keyboard(page, live_server):
    from surveys.demo import load_demo
    from surveys.models import Answer, Response
    from surveys.services.tokens import issue_token

    world = load_demo()
    assignment = (
        world["current_round"]
        .assignments.filter(response__state="draft", response__answers__isnull=True)
        .select_related("organisation")
        .first()
    )
    contact = assignment.organisation.contacts.order_by("email").first()
    raw = issue_token(assignment=assignment, contact=contact)
    tab = page

    tab.goto(f"{live_server.url}/l/{raw}/")
    assert raw not in tab.url and tab.url.endswith(f"/enkat/{assignment.pk}/")
    assert assignment.organisation.name in tab.content()
    assert_accessible(tab, "start page")

    # Into section 1 by keyboard.
    tab_to(tab, lambda e: e["tag"] == "a" and e["text"] == "Börja svara")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "avsnitt/1/" in tab.url

    # A wrong number shows the error summary and an inline error: also checked by axe.
    number_field = tab.locator("input[inputmode=numeric], input[inputmode=decimal]").first
    number_name = number_field.get_attribute("name")
    number_field.focus()
    tab.keyboard.press("Control+A")
    tab.keyboard.type("inte ett tal")
    press_button(tab, "Spara utkast")
    assert tab.locator("#error-summary").is_visible()
    assert tab.locator(f"#err_{number_name}").is_visible()
    assert tab.evaluate("() => document.activeElement.id") == "error-summary"
    assert_accessible(tab, "section page with errors")
    tab.locator(f"[name={number_name}]").focus()
    tab.keyboard.press("Control+A")
    tab.keyboard.type("1")

    # Autosave: a change is saved by the script without pressing any button.
    version_before = Response.objects.get(pk=assignment.response.pk).version
    tab.locator(f"[name={number_name}]").focus()
    tab.keyboard.press("Tab")  # leaving the field saves at once
    tab.wait_for_function(
        "() => /sparades automatiskt/.test(document.querySelector('.autosave-status').textContent)"
    )
    assert Response.objects.get(pk=assignment.response.pk).version > version_before

    sections = int(re.search(r"Avsnitt 1 av (\d+)", tab.content()).group(1))
    for number in range(1, sections + 1):
        assert f"avsnitt/{number}/" in tab.url
        # Twice: saving may show conditional questions that the first answers opened.
        for _ in range(2):
            tab.evaluate("() => document.activeElement.blur()")
            tab.keyboard.press("Home")
            fill_by_keyboard(tab)
            press_button(tab, "Spara utkast")
        if number == 1:
            tab.reload()
            assert tab.locator(f"[name={number_name}]").input_value() == "1"
        last = "Spara och granska" if number == sections else "Spara och fortsätt"
        press_button(tab, last)

    assert tab.url.endswith("/granska/")
    assert "Alla obligatoriska frågor är besvarade" in tab.content(), tab.locator("main").inner_text()
    assert_accessible(tab, "review page")
    tab_to(tab, lambda e: e["name"] == "confirm")
    tab.keyboard.press("Space")
    tab_to(tab, lambda e: e["tag"] == "button" and e["text"] == "Skicka in")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")

    assert tab.url.endswith("/kvitto/")
    assert "Kvitto" in tab.content() and "Svar skrivet med tangentbordet" in tab.content()
    assert_accessible(tab, "receipt page")
    response = Response.objects.get(pk=assignment.response.pk)
    assert response.state == Response.State.SUBMITTED and response.submitted_by == contact
    assert not Answer.objects.filter(response=response, prefilled=True).exists()
