"""Round life cycle and the tick: the database says what is due; the tick claims it and records it.

States: draft → scheduled → open → closed → published. Every change is a conditional UPDATE on the old
state, so two ticks (or a tick and a coordinator) can never both win the same transition."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import (
    ROUND_COORDINATOR_FIELDS,
    ROUND_TEMPLATE_FIELDS,
    Assignment,
    Contact,
    Organisation,
    OutboundEmail,
    QuestionnaireVersion,
    Response,
    SurveyRound,
    User,
)
from . import email_templates, export_jobs, health, outbox, responses, schemes
from .audit import audit_record, audit_target, audit_when
from .deadlines import reminder_time
from .plan_responsibility import version_freeze_responsibilities
from .scoring import ScoringRefused, compute_round_index
from .tokens import revoke_tokens

logger = logging.getLogger(__name__)

RoundState = SurveyRound.State
# A round's recipients and deadline may change until it closes.
BEFORE_CLOSE = [RoundState.DRAFT, RoundState.SCHEDULED, RoundState.OPEN]

# --------------------------------------------------------------------------------------------------
# Templates (the texts and placeholders themselves are in email_templates.py)
# --------------------------------------------------------------------------------------------------


def preview(
    *, survey_round: SurveyRound, overrides: dict[str, str | None] | None = None
) -> dict[str, dict[str, str]]:
    """What the first recipient (or an example organisation) would get, with an example link."""
    templates = {
        **email_templates.templates_of(survey_round),
        **{k: v for k, v in (overrides or {}).items() if v},
    }
    validate_round_fields(opens_at=None, deadline=None, templates=templates)
    assignment = survey_round.assignments.select_related("organisation").first() if survey_round.pk else None
    if assignment is None:
        assignment = Assignment(round=survey_round, organisation=Organisation(name="Exempelförvaltningen"))
    link = outbox.example_link()
    result = {}
    for kind, status in (("invitation", "not_started"), ("reminder", "draft")):
        subject, body = email_templates.render(
            kind,
            survey_round=survey_round,
            assignment=assignment,
            link=link,
            status=status,
            remaining=3,
            templates=templates,
        )
        result[kind] = {"subject": subject, "body": outbox.signed(body, survey_round)}
    return result


# --------------------------------------------------------------------------------------------------
# Creating and editing a round
# --------------------------------------------------------------------------------------------------


def recipients_chosen_check(*, organisation_ids: Iterable[int] | None, kinds: Iterable[str] | None) -> None:
    """A new round names its recipients, one by one or by kind: ValidationError (Swedish) otherwise."""
    if not organisation_ids and not kinds:
        raise ValidationError(
            {"organisations": ["Välj mottagare: en typ av organisationer eller organisationer en och en."]}
        )


def recipients_from(
    *, organisation_ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None
) -> list[Organisation]:
    """Recipients by list or kind ("alla stadsdelsförvaltningar"); unknown ids are an error."""
    organisation_ids = list(organisation_ids or [])
    found = set()
    chosen = Organisation.objects.none()
    if organisation_ids:
        chosen = Organisation.objects.filter(pk__in=organisation_ids)
        found = set(chosen.values_list("pk", flat=True))
        missing = sorted(set(organisation_ids) - found)
        if missing:
            raise ValidationError({"organisations": [f"Okänd organisation: {pk}." for pk in missing]})
    if kinds:
        valid = {k for k, _ in Organisation.Kind.choices}
        bad = sorted(set(kinds) - valid)
        if bad:
            raise ValidationError({"kinds": [f"Okänd organisationstyp: {k}." for k in bad]})
        chosen = Organisation.objects.filter(Q(pk__in=found) | Q(kind__in=kinds, is_active=True))
    return list(chosen.order_by("name"))


def validate_round_fields(
    *,
    opens_at: datetime | None,
    deadline: datetime | None,
    reminder_offsets: list[int] | None = None,
    grace_hours: int | None = 0,
    digest_to: str | None = None,
    templates: dict[str, str | None] | None = None,
    coordinator_email: str | None = None,
) -> None:
    """The one check of a round's dates, reminder plan, grace period, digest addresses and e-mail
    templates, for every way a round is created or edited: ValidationError with a message per field."""
    errors = {}
    if opens_at and deadline and deadline <= opens_at:
        errors["deadline"] = ["Sista svarsdag måste ligga efter öppningsdagen."]
    if reminder_offsets is not None:
        if not isinstance(reminder_offsets, list | tuple) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in reminder_offsets
        ):
            errors["reminder_offsets"] = [
                "Ange påminnelserna som en lista med heltal (dagar från sista svarsdag)."
            ]
        elif len(set(reminder_offsets)) != len(reminder_offsets):
            errors["reminder_offsets"] = ["Samma påminnelsedag finns två gånger."]
        elif any(abs(d) > 365 for d in reminder_offsets):
            errors["reminder_offsets"] = ["En påminnelse kan ligga högst 365 dagar från sista svarsdag."]
    if grace_hours is not None and grace_hours < 0:
        errors["grace_hours"] = ["Respittiden kan inte vara negativ."]
    if digest_to:
        bad = [e for e in _email_list(digest_to) if not _is_email(e)]
        if bad:
            errors["digest_to"] = [f"Ogiltig e-postadress: {e}." for e in bad]
    if coordinator_email and not _is_email(coordinator_email):
        errors["coordinator_email"] = [f"Ogiltig e-postadress: {coordinator_email}."]
    for name in ROUND_TEMPLATE_FIELDS:
        if (templates or {}).get(name):
            problems = email_templates.template_errors(templates[name])
            if problems:
                errors[name] = problems
    if errors:
        raise ValidationError(errors)


def _email_list(text: str) -> list[str]:
    return [e.strip() for e in text.split(",") if e.strip()]


def _is_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def _add_assignments(survey_round: SurveyRound, organisations: Iterable[Organisation]) -> list[Assignment]:
    existing = set(survey_round.assignments.values_list("organisation_id", flat=True))
    new = [Assignment(round=survey_round, organisation=o) for o in organisations if o.pk not in existing]
    Assignment.objects.bulk_create(new)
    created = list(survey_round.assignments.filter(organisation__in=[a.organisation for a in new]))
    Response.objects.bulk_create([Response(assignment=a) for a in created])
    return created


@transaction.atomic
def round_create(
    *,
    version: QuestionnaireVersion,
    year: int,
    opens_at: datetime,
    deadline: datetime,
    name: str = "",
    organisation_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    reminder_offsets: list[int] | None = None,
    grace_hours: int | None = 0,
    min_group_size: int | None = None,
    created_by: User | None = None,
    **templates: str | None,
) -> SurveyRound:
    """A new round in draft, with one assignment (and an empty response) per recipient."""
    reminder_offsets = sorted(reminder_offsets) if reminder_offsets is not None else None
    validate_round_fields(
        opens_at=opens_at,
        deadline=deadline,
        reminder_offsets=reminder_offsets,
        grace_hours=grace_hours,
        digest_to=templates.get("digest_to"),
        templates=templates,
        coordinator_email=templates.get("coordinator_email"),
    )
    organisations = recipients_from(organisation_ids=organisation_ids, kinds=kinds)
    survey_round = SurveyRound(
        name=name or version.questionnaire.name,
        version=version,
        programme=version.questionnaire.programme,
        year=year,
        opens_at=opens_at,
        deadline=deadline,
        grace_hours=grace_hours or 0,
        created_by=created_by,
        **{k: v for k, v in templates.items() if v is not None},
    )
    if reminder_offsets is not None:
        survey_round.reminder_offsets = reminder_offsets
    if min_group_size is not None:
        survey_round.min_group_size = min_group_size
    survey_round.save()
    _add_assignments(survey_round, organisations)
    _record(
        created_by,
        "round.create",
        survey_round,
        "Skapade omgången som utkast.",
        recipients=survey_round.assignments.count(),
    )
    return survey_round


EDITABLE_WHILE_OPEN = {
    "name",
    "grace_hours",
    "min_group_size",
    "reminder_offsets",
    "digest_to",
    *ROUND_TEMPLATE_FIELDS,
    # Who answers the respondents' questions may change while they answer; later e-mails name the new one.
    *ROUND_COORDINATOR_FIELDS,
}


@transaction.atomic
def round_update(*, survey_round: SurveyRound, actor: User | None = None, **fields: Any) -> SurveyRound:
    """Edit a round. Everything may change in draft or scheduled; once open only names, templates, the
    reminder plan, the grace period and the named coordinator (the deadline moves with `extend_deadline`); nothing once closed."""
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    validate_round_update(survey_round=survey_round, fields=fields)
    if "reminder_offsets" in fields and fields["reminder_offsets"] is not None:
        fields["reminder_offsets"] = sorted(fields["reminder_offsets"])
    for key, value in fields.items():
        setattr(survey_round, key, value)
    survey_round.save()
    if fields:
        labels = ", ".join(str(SurveyRound._meta.get_field(name).verbose_name) for name in fields)
        _record(actor, "round.update", survey_round, f"Ändrade omgången: {labels}.", fields=sorted(fields))
    return survey_round


def validate_round_update(*, survey_round: SurveyRound, fields: dict) -> None:
    """The rules of round_update without saving, for forms that show every problem next to its field."""
    if survey_round.state in SurveyRound.ENDED:
        raise ValidationError({"state": ["En stängd omgång kan inte ändras."]})
    if survey_round.state == RoundState.OPEN:
        locked = sorted(
            k for k, v in fields.items() if k not in EDITABLE_WHILE_OPEN and getattr(survey_round, k, v) != v
        )
        if locked:
            raise ValidationError(
                {
                    k: [
                        "Sista svarsdagen flyttas med Flytta sista svarsdag (extend)."
                        if k == "deadline"
                        else "Kan inte ändras när omgången är öppen."
                    ]
                    for k in locked
                }
            )
    validate_round_fields(
        opens_at=fields.get("opens_at", survey_round.opens_at),
        deadline=fields.get("deadline", survey_round.deadline),
        reminder_offsets=fields.get("reminder_offsets"),
        grace_hours=fields.get("grace_hours"),
        digest_to=fields.get("digest_to"),
        templates=fields,
        coordinator_email=fields.get("coordinator_email"),
    )


def _record(
    actor: User | None, action: str, survey_round: SurveyRound, message: str, *parts: str, **detail: Any
) -> None:
    """The audit event of a coordinator's action on a round (see services.audit)."""
    audit_record(
        actor=actor,
        action=action,
        round=survey_round,
        target=audit_target(survey_round, *parts),
        detail={"message": message, **detail},
    )


