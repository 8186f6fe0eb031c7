"""Index results over the API: one assignment, a round's figures, trends over comparable years only,
and who may see what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from surveys.models import IndexResult, QuestionnaireVersion, ScoringScheme, SurveyRound
from surveys.services.scoring import compute_round_index
from tests.factories import UserFactory
from tests.scoring_helpers import make_round, max_answers, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_round(demo):
    """Three organisations: 100, 40 and 100."""
    v2 = demo["pi_v2"]
    survey_round = make_round(v2, year=2030, state=SurveyRound.State.CLOSED)
    orgs = demo["organisations"]
    full = max_answers(v2)
    a = submitted(survey_round, full, organisation=orgs["Bromma"])
    b = submitted(survey_round, max_answers(v2, categories=["struktur"]), organisation=orgs["Farsta"])
    c = submitted(survey_round, full, organisation=orgs["Skarpnäck"])
    compute_round_index(survey_round)
    return survey_round, a, b, c


def _respondent_for(organisation):
    user = UserFactory(role="respondent", username=f"resp{organisation.pk}")
    user.organisations.add(organisation)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_assignment_result_has_categories_capped_and_uncapped_and_rank(api, scored_round):
    _, _, farsta, _ = scored_round
    body = api.get(f"/api/results/assignments/{farsta.pk}/").json()
    assert body["scaled"] == 40.0 and body["total"] == 22.0 and body["max_total"] == 55.0
    assert (body["rank"], body["of"]) == (3, 3)
    cats = {c["code"]: c for c in body["categories"]}
    assert (cats["organisation"]["raw"], cats["organisation"]["capped"]) == (12.0, 10.0)
    assert cats["organisation"]["parent"] == "struktur"
    assert cats["aktiviteter"]["capped"] == 0.0
    assert body["preliminary"] is False


def test_round_figures_overall_and_per_category(api, scored_round):
    survey_round, *_ = scored_round
    body = api.get(f"/api/results/rounds/{survey_round.pk}/").json()
    assert body["n"] == 3
    assert body["scaled"] == {"n": 3, "mean": 80.0, "median": 100.0, "min": 40.0, "max": 100.0}
    cats = {c["code"]: c for c in body["categories"]}
    assert cats["aktiviteter"]["mean"] == 22.0 and cats["aktiviteter"]["min"] == 0.0
    assert cats["struktur"]["median"] == 22.0
    assert [r["rank"] for r in body["results"]] == [1, 1, 3]


def test_round_figures_take_a_fixed_number_of_queries(api, demo, scored_round):
    survey_round, *_ = scored_round
    with CaptureQueriesContext(connection) as few:
        api.get(f"/api/results/rounds/{survey_round.pk}/")
    for name in ["Södermalm", "Kungsholmen", "Bromma stadsdelsnämnd", "Farsta stadsdelsnämnd"]:
        submitted(survey_round, {"AKT_5": "ja"}, organisation=demo["organisations"][name])
    compute_round_index(survey_round)
    with CaptureQueriesContext(connection) as many:
        body = api.get(f"/api/results/rounds/{survey_round.pk}/").json()
    assert body["n"] == 7
    assert len(many) == len(few)


def test_trend_across_comparable_versions_in_year_order(api, demo):
    v2 = demo["pi_v2"]
    bromma = demo["organisations"]["Bromma"]
    v3 = QuestionnaireVersion.objects.create(
        questionnaire=v2.questionnaire, number=3, label="PI mini V3 (2027)"
    )
    v3.comparable_with.add(v2)
    later = make_round(v3, year=demo["last_round"].year + 2, state=SurveyRound.State.PUBLISHED)
    ScoringScheme.objects.create(version=v3)
    earlier = make_round(v2, year=demo["last_round"].year - 1, state=SurveyRound.State.PUBLISHED)
    for survey_round, scaled in ((later, 70), (earlier, 30)):
        assignment = submitted(survey_round, {}, organisation=bromma)
        IndexResult.objects.create(assignment=assignment, scheme=v2.scoring, total=1, scaled=scaled, rank=1)
    body = api.get(f"/api/results/organisations/{bromma.pk}/trend/?version={v2.pk}").json()
    years = [p["year"] for p in body["points"]]
    assert years == sorted(years) and len(years) == 3
    assert body["points"][0]["scaled"] == 30.0 and body["points"][-1]["scaled"] == 70.0
    assert body["points"][1]["mean_scaled"] is not None
    assert {v["label"] for v in body["versions"]} >= {"Preventionsindex mini – PI mini V3 (2027)"}


def test_trend_spanning_an_incomparable_version_is_refused_naming_them(api, demo):
    v1, v2 = demo["pi_v1"], demo["pi_v2"]
    bromma = demo["organisations"]["Bromma"]
    response = api.get(f"/api/results/organisations/{bromma.pk}/trend/?version={v1.pk},{v2.pk}")
    assert response.status_code == 400
    message = response.json()["detail"]
    assert "PI mini V1 (2018)" in message and "PI mini V2 (2023)" in message and "inte jämförbara" in message
    make_round(v1, year=2019, state=SurveyRound.State.PUBLISHED)
    questionnaire = v2.questionnaire_id
    response = api.get(
        f"/api/results/organisations/{bromma.pk}/trend/?questionnaire={questionnaire}&from_year=2018"
    )
    assert response.status_code == 400 and "PI mini V1 (2018)" in response.json()["detail"]


def test_respondent_sees_own_result_after_publish_and_nothing_of_others(demo):
    last = demo["last_round"]
    bromma = demo["organisations"]["Bromma"]
    client = _respondent_for(bromma)
    own = last.assignments.get(organisation=bromma)
    other = last.assignments.exclude(organisation=bromma).first()
    assert client.get(f"/api/results/assignments/{own.pk}/").status_code == 200
    assert client.get(f"/api/results/assignments/{other.pk}/").status_code == 404
    summary = client.get(f"/api/results/rounds/{last.pk}/").json()
    assert summary["n"] == 12 and "results" not in summary
    current = demo["current_round"]
    # an unpublished round looks like a missing one
    assert client.get(f"/api/results/rounds/{current.pk}/").status_code == 404
    farsta = demo["organisations"]["Farsta"]
    assert (
        client.get(f"/api/results/organisations/{farsta.pk}/trend/?version={last.version_id}").status_code
        == 404
    )
    trend = client.get(f"/api/results/organisations/{bromma.pk}/trend/?version={last.version_id}").json()
    assert [p["year"] for p in trend["points"]] == [last.year]


def test_respondent_does_not_see_an_unpublished_result_unless_preliminary_allowed(demo):
    survey_round = make_round(demo["pi_v2"], year=2031)
    bromma = demo["organisations"]["Bromma"]
    assignment = submitted(survey_round, {"AKT_5": "ja"}, organisation=bromma)
    compute_round_index(survey_round)
    client = _respondent_for(bromma)
    assert client.get(f"/api/results/assignments/{assignment.pk}/").status_code == 404
    survey_round.show_preliminary_result = True
    survey_round.save()
    body = client.get(f"/api/results/assignments/{assignment.pk}/").json()
    assert body["preliminary"] is True and body["total"] == 1.0


def test_anonymous_gets_nothing(demo):
    assert APIClient().get(f"/api/results/rounds/{demo['last_round'].pk}/").status_code in (401, 403)


def test_coordinator_recomputes_in_the_background_until_published(
    api, demo, django_capture_on_commit_callbacks
):
    current = demo["current_round"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/results/rounds/{current.pk}/compute/")
    assert response.status_code == 202
    assert IndexResult.objects.filter(assignment__round=current).count() == 3
    last = demo["last_round"]
    before = list(IndexResult.objects.filter(assignment__round=last).values_list("computed_at", flat=True))
    response = api.post(f"/api/results/rounds/{last.pk}/compute/")
    assert response.status_code == 409 and "publicerad" in response.json()["detail"]
    after = list(IndexResult.objects.filter(assignment__round=last).values_list("computed_at", flat=True))
    assert before == after


def test_reader_cannot_trigger_a_recompute(reader, demo):
    client = APIClient()
    client.force_authenticate(reader)
    assert client.post(f"/api/results/rounds/{demo['current_round'].pk}/compute/").status_code == 403
    assert client.get(f"/api/results/rounds/{demo['last_round'].pk}/").json()["n"] == 12


def test_unknown_round_is_404(api, db):
    assert api.get("/api/results/rounds/99999/").status_code == 404


def test_trend_takes_a_fixed_number_of_queries_whatever_the_years(api, demo):
    v2 = demo["pi_v2"]
    bromma = demo["organisations"]["Bromma"]
    url = f"/api/results/organisations/{bromma.pk}/trend/?version={v2.pk}"
    with CaptureQueriesContext(connection) as one_year:
        assert len(api.get(url).json()["points"]) == 1
    for year in (2015, 2016, 2017):
        survey_round = make_round(v2, year=year, state=SurveyRound.State.PUBLISHED)
        assignment = submitted(survey_round, {}, organisation=bromma)
        IndexResult.objects.create(assignment=assignment, scheme=v2.scoring, total=1, scaled=1)
    with CaptureQueriesContext(connection) as four_years:
        assert [p["year"] for p in api.get(url).json()["points"]][:3] == [2015, 2016, 2017]
    assert len(four_years) == len(one_year)


def test_trend_with_bad_parameters_is_a_clear_400(api, demo):
    bromma = demo["organisations"]["Bromma"]
    base = f"/api/results/organisations/{bromma.pk}/trend/"
    assert "version" in api.get(base).json()
    assert api.get(f"{base}?version=999999").json() == {"version": "Okänd version."}
    assert api.get(f"{base}?version=abc").status_code == 400
    assert (
        api.get(f"{base}?questionnaire={demo['pi_v2'].questionnaire_id}&from_year=tjugo").status_code == 400
    )


def test_recompute_while_the_broker_is_unreachable_says_so(api, demo, monkeypatch):
    from kombu.exceptions import OperationalError

    from workers import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.compute_round_index, "delay", broker_down)
    response = api.post(f"/api/results/rounds/{demo['current_round'].pk}/compute/")
    assert response.status_code == 503
    assert "Försök igen om en stund" in response.json()["detail"]


def test_a_respondent_user_gets_no_mean_or_rank_below_the_minimum_group_size(api, scored_round):
    """Three organisations and the default minimum of 5: a respondent user's API answers hold its own
    figures only and say why; staff still see everything."""
    survey_round, bromma, _, _ = scored_round
    SurveyRound.objects.filter(pk=survey_round.pk).update(state=SurveyRound.State.PUBLISHED)
    client = _respondent_for(bromma.organisation)
    own = client.get(f"/api/results/assignments/{bromma.pk}/").json()
    assert own["rank"] is None and own["scaled"] == 100.0 and "minst 5" in own["hidden"]
    summary = client.get(f"/api/results/rounds/{survey_round.pk}/").json()
    assert summary["n"] == 3 and summary["scaled"]["mean"] is None
    assert all(c["mean"] is None for c in summary["categories"]) and summary["hidden"]
    trend = client.get(
        f"/api/results/organisations/{bromma.organisation_id}/trend/?version={survey_round.version_id}"
    ).json()
    point = next(p for p in trend["points"] if p["round"]["id"] == survey_round.pk)
    assert point["mean_scaled"] is None and point["rank"] is None and point["scaled"] == 100.0
    assert api.get(f"/api/results/rounds/{survey_round.pk}/").json()["scaled"]["mean"] is not None
    SurveyRound.objects.filter(pk=survey_round.pk).update(min_group_size=3)
    assert client.get(f"/api/results/rounds/{survey_round.pk}/").json()["scaled"]["mean"] is not None
    assert client.get(f"/api/results/assignments/{bromma.pk}/").json()["rank"] == 1
