"""E-mail backends for tests: one that fails on purpose, one that is slow (set by EMAIL_BACKEND)."""

import os
import smtplib
import time

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(LocmemBackend):
    """Fails the next `failures` messages with `error`, then delivers to mail.outbox."""

    failures = 0
    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    calls = 0

    def send_messages(self, messages):
        FailingBackend.calls += 1
        if FailingBackend.failures > 0:
            FailingBackend.failures -= 1
            raise FailingBackend.error
        return super().send_messages(messages)


class SlowSMTPBackend:
    """Wraps Django's SMTP backend and sleeps SLOW_EMAIL_SECONDS before each message, so a test can kill
    a worker in the middle of a batch (before the server has the message)."""

    def __new__(cls, *args, **kwargs):
        from django.core.mail.backends.smtp import EmailBackend

        class Slow(EmailBackend):
            def send_messages(self, messages):
                time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0.2")))
                return super().send_messages(messages)

        return Slow(*args, **kwargs)
