"""The result page in a real Chromium: no accessibility violations (axe, WCAG 2.1 AA) and readable with
JavaScript switched off."""

import pytest

from surveys.services.tokens import issue_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def magic_link(live_server):
    """Loaded before the browser starts: Playwright's event loop forbids database calls in its thread."""
    from surveys.demo import load_demo

    demo = load_demo()
    assignment = demo["current_round"].assignments.get(organisation__name="Bromma")
    raw = issue_token(assignment=assignment, contact=assignment.organisation.contacts.first())
    return f"{live_server.url}/l/{raw}/"


@pytest.fixture
def browser(magic_link):
    import shutil

    executable = shutil.which("chromium")
    if not executable:
        pytest.skip("needs Debian's chromium (make browser-deps)")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=ARGS)
        yield instance
        instance.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_result_page_has_no_axe_violations(magic_link, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(magic_link)
    page.goto(magic_link.split("/l/")[0] + "/enkat/resultat/")
    assert page.locator("h1").inner_text() == "Resultat för Bromma"
    assert page.locator("table.bars caption").first.is_visible()
    assert page.locator("table.bars").first.locator("tbody tr:not(.bar-row)").count() == 6  # index + 5
    if javascript:
        results = axe_module.Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    context.close()


def test_result_bars_and_the_admin_work_under_the_content_security_policy(magic_link, browser, live_server):
    """The policy is on every response: nothing the pages need is blocked (Chromium reports each block)."""
    context = browser.new_context()
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(magic_link)
    page.goto(magic_link.split("/l/")[0] + "/enkat/resultat/")
    assert page.evaluate("document.querySelector('.bar.own').getBoundingClientRect().width") > 0
    page.goto(f"{live_server.url}/admin/login/")
    assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") != "inline"
    assert blocked == []


def _number(text):
    text = text.strip().replace(",", ".")
    return float(text) if text not in ("", "–") else None


def test_result_page_fits_375_px_and_bars_share_one_scale(magic_link, browser):
    """At a phone's 375 px the page has no horizontal scroll; in every row the larger figure draws the
    longer bar (both bars on one scale from 0 to the row's maximum), with no axe violations."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(magic_link)
    page.goto(magic_link.split("/l/")[0] + "/enkat/resultat/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("document.body.scrollWidth") <= 375
    compared = 0
    for body in page.locator("table.bars").first.locator("tbody").all():
        own, mean, maximum = (_number(t) for t in body.locator("td.num").all_inner_texts())
        box = body.locator(".scale").bounding_box()
        own_px = body.locator(".bar.own").bounding_box()["width"]
        mean_px = body.locator(".bar.mean").bounding_box()["width"]
        assert abs(own_px - box["width"] * own / maximum) <= 3
        assert abs(mean_px - box["width"] * mean / maximum) <= 3
        if abs(own - mean) >= 1:
            assert (own > mean) == (own_px > mean_px)
            compared += 1
    assert compared >= 1
    results = axe_module.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    context.close()
