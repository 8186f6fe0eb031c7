"""Activity reports (no index): per activity the share of responsible organisations per status, and
indicator values summed with their gender split."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from surveys.models import Response
from surveys.selectors_results import activity_report
from tests.scoring_helpers import make_round, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(demo):
    orgs = demo["organisations"]
    survey_round = make_round(demo["activity_version"], year=2030)
    submitted(
        survey_round,
        {
            "A1_2_1_STATUS": "genomford",
            "A1_2_1_IND1": {"flickor": 0, "pojkar": 0, "kvinnor": 300, "man": 200, "total": 500},
            "A1_1_1_STATUS": "delvis",
            "A1_1_1_IND1": 40,
        },
        organisation=orgs["Socialnämnden"],
    )
    submitted(
        survey_round,
        {
            "A1_2_1_STATUS": "delvis",
            "A1_2_1_IND1": {"kvinnor": 100, "man": 50, "total": 150},
        },
        organisation=orgs["Utbildningsnämnden"],
    )
    submitted(  # a draft counts for nothing yet
        survey_round,
        {"A1_2_1_STATUS": "ej_genomford", "A1_2_1_IND1": {"kvinnor": 999, "total": 999}},
        organisation=orgs["Polisen"],
        state=Response.State.DRAFT,
    )
    return survey_round


def _activity(report, number):
    return next(a for a in report["activities"] if a["activity"]["number"] == number)


def test_status_shares_of_the_responsible_organisations(reported):
    campaign = _activity(
        activity_report(reported), "1.2.1"
    )  # Socialnämnden leads; Utbildning and Polisen share
    assert campaign["responsible"] == 3
    assert campaign["status"]["genomford"] == {"count": 1, "share": 0.333}
    assert campaign["status"]["delvis"] == {"count": 1, "share": 0.333}
    assert campaign["status"]["ej_genomford"] == {"count": 0, "share": 0.0}
    assert campaign["not_reported"] == 1
    assert campaign["lead"] == "Socialnämnden"


def test_indicator_values_summed_with_gender_split(reported):
    report = activity_report(reported)
    parents = _activity(report, "1.2.1")["indicators"][0]
    assert parents["total"] == 650.0
    assert parents["gender"] == {"flickor": 0.0, "pojkar": 0.0, "kvinnor": 400.0, "man": 250.0}
    assert parents["reported_by"] == 2
    purchases = _activity(report, "1.1.1")["indicators"][0]
    assert purchases["total"] == 40.0 and purchases["gender"] is None


def test_activity_nobody_responsible_was_asked_about_has_no_shares(reported):
    leisure = _activity(activity_report(reported), "3.1.1")  # Kulturnämnden leads; not in this round
    assert leisure["responsible"] == 0
    assert leisure["status"]["genomford"]["share"] is None


def test_report_takes_a_fixed_number_of_queries(demo, reported):
    with CaptureQueriesContext(connection) as few:
        activity_report(reported)
    for name in ["Kulturnämnden", "Idrottsnämnden", "Arbetsmarknadsnämnden"]:
        submitted(reported, {"A3_1_1_STATUS": "genomford"}, organisation=demo["organisations"][name])
    with CaptureQueriesContext(connection) as many:
        report = activity_report(reported)
    assert len(many) == len(few) <= 12
    assert _activity(report, "3.1.1")["status"]["genomford"]["share"] == 1.0


def test_activity_report_over_the_api_for_staff_only(api, reported, demo):
    body = api.get(f"/api/results/rounds/{reported.pk}/activities/").json()
    assert _activity(body, "1.2.1")["indicators"][0]["gender"]["kvinnor"] == 400.0
    from tests.factories import UserFactory

    respondent = UserFactory(role="respondent", username="resp")
    respondent.organisations.add(demo["organisations"]["Socialnämnden"])
    client = APIClient()
    client.force_authenticate(respondent)
    assert client.get(f"/api/results/rounds/{reported.pk}/activities/").status_code == 403
