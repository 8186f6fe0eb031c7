"""The plan workbook: export → import gives the same plan; a broken file changes nothing and says where."""

import datetime
import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from exports.plan_io import read_plan
from surveys.models import Activity, GoalArea, Indicator, Organisation, Programme
from surveys.selectors_plan import programme_answerers
from surveys.services.programmes import export_plan, import_plan, new_programme, plan_rows
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = [
    "Målområde",
    "Insatsområde",
    "Aktivitet",
    "När",
    "Ansvarig",
    "Samverkan",
    "Indikator",
    "Enhet",
    "Mål",
    "Klart senast",
    "Könsuppdelad",
]


def xlsx(rows, header=HEADER, sheet="Plan", preamble=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for line in preamble:
        ws.append(line)
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


NAMNDER = [
    "Individ- och familjenämnden",
    "Grundskolenämnden",
    "Kulturnämnden",
    "Miljö- och konsumentnämnden",
]


@pytest.fixture
def orgs():
    names = [
        "Individ- och familjenämnden",
        "Grundskolenämnden",
        "Kulturnämnden",
        "Miljö- och konsumentnämnden",
    ]
    made = {n: factories.OrganisationFactory(name=n, kind="namnd") for n in names}
    made["Polisen"] = factories.OrganisationFactory(
        name="Polisen", kind="extern", aliases="Polismyndigheten\nPolis"
    )
    made["Individ- och familjenämnden"].short_name = "IFN"
    made["Individ- och familjenämnden"].save()
    return made


def vasteras_rows():
    """Västerås-like: activities straight under målområden, continuation rows, per-indicator responsibility."""
    return [
        [
            "1 Tillgången ska minska",
            None,
            "1.1 Effektiv alkoholtillsyn",
            "Minst en gång per år",
            "Miljö- och konsumentnämnden",
            "Polisen",
            "Antal tillsynsbesök",
            "antal",
            120,
            datetime.datetime(2025, 12, 31),
            "Nej",
        ],
        [
            None,
            None,
            None,
            None,
            None,
            None,
            "Antal utbildade i ansvarsfull alkoholservering",
            "personer",
            "40",
            "2025-12-31",
            "Ja",
        ],
        [
            "2 Barn och unga ska skyddas",
            None,
            "2.1 Stöd till barn i familjer med missbruk",
            "Fyra gånger per år",
            "IFN",
            "Grundskolenämnden; Kulturnämnden",
            "Antal barn i stödgrupp",
            "personer",
            "100",
            None,
            "Ja",
        ],
        [
            None,
            None,
            None,
            None,
            "Grundskolenämnden",
            None,
            "Elevhälsans handlingsplan känd",
            "",
            "",
            None,
            "",
        ],
        [
            None,
            None,
            "2.2 Tobaksfri arbetstid",
            "Löpande",
            "Kulturnämnden",
            "Samtliga nämnder",
            None,
            None,
            None,
            None,
            None,
        ],
    ]


def test_import_builds_the_plan_with_continuation_rows_and_per_indicator_responsibility(orgs):
    programme = new_programme(name="Handlingsplan ANDTS", start_year=2022, end_year=2025)
    report = import_plan(upload=xlsx(vasteras_rows()), programme=programme, dry_run=False)
    assert report.ok, report.as_dict()["errors"]
    assert report.created == {"goal_areas": 2, "focus_areas": 0, "activities": 3, "indicators": 4}
    a11 = Activity.objects.get(number="1.1")
    assert a11.lead == orgs["Miljö- och konsumentnämnden"]
    assert list(a11.co_responsible.all()) == [orgs["Polisen"]]
    assert [(i.text, i.target, i.gender_split, i.due_date) for i in a11.indicators.all()] == [
        ("Antal tillsynsbesök", "120", False, datetime.date(2025, 12, 31)),
        ("Antal utbildade i ansvarsfull alkoholservering", "40", True, datetime.date(2025, 12, 31)),
    ]
    a21 = Activity.objects.get(number="2.1")
    assert a21.lead.short_name == "IFN"
    elevhalsa = a21.indicators.get(text__startswith="Elevhälsans")
    assert elevhalsa.lead == orgs["Grundskolenämnden"]
    a22 = Activity.objects.get(number="2.2")
    # "Samtliga nämnder" stays a group, resolved to every nämnd (the lead answers as lead) when asked.
    assert a22.co_groups == ["Samtliga nämnder"] and a22.co_responsible.count() == 0
    who = programme_answerers(programme_id=programme.pk).activities[a22.pk]
    assert who == {orgs[n].pk: ("lead" if n == "Kulturnämnden" else "co") for n in NAMNDER}
    assert a22.indicators.count() == 0


def test_plan_round_trip_export_import_gives_the_same_plan(orgs):
    source = new_programme(name="Plan", start_year=2022, end_year=2025)
    assert import_plan(upload=xlsx(vasteras_rows()), programme=source, dry_run=False).ok
    focus_goal = GoalArea.objects.create(
        programme=source, number="3", title="Tomt målområde med insats", order=2
    )
    factories.FocusAreaFactory(goal_area=focus_goal, number="3.1", title="Insats utan aktiviteter")
    GoalArea.objects.create(programme=source, number="4", title="Helt tomt", order=3)
    Activity.objects.filter(number="1.1").update(description="Riskbaserad tillsyn\nmed radbrytning")
    factories.IndicatorFactory(
        activity=Activity.objects.get(number="2.2"), text='=HYPERLINK("x") är text', unit="st", order=0
    )
    workbook = export_plan(source)
    copy = new_programme(name="Kopia", start_year=2022, end_year=2025)
    report = import_plan(upload=workbook, programme=copy, dry_run=False)
    assert report.ok, report.as_dict()["errors"]
    assert plan_rows(copy) == plan_rows(source)
    # And importing the same file into the source changes nothing.
    again = import_plan(upload=workbook, programme=source, dry_run=True)
    assert again.ok and sum(again.created.values()) == 0 and sum(again.changed.values()) == 0


def test_dry_run_shows_what_would_change_and_writes_nothing(orgs):
    programme = Programme.objects.create(name="P", start_year=2022, end_year=2025)
    assert import_plan(upload=xlsx(vasteras_rows()), programme=programme, dry_run=False).ok
    rows = vasteras_rows()
    rows[0][3] = "Två gånger per år"
    rows[0][8] = 150
    rows[0][5] = "Polisen; Kulturnämnden"
    rows.append([None, None, "2.3 Ny aktivitet", "", "Kulturnämnden", "", "Ny indikator", "", "", None, ""])
    before = list(plan_rows(programme))
    report = import_plan(upload=xlsx(rows), programme=programme, dry_run=True)
    assert report.ok and not report.applied
    assert report.created["activities"] == 1 and report.created["indicators"] == 1
    assert report.changed == {"goal_areas": 0, "focus_areas": 0, "activities": 1, "indicators": 1}
    change = next(c for c in report.changes if c["action"] == "change" and c["level"] == "activities")
    assert change["fields"] == {
        "frequency": {"from": "Minst en gång per år", "to": "Två gånger per år"},
        "co_responsible": {"from": ["Polisen"], "to": ["Kulturnämnden", "Polisen"]},
    }
    assert plan_rows(programme) == before
    applied = import_plan(upload=xlsx(rows), programme=programme, dry_run=False)
    assert applied.applied and Activity.objects.get(number="1.1").frequency == "Två gånger per år"
    assert Activity.objects.get(number="1.1").co_responsible.count() == 2
    assert Indicator.objects.get(text="Antal tillsynsbesök").target == "150"


def test_broken_workbook_lists_every_error_with_sheet_row_column_and_changes_nothing(orgs):
    programme = Programme.objects.create(name="P", start_year=2022, end_year=2025)
    assert import_plan(upload=xlsx(vasteras_rows()), programme=programme, dry_run=False).ok
    before = list(plan_rows(programme))
    rows = vasteras_rows() + [
        [
            None,
            None,
            "2.4 Okänd ansvarig",
            "",
            "Fritidsnämnden",
            "Polismyndigheten, Regionen",
            "X",
            "",
            "",
            None,
            "",
        ],  # row 8: two unknown names (Polismyndigheten is an alias)
        [None, None, None, None, None, None, "X", "", "", "31/12/2025", "kanske"],  # row 9: dup, date, yes/no
        [None, None, "2.5 Lång", "", "", "", "Y" * 501, "", "", None, ""],  # row 10: too long
    ]
    broken = xlsx([[None, None, "0.1 Utan målområde", "", "", "", "", "", "", None, ""]] + rows)
    report = import_plan(upload=broken, programme=programme, dry_run=False)
    assert not report.ok and not report.applied
    texts = [e.as_dict()["text"] for e in report.errors]
    assert texts == [
        "Blad Plan, rad 2, kolumn A (Målområde): Målområde saknas (och det finns ingen rad ovanför att fortsätta).",
        'Blad Plan, rad 8, kolumn E (Ansvarig): Organisationen "Fritidsnämnden" finns inte.'
        " Välj ett av förslagen (sparas som annan stavning), markera namnet som extern part, eller lägg till organisationen under Organisationer.",
        'Blad Plan, rad 8, kolumn F (Samverkan): Organisationen "Polismyndigheten, Regionen" finns inte.'
        " Välj ett av förslagen (sparas som annan stavning), markera namnet som extern part, eller lägg till organisationen under Organisationer.",
        "Blad Plan, rad 9, kolumn J (Klart senast): Ogiltigt datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2025-12-31.",
        "Blad Plan, rad 9, kolumn K (Könsuppdelad): Skriv Ja eller Nej.",
        "Blad Plan, rad 9, kolumn G (Indikator): Indikatorn finns redan under samma aktivitet.",
        "Blad Plan, rad 10, kolumn G (Indikator): Texten är för lång (501 tecken, högst 500).",
    ]
    assert {u["name"] for u in report.as_dict()["unmatched_organisations"]} == {
        "Fritidsnämnden",
        "Polismyndigheten, Regionen",
        "Regionen",
    }
    assert plan_rows(programme) == before
    assert not Activity.objects.filter(number="2.4").exists()


def test_bad_dates_and_yes_no_are_reported_per_cell(orgs):
    rows = [["1 Mål", None, "1.1 A", "", "IFN", "", "Ind", "", "", "31/12/2025", "kanske"]]
    report = import_plan(upload=xlsx(rows), programme=new_programme(name="P", start_year=2022, end_year=2025))
    assert [str(e) for e in report.errors] == [
        "Blad Plan, rad 2, kolumn J (Klart senast): Ogiltigt datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2025-12-31.",
        "Blad Plan, rad 2, kolumn K (Könsuppdelad): Skriv Ja eller Nej.",
    ]
    assert not Programme.objects.exists()


def test_missing_organisations_can_be_created_on_request(orgs):
    rows = [["1 Mål", None, "1.1 A", "", "Fritidsnämnden", "Region Kronoberg", "Ind", "", "", None, ""]]
    programme = new_programme(name="P", start_year=2022, end_year=2025)
    report = import_plan(upload=xlsx(rows), programme=programme, dry_run=False, create_organisations=True)
    assert report.ok and report.new_organisations == ["Fritidsnämnden", "Region Kronoberg"]
    assert Organisation.objects.get(name="Fritidsnämnden").kind == "namnd"
    assert Activity.objects.get().co_responsible.get().kind == "extern"


def test_seed_style_headers_and_a_title_row_are_understood(orgs):
    """Kronoberg writes Insatser / Ansvarig / Samverkansparter / Uppföljning under a title row."""
    header = ["Delmål", "Insatser", "Ansvarig", "Samverkansparter", "Uppföljning", "Kommentar"]
    rows = [
        [
            "1 Minskad tillgång",
            "Initiera samordnad tillsyn",
            "Polisen",
            "Miljö- och konsumentnämnden",
            "Antal genomförda samordnade tillsynsinsatser",
            "intern",
        ]
    ]
    read = read_plan(xlsx(rows, header=header, sheet="Blad1", preamble=[["Aktivitetsplan 2022–2026"]]))
    assert read.ignored_headers == ["Kommentar"] and not read.errors
    report = import_plan(
        upload=xlsx(rows, header=header, preamble=[["Aktivitetsplan"]]),
        programme=new_programme(name="Kronoberg", start_year=2022, end_year=2026),
        dry_run=False,
    )
    assert report.ok, report.errors
    activity = Activity.objects.get()
    assert activity.number == "" and activity.title == "Initiera samordnad tillsyn"
    assert activity.indicators.get().text == "Antal genomförda samordnade tillsynsinsatser"


def test_a_file_without_the_activity_column_is_refused(orgs):
    report = import_plan(
        upload=xlsx([["1 Mål"]], header=["Målområde", "Vad"]),
        programme=Programme(name="P", start_year=2022, end_year=2025),
    )
    assert [str(e) for e in report.errors] == [
        "Blad Plan: Hittar ingen rubrikrad med kolumnen Aktivitet bland de tio första raderna."
    ]


def test_export_runs_in_a_fixed_number_of_queries(orgs, django_assert_max_num_queries):
    programme = new_programme(name="P", start_year=2022, end_year=2025)
    rows = vasteras_rows() * 1
    rows += [
        [None, None, f"2.{n} Aktivitet", "", "IFN", "Polis", f"Indikator {n}", "", "", None, "Ja"]
        for n in range(10, 60)
    ]
    assert import_plan(upload=xlsx(rows), programme=programme, dry_run=False).ok
    with django_assert_max_num_queries(8):
        export_plan(programme)


# --- over the API ---------------------------------------------------------------------------------


def upload(content, name="plan.xlsx"):
    return io.BytesIO(content) if name is None else _named(content, name)


def _named(content, name):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_api_template_check_import_and_export(api, orgs):
    programme = Programme.objects.create(name="Handlingsplan", start_year=2022, end_year=2025)
    template = api.get("/api/programmes/plan-template/")
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    headers = next(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert headers[:3] == ("Målområde", "Insatsområde", "Aktivitet")
    check = api.post(f"/api/programmes/{programme.pk}/plan/check/", {"file": upload(template.content)})
    assert check.status_code == 200, check.json()
    assert check.json()["created"]["indicators"] == 2 and not Activity.objects.exists()
    done = api.post(f"/api/programmes/{programme.pk}/plan/import/", {"file": upload(template.content)})
    assert done.status_code == 200 and done.json()["applied"] is True
    exported = api.get(f"/api/programmes/{programme.pk}/plan/")
    assert (
        exported.status_code == 200
        and 'filename="plan-handlingsplan.xlsx"' in exported["Content-Disposition"]
    )
    assert read_plan(exported.content).rows[0]["activity"] == "1.1 Effektiv och samordnad alkoholtillsyn"


def test_api_refuses_a_renamed_text_file_and_a_broken_plan(api, orgs):
    programme = Programme.objects.create(name="P", start_year=2022, end_year=2025)
    refused = api.post(f"/api/programmes/{programme.pk}/plan/import/", {"file": upload(b"hej;hopp\n")})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "Filen är inte en Excel-arbetsbok (.xlsx)."
    broken = xlsx([["1 Mål", None, "1.1 A", "", "Okänd nämnd", "", "", "", "", None, ""]])
    response = api.post(f"/api/programmes/{programme.pk}/plan/import/", {"file": upload(broken)})
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 2
    assert not GoalArea.objects.exists()


def test_reader_exports_but_cannot_import(reader, orgs):
    programme = Programme.objects.create(name="P", start_year=2022, end_year=2025)
    client = APIClient()
    client.force_authenticate(reader)
    assert client.get(f"/api/programmes/{programme.pk}/plan/").status_code == 200
    response = client.post(f"/api/programmes/{programme.pk}/plan/import/", {"file": upload(xlsx([]))})
    assert response.status_code == 403


def test_a_failure_while_writing_leaves_no_half_imported_plan(orgs, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Indicator.objects, "bulk_create", fail)
    programme = Programme.objects.create(name="P", start_year=2022, end_year=2025)
    with pytest.raises(RuntimeError):
        import_plan(upload=xlsx(vasteras_rows()), programme=programme, dry_run=False)
    assert not GoalArea.objects.exists() and not Activity.objects.exists()


def test_api_refuses_an_oversized_upload(api, orgs, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    programme = Programme.objects.create(name="P", start_year=2022, end_year=2025)
    big = xlsx(vasteras_rows() * 20)
    assert len(big) > 2048
    response = api.post(f"/api/programmes/{programme.pk}/plan/check/", {"file": upload(big)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Filen är för stor. Största tillåtna storlek är 2 kB."


def test_names_match_whatever_the_unicode_form_and_spacing(orgs):
    decomposed = "Individ-  och familjena\u0308mnden"  # "ä" as a + combining diaeresis, double space
    rows = [["1 Mål", None, "1.1 A", "", decomposed, "polisen.", "Ind", "", "", None, ""]]
    report = import_plan(
        upload=xlsx(rows), programme=new_programme(name="P", start_year=2022, end_year=2025), dry_run=False
    )
    assert report.ok, [str(e) for e in report.errors]
    activity = Activity.objects.get()
    assert activity.lead == orgs["Individ- och familjenämnden"]
    assert list(activity.co_responsible.all()) == [orgs["Polisen"]]


def test_too_many_rows_are_refused(orgs, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["1 Mål", None, f"1.{n} A", "", "IFN", "", "", "", "", None, ""] for n in range(5)]
    report = import_plan(upload=xlsx(rows), programme=new_programme(name="P", start_year=2022, end_year=2025))
    assert [str(e) for e in report.errors] == ["Blad Plan, rad 5: Bladet har för många rader; högst 3 läses."]
