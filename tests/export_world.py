"""A small round with every question type, a hostile answer, index results and an earlier comparable
year: the known state the workbook tests start from."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from surveys import models
from tests import factories

HOSTILE = {
    "formula": '=HYPERLINK("http://evil.example","klicka")',
    "plus": "+1",
    "minus": "-2+3",
    "at": "@SUM(1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def index_round(*, organisations=3, year=2026, prefix=""):
    """Organisations Alfa (submitted, hostile text), Beta (draft), Gamma (no answers), then extra ones."""
    questionnaire = factories.QuestionnaireFactory(name="Preventionsindex mini")
    old_version = factories.VersionFactory(questionnaire=questionnaire, number=1, label="PI V1")
    version = factories.VersionFactory(questionnaire=questionnaire, number=2, label="PI V2")
    version.comparable_with.add(old_version)
    section = factories.SectionFactory(version=version, title="Organisation")
    q = {}

    def question(code, qtype, text, **kw):
        q[code] = factories.QuestionFactory(
            section=section, version=version, code=code, type=qtype, text=text, **kw
        )
        return q[code]

    question("ORG_1", models.QuestionType.YES_NO, "Finns en plan?", required=True)
    single = question("ORG_2", models.QuestionType.SINGLE, "Hur ofta?")
    factories.OptionFactory(question=single, order=1, code="aldrig", label="Aldrig")
    factories.OptionFactory(question=single, order=2, code="ofta", label="Ofta")
    multi = question("ORG_3", models.QuestionType.MULTIPLE, "Vilka samverkar?")
    factories.OptionFactory(question=multi, order=1, code="polis", label="Polisen")
    factories.OptionFactory(question=multi, order=2, code="skola", label="Skolan")
    question("ORG_4", models.QuestionType.INTEGER, "Antal utbildade?")
    question("ORG_5", models.QuestionType.DECIMAL, "Andel av heltid?")
    question("ORG_6", models.QuestionType.DATE, "När antogs planen?")
    question(
        "ORG_7",
        models.QuestionType.TEXT,
        "Kommentar",
        condition_question=q["ORG_1"],
        condition_operator="equals",
        condition_value="ja",
    )
    question("ORG_8", models.QuestionType.BREAKDOWN, "Antal deltagare")
    for code in HOSTILE:
        question(f"TXT_{code.upper()}", models.QuestionType.TEXT, f"Fritext {code}")
    scheme = factories.ScoringSchemeFactory(version=version)
    struktur = factories.ScoringCategoryFactory(
        scheme=scheme, code="struktur", name="Struktur", cap=Decimal("10")
    )
    factories.ScoringRuleFactory(
        scheme=scheme, category=struktur, question=q["ORG_1"], option_code="ja", points=2
    )

    survey_round = factories.SurveyRoundFactory(name="Preventionsindex mini", version=version, year=year)
    old_round = factories.SurveyRoundFactory(name="Preventionsindex mini", version=old_version, year=year - 1)
    old_scheme = factories.ScoringSchemeFactory(version=old_version)
    names = [
        prefix + n for n in ["Alfa", "Beta", "Gamma"] + [f"Org {i:04d}" for i in range(organisations - 3)]
    ]
    orgs = [factories.OrganisationFactory(name=name) for name in names]
    assignments = [factories.AssignmentFactory(round=survey_round, organisation=o) for o in orgs]
    alfa, beta = assignments[0], assignments[1]
    answers = {
        "ORG_1": "ja",
        "ORG_2": "ofta",
        "ORG_3": ["polis"],
        "ORG_4": 42,
        "ORG_5": 12.5,
        "ORG_6": "2024-03-01",
        "ORG_7": "Bra\x01 samarbete\x0b",
        "ORG_8": {"flickor": 3, "pojkar": 4, "kvinnor": 1, "man": 2, "total": 10},
    }
    answers.update({f"TXT_{code.upper()}": text for code, text in HOSTILE.items()})
    for code, value in answers.items():
        factories.AnswerFactory(response=alfa.response, question=q[code], value=value)
    alfa.response.state = models.Response.State.SUBMITTED
    alfa.response.submitted_at = timezone.make_aware(datetime(2026, 11, 20, 10, 30))
    alfa.response.save()
    factories.AnswerFactory(response=beta.response, question=q["ORG_1"], value="nej")
    factories.AnswerFactory(response=beta.response, question=q["ORG_3"], value=["polis", "skola"])
    for extra in assignments[3:]:
        factories.AnswerFactory(response=extra.response, question=q["ORG_4"], value=7)

    def result(assignment, scheme, total, scaled, rank):
        models.IndexResult.objects.create(
            assignment=assignment,
            scheme=scheme,
            categories={"struktur": {"raw": total, "capped": total}},
            total=Decimal(total),
            scaled=Decimal(scaled),
            rank=rank,
            preliminary=False,
        )

    result(alfa, scheme, 8, "80.0", 1)
    result(beta, scheme, 4, "40.0", 2)
    for org, scaled in ((orgs[0], "60.0"), (orgs[1], "50.0")):
        old = factories.AssignmentFactory(round=old_round, organisation=org)
        result(old, old_scheme, 5, scaled, 1)
    return {"round": survey_round, "questions": q, "assignments": assignments, "old_round": old_round}


def activity_round():
    """An activity questionnaire: one activity with a gender-split indicator, answered by its lead."""
    lead = factories.OrganisationFactory(name="Socialnämnden", kind=models.Organisation.Kind.NAMND)
    partner = factories.OrganisationFactory(name="Kulturnämnden", kind=models.Organisation.Kind.NAMND)
    goal = factories.GoalAreaFactory(number="1", title="Minskad tillgång")
    focus = factories.FocusAreaFactory(goal_area=goal, number="1.1", title="Tillsyn")
    activity = factories.ActivityFactory(
        goal_area=goal, focus_area=focus, number="1.1.1", title="Kontrollköp", lead=lead
    )
    activity.co_responsible.add(partner)
    indicator = factories.IndicatorFactory(
        activity=activity, text="Antal utbildade", unit="personer", gender_split=True
    )
    version = factories.VersionFactory(
        questionnaire=factories.QuestionnaireFactory(kind=models.Questionnaire.Kind.ACTIVITY)
    )
    section = factories.SectionFactory(version=version)
    status = factories.QuestionFactory(
        section=section,
        version=version,
        code="A1_STATUS",
        type=models.QuestionType.ACTIVITY_STATUS,
        activity=activity,
    )
    value = factories.QuestionFactory(
        section=section,
        version=version,
        code="A1_IND1",
        type=models.QuestionType.BREAKDOWN,
        activity=activity,
        indicator=indicator,
    )
    comment = factories.QuestionFactory(
        section=section,
        version=version,
        code="A1_KOMMENTAR",
        type=models.QuestionType.TEXT,
        activity=activity,
    )
    survey_round = factories.SurveyRoundFactory(name="Aktivitetsuppföljning", version=version)
    for org, state in ((lead, "delvis"), (partner, "genomford")):
        assignment = factories.AssignmentFactory(round=survey_round, organisation=org)
        factories.AnswerFactory(response=assignment.response, question=status, value=state)
        if org == lead:
            factories.AnswerFactory(
                response=assignment.response,
                question=value,
                value={"flickor": 5, "pojkar": 6, "kvinnor": 0, "man": 1, "total": 12},
            )
            factories.AnswerFactory(
                response=assignment.response, question=comment, value="=cmd|' /C calc'!A0"
            )
    return survey_round
