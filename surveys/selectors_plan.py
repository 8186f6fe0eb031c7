"""Who answers what: the one rule deciding which activities and indicators of a plan each organisation
answers for, and in which role ("ansvarig" or "samverkan").

The rule (docs/workbooks.md, "Vem svarar på vad"):
- An activity is answered by its lead (an organisation, or every member of a group such as "Alla nämnder",
  each for its own part) and its co-responsible organisations (and the members of co-responsible groups).
- An indicator that inherits (``inherits_responsibility``) is answered by its activity's lead and
  co-responsible organisations, plus any co-responsible organisations the indicator adds.
- An indicator with its own responsibility is answered by exactly its own lead and co-responsible ones.
- An activity's status and comment are also asked of whoever answers one of its indicators.
- External partners are kept on the plan but answer nothing; archived rows answer nothing.

A frozen questionnaire version answers from the table stored with it when its first round opened
(`QuestionResponsibility`), so plan edits never change an opened round. The API filters, the generated
questionnaire, the respondent pages, the Aktiviteter sheet and the results all read through here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet

from .models import Activity, Indicator, Organisation, Question, QuestionnaireVersion, QuestionResponsibility

LEAD = QuestionResponsibility.Role.LEAD.value
CO = QuestionResponsibility.Role.CO.value
# {organisation id: LEAD or CO}: who answers one activity, indicator or question, and in which role.
Roles = dict[int, str]

# A group is a name for every active organisation of one kind; kept as written on the plan row.
GROUPS = {
    "alla nämnder": Organisation.Kind.NAMND,
    "samtliga nämnder": Organisation.Kind.NAMND,
    "alla facknämnder": Organisation.Kind.NAMND,
    "alla förvaltningar": Organisation.Kind.FORVALTNING,
    "samtliga förvaltningar": Organisation.Kind.FORVALTNING,
    "alla fackförvaltningar": Organisation.Kind.FORVALTNING,
    "alla stadsdelsförvaltningar": Organisation.Kind.SDF,
    "samtliga stadsdelsförvaltningar": Organisation.Kind.SDF,
    "alla sdf": Organisation.Kind.SDF,
    "alla bolag": Organisation.Kind.BOLAG,
    "samtliga bolag": Organisation.Kind.BOLAG,
    "alla kommunala bolag": Organisation.Kind.BOLAG,
}


def norm_name(name: object) -> str:
    """How names are compared: NFC, whitespace collapsed, outer punctuation dropped, case folded."""
    # NFC: text pasted from some Mac programs spells "ö" as o + combining diaeresis.
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(name))).strip(" .,;:").casefold()


def group_kind(label: str) -> str | None:
    """The organisation kind a group name stands for, or None when the name is not a group."""
    return GROUPS.get(norm_name(label))


@dataclass
class Answerers:
    """activity id → {organisation id: role}; indicator id → {organisation id: role}."""

    activities: dict[int, Roles] = field(default_factory=dict)
    indicators: dict[int, Roles] = field(default_factory=dict)

    def answered_by(self, organisation_id: int) -> tuple[set[int], set[int]]:
        """(activity ids, indicator ids) the organisation answers for."""
        return (
            {pk for pk, who in self.activities.items() if organisation_id in who},
            {pk for pk, who in self.indicators.items() if organisation_id in who},
        )

    def organisations(self) -> set[int]:
        found = set()
        for who in (*self.activities.values(), *self.indicators.values()):
            found |= set(who)
        return found


def _through(model: type[Model], name: str, owner_ids: Iterable[int]) -> dict[int, set[int]]:
    through = getattr(model, name).through
    owner = f"{model._meta.model_name}_id"
    pairs = {}
    for owner_id, org_id in through.objects.filter(**{f"{owner}__in": owner_ids}).values_list(
        owner, "organisation_id"
    ):
        pairs.setdefault(owner_id, set()).add(org_id)
    return pairs


def plan_answerers(*, activities: QuerySet[Activity]) -> Answerers:
    """Answerers of the given activities (a queryset) and their indicators; archived rows are left out.
    Five queries whatever the size of the plan."""
    acts = list(
        activities.filter(archived_at__isnull=True).values("pk", "lead_id", "lead_group", "co_groups")
    )
    ids = [a["pk"] for a in acts]
    inds = list(
        Indicator.objects.filter(activity_id__in=ids, archived_at__isnull=True).values(
            "pk", "activity_id", "lead_id", "lead_group", "co_groups", "inherits_responsibility"
        )
    )
    act_co = _through(Activity, "co_responsible", ids)
    ind_co = _through(Indicator, "co_responsible", [i["pk"] for i in inds])
    members = {}
    for org_id, kind in Organisation.objects.filter(is_active=True).values_list("pk", "kind"):
        members.setdefault(kind, set()).add(org_id)

    def expand(groups: Iterable[str] | None) -> set[int]:
        found = set()
        for label in groups or ():
            found |= members.get(group_kind(label), set())
        return found

    def roles(lead: set[int], co: set[int]) -> Roles:
        who = dict.fromkeys(co - lead, CO)
        who.update(dict.fromkeys(lead, LEAD))
        return who

    result = Answerers()
    own = {}
    for a in acts:
        lead = ({a["lead_id"]} - {None}) | expand([a["lead_group"]] if a["lead_group"] else [])
        co = act_co.get(a["pk"], set()) | expand(a["co_groups"])
        own[a["pk"]] = (lead, co)
        result.activities[a["pk"]] = roles(lead, co)
    for i in inds:
        extra = ind_co.get(i["pk"], set()) | expand(i["co_groups"])
        if i["inherits_responsibility"] and not i["lead_id"] and not i["lead_group"]:
            lead, co = own[i["activity_id"]]
            who = roles(lead, co | extra)
        else:
            lead = ({i["lead_id"]} - {None}) | expand([i["lead_group"]] if i["lead_group"] else [])
            who = roles(lead, extra)
        result.indicators[i["pk"]] = who
        activity = result.activities[i["activity_id"]]
        for org_id in who:
            activity.setdefault(org_id, CO)
    return result


def programme_answerers(*, programme_id: int | None = None) -> Answerers:
    """Answerers of a programme's plan (every programme when None)."""
    activities = Activity.objects.all()
    if programme_id is not None:
        activities = activities.filter(goal_area__programme_id=programme_id)
    return plan_answerers(activities=activities)


