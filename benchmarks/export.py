"""Export benchmark: a round of N organisations × Q questions exported end to end from the database, against
bare openpyxl write-only writing the same cells, then the same for FACTOR × N organisations.

    python -m benchmarks export                       # N=1250, Q=200, FACTOR=4 (the large run is 5,000 × 200)
    python -m benchmarks.export --organisations 500 --factor 2

Each writer runs --repeat times (default 2), alternating, and its fastest run counts. Each run is its own
process (seed, export, bare writer) so peak RSS (ru_maxrss) is that run's alone. The data lives in a
throw-away SQLite database in a temporary folder; the configured database is not touched."""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

TYPES = ["yes_no", "single", "integer", "decimal", "text"]
OPTIONS = [("sallan", "Sällan"), ("ibland", "Ibland"), ("ofta", "Ofta")]
TEXTS = ["Gott samarbete med skolorna.", "Fältgruppen har varit aktiv.", "=1+1", "Ingen kommentar i år"]
YEAR = 2026
VERSION_LABEL = "Benchmark V1"
SUBMITTED = datetime(2026, 11, 20, 10, 0)


def answer(org, q):
    """The deterministic answer of organisation `org` to question `q` (both seed and bare writer use it)."""
    h = (
        org * 2654435761 + q * 40503
    ) % 1000  # cheap and spread out: the bare writer's timing stays openpyxl's
    kind = TYPES[q % len(TYPES)]
    if kind == "yes_no":
        return "ja" if h < 600 else "nej"
    if kind == "single":
        return OPTIONS[h % 3][0]
    if kind == "integer":
        return h // 2
    if kind == "decimal":
        return h / 10
    return TEXTS[h % len(TEXTS)]


def org_name(org):
    return f"Organisation {org:05d}"


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def seed(organisations, questions):
    _django()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from surveys import models

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        questionnaire = models.Questionnaire.objects.create(name="Benchmark", kind="index")
        version = models.QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=1, label=VERSION_LABEL
        )
        section = models.Section.objects.create(version=version, order=1, title="Allt")
        qs = models.Question.objects.bulk_create(
            models.Question(
                version=version,
                section=section,
                order=q,
                code=f"Q_{q:03d}",
                text=f"Fråga {q} om det förebyggande arbetet?",
                type=TYPES[q % len(TYPES)],
            )
            for q in range(questions)
        )
        models.Option.objects.bulk_create(
            models.Option(question=question, order=i, code=code, label=label)
            for question in qs
            if question.type == "single"
            for i, (code, label) in enumerate(OPTIONS)
        )
        now = timezone.now()
        survey_round = models.SurveyRound.objects.create(
            name="Benchmark", version=version, year=YEAR, opens_at=now - timedelta(days=1), deadline=now
        )
        orgs = models.Organisation.objects.bulk_create(
            models.Organisation(name=org_name(o), kind="sdf") for o in range(organisations)
        )
        assignments = models.Assignment.objects.bulk_create(
            models.Assignment(round=survey_round, organisation=o) for o in orgs
        )
        submitted = timezone.make_aware(SUBMITTED)
        responses = models.Response.objects.bulk_create(
            models.Response(assignment=a, state="submitted", submitted_at=submitted) for a in assignments
        )
        batch = []
        for o, response in enumerate(responses):
            batch.extend(
                models.Answer(response=response, question=question, value=answer(o, q))
                for q, question in enumerate(qs)
            )
            if len(batch) >= 20_000:
                models.Answer.objects.bulk_create(batch, batch_size=5_000)
                batch = []
        models.Answer.objects.bulk_create(batch, batch_size=5_000)
    return {"round": survey_round.pk}


def export(round_id, path):
    _django()
    from exports.workbook import build_round_workbook

    started = time.perf_counter()
    build_round_workbook(round_id, path, generated_by="benchmark")
    return {
        "seconds": time.perf_counter() - started,
        "rss_mb": peak_rss_mb(),
        "bytes": Path(path).stat().st_size,
    }


