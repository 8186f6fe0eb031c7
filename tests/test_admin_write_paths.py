"""The admin is not a second write path: what a service owns changes only through the service (actions
and forms call it, with its Swedish messages), nothing deletes answers, and the admin speaks Swedish."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from surveys.models import AccessToken, Answer, Assignment, Response, ResponseRevision, SurveyRound
from tests import factories
from tests.support.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True, role="admin"))
    return client


def _answered_round(state="open"):
    survey_round = factories.SurveyRoundFactory(state=state)
    question = factories.QuestionFactory(version=survey_round.version, code="Q1", type="text", required=True)
    assignment = factories.AssignmentFactory(round=survey_round)
    Answer.objects.create(response=assignment.response, question=question, value="Vårt svar")
    return survey_round, assignment


def _change_form(client, obj):
    url = reverse(f"admin:surveys_{obj._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    return url, form_data(page.content.decode(), f"{obj._meta.model_name}_form")


def test_deleting_an_assignment_in_the_round_inline_keeps_its_answers(superuser):
    survey_round, assignment = _answered_round()
    url, data = _change_form(superuser, survey_round)
    data["assignments-0-DELETE"] = "on"
    superuser.post(url, data)
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert Answer.objects.filter(response__assignment=assignment).count() == 1


def test_nothing_in_the_admin_deletes_a_round_an_assignment_or_a_response(superuser):
    survey_round, assignment = _answered_round()
    for obj in (survey_round, assignment, assignment.response):
        url = reverse(f"admin:surveys_{obj._meta.model_name}_delete", args=[obj.pk])
        assert superuser.post(url, {"post": "yes"}).status_code == 403
        changelist = reverse(f"admin:surveys_{obj._meta.model_name}_changelist")
        superuser.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert Answer.objects.filter(response__assignment=assignment).count() == 1


def test_an_open_round_keeps_its_state_version_year_and_programme(superuser):
    survey_round, _ = _answered_round()
    url, data = _change_form(superuser, survey_round)
    other = factories.VersionFactory()
    data.update(
        year="2031", version=str(other.pk), state="closed", programme=str(factories.ProgrammeFactory().pk)
    )
    superuser.post(url, data)
    survey_round.refresh_from_db()
    assert (survey_round.year, survey_round.version_id, survey_round.state) == (
        2026,
        survey_round.version_id,
        "open",
    )
    assert survey_round.version_id != other.pk and survey_round.programme_id is None


def test_a_template_the_api_refuses_is_refused_in_the_admin_too(superuser):
    survey_round, _ = _answered_round()
    url, data = _change_form(superuser, survey_round)
    data.update(invitation_subject="Enkät {foo", name="Nytt namn")
    page = superuser.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Klammerparenteserna { } går inte ihop" in text and 'value="Nytt namn"' in text
    data.update(invitation_subject="Enkät {okand}")
    assert "Okänd platshållare {okand}" in superuser.post(url, data).content.decode()
    survey_round.refresh_from_db()
    assert survey_round.invitation_subject == "" and survey_round.name != "Nytt namn"


def test_a_template_change_goes_through_the_round_service(superuser):
    survey_round, _ = _answered_round()
    url, data = _change_form(superuser, survey_round)
    data.update(invitation_subject="Enkät {year} för {organisation}")
    assert superuser.post(url, data).status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.invitation_subject == "Enkät {year} för {organisation}"


def test_a_response_state_is_not_a_field(superuser):
    survey_round, assignment = _answered_round()
    Response.objects.filter(pk=assignment.response.pk).update(
        state="submitted", submitted_at=survey_round.opens_at
    )
    url = reverse("admin:surveys_response_change", args=[assignment.response.pk])
    assert superuser.post(url, {"state": "draft"}).status_code == 403
    assignment.response.refresh_from_db()
    assert assignment.response.state == "submitted"


def test_admin_submits_and_reopens_only_through_the_services(superuser):
    survey_round, assignment = _answered_round()
    response = assignment.response
    missing = factories.QuestionFactory(version=survey_round.version, code="Q2", type="text", required=True)
    page = superuser.post(
        "/admin/surveys/response/",
        {"action": "submit_responses", "_selected_action": [response.pk]},
        follow=True,
    )
    assert "obligatoriska eller ogiltiga svar saknas (Q2)" in page.content.decode()
    response.refresh_from_db()
    assert response.state == "draft"
    Answer.objects.create(response=response, question=missing, value="Också svar")
    superuser.post(
        "/admin/surveys/response/", {"action": "submit_responses", "_selected_action": [response.pk]}
    )
    response.refresh_from_db()
    assert response.state == "submitted"
    superuser.post(
        "/admin/surveys/response/", {"action": "reopen_responses", "_selected_action": [response.pk]}
    )
    response.refresh_from_db()
    assert response.state == "reopened"
    assert list(ResponseRevision.objects.filter(response=response).values_list("action", flat=True)) == [
        "submit",
        "reopen",
    ]


def test_no_personal_link_is_added_without_the_token_service(superuser):
    assert superuser.get("/admin/surveys/accesstoken/add/").status_code == 403
    assert superuser.post("/admin/surveys/accesstoken/add/", {}).status_code == 403
    assert not AccessToken.objects.exists()


def test_a_reader_runs_no_round_action(client):
    from surveys.services.roles import user_set_role

    reader = user_set_role(user=factories.UserFactory(username="lasare"), role="reader", actor=None)
    client.force_login(reader)
    draft = factories.SurveyRoundFactory(state="draft")
    client.post("/admin/surveys/surveyround/", {"action": "open_rounds", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == SurveyRound.State.DRAFT


# English a page of the admin must never show (labels, headers, titles).
ENGLISH = [
    "Programme",
    "Opened at",
    "Closed at",
    "Published at",
    "Created at",
    "Updated at",
    "Created by",
    "Submitted at",
    "Submitted by",
    "questionnaire",
    "Questionnaire",
    "Django",
    "Assignment",
    "Organisations",
    "Token hash",
    "Last used",
    "Revoked at",
    "Computed at",
    "Preliminary",
    "Attempts",
    "Last error",
    "Requested by",
    "Finished at",
    "Goal area",
    "Focus area",
    "Scheme",
    "Category",
    "Order",
    "Role",
    "Value",
    "Changes",
    "Action",
]


def _visible_text(html):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_admin_page_speaks_swedish(superuser):
    from tests.test_access_matrix import ADMIN_POLICY, AdminWorld

    world = AdminWorld()
    found = {}
    for model in admin.site._registry:
        label = model._meta.label_lower
        obj = ADMIN_POLICY[label][1](world)
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for url in (
            reverse(f"{prefix}_changelist"),
            reverse(f"{prefix}_add"),
            reverse(f"{prefix}_change", args=[obj.pk]),
        ):
            page = superuser.get(url)
            if page.status_code == 403:
                continue
            assert page.status_code == 200, url
            text = _visible_text(page.content.decode())
            english = [w for w in ENGLISH if re.search(rf"\b{w}\b", text)]
            if english:
                found[url] = english
    assert "Årsrunda – administration" in superuser.get("/admin/").content.decode()
    assert not found, found


def test_a_round_page_with_many_recipients_has_bounded_queries(superuser, django_assert_max_num_queries):
    survey_round, _ = _answered_round()
    for _ in range(30):
        factories.AssignmentFactory(round=survey_round)
    with django_assert_max_num_queries(30):
        page = superuser.get(f"/admin/surveys/surveyround/{survey_round.pk}/change/")
    assert page.status_code == 200


def test_a_round_added_in_the_admin_is_made_by_the_round_service(superuser):
    version = factories.VersionFactory(
        questionnaire=factories.QuestionnaireFactory(programme=factories.ProgrammeFactory())
    )
    page = superuser.get("/admin/surveys/surveyround/add/")
    data = form_data(page.content.decode(), "surveyround_form")
    data.update(
        name="Omgång från admin",
        version=str(version.pk),
        year="2027",
        opens_at_0="2027-01-10",
        opens_at_1="08:00:00",
        deadline_0="2027-01-05",
        deadline_1="08:00:00",
        reminder_offsets="[-7, -2]",
        reminder_subject="Påminnelse {foo}",
    )
    page = superuser.post("/admin/surveys/surveyround/add/", data)
    text = page.content.decode()
    assert page.status_code == 200 and "Sista svarsdag måste ligga efter öppningsdagen" in text
    assert "Okänd platshållare {foo}" in text and not SurveyRound.objects.exists()
    data.update(deadline_0="2027-02-10", reminder_subject="")
    assert superuser.post("/admin/surveys/surveyround/add/", data).status_code == 302
    created = SurveyRound.objects.get()
    assert created.state == "draft" and created.programme == version.questionnaire.programme
    assert created.created_by.username == "root" and created.reminder_offsets == [-7, -2]
