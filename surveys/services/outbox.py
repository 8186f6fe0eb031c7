"""The outbox: every e-mail is first a row with a unique key; workers claim rows and send them.

Delivery is **at least once, with the duplicate window made as small as SMTP allows**. A send task claims
its batch with one conditional UPDATE (pending → sending, `claimed_at` as a lease, renewed on long
batches) and marks each row sent the moment the SMTP server has accepted that message. A worker killed
before the server accepted a message leaves its rows `sending`; once the lease runs out the tick hands them
to a worker again, so nothing is lost. The only way to get a duplicate is a kill in the instant between
the server's "250 OK" and our UPDATE — SMTP has no two-phase commit, so that window cannot be closed, only
narrowed; the Message-ID is derived from the row's key so mail clients can fold such a rare duplicate.
At most once would instead lose an e-mail on every such kill, and a lost invitation is worse than a
repeated one.

Time lives in the database: `next_attempt_at` says when a pending row may go (backoff after a transient
failure); the tick's `dispatch_due` enqueues what is due. A queued task is only a hint."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ..models import Assignment, Contact, OutboundEmail, Response, SurveyRound, User
from ..questiontypes import is_answered
from ..selectors import questions_for_assignment, round_progress
from ..text import single_line
from ..visibility import visible_questions
from . import background, email_templates, tokens
from .audit import audit_record

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
Kind = OutboundEmail.Kind


# --------------------------------------------------------------------------------------------------
# Creating rows (idempotent by key)
# --------------------------------------------------------------------------------------------------


def email_row(
    kind: str,
    *,
    key: str,
    email: str,
    now: datetime,
    contact_id: int | None = None,
    assignment_id: int | None = None,
    round_id: int | None = None,
    step: int | None = None,
    subject: str = "",
    body: str = "",
) -> OutboundEmail:
    """One unsaved outbox row, due at once (`queue` inserts it unless its key exists). Invitations and
    reminders leave subject and body empty: they are written when sent, with the personal link."""
    return OutboundEmail(
        key=key,
        kind=kind,
        to_email=email,
        contact_id=contact_id,
        assignment_id=assignment_id,
        round_id=round_id,
        step=step,
        subject=subject,
        body=body,
        created_at=now,
        next_attempt_at=now,
    )


def invitation(
    *, assignment_id: int, round_id: int, contact_id: int, email: str, now: datetime
) -> OutboundEmail:
    return email_row(
        Kind.INVITATION,
        key=f"invite:{assignment_id}:{contact_id}",
        email=email,
        now=now,
        contact_id=contact_id,
        assignment_id=assignment_id,
        round_id=round_id,
    )


def reminder(
    *, assignment_id: int, round_id: int, contact_id: int, email: str, step: int | None, now: datetime
) -> OutboundEmail:
    return email_row(
        Kind.REMINDER,
        key=f"remind:{assignment_id}:{contact_id}:{step}",
        email=email,
        now=now,
        contact_id=contact_id,
        assignment_id=assignment_id,
        round_id=round_id,
        step=step,
    )


def queue(rows: list[OutboundEmail]) -> int:
    """Insert rows whose key is new; rows whose key exists are left as they are. Returns how many of
    them are now in the table that were not before."""
    if not rows:
        return 0
    created = 0
    for start in range(0, len(rows), 2000):  # bounded IN lists (SQLite limits parameters)
        chunk = rows[start : start + 2000]
        keys = [r.key for r in chunk]
        before = OutboundEmail.objects.filter(key__in=keys).count()
        OutboundEmail.objects.bulk_create(chunk, ignore_conflicts=True, batch_size=500)
        created += OutboundEmail.objects.filter(key__in=keys).count() - before
    return created


def signature(survey_round: SurveyRound | None) -> str:
    """The closing of every e-mail of a round: the named coordinator (whom a reply reaches) and where the
    personal-data notice is."""
    c = survey_round.coordinator_contact() if survey_round is not None else None
    lines = ["Med vänliga hälsningar"]
    if c:
        lines += [c["name"] or "Samordnaren", ", ".join(v for v in (c["title"], c["organisation"]) if v)]
        if c["phone"]:
            lines.append(f"Telefon: {c['phone']}")
        if c["email"]:
            lines.append(f"E-post: {c['email']}")
    else:
        lines.append(settings.ORGANISATION_NAME)
    lines = [line for line in lines if line]
    lines += [
        "",
        "Har du frågor? Svara på det här meddelandet så når du samordnaren.",
        f"Så behandlar vi personuppgifter: {settings.SITE_URL}{reverse('surveys:privacy')}",
    ]
    return "\n".join(lines) + "\n"


def signed(body: str, survey_round: SurveyRound | None) -> str:
    return body.rstrip("\n") + "\n\n" + signature(survey_round)


def receipt_url(assignment: Assignment) -> str:
    return settings.SITE_URL + reverse("surveys:receipt", kwargs={"assignment_id": assignment.pk})


def receipt_text(*, response: Response, now: datetime | None = None) -> tuple[str, str]:
    """(subject, body) of a receipt, from the round and response as they are now: rendered again when
    the row is sent, so a round name fixed after a failure fixes the retry too."""
    assignment = response.assignment
    survey_round = assignment.round
    submitted = timezone.localtime(response.submitted_at or now or timezone.now()).strftime("%Y-%m-%d %H:%M")
    subject = f"Kvitto: {survey_round.name} {survey_round.year} är inskickad"
    body = (
        f"Hej!\n\nSvaret från {assignment.organisation.name} på enkäten {survey_round.name} "
        f"{survey_round.year} skickades in {submitted}.\n"
        + (f"Inskickat av: {response.submitted_by.name}\n" if response.submitted_by_id else "")
        + f"\nKvittot med alla svar finns här (öppna först enkäten med er personliga länk):\n"
        f"{receipt_url(assignment)}\n"
        + "\nTack för ert svar!\n"
    )
    return subject, body


def digest_subject(survey_round: SurveyRound) -> str:
    return f"Sammanställning: {survey_round.name} {survey_round.year}"


def queue_receipt(*, response: Response, now: datetime | None = None) -> int:
    """A receipt to every active contact of the organisation for this submission (numbered by the
    response's version, so a resubmission after reopening gets its own receipt)."""
    now = now or timezone.now()
    assignment = response.assignment
    survey_round = assignment.round
    subject, body = receipt_text(response=response, now=now)
    rows = [
        email_row(
            Kind.RECEIPT,
            key=f"receipt:{response.pk}:{response.version}:{contact.pk}",
            email=contact.email,
            now=now,
            contact_id=contact.pk,
            assignment_id=assignment.pk,
            round_id=survey_round.pk,
            subject=subject,
            body=body,
        )
        for contact in Contact.objects.filter(organisation_id=assignment.organisation_id, is_active=True)
    ]
    return queue(rows)


def send_receipt(*, response: Response) -> None:
    """After a submission (surveys.events): queue the receipts and hand them to a worker at once."""
    now = timezone.now()
    queue_receipt(response=response, now=now)
    dispatch_due(now=now)


def digest_text(survey_round: SurveyRound) -> str:
    """The coordinator's summary of a round: how many answered, and who did not."""
    progress = round_progress(survey_round)
    missing = list(
        survey_round.assignments.filter(removed_at=None)
        .exclude(response__state=Response.State.SUBMITTED)
        .values_list("organisation__name", flat=True)
        .order_by("organisation__name")
    )
    failed = survey_round.emails.filter(status=Status.FAILED).count()
    lines = [
        f"Sammanställning av {survey_round.name} {survey_round.year} ({survey_round.get_state_display().lower()})",
        "",
        f"Mottagare: {progress['total']}",
        f"Inskickade: {progress['submitted']} ({progress['response_rate']:.0%})",
        f"Påbörjade men inte inskickade: {progress['in_progress'] + progress['reopened']}",
        f"Inte öppnade: {progress['not_opened']}",
        f"E-post som inte kunde levereras: {failed}",
    ]
    if missing:
        lines += ["", "Har inte skickat in:"] + [f"- {name}" for name in missing]
    return "\n".join(lines) + "\n"


def queue_digest(*, survey_round: SurveyRound, now: datetime) -> int:
    emails = [e.strip() for e in survey_round.digest_to.split(",") if e.strip()]
    if not emails:
        return 0
    body = digest_text(survey_round)
    subject = digest_subject(survey_round)
    rows = [
        email_row(
            Kind.DIGEST,
            key=f"digest:{survey_round.pk}:{email.lower()}",
            email=email,
            now=now,
            round_id=survey_round.pk,
            subject=subject,
            body=body,
        )
        for email in emails
    ]
    return queue(rows)


def queue_results_published(*, survey_round: SurveyRound, now: datetime) -> int:
    """When a round is published: one e-mail per active contact of each organisation that took part,
    with the way to its results page (/enkat/resultat/); the coordinator's signature is added when sent."""
    link = settings.SITE_URL + reverse("surveys:results")
    subject = f"Resultat: {survey_round.name} {survey_round.year} är publicerad"
    rows = []
    assignments = survey_round.assignments.filter(removed_at=None).select_related("organisation")
    contacts = {}
    for contact in Contact.objects.filter(
        organisation_id__in=[a.organisation_id for a in assignments], is_active=True
    ):
        contacts.setdefault(contact.organisation_id, []).append(contact)
    for assignment in assignments:
        body = (
            f"Hej!\n\nResultaten av {survey_round.name} {survey_round.year} är publicerade. "
            f"{assignment.organisation.name}s index, jämfört med stadens medelvärde och tidigare år, "
            f"finns på resultatsidan:\n{link}\n\n"
            "Sidan öppnas i den webbläsare där ni svarade på enkäten (med er personliga länk).\n"
        )
        rows += [
            email_row(
                Kind.RESULTS,
                key=f"results:{assignment.pk}:{contact.pk}",
                email=contact.email,
                now=now,
                contact_id=contact.pk,
                assignment_id=assignment.pk,
                round_id=survey_round.pk,
                subject=subject,
                body=body,
            )
            for contact in contacts.get(assignment.organisation_id, [])
        ]
    return queue(rows)


# --------------------------------------------------------------------------------------------------
# Handing due rows to workers
# --------------------------------------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def dispatch_due(*, now: datetime, limit: int | None = None) -> int:
    """Enqueue send tasks (batches of OUTBOX_BATCH_SIZE ids) for every row that is due: pending rows
    whose time has come, and rows whose sender's lease ran out (a killed worker). Each dispatched row's
    next_attempt_at moves OUTBOX_REDISPATCH_SECONDS ahead, so a slow queue is not flooded with copies
    of the same ids by every tick; a task lost with the broker is re-dispatched after that time."""
    OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=now - _lease()).update(
        status=Status.PENDING, next_attempt_at=now
    )
    due = OutboundEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    ids = list(due.values_list("id", flat=True)[: limit or settings.OUTBOX_DISPATCH_LIMIT])
    if not ids:
        return 0
    redispatch_at = now + timedelta(seconds=settings.OUTBOX_REDISPATCH_SECONDS)
    for start in range(0, len(ids), 2000):
        OutboundEmail.objects.filter(pk__in=ids[start : start + 2000], status=Status.PENDING).update(
            next_attempt_at=redispatch_at
        )
    size = settings.OUTBOX_BATCH_SIZE
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]

    def due_again(batch: list[int]) -> None:
        # Rows the broker did not take are due again at once, so the first tick after the broker is back
        # sends them (not OUTBOX_REDISPATCH_SECONDS later).
        OutboundEmail.objects.filter(
            pk__in=batch, status=Status.PENDING, next_attempt_at=redispatch_at
        ).update(next_attempt_at=now)

    for batch in batches:
        background.enqueue(
            background.SEND_EMAILS, ids=batch, on_unavailable=lambda batch=batch: due_again(batch)
        )
    return len(ids)


