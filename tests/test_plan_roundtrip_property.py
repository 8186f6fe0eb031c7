"""Any plan the product holds exports and re-imports to exactly the same plan, whatever its organisations
are called (commas, semicolons, quotes, line breaks, a leading "=")."""

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import Activity, GoalArea, Indicator, Organisation, Programme
from surveys.selectors_plan import GROUPS, norm_name
from surveys.services.programmes import export_plan, import_plan, plan_rows

pytestmark = pytest.mark.django_db

ALPHABET = "abcÅöé ,;\n\"'=-()"
name = (
    st.text(alphabet=ALPHABET, min_size=1, max_size=24)
    .map(str.strip)
    .filter(lambda n: norm_name(n) and norm_name(n) not in GROUPS and not n.startswith(("\n", ";", ",")))
)
text = st.text(alphabet="abc =,;\n\"'", min_size=1, max_size=30).map(str.strip).filter(bool)


@st.composite
def plans(draw):
    names = draw(st.lists(name, min_size=1, max_size=6, unique_by=norm_name))
    group = st.sampled_from(["", "Alla nämnder", "Samtliga förvaltningar"])
    pick = st.sampled_from(range(len(names)))
    activities = []
    for _ in range(draw(st.integers(1, 3))):
        indicators = []
        for _ in range(draw(st.integers(0, 3))):
            indicators.append(
                {
                    "text": draw(text),
                    "own": draw(st.booleans()),
                    "lead": draw(pick),
                    "co": draw(st.sets(pick, max_size=3)),
                    "co_group": draw(group),
                }
            )
        activities.append(
            {
                "title": draw(text),
                "lead": draw(st.one_of(st.none(), pick)),
                "lead_group": draw(group),
                "co": draw(st.sets(pick, max_size=4)),
                "co_group": draw(group),
                "indicators": indicators,
            }
        )
    return names, activities


def build(names, activities):
    orgs = [Organisation.objects.create(name=n, kind="namnd") for n in names]
    programme = Programme.objects.create(name="Plan", start_year=2022, end_year=2025)
    goal = GoalArea.objects.create(programme=programme, number="1", title="Mål")
    for a_index, spec in enumerate(activities, start=1):
        lead = orgs[spec["lead"]] if spec["lead"] is not None else None
        activity = Activity.objects.create(
            goal_area=goal,
            number=f"1.{a_index}",
            title=spec["title"],
            lead=lead,
            lead_group="" if lead else spec["lead_group"],
            co_groups=[spec["co_group"]]
            if spec["co_group"] and (lead or spec["co_group"] != spec["lead_group"])
            else [],
            order=a_index - 1,
        )
        activity.co_responsible.set([orgs[i] for i in spec["co"] if orgs[i] != lead])
        seen = set()
        for ind in spec["indicators"]:
            if norm_name(ind["text"]) in seen:
                continue
            seen.add(norm_name(ind["text"]))
            own_lead = orgs[ind["lead"]] if ind["own"] else None
            indicator = Indicator.objects.create(
                activity=activity,
                text=ind["text"],
                inherits_responsibility=not ind["own"],
                lead=own_lead,
                co_groups=[ind["co_group"]] if ind["co_group"] else [],
                order=len(seen) - 1,
            )
            indicator.co_responsible.set([orgs[i] for i in ind["co"] if orgs[i] != own_lead])
    return programme


# More examples on request: HYPOTHESIS_PLAN_EXAMPLES=500 pytest tests/test_plan_roundtrip_property.py
@settings(max_examples=int(os.environ.get("HYPOTHESIS_PLAN_EXAMPLES", "25")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans())
def test_any_plan_exports_and_reimports_to_exactly_the_same_plan(plan):
    names, activities = plan
    with transaction.atomic():
        source = build(names, activities)
        content = export_plan(source)
        copy = Programme(name="Kopia", start_year=2022, end_year=2025)
        report = import_plan(upload=content, programme=copy, dry_run=False)
        assert report.ok, [e["text"] for e in report.as_dict()["errors"]]
        assert not report.new_organisations and not report.partners
        assert plan_rows(copy) == plan_rows(source)
        again = import_plan(upload=content, programme=source, dry_run=True)
        assert sum(again.changed.values()) == 0, again.changes
        transaction.set_rollback(True)
