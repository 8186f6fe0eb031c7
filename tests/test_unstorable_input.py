"""Input that cannot be stored or parsed: NUL and lone surrogates in any text, and request bodies nested
too deeply. Each gets a Swedish 400 that keeps what else was typed; never a server error."""

import json

import pytest
from django.test import Client

from exports.sheets import cell_text
from surveys.models import Answer, Organisation, QuestionType
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db
UNSTORABLE = "inte kan sparas"


@pytest.fixture
def texts():
    """An open round whose only section asks two text questions."""
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1, title="Text")
    factories.QuestionFactory(
        section=section, code="KOMMENTAR", order=1, type=QuestionType.TEXT, text="Kommentar"
    )
    factories.QuestionFactory(section=section, code="OVRIGT", order=2, type=QuestionType.TEXT, text="Övrigt")
    contact = factories.ContactFactory(organisation=assignment.organisation)
    client = Client()
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
    return assignment, client


def answers(assignment):
    return dict(Answer.objects.filter(response__assignment=assignment).values_list("question__code", "value"))


def test_nul_in_answer_is_a_swedish_400_and_keeps_the_page(texts):
    assignment, client = texts
    page = client.post(
        f"/enkat/{assignment.pk}/avsnitt/1/",
        {"version": 0, "q_KOMMENTAR": "Bra\x00 plan", "q_OVRIGT": "Resten av sidan"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert UNSTORABLE in html and 'id="err_q_KOMMENTAR"' in html
    assert "Resten av sidan" in html and "Bra" in html  # what was typed is on the page again
    assert answers(assignment) == {"OVRIGT": "Resten av sidan"}  # the valid answer is saved


def test_nul_in_autosave_is_an_error_for_that_question_only(texts):
    assignment, client = texts
    saved = client.post(
        f"/enkat/{assignment.pk}/avsnitt/1/",
        {"version": 0, "q_KOMMENTAR": "a\x00", "q_OVRIGT": "ok"},
        HTTP_X_AUTOSAVE="1",
    )
    assert saved.status_code == 200
    assert UNSTORABLE in saved.json()["errors"]["KOMMENTAR"] and saved.json()["saved"] == ["OVRIGT"]


@pytest.mark.parametrize("text", ["a\\u0000b", "\\ud800", "x\\udfffy"], ids=["nul", "surrogate", "low"])
def test_unstorable_text_in_an_api_answer_is_a_swedish_400_naming_the_question(texts, text):
    assignment, client = texts
    body = '{"version": 0, "answers": {"KOMMENTAR": "' + text + '", "OVRIGT": "ok"}}'
    reply = client.post(
        f"/api/respondent/assignments/{assignment.pk}/answers/", body, content_type="application/json"
    )
    assert reply.status_code == 400
    assert UNSTORABLE in reply.json()["answers"]["KOMMENTAR"][0]
    assert answers(assignment) == {}


@pytest.mark.parametrize("field", ["name", "short_name"])
def test_unstorable_text_in_a_staff_name_is_a_swedish_400(api, field):
    body = {"name": "Skolförvaltningen", "kind": "forvaltning", field: "Skol\u0000"}
    reply = api.post("/api/organisations/", body, format="json")
    assert reply.status_code == 400 and UNSTORABLE in reply.json()[field][0]
    surrogate = '{"name": "Skol\\ud83d", "kind": "forvaltning"}'
    reply = api.post("/api/organisations/", surrogate, content_type="application/json")
    assert reply.status_code == 400 and UNSTORABLE in reply.json()["name"][0]
    assert not Organisation.objects.exists()


def test_unstorable_text_in_a_form_encoded_api_body_is_refused(api):
    reply = api.post("/api/organisations/", {"name": "A\x00", "kind": "forvaltning"}, format="multipart")
    assert reply.status_code == 400 and UNSTORABLE in reply.json()["name"][0]


def test_imported_cells_lose_only_the_characters_that_cannot_be_stored():
    assert cell_text(" Plan\x00 för\ud800 barn ") == "Plan för barn"


def test_a_surrogate_in_a_login_name_is_a_400_not_a_server_error(db):
    body = '{"username": "a\\ud800", "password": "x"}'
    reply = Client().post("/api/auth/token/", body, content_type="application/json")
    assert reply.status_code == 400


# --------------------------------------------------------------------------------------------------
# Deeply nested bodies
# --------------------------------------------------------------------------------------------------

DEEP = {
    "2 KB": "[" * 1000 + "]" * 1000,
    "50,000": "[" * 50000 + "]" * 50000,
    "objects": '{"a":' * 900 + "1" + "}" * 900,
}


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_deeply_nested_json_is_a_swedish_400_even_before_login(db, body):
    reply = Client().post("/api/auth/token/", body, content_type="application/json")
    assert reply.status_code == 400 and reply.json()


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_deeply_nested_json_is_a_swedish_400_on_staff_and_respondent_endpoints(api, texts, body):
    reply = api.post("/api/organisations/", body, content_type="application/json")
    assert reply.status_code == 400 and "nästlat" in reply.json()["detail"]
    assignment, client = texts
    wrapped = '{"version": 0, "answers": {"KOMMENTAR": ' + body + "}}"
    reply = client.post(
        f"/api/respondent/assignments/{assignment.pk}/answers/", wrapped, content_type="application/json"
    )
    assert reply.status_code == 400 and "nästlat" in reply.json()["detail"]


def test_json_a_few_levels_deep_is_still_accepted(api):
    reply = api.post(
        "/api/organisations/",
        json.dumps({"name": "Nivå", "kind": "forvaltning"}),
        content_type="application/json",
    )
    assert reply.status_code == 201


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/json", "{not json"),
        ("application/json", b"\xff\xfe{}"),
        ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(1200))),
        ("multipart/form-data; boundary=", "--\r\n"),
        ("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
    ],
    ids=["broken-json", "bad-encoding", "too-many-fields", "empty-boundary", "broken-multipart"],
)
def test_a_body_the_parser_cannot_read_is_a_400_with_a_message(db, content_type, body):
    reply = Client().post("/api/auth/token/", body, content_type=content_type)
    assert reply.status_code == 400
    assert reply["Content-Type"].startswith("application/json") and reply.json()


# --------------------------------------------------------------------------------------------------
# On PostgreSQL, which refuses NUL in text and jsonb (SQLite stores it): the same answers, for real
# --------------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_nul_reaches_no_postgresql_column_from_any_path(postgres, texts, api):
    assignment, client = texts
    page = client.post(
        f"/enkat/{assignment.pk}/avsnitt/1/", {"version": 0, "q_KOMMENTAR": "a\x00", "q_OVRIGT": "kvar"}
    )
    assert page.status_code == 400 and UNSTORABLE in page.content.decode()
    reply = client.post(
        f"/api/respondent/assignments/{assignment.pk}/answers/",
        '{"version": 1, "answers": {"KOMMENTAR": "b\\u0000"}}',
        content_type="application/json",
    )
    assert reply.status_code == 400
    reply = api.post(
        "/api/organisations/", '{"name": "\\u0000", "kind": "forvaltning"}', content_type="application/json"
    )
    assert reply.status_code == 400
    assert answers(assignment) == {"OVRIGT": "kvar"}
