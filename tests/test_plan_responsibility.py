"""Real plans in, the right questions out: names with commas, responsibility per indicator row, groups,
one rule for who answers what, frozen versions, help with names, and the workbook guards."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from rest_framework.test import APIClient

from exports.xlsx_safety import UnsafeWorkbook
from surveys.models import Activity, Indicator, Organisation, OrganisationAlias, Role, SurveyRound
from surveys.selectors import questions_for_assignment
from surveys.selectors_plan import programme_answerers
from surveys.services.activity_reports import generate_activity_version
from surveys.services.programmes import export_plan, import_plan, new_programme, plan_rows
from surveys.services.rounds import round_open_now
from tests import factories
from tests.plan_helpers import assert_one_rule, plan_xlsx

pytestmark = pytest.mark.django_db

IDROTT = "Nämnden för idrott, fritid och förebyggande"
NAMNDER = [
    IDROTT,
    "Individ- och familjenämnden",
    "Grundskolenämnden",
    "Utbildnings- och arbetsmarknadsnämnden",
    "Kulturnämnden",
    "Skultuna kommunalnämnd",
]


@pytest.fixture
def orgs():
    made = {n: factories.OrganisationFactory(name=n, kind="namnd") for n in NAMNDER}
    made["Stadsledningsförvaltningen"] = factories.OrganisationFactory(
        name="Stadsledningsförvaltningen", kind="forvaltning"
    )
    return made


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(factories.UserFactory(role=Role.COORDINATOR))
    return client


def row(**cells):
    return cells


def names_of(programme, activity_number, indicator_text=None):
    answerers = programme_answerers(programme_id=programme.pk)
    activity = Activity.objects.get(goal_area__programme=programme, number=activity_number)
    if indicator_text is None:
        who = answerers.activities[activity.pk]
    else:
        who = answerers.indicators[activity.indicators.get(text=indicator_text).pk]
    return {Organisation.objects.get(pk=pk).name: role for pk, role in who.items()}


def imported(rows, **options):
    programme = new_programme(name="Plan", start_year=2022, end_year=2025)
    report = import_plan(upload=plan_xlsx(rows), programme=programme, dry_run=False, **options)
    assert report.ok, [e["text"] for e in report.as_dict()["errors"]]
    return programme, report


# 1. Names with commas ------------------------------------------------------------------------------


def test_a_name_with_commas_survives_in_a_list_of_several(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål", activity="1.1 A", lead=IDROTT, co=f"Grundskolenämnden, {IDROTT}, Kulturnämnden"
            ),
            row(goal="1 Mål", activity="1.2 B", lead="Kulturnämnden", co=f"{IDROTT}\nGrundskolenämnden"),
            row(goal="1 Mål", activity="1.3 C", lead="Kulturnämnden", co=f"{IDROTT};Grundskolenämnden"),
        ]
    )
    assert names_of(programme, "1.1") == {IDROTT: "lead", "Grundskolenämnden": "co", "Kulturnämnden": "co"}
    for number in ("1.2", "1.3"):
        assert names_of(programme, number) == {
            "Kulturnämnden": "lead",
            IDROTT: "co",
            "Grundskolenämnden": "co",
        }


def test_create_missing_never_creates_an_organisation_from_a_fragment(orgs):
    before = Organisation.objects.count()
    programme, report = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 A",
                lead="Kulturnämnden",
                co=f"{IDROTT}, Nämnden för okänt, ny och annan",
            )
        ],
        create_organisations=True,
    )
    # The unknown list is one new name as written, never "fritid" or "och förebyggande".
    assert report.new_organisations == [f"{IDROTT}, Nämnden för okänt, ny och annan"]
    assert Organisation.objects.count() == before + 1
    assert not Organisation.objects.filter(
        name__in=["fritid", "och förebyggande", "Nämnden för idrott"]
    ).exists()


def test_the_plan_export_reimports_unchanged_with_names_holding_commas(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 A",
                lead=IDROTT,
                co="Grundskolenämnden; Kulturnämnden",
                indicator="Antal",
                gender_split="Nej",
            ),
            row(
                indicator="Andel", indicator_lead="Grundskolenämnden", indicator_co=IDROTT, gender_split="Ja"
            ),
        ]
    )
    content = export_plan(programme)
    copy = new_programme(name="Kopia", start_year=2022, end_year=2025)
    report = import_plan(upload=content, programme=copy, dry_run=False)
    assert report.ok and not report.errors, report.as_dict()["errors"]
    assert plan_rows(copy) == plan_rows(programme)
    again = import_plan(upload=content, programme=programme, dry_run=True)
    assert again.ok and sum(again.changed.values()) == 0 and sum(again.created.values()) == 0


# 2 and 3. Responsibility per indicator row ---------------------------------------------------------


def test_the_lead_of_an_indicator_is_asked_even_when_it_is_the_activitys_lead(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 Stöd",
                lead="Individ- och familjenämnden",
                co="Grundskolenämnden",
                indicator="Antal grupper",
                gender_split="Nej",
            ),
            # Its own row: the same lead as the activity, another Samverkan.
            row(
                lead="Individ- och familjenämnden",
                co="Kulturnämnden",
                indicator="Antal barn",
                gender_split="Ja",
            ),
            # The indicator columns name the activity's lead explicitly.
            row(
                indicator="Antal föräldrar", indicator_lead="Individ- och familjenämnden", gender_split="Nej"
            ),
        ]
    )
    assert names_of(programme, "1.1", "Antal barn") == {
        "Individ- och familjenämnden": "lead",
        "Kulturnämnden": "co",
    }
    foraldrar = Indicator.objects.get(text="Antal föräldrar")
    assert foraldrar.lead.name == "Individ- och familjenämnden" and not foraldrar.inherits_responsibility
    assert names_of(programme, "1.1", "Antal föräldrar") == {"Individ- och familjenämnden": "lead"}
    # The first row inherits the activity's lead and Samverkan.
    assert names_of(programme, "1.1", "Antal grupper") == {
        "Individ- och familjenämnden": "lead",
        "Grundskolenämnden": "co",
    }
    assert Indicator.objects.get(text="Antal grupper").inherits_responsibility


def test_a_row_naming_its_lead_with_an_empty_samverkan_has_no_co_responsible(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 Stöd",
                lead="Individ- och familjenämnden",
                co=f"Grundskolenämnden, Kulturnämnden, {IDROTT}",
                indicator="Antal grupper",
                gender_split="Nej",
            ),
            row(lead="Grundskolenämnden", indicator="Elevhälsans plan känd", gender_split="Nej"),
            row(indicator="Antal ledare", indicator_lead="Kulturnämnden", gender_split="Nej"),
        ]
    )
    assert names_of(programme, "1.1", "Elevhälsans plan känd") == {"Grundskolenämnden": "lead"}
    assert names_of(programme, "1.1", "Antal ledare") == {"Kulturnämnden": "lead"}


# 4. Groups -----------------------------------------------------------------------------------------


def test_alla_namnder_as_lead_makes_every_namnd_lead_and_exports_as_written(orgs):
    programme, report = imported(
        [
            row(
                goal="4 Mål",
                activity="4.2 Riktlinjer",
                lead="Alla nämnder",
                co="Samtliga förvaltningar",
                indicator="Antal APT",
                gender_split="Nej",
            ),
        ]
    )
    activity = Activity.objects.get(number="4.2")
    assert activity.lead is None and activity.lead_group == "Alla nämnder"
    assert not report.warnings
    later = factories.OrganisationFactory(name="Förskolenämnden", kind="namnd")
    who = names_of(programme, "4.2", "Antal APT")
    assert who == {n: "lead" for n in NAMNDER + ["Förskolenämnden"]} | {"Stadsledningsförvaltningen": "co"}
    exported = plan_rows(programme)[0]
    assert (exported["lead"], exported["co"]) == ("Alla nämnder", "Samtliga förvaltningar")
    version = generate_activity_version(programme)
    survey_round = factories.SurveyRoundFactory(version=version, programme=programme)
    assignment = factories.AssignmentFactory(round=survey_round, organisation=later)
    assert {q.code for q in questions_for_assignment(assignment)} == {
        "A4_2_STATUS",
        "A4_2_IND1",
        "A4_2_KOMMENTAR",
    }


# 5. One rule ---------------------------------------------------------------------------------------


def test_api_filters_questionnaire_pages_sheet_and_results_agree_for_every_organisation(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 A",
                lead="Individ- och familjenämnden",
                co="Grundskolenämnden",
                indicator="I1",
                gender_split="Nej",
            ),
            row(lead="Individ- och familjenämnden", co="Kulturnämnden", indicator="I2", gender_split="Nej"),
            row(lead="Kulturnämnden", indicator="I3", gender_split="Nej"),
            row(goal="1 Mål", activity="1.2 B", lead="Samtliga nämnder", indicator="I4", gender_split="Nej"),
            row(goal="2 Mål", activity="2.1 C", lead=IDROTT, co="Alla förvaltningar"),
        ]
    )
    assert_one_rule(programme)


# 6. Frozen versions --------------------------------------------------------------------------------


@pytest.fixture
def opened(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 A",
                lead="Individ- och familjenämnden",
                co="Grundskolenämnden",
                indicator="I1",
                gender_split="Nej",
            ),
            row(goal="1 Mål", activity="1.2 B", lead="Kulturnämnden", indicator="I2", gender_split="Nej"),
        ]
    )
    version = generate_activity_version(programme)
    survey_round = factories.SurveyRoundFactory(
        version=version,
        programme=programme,
        name="Uppföljning 2025",
        year=2025,
        state=SurveyRound.State.DRAFT,
    )
    assignments = {
        name: factories.AssignmentFactory(round=survey_round, organisation=orgs[name])
        for name in ("Individ- och familjenämnden", "Grundskolenämnden", "Kulturnämnden")
    }
    round_open_now(survey_round=survey_round, now=survey_round.opens_at)
    return programme, survey_round, assignments


def codes(assignment):
    return sorted(q.code for q in questions_for_assignment(assignment))


def test_deleting_an_activity_of_an_opened_round_is_refused_naming_the_round(opened, api):
    programme, survey_round, assignments = opened
    before = {name: codes(a) for name, a in assignments.items()}
    activity = Activity.objects.get(number="1.1")
    response = api.delete(f"/api/activities/{activity.pk}/")
    assert response.status_code == 409
    assert "Uppföljning 2025 (2025)" in response.json()["detail"] and "arkiveras" in response.json()["detail"]
    indicator = Indicator.objects.get(text="I1")
    assert api.delete(f"/api/indicators/{indicator.pk}/").status_code == 409
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert {name: codes(a) for name, a in assignments.items()} == before
    assert "A1_1_STATUS" not in before["Kulturnämnden"]


def test_plan_edits_after_opening_never_change_what_the_round_asks(opened, orgs):
    programme, survey_round, assignments = opened
    before = {name: codes(a) for name, a in assignments.items()}
    a11 = Activity.objects.get(number="1.1")
    a11.lead = orgs["Kulturnämnden"]
    a11.save()
    a11.co_responsible.set([orgs["Kulturnämnden"]])
    orgs["Grundskolenämnden"].name = "Grundskolenämnden (ny)"
    orgs["Grundskolenämnden"].save()
    Indicator.objects.filter(text="I2").update(inherits_responsibility=False, lead=orgs["Grundskolenämnden"])
    assert {name: codes(a) for name, a in assignments.items()} == before


def test_the_import_lists_rows_missing_from_the_file_and_archives_them_on_request(opened):
    programme, survey_round, assignments = opened
    only_first = plan_xlsx(
        [
            row(
                goal="1 Mål",
                activity="1.1 A",
                lead="Individ- och familjenämnden",
                co="Grundskolenämnden",
                indicator="I1",
                gender_split="Nej",
            )
        ]
    )
    check = import_plan(upload=only_first, programme=programme, dry_run=True)
    assert check.not_in_file == ["Aktivitet 1.2 B"]
    report = import_plan(upload=only_first, programme=programme, dry_run=False, archive_missing=True)
    assert report.ok and report.archived == ["Aktivitet 1.2 B"]
    assert Activity.objects.get(number="1.2").archived_at is not None
    assert [r["activity"] for r in plan_rows(programme)] == ["1.1 A"]
    # The opened round still asks Kulturnämnden about 1.2.
    assert "A1_2_STATUS" in codes(assignments["Kulturnämnden"])
    assert "A1_2_STATUS" not in {q.code for q in generate_activity_version(programme).questions.all()}


# 7. Help with names --------------------------------------------------------------------------------


def test_an_unknown_name_gets_the_nearest_organisation_with_a_score_and_accepting_it_saves_an_alias(
    orgs, api
):
    content = plan_xlsx(
        [
            row(
                goal="3 Mål",
                activity="3.3 Coacher",
                lead=IDROTT,
                co="Grundskolenämnden, Skultuna kommunalnämnden",
            )
        ]
    )
    programme = factories.ProgrammeFactory()
    first = api.post(
        f"/api/programmes/{programme.pk}/plan/check/",
        {"file": io.BytesIO(content)},
        format="multipart",
    ).json()
    entry = next(u for u in first["unmatched_organisations"] if u["name"] == "Skultuna kommunalnämnden")
    best = entry["suggestions"][0]
    assert best["name"] == "Skultuna kommunalnämnd" and best["score"] >= 85 and entry["proposal"] == "alias"
    saved = api.post(
        "/api/organisation-aliases/",
        {"name": "Skultuna kommunalnämnden", "organisation": best["organisation"]},
    )
    assert saved.status_code == 201
    again = api.post(
        f"/api/programmes/{programme.pk}/plan/import/", {"file": io.BytesIO(content)}, format="multipart"
    ).json()
    assert again["ok"], again["errors"]
    assert names_of(programme, "3.3") == {
        IDROTT: "lead",
        "Grundskolenämnden": "co",
        "Skultuna kommunalnämnd": "co",
    }


def test_an_external_partner_is_proposed_kept_on_the_row_and_never_asked(orgs):
    content = plan_xlsx(
        [
            row(
                goal="2 Mål",
                activity="2.1 BIG",
                lead="Individ- och familjenämnden",
                co=f"{IDROTT}\nRegionen (BUP)",
                indicator="Antal grupper",
                gender_split="Nej",
            )
        ]
    )
    programme = new_programme(name="Plan", start_year=2022, end_year=2025)
    check = import_plan(upload=content, programme=programme, dry_run=True)
    entry = check.as_dict()["unmatched_organisations"][0]
    assert (entry["name"], entry["proposal"]) == ("Regionen (BUP)", "partner")
    OrganisationAlias.objects.create(name="Regionen (BUP)", key="regionen (bup)", is_partner=True)
    report = import_plan(upload=content, programme=programme, dry_run=False)
    assert report.ok and list(report.partners) == ["Regionen (BUP)"]
    activity = Activity.objects.get(number="2.1")
    assert activity.partners == ["Regionen (BUP)"]
    assert plan_rows(programme)[0]["co"] == f"{IDROTT}; Regionen (BUP)"
    assert set(names_of(programme, "2.1")) == {"Individ- och familjenämnden", IDROTT}
    assert not Organisation.objects.filter(name__icontains="Regionen").exists()


# 8. Workbook guards --------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(orgs):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Målområde", "Aktivitet", "Ansvarig"])
    ws.append(["1 Mål", "1.1 A", '=IF(1,"Kulturnämnden","")'])
    out = io.BytesIO()
    wb.save(out)
    report = import_plan(
        upload=out.getvalue(), programme=new_programme(name="P", start_year=2022, end_year=2025)
    )
    assert not report.ok
    assert any("Plan!C2" in e["text"] and "formel" in e["text"] for e in report.as_dict()["errors"])


def test_a_doctype_anywhere_in_an_xml_part_is_refused(orgs):
    content = plan_xlsx([row(goal="1 Mål", activity="1.1 A", lead="Kulturnämnden")])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # Past the first 4 KB and split over the boundary of two 64 KB chunks.
                at = data.index(b"</worksheet>")
                data = data[:at] + b" " * (65536 - at - 4) + b"<!DOCTYPE x []>" + data[at:]
            target.writestr(item, data)
    with pytest.raises(UnsafeWorkbook) as refused:
        import_plan(upload=out.getvalue(), programme=new_programme(name="P", start_year=2022, end_year=2025))
    assert "otillåtna XML" in refused.value.message


def test_due_dates_and_gender_split_still_read_as_before(orgs):
    programme, _ = imported(
        [
            row(
                goal="1 Mål",
                activity="1.1 A",
                lead="Kulturnämnden",
                indicator="I",
                due_date=datetime.date(2025, 12, 31),
                gender_split="Ja",
            )
        ]
    )
    indicator = Indicator.objects.get(text="I")
    assert indicator.due_date == datetime.date(2025, 12, 31) and indicator.gender_split
