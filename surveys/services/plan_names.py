"""Names of organisations in plan cells: split a cell into names, match them, suggest near matches, and
save a coordinator's accepted suggestion (an alias, or "this is an external partner") for every later import.

Splitting: semicolons and line breaks always separate names; a comma (or " och ") separates only where
every part is a known name (organisation, short name, alias, group or partner). Known names are matched longest first,
so "Nämnden för idrott, fritid och förebyggande" is one name whenever it is known. An unknown name is never
split at its commas and never becomes an organisation by itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from exports.sheets import CellError, cell_text

from ..models import Organisation, OrganisationAlias, User
from ..selectors_plan import GROUPS, norm_name
from .audit import audit_record

HARD = (";", "\n", "\r")
SOFT = (",", " och ")
SUGGEST_MIN = 70  # below this score a name is not offered as a match
ALIAS_MIN = 85  # the best match is proposed (accept = save as alias) from this score
# Words that mark a name as an external party or a role rather than a municipal organisation.
PARTNER_WORDS = (
    "region",
    "landsting",
    "polis",
    "länsstyrelse",
    "nätverk",
    "samordnar",
    "grupp",
    "förening",
    "företag",
    "organisationer",
    "myndighet",
    "kommuner",
    "systembolag",
    "handlar",
    "hälsocentral",
    "rektor",
    "personal",
    "politiker",
    "tjänstemän",
    "föräldrar",
    "ungdomar",
    "m.fl",
    "universitet",
    "kriminalvård",
    "tull",
    "försäkringskassa",
    "arbetsförmedling",
    "räddningstjänst",
    "kyrk",
)


@dataclass
class Known:
    kind: str  # "org" | "group" | "partner"
    organisation: Organisation | None = None


@dataclass
class CellNames:
    """What one cell names: organisations, groups and partners (both as written), and unknown names."""

    organisations: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    unknown: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.organisations or self.groups or self.partners or self.unknown)


_CUT = re.compile(r"([;\n\r,]| och )")
# A way to cover the rest of a cell: (atoms left in unknown pieces, pieces, [(piece, Known or None)]).
Cover = tuple[int, int, list[tuple[str, Known | None]]]


def _atoms(text: str) -> list[tuple[str, str]]:
    """The cell cut at every separator: [(atom, separator after it)]. Semicolons and line breaks are
    hard separators; a comma and " och " are soft (they separate only known names)."""
    pieces = _CUT.split(text)
    atoms = []
    for index in range(0, len(pieces), 2):
        separator = pieces[index + 1] if index + 1 < len(pieces) else ""
        atoms.append((pieces[index], separator))
    return atoms


class NameBook:
    """Every known name (organisations, their short names and aliases, accepted aliases, groups and
    partners), loaded once; `split` and `suggest` read it."""

    def __init__(self) -> None:
        self.known: dict[str, Known] = {}
        self.name_of: dict[int, str] = {}
        self.choices: dict[str, Organisation] = {}  # key → organisation, for suggestions
        aliases = list(OrganisationAlias.objects.select_related("organisation"))
        for org in Organisation.objects.all():
            self.name_of[org.pk] = org.name
            for name in (org.name, org.short_name, *org.alias_list()):
                if name and norm_name(name):
                    self.known.setdefault(norm_name(name), Known("org", org))
                    self.choices.setdefault(norm_name(name), org)
        for alias in aliases:
            if alias.is_partner:
                self.known.setdefault(alias.key, Known("partner"))
            else:
                self.known.setdefault(alias.key, Known("org", alias.organisation))
        for key in GROUPS:
            self.known.setdefault(key, Known("group"))

    def add(self, name: str, organisation: Organisation) -> None:
        self.known[norm_name(name)] = Known("org", organisation)

    def split(self, text: object) -> CellNames:
        """CellNames of a cell: as much of it matched as possible, then the fewest (longest) names."""
        result = CellNames()
        text = cell_text(text)
        if not text:
            return result
        for piece, known in self.segment(text):
            name = " ".join(piece.split())
            if not norm_name(piece):
                continue
            if known is None:
                result.unknown.append(name)
            elif known.kind == "org":
                if all(known.organisation is not o for o in result.organisations):
                    result.organisations.append(known.organisation)
            elif known.kind == "group":
                if norm_name(name) not in map(norm_name, result.groups):
                    result.groups.append(name)
            elif norm_name(name) not in map(norm_name, result.partners):
                result.partners.append(name)
        return result

    def segment(self, text: str, *, loose: bool = False) -> list[tuple[str, Known | None]]:
        """[(piece, Known or None)] covering the text. A soft separator (comma, " och ") separates only
        known names, unless `loose` (used to propose how an unknown list might be split)."""
        atoms = _atoms(text)
        n = len(atoms)
        # best[i] = (atoms in unknown pieces, pieces, plan) for atoms[i:]: as much as possible matched,
        # then the fewest (longest) names.
        best = [None] * (n + 1)
        best[n] = (0, 0, [])
        for i in range(n - 1, -1, -1):
            piece, crossed = "", False
            for j in range(i, n):
                piece += atoms[j][0]
                rest = best[j + 1]
                separator = atoms[j][1]
                key = norm_name(piece)
                known = self.known.get(key) if key else None
                if rest is not None and (known or not key):
                    if loose or separator not in SOFT or self._starts_known(rest):
                        self._offer(
                            best, i, (rest[0], rest[1] + (1 if key else 0), [(piece, known)] + rest[2])
                        )
                # An unknown name never spans a semicolon or line break (nor, when `loose`, any separator)
                # and ends only at a hard separator or the end of the cell (`loose`: at any separator).
                ends = separator in HARD or j == n - 1 or (loose and separator in SOFT)
                if rest is not None and not known and key and not crossed and ends:
                    unknown_atoms = rest[0] + (j - i + 1)
                    self._offer(best, i, (unknown_atoms, rest[1] + 1, [(piece, None)] + rest[2]))
                if separator in HARD or (loose and separator in SOFT):
                    crossed = True
                piece += separator
        return best[0][2]

    @staticmethod
    def _starts_known(rest: Cover) -> bool:
        # A comma may split only when the next name is a known one too (empty pieces, as in ", och" or a
        # trailing comma, are skipped).
        for piece, known in rest[2]:
            if norm_name(piece):
                return known is not None
        return True

    @staticmethod
    def _offer(best: list[Cover | None], i: int, candidate: Cover) -> None:
        if best[i] is None or candidate[:2] < best[i][:2]:
            best[i] = candidate

    def suggest(self, name: str, *, limit: int = 3) -> tuple[list[dict[str, Any]], str]:
        """Nearest known organisations for an unknown name, best first, with a score 0–100, and what the
        check proposes: "alias" (the best match is near enough), "partner" (it reads as an external party
        or role) or "" (the coordinator must decide)."""
        found = process.extract(
            norm_name(name),
            list(self.choices),
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit * 3,
            score_cutoff=SUGGEST_MIN,
        )
        suggestions, seen = [], set()
        for key, score, _ in found:
            org = self.choices[key]
            if org.pk in seen or org.pk is None:
                continue
            seen.add(org.pk)
            suggestions.append({"organisation": org.pk, "name": org.name, "score": round(score, 1)})
            if len(suggestions) == limit:
                break
        lowered = name.casefold()
        looks_partner = any(word in lowered for word in PARTNER_WORDS)
        if suggestions and suggestions[0]["score"] >= ALIAS_MIN and not looks_partner:
            proposal = "alias"
        elif looks_partner or not suggestions:
            proposal = "partner"
        else:
            proposal = ""
        return suggestions, proposal


def organisation_alias_accept(
    *,
    name: str,
    organisation: Organisation | None = None,
    partner: bool = False,
    actor: User | None = None,
) -> OrganisationAlias:
    """Save a coordinator's decision about a name from a plan check: another spelling of `organisation`,
    or (with `partner`) an external partner that stays on the plan and is never asked. Replaces an
    earlier decision about the same name. Returns the OrganisationAlias."""
    name = " ".join(str(name).split())[:300]
    key = norm_name(name)
    if not key:
        raise ValueError("Namnet är tomt.")
    if (organisation is None) == (not partner):
        raise ValueError("Välj antingen en organisation eller extern part.")
    alias, _ = OrganisationAlias.objects.update_or_create(
        key=key,
        defaults={
            "name": name,
            "organisation": None if partner else organisation,
            "is_partner": bool(partner),
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(
        actor=actor,
        action="organisation_alias.accept",
        target=name,
        detail={
            "message": f"”{name}” är {organisation.name if not partner else 'en extern samverkanspart'}.",
            "organisation": None if partner else organisation.pk,
            "partner": bool(partner),
        },
    )
    return alias


@dataclass
class Place:
    """Where a name stands in the plan workbook."""

    sheet: str
    row: int
    column: str

    def __str__(self) -> str:
        return f"rad {self.row}, kolumn {self.column}"


def unknown_name_error(place: Place, name: str) -> CellError:
    return CellError(
        place.sheet,
        place.row,
        place.column,
        f'Organisationen "{name}" finns inte. Välj ett av förslagen (sparas som annan stavning), markera '
        "namnet som extern part, eller lägg till organisationen under Organisationer.",
    )
