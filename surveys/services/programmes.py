"""A programme's plan to and from the plan workbook: what the rows mean, what would change, all or nothing.

Matching: målområden by number (or title when the file gives no number), insatsområden by number within
their målområde, activities by number within their målområde (or title when unnumbered), indicators by
text within their activity. Organisations by name, short name or alias, ignoring case and spacing, longest
first (plan_names); "Samtliga nämnder"/"Alla nämnder" and the like stay groups; external partners stay on
the row. Responsibility per indicator row follows the rule in selectors_plan. Nothing in the database is
deleted by an import: rows that exist but are not in the file are listed and kept, or archived on request."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model, Prefetch
from django.utils import timezone

from exports import plan_io
from exports.sheets import CellError, SheetRows, cell_text, cell_yes_no

from ..models import Activity, FocusArea, GoalArea, Indicator, Organisation, Programme, User
from ..selectors_plan import GROUPS, group_kind, norm_name
from .audit import audit_record
from .plan_names import CellNames, NameBook, Place, unknown_name_error

# -- the rules of a plan row written one at a time (the API, the admin), as the import applies them ----


def plan_row_groups_check(*, lead_group: str = "", co_groups: Iterable[str] = ()) -> None:
    """ValidationError (Swedish) for a group name the plan rule does not know ("Alla nämnder" and the
    like are resolved by organisation kind, see selectors_plan)."""
    unknown = [g for g in [lead_group or "", *co_groups] if g and not group_kind(g)]
    if unknown:
        known = ", ".join(sorted({g.capitalize() for g in GROUPS}))
        raise ValidationError({"lead_group": f"Okänd grupp: {unknown[0]}. Kända grupper: {known}."})


def indicator_row_rules(fields: dict[str, Any]) -> dict[str, Any]:
    """An indicator row's responsibility as written: known groups only, and naming a lead (an
    organisation, a group or a partner) states the responsibility in full unless the row says it
    inherits the activity's (selectors_plan). Returns `fields` with that default applied."""
    plan_row_groups_check(lead_group=fields.get("lead_group") or "", co_groups=fields.get("co_groups") or ())
    if fields.get("lead") or fields.get("lead_group") or fields.get("lead_partner"):
        fields.setdefault("inherits_responsibility", False)
    return fields


NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+(\S.*)$", re.S)
LIST_SEPARATORS = ("; ", "\n", ";\n", " ;; ")
# One row of the plan sheet as read: {column key: cell value} plus "_row", its number in the sheet.
Row = dict[str, Any]
# (old, new) per field of a plan row, as the import compares them.
FieldChanges = dict[str, tuple[Any, Any]]
Saved = TypeVar("Saved", bound=Model)


def split_numbered(text: str) -> tuple[str, str]:
    """'1.1 Tillsyn' → ('1.1', 'Tillsyn'); 'Tillsyn' → ('', 'Tillsyn')."""
    match = NUMBERED.match(text)
    return (match[1], match[2].strip()) if match else ("", text.strip())


def numbered(number: str, title: str) -> str:
    return f"{number} {title}".strip()


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def join_names(names: Iterable[str], book: NameBook | None = None) -> str:
    """A list of names as one cell, with the first separator that reads back as the same list (a name may
    itself hold "; " or a line break)."""
    names = [n for n in names if n]
    if len(names) < 2:
        return names[0] if names else ""
    book = book or NameBook()
    want = sorted(norm_name(n) for n in names)
    for separator in LIST_SEPARATORS:
        cell = separator.join(names)
        found = book.split(cell)
        got = [norm_name(o.name) for o in found.organisations] + [
            norm_name(n) for n in found.groups + found.partners
        ]
        if sorted(got) == want and not found.unknown:
            return cell
    return "; ".join(names)


def _lead_cell(row: Activity | Indicator) -> str:
    return row.lead.name if row.lead else (row.lead_group or row.lead_partner)


def _co_cell(row: Activity | Indicator, book: NameBook) -> str:
    names = sorted(o.name for o in row.co_responsible.all())
    return join_names(names + list(row.co_groups or []) + list(row.partners or []), book)


