"""The respondent's hot path: a save and a section page in a fixed, small number of statements whatever the
questionnaire's size, the questionnaire of a frozen version compiled once, and (on PostgreSQL) saves that
lock nothing but their own response's row."""

import os
import subprocess
import sys
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys import compiled
from surveys.models import AccessToken, Answer, QuestionType, Response, ResponseRevision, SurveyRound
from surveys.services.respondent_access import SESSION_LINKS, _access_query
from surveys.services.tokens import issue_token
from tests import factories


def opened(assignment, contact):
    client = Client()
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
    return client


def api(assignment, tail=""):
    return f"/api/respondent/assignments/{assignment.pk}/{tail}"


def statements(queries):
    """The statements a request sends. The test runs inside a transaction, so the save's own
    transaction becomes a savepoint here; in production it is the outermost one (BEGIN/COMMIT)."""
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def frozen_round_with(n_questions):
    assignment = factories.AssignmentFactory()
    version = assignment.round.version
    section = factories.SectionFactory(version=version, order=1)
    kinds = [
        QuestionType.YES_NO,
        QuestionType.SINGLE,
        QuestionType.INTEGER,
        QuestionType.TEXT,
        QuestionType.MULTIPLE,
        QuestionType.BREAKDOWN,
    ]
    for i in range(n_questions):
        question = factories.QuestionFactory(
            section=section, code=f"Q{i}", order=i, type=kinds[i % len(kinds)]
        )
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for code in ("a", "b", "c"):
                factories.OptionFactory(question=question, code=code)
    factories.SectionFactory(version=version, order=2)
    version.frozen_at = timezone.now()
    version.save(update_fields=["frozen_at"])
    return assignment, factories.ContactFactory(organisation=assignment.organisation)


def save_and_page_statements(n_questions):
    assignment, contact = frozen_round_with(n_questions)
    client = opened(assignment, contact)
    assert client.get(f"/enkat/{assignment.pk}/avsnitt/1/").status_code == 200  # compiles the version
    with CaptureQueriesContext(connection) as first_save:
        saved = client.post(
            api(assignment, "answers/"),
            {"version": 0, "answers": {"Q0": "ja", "Q1": "a", "Q2": "12"}},
            "application/json",
        )
    assert saved.status_code == 200, saved.content
    with CaptureQueriesContext(connection) as next_save:
        saved = client.post(
            api(assignment, "answers/"),
            {"version": 1, "answers": {"Q0": "nej", "Q3": "Text"}},
            "application/json",
        )
    assert saved.status_code == 200 and saved.json()["version"] == 2
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/enkat/{assignment.pk}/avsnitt/1/").status_code == 200
    return statements(first_save), statements(next_save), statements(page)


@pytest.mark.django_db
def test_a_save_takes_at_most_eight_statements_and_the_section_page_six_whatever_the_size():
    small = save_and_page_statements(6)
    large = save_and_page_statements(60)
    for label, few, many in zip(("first save", "next save", "section page"), small, large, strict=True):
        assert len(few) == len(many), (label, few, many)
    first_save, next_save, page = large
    assert len(first_save) <= 8, first_save
    assert len(next_save) <= 8, next_save
    assert len(page) <= 6, page
    # The answers of a save are written in one statement, not one per answer.
    assert sum(sql.startswith('INSERT INTO "surveys_answer"') for sql in first_save) == 1


@pytest.mark.django_db
def test_a_conflicting_save_takes_at_most_eight_statements():
    assignment, contact = frozen_round_with(6)
    alice, bob = (
        opened(assignment, contact),
        opened(assignment, factories.ContactFactory(organisation=assignment.organisation)),
    )
    assert (
        alice.post(
            api(assignment, "answers/"), {"version": 0, "answers": {"Q0": "ja"}}, "application/json"
        ).status_code
        == 200
    )
    with CaptureQueriesContext(connection) as queries:
        stale = bob.post(
            api(assignment, "answers/"),
            {"version": 0, "answers": {"Q0": "nej", "Q2": "3"}},
            "application/json",
        )
    assert stale.status_code == 409 and stale.json()["conflicts"] == [
        {"code": "Q0", "theirs": "ja", "mine": "nej"}
    ]
    assert stale.json()["saved"] == ["Q2"]
    assert len(statements(queries)) <= 8, statements(queries)


