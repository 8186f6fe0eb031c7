"""The archive package of a closed or published round, for the registry (diariet) and the archive.

One zip holds: the round workbook; every submitted response as a print-ready HTML document (questions,
answers, who submitted and when, the revisions); the codebook as CSV; round.json, a machine-readable copy
of the round (questionnaire version, scoring scheme, answers, index results); and a manifest with the
SHA-256 of every file. It is built by the worker as an export job (kind "round_archive")."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from exports.archive import write_archive
from exports.rows import RoundExport, mean_and_median
from exports.workbook import CODEBOOK_HEADINGS, build_round_workbook, codebook_rows

from ..models import Question, Response, ResponseRevision, ScoringScheme, SurveyRound
from ..questiontypes import is_answered, kind_of
from ..visibility import visible_questions

FORMAT = "arsrunda-round-archive/1"
ACTIONS = {"save": "Sparat", "submit": "Inskickat", "reopen": "Återöppnat", "prefill": "Förifyllt"}


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def display(data: RoundExport, question: Question, raw: Any) -> str:
    """An answer in words, as the receipt shows it: the question type's own `display`, with the labels
    the round's rows already hold (parts of a breakdown, else answer codes)."""
    if not is_answered(raw):
        return "Inget svar"
    labels = dict(data.parts(question)) or data.labels[question.pk]
    return kind_of(question).display(question, raw, labels)


def _questionnaire_json(data: RoundExport) -> dict[str, Any]:
    version = data.version
    sections = {}
    for q in data.questions:
        section = sections.setdefault(
            q.section_id, {"order": q.section.order, "title": q.section.title, "questions": []}
        )
        section["questions"].append(
            {
                "code": q.code,
                "text": q.text,
                "help_text": q.help_text,
                "type": q.type,
                "required": q.required,
                "options": [
                    {"code": c, "label": label} for c, label in (data.parts(q) or data.options[q.pk])
                ],
                "condition": {
                    "question": q.condition_question.code,
                    "operator": q.condition_operator,
                    "value": q.condition_value,
                }
                if q.condition_question_id
                else None,
            }
        )
    return {
        "name": version.questionnaire.name,
        "kind": version.questionnaire.kind,
        "version": version.number,
        "label": version.label,
        "frozen_at": _iso(version.frozen_at),
        "comparable_with": sorted(version.comparable_with.values_list("number", flat=True)),
        "sections": list(sections.values()),
    }


def _scoring_json(survey_round: SurveyRound) -> dict[str, Any] | None:
    scheme = ScoringScheme.objects.filter(version_id=survey_round.version_id).first()
    if scheme is None:
        return None
    return {
        "name": scheme.name,
        "scale_to": str(scheme.scale_to),
        "categories": [
            {"code": c.code, "name": c.name, "cap": c.cap, "parent": c.parent.code if c.parent_id else None}
            for c in scheme.categories.select_related("parent").order_by("order", "code")
        ],
        "rules": [
            {
                "question": r.question.code,
                "category": r.category.code,
                "option_code": r.option_code or None,
                "min_value": r.min_value,
                "points": r.points,
            }
            for r in scheme.rules.select_related("question", "category").order_by("question__code", "pk")
        ],
    }


def _index_json(data: RoundExport) -> dict[str, Any]:
    results = [
        {
            "organisation": organisation,
            "categories": points,
            "total": total,
            "scaled": scaled,
            "rank": rank,
            "preliminary": preliminary,
        }
        for organisation, points, total, scaled, rank, preliminary in data.index_rows()
    ]
    scaled = [r["scaled"] for r in results]
    mean, median = mean_and_median(scaled)
    city = {
        "n": len(scaled),
        "mean": mean,
        "median": median,
        "min": min(scaled) if scaled else None,
        "max": max(scaled) if scaled else None,
    }
    return {"results": results, "city": city}


def _revisions(survey_round_id: int) -> dict[int, list[dict[str, Any]]]:
    by_response = defaultdict(list)
    revisions = (
        ResponseRevision.objects.filter(response__assignment__round_id=survey_round_id)
        .select_related("contact", "user")
        .order_by("response_id", "version")
    )
    for r in revisions:
        by = (
            r.contact.name
            if r.contact_id
            else (r.user.get_full_name() or r.user.get_username())
            if r.user_id
            else "systemet"
        )
        by_response[r.response_id].append(
            {
                "version": r.version,
                "when": _when(r.created_at),
                "at": _iso(r.created_at),
                "action": ACTIONS.get(r.action, r.action),
                "by": by,
                "changes": ", ".join(sorted(r.changes or {})),
            }
        )
    return by_response