def plan_rows(programme: Programme, *, include_archived: bool = False) -> list[dict[str, Any]]:
    """The plan as workbook rows (one per indicator; an activity without indicators, and a målområde or
    insatsområde without activities, get one row each). Every row repeats its activity's Ansvarig and
    Samverkan; an indicator with its own responsibility names it in full in the indicator columns.
    A fixed number of queries."""
    book = NameBook()
    by_name = Prefetch("co_responsible", queryset=Organisation.objects.order_by("name"))
    indicators = Indicator.objects.select_related("lead").prefetch_related(
        Prefetch("co_responsible", queryset=Organisation.objects.order_by("name"))
    )
    activities = Activity.objects.filter(goal_area__programme=programme)
    if not include_archived:
        activities = activities.filter(archived_at__isnull=True)
        indicators = indicators.filter(archived_at__isnull=True)
    activities = (
        activities.select_related("goal_area", "focus_area", "lead")
        .prefetch_related(by_name, Prefetch("indicators", queryset=indicators.order_by("order", "pk")))
        .order_by("order", "pk")
    )
    by_goal = {}
    for activity in activities:
        by_goal.setdefault(activity.goal_area_id, []).append(activity)
    focus_by_goal = {}
    for focus in FocusArea.objects.filter(goal_area__programme=programme).order_by("order", "number"):
        focus_by_goal.setdefault(focus.goal_area_id, []).append(focus)
    rows = []
    for goal in GoalArea.objects.filter(programme=programme).order_by("order", "number"):
        goal_cell = numbered(goal.number, goal.title)
        goal_activities = by_goal.get(goal.pk, [])
        used_focus = {a.focus_area_id for a in goal_activities}
        for focus in focus_by_goal.get(goal.pk, []):
            if focus.pk not in used_focus:
                rows.append({"goal": goal_cell, "focus": numbered(focus.number, focus.title)})
        if not goal_activities and not focus_by_goal.get(goal.pk):
            rows.append({"goal": goal_cell})
        for activity in goal_activities:
            base = {
                "goal": goal_cell,
                "focus": numbered(activity.focus_area.number, activity.focus_area.title)
                if activity.focus_area
                else "",
                "activity": numbered(activity.number, activity.title),
                "description": activity.description,
                "frequency": activity.frequency,
                "lead": _lead_cell(activity),
                "co": _co_cell(activity, book),
            }
            indicators = list(activity.indicators.all())
            if not indicators:
                rows.append(base)
            for indicator in indicators:
                own = not indicator.inherits_responsibility
                rows.append(
                    base
                    | {
                        "indicator": indicator.text,
                        "unit": indicator.unit,
                        "target": indicator.target,
                        "due_date": indicator.due_date,
                        "gender_split": "Ja" if indicator.gender_split else "Nej",
                        "indicator_lead": _lead_cell(indicator) if own else "",
                        "indicator_co": _co_cell(indicator, book),
                    }
                )
    return rows


def export_plan(programme: Programme) -> bytes:
    """The plan workbook (bytes) in the import format."""
    return plan_io.write_plan(plan_rows(programme), title=str(programme))


# --------------------------------------------------------------------------------------------------
# Import: read → drafts → diff → (apply)
# --------------------------------------------------------------------------------------------------


@dataclass
class GoalDraft:
    number: str
    title: str
    row: int
    order: int


@dataclass
class FocusDraft:
    goal: GoalDraft
    number: str
    title: str
    row: int
    order: int


@dataclass
class Responsible:
    """Who a plan row names: a lead (organisation, group or partner, as written) and co-responsible ones."""

    lead: Organisation | None = None
    lead_group: str = ""
    lead_partner: str = ""
    co: list = field(default_factory=list)
    co_groups: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    present: bool = False  # whether the cells named anything at all

    def __bool__(self) -> bool:
        return self.present

    @property
    def has_lead(self) -> bool:
        return bool(self.lead or self.lead_group or self.lead_partner)

    def same_as(self, other: Responsible) -> bool:
        return _responsible_key(self) == _responsible_key(other)


def _responsible_key(who: Responsible) -> tuple:
    return (
        _org_id(who.lead),
        norm_name(who.lead_group),
        norm_name(who.lead_partner),
        tuple(_org_ids(who.co)),
        tuple(sorted(map(norm_name, who.co_groups))),
        tuple(sorted(map(norm_name, who.partners))),
    )