def _transition(
    survey_round: SurveyRound, *, allowed_from: list[str], to: str, message: str, **changes: Any
) -> SurveyRound:
    won = SurveyRound.objects.filter(pk=survey_round.pk, state__in=allowed_from).update(state=to, **changes)
    if not won:
        current = SurveyRound.objects.filter(pk=survey_round.pk).values_list("state", flat=True).first()
        label = RoundState(current).label if current else "?"
        raise ValidationError({"state": [f"{message} (omgången är {str(label).lower()})."]})
    survey_round.refresh_from_db()
    return survey_round


def _require_sound_scheme(survey_round: SurveyRound) -> None:
    """An index round does not start on a scoring scheme with known problems (a category that cannot
    reach its cap, a cap above its parent's, points outside every category): the index would be wrong
    for every organisation. A questionnaire without scoring (activity follow-up) has nothing to check."""
    problems = [p for p in schemes.scheme_problems(survey_round.version) if p.kind != "no_scheme"]
    if problems:
        raise ValidationError({"scoring": [p.message for p in problems]})


def round_schedule(
    *, survey_round: SurveyRound, now: datetime | None = None, actor: User | None = None
) -> SurveyRound:
    """Draft → scheduled: the tick opens it at opens_at."""
    _require_state(
        survey_round,
        [RoundState.DRAFT],
        f"Bara ett utkast kan schemaläggas (omgången är {survey_round.get_state_display().lower()}).",
    )
    if not survey_round.assignments.filter(removed_at=None).exists():
        raise ValidationError({"organisations": ["Omgången har inga mottagare."]})
    _require_sound_scheme(survey_round)
    _transition(
        survey_round,
        allowed_from=[RoundState.DRAFT],
        to=RoundState.SCHEDULED,
        message="Bara ett utkast kan schemaläggas",
    )
    _record(actor, "round.schedule", survey_round, "Schemalade omgången.")
    return survey_round


