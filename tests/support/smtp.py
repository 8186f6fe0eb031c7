"""A real SMTP server on loopback (aiosmtpd) that records what it accepted, for tests and benchmarks."""

import asyncio
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from .servers import free_port


class RecordingHandler:
    """Accepts every message and records its recipients. `rcpt_delay` slows each message down (before
    the server has it); when the `pause_at`-th recipient arrives, `paused` is set and that message waits
    `pause_seconds`, so a test can kill the sender at a known moment in the middle of a batch."""

    def __init__(self, rcpt_delay=0.0, pause_at=None, pause_seconds=3.0):
        self.rcpt_delay = rcpt_delay
        self.pause_at = pause_at
        self.pause_seconds = pause_seconds
        self.paused = threading.Event()
        self.rcpts = 0
        self.accepted = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpts += 1
            number = self.rcpts
        if self.pause_at is not None and number == self.pause_at:
            self.paused.set()
            await asyncio.sleep(self.pause_seconds)
        elif self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def per_recipient(self):
        with self.lock:
            return Counter(self.accepted)


class SMTPServer:
    def __init__(self, handler):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