@dataclass
class IndicatorDraft:
    text: str
    unit: str
    target: str
    due_date: datetime.date | None
    gender_split: bool
    inherits: bool
    who: Responsible
    row: int
    order: int


@dataclass
class ActivityDraft:
    goal: GoalDraft
    focus: FocusDraft | None
    number: str
    title: str
    description: str
    frequency: str
    who: Responsible
    row: int
    order: int
    indicators: list = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.goal.number, self.number or "title:" + norm_name(self.title))


@dataclass
class PlanImportReport:
    """What an import found and would do (dry run) or did. `ok` is False when anything is wrong; then
    nothing was written."""

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    unmatched_organisations: dict = field(default_factory=dict)  # name → {"places", "suggestions", …}
    partners: dict = field(default_factory=dict)  # partner name → ["rad 4, kolumn F", …]
    archived: list = field(default_factory=list)
    created: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)
    not_in_file: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    new_organisations: list = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "applied": self.applied,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [str(w) for w in self.warnings],
            "unmatched_organisations": [
                {"name": name, **found} for name, found in self.unmatched_organisations.items()
            ],
            "partners": [{"name": name, "places": places} for name, places in self.partners.items()],
            "archived": self.archived,
            "new_organisations": self.new_organisations,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "changes": self.changes,
            "not_in_file": self.not_in_file,
            "ignored_columns": self.ignored_columns,
        }


def _guess_kind(name: str) -> str:
    lowered = name.casefold()
    if lowered.endswith(("nämnden", "nämnd", "styrelsen")):
        return Organisation.Kind.NAMND
    if "förvaltning" in lowered:
        return Organisation.Kind.SDF if "stadsdel" in lowered else Organisation.Kind.FORVALTNING
    if lowered.endswith((" ab", " aktiebolag")):
        return Organisation.Kind.BOLAG
    return Organisation.Kind.EXTERN


class OrganisationNames:
    """Resolve cells of organisation names (plan_names.NameBook); remembers what matched nothing, with
    suggestions, and where partners were named."""

    def __init__(self, report: PlanImportReport, *, create_missing: bool) -> None:
        self.report = report
        self.create_missing = create_missing
        self.book = NameBook()
        self.name_of = self.book.name_of
        self.new: dict[str, Organisation] = {}

    def resolve(self, text: object, place: Place) -> CellNames:
        """A Responsible-like split of a cell: organisations, groups, partners (unknown names reported)."""
        found = self.book.split(text)
        for name in found.partners:
            self.report.partners.setdefault(name, []).append(str(place))
        for name in found.unknown:
            org = self._missing(name, place)
            if org is not None and all(org is not o for o in found.organisations):
                found.organisations.append(org)
        return found

    def _missing(self, name: str, place: Place) -> Organisation | None:
        key = norm_name(name)
        if self.create_missing:
            if key not in self.new:
                self.new[key] = Organisation(name=name[:200], kind=_guess_kind(name))
                self.book.add(name, self.new[key])
                self.report.new_organisations.append(name)
            return self.new[key]
        entry = self.report.unmatched_organisations.get(name)
        if entry is None:
            suggestions, proposal = self.book.suggest(name)
            entry = {"places": [], "suggestions": suggestions, "proposal": proposal}
            pieces = [
                (" ".join(p.split()), k) for p, k in self.book.segment(name, loose=True) if norm_name(p)
            ]
            if len(pieces) > 1:
                # A list written with commas (or "och"): when each part is known or has a proposal of
                # its own, the parts are decided one by one and the comma then splits.
                part_entries = {}
                for part, known in pieces:
                    if known is None:
                        part_suggestions, part_proposal = self.book.suggest(part)
                        part_entries[part] = {
                            "places": [],
                            "suggestions": part_suggestions,
                            "proposal": part_proposal,
                            "part_of": name,
                        }
                if len(part_entries) < len(pieces) or proposal != "alias":
                    entry["proposal"] = "split"
                    entry["parts"] = [p for p, _ in pieces]
                    for part, part_entry in part_entries.items():
                        self.report.unmatched_organisations.setdefault(part, part_entry)
            self.report.unmatched_organisations[name] = entry
        entry["places"].append(str(place))
        self.report.errors.append(unknown_name_error(place, name))
        return None


