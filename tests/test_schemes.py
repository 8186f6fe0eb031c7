"""Scheme problems in Swedish, and the scheme editable over the API only while its version is open."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import QuestionnaireVersion, ScoringCategory, ScoringRule, ScoringScheme
from surveys.services.schemes import scheme_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_version(demo):
    """PI mini V3 being prepared: not frozen, so its scoring may still change."""
    v2 = demo["pi_v2"]
    return QuestionnaireVersion.objects.create(questionnaire=v2.questionnaire, number=3, label="V3 utkast")


def _messages(version):
    return [p.message for p in scheme_problems(version)]


def test_the_demo_schemes_have_no_problems(demo):
    assert scheme_problems(demo["pi_v2"]) == []
    assert scheme_problems(demo["pi_v1"]) == []
    assert _messages(demo["activity_version"]) == [
        f"Versionen {demo['activity_version']} saknar poängsättning."
    ]


def test_problems_are_listed_in_swedish(demo):
    v2 = demo["pi_v2"]
    scheme = v2.scoring
    kunskap = ScoringCategory.objects.get(scheme=scheme, code="kunskap")
    kunskap.cap = 30  # its questions give at most 8, and struktur is only 22
    kunskap.save()
    ScoringCategory.objects.create(scheme=scheme, code="tom", name="Tom", cap=5)
    ScoringRule.objects.filter(scheme=scheme, question__code="ORG_4").delete()
    ScoringRule.objects.create(
        scheme=scheme,
        question=v2.questions.get(code="SAM_2"),
        category=ScoringCategory.objects.get(scheme=scheme, code="samverkan"),
        option_code="varje_dag",
        points=1,
    )
    messages = _messages(v2)
    assert "Kategorin kunskap kan som mest ge 8 poäng men har taket 30." in messages
    assert "Kategorin kunskap har taket 30, högre än överkategorin struktur (22)." in messages
    assert "Kategorin tom har varken frågor med poäng eller underkategorier." in messages
    assert "Frågan ORG_4 ger inga poäng och hör inte till någon kategori." in messages
    assert "Regeln för SAM_2 gäller svarskoden ”varje_dag” som frågan inte har." in messages


def test_problems_over_the_api(api, demo):
    scheme = demo["pi_v2"].scoring
    response = api.get(f"/api/scoring/schemes/{scheme.pk}/problems/")
    assert response.status_code == 200
    assert response.json() == {"problems": []}


def test_frozen_version_refuses_changes_with_a_clear_message(api, demo):
    scheme = demo["pi_v2"].scoring  # frozen: the demo rounds use it
    category = ScoringCategory.objects.get(scheme=scheme, code="kunskap")
    response = api.patch(f"/api/scoring/categories/{category.pk}/", {"cap": "7"}, format="json")
    assert response.status_code == 409
    assert "låst" in response.json()["detail"]
    category.refresh_from_db()
    assert category.cap == 6
    rule = ScoringRule.objects.filter(scheme=scheme).first()
    assert api.delete(f"/api/scoring/rules/{rule.pk}/").status_code == 409
    assert ScoringRule.objects.filter(pk=rule.pk).exists()


def test_coordinator_builds_a_scheme_on_an_open_version(api, draft_version):
    from surveys.models import Question, Section

    section = Section.objects.create(version=draft_version, order=1, title="Struktur")
    question = Question.objects.create(
        version=draft_version, section=section, order=1, code="ORG_1", text="Plan?", type="yes_no"
    )
    scheme = api.post("/api/scoring/schemes/", {"version": draft_version.pk, "name": "V3"}, format="json")
    assert scheme.status_code == 201, scheme.content
    scheme_id = scheme.json()["id"]
    parent = api.post(
        "/api/scoring/categories/", {"scheme": scheme_id, "code": "struktur", "name": "Struktur", "cap": "5"}
    ).json()
    child = api.post(
        "/api/scoring/categories/",
        {"scheme": scheme_id, "code": "org", "name": "Org", "cap": "1", "parent": parent["id"]},
    ).json()
    rule = api.post(
        "/api/scoring/rules/",
        {
            "scheme": scheme_id,
            "question": question.pk,
            "category": child["id"],
            "option_code": "ja",
            "points": "1",
        },
    )
    assert rule.status_code == 201, rule.content
    both = api.post(
        "/api/scoring/rules/",
        {
            "scheme": scheme_id,
            "question": question.pk,
            "category": child["id"],
            "option_code": "nej",
            "min_value": "3",
            "points": "1",
        },
    )
    assert both.status_code == 400
    again = api.post(
        "/api/scoring/rules/",
        {
            "scheme": scheme_id,
            "question": question.pk,
            "category": child["id"],
            "option_code": "ja",
            "points": "2",
        },
    )
    assert again.status_code == 400 and "redan" in str(again.json())
    problems = api.get(f"/api/scoring/schemes/{scheme_id}/problems/").json()["problems"]
    assert [p["kind"] for p in problems] == ["cap_unreachable"]  # struktur ≤ 5 but only 1 point exists
    draft_version.frozen_at = timezone.now()
    draft_version.save()
    assert api.patch(f"/api/scoring/schemes/{scheme_id}/", {"name": "X"}, format="json").status_code == 409
    assert ScoringScheme.objects.get(pk=scheme_id).name == "V3"


def test_reader_sees_schemes_but_cannot_change_them(reader, demo):
    client = APIClient()
    client.force_authenticate(reader)
    assert client.get(f"/api/scoring/rules/?scheme={demo['pi_v2'].scoring.pk}").json()["count"] > 50
    assert client.post("/api/scoring/schemes/", {"version": demo["pi_v1"].pk}).status_code == 403


def test_admin_shows_scheme_problems(client, demo):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True, role="admin")
    client.force_login(admin_user)
    scheme = demo["pi_v2"].scoring
    page = client.get(f"/admin/surveys/scoringscheme/{scheme.pk}/change/")
    assert page.status_code == 200
    assert "Inga problem hittades." in page.content.decode()


def test_a_round_on_a_scheme_with_problems_cannot_be_scheduled(api, demo):
    """The check runs before a round starts: scheduling (and opening at once) is refused with the
    problems listed, and the round stays a draft until the scheme is fixed."""
    from datetime import timedelta

    v2 = demo["pi_v2"]
    kunskap = ScoringCategory.objects.get(scheme=v2.scoring, code="kunskap")
    kunskap.cap = 30
    kunskap.save()
    now = timezone.now()
    created = api.post(
        "/api/rounds/",
        {
            "version": v2.pk,
            "year": now.year + 1,
            "opens_at": (now + timedelta(days=1)).isoformat(),
            "deadline": (now + timedelta(days=30)).isoformat(),
            "kinds": ["sdf"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    round_id = created.json()["id"]

    for action in ("schedule", "open"):
        refused = api.post(f"/api/rounds/{round_id}/{action}/")
        assert refused.status_code == 400
        assert "Kategorin kunskap kan som mest ge 8 poäng men har taket 30." in refused.json()["scoring"]
    assert api.get(f"/api/rounds/{round_id}/").json()["state"] == "draft"

    kunskap.cap = 6
    kunskap.save()
    assert api.post(f"/api/rounds/{round_id}/schedule/").status_code == 200


def test_thresholds_that_give_fewer_points_for_a_higher_value_are_flagged(demo, draft_version):
    """≥ 0 → 2 points and ≥ 1000 → 1 point: a larger answer would score less."""
    v2 = demo["pi_v2"]
    rule = (
        ScoringRule.objects.filter(scheme=v2.scoring, min_value__isnull=False).order_by("min_value").first()
    )
    assert rule is not None
    ScoringRule.objects.create(
        scheme=v2.scoring, question=rule.question, category=rule.category, min_value=0, points=rule.points + 5
    )
    messages = [p for p in scheme_problems(v2) if p.kind == "thresholds_not_increasing"]
    assert len(messages) == 1
    assert f"Tröskelvärdena för {rule.question.code}" in messages[0].message
    assert "ger färre poäng för ett högre värde" in messages[0].message