@pytest.mark.django_db
def test_the_access_check_is_one_query_by_key_that_does_not_join_the_organisation():
    assignment, contact = frozen_round_with(6)
    client = opened(assignment, contact)
    client.get(f"/enkat/{assignment.pk}/avsnitt/1/")
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(
            api(assignment, "answers/"), {"version": 0, "answers": {"Q0": "ja"}}, "application/json"
        )
    assert saved.status_code == 200, saved.content
    access = [sql for sql in statements(queries) if 'FROM "surveys_accesstoken"' in sql]
    assert len(access) == 1, access
    (sql,) = access
    assert "surveys_organisation" not in sql
    assert sql.count("JOIN") <= 5 and "ORDER BY" not in sql, sql
    assert '"surveys_accesstoken"."id" =' in sql


@pytest.mark.django_db
def test_a_page_reads_the_organisation_by_key_and_not_the_rounds_creator_when_the_round_names_one():
    """The header shows the organisation's name: read by key, one statement. The round names its own
    coordinator, so the user who created it is not read on every page."""
    assignment, contact = frozen_round_with(3)
    survey_round = assignment.round
    survey_round.created_by = factories.UserFactory()
    survey_round.coordinator_name, survey_round.coordinator_email = "Åsa Öberg", "asa.oberg@stad.se"
    survey_round.save()
    client = opened(assignment, contact)
    assert client.get(f"/enkat/{assignment.pk}/avsnitt/1/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/enkat/{assignment.pk}/avsnitt/1/")
    html = page.content.decode()
    assert page.status_code == 200
    assert assignment.organisation.name in html and "Åsa Öberg" in html and "asa.oberg@stad.se" in html
    sqls = statements(queries)
    assert not [sql for sql in sqls if 'FROM "surveys_user"' in sql], sqls
    assert len([sql for sql in sqls if 'FROM "surveys_organisation"' in sql]) == 1, sqls
    assert len(sqls) <= 4, sqls
    # The page's autosave answers JSON and shows no name: it does not read the organisation.
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(
            f"/enkat/{assignment.pk}/avsnitt/1/",
            {"version": "0", "page": "flik-ett-abc", "q_Q0": "ja"},
            HTTP_X_AUTOSAVE="1",
        )
    assert saved.status_code == 200, saved.content
    assert not [sql for sql in statements(queries) if 'FROM "surveys_organisation"' in sql]


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def loaded_by_orm(access):
    return AccessToken.objects.select_related(
        "contact", "assignment__round__version", "assignment__response"
    ).get(pk=access.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["answered", "no response row", "revoked and used", "closed round"])