def round_unschedule(*, survey_round: SurveyRound, actor: User | None = None) -> SurveyRound:
    _transition(
        survey_round,
        allowed_from=[RoundState.SCHEDULED],
        to=RoundState.DRAFT,
        message="Bara en schemalagd omgång kan bli utkast",
    )
    _record(actor, "round.unschedule", survey_round, "Gjorde omgången till utkast igen.")
    return survey_round


def _freeze_version(survey_round: SurveyRound, now: datetime) -> None:
    version = survey_round.version
    if version.frozen_at is None:
        type(version).objects.filter(pk=version.pk, frozen_at=None).update(frozen_at=now)
    version_freeze_responsibilities(version=version)


def round_open(*, survey_round: SurveyRound, now: datetime) -> bool:
    """Scheduled → open (the tick). The conditional update makes this safe if two ticks ever run at once."""
    with transaction.atomic():
        won = SurveyRound.objects.filter(pk=survey_round.pk, state=RoundState.SCHEDULED).update(
            state=RoundState.OPEN, opened_at=now
        )
        if won:
            _freeze_version(survey_round, now)
    return bool(won)


def round_open_now(
    *, survey_round: SurveyRound, now: datetime | None = None, actor: User | None = None
) -> SurveyRound:
    """Open at once (draft or scheduled); invitations go out in the same call."""
    now = now or timezone.now()
    _require_state(
        survey_round,
        [RoundState.DRAFT, RoundState.SCHEDULED],
        "Bara ett utkast eller en schemalagd omgång kan öppnas "
        f"(omgången är {survey_round.get_state_display().lower()}).",
    )
    if not survey_round.assignments.filter(removed_at=None).exists():
        raise ValidationError({"organisations": ["Omgången har inga mottagare."]})
    if survey_round.deadline <= now:
        raise ValidationError({"deadline": ["Sista svarsdag har redan passerat; flytta den först."]})
    _require_sound_scheme(survey_round)
    with transaction.atomic():
        _transition(
            survey_round,
            allowed_from=[RoundState.DRAFT, RoundState.SCHEDULED],
            to=RoundState.OPEN,
            message="Bara ett utkast eller en schemalagd omgång kan öppnas",
            opened_at=now,
            opens_at=now,
        )
        _freeze_version(survey_round, now)
        create_invitations(now=now, rounds=[survey_round])
        _record(actor, "round.open", survey_round, "Öppnade omgången; inbjudningarna skickas.")
    outbox.dispatch_due(now=now)
    return survey_round


