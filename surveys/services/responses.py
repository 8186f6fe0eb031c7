"""Answering a questionnaire: load, validate, save drafts with versions, submit once, reopen, prefill.

The respondent pages and the API both call these functions; neither holds a rule of its own."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import events
from ..models import (
    Answer,
    Assignment,
    Contact,
    Question,
    Response,
    ResponseRevision,
    Section,
    SurveyRound,
    User,
)
from ..questiontypes import AnswerError, is_answered, kind_of
from ..selectors import assignment_questions, comparable_versions, questions_for_assignment
from ..text import UNSTORABLE_MESSAGE, TooDeep, find_unstorable
from ..visibility import visible_questions
from .rows import connection_for, insert_rows, model_rows

ResponseState = Response.State
# The step of a save that decides what to store, given the answers as stored under the save's lock:
# ({question: value}, errors), or (None, errors) to store nothing.
Prepare = Callable[[dict[int, Answer]], tuple[dict[Question, Any] | None, dict[str, AnswerError]]]


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


@dataclass
class ResponseWithQuestions:
    """One response with everything a page needs, loaded in a fixed number of queries."""

    response: Response
    questions: list  # shared with other requests (the version's compiled questionnaire): read-only
    answers: dict | None  # question id → Answer; None until loaded (a save loads them under its lock)

    @property
    def values(self) -> dict[int, Any]:
        return {qid: answer.value for qid, answer in self.answers.items()}

    def visible(self, values: Mapping[int, Any] | None = None) -> list[Question]:
        return visible_questions(self.questions, self.values if values is None else values)

    def sections(self) -> list[Section]:
        seen = {}
        for question in self.questions:
            seen.setdefault(question.section_id, question.section)
        return list(seen.values())

    def by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}


def _answers_of(response: Response, question_ids: set[int] | None = None) -> dict[int, Answer]:
    """The response's answers by question id: all of them, or those of `question_ids` only. Every page
    and save reads them, so the SQL is written once per connection (`rows`), not built by the ORM."""
    if question_ids is not None and not question_ids:
        return {}
    answers = model_rows(Answer, connection_for(Answer))
    where, params = f"{answers.column('response')} = %s", [response.pk]
    if question_ids is not None:
        where += f" AND {answers.column('question')} IN ({', '.join(['%s'] * len(question_ids))})"
        params += sorted(question_ids)
    return {answer.question_id: answer for answer in answers.fetch(where, params)}


def _needed_for(questions: list[Question], codes: Iterable[str]) -> set[int]:
    """The questions a save of `codes` reads: those questions and every question a condition depends on
    (visibility is judged on the stored answers merged with the input)."""
    wanted = set(codes)
    return {q.pk for q in questions if q.code in wanted} | {
        q.condition_question_id for q in questions if q.condition_question_id is not None
    }


def load_questionnaire(response: Response, *, answers: bool = True) -> ResponseWithQuestions:
    """The response's questions (from the version's compiled questionnaire) and, unless `answers` is
    False, its answers: one query for an index questionnaire once its version is compiled."""
    questions = assignment_questions(response.assignment)
    return ResponseWithQuestions(
        response=response, questions=questions, answers=_answers_of(response) if answers else None
    )


def response_for_assignment(assignment: Assignment) -> Response:
    """The assignment's response, created on first use (rounds normally create it with the assignment)."""
    try:
        return assignment.response
    except Response.DoesNotExist:
        response, _ = Response.objects.get_or_create(assignment=assignment)
        return response


# --------------------------------------------------------------------------------------------------
# Validation: raw input (strings from a form, or JSON from the API) → a stored value
# --------------------------------------------------------------------------------------------------


def choices_for(question: Question) -> list[tuple[str, str]]:
    """(code, label) pairs of a choice question, or the parts of a breakdown."""
    return kind_of(question).choices(question)