# --------------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------------


class PermanentFailure(Exception):
    """The message can never be sent as it is (a rejected address, a row that no longer applies)."""


def backoff(attempts: int) -> int:
    """Seconds to wait after the n-th failed attempt: 1, 4, 16, 64 minutes … at most 6 hours."""
    return min(settings.OUTBOX_BACKOFF_SECONDS * 4 ** max(attempts - 1, 0), 6 * 3600)


def is_permanent(error: BaseException) -> bool:
    if isinstance(error, PermanentFailure | ValueError | UnicodeError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


SELECTED = (
    "assignment__round__created_by",
    "assignment__organisation",
    "assignment__response__submitted_by",
    "contact",
    "round__created_by",
)


def claim(ids: list[int]) -> tuple[list[OutboundEmail], datetime]:
    """Take these rows for sending with one conditional UPDATE; returns the rows this caller won, in the
    order given. Rows another worker holds, or that are done, are left alone; a claim older than the
    lease (its worker was killed) is taken over. The claim time identifies this caller's rows."""
    now = timezone.now()
    OutboundEmail.objects.filter(pk__in=ids).filter(
        Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=now - _lease())
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    won = OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=now).select_related(
        *SELECTED
    )
    by_id = {row.pk: row for row in won}
    return [by_id[pk] for pk in ids if pk in by_id], now


