"""E-mails officials can trust and respondent pages that say whom to ask: a named coordinator per round
is the Reply-To and the signature of every e-mail, and stands on every respondent page; the receipt
e-mail links the receipt; the review page shows every answer; the pages print cleanly."""

from pathlib import Path

import pytest

from surveys.models import OutboundEmail, Response, SurveyRound
from surveys.services import outbox, responses, rounds
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db
Kind = OutboundEmail.Kind
COORDINATOR = {
    "coordinator_name": "Sara Samordnare",
    "coordinator_title": "ANDTS-samordnare",
    "coordinator_email": "sara.samordnare@stad.se",
    "coordinator_phone": "08-508 000 00",
}


@pytest.fixture
def world():
    assignment = factories.AssignmentFactory(
        round__digest_to="chef@stad.se", **{f"round__{k}": v for k, v in COORDINATOR.items()}
    )
    section = factories.SectionFactory(version=assignment.round.version, order=1, title="Organisation")
    plan = factories.QuestionFactory(
        section=section, code="PLAN", order=1, text="Finns en plan?", required=True
    )
    note = factories.QuestionFactory(
        section=section, code="NOTE", order=2, type="text", text="Kommentar om planen"
    )
    contact = factories.ContactFactory(organisation=assignment.organisation, name="Alice Andersson")
    return {"assignment": assignment, "contact": contact, "plan": plan, "note": note}


def _rows(world):
    """One outbox row of every kind the service sends for the round."""
    a, contact = world["assignment"], world["contact"]
    now = a.round.opens_at
    rows = [
        outbox.invitation(
            assignment_id=a.pk, round_id=a.round_id, contact_id=contact.pk, email=contact.email, now=now
        ),
        outbox.reminder(
            assignment_id=a.pk,
            round_id=a.round_id,
            contact_id=contact.pk,
            email=contact.email,
            step=-7,
            now=now,
        ),
        OutboundEmail(
            key="link:1", kind=Kind.LINK, to_email=contact.email, contact=contact, assignment=a, round=a.round
        ),
    ]
    outbox.queue(rows)
    response = Response.objects.get(assignment=a)
    factories.AnswerFactory(response=response, question=world["plan"], value="ja")
    responses.submit_response(response=Response.objects.get(pk=response.pk), contact=contact)
    outbox.queue_receipt(response=Response.objects.get(pk=response.pk))
    outbox.queue_digest(survey_round=a.round, now=now)
    outbox.queue_results_published(survey_round=a.round, now=now)
    return list(OutboundEmail.objects.select_related(*outbox.SELECTED).order_by("pk"))


def test_every_email_kind_has_the_coordinator_as_reply_to_and_in_the_signature(world, settings):
    rows = _rows(world)
    assert {row.kind for row in rows} == {k for k, _ in Kind.choices}
    for row in rows:
        message, _ = outbox.build_message(row, raw="RAW-TOKEN")
        assert message.reply_to == ["sara.samordnare@stad.se"], row.kind
        body = message.body
        for text in ("Med vänliga hälsningar", "Sara Samordnare", "ANDTS-samordnare", "08-508 000 00"):
            assert text in body, (row.kind, text)
        assert f"{settings.SITE_URL}/personuppgifter/" in body, row.kind


def test_invitations_and_reminders_link_the_personal_data_notice(world, settings):
    settings.SITE_URL = "https://arsrunda.stad.se"
    for row in _rows(world):
        if row.kind in (Kind.INVITATION, Kind.REMINDER):
            message, _ = outbox.build_message(row, raw="RAW-TOKEN")
            assert "https://arsrunda.stad.se/personuppgifter/" in message.body


def test_the_receipt_email_links_the_receipt_page(world, settings):
    settings.SITE_URL = "https://arsrunda.stad.se"
    receipt = next(row for row in _rows(world) if row.kind == Kind.RECEIPT)
    message, _ = outbox.build_message(receipt)
    assert f"https://arsrunda.stad.se/enkat/{world['assignment'].pk}/kvitto/" in message.body
    # The body says to open the personal link first (the receipt page needs the respondent's session).
    assert "personliga länk" in message.body


