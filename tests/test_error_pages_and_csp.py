"""Error pages in Swedish and in the site's look, JSON errors under /api/, and a Content-Security-Policy
on every response."""

import pytest
from django.test import Client, RequestFactory

from surveys import views_errors

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_swedish_page_in_the_sites_look(client):
    page = client.get("/finns-inte/")
    html = page.content.decode()
    assert page.status_code == 404 and "Sidan finns inte" in html and "site.css" in html
    assert 'lang="sv"' in html and "Not Found" not in html


def test_a_bad_request_is_a_swedish_page():
    page = Client(HTTP_HOST="angripare.example").get("/")
    assert page.status_code == 400 and "Begäran kunde inte läsas" in page.content.decode()


@pytest.mark.parametrize(
    "handler,status,text",
    [
        (lambda r: views_errors.permission_denied(r, Exception()), 403, "Du har inte behörighet"),
        (views_errors.server_error, 500, "Något gick fel hos oss"),
    ],
)
def test_forbidden_and_server_error_pages_are_swedish(handler, status, text):
    page = handler(RequestFactory().get("/enkat/"))
    assert page.status_code == status and text in page.content.decode()


def test_the_server_error_page_renders_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Något gick fel hos oss" in html and "site.css" in html


def test_api_errors_stay_json_in_swedish(client):
    missing = client.get("/api/finns-inte/")
    assert missing.status_code == 404 and missing.json() == {"detail": "Hittades inte."}
    broken = views_errors.server_error(RequestFactory().get("/api/rounds/"))
    assert broken.status_code == 500 and broken["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/enkat/resultat/",
        "/l/ogiltig-lank/",
        "/admin/login/",
        "/api/docs/",
        "/api/schema/",
        "/finns-inte/",
        "/healthz/live",
        "/api/rounds/",
    ],
)
def test_every_response_has_a_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_questionnaire_pages_keep_their_own_policy():
    from surveys.views_answer import CSP

    assert "style-src 'self';" in CSP  # unchanged: no inline style there


def test_api_docs_load_their_script_from_our_origin(client):
    html = client.get("/api/docs/").content.decode()
    assert "?script" in html or "script_url" not in html
    assert client.get("/api/docs/?script").status_code == 200