def test_the_access_check_loads_every_field_as_the_orm_does(case):
    """The access query is written once from the models' metadata and turned into instances by hand:
    every field of the link, contact, assignment, round, version and response comes out as the ORM's
    select_related gives it (times, JSON, booleans, nulls), with no query when the page walks the
    relations. A field added to one of the models is in the comparison by itself."""
    assignment, contact = frozen_round_with(3)
    survey_round = assignment.round
    survey_round.reminder_offsets = [14, 3, 1]
    survey_round.coordinator_name = "Åsa Öberg"
    survey_round.save()
    client = opened(assignment, contact)
    if case == "no response row":
        Response.objects.filter(assignment=assignment).delete()
    else:
        client.post(api(assignment, "answers/"), {"version": 0, "answers": {"Q0": "ja"}}, "application/json")
    token_id = client.session[SESSION_LINKS][str(assignment.pk)]
    if case == "revoked and used":
        AccessToken.objects.filter(pk=token_id).update(revoked_at=timezone.now(), last_used_at=timezone.now())
    if case == "closed round":
        survey_round.state = SurveyRound.State.CLOSED
        survey_round.closed_at = timezone.now()
        survey_round.save()

    with CaptureQueriesContext(connection) as queries:
        access = _access_query().get(token_id, assignment.pk)
        related = [
            access.contact,
            access.assignment,
            access.assignment.round,
            access.assignment.round.version,
        ]
        if case != "no response row":
            related.append(access.assignment.response)
    assert len(queries) == 1
    expected = loaded_by_orm(access)
    assert fields_of(access) == fields_of(expected)
    assert fields_of(access.contact) == fields_of(expected.contact)
    assert fields_of(access.assignment) == fields_of(expected.assignment)
    assert fields_of(access.assignment.round) == fields_of(expected.assignment.round)
    assert access.assignment.round.reminder_offsets == [14, 3, 1]
    assert fields_of(access.assignment.round.version) == fields_of(expected.assignment.round.version)
    if case == "no response row":
        with pytest.raises(Response.DoesNotExist):
            assert access.assignment.response is None  # raises: no response row
    else:
        assert fields_of(access.assignment.response) == fields_of(expected.assignment.response)
        assert access.assignment.response.version == 1
    assert not access._state.adding and access._state.db == expected._state.db
    # The wrong assignment for the link is no link at all.
    assert _access_query().get(token_id, factories.AssignmentFactory().pk) is None


@pytest.mark.django_db
def test_a_save_reads_only_the_answers_it_changes_and_those_conditions_depend_on():
    assignment, contact = frozen_round_with(40)
    version = assignment.round.version
    parent = version.questions.get(code="Q6")  # yes/no
    child = version.questions.get(code="Q9")  # text
    child.condition_question, child.condition_operator, child.condition_value = parent, "equals", "ja"
    child.save()
    compiled.clear_cache()
    response = assignment.response
    for question in version.questions.filter(type=QuestionType.TEXT).exclude(pk=child.pk):
        Answer.objects.create(response=response, question=question, value="Stored")
    Answer.objects.create(response=response, question=parent, value="nej")
    client = opened(assignment, contact)
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(
            api(assignment, "answers/"),
            {"version": 0, "answers": {"Q9": "Hidden", "Q0": "ja"}},
            "application/json",
        )
    # Q9 is hidden by the stored "nej" of Q6, which the save read although it was not in the input.
    assert saved.status_code == 200 and saved.json()["saved"] == ["Q0"], saved.content
    assert not Answer.objects.filter(response=response, question=child).exists()
    read = [sql for sql in statements(queries) if sql.startswith("SELECT") and 'FROM "surveys_answer"' in sql]
    assert len(read) == 1 and '"question_id" IN' in read[0], read


@pytest.mark.django_db
def test_who_answers_an_activity_questionnaire_is_worked_out_once_per_organisation_when_stored():
    from surveys.selectors import assignment_questions, questions_for_assignment
    from surveys.services.activity_reports import generate_activity_version
    from surveys.services.plan_responsibility import version_freeze_responsibilities

    programme = factories.ProgrammeFactory()
    goal = factories.GoalAreaFactory(programme=programme)
    mine, theirs = factories.ActivityFactory(goal_area=goal), factories.ActivityFactory(goal_area=goal)
    factories.IndicatorFactory(activity=mine)
    factories.IndicatorFactory(activity=theirs)
    version = generate_activity_version(programme)
    survey_round = factories.SurveyRoundFactory(version=version, programme=programme)
    assignment = factories.AssignmentFactory(round=survey_round, organisation=mine.lead)
    version.frozen_at = timezone.now()
    version.save(update_fields=["frozen_at"])
    compiled.clear_cache()
    before = assignment_questions(assignment)  # responsibilities not stored yet: read afresh each time
    with CaptureQueriesContext(connection) as queries:
        assignment_questions(assignment)
    assert len(queries) > 0
    version_freeze_responsibilities(version=version)
    compiled.clear_cache()
    first = assignment_questions(assignment)
    with CaptureQueriesContext(connection) as queries:
        again = assignment_questions(assignment)
    assert len(queries) == 0
    expected = [q.pk for q in questions_for_assignment(assignment)]
    assert [q.pk for q in first] == [q.pk for q in again] == [q.pk for q in before] == expected
    assert {q.activity_id for q in first if q.activity_id} == {mine.pk}


