"""Index computation for a whole round: time and queries for N organisations × Q questions.

`python -m benchmarks index [--orgs 30,300,3000] [--questions 60]` builds, in a throw-away test
database, a questionnaire of Q scored questions (yes/no, single choice, integer thresholds, multiple
choice; some conditional) in nested capped categories, a round with N submitted responses, then times
`compute_round_index` and the round figures. A set-based computation keeps the query count flat and
the time roughly linear in N."""

import argparse
import os
import random
import sys
import time
from datetime import timedelta


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def build(n_orgs, n_questions, *, seed=1):
    from django.utils import timezone

    from surveys import models

    rng = random.Random(seed)
    QuestionType = models.QuestionType
    questionnaire = models.Questionnaire.objects.create(
        name=f"Benchmark {n_orgs}", kind=models.Questionnaire.Kind.INDEX
    )
    version = models.QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    scheme = models.ScoringScheme.objects.create(version=version)
    top = models.ScoringCategory.objects.create(scheme=scheme, code="struktur", name="Struktur", cap=22)
    leaves = [
        models.ScoringCategory.objects.create(scheme=scheme, code=f"k{i}", name=f"K{i}", cap=8, parent=top)
        for i in range(3)
    ]
    leaves.append(
        models.ScoringCategory.objects.create(scheme=scheme, code="akt", name="Aktiviteter", cap=33)
    )
    section = models.Section.objects.create(version=version, order=1, title="Alla frågor")
    questions, rules, options = [], [], []
    for i in range(n_questions):
        kind = [QuestionType.YES_NO] * 6 + [
            QuestionType.SINGLE,
            QuestionType.INTEGER,
            QuestionType.MULTIPLE,
            QuestionType.ACTIVITY_STATUS,
        ]
        qtype = kind[i % len(kind)]
        condition = (
            questions[-1]
            if qtype == QuestionType.INTEGER and questions and questions[-1].type == QuestionType.YES_NO
            else None
        )
        question = models.Question.objects.create(
            version=version,
            section=section,
            order=i + 1,
            code=f"Q{i + 1}",
            text=f"Fråga {i + 1}",
            type=qtype,
            condition_question=condition,
            condition_operator="equals" if condition else "",
            condition_value="ja" if condition else "",
        )
        questions.append(question)
        category = leaves[i % len(leaves)]
        if qtype == QuestionType.YES_NO:
            rules.append(
                models.ScoringRule(
                    scheme=scheme, question=question, category=category, option_code="ja", points=1
                )
            )
        elif qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for order, code in enumerate(["a", "b", "c"], start=1):
                options.append(models.Option(question=question, order=order, code=code, label=code))
                rules.append(
                    models.ScoringRule(
                        scheme=scheme,
                        question=question,
                        category=category,
                        option_code=code,
                        points=order - 1,
                    )
                )
        elif qtype == QuestionType.INTEGER:
            for minimum, points in ((30, 1), (100, 2)):
                rules.append(
                    models.ScoringRule(
                        scheme=scheme, question=question, category=category, min_value=minimum, points=points
                    )
                )
        else:
            for code, points in (("genomford", 2), ("delvis", 1)):
                rules.append(
                    models.ScoringRule(
                        scheme=scheme, question=question, category=category, option_code=code, points=points
                    )
                )
    models.Option.objects.bulk_create(options)
    models.ScoringRule.objects.bulk_create(rules)
    opens = timezone.now() - timedelta(days=40)
    survey_round = models.SurveyRound.objects.create(
        name="Benchmark",
        version=version,
        year=2030,
        opens_at=opens,
        deadline=opens + timedelta(days=30),
        state="closed",
    )
    organisations = models.Organisation.objects.bulk_create(
        models.Organisation(name=f"Bench {n_orgs}-{i}", kind=models.Organisation.Kind.SDF)
        for i in range(n_orgs)
    )
    assignments = models.Assignment.objects.bulk_create(
        models.Assignment(round=survey_round, organisation=o) for o in organisations
    )
    responses = models.Response.objects.bulk_create(
        models.Response(assignment=a, state="submitted", submitted_at=opens + timedelta(days=3))
        for a in assignments
    )
    answers = []
    values = {
        QuestionType.YES_NO: lambda: rng.choice(["ja", "nej"]),
        QuestionType.SINGLE: lambda: rng.choice(["a", "b", "c"]),
        QuestionType.INTEGER: lambda: rng.randint(0, 150),
        QuestionType.MULTIPLE: lambda: rng.sample(["a", "b", "c"], rng.randint(0, 3)),
        QuestionType.ACTIVITY_STATUS: lambda: rng.choice(
            ["genomford", "delvis", "ej_genomford", "ej_aktuell"]
        ),
    }
    for response in responses:
        for question in questions:
            if rng.random() < 0.05:
                continue  # left unanswered
            answers.append(models.Answer(response=response, question=question, value=values[question.type]()))
        if len(answers) >= 50_000:
            models.Answer.objects.bulk_create(answers, batch_size=5000)
            answers = []
    models.Answer.objects.bulk_create(answers, batch_size=5000)
    return survey_round


def measure(survey_round):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.selectors_results import round_summary
    from surveys.services.scoring import compute_round_index

    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        written = compute_round_index(survey_round)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    with CaptureQueriesContext(connection) as summary_queries:
        started = time.perf_counter()
        round_summary(survey_round, with_rows=True)
        summary_seconds = time.perf_counter() - started
    return written, seconds, cpu, len(queries), summary_seconds, len(summary_queries)


def main(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks index")
    parser.add_argument("--orgs", default="30,300,3000", help="comma-separated numbers of organisations")
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection

    sizes = [int(n) for n in args.orgs.split(",")]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor}; questions per response: {args.questions}", flush=True)
        print(
            f"{'orgs':>7} {'answers':>9} {'build s':>8} {'compute s':>10} {'cpu s':>6} {'queries':>8} {'ms/org':>7} "
            f"{'figures s':>10} {'queries':>8}"
        )
        timings = {}
        for n in sizes:
            started = time.perf_counter()
            survey_round = build(n, args.questions)
            built = time.perf_counter() - started
            from surveys.models import Answer

            answers = Answer.objects.filter(response__assignment__round=survey_round).count()
            written, seconds, cpu, queries, summary_seconds, summary_queries = measure(survey_round)
            assert written == n
            timings[n] = seconds
            print(
                f"{n:>7} {answers:>9} {built:>8.1f} {seconds:>10.3f} {cpu:>6.2f} {queries:>8} {seconds / n * 1000:>7.3f} "
                f"{summary_seconds:>10.3f} {summary_queries:>8}",
                flush=True,
            )
        base = sizes[0]
        for n in sizes[1:]:
            print(
                f"ratio {n}/{base} organisations: time ×{timings[n] / timings[base]:.1f} (size ×{n / base:.0f})"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