class PlanParser:
    """Rows → drafts, collecting every error with its sheet, row and column."""

    MAX = {
        "goal": 500,
        "focus": 500,
        "activity": 500,
        "frequency": 300,
        "indicator": 500,
        "unit": 60,
        "target": 300,
    }

    def __init__(
        self,
        read: SheetRows,
        report: PlanImportReport,
        names: OrganisationNames,
        existing_goals: dict[str, GoalArea],
    ) -> None:
        self.read = read
        self.report = report
        self.names = names
        self.existing_goals = existing_goals  # number → GoalArea, for unnumbered titles
        self.goals: dict[str, GoalDraft] = {}
        self.focus: dict[tuple[str, str], FocusDraft] = {}
        self.activities: dict[tuple[str, str], ActivityDraft] = {}

    def error(self, row: Row, key: str, message: str) -> None:
        self.report.errors.append(CellError(self.read.sheet, row["_row"], self.read.place(key), message))

    def text(self, row: Row, key: str) -> str:
        value = cell_text(row.get(key))
        limit = self.MAX.get(key)
        if limit and len(value) > limit:
            self.error(row, key, f"Texten är för lång ({len(value)} tecken, högst {limit}).")
            return value[:limit]
        return value

    def orgs(self, row: Row, key: str) -> CellNames:
        return self.names.resolve(row.get(key), Place(self.read.sheet, row["_row"], self.read.place(key)))

    def responsible(self, row: Row, lead_key: str, co_key: str) -> Responsible:
        """The lead and Samverkan cells of a row; a second name in the lead cell is co-responsible (with a
        warning), and the lead itself is never also co-responsible. Falsy when both cells are empty."""
        leads, co = self.orgs(row, lead_key), self.orgs(row, co_key)
        who = Responsible()
        if leads.organisations:
            who.lead = leads.organisations[0]
        elif leads.groups:
            who.lead_group = leads.groups[0]
        elif leads.partners:
            who.lead_partner = leads.partners[0]
        named = len(leads.organisations) + len(leads.groups) + len(leads.partners)
        if named > 1:
            self.report.warnings.append(
                f"Rad {row['_row']}: flera ansvariga i samma cell; "
                f"{who.lead.name if who.lead else who.lead_group or who.lead_partner} blir ansvarig och övriga samverkan."
            )
        who.co = _unique([o for o in leads.organisations + co.organisations if o is not who.lead])
        who.co_groups = _unique_names([g for g in leads.groups + co.groups if g != who.lead_group])
        who.partners = _unique_names([p for p in leads.partners + co.partners if p != who.lead_partner])
        who.present = bool(leads or co)
        return who

    def parse(self) -> None:
        previous_goal = previous_focus = previous_activity = None
        for row in self.read.rows:
            continued = True
            goal_text = self.text(row, "goal")
            if goal_text:
                continued = False
                goal = self._goal(row, goal_text)
            elif previous_goal is None:
                self.error(row, "goal", "Målområde saknas (och det finns ingen rad ovanför att fortsätta).")
                continue
            else:
                goal = previous_goal
            focus_text = self.text(row, "focus")
            if focus_text:
                continued = False
                focus = self._focus(row, goal, focus_text)
            else:
                focus = previous_focus if continued else None
            activity_text = self.text(row, "activity")
            if activity_text:
                activity = self._activity(row, goal, focus, activity_text)
                first_row = activity.row == row["_row"]
            elif continued and previous_activity is not None:
                activity, first_row = previous_activity, False
            else:
                activity = None
                if any(cell_text(row.get(k)) for k in self.read.columns if k not in ("goal", "focus")):
                    self.error(row, "activity", "Aktivitet saknas.")
            previous_goal, previous_focus, previous_activity = goal, focus, activity
            if activity is not None:
                self._indicator(row, activity, first_row)

    def _goal(self, row: Row, text: str) -> GoalDraft:
        number, title = split_numbered(text)
        if not number:
            known = [n for n, g in self.existing_goals.items() if norm_name(g.title) == norm_name(title)]
            known += [n for n, g in self.goals.items() if norm_name(g.title) == norm_name(title)]
            number = known[0] if known else self._free_number(self.goals, self.existing_goals)
        if len(number) > 20:
            self.error(row, "goal", "Numret är för långt (högst 20 tecken).")
        goal = self.goals.get(number)
        if goal is None:
            goal = self.goals[number] = GoalDraft(number, title, row["_row"], len(self.goals))
        elif norm_name(goal.title) != norm_name(title):
            self.error(row, "goal", f"Målområde {number} har en annan rubrik på rad {goal.row}.")
        return goal

    @staticmethod
    def _free_number(*taken: dict[str, Any]) -> str:
        n = 1
        while any(str(n) in t for t in taken):
            n += 1
        return str(n)

    def _focus(self, row: Row, goal: GoalDraft, text: str) -> FocusDraft:
        number, title = split_numbered(text)
        siblings = {k: f for k, f in self.focus.items() if k[0] == goal.number}
        if not number:
            known = [k[1] for k, f in siblings.items() if norm_name(f.title) == norm_name(title)]
            number = known[0] if known else f"{goal.number}.{len(siblings) + 1}"
        key = (goal.number, number)
        focus = self.focus.get(key)
        if focus is None:
            focus = self.focus[key] = FocusDraft(goal, number, title, row["_row"], len(siblings))
        elif norm_name(focus.title) != norm_name(title):
            self.error(row, "focus", f"Insatsområde {number} har en annan rubrik på rad {focus.row}.")
        return focus

    def _activity(self, row: Row, goal: GoalDraft, focus: FocusDraft | None, text: str) -> ActivityDraft:
        number, title = split_numbered(text)
        if len(number) > 20:
            self.error(row, "activity", "Numret är för långt (högst 20 tecken).")
        key = (goal.number, number or "title:" + norm_name(title))
        activity = self.activities.get(key)
        if activity is not None:
            if activity.focus is not focus and focus is not None:
                self.error(
                    row, "focus", f"Aktiviteten står under ett annat insatsområde på rad {activity.row}."
                )
            return activity
        who = self.responsible(row, "lead", "co")
        activity = ActivityDraft(
            goal=goal,
            focus=focus,
            number=number,
            title=title,
            description=cell_text(row.get("description")),
            frequency=self.text(row, "frequency"),
            who=who,
            row=row["_row"],
            order=len(self.activities),
        )
        self.activities[key] = activity
        return activity

    def _indicator(self, row: Row, activity: ActivityDraft, first_row: bool) -> None:
        if not first_row:
            for key, current in (("description", activity.description), ("frequency", activity.frequency)):
                value = cell_text(row.get(key))
                if value and value != current:
                    self.error(row, key, f"Skiljer sig från aktivitetens första rad (rad {activity.row}).")
        text = self.text(row, "indicator")
        if not text:
            extra = [
                k
                for k in ("unit", "target", "due_date", "indicator_lead", "indicator_co")
                if cell_text(row.get(k))
            ]
            if extra:
                self.error(row, "indicator", "Indikator saknas, men raden har uppgifter om en indikator.")
            return
        # The rule (selectors_plan): a row that names its own lead states its responsibility in full;
        # a row with no lead inherits the activity's (plus any Samverkan it adds).
        who = self.responsible(row, "indicator_lead", "indicator_co")
        if not first_row and not who:
            repeated = self.responsible(row, "lead", "co")
            if repeated and not repeated.same_as(activity.who):
                who = repeated
        inherits = not who.has_lead
        draft = IndicatorDraft(
            text=text,
            unit=self.text(row, "unit"),
            target=self.text(row, "target"),
            due_date=self._date(row),
            gender_split=self._yes_no(row),
            inherits=inherits,
            who=who,
            row=row["_row"],
            order=len(activity.indicators),
        )
        if any(norm_name(i.text) == norm_name(text) for i in activity.indicators):
            self.error(row, "indicator", "Indikatorn finns redan under samma aktivitet.")
        else:
            activity.indicators.append(draft)

    def _date(self, row: Row) -> datetime.date | None:
        value = row.get("due_date")
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(cell_text(value))
        except ValueError:
            self.error(row, "due_date", "Ogiltigt datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2025-12-31.")
            return None

    def _yes_no(self, row: Row) -> bool:
        value = cell_yes_no(row.get("gender_split"))
        if value is None:
            self.error(row, "gender_split", "Skriv Ja eller Nej.")
        return bool(value)


