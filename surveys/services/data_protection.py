"""Personal data of contacts: erasure on request, anonymisation after the retention period, and pruning
of addresses and texts from the outbox.

The answers an official gave on behalf of an organisation are public records (allmänna handlingar) and
stay: answers, revisions, receipts and index results are never touched. What goes is the person: the
contact's name, e-mail and phone are replaced by a neutral label, their links stop working, their
sessions end, and the outbox rows addressed to them lose address and text. Every erasure is recorded in
the audit trail (who, what, when) without repeating the data that was removed."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from ..models import AccessToken, Assignment, Contact, OutboundEmail, SurveyRound, User
from .audit import audit_record
from .respondent_access import SESSION_LINKS

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status


def erased_label(when: datetime) -> str:
    return f"Kontakt borttagen {timezone.localdate(when):%Y-%m-%d}"


def erased_email(contact_id: int) -> str:
    # Unique per contact (the e-mail is unique per organisation) and never deliverable (.invalid).
    return f"borttagen-{contact_id}@kontakt.invalid"


class AlreadyErased(Exception):
    """The contact's personal data were removed before."""


def end_respondent_sessions(*, token_ids: set[int]) -> int:
    """Delete the sessions that opened one of these links. Only database-backed sessions can be found;
    with other engines the sessions lose their access anyway (every page checks the link and the contact)."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not token_ids or not issubclass(store, DatabaseStore):  # cached_db and backend.sessions are
        return 0
    ended = 0
    for key, data in (
        Session.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator(chunk_size=500)
    ):
        links = store().decode(data).get(SESSION_LINKS) or {}
        if token_ids & {int(v) for v in links.values() if str(v).isdigit()}:
            store(session_key=key).delete()
            ended += 1
    return ended


def _erase(contact: Contact, *, now: datetime) -> tuple[dict[str, Any], set[int]]:
    """The database part of one erasure (inside the caller's transaction). Returns (counts, token ids)."""
    token_ids = set(AccessToken.objects.filter(contact=contact).values_list("pk", flat=True))
    revoked = AccessToken.objects.filter(contact=contact, revoked_at=None).update(revoked_at=now)
    emails = OutboundEmail.objects.filter(contact=contact)
    cancelled = emails.filter(status__in=[Status.PENDING, Status.SENDING]).update(status=Status.CANCELLED)
    pruned = emails.update(to_email="", body="", last_error="")
    label = erased_label(now)
    # Receipts to colleagues name the person who submitted: the name gives way to the label there too.
    if contact.name:
        OutboundEmail.objects.filter(
            assignment__organisation_id=contact.organisation_id, body__contains=contact.name
        ).update(body=Replace(F("body"), Value(contact.name), Value(label)))
    Contact.objects.filter(pk=contact.pk).update(
        name=label,
        email=erased_email(contact.pk),
        phone="",
        is_active=False,
        erased_at=now,
    )
    counts = {"links_revoked": revoked, "emails_cancelled": cancelled, "emails_pruned": pruned}
    return counts, token_ids


def contact_erase(
    *, contact: Contact, actor: User | None, reason: str = "request", now: datetime | None = None
) -> dict[str, Any]:
    """Remove one contact's personal data; the organisation's answers stay. Raises AlreadyErased."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Contact.objects.select_for_update().select_related("organisation").get(pk=contact.pk)
        if locked.erased_at is not None:
            raise AlreadyErased(
                f"Kontaktens personuppgifter togs bort {timezone.localdate(locked.erased_at)}."
            )
        counts, token_ids = _erase(locked, now=now)
        audit_record(
            actor=actor,
            action="contact.erase",
            target=f"Kontakt {locked.pk} på {locked.organisation.name}",
            detail={"contact": locked.pk, "organisation": locked.organisation_id, "reason": reason, **counts},
            now=now,
        )
    counts["sessions_ended"] = end_respondent_sessions(token_ids=token_ids)
    contact.refresh_from_db()
    return counts


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def contacts_past_retention(*, now: datetime) -> QuerySet[Contact]:
    """Contacts whose organisation was in a round published more than CONTACT_RETENTION_MONTHS ago, and
    in no round since: none unpublished (draft, scheduled, open, closed) and none published later. A
    contact added after that time is kept (it was added for a coming round)."""
    cutoff = _months_before(now, settings.CONTACT_RETENTION_MONTHS)
    published = SurveyRound.State.PUBLISHED
    of_organisation = Assignment.objects.filter(organisation=OuterRef("organisation"), removed_at=None)
    return (
        Contact.objects.filter(erased_at=None, created_at__lt=cutoff)
        .filter(Exists(of_organisation.filter(round__state=published, round__published_at__lt=cutoff)))
        .exclude(Exists(of_organisation.filter(~Q(round__state=published))))
        .exclude(Exists(of_organisation.filter(round__state=published, round__published_at__gte=cutoff)))
    )


def outbox_prune(*, now: datetime) -> int:
    """Finished outbox rows older than OUTBOX_RETENTION_DAYS lose their address, text and error (which
    can quote the address); the row stays as the record that a message of that kind went out."""
    cutoff = now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    old = OutboundEmail.objects.filter(
        created_at__lt=cutoff, status__in=[Status.SENT, Status.FAILED, Status.CANCELLED]
    )
    # A digest's key names its address: give those rows a key without it.
    for pk, key in old.filter(key__contains="@").values_list("pk", "key"):
        OutboundEmail.objects.filter(pk=pk).update(key=f"{key.split(':', 1)[0]}:pruned:{pk}")
    return old.filter(~Q(to_email="") | ~Q(body="") | ~Q(last_error="")).update(
        to_email="", body="", last_error=""
    )


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's daily step: anonymise contacts past retention, prune old outbox rows."""
    now = now or timezone.now()
    erased, token_ids = 0, set()
    for contact in contacts_past_retention(now=now).select_related("organisation"):
        with transaction.atomic():
            if not Contact.objects.select_for_update().filter(pk=contact.pk, erased_at=None).exists():
                continue
            counts, tokens = _erase(contact, now=now)
            audit_record(
                actor=None,
                action="contact.erase",
                target=f"Kontakt {contact.pk} på {contact.organisation.name}",
                detail={
                    "contact": contact.pk,
                    "organisation": contact.organisation_id,
                    "reason": "retention",
                    **counts,
                },
                now=now,
            )
        token_ids |= tokens
        erased += 1
    result = {
        "contacts_erased": erased,
        "sessions_ended": end_respondent_sessions(token_ids=token_ids),
        "emails_pruned": outbox_prune(now=now),
    }
    logger.info("retention applied at %s: %s", now.isoformat(timespec="seconds"), result)
    return result
