"""The API documentation works without internet: Swagger UI and ReDoc come from the project's own static
files. A real Chromium that may reach nothing but the test server lists the operations."""

import pytest

from tests.test_browser_questionnaire import page  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def offline(tab, server_url):
    """Abort every request that leaves the test server; returns the list of what was tried."""
    tried = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server_url):
            request_route.continue_()
        else:
            tried.append((request_route.request.resource_type, url))
            request_route.abort()

    tab.route("**/*", route)
    return tried


def test_swagger_ui_lists_the_operations_with_no_request_outside_the_server(page, live_server):  # noqa: F811
    tried = offline(page, live_server.url)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", state="attached")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) > 50
    assert any("/api/respondent/assignments/" in p and "answers" in p for p in paths)
    # Nothing the page needs (scripts, styles, fonts, images) was asked of another host.
    assert [t for t in tried if t[0] in ("script", "stylesheet", "font", "image")] == []


def test_redoc_renders_the_api_with_no_request_outside_the_server(page, live_server):  # noqa: F811
    tried = offline(page, live_server.url)
    page.goto(f"{live_server.url}/api/redoc/")
    page.set_default_timeout(60000)  # ReDoc renders the whole schema before it shows anything
    page.get_by_text("Save answers as a draft, based on a version").first.wait_for(state="attached")
    # Scripts, styles and fonts come from this server. (ReDoc's own "API docs by Redocly" footer logo is
    # an image it links to its CDN; blocked, the link shows its text.)
    assert [t for t in tried if t[0] in ("script", "stylesheet", "font")] == []