def bare(organisations, questions, path):
    """Bare openpyxl write-only: the same sheets, rows and cell values, no database and no safety checks."""
    from openpyxl import Workbook

    started = time.perf_counter()
    labels = {"ja": "Ja", "nej": "Nej", **dict(OPTIONS)}
    texts = [f"Fråga {q} om det förebyggande arbetet?" for q in range(questions)]
    codes = [f"Q_{q:03d}" for q in range(questions)]
    wb = Workbook(write_only=True)
    overview = wb.create_sheet("Översikt")
    for i in range(25):
        overview.append([f"Rad {i}", i])
    wide = wb.create_sheet("Svar")
    wide.append(["Organisation", "Status", "Inskickad"] + codes)
    wide.append(["", "", ""] + texts)
    long = wb.create_sheet("Svar (lång)")
    long.append(["Organisation", "Frågekod", "Fråga", "Del", "Svarskod", "Värde", "År", "Enkätversion"])
    for o in range(organisations):
        name = org_name(o)
        values = [answer(o, q) for q in range(questions)]
        shown = [labels.get(v, v) if isinstance(v, str) else v for v in values]
        wide.append([name, "Inskickad", SUBMITTED] + shown)
        for q, (raw, value) in enumerate(zip(values, shown, strict=True)):
            code = raw if isinstance(raw, str) and raw in labels else None
            long.append([name, codes[q], texts[q], None, code, value, YEAR, VERSION_LABEL])
    for title in ("Index", "Trend"):
        wb.create_sheet(title).append(["Organisation"])
    codebook = wb.create_sheet("Frågor")
    for q in range(questions):
        codebook.append([codes[q], "Allt", texts[q], TYPES[q % len(TYPES)], "Nej", "", codes[q], "", "", ""])
    wb.save(path)
    return {
        "seconds": time.perf_counter() - started,
        "rss_mb": peak_rss_mb(),
        "bytes": Path(path).stat().st_size,
    }


def _child(args, env):
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.export", "--child", *map(str, args)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv):
    parser = argparse.ArgumentParser(prog="benchmarks.export")
    parser.add_argument("--organisations", type=int, default=1250)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--factor", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each writer; the fastest counts")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args(argv)
    if args.child:
        what, *rest = args.child
        if what == "seed":
            result = seed(int(rest[0]), int(rest[1]))
        elif what == "export":
            result = export(int(rest[0]), rest[1])
        else:
            result = bare(int(rest[0]), int(rest[1]), rest[2])
        print(json.dumps(result))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "VAR_DIR": str(folder),
        "PYTHONPATH": str(root),
    }
    runs = []
    try:
        for n in (args.organisations, args.organisations * args.factor):
            env["DATABASE_URL"] = f"sqlite:///{folder / f'bench-{n}.sqlite3'}"
            started = time.perf_counter()
            round_id = _child(["seed", n, args.questions], env)["round"]
            seeded = time.perf_counter() - started
            # Alternate the two writers and keep each one's fastest run: other load on the machine hits both.
            tries = [
                (
                    _child(["export", round_id, folder / f"ours-{n}.xlsx"], env),
                    _child(["bare", n, args.questions, folder / f"bare-{n}.xlsx"], env),
                )
                for _ in range(args.repeat)
            ]
            ours = min((t[0] for t in tries), key=lambda r: r["seconds"])
            theirs = min((t[1] for t in tries), key=lambda r: r["seconds"])
            answers = n * args.questions
            runs.append((n, answers, ours, theirs))
            print(
                f"{n:>6} organisations × {args.questions} questions = {answers:>9,} answers "
                f"(seeded in {seeded:.0f} s)\n"
                f"    export from database: {ours['seconds']:7.1f} s  peak RSS {ours['rss_mb']:6.1f} MB  "
                f"{ours['bytes'] / 1e6:6.1f} MB file\n"
                f"    bare openpyxl:        {theirs['seconds']:7.1f} s  peak RSS {theirs['rss_mb']:6.1f} MB  "
                f"{theirs['bytes'] / 1e6:6.1f} MB file\n"
                f"    ratio export/bare:    {ours['seconds'] / theirs['seconds']:7.2f}",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    (small_n, small_a, small, _), (large_n, large_a, large, _) = runs
    print(
        f"growth ×{large_n / small_n:g} organisations: time ×{large['seconds'] / small['seconds']:.2f}, "
        f"peak RSS ×{large['rss_mb'] / small['rss_mb']:.2f} ({small['rss_mb']:.0f} → {large['rss_mb']:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