def _unique_names(names: Iterable[str]) -> list[str]:
    out, seen = [], set()
    for name in names:
        if norm_name(name) not in seen:
            seen.add(norm_name(name))
            out.append(name)
    return out


def _unique(orgs: Iterable[Organisation]) -> list[Organisation]:
    out = []
    for org in orgs:
        if all(org is not other for other in out):
            out.append(org)
    return out


def _org_id(org: Organisation | None) -> int | str | None:
    return org.pk if org is not None and org.pk else (f"ny:{org.name}" if org is not None else None)


def _org_ids(orgs: Iterable[Organisation]) -> list[str]:
    return sorted(str(_org_id(o)) for o in orgs)


def _responsible_fields(old: Activity | Indicator, who: Responsible) -> FieldChanges:
    return {
        "lead": (old.lead_id, _org_id(who.lead)),
        "lead_group": (old.lead_group, who.lead_group),
        "lead_partner": (old.lead_partner, who.lead_partner),
        "co_responsible": (_org_ids(old.co_responsible.all()), _org_ids(who.co)),
        "co_groups": (sorted(old.co_groups or []), sorted(who.co_groups)),
        "partners": (sorted(old.partners or []), sorted(who.partners)),
    }


def _responsible_values(who: Responsible) -> dict[str, Any]:
    return {
        "lead": who.lead,
        "lead_group": who.lead_group[:100],
        "lead_partner": who.lead_partner[:300],
        "co_groups": list(who.co_groups),
        "partners": list(who.partners),
    }