def test_a_round_without_its_own_coordinator_names_its_creator_then_the_settings(settings):
    settings.COORDINATOR_TITLE = "Samordnare"
    settings.COORDINATOR_PHONE = "08-111 11 11"
    settings.COORDINATOR_EMAIL = "andts@stad.se"
    creator = factories.UserFactory(first_name="Kim", last_name="Karlsson", email="kim@stad.se")
    by_creator = factories.SurveyRoundFactory(created_by=creator)
    nobody = factories.SurveyRoundFactory()
    assert by_creator.coordinator_contact() | {} == {
        "name": "Kim Karlsson",
        "title": "Samordnare",
        "email": "kim@stad.se",
        "phone": "08-111 11 11",
        "organisation": settings.ORGANISATION_NAME,
    }
    assert nobody.coordinator_contact()["email"] == "andts@stad.se"
    # The preview a coordinator sees ends with the same signature.
    preview = rounds.preview(survey_round=by_creator)
    assert "Kim Karlsson" in preview["invitation"]["body"] and "08-111 11 11" in preview["reminder"]["body"]


def _open(client, world):
    raw = issue_token(assignment=world["assignment"], contact=world["contact"])
    assert client.get(f"/l/{raw}/").status_code == 302


def test_every_respondent_page_shows_the_coordinators_contact(client, world):
    a = world["assignment"]
    _open(client, world)
    pages = [f"/enkat/{a.pk}/", f"/enkat/{a.pk}/avsnitt/1/", f"/enkat/{a.pk}/granska/"]
    for url in pages:
        html = client.get(url).content.decode()
        for text in (
            "Sara Samordnare",
            "ANDTS-samordnare",
            "mailto:sara.samordnare@stad.se",
            "08-508 000 00",
        ):
            assert text in html, (url, text)
        assert "/tillganglighet/" in html and "/personuppgifter/" in html, url
    factories.AnswerFactory(response=a.response, question=world["plan"], value="ja")
    responses.submit_response(response=Response.objects.get(assignment=a), contact=world["contact"])
    html = client.get(f"/enkat/{a.pk}/kvitto/").content.decode()
    assert "Sara Samordnare" in html and "08-508 000 00" in html
    results = client.get("/enkat/resultat/").content.decode()
    assert "Sara Samordnare" in results and "/personuppgifter/" in results


def test_the_review_page_shows_every_answer(client, world):
    a = world["assignment"]
    _open(client, world)
    client.post(f"/enkat/{a.pk}/avsnitt/1/", {"version": 0, "q_PLAN": "ja", "q_NOTE": "Planen antogs i maj"})
    html = client.get(f"/enkat/{a.pk}/granska/").content.decode()
    assert "Alla svar" in html
    assert "Finns en plan?" in html and "Ja" in html
    assert "Kommentar om planen" in html and "Planen antogs i maj" in html


def test_the_statement_and_the_notice_take_the_organisation_from_settings(client, settings):
    settings.ORGANISATION_NAME = "Exempelstadens stadsledningskontor"
    settings.ACCESSIBILITY_CONTACT_EMAIL = "tillganglighet@exempel.se"
    settings.DATA_PROTECTION_OFFICER_EMAIL = "dso@exempel.se"
    settings.CONTACT_RETENTION_MONTHS = 18
    statement = client.get("/tillganglighet/").content.decode()
    assert "Exempelstadens stadsledningskontor" in statement and "tillganglighet@exempel.se" in statement
    assert "https://www.digg.se/tdosanmalan" in statement and "Tillsyn" in statement
    assert "Innehåll som inte är tillgängligt" in statement
    notice = client.get("/personuppgifter/").content.decode()
    for text in (
        "Exempelstadens stadsledningskontor",
        "dso@exempel.se",
        "18 månader",
        "6.1 e",
        "allmänna handlingar",
    ):
        assert text in notice, text


def test_questionnaire_and_receipt_have_a_print_stylesheet():
    css = (Path(__file__).parent.parent / "surveys/static/surveys/site.css").read_text()
    assert "@media print" in css
    printed = css.split("@media print", 1)[1]
    assert ".skip-link" in printed and ".actions" in printed and ".answers" in printed


def test_the_round_holds_its_coordinator_fields():
    survey_round = factories.SurveyRoundFactory(**COORDINATOR)
    assert SurveyRound.objects.get(pk=survey_round.pk).coordinator_contact()["phone"] == "08-508 000 00"
