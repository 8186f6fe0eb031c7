"""Answering a questionnaire: load, validate, save drafts with versions, submit once, reopen, prefill.

The respondent pages and the API both call these functions; neither holds a rule of its own."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import events
from ..models import (
    Answer,
    Assignment,
    Response,
    ResponseRevision,
    SurveyRound,
)
from ..questiontypes import AnswerError, is_answered, kind_of
from ..selectors import comparable_versions, questions_for_assignment
from ..text import UNSTORABLE_MESSAGE, TooDeep, find_unstorable
from .conditions import visible_questions

ResponseState = Response.State


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


@dataclass
class ResponseWithQuestions:
    """One response with everything a page needs, loaded in a fixed number of queries."""

    response: Response
    questions: list
    answers: dict  # question id → Answer

    @property
    def values(self):
        return {qid: answer.value for qid, answer in self.answers.items()}

    def visible(self, values=None):
        return visible_questions(self.questions, self.values if values is None else values)

    def sections(self):
        seen = {}
        for question in self.questions:
            seen.setdefault(question.section_id, question.section)
        return list(seen.values())

    def by_code(self):
        return {q.code: q for q in self.questions}


def load_questionnaire(response):
    questions = list(questions_for_assignment(response.assignment))
    answers = {a.question_id: a for a in Answer.objects.filter(response=response)}
    return ResponseWithQuestions(response=response, questions=questions, answers=answers)


def response_for_assignment(assignment):
    """The assignment's response, created on first use (rounds normally create it with the assignment)."""
    try:
        return assignment.response
    except Response.DoesNotExist:
        response, _ = Response.objects.get_or_create(assignment=assignment)
        return response


# --------------------------------------------------------------------------------------------------
# Validation: raw input (strings from a form, or JSON from the API) → a stored value
# --------------------------------------------------------------------------------------------------


def choices_for(question):
    """(code, label) pairs of a choice question, or the parts of a breakdown."""
    return kind_of(question).choices(question)


def clean_value(question, raw):
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


def field_name(question, part=None):
    return f"q_{question.code}" + (f"__{part}" if part else "")


def raw_from_form(question, data):
    """A question's raw input from a submitted form (a QueryDict or a dict of lists)."""
    return kind_of(question).raw_from_form(question, data, field_name(question))


def clean_answers(questions, raw_by_code):
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


@dataclass
class Conflict:
    """A colleague changed this question since the page was loaded: both values are kept for the user."""

    question: object
    theirs: object
    mine: object


@dataclass
class SaveResult:
    version: int
    changed: list = field(default_factory=list)  # codes
    conflicts: list = field(default_factory=list)  # Conflict


def is_editable(response, *, now=None):
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


def _since(response, base_version, codes, *, contact=None, user=None):
    """What changed after `base_version`: ({code: value at that version}, {codes someone else changed}).

    The value at the version is the "from" of the first later revision that changed the code. The
    saver's own later saves (autosave on the same page) do not make a conflict with themselves."""
    revisions = ResponseRevision.objects.filter(response=response, version__gt=base_version).order_by(
        "version"
    )
    before, others = {}, set()
    for revision in revisions:
        own = (contact is not None and revision.contact_id == contact.pk) or (
            contact is None and user is not None and revision.user_id == user.pk
        )
        for code, change in revision.changes.items():
            if code not in codes or not isinstance(change, dict):
                continue
            before.setdefault(code, change.get("from"))
            if not own:
                others.add(code)
    return before, others


def _touch(response, now):
    Assignment.objects.filter(pk=response.assignment_id).update(last_activity_at=now)
    Assignment.objects.filter(pk=response.assignment_id, first_opened_at=None).update(first_opened_at=now)


