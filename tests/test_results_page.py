"""The respondent's result page: their index and categories beside the city mean, earlier comparable
years only, in Swedish, without JavaScript, with a bounded number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import IndexResult, SurveyRound
from surveys.services.tokens import issue_token
from tests.scoring_helpers import make_round, submitted

pytestmark = pytest.mark.django_db


def _login(client, demo, name="Bromma"):
    """Follow the organisation's magic link for the open round, as a respondent would."""
    assignment = demo["current_round"].assignments.get(organisation__name=name)
    raw = issue_token(assignment=assignment, contact=assignment.organisation.contacts.first())
    assert client.get(f"/l/{raw}/").status_code == 302
    return assignment.organisation


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_page_shows_own_index_beside_the_city_mean(client, demo):
    bromma = _login(client, demo)
    last = demo["last_round"]
    own = IndexResult.objects.get(assignment__round=last, assignment__organisation=bromma)
    response = client.get("/enkat/resultat/")
    assert response.status_code == 200
    text = _text(response)
    assert f"Resultat för {bromma.name}" in text
    assert f"Ert index är {str(own.scaled).replace('.', ',')} av 100" in text
    assert "stadens medelvärde är" in text
    for category in ("Struktur", "Samverkan", "Kunskap", "Aktiviteter"):
        assert category in text
    html = response.content.decode()
    assert "<script" not in html
    assert '<th scope="row">Struktur</th>' in html
    assert f"<caption>Index och områden {last.year}: er organisation" in html
    assert 'aria-hidden="true"' in html  # bars repeat the figures for the eye only


def test_earlier_years_only_from_comparable_versions(client, demo):
    bromma = _login(client, demo)
    v2_earlier = make_round(
        demo["pi_v2"], year=demo["last_round"].year - 1, state=SurveyRound.State.PUBLISHED
    )
    v1_round = make_round(demo["pi_v1"], year=demo["last_round"].year - 3, state=SurveyRound.State.PUBLISHED)
    for survey_round, scaled in ((v2_earlier, 12.5), (v1_round, 99.0)):
        assignment = submitted(survey_round, {}, organisation=bromma)
        IndexResult.objects.create(
            assignment=assignment, scheme=survey_round.version.scoring, total=1, scaled=scaled
        )
    text = _text(client.get("/enkat/resultat/"))
    assert f"{v2_earlier.year} 12,5" in text
    assert str(v1_round.year) not in text and "99,0" not in text


def test_page_without_published_results_says_so(client, demo):
    _login(client, demo)
    IndexResult.objects.all().delete()
    text = _text(client.get("/enkat/resultat/"))
    assert "Det finns inga publicerade resultat" in text


def test_unpublished_results_are_not_shown(client, demo):
    _login(client, demo)
    SurveyRound.objects.filter(pk=demo["last_round"].pk).update(state=SurveyRound.State.CLOSED)
    assert "Det finns inga publicerade resultat" in _text(client.get("/enkat/resultat/"))


def test_page_needs_the_magic_link_session(client, demo):
    response = client.get("/enkat/resultat/")
    assert response.status_code == 403
    assert "personliga länken" in response.content.decode()


def test_page_takes_a_fixed_number_of_queries(client, demo):
    _login(client, demo)
    with CaptureQueriesContext(connection) as before:
        client.get("/enkat/resultat/")
    survey_round = demo["last_round"]
    for name in ["Kommunstyrelsen", "Socialnämnden", "Polisen"]:
        assignment = submitted(survey_round, {}, organisation=demo["organisations"][name])
        IndexResult.objects.create(
            assignment=assignment, scheme=survey_round.version.scoring, total=1, scaled=2
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/enkat/resultat/")
    assert len(after) == len(before) <= 30
