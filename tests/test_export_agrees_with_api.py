"""The workbook says what the API, the receipt and the index say: a round with a condition, answers
offered from last year, a draft that was never submitted, and two rounds in one year. Every answer cell
of Svar and Svar (lång) and every trend value is read back with openpyxl and compared with the API."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from exports.workbook import build_round_workbook
from surveys import models
from surveys.services import rounds as round_svc
from surveys.services.scoring import compute_round_index
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db
PREFILLED = "från förra året, ej bekräftat"


def _submitted(assignment, values, questions, when):
    for code, value in values.items():
        factories.AnswerFactory(response=assignment.response, question=questions[code], value=value)
    assignment.response.state = models.Response.State.SUBMITTED
    assignment.response.submitted_at = when
    assignment.response.save()


def _respondent(assignment):
    contact = factories.ContactFactory(organisation=assignment.organisation)
    client = Client()
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
    return client


def _api(assignment, tail=""):
    return f"/api/respondent/assignments/{assignment.pk}/{tail}"


@pytest.fixture
def world(coordinator):
    version = factories.VersionFactory(label="PI")
    section = factories.SectionFactory(version=version, title="Kunskap", order=1)
    q = {}
    for order, (code, qtype, extra) in enumerate(
        [
            ("UTB", models.QuestionType.YES_NO, {}),
            ("ANTAL", models.QuestionType.INTEGER, {"condition_operator": "equals", "condition_value": "ja"}),
            ("HUR", models.QuestionType.TEXT, {"condition_operator": "equals", "condition_value": "ja"}),
            ("PLAN", models.QuestionType.YES_NO, {}),
        ],
        start=1,
    ):
        if "condition_operator" in extra:
            extra["condition_question"] = q["UTB"]
        q[code] = factories.QuestionFactory(
            section=section, version=version, code=code, type=qtype, order=order, required=False, **extra
        )
    scheme = factories.ScoringSchemeFactory(version=version)
    kunskap = factories.ScoringCategoryFactory(
        scheme=scheme, code="kunskap", name="Kunskap", cap=Decimal("10")
    )
    factories.ScoringRuleFactory(
        scheme=scheme, category=kunskap, question=q["UTB"], option_code="ja", points=2
    )
    factories.ScoringRuleFactory(
        scheme=scheme, category=kunskap, question=q["PLAN"], option_code="ja", points=2
    )
    factories.ScoringRuleFactory(
        scheme=scheme, category=kunskap, question=q["ANTAL"], option_code="", min_value=100, points=3
    )
    orgs = {n: factories.OrganisationFactory(name=n) for n in ("Bromma", "Kista", "Skarpnäck")}

    # 2025: Bromma trained 262 people; its answers are offered again in the autumn round of 2026.
    last_year = factories.SurveyRoundFactory(version=version, year=2025, name="PI", state="closed")
    spring = factories.SurveyRoundFactory(version=version, year=2026, name="PI vår", state="closed")
    autumn = factories.SurveyRoundFactory(version=version, year=2026, name="PI höst")
    when = timezone.make_aware(datetime(2025, 11, 1, 12))
    for name, values in {
        "Bromma": {"UTB": "ja", "ANTAL": 262, "HUR": "Kurser", "PLAN": "ja"},
        "Kista": {"UTB": "ja", "ANTAL": 40, "PLAN": "nej"},
    }.items():
        _submitted(factories.AssignmentFactory(round=last_year, organisation=orgs[name]), values, q, when)
    for name, values in {
        "Bromma": {"UTB": "ja", "ANTAL": 262, "PLAN": "ja"},
        "Kista": {"UTB": "ja", "ANTAL": 150, "PLAN": "ja"},
        "Skarpnäck": {"UTB": "nej", "PLAN": "nej"},
    }.items():
        _submitted(factories.AssignmentFactory(round=spring, organisation=orgs[name]), values, q, when)
    compute_round_index(last_year)
    compute_round_index(spring)

    autumn_of = {n: factories.AssignmentFactory(round=autumn, organisation=o) for n, o in orgs.items()}
    clients = {n: _respondent(a) for n, a in autumn_of.items()}
    # Bromma: last year's answers are offered; it answers "Nej" to UTB, which hides ANTAL (262) and
    # HUR, still stored under it, and confirms nothing else before submitting.
    bromma = clients["Bromma"].get(_api(autumn_of["Bromma"])).json()
    assert {x["code"]: x["prefilled"] for x in bromma["questions"]}["ANTAL"] is True
    saved = clients["Bromma"].post(
        _api(autumn_of["Bromma"], "answers/"),
        {"version": bromma["version"], "answers": {"UTB": "nej"}},
        "application/json",
    )
    assert saved.status_code == 200, saved.content
    assert clients["Bromma"].post(_api(autumn_of["Bromma"], "submit/")).status_code == 200
    # Kista: last year's answers offered, never confirmed, never submitted (a draft).
    kista = clients["Kista"].get(_api(autumn_of["Kista"])).json()
    assert any(x["prefilled"] for x in kista["questions"])
    # Skarpnäck: answers fresh and submits.
    clients["Skarpnäck"].get(_api(autumn_of["Skarpnäck"]))
    saved = clients["Skarpnäck"].post(
        _api(autumn_of["Skarpnäck"], "answers/"),
        {"version": 0, "answers": {"UTB": "ja", "ANTAL": 120, "HUR": "Webbkurs", "PLAN": "ja"}},
        "application/json",
    )
    assert saved.status_code == 200, saved.content
    assert clients["Skarpnäck"].post(_api(autumn_of["Skarpnäck"], "submit/")).status_code == 200
    seen = {n: clients[n].get(_api(a)).json() for n, a in autumn_of.items()}
    round_svc.round_close(survey_round=autumn, now=timezone.now())
    return {
        "autumn": autumn,
        "spring": spring,
        "last_year": last_year,
        "orgs": orgs,
        "assignments": autumn_of,
        "clients": clients,
        "seen": seen,
        "version": version,
    }


@pytest.fixture
def workbook(world, tmp_path):
    return load_workbook(build_round_workbook(world["autumn"].pk, tmp_path / "wb.xlsx"))


def _table(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def _shown(question):
    """What the API says counts: a visible question with an answer."""
    return question["visible"] and question["value"] not in (None, "", [], {})


def _code_of(sheet_value, question):
    """The stored code of a Svar cell, read back through the option labels the API lists."""
    labels = {o["label"]: o["code"] for o in question["options"]}
    return labels.get(sheet_value, sheet_value)


def test_every_answer_cell_of_svar_agrees_with_the_api(world, workbook):
    table = _table(workbook["Svar"])
    codes, rows = table[0], {r[0]: dict(zip(table[0], r, strict=True)) for r in table[2:]}
    assert set(rows) == set(world["orgs"])
    for name, data in world["seen"].items():
        row = rows[name]
        for question in data["questions"]:
            cell = row[question["code"]]
            if _shown(question):
                assert _code_of(cell, question) == question["value"], (name, question["code"])
            else:
                assert cell is None, f"{name} {question['code']}: hidden or unanswered, printed {cell!r}"
        offered = [x["code"] for x in data["questions"] if _shown(x) and x["prefilled"]]
        assert (row["Från förra året, ej bekräftat"] or "") == ", ".join(offered), name
    assert rows["Bromma"]["ANTAL"] is None, "262 under a 'Nej' must not be printed"
    assert rows["Bromma"]["Status"] == "Inskickad"
    assert rows["Kista"]["Status"] == "Påbörjad (utkast)"
    assert "ANTAL" in codes


def test_every_row_of_svar_lang_agrees_with_the_api_with_status_and_prefill(world, workbook):
    table = _table(workbook["Svar (lång)"])
    head = table[0]
    assert head[:2] == ["Organisation", "Status"] and "Från förra året" in head
    at = {h: i for i, h in enumerate(head)}
    found = {(r[0], r[at["Frågekod"]]): r for r in table[1:]}
    expected = {
        (name, q["code"]): q for name, data in world["seen"].items() for q in data["questions"] if _shown(q)
    }
    assert set(found) == set(expected)
    status = {"Bromma": "Inskickad", "Kista": "Påbörjad (utkast)", "Skarpnäck": "Inskickad"}
    for (name, code), question in expected.items():
        row = found[(name, code)]
        value = row[at["Svarskod"]] or row[at["Värde"]]
        assert value == question["value"], (name, code)
        assert row[at["Status"]] == status[name]
        assert row[at["Från förra året"]] == (PREFILLED if question["prefilled"] else None), (name, code)
    assert ("Bromma", "ANTAL") not in found and ("Bromma", "HUR") not in found


def test_a_sum_over_the_sheet_equals_the_sum_over_what_the_api_shows(world, workbook):
    table = _table(workbook["Svar"])
    column = table[0].index("ANTAL")
    in_sheet = sum(r[column] or 0 for r in table[2:])
    shown = sum(
        q["value"]
        for data in world["seen"].values()
        for q in data["questions"]
        if q["code"] == "ANTAL" and _shown(q)
    )
    assert in_sheet == shown == 120 + 40  # Skarpnäck's 120 and Kista's offered 40; never Bromma's 262


def test_overview_counts_unconfirmed_and_hidden_answers(world, workbook):
    overview = {r[0]: r[1] for r in _table(workbook["Översikt"]) if r and r[0]}
    offered = sum(
        1 for data in world["seen"].values() for q in data["questions"] if _shown(q) and q["prefilled"]
    )
    assert offered > 0
    assert overview[f"Svar {PREFILLED}"] == offered
    organisations = sum(
        1 for data in world["seen"].values() if any(_shown(q) and q["prefilled"] for q in data["questions"])
    )
    assert overview[f"Organisationer med svar {PREFILLED}"] == organisations == 2  # Bromma's PLAN, Kista
    assert overview["Svar dolda av ett villkor (visas och räknas inte)"] == 2  # Bromma's ANTAL and HUR
    assert overview["Status: Påbörjad (utkast)"] == 1


def test_receipt_and_index_count_the_same_answers_as_the_workbook(world, workbook, coordinator):
    bromma = world["assignments"]["Bromma"]
    receipt = world["clients"]["Bromma"].get(f"/enkat/{bromma.pk}/kvitto/")
    assert receipt.status_code == 200
    assert "262" not in receipt.content.decode()
    api = APIClient()
    api.force_authenticate(coordinator)
    results = api.get(f"/api/results/rounds/{world['autumn'].pk}/", {"rows": "1"}).json()
    index = {r[0]: r for r in _table(workbook["Index"])[1:] if r and r[0] in world["orgs"]}
    assert set(index) == {"Bromma", "Skarpnäck"}  # Kista never submitted: no index
    by_name = (
        {r["organisation"]["name"]: r for r in results.get("results", [])} if "results" in results else {}
    )
    for name, row in index.items():
        scaled = row[-3]
        if by_name:
            assert round(scaled, 1) == round(by_name[name]["scaled"], 1)
        result = models.IndexResult.objects.get(assignment=world["assignments"][name])
        assert round(scaled, 1) == round(float(result.scaled), 1)
    bromma_result = models.IndexResult.objects.get(assignment=bromma)
    assert float(bromma_result.total) == 2  # PLAN only: the hidden 262 gives no points


def test_trend_has_one_column_per_round_and_agrees_with_the_trend_api(world, workbook, coordinator):
    api = APIClient()
    api.force_authenticate(coordinator)
    table = _table(workbook["Trend"])
    head = table[0]
    assert head[1:] == ["2025", "2026 PI vår", "2026 PI höst"]
    rows = {r[0]: r for r in table[2:] if r and r[0] in world["orgs"]}
    for name, organisation in world["orgs"].items():
        trend = api.get(
            f"/api/results/organisations/{organisation.pk}/trend/", {"version": world["version"].pk}
        ).json()
        by_round = {p["round"]["id"]: p["scaled"] for p in trend["points"]}
        rounds = [world["last_year"], world["spring"], world["autumn"]]
        expected = [by_round.get(r.pk) for r in rounds]
        got = [None if v is None else round(v, 1) for v in rows[name][1:]]
        assert got == [None if v is None else round(v, 1) for v in expected], name
    assert rows["Bromma"][2] != rows["Bromma"][3], "two rounds of 2026 are not merged"
