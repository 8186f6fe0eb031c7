"""The seam between services and background workers: a service asks for work by name and ids; the
workers package says which Celery task does it. Services never import tasks, and this module imports no
worker code, so neither side needs an import hidden in a function.

Work is handed over when the surrounding transaction commits (at once outside one), so a worker never
looks for a row that is not committed yet. A broker that cannot be reached is logged, never raised: the
database still says what is due, and the tick hands the work out again (outbox rows, export jobs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Names services may ask for; workers/tasks.py provides one task for each.
SEND_EMAILS = "send_emails"
BUILD_EXPORT = "build_export"
COMPUTE_ROUND_INDEX = "compute_round_index"

_RUNNERS: dict[str, Callable[..., Any]] = {}


class BackgroundUnavailable(Exception):
    """The work could not be handed to the workers now (the broker is unreachable)."""


def provide(task_name: str, runner: Callable[..., Any]) -> None:
    """Say what runs `task_name` (workers: the task's `delay`)."""
    _RUNNERS[task_name] = runner


def _runner(task_name: str) -> Callable[..., Any]:
    try:
        return _RUNNERS[task_name]
    except KeyError:
        raise LookupError(f"No background task provides {task_name!r}; is the workers app installed?") from None


def enqueue(task_name: str, *, on_unavailable: Callable[[], None] | None = None, **ids: Any) -> None:
    """Run `task_name(**ids)` in the background once the current transaction commits. A broker outage is
    logged and the request goes on (the tick re-dispatches what the database says is due);
    `on_unavailable`, if given, runs then, so the caller can mark the work as due again at once."""
    runner = _runner(task_name)

    def hand_over() -> None:
        try:
            runner(**ids)
        except Exception as error:  # noqa: BLE001 - any broker failure: nothing was queued
            logger.warning("%s %s not queued (broker unreachable: %s)", task_name, ids, error)
            if on_unavailable is not None:
                on_unavailable()

    transaction.on_commit(hand_over, robust=True)


def enqueue_now(task_name: str, **ids: Any) -> None:
    """Hand the work over at once, for a request that must tell the user when it could not be queued
    (nothing in the database would queue it again). Raises BackgroundUnavailable."""
    runner = _runner(task_name)
    try:
        runner(**ids)
    except OperationalError as error:
        logger.warning("%s %s not queued: %s", task_name, ids, error)
        raise BackgroundUnavailable(str(error)) from error