def round_close(*, survey_round: SurveyRound, now: datetime) -> bool:
    """Open → closed (the tick at deadline + grace, or a coordinator closing early). Reminders that are
    still waiting are cancelled; a requested digest is queued."""
    with transaction.atomic():
        won = SurveyRound.objects.filter(pk=survey_round.pk, state=RoundState.OPEN).update(
            state=RoundState.CLOSED, closed_at=now
        )
        if won:
            OutboundEmail.objects.filter(
                round=survey_round,
                kind__in=[OutboundEmail.Kind.INVITATION, OutboundEmail.Kind.REMINDER],
                status=OutboundEmail.Status.PENDING,
            ).update(status=OutboundEmail.Status.CANCELLED)
            survey_round.refresh_from_db()
            outbox.queue_digest(survey_round=survey_round, now=now)
    if won:
        _final_index(survey_round, now=now)
    return bool(won)


def round_close_early(
    *, survey_round: SurveyRound, now: datetime | None = None, actor: User | None = None
) -> SurveyRound:
    now = now or timezone.now()
    if not round_close(survey_round=survey_round, now=now):
        _transition(
            survey_round,
            allowed_from=[RoundState.OPEN],
            to=RoundState.CLOSED,
            message="Bara en öppen omgång kan stängas",
        )
    _record(actor, "round.close", survey_round, "Stängde omgången i förtid.")
    outbox.dispatch_due(now=now)
    survey_round.refresh_from_db()
    return survey_round