class PlanDiff:
    """Compare drafts with the programme in the database; `apply()` writes the difference."""

    def __init__(self, programme: Programme, parser: PlanParser, report: PlanImportReport) -> None:
        self.programme = programme
        self.parser = parser
        self.report = report
        self.goals: dict[str, GoalArea] = {}
        self.focus: dict[tuple[str, str], FocusArea] = {}
        self.activities: dict[tuple[str, str], Activity] = {}
        if programme.pk:
            self.goals = {g.number: g for g in programme.goal_areas.all()}
            self.focus = {
                (f.goal_area.number, f.number): f
                for f in FocusArea.objects.filter(goal_area__programme=programme).select_related("goal_area")
            }
            for activity in (
                Activity.objects.filter(goal_area__programme=programme)
                .select_related("goal_area", "focus_area__goal_area")
                .prefetch_related("co_responsible", "indicators__co_responsible")
            ):
                key = (activity.goal_area.number, activity.number or "title:" + norm_name(activity.title))
                self.activities[key] = activity
        self.missing_activities, self.missing_indicators = [], []
        for level in ("goal_areas", "focus_areas", "activities", "indicators"):
            for counter in (report.created, report.changed, report.unchanged):
                counter[level] = 0

    def _record(self, level: str, label: str, row: int, existing: Model | None, fields: FieldChanges) -> None:
        if existing is None:
            self.report.created[level] += 1
            self.report.changes.append({"action": "create", "level": level, "label": label, "row": row})
            return
        changed = {
            k: {"from": self._readable(k, old), "to": self._readable(k, new)}
            for k, (old, new) in fields.items()
            if old != new
        }
        if changed:
            self.report.changed[level] += 1
            self.report.changes.append(
                {"action": "change", "level": level, "label": label, "row": row, "fields": changed}
            )
        else:
            self.report.unchanged[level] += 1

    def _readable(self, key: str, value: Any) -> Any:
        """Organisation ids (compared) become names (shown)."""
        if key == "lead":
            return self._org_name(value)
        if key == "co_responsible":
            return sorted(self._org_name(v) for v in value)
        return value

    def _org_name(self, value: int | str | None) -> str | None:
        if value is None:
            return None
        text = str(value)
        if text.startswith("ny:"):
            return f"{text[3:]} (ny)"
        return self.parser.names.name_of.get(int(text), text)

    def compute(self) -> None:
        for goal in self.parser.goals.values():
            old = self.goals.get(goal.number)
            self._record(
                "goal_areas",
                numbered(goal.number, goal.title),
                goal.row,
                old,
                {} if old is None else {"title": (old.title, goal.title), "order": (old.order, goal.order)},
            )
        for key, focus in self.parser.focus.items():
            old = self.focus.get(key)
            self._record(
                "focus_areas",
                numbered(focus.number, focus.title),
                focus.row,
                old,
                {} if old is None else {"title": (old.title, focus.title), "order": (old.order, focus.order)},
            )
        seen = set()
        for key, draft in self.parser.activities.items():
            old = self.activities.get(key)
            seen.add(key)
            self._record(
                "activities",
                numbered(draft.number, draft.title),
                draft.row,
                old,
                self._activity_fields(old, draft),
            )
            old_indicators = {norm_name(i.text): i for i in old.indicators.all()} if old else {}
            for indicator in draft.indicators:
                previous = old_indicators.pop(norm_name(indicator.text), None)
                self._record(
                    "indicators",
                    indicator.text,
                    indicator.row,
                    previous,
                    self._indicator_fields(previous, indicator),
                )
            live = [i for i in old_indicators.values() if i.archived_at is None]
            self.missing_indicators += live
            self.report.not_in_file += [
                f'Indikator "{i.text}" ({numbered(old.number, old.title)})' for i in live
            ]
        live = [a for k, a in self.activities.items() if k not in seen and a.archived_at is None]
        self.missing_activities += live
        self.report.not_in_file += [f"Aktivitet {numbered(a.number, a.title)}" for a in live]

    def archive_missing(self, now: datetime.datetime) -> None:
        """Archive the rows that exist but are not in the file: kept (answers may refer to them), no
        longer in the plan export, new questionnaires or the answerers of a plan."""
        Activity.objects.filter(pk__in=[a.pk for a in self.missing_activities]).update(archived_at=now)
        Indicator.objects.filter(pk__in=[i.pk for i in self.missing_indicators]).update(archived_at=now)
        self.report.archived = list(self.report.not_in_file)

    @staticmethod
    def _activity_fields(old: Activity | None, draft: ActivityDraft) -> FieldChanges:
        if old is None:
            return {}
        old_focus = old.focus_area.number if old.focus_area else None
        return {
            "title": (old.title, draft.title),
            "focus_area": (old_focus, draft.focus.number if draft.focus else None),
            "description": (old.description, draft.description),
            "frequency": (old.frequency, draft.frequency),
            **_responsible_fields(old, draft.who),
            "order": (old.order, draft.order),
        }

    @staticmethod
    def _indicator_fields(old: Indicator | None, draft: IndicatorDraft) -> FieldChanges:
        if old is None:
            return {}
        return {
            "text": (old.text, draft.text),
            "unit": (old.unit, draft.unit),
            "target": (old.target, draft.target),
            "due_date": (
                old.due_date.isoformat() if old.due_date else None,
                draft.due_date.isoformat() if draft.due_date else None,
            ),
            "gender_split": (old.gender_split, draft.gender_split),
            "inherits_responsibility": (old.inherits_responsibility, draft.inherits),
            **_responsible_fields(old, draft.who),
            "order": (old.order, draft.order),
        }

    def apply(self) -> None:
        for org in self.parser.names.new.values():
            org.save()
        if not self.programme.pk:
            self.programme.save()
        goals = {}
        for number, draft in self.parser.goals.items():
            goals[number] = self._save(
                self.goals.get(number),
                GoalArea,
                programme=self.programme,
                number=number,
                title=draft.title,
                order=draft.order,
            )
        focus = {}
        for key, draft in self.parser.focus.items():
            focus[key] = self._save(
                self.focus.get(key),
                FocusArea,
                goal_area=goals[key[0]],
                number=draft.number,
                title=draft.title,
                order=draft.order,
            )
        new_activities, activity_for = [], {}
        for key, draft in self.parser.activities.items():
            values = {
                "goal_area": goals[draft.goal.number],
                "focus_area": focus[(draft.goal.number, draft.focus.number)] if draft.focus else None,
                "number": draft.number,
                "title": draft.title,
                "description": draft.description,
                "frequency": draft.frequency,
                **_responsible_values(draft.who),
                "archived_at": None,
                "order": draft.order,
            }
            old = self.activities.get(key)
            if old is None:
                activity_for[key] = Activity(**values)
                new_activities.append(activity_for[key])
            else:
                activity_for[key] = self._save(old, Activity, **values)
                if _org_ids(old.co_responsible.all()) != _org_ids(draft.who.co):
                    old.co_responsible.set(draft.who.co)
        Activity.objects.bulk_create(new_activities)
        Activity.co_responsible.through.objects.bulk_create(
            Activity.co_responsible.through(activity_id=a.pk, organisation_id=o.pk)
            for key, a in activity_for.items()
            if key not in self.activities
            for o in self.parser.activities[key].who.co
        )
        self._apply_indicators(activity_for)

    def _apply_indicators(self, activity_for: dict[tuple[str, str], Activity]) -> None:
        new_indicators, new_co = [], []
        for key, draft in self.parser.activities.items():
            activity = activity_for[key]
            old = self.activities.get(key)
            old_indicators = {norm_name(i.text): i for i in old.indicators.all()} if old else {}
            for indicator in draft.indicators:
                values = {
                    "activity": activity,
                    "text": indicator.text,
                    "unit": indicator.unit,
                    "target": indicator.target,
                    "due_date": indicator.due_date,
                    "gender_split": indicator.gender_split,
                    "inherits_responsibility": indicator.inherits,
                    **_responsible_values(indicator.who),
                    "archived_at": None,
                    "order": indicator.order,
                }
                previous = old_indicators.get(norm_name(indicator.text))
                if previous is None:
                    created = Indicator(**values)
                    new_indicators.append(created)
                    new_co.append((created, indicator.who.co))
                else:
                    self._save(previous, Indicator, **values)
                    if _org_ids(previous.co_responsible.all()) != _org_ids(indicator.who.co):
                        previous.co_responsible.set(indicator.who.co)
        Indicator.objects.bulk_create(new_indicators)
        Indicator.co_responsible.through.objects.bulk_create(
            Indicator.co_responsible.through(indicator_id=i.pk, organisation_id=o.pk)
            for i, orgs in new_co
            for o in orgs
        )

    @staticmethod
    def _save(existing: Saved | None, model: type[Saved], **values: Any) -> Saved:
        if existing is None:
            return model.objects.create(**values)
        changed = [k for k, v in values.items() if getattr(existing, k) != v]
        for k in changed:
            setattr(existing, k, values[k])
        if changed:
            existing.save(update_fields=changed)
        return existing