def clean_value(question: Question, raw: Any) -> Any:
    """The value to store for `raw`, None for no answer, or AnswerError with a Swedish message."""
    if not is_answered(raw):
        return None
    try:
        unstorable = find_unstorable(raw)
    except TooDeep as refused:
        raise AnswerError(str(refused)) from None
    if unstorable is not None:
        raise AnswerError(UNSTORABLE_MESSAGE, part=unstorable[0] if isinstance(raw, dict) else None)
    return kind_of(question).clean(question, raw)


def field_name(question: Question, part: str | None = None) -> str:
    return f"q_{question.code}" + (f"__{part}" if part else "")


def raw_from_form(question: Question, data: Mapping[str, Any]) -> Any:
    """A question's raw input from a submitted form (a QueryDict or a dict of lists)."""
    return kind_of(question).raw_from_form(question, data, field_name(question))


def clean_answers(
    questions: list[Question], raw_by_code: Mapping[str, Any]
) -> tuple[dict[Question, Any], dict[str, AnswerError]]:
    """Validate raw input for several questions: ({question: value}, {code: AnswerError})."""
    values, errors = {}, {}
    for question in questions:
        if question.code not in raw_by_code:
            continue
        try:
            values[question] = clean_value(question, raw_by_code[question.code])
        except AnswerError as error:
            errors[question.code] = error
    return values, errors


# --------------------------------------------------------------------------------------------------
# Saving drafts with versions
# --------------------------------------------------------------------------------------------------


class ResponseLocked(Exception):
    """The response cannot be changed now (submitted, or the round is closed)."""


class UnknownVersion(Exception):
    """A save based on a version the response never had (newer than the stored one): refused, because
    it would skip the check for a colleague's newer answers."""

    message = "Sidan bygger på en version av svaren som inte finns. Ladda om sidan och försök igen."


@dataclass
class Conflict:
    """Someone changed this question since the page was loaded: both values are kept for the user."""

    question: object
    theirs: object
    mine: object


@dataclass
class SaveResult:
    version: int
    changed: list = field(default_factory=list)  # codes
    conflicts: list = field(default_factory=list)  # Conflict


def is_editable(response: Response, *, now: datetime.datetime | None = None) -> bool:
    """Drafts can be changed while the round is open and until the deadline plus the round's grace
    period; a response the coordinator reopened can be changed until it is submitted again."""
    now = now or timezone.now()
    if response.state == ResponseState.SUBMITTED:
        return False
    if response.state == ResponseState.REOPENED:
        return True
    assignment = response.assignment
    survey_round = assignment.round
    if survey_round.state != SurveyRound.State.OPEN or assignment.removed_at is not None:
        return False
    return now <= assignment.deadline + datetime.timedelta(hours=survey_round.grace_hours)


def _since(
    response: Response, base_version: int, codes: Collection[str], *, page: str = ""
) -> tuple[dict[str, Any], set[str]]:
    """What changed after `base_version`: ({code: value at that version}, {codes changed since}).

    The value at the version is the "from" of the first later revision that changed the code. Every
    later change counts, whoever made it (a colleague, or the same person in another tab), except the
    saves of the same page (`page`: one page load, whose autosaves keep the version it was loaded with)."""
    revisions = ResponseRevision.objects.filter(response=response, version__gt=base_version).order_by(
        "version"
    )
    before, others = {}, set()
    for revision in revisions:
        own = bool(page) and revision.page == page
        for code, change in revision.changes.items():
            if code not in codes or not isinstance(change, dict):
                continue
            before.setdefault(code, change.get("from"))
            if not own:
                others.add(code)
    return before, others


TOUCH_EVERY = datetime.timedelta(minutes=1)


def _touch(response: Response, now: datetime.datetime, *, force: bool = False) -> None:
    """Record the assignment's last activity (and first opening) in one UPDATE; a save within a minute
    of the last recorded activity skips it (the coordinator's progress page shows minutes)."""
    assignment = response.assignment
    last = assignment.last_activity_at
    if not force and assignment.first_opened_at is not None and last is not None and now - last < TOUCH_EVERY:
        return
    Assignment.objects.filter(pk=assignment.pk).update(
        last_activity_at=now,
        first_opened_at=Coalesce("first_opened_at", Value(now, output_field=DateTimeField())),
    )
    assignment.last_activity_at = now
    assignment.first_opened_at = assignment.first_opened_at or now


