"""Plan workbooks typed in tests, the coordinator's "accept the suggestions" step, and the check that
every reader of "who answers what" agrees."""

import io
import json

import openpyxl
from rest_framework.test import APIClient

from exports.plan_io import COLUMNS
from surveys.models import Organisation, Question, Role
from surveys.selectors import assignment_questions, questions_for_assignment
from surveys.selectors_plan import activity_roles, programme_answerers
from surveys.selectors_results import activity_report
from surveys.services.activity_reports import generate_activity_version
from surveys.services.plan_names import organisation_alias_accept
from surveys.services.plan_responsibility import version_freeze_responsibilities
from surveys.services.programmes import import_plan
from tests import factories

KEYS = [c.key for c in COLUMNS]


def plan_xlsx(rows, *, header=None, preamble=()):
    """A workbook typed as the plan's rows: `rows` are dicts by column key (goal, activity, lead, co,
    indicator, indicator_lead, indicator_co, ...) or lists in the order of `header`."""
    header = header or [c.header for c in COLUMNS]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    for line in preamble:
        ws.append(line)
    ws.append(header)
    for row in rows:
        ws.append([row.get(k) for k in KEYS] if isinstance(row, dict) else list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def print_report(title, report):
    data = report.as_dict()
    print(f"\n=== {title}: kontrollrapport ===")
    print("Fel:")
    for error in data["errors"]:
        print("  -", error["text"])
    print("Förslag:")
    for entry in data["unmatched_organisations"]:
        print("  -", json.dumps(entry, ensure_ascii=False))
    print("Externa parter:", ", ".join(p["name"] for p in data["partners"]) or "-")
    print("Varningar:", *data["warnings"], sep="\n  ")


def accept_suggestions(report):
    """What a coordinator does on the check page: accept each proposal as it stands (a suggested match is
    saved as an alias, a suggested partner as a partner; a suggested split needs its parts accepted)."""
    accepted = []
    for entry in report.as_dict()["unmatched_organisations"]:
        if entry["proposal"] == "alias":
            org = Organisation.objects.get(pk=entry["suggestions"][0]["organisation"])
            organisation_alias_accept(name=entry["name"], organisation=org)
            accepted.append((entry["name"], org.name))
        elif entry["proposal"] == "partner":
            organisation_alias_accept(name=entry["name"], partner=True)
            accepted.append((entry["name"], "extern part"))
    return accepted


def import_as_typed(title, content, programme, *, rounds=3):
    """Check, accept the suggestions, check again, …, then import. Returns the final report."""
    for _ in range(rounds):
        report = import_plan(upload=content, programme=programme, dry_run=True)
        print_report(title, report)
        if report.ok:
            break
        accepted = accept_suggestions(report)
        print("Godkända förslag:", accepted)
        if not accepted:
            break
    report = import_plan(upload=content, programme=programme, dry_run=False)
    assert report.ok, [e["text"] for e in report.as_dict()["errors"]]
    return report


def indicator_counts(programme):
    """{organisation name: number of indicators it answers}."""
    answerers = programme_answerers(programme_id=programme.pk)
    names = dict(Organisation.objects.values_list("pk", "name"))
    counts = {}
    for who in answerers.indicators.values():
        for org_id in who:
            counts[names[org_id]] = counts.get(names[org_id], 0) + 1
    return dict(sorted(counts.items()))


def assert_one_rule(programme):
    """The API filters, the generated questionnaire (before and after it is frozen), the respondent pages,
    the Aktiviteter sheet's roles and the results agree with the selector for every organisation."""
    answerers = programme_answerers(programme_id=programme.pk)
    version = generate_activity_version(programme)
    orgs = list(Organisation.objects.order_by("name"))
    survey_round = factories.SurveyRoundFactory(version=version, programme=programme)
    assignments = {o.pk: factories.AssignmentFactory(round=survey_round, organisation=o) for o in orgs}
    api = APIClient()
    api.force_authenticate(factories.UserFactory(role=Role.COORDINATOR))
    questions = list(Question.objects.filter(version=version))
    for frozen in (False, True):
        if frozen:
            version_freeze_responsibilities(version=version)
        roles = activity_roles(version_id=version.pk)
        report = {r["activity"]["id"]: r["responsible"] for r in activity_report(survey_round)["activities"]}
        for org in orgs:
            activity_ids, indicator_ids = answerers.answered_by(org.pk)
            for kind, expected in (("activities", activity_ids), ("indicators", indicator_ids)):
                got = api.get(
                    f"/api/{kind}/?organisation={org.pk}&programme={programme.pk}&limit=1000"
                ).json()
                rows = got["results"] if isinstance(got, dict) else got
                assert {row["id"] for row in rows} == expected, (kind, org.name)
            page = list(questions_for_assignment(assignments[org.pk]))
            # The respondent's pages read the compiled version (cached per organisation once stored).
            assert [q.pk for q in assignment_questions(assignments[org.pk])] == [q.pk for q in page], org.name
            assert {q.indicator_id for q in page if q.indicator_id} == indicator_ids, org.name
            assert {q.activity_id for q in page if q.activity_id} == activity_ids, org.name
            assert {a for a, who in roles.items() if org.pk in who} == activity_ids, org.name
            for activity_id in activity_ids:
                assert roles[activity_id][org.pk] == answerers.activities[activity_id][org.pk]
        for activity_id, who in answerers.activities.items():
            if who:
                assert report[activity_id] == len(who)
        # Every indicator someone answers has its question in the generated version.
        asked = {q.indicator_id for q in questions if q.indicator_id}
        assert {i for i, who in answerers.indicators.items() if who} <= asked
    return version
