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


def _keep(demo, n, minimum=None):
    """The demo's published round with only `n` organisations' results (Bromma among them)."""
    survey_round = demo["last_round"]
    results = IndexResult.objects.filter(assignment__round=survey_round)
    keep = [results.get(assignment__organisation__name="Bromma").pk] + list(
        results.exclude(assignment__organisation__name="Bromma").values_list("pk", flat=True)[: n - 1]
    )
    results.exclude(pk__in=keep).delete()
    if minimum is not None:
        SurveyRound.objects.filter(pk=survey_round.pk).update(min_group_size=minimum)
    assert results.count() == n


def _first_table(response):
    html = response.content.decode()
    return html[html.index('<table class="bars">') : html.index("</table>")]


@pytest.mark.parametrize("n, minimum", [(2, None), (9, 10)])
def test_too_few_organisations_hide_the_mean_category_means_and_rank(client, demo, n, minimum):
    """With 2 organisations one could compute the other's scores; with 9 and a minimum of 10 the last
    would learn it came 9th. Only the organisation's own figures are shown, and the page says why."""
    _login(client, demo)
    _keep(demo, n, minimum)
    response = client.get("/enkat/resultat/")
    text = _text(response)
    assert "stadens medelvärde är" not in text
    assert "plats" not in text
    assert f"bara {n} organisationer har ett resultat" in text
    assert f"när minst {minimum or 5} organisationer" in text
    table = _first_table(response)
    assert "Stadens medel" not in table and "bar mean" not in table
    others = IndexResult.objects.filter(assignment__round=demo["last_round"]).exclude(
        assignment__organisation__name="Bromma"
    )
    mean = sum(float(r.scaled) for r in IndexResult.objects.filter(assignment__round=demo["last_round"])) / n
    assert f"{mean:.1f}".replace(".", ",") not in table
    assert others.exists()


def test_enough_organisations_show_the_mean_and_rank(client, demo):
    bromma = _login(client, demo)
    _keep(demo, 9)
    response = client.get("/enkat/resultat/")
    text = _text(response)
    own = IndexResult.objects.get(assignment__round=demo["last_round"], assignment__organisation=bromma)
    assert "stadens medelvärde är" in text and "9 organisationer svarade" in text
    assert f"ni kom på plats {own.rank}" in text
    assert "Stadens medel" in _first_table(response)
    assert "visas inte" not in text


def test_minimum_group_size_defaults_to_the_setting(settings, demo):
    from tests.scoring_helpers import make_round

    settings.RESULTS_MIN_GROUP_SIZE = 7
    assert make_round(demo["pi_v2"], year=2040).min_group_size == 7


def test_overview_links_to_the_results_page_once_results_are_published(client, demo):
    _login(client, demo)
    assignment = demo["current_round"].assignments.get(organisation__name="Bromma")
    html = client.get(f"/enkat/{assignment.pk}/").content.decode()
    assert 'href="/enkat/resultat/"' in html
    SurveyRound.objects.filter(pk=demo["last_round"].pk).update(state=SurveyRound.State.CLOSED)
    assert 'href="/enkat/resultat/"' not in client.get(f"/enkat/{assignment.pk}/").content.decode()


def test_receipt_links_to_the_results_page(client, demo):
    from surveys.services import responses

    _login(client, demo)
    assignment = demo["current_round"].assignments.get(organisation__name="Bromma")
    response = responses.response_for_assignment(assignment)
    response.state, response.submitted_at = "submitted", demo["current_round"].opens_at
    response.save()
    html = client.get(f"/enkat/{assignment.pk}/kvitto/").content.decode()
    assert 'href="/enkat/resultat/"' in html


def test_publishing_tells_every_contact_where_the_results_are(
    demo, settings, django_capture_on_commit_callbacks
):
    from surveys.models import OutboundEmail
    from surveys.services.rounds import round_publish

    survey_round = make_round(demo["pi_v2"], year=2041, state=SurveyRound.State.CLOSED)
    bromma = demo["organisations"]["Bromma"]
    submitted(survey_round, {}, organisation=bromma)
    with django_capture_on_commit_callbacks(execute=True):
        round_publish(survey_round=survey_round)
    mails = OutboundEmail.objects.filter(round=survey_round, kind=OutboundEmail.Kind.RESULTS)
    assert mails.count() == bromma.contacts.filter(is_active=True).count() >= 1
    assert all(f"{settings.SITE_URL}/enkat/resultat/" in m.body for m in mails)
    with django_capture_on_commit_callbacks(execute=True):
        pass
    assert OutboundEmail.objects.filter(round=survey_round, kind="results").count() == mails.count()