def round_publish(
    *, survey_round: SurveyRound, now: datetime | None = None, actor: User | None = None
) -> SurveyRound:
    """Closed → published; every organisation's contacts are told where their results are."""
    now = now or timezone.now()
    with transaction.atomic():
        _transition(
            survey_round,
            allowed_from=[RoundState.CLOSED],
            to=RoundState.PUBLISHED,
            message="Bara en stängd omgång kan publiceras",
            published_at=now,
        )
        outbox.queue_results_published(survey_round=survey_round, now=now)
        _record(actor, "round.publish", survey_round, "Publicerade resultaten.")
    transaction.on_commit(lambda: outbox.dispatch_due(now=now))
    return survey_round


def request_digest(
    *, survey_round: SurveyRound, email: str, now: datetime | None = None, actor: User | None = None
) -> SurveyRound:
    """The coordinator asks for a summary when the round closes (at once if it already has)."""
    emails = [e.strip() for e in survey_round.digest_to.split(",") if e.strip()]
    if email not in emails:
        emails.append(email)
    SurveyRound.objects.filter(pk=survey_round.pk).update(digest_to=", ".join(emails))
    survey_round.refresh_from_db()
    _record(actor, "round.digest", survey_round, f"Bad om en sammanfattning till {email}.")
    if survey_round.state in SurveyRound.ENDED:
        outbox.queue_digest(survey_round=survey_round, now=now or timezone.now())
        outbox.dispatch_due(now=now or timezone.now())
    return survey_round


# --------------------------------------------------------------------------------------------------
# While open: deadlines, recipients, reopening
# --------------------------------------------------------------------------------------------------


def _require_state(survey_round: SurveyRound, states: list[str], message: str) -> None:
    if survey_round.state not in states:
        raise ValidationError({"state": [message]})


def extend_deadline(
    *,
    survey_round: SurveyRound,
    deadline: datetime,
    assignment: Assignment | None = None,
    actor: User | None = None,
) -> SurveyRound | Assignment:
    """Move the deadline later, for the whole round or for one assignment."""
    _require_state(
        survey_round,
        BEFORE_CLOSE,
        "Sista svarsdag kan inte flyttas när omgången är stängd.",
    )
    current = assignment.deadline if assignment else survey_round.deadline
    if deadline <= current:
        raise ValidationError({"deadline": ["Den nya sista svarsdagen måste ligga efter den nuvarande."]})
    _record(
        actor,
        "assignment.extend" if assignment else "round.extend",
        survey_round,
        f"Flyttade sista svarsdag till {audit_when(deadline)}.",
        assignment.organisation.name if assignment else "",
        f"ny sista svarsdag {audit_when(deadline)}",
    )
    if assignment is not None:
        Assignment.objects.filter(pk=assignment.pk).update(deadline_override=deadline)
        assignment.refresh_from_db()
        return assignment
    SurveyRound.objects.filter(pk=survey_round.pk).update(deadline=deadline)
    survey_round.refresh_from_db()
    return survey_round


@transaction.atomic
def add_recipient(
    *,
    survey_round: SurveyRound,
    organisation: Organisation,
    now: datetime | None = None,
    actor: User | None = None,
) -> Assignment:
    """Add an organisation (or take one back that was removed); if the round is open its contacts are
    invited by this call."""
    now = now or timezone.now()
    _require_state(
        survey_round,
        BEFORE_CLOSE,
        "Mottagare kan inte läggas till i en stängd omgång.",
    )
    assignment = Assignment.objects.filter(round=survey_round, organisation=organisation).first()
    if assignment is None:
        assignment = _add_assignments(survey_round, [organisation])[0]
    elif assignment.removed_at is not None:
        Assignment.objects.filter(pk=assignment.pk).update(removed_at=None)
        assignment.refresh_from_db()
    _record(actor, "round.recipient_add", survey_round, "Lade till en mottagare.", organisation.name)
    if survey_round.state == RoundState.OPEN:
        create_invitations(now=now, rounds=[survey_round])
        transaction.on_commit(lambda: outbox.dispatch_due(now=now))
    return assignment


