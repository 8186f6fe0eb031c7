"""Respondents' magic links: 256-bit random tokens, of which only the sha256 is stored."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import AccessToken, Assignment, Contact, SurveyRound, User
from .audit import audit_record, audit_target


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(*, assignment: Assignment, contact: Contact, now: datetime | None = None) -> str:
    """Create a new link for one contact and assignment; returns the raw token (never stored)."""
    raw = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        assignment=assignment, contact=contact, token_hash=hash_token(raw), created_at=now or timezone.now()
    )
    return raw


def issue_tokens(pairs: list[tuple[int, int]], *, now: datetime | None = None) -> list[str]:
    """issue_token for many (assignment, contact) pairs in one INSERT; returns the raw tokens in order."""
    now = now or timezone.now()
    raws = [secrets.token_urlsafe(32) for _ in pairs]
    AccessToken.objects.bulk_create(
        [
            AccessToken(assignment=a, contact=c, token_hash=hash_token(raw), created_at=now)
            for (a, c), raw in zip(pairs, raws, strict=True)
        ]
    )
    return raws


def link_for(raw: str) -> str:
    return settings.SITE_URL + reverse("surveys:magic-link", kwargs={"token": raw})


def revoke_tokens(
    *, assignment: Assignment, contact: Contact | None = None, now: datetime | None = None
) -> int:
    tokens = AccessToken.objects.filter(assignment=assignment, revoked_at=None)
    if contact is not None:
        tokens = tokens.filter(contact=contact)
    return tokens.update(revoked_at=now or timezone.now())


def reissue_link(
    *, assignment: Assignment, contact: Contact, now: datetime | None = None, actor: User | None = None
) -> tuple[AccessToken, str]:
    """A new personal link for a contact of the assignment's organisation; the contact's earlier links to
    the same assignment stop working. Returns (the new token, the raw link token, shown only once).
    ValidationError (Swedish) for a contact of another organisation, an inactive contact or a removed
    assignment."""
    if contact.organisation_id != assignment.organisation_id:
        raise ValidationError("Kontaktpersonen hör inte till uppdragets organisation.")
    if not contact.is_active:
        raise ValidationError("Kontaktpersonen är inte aktiv.")
    if assignment.removed_at is not None:
        raise ValidationError("Uppdraget är borttaget ur omgången.")
    now = now or timezone.now()
    with transaction.atomic():
        revoke_tokens(assignment=assignment, contact=contact, now=now)
        raw = issue_token(assignment=assignment, contact=contact, now=now)
        audit_record(
            actor=actor,
            action="assignment.reissue_link",
            round=assignment.round,
            target=audit_target(assignment.round, assignment.organisation.name, f"kontakt {contact.pk}"),
            detail={"message": "Gav kontaktpersonen en ny personlig länk; tidigare länkar slutar fungera."},
            now=now,
        )
    token = AccessToken.objects.get(token_hash=hash_token(raw))
    return token, raw


def revoke_link(*, token: AccessToken, now: datetime | None = None, actor: User | None = None) -> AccessToken:
    """Stop one personal link at once (a second revoke keeps the first time and records nothing)."""
    with transaction.atomic():
        revoked = AccessToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=now or timezone.now()
        )
        if revoked:
            survey_round = token.assignment.round
            audit_record(
                actor=actor,
                action="assignment.revoke_link",
                round=survey_round,
                target=audit_target(
                    survey_round, token.assignment.organisation.name, f"kontakt {token.contact_id}"
                ),
                detail={"message": "Återkallade en personlig länk."},
            )
    token.refresh_from_db()
    return token


def revoke_hashes(hashes: list[str], *, now: datetime | None = None) -> int:
    """Revoke links by their hash (links issued for a message that was never delivered)."""
    if not hashes:
        return 0
    return AccessToken.objects.filter(token_hash__in=hashes, revoked_at=None).update(
        revoked_at=now or timezone.now()
    )


def link_expires_at(assignment: Assignment) -> datetime:
    """A link works until the round's (or the assignment's) deadline plus the round's grace period plus
    the site's link grace, and never once the round is published or back in draft."""
    survey_round = assignment.round
    return assignment.deadline + timedelta(
        hours=survey_round.grace_hours, days=settings.MAGIC_LINK_GRACE_DAYS
    )


class TokenRefused(Exception):
    """Why a link cannot be used, in words for the respondent."""

    def __init__(self, reason: str, token: AccessToken | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.token = token


def resolve_token(raw: str, *, now: datetime | None = None) -> AccessToken:
    """The AccessToken for a raw token, or TokenRefused(reason) with reason in
    {"unknown", "erased", "revoked", "expired", "not_open"}."""
    now = now or timezone.now()
    if not raw or len(raw) > 100:
        raise TokenRefused("unknown")
    digest = hash_token(raw)
    token = (
        AccessToken.objects.select_related("assignment__round", "assignment__organisation", "contact")
        .filter(token_hash=digest)
        .first()
    )
    # The lookup is by hash; compare once more in constant time so no timing tells how close a guess was.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenRefused("unknown")
    check_token(token, now=now)
    return token


def check_token(token: AccessToken, *, now: datetime | None = None) -> AccessToken:
    """TokenRefused unless the link still works: the one rule for opening a link and for every page and
    API call of the session it opened (a link that ends mid-session ends the session's access too)."""
    now = now or timezone.now()
    if token.contact.erased_at is not None:  # the person's data were removed: the link is gone for good
        raise TokenRefused("erased")
    if token.revoked_at is not None or token.assignment.removed_at is not None or not token.contact.is_active:
        raise TokenRefused("revoked", token)
    state = token.assignment.round.state
    if state in (SurveyRound.State.DRAFT, SurveyRound.State.SCHEDULED):
        raise TokenRefused("not_open", token)
    if now > link_expires_at(token.assignment):
        raise TokenRefused("expired", token)
    return token
