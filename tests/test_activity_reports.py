"""Activity questionnaires from the plan: each organisation answers only for what it leads or shares;
the lead sees the co-responsible organisations' answers."""

import pytest
from django.template.loader import render_to_string

from surveys.models import Question, SurveyRound
from surveys.selectors import attach_contributions, contributions_for, questions_for_assignment
from surveys.services.activity_reports import generate_activity_version
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    ifn = factories.OrganisationFactory(name="Individ- och familjenämnden", kind="namnd")
    gsn = factories.OrganisationFactory(name="Grundskolenämnden", kind="namnd")
    kfn = factories.OrganisationFactory(name="Kultur- och fritidsnämnden", kind="namnd")
    programme = factories.ProgrammeFactory()
    g1 = factories.GoalAreaFactory(programme=programme, number="1", order=0)
    g2 = factories.GoalAreaFactory(programme=programme, number="2", order=1)
    acts = {}
    # IFN leads 1.1, 1.2, 2.1; shares 1.3 and 2.2; has nothing to do with 2.3.
    for goal, number, lead, co in [
        (g1, "1.1", ifn, []),
        (g1, "1.2", ifn, [gsn]),
        (g1, "1.3", gsn, [ifn]),
        (g2, "2.1", ifn, []),
        (g2, "2.2", kfn, [ifn, gsn]),
        (g2, "2.3", kfn, []),
    ]:
        acts[number] = factories.ActivityFactory(goal_area=goal, number=number, lead=lead, order=len(acts))
        acts[number].co_responsible.set(co)
    factories.IndicatorFactory(
        activity=acts["1.1"], text="Antal barn i stödgrupp", gender_split=True, order=0
    )
    factories.IndicatorFactory(activity=acts["1.1"], text="Antal träffar", gender_split=False, order=1)
    factories.IndicatorFactory(activity=acts["2.2"], text="Antal föreningar", order=0)
    # 2.3 belongs to KFN, but one of its indicators is GSN's own (Västerås 3.4).
    factories.IndicatorFactory(activity=acts["2.3"], text="Föreningar med drogpolicy", order=0)
    own = factories.IndicatorFactory(activity=acts["2.3"], text="Skolor med handlingsplan", order=1, lead=gsn)
    return {"programme": programme, "ifn": ifn, "gsn": gsn, "kfn": kfn, "acts": acts, "own": own}


def round_for(version, *orgs):
    survey_round = factories.SurveyRoundFactory(version=version, programme=version.questionnaire.programme)
    return {org.pk: factories.AssignmentFactory(round=survey_round, organisation=org) for org in orgs}


def activity_numbers(questions):
    return sorted({q.activity.number for q in questions if q.activity})


def test_generated_version_has_status_indicators_and_comment_per_activity(plan):
    version = generate_activity_version(plan["programme"])
    questions = list(Question.objects.filter(version=version).order_by("section__order", "order"))
    a11 = [q for q in questions if q.activity == plan["acts"]["1.1"]]
    assert [(q.code, q.type) for q in a11] == [
        ("A1_1_STATUS", "activity_status"),
        ("A1_1_IND1", "breakdown"),
        ("A1_1_IND2", "decimal"),
        ("A1_1_KOMMENTAR", "text"),
    ]
    assert a11[1].indicator.text == "Antal barn i stödgrupp" and a11[1].condition_question == a11[0]
    assert a11[1].condition_value == "ej_aktuell" and a11[0].required
    titles = [s.title[:6] for s in version.sections.order_by("order")]
    assert titles == ["Mål 1:", "Mål 2:"]
    assert len(questions) == 6 * 2 + 5  # status + comment per activity, plus five indicators
    again = generate_activity_version(plan["programme"])
    assert again.questionnaire == version.questionnaire and again.number == 2


def test_organisation_leading_three_and_sharing_two_gets_exactly_those_five(plan):
    version = generate_activity_version(plan["programme"])
    assignments = round_for(version, plan["ifn"], plan["gsn"], plan["kfn"])
    ifn_questions = list(questions_for_assignment(assignments[plan["ifn"].pk]))
    assert activity_numbers(ifn_questions) == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    breakdowns = [q for q in ifn_questions if q.type == "breakdown"]
    assert [q.indicator.text for q in breakdowns] == ["Antal barn i stödgrupp"]
    assert len(ifn_questions) == 5 * 2 + 3  # status + comment each, 1.1's two indicators, 2.2's one


def test_indicator_with_its_own_lead_goes_to_that_organisation_only(plan):
    version = generate_activity_version(plan["programme"])
    assignments = round_for(version, plan["gsn"], plan["kfn"])
    gsn_codes = [q.code for q in questions_for_assignment(assignments[plan["gsn"].pk])]
    assert "A2_3_IND2" in gsn_codes and "A2_3_IND1" not in gsn_codes and "A2_3_STATUS" in gsn_codes
    kfn_codes = [q.code for q in questions_for_assignment(assignments[plan["kfn"].pk])]
    assert "A2_3_IND1" in kfn_codes and "A2_3_IND2" not in kfn_codes


def test_index_questionnaires_still_show_every_question(demo):
    survey_round = SurveyRound.objects.filter(version=demo["pi_v2"]).first()
    assignment = survey_round.assignments.first()
    assert questions_for_assignment(assignment).count() == demo["pi_v2"].questions.count()