def import_plan(
    *,
    upload: bytes | IO[bytes] | UploadedFile,
    programme: Programme,
    dry_run: bool = True,
    create_organisations: bool = False,
    archive_missing: bool = False,
    now: datetime.datetime | None = None,
    actor: User | None = None,
) -> PlanImportReport:
    """Check a plan workbook against `programme` (saved, or unsaved to create it) and, unless `dry_run`,
    apply it all or nothing; with `archive_missing`, rows of the programme that the file no longer has
    are archived in the same step. Returns a PlanImportReport (errors, suggestions for unknown names,
    partners, what changes); UnsafeWorkbook propagates for hostile files."""
    report = PlanImportReport()
    read = plan_io.read_plan(upload)
    report.errors += read.errors
    report.ignored_columns = read.ignored_headers
    if report.errors:
        return report
    with transaction.atomic():
        names = OrganisationNames(report, create_missing=create_organisations)
        existing_goals = {g.number: g for g in programme.goal_areas.all()} if programme.pk else {}
        parser = PlanParser(read, report, names, existing_goals)
        parser.parse()
        if not parser.activities and not parser.goals and not report.errors:
            report.errors.append(
                CellError(read.sheet, None, None, "Filen innehåller ingen plan (inga rader).")
            )
        diff = PlanDiff(programme, parser, report)
        diff.compute()
        if report.ok and not dry_run:
            diff.apply()
            if archive_missing:
                diff.archive_missing(now or timezone.now())
            report.applied = True
            audit_record(
                actor=actor,
                action="plan.import",
                target=str(programme),
                detail={
                    "message": f"Importerade planen för {programme}.",
                    "file": str(getattr(upload, "name", "") or "")[:200],
                    "created": report.created,
                    "changed": report.changed,
                },
            )
    return report


def new_programme(
    *, name: str, start_year: int, end_year: int, owner: str = "", description: str = ""
) -> Programme:
    """An unsaved programme for import_plan to create when the import is applied."""
    return Programme(
        name=name, start_year=start_year, end_year=end_year, owner=owner, description=description
    )