@transaction.atomic
def remove_recipient(
    *,
    survey_round: SurveyRound,
    organisation: Organisation,
    now: datetime | None = None,
    actor: User | None = None,
) -> Assignment | None:
    """Take an organisation out. Its answers stay (public records); its links stop working and e-mails not
    yet sent are cancelled."""

    now = now or timezone.now()
    _require_state(
        survey_round,
        BEFORE_CLOSE,
        "Mottagare kan inte tas bort ur en stängd omgång.",
    )
    assignment = Assignment.objects.filter(
        round=survey_round, organisation=organisation, removed_at=None
    ).first()
    if assignment is None:
        raise ValidationError({"organisation": ["Organisationen är inte mottagare i omgången."]})
    _record(actor, "round.recipient_remove", survey_round, "Tog bort en mottagare.", organisation.name)
    if (
        survey_round.state in (RoundState.DRAFT, RoundState.SCHEDULED)
        and not assignment.response.answers.exists()
    ):
        assignment.delete()
        return None
    Assignment.objects.filter(pk=assignment.pk).update(removed_at=now)
    revoke_tokens(assignment=assignment, now=now)
    OutboundEmail.objects.filter(assignment=assignment, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.CANCELLED
    )
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def reopen_response(
    *, assignment: Assignment, user: User | None = None, now: datetime | None = None
) -> Response:
    """Submitted → reopened, so the organisation can change and submit again (the round must be open).
    The state change itself is the answering rules' (responses.reopen_response)."""
    now = now or timezone.now()
    _require_state(
        assignment.round, [RoundState.OPEN], "Ett svar kan bara öppnas igen medan omgången är öppen."
    )
    response = Response.objects.get(assignment=assignment)
    if not responses.reopen_response(response=response, user=user, now=now):
        raise ValidationError({"state": ["Bara ett inskickat svar kan öppnas igen."]})
    _record(user, "assignment.reopen", assignment.round, "Öppnade svaret igen.", assignment.organisation.name)
    Assignment.objects.filter(pk=assignment.pk).update(last_activity_at=now)
    return response


def _stamp(now: datetime) -> str:
    return timezone.localtime(now).strftime("%Y%m%d%H%M%S")


@transaction.atomic
def remind_now(
    *,
    survey_round: SurveyRound,
    assignment: Assignment | None = None,
    now: datetime | None = None,
    actor: User | None = None,
) -> int:
    """A coordinator sends a reminder at once: to every active contact of the round's organisations that
    have not submitted, or of one organisation. Each reminder says how far the organisation has come, as
    the planned ones do. The key holds the second it was asked for, so a double click sends one reminder.
    Returns how many e-mails were queued."""
    now = now or timezone.now()
    _require_state(survey_round, [RoundState.OPEN], "Påminnelser kan bara skickas medan omgången är öppen.")
    assignments = Assignment.objects.filter(round=survey_round, removed_at=None).exclude(
        response__state=Response.State.SUBMITTED
    )
    if assignment is not None:
        if assignment.round_id != survey_round.pk or assignment.removed_at is not None:
            raise ValidationError({"assignment": ["Organisationen är inte mottagare i omgången."]})
        if Response.objects.filter(assignment=assignment, state=Response.State.SUBMITTED).exists():
            raise ValidationError({"assignment": ["Organisationen har redan skickat in sitt svar."]})
        assignments = assignments.filter(pk=assignment.pk)
    pairs = assignments.filter(organisation__contacts__is_active=True).values_list(
        "pk", "organisation__contacts__id", "organisation__contacts__email"
    )
    stamp = _stamp(now)
    rows = []
    for assignment_id, contact_id, email in pairs:
        row = outbox.reminder(
            assignment_id=assignment_id,
            round_id=survey_round.pk,
            contact_id=contact_id,
            email=email,
            step=None,
            now=now,
        )
        row.key = f"remind:{assignment_id}:{contact_id}:now-{stamp}"
        rows.append(row)
    if not rows:
        message = (
            "Det finns ingen aktiv kontaktperson att påminna."
            if assignment is not None or assignments.exists()
            else "Alla organisationer har redan skickat in."
        )
        raise ValidationError({"assignment": [message]})
    created = outbox.queue(rows)
    _record(
        actor,
        "assignment.remind" if assignment is not None else "round.remind",
        survey_round,
        f"Skickade {created} påminnelser nu." if created != 1 else "Skickade 1 påminnelse nu.",
        assignment.organisation.name if assignment is not None else "",
        queued=created,
    )
    transaction.on_commit(lambda: outbox.dispatch_due(now=now))
    return created