def _renew(rows: list[OutboundEmail], claimed_at: datetime) -> tuple[list[OutboundEmail], datetime]:
    """Extend the lease of rows still waiting in a long batch; returns those still ours."""
    now = timezone.now()
    ids = [r.pk for r in rows]
    OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=claimed_at).update(
        claimed_at=now
    )
    ours = set(OutboundEmail.objects.filter(pk__in=ids, claimed_at=now).values_list("pk", flat=True))
    return [r for r in rows if r.pk in ours], now


def _response_status(assignment: Assignment) -> str:
    response = getattr(assignment, "response", None)
    if response is None or (response.state == Response.State.DRAFT and response.version == 0):
        return "not_started"
    return response.state


def _required_left(assignment: Assignment) -> int:
    """How many required questions the organisation still sees unanswered (hidden ones never count)."""
    questions = list(questions_for_assignment(assignment))
    values = dict(assignment.response.answers.values_list("question_id", "value"))
    return sum(
        1 for q in visible_questions(questions, values) if q.required and not is_answered(values.get(q.pk))
    )


def _check_still_applies(row: OutboundEmail) -> None:
    """Invitations and reminders that no longer apply (submitted, removed, round no longer open) are
    cancelled rather than sent."""
    assignment = row.assignment
    if assignment is None or row.contact is None or not row.contact.is_active:
        raise PermanentFailure("Kontaktpersonen finns inte längre.")
    if assignment.removed_at is not None or assignment.round.state != SurveyRound.State.OPEN:
        raise PermanentFailure("Omgången är inte öppen för organisationen.")
    if row.kind == Kind.REMINDER and _response_status(assignment) == Response.State.SUBMITTED:
        raise PermanentFailure("Svaret är redan inskickat.")


