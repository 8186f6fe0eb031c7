"""On PostgreSQL, with real concurrent transactions: two tabs submitting at the same moment make one
submission, and colleagues saving at the same moment from the same version lose nothing."""

import threading

import pytest
from django.db import connection

from surveys.models import Answer, Response, ResponseRevision
from surveys.services import responses
from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls in threads that start together; returns their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # reported to the test, not lost in a thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def world(postgres):
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1)
    questions = [factories.QuestionFactory(section=section, code=f"Q{i}", order=i) for i in range(1, 5)]
    contacts = [factories.ContactFactory(organisation=assignment.organisation) for _ in range(2)]
    return assignment.response, questions, contacts


def test_simultaneous_submits_make_one_submission(world, monkeypatch):
    response, _, (alice, bob) = world
    calls = []
    monkeypatch.setattr("surveys.events.response_submitted", lambda r: calls.append(r.pk))
    results = race(
        *[
            (lambda c=c: responses.submit_response(response=Response.objects.get(pk=response.pk), contact=c))
            for c in (alice, bob, alice, bob)
        ]
    )
    assert sorted(results, key=str) == [False, False, False, True]
    assert calls == [response.pk]
    assert ResponseRevision.objects.filter(response=response, action="submit").count() == 1


def test_simultaneous_saves_from_the_same_version_lose_nothing(world):
    response, (q1, q2, q3, q4), (alice, bob) = world
    results = race(
        lambda: responses.save_answers(
            response=Response.objects.get(pk=response.pk),
            values={q1: "ja", q2: "ja"},
            base_version=0,
            contact=alice,
        ),
        lambda: responses.save_answers(
            response=Response.objects.get(pk=response.pk),
            values={q3: "nej", q4: "nej"},
            base_version=0,
            contact=bob,
        ),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    stored = dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
    assert stored == {"Q1": "ja", "Q2": "ja", "Q3": "nej", "Q4": "nej"}
    assert sorted(ResponseRevision.objects.filter(response=response).values_list("version", flat=True)) == [
        1,
        2,
    ]


def test_the_same_contact_saving_from_four_tabs_at_the_same_moment_loses_nothing(world):
    """A forwarded link or several tabs of one person: one save wins, every other one comes back as a
    conflict with both values; none is silently overwritten."""
    response, (q1, _, _, _), (alice, _) = world
    values = ["ja", "nej", "ja", "nej"]
    results = race(
        *[
            (
                lambda i=i: responses.save_answers(
                    response=Response.objects.get(pk=response.pk),
                    values={q1: values[i]},
                    base_version=0,
                    contact=alice,
                    page=f"tab-{i}",
                )
            )
            for i in range(4)
        ]
    )
    assert not any(isinstance(r, Exception) for r in results), results
    winners = [i for i, r in enumerate(results) if r.changed]
    assert len(winners) == 1
    kept = values[winners[0]]
    assert Answer.objects.get(response=response).value == kept
    for i, result in enumerate(results):
        if i in winners:
            continue
        if values[i] == kept:
            assert not result.conflicts  # the same value: nothing to decide
        else:
            assert [(c.theirs, c.mine) for c in result.conflicts] == [(kept, values[i])]
    assert ResponseRevision.objects.filter(response=response).count() == 1