def test_lead_sees_co_responsible_answers_but_not_its_own_or_unrelated(plan, django_assert_max_num_queries):
    version = generate_activity_version(plan["programme"])
    assignments = round_for(version, plan["ifn"], plan["gsn"], plan["kfn"])
    ifn, gsn, kfn = (assignments[plan[k].pk] for k in ("ifn", "gsn", "kfn"))
    q = {
        code: Question.objects.get(version=version, code=code)
        for code in ("A1_2_STATUS", "A1_3_STATUS", "A1_2_KOMMENTAR")
    }
    factories.AnswerFactory(response=gsn.response, question=q["A1_2_STATUS"], value="delvis")
    factories.AnswerFactory(response=gsn.response, question=q["A1_2_KOMMENTAR"], value="<b>Två träffar</b>")
    factories.AnswerFactory(response=ifn.response, question=q["A1_2_STATUS"], value="genomford")
    factories.AnswerFactory(
        response=ifn.response, question=q["A1_3_STATUS"], value="genomford"
    )  # GSN leads 1.3
    with django_assert_max_num_queries(9):
        found = contributions_for(ifn)
    assert set(found) == {q["A1_2_STATUS"].pk, q["A1_2_KOMMENTAR"].pk}
    [status] = found[q["A1_2_STATUS"].pk]
    assert (status.organisation, status.display, status.state_label) == (
        "Grundskolenämnden",
        "Delvis genomförd",
        "utkast",
    )
    assert set(contributions_for(gsn)) == {q["A1_3_STATUS"].pk}  # GSN, lead of 1.3, sees IFN's answer
    assert contributions_for(kfn) == {}
    questions = attach_contributions(list(questions_for_assignment(ifn)), ifn)
    comment = next(x for x in questions if x.code == "A1_2_KOMMENTAR")
    html = render_to_string("surveys/_contributions.html", {"contributions": comment.contributions})
    assert "Grundskolenämnden" in html and "&lt;b&gt;Två träffar&lt;/b&gt;" in html
    assert render_to_string("surveys/_contributions.html", {"contributions": []}).strip() == ""


def test_breakdown_contribution_is_shown_with_part_names(plan):
    version = generate_activity_version(plan["programme"])
    assignments = round_for(version, plan["kfn"], plan["ifn"])
    question = Question.objects.get(version=version, code="A2_2_IND1")
    factories.AnswerFactory(response=assignments[plan["ifn"].pk].response, question=question, value=12)
    [contribution] = contributions_for(assignments[plan["kfn"].pk])[question.pk]
    assert contribution.display == "12"
    split = Question.objects.get(version=version, code="A1_1_IND1")
    factories.AnswerFactory(
        response=assignments[plan["kfn"].pk].response,
        question=split,
        value={"flickor": 3, "pojkar": 4, "kvinnor": None, "total": 7},
    )
    [contribution] = contributions_for(assignments[plan["ifn"].pk])[split.pk]
    assert contribution.display == "Flickor 3, Pojkar 4, Totalt 7"


def test_api_generates_the_activity_questionnaire(api, plan):
    response = api.post(f"/api/programmes/{plan['programme'].pk}/activity-questionnaire/", {"label": "2026"})
    assert response.status_code == 201 and response.json()["questions"] == 17


def test_question_selection_takes_a_fixed_number_of_queries(plan, django_assert_max_num_queries):
    for n in range(3, 40):
        activity = factories.ActivityFactory(
            goal_area=plan["acts"]["1.1"].goal_area, number=f"1.{n + 10}", lead=plan["gsn"]
        )
        activity.co_responsible.add(plan["ifn"])
        factories.IndicatorFactory(activity=activity, gender_split=bool(n % 2))
    version = generate_activity_version(plan["programme"])
    assignment = round_for(version, plan["ifn"])[plan["ifn"].pk]
    with django_assert_max_num_queries(11):
        questions = list(questions_for_assignment(assignment))
    assert len(activity_numbers(questions)) == 5 + 37


def test_lead_answering_its_section_page_sees_the_co_responsible_answer(plan, client):
    from surveys.services.tokens import issue_token

    version = generate_activity_version(plan["programme"])
    assignments = round_for(version, plan["ifn"], plan["gsn"])
    ifn, gsn = assignments[plan["ifn"].pk], assignments[plan["gsn"].pk]
    status_1_2 = Question.objects.get(version=version, code="A1_2_STATUS")
    factories.AnswerFactory(response=gsn.response, question=status_1_2, value="delvis")
    contact = factories.ContactFactory(organisation=plan["ifn"])
    client.get(f"/l/{issue_token(assignment=ifn, contact=contact)}/")

    pages = {}
    for number in range(1, 10):
        page = client.get(f"/enkat/{ifn.pk}/avsnitt/{number}/")
        if page.status_code != 200:
            break
        pages[number] = page.content.decode()

    with_contribution = [n for n, text in pages.items() if "Samverkande organisationer har svarat" in text]
    assert len(with_contribution) == 1, "only the section holding activity 1.2"
    text = pages[with_contribution[0]]
    assert status_1_2.section.title in text
    assert "Grundskolenämnden" in text and "Delvis genomförd" in text