def save_answers(*, response, values, base_version, contact=None, user=None, confirm=(), now=None):
    """Store `values` ({question: value or None}) as the next version of the response.

    A question a colleague changed after `base_version` keeps the colleague's value when this save
    would change it too: it comes back as a Conflict with both values, so the page can show them and the
    user decide. Questions in `confirm` (codes) that hold last year's answer are marked as confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("assignment__round").get(pk=response.pk)
        if not is_editable(locked, now=now):
            raise ResponseLocked()
        current = {
            a.question_id: a for a in Answer.objects.filter(response=locked, question__in=list(values))
        }
        before, others = {}, set()
        if base_version is not None and base_version < locked.version:
            before, others = _since(
                locked, base_version, {q.code for q in values}, contact=contact, user=user
            )
        changes, conflicts, to_create, to_update = {}, [], [], []
        for question, value in values.items():
            answer = current.get(question.pk)
            stored = answer.value if answer else None
            confirming = answer is not None and answer.prefilled and question.code in confirm
            if value == stored and not confirming:
                continue  # unchanged; last year's answer left as offered stays marked as last year's
            if question.code in before and value == before[question.code]:
                continue  # left as the page showed it: whoever changed it since, their answer stays
            if question.code in others:
                # A colleague changed it after this page was loaded, and so did this user: keep the
                # colleague's answer and hand both back to decide.
                conflicts.append(Conflict(question=question, theirs=stored, mine=value))
                continue
            changes[question.code] = {"from": stored, "to": value}
            if answer is None:
                to_create.append(Answer(response=locked, question=question, value=value, updated_by=contact))
            else:
                answer.value, answer.prefilled, answer.updated_by = value, False, contact
                to_update.append(answer)
        if not changes:
            response.version = locked.version
            return SaveResult(version=locked.version, conflicts=conflicts)
        Answer.objects.bulk_create(to_create)
        for answer in to_update:
            answer.save(update_fields=["value", "prefilled", "updated_by", "updated_at"])
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        ResponseRevision.objects.create(
            response=locked,
            version=locked.version,
            action="save",
            contact=contact,
            user=user,
            changes=changes,
            created_at=now,
        )
        _touch(locked, now)
    response.version = locked.version
    return SaveResult(version=locked.version, changed=list(changes), conflicts=conflicts)


def save_input(
    *, questionnaire, raw_by_code, base_version, contact=None, user=None, confirm=(), all_or_nothing=False
):
    """Validate raw input ({code: raw}) and save what is valid: returns (SaveResult or None, errors).

    Conditions are judged on the new input merged with the rest of the response; answers to questions
    that are hidden are neither stored nor reported as errors. A page saves the valid answers and shows
    the errors beside the others; the API (`all_or_nothing`) saves nothing when anything is wrong."""
    by_code = questionnaire.by_code()
    errors = {
        code: AnswerError("Frågan finns inte i enkäten.") for code in raw_by_code if code not in by_code
    }
    questions = [q for q in questionnaire.questions if q.code in raw_by_code]
    values, invalid = clean_answers(questions, raw_by_code)
    merged = {**questionnaire.values, **{q.pk: v for q, v in values.items()}}
    visible = {q.pk for q in visible_questions(questionnaire.questions, merged)}
    values = {q: v for q, v in values.items() if q.pk in visible}
    errors.update({code: e for code, e in invalid.items() if by_code[code].pk in visible})
    if errors and all_or_nothing:
        return None, errors
    result = save_answers(
        response=questionnaire.response,
        values=values,
        base_version=base_version,
        contact=contact,
        user=user,
        confirm=confirm,
    )
    return result, errors


# --------------------------------------------------------------------------------------------------
# Submitting and reopening
# --------------------------------------------------------------------------------------------------


def missing_required(questionnaire):
    """Required questions that are shown (their condition holds) and not answered."""
    values = questionnaire.values
    return [q for q in questionnaire.visible(values) if q.required and not is_answered(values.get(q.pk))]


def invalid_answers(questionnaire):
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
    def __init__(self, missing):
        super().__init__("missing answers")
        self.missing = missing


def submit_response(*, response, contact=None, user=None, now=None):
    """Submit once. Returns True for the one real submission, False when it was already submitted
    (a double click or a second tab). Raises SubmitRefused(missing) when required answers are missing
    and ResponseLocked when the response cannot be submitted any more."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("assignment__round").get(pk=response.pk)
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
        _touch(locked, now)
        events.response_submitted(locked)
    response.refresh_from_db()
    return True


def reopen_response(*, response, user=None, now=None):
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


def previous_response(assignment):
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


def prefill_response(*, response, now=None):
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