def build_round_archive(
    *,
    survey_round_id: int,
    path: Path,
    generated_by: str = "",
    now: datetime | None = None,
    progress: Callable[[float], None] | None = None,
) -> Path:
    """Write the archive package of a round to `path` (a zip)."""
    now = now or timezone.now()
    report = progress or (lambda percent: None)
    with tempfile.TemporaryDirectory(prefix="archive-") as folder:
        workbook_path = Path(folder) / "workbook.xlsx"
        build_round_workbook(
            survey_round_id,
            workbook_path,
            generated_by=generated_by,
            now=now,
            progress=lambda percent: report(percent * 0.6),
        )
        workbook = workbook_path.read_bytes()
    data = RoundExport(survey_round_id)
    survey_round = data.round
    slug = f"{slugify(survey_round.name) or 'omgang'}-{survey_round.year}"
    submitters = dict(
        Response.objects.filter(assignment__round_id=survey_round_id, submitted_by__isnull=False).values_list(
            "pk", "submitted_by__name"
        )
    )
    revisions = _revisions(survey_round_id)
    version_label = data.version.label or f"version {data.version.number}"
    files = [(f"{slug}.xlsx", workbook)]
    responses_json = []
    total = max(len(data.assignments), 1)
    for number, item in enumerate(data.organisations(), start=1):
        assignment = item.assignment
        response = getattr(assignment, "response", None)
        values = item.values
        by_code = {q.pk: q.code for q in data.questions}
        entry = {
            "organisation": assignment.organisation.name,
            "state": response.state if response else None,
            "submitted_at": _iso(response.submitted_at) if response else None,
            "submitted_by": submitters.get(response.pk) if response else None,
            "version": response.version if response else 0,
            "answers": {by_code[qid]: value for qid, value in values.items() if qid in by_code},
        }
        responses_json.append(entry)
        if response is None or response.submitted_at is None:
            continue
        sections = {}
        for q in visible_questions(data.questions, values):
            section = sections.setdefault(q.section_id, {"title": q.section.title, "rows": []})
            section["rows"].append(
                {"code": q.code, "text": q.text, "display": display(data, q, values.get(q.pk))}
            )
        html = render_to_string(
            "exports/archive_response.html",
            {
                "organisation": assignment.organisation.name,
                "round": survey_round,
                "questionnaire": data.version.questionnaire.name,
                "version": version_label,
                "submitted_at": _when(response.submitted_at),
                "submitted_by": submitters.get(response.pk, ""),
                "state": response.get_state_display(),
                "response_version": response.version,
                "sections": list(sections.values()),
                "revisions": revisions.get(response.pk, []),
                "generated_at": _when(now),
            },
        )
        name = f"svar/{slugify(assignment.organisation.name) or 'organisation'}-{assignment.pk}.html"
        files.append((name, html.encode("utf-8")))
        report(60 + 30 * number / total)
    codebook = io.StringIO()
    writer = csv.writer(codebook, delimiter=";")
    writer.writerow(CODEBOOK_HEADINGS)
    writer.writerows(codebook_rows(data))
    files.append(("kodbok.csv", codebook.getvalue().encode("utf-8-sig")))
    round_json = {
        "format": FORMAT,
        "round": {
            "id": survey_round.pk,
            "name": survey_round.name,
            "year": survey_round.year,
            "state": survey_round.state,
            "programme": str(survey_round.programme) if survey_round.programme_id else None,
            "opens_at": _iso(survey_round.opens_at),
            "deadline": _iso(survey_round.deadline),
            "closed_at": _iso(survey_round.closed_at),
            "published_at": _iso(survey_round.published_at),
        },
        "questionnaire": _questionnaire_json(data),
        "scoring": _scoring_json(survey_round),
        "responses": responses_json,
        "index": _index_json(data),
    }
    files.append(("omgang.json", json.dumps(round_json, ensure_ascii=False, indent=2, default=str).encode()))
    about = {
        "format": FORMAT,
        "round": f"{survey_round.name} {survey_round.year}",
        "round_id": survey_round.pk,
        "generated_at": _iso(now),
        "generated_by": generated_by,
    }
    write_archive(path, files, about=about)
    report(99)
    return path