def build_message(row: OutboundEmail, raw: str | None = None) -> tuple[EmailMessage, str]:
    """(message, subject) for a row. Invitations and reminders carry the personal link whose raw token
    `raw` was issued for this sending: it exists only in this message, the database keeps its hash."""
    subject, body = row.subject, row.body
    if row.kind == Kind.RECEIPT and row.assignment is not None and hasattr(row.assignment, "response"):
        subject, body = receipt_text(response=row.assignment.response)
    elif row.kind == Kind.DIGEST and row.round_id:
        subject = digest_subject(row.round)
    elif row.kind in (Kind.INVITATION, Kind.REMINDER):
        assignment = row.assignment
        status = _response_status(assignment)
        subject, body = email_templates.render(
            row.kind,
            survey_round=assignment.round,
            assignment=assignment,
            link=tokens.link_for(raw),
            status=status,
            remaining=_required_left(assignment)
            if row.kind == Kind.REMINDER and status != "not_started"
            else None,
        )
    # A header is one line whatever was stored before line breaks were refused at input.
    subject = single_line(subject)
    survey_round = row.assignment.round if row.assignment_id else row.round
    body = signed(body, survey_round)
    coordinator = survey_round.coordinator_contact() if survey_round is not None else {}
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "arsrunda.localhost"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        reply_to=[coordinator["email"]] if coordinator.get("email") else None,
        headers={
            "Message-ID": f"<{row.key.replace(':', '.')}.{row.pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    return message, subject


def _record_failure(row: OutboundEmail, error: BaseException, raw: str | None) -> str:
    if raw:
        tokens.revoke_hashes([tokens.hash_token(raw)])  # the link was never delivered: it must not work
    text = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, PermanentFailure) and row.kind in (Kind.INVITATION, Kind.REMINDER):
        status, when = Status.CANCELLED, timezone.now()
    elif is_permanent(error) or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status, when = Status.FAILED, timezone.now()
    else:
        status, when = Status.PENDING, timezone.now() + timedelta(seconds=backoff(row.attempts))
    OutboundEmail.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=status, last_error=text, next_attempt_at=when, claimed_at=None
    )
    logger.warning("e-mail %s not sent (attempt %s, now %s): %s", row.key, row.attempts, status, text)
    return status


def _issue_links(rows: Iterable[OutboundEmail]) -> dict[int, str]:
    """{row id: raw token} for the rows that carry a personal link, issued in one INSERT."""
    linked = []
    for row in rows:
        if row.kind in (Kind.INVITATION, Kind.REMINDER):
            try:
                _check_still_applies(row)
            except PermanentFailure as error:
                row.not_applicable = error
                continue
            linked.append(row)
    raws = tokens.issue_tokens([(row.assignment, row.contact) for row in linked])
    return {row.pk: raw for row, raw in zip(linked, raws, strict=True)}


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection is replaced by the next open()
        pass