@pytest.mark.django_db
def test_a_frozen_version_is_compiled_once_and_a_draft_version_is_read_afresh():
    assignment, contact = frozen_round_with(3)
    version = assignment.round.version
    first = compiled.compiled_version(version)
    with CaptureQueriesContext(connection) as queries:
        again = compiled.compiled_version(version)
    assert again is first and len(queries) == 0
    draft = factories.VersionFactory()
    section = factories.SectionFactory(version=draft, order=1)
    factories.QuestionFactory(version=draft, section=section, code="A", order=1)
    assert [q.code for q in compiled.compiled_version(draft).questions] == ["A"]
    factories.QuestionFactory(version=draft, section=section, code="B", order=2)
    assert [q.code for q in compiled.compiled_version(draft).questions] == ["A", "B"]


@pytest.mark.django_db
def test_an_edit_of_a_draft_version_shows_at_once_on_the_page():
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1)
    factories.QuestionFactory(section=section, code="FIRST", order=1, text="Första frågan?")
    client = opened(assignment, factories.ContactFactory(organisation=assignment.organisation))
    assert "Första frågan?" in client.get(f"/enkat/{assignment.pk}/avsnitt/1/").content.decode()
    factories.QuestionFactory(section=section, code="SECOND", order=2, text="Andra frågan?")
    assert "Andra frågan?" in client.get(f"/enkat/{assignment.pk}/avsnitt/1/").content.decode()


# -- PostgreSQL: saves lock only their own response --------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_organisations_save_while_the_round_row_is_locked(postgres):
    """A coordinator's edit of the round (or anything else holding its row) never makes respondents
    wait, and two organisations' saves never wait on each other. Every connection of the test waits at
    most two seconds for a lock: a save that needed the round's row would fail instead of completing."""
    from django.db import connections
    from django.db.utils import OperationalError

    first, first_contact = frozen_round_with(4)
    survey_round = first.round
    second = factories.AssignmentFactory(round=survey_round)
    second_contact = factories.ContactFactory(organisation=second.organisation)
    clients = [opened(first, first_contact), opened(second, second_contact)]
    for client, assignment in zip(clients, (first, second), strict=True):
        assert client.get(api(assignment)).status_code == 200  # the version compiled, the session warm

    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        # What a coordinator's edit of the round does: hold its row until commit.
        cursor.execute("UPDATE surveys_surveyround SET name = name WHERE id = %s", [survey_round.pk])
        cursor.execute("SELECT id FROM surveys_surveyround WHERE id = %s FOR UPDATE", [survey_round.pk])

    barrier = threading.Barrier(2)
    results = [None, None]

    def save(index, client, assignment):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            barrier.wait(10)
            results[index] = client.post(
                api(assignment, "answers/"),
                {"version": 0, "answers": {"Q0": "ja", "Q1": "a"}},
                "application/json",
            ).status_code
        except Exception as error:  # reported to the test, not lost in a thread
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(i, client, assignment))
        for i, (client, assignment) in enumerate(zip(clients, (first, second), strict=True))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
        assert results == [200, 200], results
        assert not any(thread.is_alive() for thread in threads)
        # The round's row really was held the whole time: what the saves used to do now waits and fails.
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(OperationalError, match="lock timeout"):
            with transaction.atomic():
                old_style = Response.objects.select_for_update().select_related("assignment__round")
                list(old_style.filter(pk=first.response.pk))
    finally:
        holder.rollback()
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert Answer.objects.filter(response__assignment__in=[first, second]).count() == 4


