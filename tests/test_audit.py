"""The audit trail records who did what, and keeps the name when the user is gone."""

import pytest

from surveys.models import AuditEvent
from surveys.services.audit import audit_record
from tests.factories import UserFactory


@pytest.mark.django_db
def test_audit_record_keeps_who_did_it_after_the_user_is_deleted():
    user = UserFactory(role="coordinator", username="anna", first_name="Anna", last_name="Berg")
    audit_record(actor=user, action="round.open", target="Preventionsindex 2026", detail={"x": 1})
    user.delete()
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_label == "Anna Berg"
    assert (event.action, event.target, event.detail) == ("round.open", "Preventionsindex 2026", {"x": 1})


@pytest.mark.django_db
def test_audit_record_without_a_user_is_the_system():
    event = audit_record(actor=None, action="retention.anonymise", target="3 kontakter")
    assert event.actor_label == "systemet"