def question_answerers(*, version_id: int) -> dict[int, Roles]:
    """{question id: {organisation id: role}} for the plan-linked questions of a version: the stored table
    for a frozen version, the plan's current rule otherwise. Questions without a plan link are not in it
    (everyone answers them)."""
    frozen = QuestionnaireVersion.objects.filter(pk=version_id, responsibilities_frozen=True).exists()
    if frozen:
        table = {}
        for question_id, org_id, role in QuestionResponsibility.objects.filter(
            question__version_id=version_id
        ).values_list("question_id", "organisation_id", "role"):
            table.setdefault(question_id, {})[org_id] = role
        linked = Question.objects.filter(version_id=version_id).filter(
            Q(activity__isnull=False) | Q(indicator__isnull=False)
        )
        return {pk: table.get(pk, {}) for pk in linked.values_list("pk", flat=True)}
    linked = list(
        Question.objects.filter(version_id=version_id)
        .filter(Q(activity__isnull=False) | Q(indicator__isnull=False))
        .values_list("pk", "activity_id", "indicator_id")
    )
    answerers = plan_answerers(activities=Activity.objects.filter(pk__in={a for _, a, _ in linked if a}))
    return {
        pk: dict(
            answerers.indicators.get(indicator_id, {})
            if indicator_id
            else answerers.activities.get(activity_id, {})
        )
        for pk, activity_id, indicator_id in linked
    }


def questions_answered_by(*, version_id: int, organisation_id: int) -> set[int]:
    """Ids of the plan-linked questions of a version that the organisation answers."""
    return {pk for pk, who in question_answerers(version_id=version_id).items() if organisation_id in who}


def activity_roles(*, version_id: int) -> dict[int, Roles]:
    """{activity id: {organisation id: role}} for a version: who answers each activity's status question."""
    table = question_answerers(version_id=version_id)
    roles = {}
    for pk, activity_id in Question.objects.filter(
        version_id=version_id, activity__isnull=False, indicator__isnull=True
    ).values_list("pk", "activity_id"):
        roles.setdefault(activity_id, {}).update(table.get(pk, {}))
    return roles
