"""The respondents' pages: magic links, one page per section, errors, conflicts, review, submit, receipt."""

import logging
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import AccessToken, Answer, QuestionType, Response, SurveyRound
from surveys.services import responses
from surveys.services.tokens import hash_token, issue_token
from surveys.views import GUESS_KEY
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_failed_links():
    """The guessing counter lives in the shared cache: reset only its own keys (never flush the cache,
    which may be a Redis database shared with the broker)."""
    keys = [GUESS_KEY.format(address) for address in ("127.0.0.1", "10.0.0.9")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def questionnaire():
    """An open round with two sections: yes/no with a conditional integer, then a required text."""
    assignment = factories.AssignmentFactory()
    version = assignment.round.version
    first = factories.SectionFactory(version=version, order=1, title="Organisation")
    second = factories.SectionFactory(version=version, order=2, title="Övrigt")
    has_plan = factories.QuestionFactory(
        section=first, code="PLAN", order=1, text="Finns en plan?", required=True
    )
    count = factories.QuestionFactory(
        section=first,
        code="ANTAL",
        order=2,
        type=QuestionType.INTEGER,
        text="Hur många åtgärder?",
        min_value=0,
        max_value=100,
        required=True,
        condition_question=has_plan,
        condition_operator="equals",
        condition_value="ja",
    )
    comment = factories.QuestionFactory(
        section=second,
        code="KOMMENTAR",
        order=1,
        type=QuestionType.TEXT,
        text="Kommentar",
        required=True,
        max_length=20,
    )
    contact = factories.ContactFactory(organisation=assignment.organisation, name="Alice Andersson")
    return {
        "assignment": assignment,
        "contact": contact,
        "plan": has_plan,
        "count": count,
        "comment": comment,
    }


def open_link(client, assignment, contact):
    raw = issue_token(assignment=assignment, contact=contact)
    page = client.get(f"/l/{raw}/")
    assert page.status_code == 302
    return raw, page


def url(assignment, tail=""):
    return f"/enkat/{assignment.pk}/{tail}"


def test_link_opens_a_session_and_redirects_to_a_token_free_url(client, questionnaire):
    a = questionnaire["assignment"]
    raw, page = open_link(client, a, questionnaire["contact"])
    assert page["Location"] == url(a) and raw not in page["Location"]
    assert page["Referrer-Policy"] == "no-referrer"
    overview = client.get(page["Location"])
    html = overview.content.decode()
    assert a.organisation.name in html and "Alice Andersson" in html
    assert "Organisation" in html and "0 av 1" in html  # progress per section (the conditional is hidden)
    assert overview["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert raw not in html
    # Only the hash is stored.
    assert AccessToken.objects.filter(token_hash=hash_token(raw)).exists()
    assert not AccessToken.objects.filter(token_hash=raw).exists()


def test_a_get_of_the_link_changes_no_answer(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    response = Response.objects.get(assignment=a)
    assert (response.state, response.version) == ("draft", 0)
    a.refresh_from_db()
    assert a.first_opened_at is None
    assert AccessToken.objects.get(assignment=a).last_used_at is None
    # The first save is a human action: now the link counts as used and the assignment as opened.
    client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja"})
    a.refresh_from_db()
    assert a.first_opened_at is not None
    assert AccessToken.objects.get(assignment=a).last_used_at is not None


@pytest.mark.parametrize(
    "change,status,text",
    [
        (lambda t, a: AccessToken.objects.filter(pk=t.pk).update(revoked_at=timezone.now()), 403, "spärrats"),
        (
            lambda t, a: SurveyRound.objects.filter(pk=a.round_id).update(
                deadline=timezone.now() - timedelta(days=30), opens_at=timezone.now() - timedelta(days=60)
            ),
            410,
            "slutat gälla",
        ),
    ],
    ids=["revoked", "expired"],
)
def test_revoked_or_expired_link_says_whom_to_contact(client, questionnaire, change, status, text, caplog):
    a = questionnaire["assignment"]
    coordinator = factories.UserFactory(
        username="sara", first_name="Sara", last_name="Samordnare", email="sara@stad.se"
    )
    SurveyRound.objects.filter(pk=a.round_id).update(created_by=coordinator)
    raw = issue_token(assignment=a, contact=questionnaire["contact"])
    change(AccessToken.objects.get(token_hash=hash_token(raw)), a)
    with caplog.at_level(logging.DEBUG):
        page = client.get(f"/l/{raw}/")
    assert page.status_code == status
    html = page.content.decode()
    assert text in html and "sara@stad.se" in html and "Sara Samordnare" in html
    assert "Traceback" not in html
    assert raw not in caplog.text  # no token in the request log


def test_unknown_token_is_refused_and_guessing_is_throttled(client, questionnaire, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"magic_link": "3/min"}}
    raw = issue_token(assignment=questionnaire["assignment"], contact=questionnaire["contact"])
    for i in range(3):
        assert client.get(f"/l/gissning{i}/").status_code == 403
    # Past the limit another guess from this address is refused for a while; the right link still works.
    page = client.get("/l/gissning-igen/")
    assert page.status_code == 429 and "För många" in page.content.decode()
    assert client.get(f"/l/{raw}/").status_code == 302
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get("/l/gissning-igen/").status_code == 403


def test_revoking_a_link_ends_an_open_session(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    assert client.get(url(a)).status_code == 200
    AccessToken.objects.filter(assignment=a).update(revoked_at=timezone.now())
    page = client.get(url(a))
    assert page.status_code == 403 and "spärrats" in page.content.decode()


def test_respondent_of_another_organisation_gets_404(client, questionnaire):
    a = questionnaire["assignment"]
    other = factories.AssignmentFactory(round=a.round)
    open_link(client, other, factories.ContactFactory(organisation=other.organisation))
    assert client.get(url(a)).status_code == 404
    assert client.get(url(a, "avsnitt/1/")).status_code == 404
    assert client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja"}).status_code == 404
    assert client.post(url(a, "granska/"), {"confirm": "yes"}).status_code == 404
    assert not Answer.objects.filter(response__assignment=a).exists()


def test_no_session_gets_a_page_saying_to_open_the_link(client, questionnaire):
    page = client.get("/enkat/")
    assert page.status_code == 403 and "personliga länken" in page.content.decode()


def test_bad_input_shows_inline_error_with_summary_and_keeps_what_was_typed(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    Answer.objects.create(response=a.response, question=questionnaire["plan"], value="ja")
    page = client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja", "q_ANTAL": "tolv"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'href="#id_q_ANTAL"' in html  # the summary links to the field
    assert 'id="err_q_ANTAL"' in html and "Ange ett heltal, till exempel 12." in html
    assert 'value="tolv"' in html and 'aria-invalid="true"' in html
    assert "<title>Fel:" in html


def test_conditional_question_appears_after_saving_and_hidden_answers_are_ignored(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    assert "q_ANTAL" not in client.get(url(a, "avsnitt/1/")).content.decode()
    client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja", "action": "save"})
    assert "q_ANTAL" in client.get(url(a, "avsnitt/1/")).content.decode()
    # "nej" hides the count: a value typed into it is not stored, and it is not missing either.
    client.post(url(a, "avsnitt/1/"), {"version": 1, "q_PLAN": "nej", "q_ANTAL": "5"})
    assert not Answer.objects.filter(response=a.response, question=questionnaire["count"]).exists()
    review = client.get(url(a, "granska/")).content.decode()
    assert "Hur många åtgärder?" not in review and "Kommentar" in review


def test_save_draft_next_and_whole_flow_to_receipt(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    page = client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "nej", "action": "next"})
    assert page["Location"] == url(a, "avsnitt/2/")
    page = client.post(url(a, "avsnitt/2/"), {"version": 1, "q_KOMMENTAR": "Bra år", "action": "next"})
    assert page["Location"] == url(a, "granska/")
    review = client.get(url(a, "granska/")).content.decode()
    assert "Alla obligatoriska frågor är besvarade" in review
    unconfirmed = client.post(url(a, "granska/"), {})
    assert unconfirmed.status_code == 400 and "Kryssa i rutan" in unconfirmed.content.decode()
    done = client.post(url(a, "granska/"), {"confirm": "yes"})
    assert done["Location"] == url(a, "kvitto/")
    receipt = client.get(done["Location"]).content.decode()
    assert "Kvitto" in receipt and "Bra år" in receipt and "Nej" in receipt and "Alice Andersson" in receipt
    # A second tab submitting again makes no second submission.
    again = client.post(url(a, "granska/"), {"confirm": "yes"})
    assert again["Location"] == url(a, "kvitto/")
    assert a.response.revisions.filter(action="submit").count() == 1
    # The receipt is read-only: sections redirect to it and posts change nothing.
    assert client.get(url(a, "avsnitt/1/"))["Location"] == url(a, "kvitto/")
    client.post(url(a, "avsnitt/2/"), {"version": 3, "q_KOMMENTAR": "Ändrat"})
    assert Answer.objects.get(response=a.response, question=questionnaire["comment"]).value == "Bra år"


def test_review_lists_unanswered_required_questions_with_links(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    html = client.get(url(a, "granska/")).content.decode()
    assert f'href="{url(a, "avsnitt/1/")}#id_q_PLAN"' in html and "Kommentar" in html
    assert "Skicka in" not in re.sub(r"Granska och skicka in", "", html)


def test_reopened_response_can_be_edited_again(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    Response.objects.filter(pk=a.response.pk).update(state="submitted", submitted_at=timezone.now())
    assert client.get(url(a, "avsnitt/1/")).status_code == 302
    responses.reopen_response(response=Response.objects.get(pk=a.response.pk))
    page = client.get(url(a, "avsnitt/1/"))
    assert page.status_code == 200 and "Spara utkast" in page.content.decode()


def test_two_browsers_of_colleagues_see_a_conflict_and_keep_both_values(questionnaire):
    a = questionnaire["assignment"]
    bob = factories.ContactFactory(organisation=a.organisation, name="Bob")
    alice_browser, bob_browser = Client(), Client()
    open_link(alice_browser, a, questionnaire["contact"])
    open_link(bob_browser, a, bob)
    # Both have loaded version 0; Alice saves "ja", then Bob saves "nej" from his stale page.
    alice_browser.post(url(a, "avsnitt/2/"), {"version": 0, "q_KOMMENTAR": "Alices text"})
    page = bob_browser.post(url(a, "avsnitt/2/"), {"version": 0, "q_KOMMENTAR": "Bobs text"})
    html = page.content.decode()
    assert "Svar har ändrats medan du svarade" in html
    assert "Alices text" in html and "Bobs text" in html  # both values on the page
    assert Answer.objects.get(response=a.response).value == "Alices text"
    # Bob decides for his own value with the version the page now carries.
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    bob_browser.post(url(a, "avsnitt/2/"), {"version": version, "q_KOMMENTAR": "Bobs text"})
    assert Answer.objects.get(response=a.response).value == "Bobs text"


def test_autosave_answers_json_with_the_new_version(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    saved = client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja"}, HTTP_X_AUTOSAVE="1")
    assert saved.status_code == 200 and saved.json() == {
        "version": 1,
        "saved": ["PLAN"],
        "errors": {},
        "conflicts": [],
    }
    colleague = Client()
    open_link(colleague, a, factories.ContactFactory(organisation=a.organisation))
    stale = colleague.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "nej"}, HTTP_X_AUTOSAVE="1")
    assert stale.status_code == 409 and stale.json()["conflicts"] == ["PLAN"]


def test_section_page_sets_a_strict_csp_and_loads_script_from_a_file(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    page = client.get(url(a, "avsnitt/1/"))
    assert "script-src 'self'" in page["Content-Security-Policy"]
    html = page.content.decode()
    assert "autosave.js" in html and "<script>" not in html


def test_section_page_query_count_does_not_grow_with_questions(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    section = questionnaire["plan"].section

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(a, "avsnitt/1/")).status_code == 200
        return len(queries)

    few = count()
    for i in range(30):
        question = factories.QuestionFactory(
            section=section, code=f"EXTRA_{i}", order=10 + i, type=QuestionType.SINGLE
        )
        factories.OptionFactory(question=question, code="x")
        factories.OptionFactory(question=question, code="y")
        Answer.objects.create(response=a.response, question=question, value="x")
    assert count() == few <= 8


def test_log_lines_never_show_a_magic_link_token():
    from backend.logging import RedactTokensFilter

    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"GET /l/%s/ HTTP/1.1" 302 0', ("abcDEF_123",), None
    )
    RedactTokensFilter().filter(record)
    assert "abcDEF_123" not in record.getMessage() and "/l/[dold]" in record.getMessage()


def test_coordinator_reads_who_changed_what_in_the_admin(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja"})
    admin = Client()
    admin.force_login(factories.UserFactory(username="adm", role="admin", is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/surveys/response/{a.response.pk}/change/").content.decode()
    assert "Alice Andersson" in page and "PLAN" in page and "save" in page


def test_conflict_page_shows_a_colleagues_untouched_change_not_the_stale_value(questionnaire):
    """After a conflict the form must not carry the user's stale copy of answers a colleague changed and
    the user did not touch, or the next save would undo the colleague's work."""
    a = questionnaire["assignment"]
    factories.QuestionFactory(
        section=questionnaire["plan"].section, code="NAMN", order=3, type=QuestionType.TEXT, text="Namn"
    )
    bob = factories.ContactFactory(organisation=a.organisation, name="Bob")
    alice_browser, bob_browser = Client(), Client()
    open_link(alice_browser, a, questionnaire["contact"])
    open_link(bob_browser, a, bob)
    alice_browser.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja", "q_NAMN": "Alice"})
    # Bob's page is from version 0: PLAN untouched (empty), NAMN typed.
    page = bob_browser.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "", "q_NAMN": "Bob"})
    html = page.content.decode()
    assert 'id="con_q_NAMN"' in html and ">Bob</textarea>" in html  # his value stays in the field
    assert 'value="ja" checked' in html  # Alice's PLAN, not Bob's stale empty choice
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    bob_browser.post(url(a, "avsnitt/1/"), {"version": version, "q_PLAN": "ja", "q_NAMN": "Bob"})
    assert Answer.objects.get(question=questionnaire["plan"]).value == "ja"


def test_an_answer_kept_while_hidden_comes_back_when_the_question_is_shown_again(client, questionnaire):
    a = questionnaire["assignment"]
    open_link(client, a, questionnaire["contact"])
    client.post(url(a, "avsnitt/1/"), {"version": 0, "q_PLAN": "ja"})
    client.post(url(a, "avsnitt/1/"), {"version": 1, "q_PLAN": "ja", "q_ANTAL": "5"})
    client.post(url(a, "avsnitt/1/"), {"version": 2, "q_PLAN": "nej"})  # the count is hidden now
    client.post(url(a, "avsnitt/1/"), {"version": 3, "q_PLAN": "ja"})  # the page had no count field
    assert Answer.objects.get(response=a.response, question=questionnaire["count"]).value == 5
    assert 'value="5"' in client.get(url(a, "avsnitt/1/")).content.decode()
