"""Coordinators and the central office's reader in real Chromium: keyboard-only runs of their everyday
tasks, axe-core on every staff page (0 WCAG 2.1 A/AA violations), and every page fitting 1,280 px without
sideways scrolling and staying usable at 375 px."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.test_browser_questionnaire import active, assert_accessible, page, tab_to  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(page):  # noqa: F811 - the Chromium page of the respondents' browser test
    return page


class Keyboard:
    """Counts activations: every Enter or Space that follows a link or presses a button."""

    def __init__(self, tab):
        self.tab = tab
        self.activations = 0

    def follow(self, matches, *, download=False):
        self.tab.evaluate("() => document.activeElement && document.activeElement.blur()")
        tab_to(self.tab, matches)
        self.activations += 1
        if download:
            with self.tab.expect_download() as info:
                self.tab.keyboard.press("Enter")
            return info.value
        with self.tab.expect_navigation():
            self.tab.keyboard.press("Enter")
        return None

    def log_in(self, live_server, username, password):
        self.tab.goto(f"{live_server.url}/personal/logga-in/")
        tab_to(self.tab, lambda e: e["name"] == "username")
        self.tab.keyboard.type(username)
        self.tab.keyboard.press("Tab")
        self.tab.keyboard.type(password)
        self.activations += 1
        with self.tab.expect_navigation():
            self.tab.keyboard.press("Enter")


def link(text):
    return lambda e: e["tag"] == "a" and e["text"].startswith(text)


def button(text):
    return lambda e: e["tag"] == "button" and e["text"] == text


def assert_fits(tab, what):
    """No sideways scrolling at 1,280 px; at 375 px the page still fits and its heading is visible."""
    for width in (1280, 375):
        tab.set_viewport_size({"width": width, "height": 900})
        scroll = tab.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"{what}: {scroll} px wide at a {width} px viewport: {_wide(tab)}"
        assert tab.locator("h1").first.is_visible(), f"{what}: no visible heading at {width} px"
    tab.set_viewport_size({"width": 1280, "height": 900})


def upload_plan(tab, base, programme, content):
    """Choose a plan workbook for `programme` on the workbooks page and have it checked."""
    tab.goto(base + "/personal/arbetsbocker/")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    tab.set_input_files(
        f"#plan_file_{programme.pk}", files=[{"name": "plan.xlsx", "mimeType": xlsx, "buffer": content}]
    )
    with tab.expect_navigation():
        tab.locator(f"form:has(#plan_file_{programme.pk}) button").click()


def check(tab, what):
    assert_accessible(tab, what)
    assert_fits(tab, what)
    tab.set_viewport_size({"width": 375, "height": 900})
    assert_accessible(tab, f"{what} at 375 px")
    tab.set_viewport_size({"width": 1280, "height": 900})


def test_reader_goes_from_login_to_the_downloaded_workbook_in_four_activations(tab, live_server, tmp_path):
    from surveys.demo import load_demo

    world = load_demo()
    last = world["last_round"]
    keys = Keyboard(tab)
    keys.log_in(live_server, "slk", "demo-lasare")
    assert tab.url.endswith("/personal/omgangar/")
    keys.follow(link(f"{last.name} {last.year}"))
    assert tab.url.endswith(f"/personal/omgangar/{last.pk}/")
    keys.follow(button("Ladda ned Excel"))
    assert "/personal/exporter/" in tab.url
    tab.wait_for_selector(".export-ready:not([hidden])")
    check(tab, "the workbook is ready")
    download = keys.follow(link("Hämta filen"), download=True)
    path = tmp_path / "arbetsbok.xlsx"
    download.save_as(path)
    assert download.suggested_filename.endswith(".xlsx")
    assert path.read_bytes()[:2] == b"PK"
    assert keys.activations <= 4, keys.activations


def test_coordinator_copies_last_years_round_to_a_scheduled_round_in_at_most_eight(tab, live_server):
    from surveys.demo import load_demo
    from surveys.models import SurveyRound

    world = load_demo()
    current = world["current_round"]
    keys = Keyboard(tab)
    keys.log_in(live_server, "samordnare", "demo-samordnare")
    keys.follow(link("Ny omgång"))
    keys.follow(link(f"Kopiera förra årets omgång: {current.name} {current.year}"))
    assert tab.locator("#id_year").input_value() == str(current.year + 1)
    keys.follow(button("Skapa omgång"))
    new = SurveyRound.objects.get(name=current.name, year=current.year + 1)
    assert tab.url.endswith(f"/personal/omgangar/{new.pk}/")
    keys.follow(link("Schemalägg omgången"))
    keys.follow(button("Schemalägg"))
    new.refresh_from_db()
    assert new.state == SurveyRound.State.SCHEDULED
    assert "Schemalagd" in tab.locator("main").inner_text()
    assert set(new.assignments.values_list("organisation", flat=True)) == set(
        current.assignments.values_list("organisation", flat=True)
    )
    assert new.reminder_offsets == current.reminder_offsets
    assert (
        timezone.localtime(new.deadline).date().replace(year=current.year)
        == timezone.localtime(current.deadline).date()
    )
    assert keys.activations <= 8, keys.activations


def test_coordinator_reminds_one_organisation_and_sees_it_in_its_email_list(tab, live_server):
    from surveys.demo import load_demo
    from surveys.models import OutboundEmail

    world = load_demo()
    current = world["current_round"]
    assignment = (
        current.assignments.exclude(response__state="submitted")
        .select_related("organisation")
        .order_by("organisation__name")
        .first()
    )
    keys = Keyboard(tab)
    keys.log_in(live_server, "samordnare", "demo-samordnare")
    keys.follow(link(f"{current.name} {current.year}"))
    keys.follow(link("Framsteg per organisation"))
    keys.follow(lambda e: e["tag"] == "a" and e["text"] == assignment.organisation.name)
    keys.follow(link("Skicka påminnelse nu till organisationen"))
    keys.follow(button("Skicka påminnelse"))
    assert tab.url.endswith(f"/organisationer/{assignment.pk}/")
    check(tab, "one organisation after a reminder")
    emails = tab.locator("table", has=tab.locator("th", has_text="Slag")).inner_text()
    for contact in assignment.organisation.contacts.filter(is_active=True):
        assert re.search(rf"Påminnelse\s+{re.escape(contact.email)}\s+Skickat", emails), emails
    assert OutboundEmail.objects.filter(assignment=assignment, kind="reminder", status="sent").exists()
    assert (
        "1 påminnelse" in tab.locator(".messages").inner_text()
        or "påminnelser skickas" in tab.locator(".messages").inner_text()
    )


def test_every_staff_page_passes_axe_and_fits_the_screen(tab, live_server):
    from surveys.demo import load_demo
    from surveys.models import ExportJob
    from surveys.services.programmes import export_plan
    from surveys.services.tokens import issue_token

    world = load_demo()
    current, last, activity = world["current_round"], world["last_round"], world["activity_round"]
    assignment = current.assignments.exclude(response__state="submitted").first()
    contact = assignment.organisation.contacts.first()
    issue_token(assignment=assignment, contact=contact)
    link_row = assignment.access_tokens.first()
    base = live_server.url

    for url, what in (
        ("/personal/logga-in/", "login"),
        ("/personal/losenord/", "password reset"),
        ("/personal/losenord/skickat/", "reset sent"),
        ("/personal/losenord/nytt/MQ/ogiltig/", "reset link no longer valid"),
        ("/personal/losenord/klart/", "reset complete"),
    ):
        tab.goto(base + url)
        check(tab, what)
    tab.locator("#id_username").fill("slk") if tab.url.endswith("logga-in/") else None
    tab.goto(base + "/personal/logga-in/")
    tab.locator("#id_username").fill("slk")
    tab.locator("#id_password").fill("fel")
    with tab.expect_navigation():
        tab.locator("button", has_text="Logga in").click()
    check(tab, "login with an error")

    keys = Keyboard(tab)
    keys.log_in(live_server, "samordnare", "demo-samordnare")
    job = ExportJob.objects.create(
        round=last, state=ExportJob.State.RUNNING, progress=40, heartbeat_at=timezone.now()
    )
    r, a = current.pk, assignment.pk
    pages = [
        ("/personal/omgangar/", "rounds"),
        (f"/personal/omgangar/{r}/", "open round"),
        (f"/personal/omgangar/{last.pk}/", "published round"),
        (f"/personal/omgangar/{last.pk}/resultat/", "results"),
        (f"/personal/omgangar/{r}/resultat/", "results of an open round"),
        (f"/personal/omgangar/{activity.pk}/aktiviteter/", "activity report"),
        (f"/personal/omgangar/{r}/aktiviteter/", "activity report without activities"),
        (f"/personal/omgangar/{r}/framsteg/", "progress"),
        (f"/personal/omgangar/{r}/framsteg/?status=draft&sortera=-senast", "progress filtered and sorted"),
        (f"/personal/omgangar/{r}/organisationer/{a}/", "one organisation"),
        (f"/personal/exporter/{job.pk}/", "export in progress"),
        ("/personal/omgangar/ny/", "new round"),
        (f"/personal/omgangar/ny/?kopiera={r}", "new round copied"),
        ("/personal/arbetsbocker/", "workbooks"),
    ]
    pages += [
        (f"/personal/omgangar/{r}/atgard/{slug}/", f"confirm {slug}")
        for slug in ("paminn", "forlang", "lagg-till", "stang")
    ]
    pages += [(f"/personal/omgangar/{last.pk}/atgard/publicera/", "confirm publish (refused state)")]
    pages += [
        (f"/personal/omgangar/{r}/organisationer/{a}/atgard/{slug}/", f"confirm {slug} for one organisation")
        for slug in ("paminn", "forlang", "oppna-igen", "ta-bort")
    ]
    pages += [
        (
            f"/personal/omgangar/{r}/organisationer/{a}/atgard/skicka-inbjudan/?kontakt={contact.pk}",
            "confirm resend",
        ),
        (
            f"/personal/omgangar/{r}/organisationer/{a}/atgard/aterkalla-lank/?lank={link_row.pk}",
            "confirm revoke",
        ),
    ]
    for url, what in pages:
        tab.goto(base + url)
        check(tab, what)

    # Forms with errors, a preview, and the workbook check report (errors and a good file).
    tab.goto(base + f"/personal/omgangar/{r}/atgard/forlang/")
    tab.locator("#id_deadline_on").fill((timezone.localdate() - timedelta(days=400)).isoformat())
    with tab.expect_navigation():
        tab.locator("button", has_text="Flytta sista svarsdag").click()
    assert tab.locator("#error-summary").is_visible()
    check(tab, "confirm page with an error")
    tab.goto(base + "/personal/omgangar/ny/")
    with tab.expect_navigation():
        tab.locator("button", has_text="Skapa omgång").click()
    assert tab.locator("#error-summary").is_visible()
    check(tab, "new round with errors")
    tab.goto(base + f"/personal/omgangar/ny/?kopiera={r}")
    with tab.expect_navigation():
        tab.locator("button", has_text="Förhandsgranska").click()
    assert "Exempelförvaltningen" in tab.locator("#preview-invitation-body").inner_text()
    check(tab, "new round preview")

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(export_plan(world["programme"])))
    sheet = workbook["Plan"]
    header = next(row for row in range(1, 11) if sheet.cell(row=row, column=3).value == "Aktivitet")
    sheet.cell(row=header + 1, column=3, value="x" * 600)
    broken = io.BytesIO()
    workbook.save(broken)
    programme = world["programme"]
    for content, what in (
        (broken.getvalue(), "plan check with errors"),
        (export_plan(programme), "plan check ok"),
    ):
        upload_plan(tab, base, programme, content)
        check(tab, what)

    # A reader on a coordinator's page: the Swedish 403 page.
    tab.goto(base + "/personal/omgangar/")
    with tab.expect_navigation():
        tab.locator("button", has_text="Logga ut").click()
    keys.log_in(live_server, "slk", "demo-lasare")
    check(tab, "rounds as reader")
    tab.goto(base + f"/personal/omgangar/{r}/framsteg/")
    assert "Ingen behörighet" in tab.locator("h1").inner_text()
    check(tab, "forbidden")


def test_coordinator_edits_a_round_and_accepts_name_suggestions_by_keyboard(tab, live_server):
    """The round's edit form, its confirmation and its errors; a plan check with names it does not know,
    the choices confirmed and the same file checked again and imported: by keyboard, axe-clean, fitting."""
    from surveys.demo import load_demo
    from surveys.models import Activity, OrganisationAlias
    from tests import factories
    from tests.plan_helpers import plan_xlsx

    world = load_demo()
    current = world["current_round"]
    base = live_server.url
    keys = Keyboard(tab)
    keys.log_in(live_server, "samordnare", "demo-samordnare")
    keys.follow(link(f"{current.name} {current.year}"))
    keys.follow(link("Ändra omgången"))
    check(tab, "edit an open round")
    tab_to(tab, lambda e: e["name"] == "coordinator_name")
    tab.keyboard.press("Control+A")
    tab.keyboard.type("Sara Samordnare")
    keys.follow(button("Granska ändringarna"))
    assert "Bekräfta ändringarna" in tab.locator("h1").inner_text()
    check(tab, "edit confirmation")
    keys.follow(button("Spara ändringarna"))
    assert tab.url.endswith(f"/personal/omgangar/{current.pk}/")
    assert "Omgången är ändrad" in tab.locator(".messages").inner_text()
    current.refresh_from_db()
    assert current.coordinator_name == "Sara Samordnare"

    tab.goto(base + f"/personal/omgangar/{current.pk}/andra/")
    tab.locator("#id_coordinator_email").fill("inte-en-adress")
    with tab.expect_navigation():
        tab.locator("button", has_text="Granska ändringarna").click()
    assert tab.locator("#error-summary").is_visible()
    check(tab, "edit with errors")

    programme = factories.ProgrammeFactory(name="Ny plan")
    content = plan_xlsx(
        [{"goal": "1 Mål", "activity": "1.1 Läger", "lead": "Kulturnämden", "co": "Regionen (BUP)"}]
    )
    upload_plan(tab, base, programme, content)
    assert tab.locator("#name-suggestions").is_visible()
    check(tab, "plan check with name suggestions")
    keys.follow(button("Granska valen"))
    check(tab, "confirm the names")
    keys.follow(button("Spara och kontrollera igen"))
    assert "Filen har inga fel" in tab.locator("main").inner_text()
    check(tab, "plan checked again")
    keys.follow(button("Importera"))
    assert tab.url.endswith("/personal/arbetsbocker/")
    assert OrganisationAlias.objects.filter(name="Kulturnämden", organisation__name="Kulturnämnden").exists()
    assert Activity.objects.get(goal_area__programme=programme, number="1.1").lead.name == "Kulturnämnden"


def test_screenshots_of_the_tour(tab, live_server, tmp_path):
    """The README's tour pictures, taken from the pages as they render at 1,280 px. They are written to
    $SCREENSHOT_DIR when set (`make screenshots` sets docs/screenshots), otherwise to a temporary folder."""
    import os
    from pathlib import Path

    from surveys.demo import load_demo

    world = load_demo()
    current, last = world["current_round"], world["last_round"]
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url
    keys = Keyboard(tab)
    tab.goto(base + "/personal/logga-in/")
    shots = [("01-logga-in.png", None)]
    tab.screenshot(path=str(folder / shots[0][0]))
    keys.log_in(live_server, "samordnare", "demo-samordnare")
    assignment = current.assignments.filter(response__version__gt=0).first()
    for name, url in (
        ("02-omgangar.png", "/personal/omgangar/"),
        ("03-omgang.png", f"/personal/omgangar/{current.pk}/"),
        ("04-framsteg.png", f"/personal/omgangar/{current.pk}/framsteg/"),
        ("05-organisation.png", f"/personal/omgangar/{current.pk}/organisationer/{assignment.pk}/"),
        ("06-bekrafta-paminnelse.png", f"/personal/omgangar/{current.pk}/atgard/paminn/"),
        ("07-kopiera-forra-aret.png", f"/personal/omgangar/ny/?kopiera={current.pk}"),
        ("08-resultat.png", f"/personal/omgangar/{last.pk}/resultat/"),
        ("09-aktiviteter.png", f"/personal/omgangar/{world['activity_round'].pk}/aktiviteter/"),
        ("10-arbetsbocker.png", "/personal/arbetsbocker/"),
    ):
        tab.goto(base + url)
        tab.screenshot(path=str(folder / name), full_page=name != "07-kopiera-forra-aret.png")
        shots.append((name, url))
    tab.goto(base + f"/personal/omgangar/{last.pk}/")
    with tab.expect_navigation():
        tab.locator("button", has_text="Ladda ned Excel").click()
    tab.wait_for_selector(".export-ready:not([hidden])")
    tab.screenshot(path=str(folder / "11-excel.png"))
    shots.append(("11-excel.png", None))
    for name, _ in shots:
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def _wide(tab):
    return tab.evaluate(
        """() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').trim().slice(0, 40))
        .concat([document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth])"""
    )
