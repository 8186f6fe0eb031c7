"""Serializer fields the whole API shares."""

from rest_framework import serializers


class IdField(serializers.PrimaryKeyRelatedField):
    """A related row's id: a whole number (or its digits as text), never 1.5 or true. Django would read
    1.5 as 1 and true as 1 when it looks the row up, so the wrong row could be named."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "not_an_id": "Ange ett id (ett heltal).",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.strip().isdigit())
        ):
            self.fail("not_an_id")
        return super().to_internal_value(data)
