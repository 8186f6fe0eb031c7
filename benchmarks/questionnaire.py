"""The respondent's section page and draft save: time and SQL queries for 10 and 100 questions per page.

Runs in a throw-away test database (SQLite in memory unless DATABASE_URL says otherwise)."""

import os
import statistics
import time


def _build(n, factories):
    from surveys.models import QuestionType

    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1)
    kinds = [
        QuestionType.YES_NO,
        QuestionType.SINGLE,
        QuestionType.INTEGER,
        QuestionType.DECIMAL,
        QuestionType.TEXT,
        QuestionType.BREAKDOWN,
        QuestionType.MULTIPLE,
        QuestionType.DATE,
    ]
    form = {}
    for i in range(n):
        kind = kinds[i % len(kinds)]
        q = factories.QuestionFactory(section=section, code=f"B{n}_{i}", order=i, type=kind)
        name = f"q_{q.code}"
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for code in ("a", "b", "c"):
                factories.OptionFactory(question=q, code=code)
            form[name] = "a"
        elif kind == QuestionType.YES_NO:
            form[name] = "ja"
        elif kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
            form[name] = "12"
        elif kind == QuestionType.TEXT:
            form[name] = "Text"
        elif kind == QuestionType.DATE:
            form[name] = "2026-03-15"
        else:
            for part, value in (("flickor", 1), ("pojkar", 2), ("kvinnor", 3), ("man", 4), ("total", 10)):
                form[f"{name}__{part}"] = str(value)
    contact = factories.ContactFactory(organisation=assignment.organisation)
    return assignment, contact, form


def _measure(n):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from surveys.services.tokens import issue_token
    from tests import factories

    assignment, contact, form = _build(n, factories)
    client = Client()
    client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/")
    url = f"/enkat/{assignment.pk}/avsnitt/1/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    pages = []
    for _ in range(20):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        pages.append(time.perf_counter() - start)
    saves = []
    for i in range(10):
        data = dict(form, version=str(i))
        # Alternate one answer so every save writes a new version.
        first = next(k for k in form if form[k] in ("ja",))
        data[first] = "ja" if i % 2 else "nej"
        start = time.perf_counter()
        answer = client.post(url, data)
        saves.append(time.perf_counter() - start)
        assert answer.status_code == 302, answer.status_code
    return len(queries), statistics.median(pages) * 1000, statistics.median(saves) * 1000


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0)
    try:
        results = {n: _measure(n) for n in (10, 100)}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    for n, (queries, page_ms, save_ms) in results.items():
        print(
            f"{n:>4} questions: section page {page_ms:6.1f} ms, {queries} queries; save draft {save_ms:6.1f} ms"
        )
    q10, q100 = results[10][0], results[100][0]
    print(
        f"queries 100/10: {q100}/{q10} (must be equal); page time ratio 100/10: {results[100][1] / results[10][1]:.1f}"
    )
    return 0 if q10 == q100 else 1
