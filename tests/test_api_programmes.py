"""The programme over the API: staff read and write, filters answer "what is X responsible for?"."""

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    """Two activities led by IFN, one shared by IFN, one with only an indicator shared by IFN, one not."""
    ifn = factories.OrganisationFactory(name="Individ- och familjenämnden", kind="namnd")
    gsn = factories.OrganisationFactory(name="Grundskolenämnden", kind="namnd")
    programme = factories.ProgrammeFactory()
    goal = factories.GoalAreaFactory(programme=programme, number="1")
    led1 = factories.ActivityFactory(goal_area=goal, number="1.1", lead=ifn)
    led2 = factories.ActivityFactory(goal_area=goal, number="1.2", lead=ifn)
    shared = factories.ActivityFactory(goal_area=goal, number="1.3", lead=gsn)
    shared.co_responsible.add(ifn)
    via_indicator = factories.ActivityFactory(goal_area=goal, number="1.4", lead=gsn)
    indicator = factories.IndicatorFactory(activity=via_indicator)
    indicator.co_responsible.add(ifn)
    other = factories.ActivityFactory(goal_area=goal, number="1.5", lead=gsn)
    factories.IndicatorFactory(activity=other)
    return {
        "ifn": ifn,
        "gsn": gsn,
        "programme": programme,
        "goal": goal,
        "led": [led1, led2],
        "shared": shared,
        "via_indicator": via_indicator,
        "other": other,
    }


def numbers(response):
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_activities_an_organisation_leads_or_shares(api, plan):
    ifn = plan["ifn"].pk
    assert numbers(api.get(f"/api/activities/?organisation={ifn}")) == ["1.1", "1.2", "1.3", "1.4"]
    assert numbers(api.get(f"/api/activities/?organisation={ifn}&responsibility=lead")) == ["1.1", "1.2"]
    assert numbers(api.get(f"/api/activities/?organisation={ifn}&responsibility=shared")) == ["1.3", "1.4"]
    assert numbers(api.get(f"/api/activities/?lead={plan['gsn'].pk}")) == ["1.3", "1.4", "1.5"]


def test_indicators_filter_by_organisation_through_their_activity(api, plan):
    response = api.get(f"/api/indicators/?organisation={plan['ifn'].pk}")
    assert [row["activity"] for row in response.json()["results"]] == [plan["via_indicator"].pk]


def test_programme_filter_by_year(api, plan):
    factories.ProgrammeFactory(name="Gammal plan", start_year=2017, end_year=2018)
    names = [p["name"] for p in api.get("/api/programmes/?year=2018").json()["results"]]
    assert names == ["Gammal plan"]


def test_coordinator_builds_a_programme_over_the_api(api, plan):
    ifn, gsn = plan["ifn"], plan["gsn"]
    programme = api.post(
        "/api/programmes/",
        {"name": "Handlingsplan ANDTS", "start_year": 2022, "end_year": 2025},
        format="json",
    ).json()
    goal = api.post("/api/goal-areas/", {"programme": programme["id"], "number": "2", "title": "Barn"}).json()
    focus = api.post("/api/focus-areas/", {"goal_area": goal["id"], "number": "2.1", "title": "Stöd"}).json()
    activity = api.post(
        "/api/activities/",
        {
            "goal_area": goal["id"],
            "focus_area": focus["id"],
            "number": "2.1",
            "title": "Stödgrupper",
            "frequency": "Fyra gånger per år",
            "lead": ifn.pk,
            "co_responsible": [gsn.pk],
        },
        format="json",
    )
    assert activity.status_code == 201, activity.content
    indicator = api.post(
        "/api/indicators/",
        {
            "activity": activity.json()["id"],
            "text": "Antal barn i stödgrupp",
            "unit": "personer",
            "target": "100",
            "due_date": "2025-12-31",
            "gender_split": True,
        },
        format="json",
    )
    assert indicator.status_code == 201, indicator.content
    listed = api.get(f"/api/activities/?programme={programme['id']}").json()["results"]
    assert listed[0]["lead_name"] == "Individ- och familjenämnden"
    assert listed[0]["co_responsible"] == [gsn.pk]
    assert listed[0]["indicators"][0]["gender_split"] is True


def test_focus_area_of_another_goal_area_is_refused(api, plan):
    other_goal = factories.GoalAreaFactory(programme=plan["programme"], number="9")
    focus = factories.FocusAreaFactory(goal_area=other_goal)
    response = api.post(
        "/api/activities/",
        {"goal_area": plan["goal"].pk, "focus_area": focus.pk, "title": "X"},
        format="json",
    )
    assert response.status_code == 400
    assert "annat målområde" in response.json()["focus_area"][0]


def test_programme_period_must_be_in_order(api):
    response = api.post(
        "/api/programmes/", {"name": "P", "start_year": 2026, "end_year": 2023}, format="json"
    )
    assert response.status_code == 400 and "end_year" in response.json()


def test_programme_ending_in_year_zero_is_refused_not_a_server_error(api):
    response = api.post("/api/programmes/", {"name": "P", "start_year": 2026, "end_year": 0}, format="json")
    assert response.status_code == 400
    assert "1900" in response.json()["end_year"][0]


def test_programme_year_beyond_the_column_is_refused(api):
    response = api.post(
        "/api/programmes/", {"name": "P", "start_year": 9223372036854775806, "end_year": 2030}, format="json"
    )
    assert response.status_code == 400
    assert "2200" in response.json()["start_year"][0]


def test_indicator_without_lead_keeps_lead_name_null_after_a_patch(api, plan):
    indicator = plan["other"].indicators.get()
    response = api.patch(f"/api/indicators/{indicator.pk}/", {"unit": "st"}, format="json")
    assert response.status_code == 200
    assert response.json()["lead_name"] is None


def test_a_huge_page_limit_is_capped_not_a_server_error(api, plan):
    response = api.get("/api/activities/?limit=53089237506562828040929280")
    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_reader_reads_programmes_but_cannot_change_them(reader, plan):
    client = APIClient()
    client.force_authenticate(reader)
    assert client.get("/api/activities/").status_code == 200
    assert (
        client.post(
            "/api/goal-areas/", {"programme": plan["programme"].pk, "number": "7", "title": "X"}
        ).status_code
        == 403
    )
    assert client.delete(f"/api/activities/{plan['other'].pk}/").status_code == 403


def test_respondent_sees_no_programme():
    client = APIClient()
    client.force_authenticate(factories.UserFactory(role="respondent", username="resp"))
    assert client.get("/api/programmes/").status_code == 403
    assert client.get("/api/activities/").status_code == 403


def test_activity_list_query_count_does_not_grow_with_the_plan(api, plan, django_assert_max_num_queries):
    for i in range(30):
        activity = factories.ActivityFactory(goal_area=plan["goal"], number=f"2.{i}")
        activity.co_responsible.add(plan["ifn"], plan["gsn"])
        for _ in range(3):
            factories.IndicatorFactory(activity=activity).co_responsible.add(plan["gsn"])
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/activities/?programme={plan['programme'].pk}")
    assert response.json()["count"] == 35
    with django_assert_max_num_queries(11):
        response = api.get(f"/api/indicators/?organisation={plan['gsn'].pk}")
    assert response.json()["count"] == 92


@pytest.mark.parametrize(
    "query", ["/api/activities/?organisation=", "/api/indicators/?programme=", "/api/focus-areas/?programme="]
)
def test_an_id_filter_past_the_id_range_is_refused_not_a_server_error(api, query):
    response = api.get(f"{query}{10**30}")
    assert response.status_code == 400
    assert "9223372036854775807" in str(response.json())
