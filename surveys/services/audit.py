"""The audit trail: one call records who did what to which round or object, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from ..models import AuditEvent, SurveyRound, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    round: SurveyRound | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Record one action. `action` is a short stable code ("round.open", "contact.erase", ...); `target`
    names the object for a person reading the log; `detail` holds what changed."""
    label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor.get_full_name() or actor.get_username()
    return AuditEvent.objects.create(
        created_at=now or timezone.now(),
        actor=actor if label else None,
        actor_label=label or "systemet",
        action=action,
        round=round,
        target=target[:300],
        detail=detail or {},
    )


def audit_target(survey_round: SurveyRound | None, *parts: Any) -> str:
    """How an event names what it concerns, the same from every entry point: its parts (organisation,
    contact, new deadline) joined by " · ", or else the round's name and year. A contact is named by
    its id ("kontakt 12"), never by name or address: the trail outlives an erased contact's data."""
    named = [str(part) for part in parts if part]
    if named or survey_round is None:
        return " · ".join(named)
    return f"{survey_round.name} {survey_round.year}"


def audit_when(moment: datetime) -> str:
    """A moment as the audit trail shows it: "2026-12-02 kl. 23.59" (local time)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d kl. %H.%M")
