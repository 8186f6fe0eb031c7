"""A question type added through the registry alone: a percentage (0–100) defined in this module only.

Nothing outside this file knows the type, yet a question of it renders on the respondent's section page,
validates with a Swedish message, scores with a threshold rule, passes the scheme check and reaches the
round workbook as a number. This is the recipe of docs/question-types.md, proven."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from exports.workbook import build_round_workbook
from surveys.models import Answer, Response
from surveys.questiontypes import AnswerError, NumberKind, parse_number, registered
from surveys.services import responses
from surveys.services.schemes import scheme_problems
from surveys.services.scoring import compute_assignment_index
from surveys.services.tokens import issue_token
from surveys.views import GUESS_KEY
from tests import factories

pytestmark = pytest.mark.django_db


class Percentage(NumberKind):
    """Procent: a share from 0 to 100, decimal comma allowed."""

    code = "percentage"
    label = "Procent (0–100)"
    format_help = "Ange en andel i procent, 0–100."

    def clean(self, question, raw):
        number = parse_number(raw)
        if not Decimal(0) <= number <= Decimal(100):
            raise AnswerError("Ange en procentsats mellan 0 och 100.")
        return float(number)

    def sample(self, question, rng, strength):
        return round(rng.random() * strength * 100, 1)


@pytest.fixture(autouse=True)
def percentage_type():
    with registered(Percentage()) as kind:
        yield kind


@pytest.fixture(autouse=True)
def _forget_failed_links():
    keys = [GUESS_KEY.format("127.0.0.1")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def world():
    assignment = factories.AssignmentFactory()
    version = assignment.round.version
    section = factories.SectionFactory(version=version, order=1, title="Andelar")
    question = factories.QuestionFactory(
        section=section, code="ANDEL", order=1, type="percentage", text="Hur stor andel av personalen?"
    )
    contact = factories.ContactFactory(organisation=assignment.organisation)
    scheme = factories.ScoringSchemeFactory(version=version)
    category = factories.ScoringCategoryFactory(scheme=scheme, code="kunskap", name="Kunskap")
    factories.ScoringRuleFactory(
        scheme=scheme, category=category, question=question, option_code="", min_value=50, points=3
    )
    return {"assignment": assignment, "question": question, "contact": contact}


def open_section(client, world):
    raw = issue_token(assignment=world["assignment"], contact=world["contact"])
    client.get(f"/l/{raw}/")
    return f"/enkat/{world['assignment'].pk}/avsnitt/1/"


def test_added_type_renders_on_the_section_page(client, world):
    page = client.get(open_section(client, world))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="q_ANDEL"' in html and 'inputmode="decimal"' in html
    assert "Ange en andel i procent, 0–100." in html


def test_added_type_refuses_101_in_swedish_and_keeps_what_was_typed(client, world):
    url = open_section(client, world)
    page = client.post(url, {"version": 0, "q_ANDEL": "101"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Ange en procentsats mellan 0 och 100." in html
    assert 'value="101"' in html
    assert not Answer.objects.filter(question=world["question"]).exists()


def test_added_type_stores_a_swedish_decimal(client, world):
    url = open_section(client, world)
    assert client.post(url, {"version": 0, "q_ANDEL": "62,5"}).status_code == 302
    assert Answer.objects.get(question=world["question"]).value == 62.5


def test_added_type_scores_with_a_threshold_rule_and_passes_the_scheme_check(world):
    response = Response.objects.get(assignment=world["assignment"])
    responses.save_answers(response=response, values={world["question"]: 75.0}, base_version=0)
    assert responses.submit_response(response=response)
    result = compute_assignment_index(response)
    assert result.categories["kunskap"]["capped"] == 3.0
    assert [p.kind for p in scheme_problems(world["assignment"].round.version)] == []


def test_added_type_reaches_the_workbook_as_a_number(world, tmp_path):
    response = Response.objects.get(assignment=world["assignment"])
    responses.save_answers(response=response, values={world["question"]: 62.5}, base_version=0)
    path = tmp_path / "omgang.xlsx"
    build_round_workbook(world["assignment"].round_id, path, generated_by="samordnare")
    sheet = load_workbook(path)["Svar"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    column = rows[0].index("ANDEL")
    assert rows[-1][column] == 62.5
    codebook = {r[0]: r for r in load_workbook(path)["Frågor"].iter_rows(values_only=True)}
    assert codebook["ANDEL"][3] == "Procent (0–100)"


def test_added_type_gets_demo_answers_from_its_sample_hook(world):
    """The demo answers every question its type can sample, with no list of types of its own."""
    import random

    from surveys.demo.answers import answers_for

    answers = answers_for([world["question"]], random.Random(7), complete=True)
    assert set(answers) == {world["question"].code}
    assert 0 <= answers[world["question"].code] <= 100