def _claim_next_version(response: Response, now: datetime.datetime) -> tuple[int, str]:
    """Lock the response's row and take its next version in one statement (UPDATE ... RETURNING), which
    is the only lock a save takes: the row of its own response, until commit. Nothing of the
    assignment or the round is locked, so other organisations and the coordinator never wait.
    Returns (the stored version, the state)."""
    qn = connection.ops.quote_name
    meta = Response._meta
    version, state, updated = (qn(meta.get_field(name).column) for name in ("version", "state", "updated_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} SET {version} = {version} + 1, {updated} = %s "
            f"WHERE {qn(meta.pk.column)} = %s RETURNING {version}, {state}",
            [connection.ops.adapt_datetimefield_value(now), response.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise ResponseLocked()
    return row[0] - 1, row[1]


def _save(
    *,
    response: Response,
    prepare: Prepare,
    base_version: int | None,
    contact: Contact | None,
    user: User | None,
    confirm: Collection[str],
    page: str,
    now: datetime.datetime,
    question_ids: set[int] | None = None,
) -> tuple[SaveResult | None, dict[str, AnswerError]]:
    """The one write path of answers: prepare(answers as stored, under the lock) returns ({question:
    value}, errors) or (None, errors) to save nothing. At most six statements: the claim, the answers,
    the revisions since `base_version` (only when it is older), one upsert of the changed answers, the
    revision, and the assignment's last activity (at most once a minute)."""
    with transaction.atomic():
        stored_version, response.state = _claim_next_version(response, now)
        if not is_editable(response, now=now):
            raise ResponseLocked()
        if base_version is not None and base_version > stored_version:
            raise UnknownVersion()
        current = _answers_of(response, question_ids)
        values, errors = prepare(current)
        if values is None:
            transaction.set_rollback(True)
            response.version = stored_version
            return None, errors
        before, others = {}, set()
        if base_version is not None and base_version < stored_version:
            before, others = _since(response, base_version, {q.code for q in values}, page=page)
        changes, conflicts, rows = {}, [], []
        for question, value in values.items():
            answer = current.get(question.pk)
            stored = answer.value if answer else None
            confirming = answer is not None and answer.prefilled and question.code in confirm
            if value == stored and not confirming:
                continue  # unchanged; last year's answer left as offered stays marked as last year's
            if question.code in before and value == before[question.code]:
                continue  # left as the page showed it: whoever changed it since, their answer stays
            if question.code in others:
                # Someone else (or this person in another tab) changed it after this page was loaded,
                # and so did this save: keep the stored answer and hand both back to decide.
                conflicts.append(Conflict(question=question, theirs=stored, mine=value))
                continue
            changes[question.code] = {"from": stored, "to": value}
            rows.append(Answer(response=response, question=question, value=value, updated_by=contact))
        if not changes:
            transaction.set_rollback(True)  # gives the claimed version back
            response.version = stored_version
            return SaveResult(version=stored_version, conflicts=conflicts), errors
        insert_rows(
            rows,
            unique=["response", "question"],
            update=["value", "prefilled", "updated_by", "updated_at"],
        )
        response.version = stored_version + 1
        revision = ResponseRevision(
            response=response,
            version=response.version,
            action="save",
            contact=contact,
            user=user,
            page=page,
            changes=changes,
            created_at=now,
        )
        insert_rows([revision])
        _touch(response, now)
    return SaveResult(version=response.version, changed=list(changes), conflicts=conflicts), errors


def save_answers(
    *,
    response: Response,
    values: dict[Question, Any],
    base_version: int | None,
    contact: Contact | None = None,
    user: User | None = None,
    confirm: Collection[str] = (),
    page: str = "",
    now: datetime.datetime | None = None,
) -> SaveResult | None:
    """Store `values` ({question: value or None}) as the next version of the response.

    A question someone changed after `base_version` keeps the stored value when this save would change
    it too: it comes back as a Conflict with both values, so the page can show them and the user decide
    ("someone" is anyone but the same page load, `page`). Questions in `confirm` (codes) that hold last
    year's answer are marked as confirmed. A `base_version` newer than the stored one raises
    UnknownVersion."""
    result, _ = _save(
        response=response,
        prepare=lambda current: (values, {}),
        base_version=base_version,
        contact=contact,
        user=user,
        confirm=confirm,
        page=page,
        now=now or timezone.now(),
    )
    return result


def save_input(
    *,
    questionnaire: ResponseWithQuestions,
    raw_by_code: Mapping[str, Any] | Callable[[ResponseWithQuestions], Mapping[str, Any]],
    base_version: int | None,
    contact: Contact | None = None,
    user: User | None = None,
    confirm: Collection[str] = (),
    all_or_nothing: bool = False,
    page: str = "",
    now: datetime.datetime | None = None,
) -> tuple[SaveResult | None, dict[str, AnswerError]]:
    """Validate raw input ({code: raw}) and save what is valid: returns (SaveResult or None, errors).

    `raw_by_code` may instead be a function of the questionnaire that returns it (a page that posts the
    questions it showed): it is called with the answers as stored under the save's lock. Conditions are
    judged on the new input merged with the rest of the response; answers to questions that are hidden
    are neither stored nor reported as errors. A page saves the valid answers and shows the errors
    beside the others; the API (`all_or_nothing`) saves nothing when anything is wrong."""

    def prepare(current: dict[int, Answer]) -> tuple[dict[Question, Any] | None, dict[str, AnswerError]]:
        questionnaire.answers = current
        raw = raw_by_code(questionnaire) if callable(raw_by_code) else raw_by_code
        by_code = questionnaire.by_code()
        errors = {code: AnswerError("Frågan finns inte i enkäten.") for code in raw if code not in by_code}
        questions = [q for q in questionnaire.questions if q.code in raw]
        values, invalid = clean_answers(questions, raw)
        merged = {**questionnaire.values, **{q.pk: v for q, v in values.items()}}
        visible = {q.pk for q in visible_questions(questionnaire.questions, merged)}
        values = {q: v for q, v in values.items() if q.pk in visible}
        errors.update({code: e for code, e in invalid.items() if by_code[code].pk in visible})
        if errors and all_or_nothing:
            return None, errors
        return values, errors

    return _save(
        response=questionnaire.response,
        prepare=prepare,
        # Input given as a mapping reads only the answers it needs; a page's function may read them all.
        question_ids=None if callable(raw_by_code) else _needed_for(questionnaire.questions, raw_by_code),
        base_version=base_version,
        contact=contact,
        user=user,
        confirm=confirm,
        page=page,
        now=now or timezone.now(),
    )


# --------------------------------------------------------------------------------------------------
# Submitting and reopening
# --------------------------------------------------------------------------------------------------


def missing_required(questionnaire: ResponseWithQuestions) -> list[Question]:
    """Required questions that are shown (their condition holds) and not answered."""
    values = questionnaire.values
    return [q for q in questionnaire.visible(values) if q.required and not is_answered(values.get(q.pk))]


def invalid_answers(questionnaire: ResponseWithQuestions) -> list[Question]:
    """Stored answers that no longer pass validation (e.g. saved by an older front end)."""
    bad = []
    for question in questionnaire.visible():
        answer = questionnaire.answers.get(question.pk)
        if answer is None:
            continue
        try:
            clean_value(question, answer.value)
        except AnswerError:
            bad.append(question)
    return bad


class SubmitRefused(Exception):
    def __init__(self, missing: list[Question]) -> None:
        super().__init__("missing answers")
        self.missing = missing


def submit_response(
    *,
    response: Response,
    contact: Contact | None = None,
    user: User | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    """Submit once. Returns True for the one real submission, False when it was already submitted
    (a double click or a second tab). Raises SubmitRefused(missing) when required answers are missing
    and ResponseLocked when the response cannot be submitted any more."""
    now = now or timezone.now()
    with transaction.atomic():
        # OF self: only the response's row is locked, never the assignment's or the round's.
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("assignment__round__version")
            .get(pk=response.pk)
        )
        if locked.state == ResponseState.SUBMITTED:
            return False
        if not is_editable(locked, now=now):
            raise ResponseLocked()
        questionnaire = load_questionnaire(locked)
        missing = missing_required(questionnaire) + invalid_answers(questionnaire)
        if missing:
            raise SubmitRefused(missing)
        # The conditional update is the claim: only one request moves the response to "submitted".
        won = Response.objects.filter(
            pk=locked.pk, state__in=[ResponseState.DRAFT, ResponseState.REOPENED]
        ).update(
            state=ResponseState.SUBMITTED,
            submitted_at=now,
            submitted_by=contact,
            version=F("version") + 1,
            updated_at=now,
        )
        if not won:
            return False
        locked.refresh_from_db()
        ResponseRevision.objects.create(
            response=locked,
            version=locked.version,
            action="submit",
            contact=contact,
            user=user,
            created_at=now,
        )
        _touch(locked, now, force=True)
        events.response_submitted(locked)
    response.refresh_from_db()
    return True


def reopen_response(
    *, response: Response, user: User | None = None, now: datetime.datetime | None = None
) -> bool:
    """Submitted → reopened, so the organisation can change its answers and submit again."""
    now = now or timezone.now()
    with transaction.atomic():
        won = Response.objects.filter(pk=response.pk, state=ResponseState.SUBMITTED).update(
            state=ResponseState.REOPENED, version=F("version") + 1, updated_at=now
        )
        if won:
            response.refresh_from_db()
            ResponseRevision.objects.create(
                response=response, version=response.version, action="reopen", user=user, created_at=now
            )
    return bool(won)


# --------------------------------------------------------------------------------------------------
# Prefill from last year
# --------------------------------------------------------------------------------------------------


def previous_response(assignment: Assignment) -> Response | None:
    """The organisation's latest submitted response from an earlier round of a comparable version."""
    survey_round = assignment.round
    versions = comparable_versions(survey_round.version)
    return (
        Response.objects.filter(
            assignment__organisation_id=assignment.organisation_id,
            assignment__round__version__in=versions,
            assignment__round__year__lt=survey_round.year,
            state=ResponseState.SUBMITTED,
        )
        .order_by("-assignment__round__year", "-submitted_at")
        .first()
    )


def prefill_response(*, response: Response, now: datetime.datetime | None = None) -> int:
    """Offer last year's answers for questions with the same code that have no answer yet; they stay
    marked as last year's (Answer.prefilled) until confirmed or changed. Runs once per response."""
    now = now or timezone.now()
    if (
        response.state != ResponseState.DRAFT
        or ResponseRevision.objects.filter(response=response, action="prefill").exists()
    ):
        return 0
    previous = previous_response(response.assignment)
    if previous is None:
        return 0
    questions = {q.code: q for q in questions_for_assignment(response.assignment)}
    old = Answer.objects.filter(response=previous, question__code__in=list(questions)).select_related(
        "question"
    )
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if (
            locked.state != ResponseState.DRAFT
            or ResponseRevision.objects.filter(response=locked, action="prefill").exists()
        ):
            return 0
        answered = set(Answer.objects.filter(response=locked).values_list("question__code", flat=True))
        rows, changes = [], {}
        for answer in old:
            question = questions[answer.question.code]
            if question.code in answered or not is_answered(answer.value):
                continue
            try:
                value = clean_value(question, answer.value)
            except AnswerError:
                continue  # the options changed: last year's answer does not fit this year
            if value is None:
                continue
            rows.append(Answer(response=locked, question=question, value=value, prefilled=True))
            changes[question.code] = {"from": None, "to": value}
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        Answer.objects.bulk_create(rows)
        ResponseRevision.objects.create(
            response=locked, version=locked.version, action="prefill", changes=changes, created_at=now
        )
    response.version = locked.version
    return len(rows)