def _mark_sent(pk: int, subject: str) -> None:
    """The hot path of a batch, one statement per message right after the server accepted it (plain SQL:
    the ORM's query building cost more than the UPDATE itself)."""
    connection = connection_for_outbox()
    table = connection.ops.quote_name(OutboundEmail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, subject = %s, last_error = '', claimed_at = NULL "
            "WHERE id = %s",
            [Status.SENT, connection.ops.adapt_datetimefield_value(timezone.now()), subject[:300], pk],
        )


def connection_for_outbox() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(OutboundEmail)]


def is_connection_failure(error: BaseException) -> bool:
    """The server cannot be reached or dropped us: the rest of the batch would fail the same way."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _release(rows: list[OutboundEmail], claimed_at: datetime, raws: dict[int, str]) -> int:
    """Give back rows of a batch that were claimed but never tried (their attempt does not count)."""
    ids = [r.pk for r in rows]
    tokens.revoke_hashes([tokens.hash_token(raws[pk]) for pk in ids if pk in raws])
    return OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=claimed_at).update(
        status=Status.PENDING,
        claimed_at=None,
        attempts=F("attempts") - 1,
        next_attempt_at=timezone.now() + timedelta(seconds=backoff(1)),
    )


def send_emails(ids: Iterable[int]) -> dict[str, int]:
    """Send these rows over one connection, marking each sent the moment the server has accepted it.
    Returns {"sent": n, "failed": n, "retry": n, "skipped": n}."""
    rows, claimed_at = claim(list(ids))
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": len(ids) - len(rows)}
    raws = _issue_links(rows)
    connection = get_connection()
    renew_after = settings.OUTBOX_LEASE_SECONDS / 2
    ours = None  # None: every claimed row is still ours
    try:
        for index, row in enumerate(rows):
            if (timezone.now() - claimed_at).total_seconds() > renew_after:
                still_ours, claimed_at = _renew(rows[index:], claimed_at)
                ours = {r.pk for r in still_ours}
            if ours is not None and row.pk not in ours:
                counts["skipped"] += 1
                continue
            raw = raws.get(row.pk)
            try:
                if getattr(row, "not_applicable", None):
                    raise row.not_applicable
                message, subject = build_message(row, raw)
                connection.open()  # kept open for the whole batch; reopened after an error
                connection.send_messages([message])
            except Exception as error:  # errors are data on the row, not exceptions lost in a log
                status = _record_failure(row, error, raw)
                counts["retry" if status == Status.PENDING else "failed"] += 1
                _close_quietly(connection)
                if is_connection_failure(error):
                    rest = [r for r in rows[index + 1 :] if ours is None or r.pk in ours]
                    counts["retry"] += _release(rest, claimed_at, raws)
                    break
                continue
            _mark_sent(row.pk, subject)
            counts["sent"] += 1
    finally:
        _close_quietly(connection)
    return counts


def mark_sent_when_queued(*, survey_round: SurveyRound) -> int:
    """Record the round's pending e-mails as sent at the time each was queued, as the workers did then:
    for a round's history loaded after the fact (the demo's earlier rounds), never for live mail. The
    rows stay what the services queued; only nothing is sent now. Returns how many rows."""
    return OutboundEmail.objects.filter(round=survey_round, status=Status.PENDING).update(
        status=Status.SENT, sent_at=F("created_at"), attempts=1, claimed_at=None
    )


def retry(*, row: OutboundEmail, now: datetime, actor: User | None = None) -> None:
    """A coordinator sends a failed e-mail again (e.g. after the address was corrected)."""
    if row.status not in (Status.FAILED, Status.CANCELLED):
        raise ValidationError(
            {"status": ["Bara ett misslyckat eller avbrutet e-postmeddelande kan skickas igen."]}
        )
    if row.contact_id and row.contact.email != row.to_email:
        row.to_email = row.contact.email
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, to_email=row.to_email
    )
    audit_record(
        actor=actor,
        action="email.retry",
        round=row.round,
        target=f"E-postmeddelande {row.pk} ({row.get_kind_display().lower()})",
        detail={"message": "Skickade ett e-postmeddelande igen.", "email": row.pk},
        now=now,
    )
    dispatch_due(now=now)


def example_link() -> str:
    return tokens.link_for("EXEMPEL-PERSONLIG-LANK")
