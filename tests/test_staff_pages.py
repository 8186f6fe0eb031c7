"""The staff pages: coordinators and the central office's readers in the browser, without JavaScript.

Each test walks the pages as a person would (log in, follow links, submit forms) and asserts what they
see and what changed; the rules themselves are tested at the services."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import AuditEvent, ExportJob, OutboundEmail, Response, SurveyRound
from tests import factories

pytestmark = pytest.mark.django_db


def text(response):
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(demo):
    return demo


def login(client, username, password):
    return client.post("/personal/logga-in/", {"username": username, "password": password})


def test_reader_logs_in_at_the_staff_login_and_lands_on_the_rounds(world):
    client = Client()
    response = login(client, "slk", "demo-lasare")
    assert response.status_code == 302 and response["Location"] == "/personal/"
    response = client.get("/personal/", follow=True)
    assert response.redirect_chain[-1][0] == "/personal/omgangar/"
    page = text(response)
    assert "Preventionsindex mini" in page and "ANDTS-program" in page
    assert "Ny omgång" not in page and "Kopiera" not in page  # a reader has no actions


def test_coordinator_lands_on_the_rounds_with_actions(world):
    client = Client()
    login(client, "samordnare", "demo-samordnare")
    page = text(client.get("/personal/omgangar/"))
    assert "Ny omgång" in page and "Framsteg" in page and "Kopiera till" in page


def test_wrong_password_is_refused_in_swedish_and_keeps_the_username(world):
    response = login(Client(), "slk", "fel")
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in text(response)
    assert 'value="slk"' in response.content.decode()


def test_respondent_user_cannot_log_in_to_the_staff_pages(db):
    user = factories.UserFactory(role="respondent", username="resp")
    user.set_password("hemligt-lösen-1")
    user.save()
    response = login(Client(), "resp", "hemligt-lösen-1")
    assert response.status_code == 200
    assert "har inte tillgång" in text(response)
    client = Client()
    client.force_login(user)
    assert client.get("/personal/omgangar/").status_code == 403


def test_anonymous_is_sent_to_the_staff_login(db):
    response = Client().get("/personal/omgangar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/personal/logga-in/?next=/personal/omgangar/")


def test_logout_ends_the_session(world):
    client = Client()
    login(client, "slk", "demo-lasare")
    assert client.post("/personal/logga-ut/").status_code == 302
    assert client.get("/personal/omgangar/").status_code == 302


def test_password_reset_mail_is_swedish_and_its_link_sets_a_new_password(world):
    client = Client()
    response = client.post("/personal/losenord/", {"email": "slk@demo.arsrunda.se"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Nytt lösenord till Årsrunda"
    assert "Välj ett nytt lösenord här" in message.body
    link = re.search(r"http://testserver(/personal/losenord/nytt/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Välj ett nytt lösenord" in text(form_page)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Ett-nytt-lösen-2027", "new_password2": "Ett-nytt-lösen-2027"},
        follow=True,
    )
    assert "Lösenordet är bytt" in text(done)
    assert login(Client(), "slk", "Ett-nytt-lösen-2027").status_code == 302


def test_password_reset_sends_nothing_to_a_respondent_account(db):
    factories.UserFactory(role="respondent", username="r", email="r@example.se")
    Client().post("/personal/losenord/", {"email": "r@example.se"})
    assert mail.outbox == []


# --------------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def reader_client(world):
    client = Client()
    client.force_login(world["coordinator"].__class__.objects.get(username="slk"))
    return client


@pytest.fixture
def coord(world):
    client = Client()
    client.force_login(world["coordinator"])
    return client


def test_round_page_shows_the_response_status(world, reader_client):
    current = world["current_round"]
    page = text(reader_client.get(f"/personal/omgangar/{current.pk}/"))
    assert f"3 av {current.assignments.count()} organisationer har skickat in" in page
    assert "Utkast: 4" in page
    assert "Ladda ned Excel" in page
    assert "Logg över åtgärder" not in page  # the audit log is for coordinators


def test_results_page_shows_every_organisation_chart_and_trend(world, reader_client):
    last = world["last_round"]
    response = reader_client.get(f"/personal/omgangar/{last.pk}/resultat/")
    page = text(response)
    assert response.status_code == 200
    assert "Index per organisation" in page and "<svg" in response.content.decode()
    assert "style=" not in response.content.decode()
    for organisation in last.assignments.values_list("organisation__name", flat=True):
        assert organisation in page
    assert "Medelvärden per område" in page
    assert "Trend över jämförbara år" in page


def test_activity_report_lists_goal_areas_statuses_and_gender_split(world, reader_client):
    activity_round = world["activity_round"]
    page = text(reader_client.get(f"/personal/omgangar/{activity_round.pk}/aktiviteter/"))
    assert "Målområde 1" in page
    assert "Genomförd" in page and "Flickor" in page and "Pojkar" in page


def test_reader_downloads_the_workbook_after_watching_its_progress(
    world, reader_client, django_capture_on_commit_callbacks
):
    last = world["last_round"]
    with django_capture_on_commit_callbacks(execute=True):
        response = reader_client.post(f"/personal/omgangar/{last.pk}/excel/")
    assert response.status_code == 302
    job = ExportJob.objects.get(round=last)
    assert job.state == ExportJob.State.DONE
    assert response["Location"] == f"/personal/exporter/{job.pk}/"
    page = reader_client.get(response["Location"])
    assert "Klar" in text(page) and "hidden" not in page.content.decode().split("export-ready")[1][:20]
    download = reader_client.get(f"/personal/exporter/{job.pk}/fil/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_export_page_shows_the_percentage_and_an_update_link_while_building(world, reader_client):
    job = factories.ExportJobFactory(round=world["last_round"], state=ExportJob.State.RUNNING, progress=42)
    page = text(reader_client.get(f"/personal/exporter/{job.pk}/"))
    assert "42 % klart" in page and "Uppdatera" in page
    # Not ready: the download address leads back to the progress page instead of an error.
    assert (
        reader_client.get(f"/personal/exporter/{job.pk}/fil/")["Location"] == f"/personal/exporter/{job.pk}/"
    )


def test_rounds_list_query_count_does_not_grow_with_rounds(world, reader_client):
    with CaptureQueriesContext(connection) as before:
        reader_client.get("/personal/omgangar/")
    for year in range(2001, 2011):
        factories.SurveyRoundFactory(version=world["pi_v2"], year=year, programme=world["programme"])
    with CaptureQueriesContext(connection) as after:
        reader_client.get("/personal/omgangar/")
    assert len(after) == len(before)


# --------------------------------------------------------------------------------------------------
# The coordinator: progress and actions
# --------------------------------------------------------------------------------------------------


def test_progress_page_tells_not_opened_from_opened_and_drafts(world, coord):
    current = world["current_round"]
    opened = current.assignments.filter(response__version=0, first_opened_at__isnull=True).first()
    opened.first_opened_at = timezone.now()
    opened.save()
    page = text(coord.get(f"/personal/omgangar/{current.pk}/framsteg/"))
    assert "Öppnad (1)" in page and "Inte öppnad (4)" in page and "Utkast (4)" in page
    only_opened = text(coord.get(f"/personal/omgangar/{current.pk}/framsteg/?status=opened"))
    assert opened.organisation.name in only_opened
    assert "1 organisationer med status ”Öppnad”" in only_opened
    drafts = coord.get(f"/personal/omgangar/{current.pk}/framsteg/?status=draft")
    assert opened.organisation.name not in text(drafts)
    assert text(drafts).count("Utkast ") >= 4


def test_progress_page_sorts_by_column_links(world, coord):
    current = world["current_round"]
    names = sorted(current.assignments.values_list("organisation__name", flat=True))
    down = coord.get(f"/personal/omgangar/{current.pk}/framsteg/?sortera=-organisation")
    page = text(down)
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions, reverse=True)
    assert 'aria-sort="descending"' in down.content.decode()


def test_progress_page_shows_contacts_and_each_email_with_its_error(world, coord):
    current = world["current_round"]
    assignment = current.assignments.select_related("organisation").first()
    contact = assignment.organisation.contacts.first()
    factories.OutboundEmailFactory(
        assignment=assignment,
        round=current,
        contact=contact,
        status="failed",
        last_error="SMTP 550 okänd mottagare",
    )
    page = text(coord.get(f"/personal/omgangar/{current.pk}/framsteg/"))
    assert contact.email in page
    assert "misslyckades – SMTP 550 okänd mottagare" in page


def test_progress_page_query_count_does_not_grow_with_organisations(world, coord):
    current = world["current_round"]
    with CaptureQueriesContext(connection) as before:
        coord.get(f"/personal/omgangar/{current.pk}/framsteg/")
    for i in range(10):
        organisation = factories.OrganisationFactory(name=f"Extra förvaltning {i}")
        factories.ContactFactory(organisation=organisation)
        assignment = factories.AssignmentFactory(round=current, organisation=organisation)
        factories.OutboundEmailFactory(assignment=assignment, round=current)
    with CaptureQueriesContext(connection) as after:
        response = coord.get(f"/personal/omgangar/{current.pk}/framsteg/")
    assert "Extra förvaltning 9" in text(response)
    assert len(after) == len(before)


def test_reader_cannot_see_progress_or_act(world, reader_client):
    current = world["current_round"]
    assert reader_client.get(f"/personal/omgangar/{current.pk}/framsteg/").status_code == 403
    assert reader_client.post(f"/personal/omgangar/{current.pk}/atgard/paminn/").status_code == 403


def test_confirmation_page_changes_nothing_and_the_post_reminds_one_organisation(
    world, coord, django_capture_on_commit_callbacks
):
    current = world["current_round"]
    assignment = (
        current.assignments.exclude(response__state="submitted").select_related("organisation").first()
    )
    other = current.assignments.exclude(response__state="submitted").exclude(pk=assignment.pk).first()
    url = f"/personal/omgangar/{current.pk}/organisationer/{assignment.pk}/atgard/paminn/"
    before = OutboundEmail.objects.count()
    confirm = coord.get(url)
    assert confirm.status_code == 200 and "Skicka påminnelse" in text(confirm)
    assert OutboundEmail.objects.count() == before
    with django_capture_on_commit_callbacks(execute=True):
        done = coord.post(url)
    assert done["Location"] == f"/personal/omgangar/{current.pk}/organisationer/{assignment.pk}/"
    reminders = OutboundEmail.objects.filter(assignment=assignment, kind="reminder")
    assert reminders.count() == assignment.organisation.contacts.filter(is_active=True).count()
    assert not OutboundEmail.objects.filter(assignment=other, kind="reminder").exists()
    page = text(coord.get(done["Location"]))
    assert "Påminnelse" in page and "Skickat" in page
    event = AuditEvent.objects.get(action="assignment.remind")
    assert event.actor == world["coordinator"] and assignment.organisation.name in event.target
    assert assignment.organisation.name in text(coord.get(f"/personal/omgangar/{current.pk}/"))


def test_remind_all_reaches_only_those_who_have_not_submitted(world, coord):
    current = world["current_round"]
    coord.post(f"/personal/omgangar/{current.pk}/atgard/paminn/")
    reminded = set(
        OutboundEmail.objects.filter(round=current, kind="reminder").values_list("assignment", flat=True)
    )
    submitted = set(current.assignments.filter(response__state="submitted").values_list("pk", flat=True))
    assert reminded and not reminded & submitted
    assert AuditEvent.objects.filter(action="round.remind", round=current).exists()


def test_resend_invitation_emails_a_fresh_link_and_revokes_the_old_one(world, coord):
    from surveys.services.tokens import issue_token

    current = world["current_round"]
    assignment = current.assignments.select_related("organisation").first()
    contact = assignment.organisation.contacts.first()
    issue_token(assignment=assignment, contact=contact)
    url = f"/personal/omgangar/{current.pk}/organisationer/{assignment.pk}/atgard/skicka-inbjudan/?kontakt={contact.pk}"
    assert contact.email in text(coord.get(url))
    coord.post(url.split("?")[0], {"kontakt": contact.pk})
    invitation = OutboundEmail.objects.filter(
        assignment=assignment, contact=contact, key__contains="again"
    ).get()
    assert invitation.kind == "invitation"
    links = assignment.access_tokens.filter(contact=contact)
    assert links.filter(revoked_at__isnull=False).exists()


def test_revoke_link_stops_it(world, coord):
    from surveys.models import AccessToken
    from surveys.services.tokens import hash_token, issue_token

    current = world["current_round"]
    assignment = current.assignments.first()
    contact = assignment.organisation.contacts.first()
    raw = issue_token(assignment=assignment, contact=contact)
    token = AccessToken.objects.get(token_hash=hash_token(raw))
    coord.post(
        f"/personal/omgangar/{current.pk}/organisationer/{assignment.pk}/atgard/aterkalla-lank/",
        {"lank": token.pk},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(f"/l/{raw}/").status_code == 403


def test_extend_deadline_with_a_date_alone_means_end_of_that_day(world, coord):
    current = world["current_round"]
    new_day = (timezone.localtime(current.deadline) + timedelta(days=7)).date()
    response = coord.post(
        f"/personal/omgangar/{current.pk}/atgard/forlang/", {"deadline_on": new_day.isoformat()}
    )
    assert response.status_code == 302
    current.refresh_from_db()
    local = timezone.localtime(current.deadline)
    assert (local.date(), local.hour, local.minute, local.second) == (new_day, 23, 59, 59)


def test_bad_deadline_gets_a_swedish_message_and_keeps_what_was_typed(world, coord):
    current = world["current_round"]
    response = coord.post(f"/personal/omgangar/{current.pk}/atgard/forlang/", {"deadline_on": "31/12"})
    assert response.status_code == 400
    assert "Skriv datumet som ÅÅÅÅ-MM-DD" in text(response)
    assert 'value="31/12"' in response.content.decode()
    earlier = (timezone.localtime(current.deadline) - timedelta(days=3)).date().isoformat()
    response = coord.post(f"/personal/omgangar/{current.pk}/atgard/forlang/", {"deadline_on": earlier})
    assert response.status_code == 400 and "måste ligga efter den nuvarande" in text(response)


def test_add_and_remove_a_recipient(world, coord):
    current = world["current_round"]
    organisation = (
        world["organisations"]["Kommunstyrelsen"]
        if "Kommunstyrelsen" in world["organisations"]
        else factories.OrganisationFactory()
    )
    response = coord.post(
        f"/personal/omgangar/{current.pk}/atgard/lagg-till/", {"organisation": organisation.pk}
    )
    assert response.status_code == 302
    assignment = current.assignments.get(organisation=organisation)
    coord.post(f"/personal/omgangar/{current.pk}/organisationer/{assignment.pk}/atgard/ta-bort/")
    assert not current.assignments.filter(organisation=organisation, removed_at=None).exists()
    actions = set(AuditEvent.objects.filter(round=current).values_list("action", flat=True))
    assert {"round.recipient_add", "round.recipient_remove"} <= actions


def test_reopen_close_early_and_publish(world, coord):
    current = world["current_round"]
    submitted = current.assignments.filter(response__state="submitted").first()
    coord.post(f"/personal/omgangar/{current.pk}/organisationer/{submitted.pk}/atgard/oppna-igen/")
    assert Response.objects.get(assignment=submitted).state == "reopened"
    coord.post(f"/personal/omgangar/{current.pk}/atgard/stang/")
    current.refresh_from_db()
    assert current.state == SurveyRound.State.CLOSED
    coord.post(f"/personal/omgangar/{current.pk}/atgard/publicera/")
    current.refresh_from_db()
    assert current.state == SurveyRound.State.PUBLISHED
    log = text(coord.get(f"/personal/omgangar/{current.pk}/"))
    assert "Omgången är publicerad" in log and "Omgången är stängd" in log


def test_action_refused_by_the_service_is_shown_not_a_500(world, coord):
    last = world["last_round"]  # published
    response = coord.post(f"/personal/omgangar/{last.pk}/atgard/publicera/")
    assert response.status_code == 400
    assert "Bara en stängd omgång kan publiceras" in text(response)


# --------------------------------------------------------------------------------------------------
# The coordinator: a new round, or last year's copied
# --------------------------------------------------------------------------------------------------


def _round_form(world, **changes):
    data = {
        "version": world["pi_v2"].pk,
        "year": "2031",
        "name": "",
        "kinds": ["sdf"],
        "opens_on": "2031-10-01",
        "opens_time": "",
        "deadline_on": "2031-10-31",
        "deadline_time": "",
        "remind_before": "7, 2",
        "remind_after": "1",
        "grace_hours": "0",
        "invitation_subject": "Enkät {round} {year}",
        "invitation_body": "Hej {organisation}! {link} senast {deadline}",
        "reminder_subject": "Påminnelse {round}",
        "reminder_body": "{status} {link}",
        "create": "1",
    }
    data.update(changes)
    return data


def test_create_round_for_all_districts_with_a_date_alone_deadline(world, coord):
    response = coord.post("/personal/omgangar/ny/", _round_form(world))
    assert response.status_code == 302
    new = SurveyRound.objects.get(year=2031)
    assert new.state == SurveyRound.State.DRAFT
    assert new.assignments.count() == new.assignments.filter(organisation__kind="sdf").count() > 0
    local = timezone.localtime(new.deadline)
    assert (local.day, local.hour, local.minute) == (31, 23, 59)
    assert timezone.localtime(new.opens_at).hour == 8
    assert new.reminder_offsets == [-7, -2, 1]
    assert AuditEvent.objects.filter(action="round.create", round=new).exists()


def test_new_round_errors_are_swedish_and_keep_what_was_typed(world, coord):
    response = coord.post(
        "/personal/omgangar/ny/",
        _round_form(world, kinds=[], remind_before="en vecka", invitation_subject="Enkät {okänd}"),
    )
    assert response.status_code == 400
    page = text(response)
    assert "Välj mottagare" in page
    assert "Skriv dagarna före som heltal" in page
    assert 'value="en vecka"' in response.content.decode()
    assert not SurveyRound.objects.filter(year=2031).exists()
    response = coord.post("/personal/omgangar/ny/", _round_form(world, invitation_subject="Enkät {okänd}"))
    assert response.status_code == 400 and "Okänd platshållare {okänd}" in text(response)


def test_preview_button_shows_the_emails_without_javascript(world, coord):
    data = _round_form(world)
    data.pop("create")
    data["preview"] = "1"
    response = coord.post("/personal/omgangar/ny/", data)
    assert response.status_code == 200
    page = text(response)
    assert "Enkät Preventionsindex mini 2031" in page
    assert "Hej Exempelförvaltningen!" in page and "31 oktober 2031" in page
    assert not SurveyRound.objects.filter(year=2031).exists()
    live = coord.post("/personal/omgangar/ny/forhandsgranska/", data)
    assert live.json()["invitation"]["subject"] == "Enkät Preventionsindex mini 2031"


def test_copy_last_years_round_prefills_recipients_reminders_texts_and_dates(world, coord):
    current = world["current_round"]
    current.invitation_subject = "Årets enkät {year}"
    current.save()
    page = coord.get(f"/personal/omgangar/ny/?kopiera={current.pk}")
    html = page.content.decode()
    assert f'value="{current.year + 1}"' in html
    assert "Årets enkät {year}" in html
    opens = timezone.localtime(current.opens_at)
    assert f'value="{opens.year + 1}-{opens:%m-%d}"' in html
    for organisation_id in current.assignments.values_list("organisation_id", flat=True):
        assert re.search(rf'value="{organisation_id}"[^>]*checked', html)
    assert 'value="14, 7, 2"' in html and 'value="1"' in html


def test_copy_takes_the_next_comparable_version(world):
    from surveys.selectors_staff import next_comparable_version

    pi_v1, pi_v2 = world["pi_v1"], world["pi_v2"]
    assert next_comparable_version(pi_v2) == pi_v2
    if pi_v2.comparable_with.filter(pk=pi_v1.pk).exists():
        assert next_comparable_version(pi_v1) == pi_v2
    newer = factories.VersionFactory(questionnaire=pi_v2.questionnaire, number=pi_v2.number + 5)
    newer.comparable_with.add(pi_v2)
    assert next_comparable_version(pi_v2) == newer


# --------------------------------------------------------------------------------------------------
# The coordinator: an existing round edited
# --------------------------------------------------------------------------------------------------


def _edit_form(survey_round, **changes):
    """The edit form as the page fills it in for `survey_round`, with `changes` typed over it."""
    from surveys.selectors_staff import round_form_values
    from surveys.services import email_templates

    values = round_form_values(survey_round)
    data = {
        key: "" if value is None else value.strftime("%H:%M") if key.endswith("_time") else str(value)
        for key, value in values.items()
    }
    for name in ("invitation_subject", "invitation_body", "reminder_subject", "reminder_body"):
        data[name] = data[name] or getattr(email_templates, f"DEFAULT_{name.upper()}")
    data.update(changes)
    return data


@pytest.fixture
def draft(world, coord):
    assert coord.post("/personal/omgangar/ny/", _round_form(world)).status_code == 302
    return SurveyRound.objects.get(year=2031)


def test_coordinator_edits_a_draft_round_after_confirming_what_changes(world, coord, draft):
    page = coord.get(f"/personal/omgangar/{draft.pk}/")
    assert "Ändra omgången" in text(page)
    form_page = coord.get(f"/personal/omgangar/{draft.pk}/andra/")
    assert form_page.status_code == 200
    assert 'value="2031-10-01"' in form_page.content.decode()
    data = _edit_form(
        draft,
        name="Preventionsindex hösten",
        deadline_on="2031-11-14",
        remind_before="10, 3",
        coordinator_name="Sara Samordnare",
        coordinator_email="sara@stad.se",
        coordinator_phone="08-508 000 00",
    )
    confirm = coord.post(f"/personal/omgangar/{draft.pk}/andra/", data)
    assert confirm.status_code == 200
    shown = text(confirm)
    assert "Bekräfta ändringarna" in shown and "Inget är sparat ännu" in shown
    assert "fredag 14 november 2031 kl. 23.59" in shown and "Sara Samordnare" in shown
    draft.refresh_from_db()
    assert draft.name != "Preventionsindex hösten"  # nothing saved before the confirmation
    done = coord.post(f"/personal/omgangar/{draft.pk}/andra/", {**data, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == f"/personal/omgangar/{draft.pk}/"
    draft.refresh_from_db()
    local = timezone.localtime(draft.deadline)
    assert (local.day, local.hour, local.minute, local.second) == (14, 23, 59, 59)  # a date alone
    assert draft.name == "Preventionsindex hösten" and draft.reminder_offsets == [-10, -3, 1]
    assert draft.coordinator_contact()["email"] == "sara@stad.se"
    assert draft.invitation_subject == "Enkät {round} {year}"  # unchanged fields stay as they were
    event = AuditEvent.objects.get(action="round.update", round=draft)
    assert event.detail["fields"] == [
        "coordinator_email",
        "coordinator_name",
        "coordinator_phone",
        "deadline",
        "name",
        "reminder_offsets",
    ]
    assert "Omgången är ändrad" in text(coord.get(f"/personal/omgangar/{draft.pk}/"))


def test_round_edit_errors_are_swedish_and_keep_what_was_typed(world, coord, draft):
    data = _edit_form(
        draft, deadline_on="2031-09-01", coordinator_email="inte-en-adress", remind_after="en dag", name=""
    )
    response = coord.post(f"/personal/omgangar/{draft.pk}/andra/", {**data, "confirm": "1"})
    assert response.status_code == 400
    page = text(response)
    assert "Det finns fel att rätta" in page
    assert "Skriv en e-postadress" in page and "Skriv dagarna efter som heltal" in page
    assert "Ange omgångens namn" in page
    html = response.content.decode()
    assert 'value="inte-en-adress"' in html and 'value="en dag"' in html
    response = coord.post(
        f"/personal/omgangar/{draft.pk}/andra/", {**_edit_form(draft, deadline_on="2031-09-01")}
    )
    assert response.status_code == 400
    assert "Sista svarsdag måste ligga efter öppningsdagen" in text(response)
    assert 'value="2031-09-01"' in response.content.decode()
    draft.refresh_from_db()
    assert timezone.localtime(draft.deadline).month == 10
    assert not AuditEvent.objects.filter(action="round.update").exists()


def test_an_open_round_keeps_its_opening_but_its_texts_and_coordinator_change(world, coord):
    current = world["current_round"]
    opens = timezone.localtime(current.opens_at)
    moved = (opens - timedelta(days=1)).date().isoformat()
    refused = coord.post(
        f"/personal/omgangar/{current.pk}/andra/", {**_edit_form(current, opens_on=moved), "confirm": "1"}
    )
    assert refused.status_code == 400
    assert "Kan inte ändras när omgången är öppen" in text(refused)
    current.refresh_from_db()
    assert timezone.localtime(current.opens_at) == opens
    data = _edit_form(current, coordinator_name="Ny Samordnare", reminder_subject="Påminnelse om {round}")
    assert coord.post(f"/personal/omgangar/{current.pk}/andra/", {**data, "confirm": "1"}).status_code == 302
    current.refresh_from_db()
    assert (current.coordinator_name, current.reminder_subject) == ("Ny Samordnare", "Påminnelse om {round}")
    assert timezone.localtime(current.opens_at) == opens
    closed = world["last_round"]  # published
    assert "kan inte ändras" in text(coord.get(f"/personal/omgangar/{closed.pk}/andra/"))
    response = coord.post(
        f"/personal/omgangar/{closed.pk}/andra/", {**_edit_form(closed, name="Nytt"), "confirm": "1"}
    )
    assert response.status_code == 400 and "En stängd omgång kan inte ändras" in text(response)


def test_round_edit_preview_shows_the_changed_texts_without_javascript(world, coord, draft):
    data = _edit_form(draft, invitation_subject="Hösten {year}", preview="1")
    response = coord.post(f"/personal/omgangar/{draft.pk}/andra/", data)
    assert response.status_code == 200 and "Hösten 2031" in text(response)
    live = coord.post(f"/personal/omgangar/{draft.pk}/andra/forhandsgranska/", data)
    assert live.json()["invitation"]["subject"] == "Hösten 2031"
    draft.refresh_from_db()
    assert draft.invitation_subject == "Enkät {round} {year}"


def test_reader_cannot_edit_a_round(world, reader_client):
    current = world["current_round"]
    assert reader_client.get(f"/personal/omgangar/{current.pk}/andra/").status_code == 403
    response = reader_client.post(
        f"/personal/omgangar/{current.pk}/andra/", {**_edit_form(current, name="x"), "confirm": "1"}
    )
    assert response.status_code == 403
    assert "Ändra omgången" not in text(reader_client.get(f"/personal/omgangar/{current.pk}/"))


# --------------------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------------------


def test_plan_upload_shows_errors_by_sheet_row_and_column_then_a_good_file_imports(world, coord):
    import io

    import openpyxl

    from surveys.services.programmes import export_plan

    programme = world["programme"]
    workbook = openpyxl.load_workbook(io.BytesIO(export_plan(programme)))
    sheet = workbook["Plan"]
    header_row = next(r for r in range(1, 11) if sheet.cell(row=r, column=3).value == "Aktivitet")
    sheet.cell(row=header_row + 1, column=3, value="x" * 501)
    broken = io.BytesIO()
    workbook.save(broken)
    broken.seek(0)
    broken.name = "plan.xlsx"
    response = coord.post(f"/personal/arbetsbocker/plan/{programme.pk}/kontroll/", {"file": broken})
    assert response.status_code == 400
    page = text(response)
    assert "Filen har 1 fel – inget har ändrats" in page
    assert f"Plan {header_row + 1} C (Aktivitet) Texten är för lång (501 tecken, högst 500)." in page
    good = io.BytesIO(export_plan(programme))
    good.name = "plan.xlsx"
    response = coord.post(f"/personal/arbetsbocker/plan/{programme.pk}/kontroll/", {"file": good})
    assert response.status_code == 200, text(response)
    assert "Filen har inga fel" in text(response)
    key = re.search(r"/personal/arbetsbocker/plan/import/(\w+)/", response.content.decode()).group(1)
    done = coord.post(f"/personal/arbetsbocker/plan/import/{key}/")
    assert done.status_code == 302
    assert AuditEvent.objects.filter(action="plan.import").exists()
    assert coord.post(f"/personal/arbetsbocker/plan/import/{key}/").status_code == 404  # used once


def test_not_a_workbook_is_refused_in_swedish(world, coord):
    import io

    upload = io.BytesIO(b"not a zip at all")
    upload.name = "plan.xlsx"
    response = coord.post(f"/personal/arbetsbocker/plan/{world['programme'].pk}/kontroll/", {"file": upload})
    assert response.status_code == 400
    assert "inget har ändrats" in text(response)


def test_questionnaire_workbook_checks_and_imports_a_new_version(world, coord):
    import io

    from surveys.services.questionnaires import export_version

    version = world["pi_v2"]
    upload = io.BytesIO(export_version(version))
    upload.name = "enkat.xlsx"
    response = coord.post(
        f"/personal/arbetsbocker/enkat/{version.questionnaire_id}/kontroll/", {"file": upload, "label": "V3"}
    )
    assert response.status_code == 200, text(response)
    key = re.search(r"/personal/arbetsbocker/enkat/import/(\w+)/", response.content.decode()).group(1)
    before = version.questionnaire.versions.count()
    assert coord.post(f"/personal/arbetsbocker/enkat/import/{key}/").status_code == 302
    assert version.questionnaire.versions.count() == before + 1


def test_workbook_downloads_for_readers(world, reader_client):
    for url in (
        "/personal/arbetsbocker/plan/mall/",
        f"/personal/arbetsbocker/plan/{world['programme'].pk}/",
        "/personal/arbetsbocker/enkat/mall/",
        f"/personal/arbetsbocker/enkat/version/{world['pi_v2'].pk}/",
    ):
        response = reader_client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"


# --------------------------------------------------------------------------------------------------
# The API calls the same services
# --------------------------------------------------------------------------------------------------


def test_api_edits_the_named_coordinator_of_an_open_round_through_the_same_service(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world["coordinator"])
    current = world["current_round"]
    response = api.patch(
        f"/api/rounds/{current.pk}/",
        {"coordinator_name": "Sara Samordnare", "coordinator_email": "sara@stad.se"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["coordinator_email"] == "sara@stad.se"
    current.refresh_from_db()
    assert current.coordinator_contact()["name"] == "Sara Samordnare"
    refused = api.patch(f"/api/rounds/{current.pk}/", {"coordinator_email": "inte-en-adress"}, format="json")
    assert refused.status_code == 400


def test_api_reminds_one_assignment_and_resends_an_invitation(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world["coordinator"])
    current = world["current_round"]
    assignment = current.assignments.exclude(response__state="submitted").first()
    response = api.post(f"/api/rounds/{current.pk}/remind/", {"assignment": assignment.pk}, format="json")
    assert response.status_code == 200 and response.json()["queued"] >= 1
    assert set(
        OutboundEmail.objects.filter(kind="reminder", round=current).values_list("assignment", flat=True)
    ) == {assignment.pk}
    contact = assignment.organisation.contacts.first()
    response = api.post(f"/api/assignments/{assignment.pk}/resend/", {"contact": contact.pk}, format="json")
    assert response.status_code == 200 and response.json()["kind"] == "invitation"
    submitted = current.assignments.filter(response__state="submitted").first()
    refused = api.post(f"/api/assignments/{submitted.pk}/remind/")
    assert refused.status_code == 400 and "redan skickat in" in str(refused.json())


# --------------------------------------------------------------------------------------------------
# Names a plan check does not know
# --------------------------------------------------------------------------------------------------


def test_accepted_name_suggestions_are_saved_and_the_same_file_checks_clean_and_imports(world, coord):
    import io

    from surveys.models import Activity, OrganisationAlias
    from tests.plan_helpers import plan_xlsx

    content = plan_xlsx(
        [
            {"goal": "1 Mål", "activity": "1.1 Läger", "lead": "Kulturnämden", "co": "Regionen (BUP)"},
        ]
    )
    programme = factories.ProgrammeFactory()
    upload = io.BytesIO(content)
    upload.name = "plan.xlsx"
    check = coord.post(f"/personal/arbetsbocker/plan/{programme.pk}/kontroll/", {"file": upload})
    assert check.status_code == 400
    html = check.content.decode()
    assert 'id="name-suggestions"' in html and "Namn som inte matchar någon organisation" in text(check)
    key = re.search(r"/personal/arbetsbocker/plan/namn/(\w+)/", html).group(1)
    fields = dict(re.findall(r'<input type="radio" name="(namn_\w+)" value="([^"]*)"[^>]*checked', html))
    assert len(fields) == 2  # the near match and the partner, as the check proposes
    kultur = world["organisations"]["Kulturnämnden"]
    assert f"org-{kultur.pk}" in fields.values() and "partner" in fields.values()
    confirm = coord.post(f"/personal/arbetsbocker/plan/namn/{key}/", fields)
    assert confirm.status_code == 200
    assert "”Kulturnämden” är en annan stavning av Kulturnämnden" in text(confirm)
    assert not OrganisationAlias.objects.filter(name="Kulturnämden").exists()  # not before confirming
    again = coord.post(f"/personal/arbetsbocker/plan/namn/{key}/", {**fields, "confirm": "1"})
    assert again.status_code == 200, text(again)
    assert "Filen har inga fel" in text(again)
    assert OrganisationAlias.objects.get(name="Kulturnämden").organisation == kultur
    assert OrganisationAlias.objects.get(name="Regionen (BUP)").is_partner
    assert AuditEvent.objects.filter(action="organisation_alias.accept").count() == 2
    assert f"/personal/arbetsbocker/plan/import/{key}/" in again.content.decode()  # the same kept file
    assert coord.post(f"/personal/arbetsbocker/plan/import/{key}/").status_code == 302
    activity = Activity.objects.get(goal_area__programme=programme, number="1.1")
    assert activity.lead == kultur and activity.partners == ["Regionen (BUP)"]


def test_a_name_choice_outside_the_suggestions_is_refused_and_nothing_is_saved(world, coord):
    import io

    from surveys.models import OrganisationAlias
    from tests.plan_helpers import plan_xlsx

    programme = factories.ProgrammeFactory()
    upload = io.BytesIO(plan_xlsx([{"goal": "1 Mål", "activity": "1.1 Läger", "lead": "Kulturnämden"}]))
    upload.name = "plan.xlsx"
    html = coord.post(
        f"/personal/arbetsbocker/plan/{programme.pk}/kontroll/", {"file": upload}
    ).content.decode()
    key = re.search(r"/personal/arbetsbocker/plan/namn/(\w+)/", html).group(1)
    field = re.search(r'name="(namn_\w+)"', html).group(1)
    other = world["organisations"]["Kommunstyrelsen"]
    refused = coord.post(
        f"/personal/arbetsbocker/plan/namn/{key}/", {field: f"org-{other.pk}", "confirm": "1"}
    )
    assert refused.status_code == 400 and "Välj ett av alternativen" in text(refused)
    nothing = coord.post(f"/personal/arbetsbocker/plan/namn/{key}/", {field: "", "confirm": "1"})
    assert nothing.status_code == 400 and "Välj vad minst ett av namnen är" in text(nothing)
    assert not OrganisationAlias.objects.filter(name="Kulturnämden").exists()
