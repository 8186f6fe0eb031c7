"""Outbox throughput: N recipients from "the round opens" until every invitation is accepted by the
e-mail backend — Django's locmem backend (our code's own cost) and a real SMTP server on loopback
(aiosmtpd). Prints seconds, messages/s and seconds per 1,000 at 1k and 10k, and the ratio between them
(≈1 means it scales linearly).

    python -m benchmarks outbox            # 1,000 and 10,000 through locmem and SMTP
    python -m benchmarks outbox 2000       # other sizes

Runs on a throw-away SQLite database in a temporary folder (set BENCH_DATABASE_URL to use another)."""

import os
import sys
import tempfile
import time
import uuid

SIZES = [1000, 10000]


def _setup():
    folder = tempfile.mkdtemp(prefix="arsrunda-bench-outbox-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _round(n):
    from datetime import timedelta

    from django.utils import timezone

    from surveys.models import (
        Assignment,
        Contact,
        Organisation,
        Questionnaire,
        QuestionnaireVersion,
        Response,
        SurveyRound,
    )

    run = uuid.uuid4().hex[:8]
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Förvaltning {run}-{i}", kind="forvaltning") for i in range(n)], batch_size=1000
    )
    Contact.objects.bulk_create(
        [
            Contact(organisation=o, name=f"Kontakt {i}", email=f"k{i}.{run}@example.se")
            for i, o in enumerate(orgs)
        ],
        batch_size=1000,
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=Questionnaire.objects.create(name=f"Enkät {run}"), number=1
    )
    now = timezone.now()
    survey_round = SurveyRound.objects.create(
        name="Benchmark",
        version=version,
        year=2026,
        state="scheduled",
        opens_at=now - timedelta(minutes=1),
        deadline=now + timedelta(days=30),
    )
    Assignment.objects.bulk_create(
        [Assignment(round=survey_round, organisation=o) for o in orgs], batch_size=1000
    )
    Response.objects.bulk_create(
        [Response(assignment=a) for a in survey_round.assignments.all()], batch_size=1000
    )
    return survey_round


def _measure(n, backend):
    from django.conf import settings
    from django.core import mail
    from django.utils import timezone

    from surveys.models import OutboundEmail
    from surveys.services import outbox, rounds

    settings.EMAIL_BACKEND = backend
    mail.outbox = []
    survey_round = _round(n)
    now = timezone.now()
    start = time.perf_counter()
    rounds.round_open(survey_round=survey_round, now=now)
    queued = rounds.create_invitations(now=now, rounds=[survey_round])
    queued_at = time.perf_counter()
    cpu = time.process_time()
    outbox.dispatch_due(now=now)  # eager: the send tasks run here, batch after batch
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    sent = OutboundEmail.objects.filter(round=survey_round, status="sent").count()
    assert queued == n and sent == n, (queued, sent)
    _idle_tick[n] = _time_idle_tick(now)
    return queued_at - start, done - queued_at, cpu


_idle_tick = {}


def _time_idle_tick(now):
    """The minute-by-minute cost of an open round where nothing is due (everyone invited, no step due)."""
    from datetime import timedelta

    from surveys.services import rounds

    start = time.perf_counter()
    result = rounds.tick(now=now + timedelta(minutes=1))
    assert result["invitations"] == result["reminders"] == 0, result
    return time.perf_counter() - start


def _report(label, results):
    print(f"  {label}")
    print(
        f"    {'recipients':>10} {'queue s':>8} {'send s':>8} {'(our CPU)':>9} {'total s':>8} {'msg/s':>7} "
        f"{'s per 1k':>9}"
    )
    per_1k = {}
    for n, (queue_s, send_s, cpu) in results.items():
        total = queue_s + send_s
        per_1k[n] = total / n * 1000
        print(
            f"    {n:>10} {queue_s:>8.2f} {send_s:>8.2f} {cpu:>9.2f} {total:>8.2f} {n / total:>7.0f} "
            f"{per_1k[n]:>9.2f}"
        )
    sizes = sorted(per_1k)
    if len(sizes) > 1:
        print(
            f"    ratio of s per 1k, {sizes[-1]} vs {sizes[0]}: {per_1k[sizes[-1]] / per_1k[sizes[0]]:.2f} "
            "(≈1 = linear)"
        )
    return per_1k


def _serve_smtp(port, accepted, ready, stop):
    """The local SMTP server, in its own process as a real one would be (not sharing our GIL)."""
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            with accepted.get_lock():
                accepted.value += len(envelope.rcpt_tos)
            return "250 Message accepted for delivery"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def main(argv):
    import multiprocessing

    sizes = [int(a) for a in argv] or SIZES
    _setup()
    print(f"  machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}")
    from django.conf import settings

    from tests.support.servers import free_port

    locmem = {n: _measure(n, "django.core.mail.backends.locmem.EmailBackend") for n in sizes}
    _report("locmem backend (our code only)", locmem)
    for n, seconds in sorted(_idle_tick.items()):
        print(f"  a tick with nothing due while a round of {n} recipients is open: {seconds:.2f} s")
    context = multiprocessing.get_context("spawn")
    accepted, ready, stop = context.Value("i", 0), context.Event(), context.Event()
    port = free_port()
    server = context.Process(target=_serve_smtp, args=(port, accepted, ready, stop), daemon=True)
    server.start()
    try:
        ready.wait(30)
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        real = {n: _measure(n, "django.core.mail.backends.smtp.EmailBackend") for n in sizes}
    finally:
        stop.set()
        server.join(30)
    _report("SMTP to aiosmtpd on loopback, its own process (until every message is accepted)", real)
    print(f"    messages accepted by the SMTP server: {accepted.value} (expected {sum(sizes)})")
    largest = max(sizes)
    total = real[largest][0] + real[largest][1]
    print(f"  load average at end {os.getloadavg()[0]:.1f} (others' work on the cores slows every figure)")
    print(f"  target: {largest} recipients under 60 s → {total:.1f} s {'OK' if total < 60 else 'TOO SLOW'}")
    return 0 if accepted.value == sum(sizes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