@transaction.atomic
def resend_invitation(
    *, assignment: Assignment, contact: Contact, now: datetime | None = None, actor: User | None = None
) -> OutboundEmail:
    """Send one contact the invitation again with a fresh personal link; the contact's earlier links to
    this assignment stop working (a forwarded or lost link). Returns the queued e-mail."""
    from .tokens import revoke_tokens

    now = now or timezone.now()
    _require_state(
        assignment.round, [RoundState.OPEN], "Inbjudan kan bara skickas igen medan omgången är öppen."
    )
    if assignment.removed_at is not None:
        raise ValidationError({"assignment": ["Organisationen är borttagen ur omgången."]})
    if contact.organisation_id != assignment.organisation_id:
        raise ValidationError({"contact": ["Kontaktpersonen hör inte till organisationen."]})
    if not contact.is_active:
        raise ValidationError({"contact": ["Kontaktpersonen är inte aktiv."]})
    revoke_tokens(assignment=assignment, contact=contact, now=now)
    row = outbox.invitation(
        assignment_id=assignment.pk,
        round_id=assignment.round_id,
        contact_id=contact.pk,
        email=contact.email,
        now=now,
    )
    row.key = f"invite:{assignment.pk}:{contact.pk}:again-{_stamp(now)}"
    outbox.queue([row])
    _record(
        actor,
        "assignment.resend_invitation",
        assignment.round,
        "Skickade inbjudan igen med en ny länk.",
        assignment.organisation.name,
        f"kontakt {contact.pk}",
    )
    transaction.on_commit(lambda: outbox.dispatch_due(now=now))
    return OutboundEmail.objects.get(key=row.key)


# --------------------------------------------------------------------------------------------------
# The tick
# --------------------------------------------------------------------------------------------------


def rounds_to_open(*, now: datetime) -> QuerySet[SurveyRound]:
    return SurveyRound.objects.filter(state=RoundState.SCHEDULED, opens_at__lte=now)


def rounds_to_close(*, now: datetime) -> list[SurveyRound]:
    """Open rounds whose deadline and grace period have passed (per-assignment extensions keep a round
    open until the latest of them)."""
    due = []
    candidates = SurveyRound.objects.filter(state=RoundState.OPEN, deadline__lte=now).annotate(
        latest_override=Max("assignments__deadline_override")
    )
    for survey_round in candidates:
        latest = max(survey_round.deadline, survey_round.latest_override or survey_round.deadline)
        if latest + timedelta(hours=survey_round.grace_hours) <= now:
            due.append(survey_round)
    return due


def _answerable_until(deadline_override: datetime | None, survey_round: SurveyRound) -> datetime:
    return (deadline_override or survey_round.deadline) + timedelta(hours=survey_round.grace_hours)


def create_invitations(*, now: datetime, rounds: Iterable[SurveyRound] | None = None) -> int:
    """One invitation row per active contact of every not-submitted assignment of an open round that has
    none yet (a contact added while the round is open is invited by the next tick). The database finds the
    missing pairs, so a minute with nothing to do costs one query. Returns how many rows were created."""
    rounds = {
        r.pk: r for r in (rounds if rounds is not None else SurveyRound.objects.filter(state=RoundState.OPEN))
    }
    if not rounds:
        return 0
    invited = OutboundEmail.objects.filter(
        kind=OutboundEmail.Kind.INVITATION, assignment_id=OuterRef("pk"), contact_id=OuterRef("contact_pk")
    )
    missing = (
        Assignment.objects.filter(
            round__in=list(rounds), removed_at=None, organisation__contacts__is_active=True
        )
        .exclude(response__state=Response.State.SUBMITTED)
        .annotate(
            contact_pk=F("organisation__contacts__id"), contact_email=F("organisation__contacts__email")
        )
        .annotate(invited=Exists(invited))
        .filter(invited=False)
        .values_list("pk", "round_id", "deadline_override", "contact_pk", "contact_email")
    )
    rows = [
        outbox.invitation(assignment_id=a, round_id=r, contact_id=c, email=email, now=now)
        for a, r, override, c, email in missing
        if now < _answerable_until(override, rounds[r])
    ]
    return outbox.queue(rows)