def stored(model, **filters):
    return [
        {f.attname: v for f, v in zip(model._meta.concrete_fields, row, strict=True) if not f.primary_key}
        for row in model.objects.filter(**filters)
        .order_by("pk")
        .values_list(*[f.attname for f in model._meta.concrete_fields])
    ]


VALUES = [None, "ja", 12, 3.5, ["a", "c"], {"flickor": 3, "pojkar": None}, 'Åäö "citat" \\ {}', ""]


@pytest.mark.django_db
def test_the_save_writes_answers_and_revisions_as_the_orms_bulk_create_and_create_would():
    """The save's two INSERTs are written once from the models' metadata: what they store (JSON values
    and nulls, times, the upsert of an answer already there) is what the ORM stores."""
    from surveys.services.rows import insert_rows

    assignment, contact = frozen_round_with(len(VALUES))
    questions = list(assignment.round.version.questions.order_by("order"))
    by_orm, by_rows = (Response.objects.get(assignment=assignment), factories.AssignmentFactory().response)
    now = timezone.now()
    for response, write in ((by_orm, "orm"), (by_rows, "rows")):
        first = [
            Answer(response=response, question=q, value=v, updated_by=contact)
            for q, v in zip(questions, VALUES, strict=True)
        ]
        again = [
            Answer(response=response, question=q, value=v, prefilled=True)
            for q, v in zip(questions[:3], reversed(VALUES), strict=False)
        ]
        revision = ResponseRevision(
            response=response,
            version=1,
            action="save",
            contact=contact,
            page="p1",
            changes={"Q0": {"from": None, "to": ["a"]}},
            created_at=now,
        )
        upsert = dict(
            unique_fields=["response", "question"],
            update_fields=["value", "prefilled", "updated_by", "updated_at"],
        )
        if write == "orm":
            Answer.objects.bulk_create(first, update_conflicts=True, **upsert)
            Answer.objects.bulk_create(again, update_conflicts=True, **upsert)
            ResponseRevision.objects.create(
                **{
                    f.attname: getattr(revision, f.attname)
                    for f in ResponseRevision._meta.concrete_fields
                    if not f.primary_key
                }
            )
        else:
            insert_rows(first, unique=upsert["unique_fields"], update=upsert["update_fields"])
            insert_rows(again, unique=upsert["unique_fields"], update=upsert["update_fields"])
            insert_rows([revision])

    def comparable(rows):
        return [{k: v for k, v in row.items() if k not in ("response_id", "updated_at")} for row in rows]

    assert comparable(stored(Answer, response=by_rows)) == comparable(stored(Answer, response=by_orm))
    assert [a.value for a in Answer.objects.filter(response=by_rows).order_by("question__order")] == [
        "",
        'Åäö "citat" \\ {}',
        {"flickor": 3, "pojkar": None},
        *VALUES[3:],
    ]
    assert all(a.updated_at is not None for a in Answer.objects.filter(response=by_rows))
    assert comparable(stored(ResponseRevision, response=by_rows)) == comparable(
        stored(ResponseRevision, response=by_orm)
    )


def test_the_web_process_freezes_what_it_loaded_out_of_the_garbage_collectors_way(tmp_path):
    """gunicorn's workers load backend.wsgi: the application, its URLconf and every view module are
    then frozen, so a full collection walks only what requests made since (see docs/benchmarks.md)."""
    script = (
        "import gc, sys; import backend.wsgi; "
        "print(gc.get_freeze_count(), 'surveys.views_answer' in sys.modules, 'surveys.api.respondent' in sys.modules)"
    )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "localhost",
        "STATIC_ROOT": str(tmp_path),
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    frozen, views_loaded, api_loaded = out.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == api_loaded == "True", out.stdout
