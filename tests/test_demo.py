"""The demo world: its shape follows the seeds, and loading it twice changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from surveys.models import (
    AccessToken,
    Answer,
    Organisation,
    Question,
    QuestionType,
    Response,
    ScoringCategory,
    SurveyRound,
)

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("surveys").get_models()
        if model is not AccessToken
    }


def test_demo_loads_twice_without_duplicates(capsys):
    call_command("load_demo", links=2)
    first = _counts()
    call_command("load_demo", links=2)
    assert _counts() == first
    out = capsys.readouterr().out
    assert "samordnare / demo-samordnare" in out
    assert out.count("/l/") == 4  # two fresh links per run


def test_demo_has_a_city_with_a_dozen_districts_and_contacts(demo):
    districts = Organisation.objects.filter(kind=Organisation.Kind.SDF)
    assert districts.count() == 12
    assert all(d.contacts.count() >= 1 for d in districts)
    assert Organisation.objects.filter(kind=Organisation.Kind.FORVALTNING).count() >= 5
    assert demo["programme"].goal_areas.count() == 6
    assert demo["programme"].goal_areas.get(number="6").focus_areas.count() == 5


def test_demo_pi_mini_v2_has_the_documented_caps(demo):
    version = demo["pi_v2"]
    questions = Question.objects.filter(version=version)
    assert questions.count() >= 40
    assert set(questions.values_list("type", flat=True)) == set(QuestionType.values)
    caps = {
        c.code: (c.cap, c.parent.code if c.parent else None)
        for c in ScoringCategory.objects.filter(scheme__version=version)
    }
    assert caps == {
        "struktur": (22, None),
        "organisation": (10, "struktur"),
        "samverkan": (6, "struktur"),
        "kunskap": (6, "struktur"),
        "aktiviteter": (33, None),
    }
    assert not version.comparable_with.filter(pk=demo["pi_v1"].pk).exists()


def test_demo_rounds_last_year_published_and_this_year_open_with_drafts(demo):
    last, current = demo["last_round"], demo["current_round"]
    assert last.state == SurveyRound.State.PUBLISHED and current.state == SurveyRound.State.OPEN
    assert Response.objects.filter(assignment__round=last, state="submitted").count() == 12
    states = list(Response.objects.filter(assignment__round=current).values_list("state", flat=True))
    assert states.count("submitted") == 3 and states.count("draft") == 9
    in_progress = Response.objects.filter(
        assignment__round=current, state="draft", answers__isnull=False
    ).distinct()
    assert in_progress.count() == 4
    assert Answer.objects.filter(response__assignment__round=current).exists()


def test_demo_activity_questionnaire_follows_the_plan(demo):
    version = demo["activity_version"]
    status = Question.objects.filter(version=version, type=QuestionType.ACTIVITY_STATUS)
    assert (
        status.count() == demo["programme"].goal_areas.values("activities").exclude(activities=None).count()
    )
    split = Question.objects.filter(version=version, indicator__gender_split=True)
    assert split.exists() and all(q.type == QuestionType.BREAKDOWN for q in split)


def test_printed_coordinator_login_opens_the_admin(client, demo):
    login = client.post("/admin/login/", {"username": "samordnare", "password": "demo-samordnare"})
    assert login.status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Enkätomgångar" in page.content.decode()
    assert client.get("/admin/surveys/surveyround/").status_code == 200


def test_demo_coordinator_has_the_coordinator_group_and_grants_nothing(client, demo):
    from surveys.models import User

    coordinator = User.objects.get(username="samordnare")
    assert list(coordinator.groups.values_list("name", flat=True)) == ["Samordnare"]
    assert not coordinator.user_permissions.exists() and not coordinator.is_superuser
    assert not coordinator.has_perm("surveys.change_user") and not coordinator.has_perm("auth.change_group")
    client.force_login(coordinator)
    assert client.get("/admin/surveys/user/").status_code == 403


def test_demo_answers_went_through_the_respondents_rules(demo):
    """Every answer was saved and submitted by the respondent's services: no answer under a hidden
    question, only the questions an organisation is asked, every submission valid, each change recorded."""
    from surveys.selectors import assignment_questions
    from surveys.services.responses import invalid_answers, load_questionnaire, missing_required
    from surveys.visibility import hidden_answer_ids

    responses = Response.objects.filter(answers__isnull=False).distinct().select_related("assignment__round")
    assert responses.count() == 12 + (3 + 4) + 7  # last year, this year (submitted + drafts), activities
    for response in responses:
        questionnaire = load_questionnaire(response)
        asked = {q.pk for q in assignment_questions(response.assignment)}
        assert set(questionnaire.values) <= asked, response.assignment
        assert not hidden_answer_ids(questionnaire.questions, questionnaire.values), response.assignment
        actions = list(response.revisions.values_list("action", flat=True))
        assert "save" in actions
        if response.state == Response.State.SUBMITTED:
            assert actions.count("submit") == 1
            assert not missing_required(questionnaire) and not invalid_answers(questionnaire)


def test_demo_activity_organisations_answer_only_their_plan_rows(demo):
    socialnamnden = demo["activity_round"].assignments.get(organisation__name="Socialnämnden")
    region = demo["activity_round"].assignments.get(organisation__name="Region Stockholm")
    codes = set(region.response.answers.values_list("question__code", flat=True))
    assert codes and all(code.startswith("A1_3_1_") for code in codes)  # its one activity, 1.3.1
    assert socialnamnden.response.answers.count() > region.response.answers.count()


def test_demo_history_sends_no_mail_when_loaded(demo):
    """The earlier rounds' e-mails went out when the services queued them: nothing is left to send."""
    from surveys.models import OutboundEmail

    emails = OutboundEmail.objects.all()
    assert emails.filter(kind="invitation").count() == 29 + 24  # every contact of every recipient
    assert emails.filter(kind="receipt").exists() and emails.filter(kind="results").exists()
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    assert not emails.exclude(sent_at=models.F("created_at")).exists()