def due_step(
    *, offsets: Iterable[int], deadline: datetime, invited_at: datetime, now: datetime
) -> int | None:
    """The latest reminder step whose time has come and that falls after the invitation, or None. Only
    the latest: after an outage the missed earlier steps are skipped, not sent in a burst."""
    due = [
        offset for offset in offsets if invited_at < reminder_time(deadline=deadline, offset=offset) <= now
    ]
    return max(due) if due else None


def create_reminders(*, now: datetime) -> int:
    """Reminder rows for contacts of assignments not submitted whose step is due. Works on plain tuples
    (one query for the invited pairs, one for the reminders already made); the unique key makes a step's
    reminder exist at most once, however many ticks see it due."""
    rounds = {r.pk: r for r in SurveyRound.objects.filter(state=RoundState.OPEN)}
    if not rounds:
        return 0
    invited = (
        OutboundEmail.objects.filter(
            round__in=list(rounds),
            kind=OutboundEmail.Kind.INVITATION,
            assignment__removed_at=None,
            contact__is_active=True,
        )
        .exclude(assignment__response__state=Response.State.SUBMITTED)
        .values_list(
            "assignment_id",
            "round_id",
            "assignment__deadline_override",
            "contact_id",
            "contact__email",
            "created_at",
        )
    )
    reminded = set(
        OutboundEmail.objects.filter(round__in=list(rounds), kind=OutboundEmail.Kind.REMINDER).values_list(
            "assignment_id", "contact_id", "step"
        )
    )
    rows = []
    for a, r, override, c, email, invited_at in invited:
        survey_round = rounds[r]
        if now >= _answerable_until(override, survey_round):
            continue
        deadline = override or survey_round.deadline
        step = due_step(
            offsets=survey_round.reminder_offsets, deadline=deadline, invited_at=invited_at, now=now
        )
        if step is not None and (a, c, step) not in reminded:
            reminded.add((a, c, step))  # a contact invited twice (a resent invitation) gets one reminder
            rows.append(
                outbox.reminder(assignment_id=a, round_id=r, contact_id=c, email=email, step=step, now=now)
            )
    return outbox.queue(rows)


def _final_index(survey_round: SurveyRound, *, now: datetime) -> None:
    """A closed index round gets its final results at once; the close stands whatever happens here."""

    try:
        compute_round_index(survey_round, now=now)
    except ScoringRefused:
        pass  # no scoring scheme: an activity report or another questionnaire without an index
    except Exception:
        logger.exception("index of round %s not computed at close", survey_round.pk)


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """Find what is due and do it: open, close (before reminding, so a round past its end after an outage
    gets no late reminder), invite, remind, and hand due e-mails to the workers. Returns counts."""
    now = now or timezone.now()
    health.record_heartbeat(kind=health.Kind.SCHEDULER, name=health.TICK, now=now)
    opened = sum(
        round_open(survey_round=r, now=now) for r in rounds_to_open(now=now).select_related("version")
    )
    closed = sum(round_close(survey_round=r, now=now) for r in rounds_to_close(now=now))
    invitations = create_invitations(now=now)
    reminders = create_reminders(now=now)
    dispatched = outbox.dispatch_due(now=now)
    exports_redispatched = export_jobs.redispatch_stalled(now=now)
    result = {
        "opened": opened,
        "closed": closed,
        "invitations": invitations,
        "reminders": reminders,
        "dispatched": dispatched,
        "exports_redispatched": exports_redispatched,
    }
    logger.info("tick processed at %s: %s", now.isoformat(timespec="seconds"), result)
    return result
