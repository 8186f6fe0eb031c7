"""Respondents under load: answer saves and section pages on gunicorn and PostgreSQL, side by side with a
bare DRF create (one model: foreign key, JSON value, updated_at; SessionAuthentication and CSRF) in the
same run, so the ratio between them is fair on a machine whose other load varies.

    python -m benchmarks respondent_load
    python -m benchmarks.respondent_load --clients 16 --warmup 5 --duration 20 --gthread

Workloads, taken in interleaved turns so each meets the same background load, each with N concurrent
clients (threads with http.client connections on loopback, each its own session and CSRF token), a
warm-up and a measured period:
  bare create     POST /items/ of the bare project
  save            POST /api/respondent/assignments/<id>/answers/ with 1–3 answers, each client on its own
                  assignment, carrying the version its last save returned
  section page    GET /enkat/<id>/avsnitt/<n>/, each client on its own assignment
  save, 4 share   the same save, four contacts on each assignment (conflicts answer 409 with both values)
Printed: req/s, p50/p95/p99, SQL statements per request (one request counted in-process with Django's
query log: BEGIN/COMMIT and the connection health check are not in it), server CPU per request (the
gunicorn processes and the PostgreSQL backends of the benchmark's databases) and the ratios.
BENCH_SHOW_SQL=1 prints the statements of the counted saves.

Needs PostgreSQL. BENCH_DATABASE_URL names a database that the benchmark REPLACES (drops and creates),
and `<name>_bare` for the baseline; both are left behind for inspection. Without it, a DATABASE_URL on
PostgreSQL gives the server, and the benchmark uses `<its name>_bench_load` there."""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
MAX_REQUESTS_PER_CLIENT = 100_000


# -- databases and data ---------------------------------------------------------------------------------


def _with_db(url, name):
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


def _recreate(url):
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup_main(url, *, clients, questions, sections):
    """Migrate, then build an open round of a frozen version: `questions` questions in `sections`
    sections, one assignment per client, `clients // 4` assignments shared by four contacts each, and
    one for counting statements. Returns what the clients need."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from surveys import models
    from surveys.services.tokens import issue_token

    call_command("migrate", verbosity=0)
    questionnaire = models.Questionnaire.objects.create(name="Preventionsindex (benchmark)", kind="index")
    version = models.QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    kinds = ["yes_no", "integer", "text", "single", "yes_no", "multiple", "decimal", "breakdown"]
    writable = []
    per_section = max(1, questions // sections)
    for s in range(sections):
        section = models.Section.objects.create(version=version, order=s + 1, title=f"Avsnitt {s + 1}")
        for i in range(per_section):
            kind = kinds[(s * per_section + i) % len(kinds)]
            q = models.Question.objects.create(
                version=version,
                section=section,
                order=i + 1,
                code=f"S{s + 1}_{i + 1}",
                text=f"Fråga {i + 1} i avsnitt {s + 1}?",
                type=kind,
                max_length=500 if kind == "text" else None,
            )
            for o, code in enumerate(("aldrig", "ibland", "ofta") if kind in ("single", "multiple") else ()):
                models.Option.objects.create(question=q, order=o, code=code, label=code.capitalize())
            if kind in ("yes_no", "integer", "text"):
                writable.append((q.code, kind))
    now = timezone.now()
    version.frozen_at = now
    version.save(update_fields=["frozen_at"])
    survey_round = models.SurveyRound.objects.create(
        name="Benchmark", version=version, year=2026, state="open", opens_at=now - timedelta(days=1),
        deadline=now + timedelta(days=30), opened_at=now,
    )  # fmt: skip
    shared_count = max(1, clients // 4)
    organisations = [
        models.Organisation.objects.create(name=f"Förvaltning {i}", kind="forvaltning")
        for i in range(clients + shared_count + 1)
    ]
    own, shared = [], []
    for i, organisation in enumerate(organisations):
        assignment = models.Assignment.objects.create(round=survey_round, organisation=organisation)
        models.Response.objects.create(assignment=assignment)
        contacts = 4 if clients <= i < clients + shared_count else 1
        tokens = []
        for c in range(contacts):
            contact = models.Contact.objects.create(
                organisation=organisation, name=f"Kontakt {i}.{c}", email=f"k{i}.{c}@example.se"
            )
            tokens.append(issue_token(assignment=assignment, contact=contact))
        if i < clients:
            own.append((assignment.pk, tokens[0]))
        elif i < clients + shared_count:
            shared.extend((assignment.pk, token) for token in tokens)
        else:
            probe = (assignment.pk, tokens[0])
    return {"own": own, "shared": shared[:clients], "probe": probe, "writable": writable}


def _save_body(writable, version):
    answers = {}
    for code, kind in random.sample(writable, random.randint(1, 3)):
        if kind == "yes_no":
            answers[code] = random.choice(["ja", "nej"])
        elif kind == "integer":
            answers[code] = random.randint(0, 1_000_000)
        else:
            answers[code] = f"Svar {secrets.token_hex(6)}"
    return {"version": version, "answers": answers}


def _count_main(probe, writable):
    """Statements of one save and one section page, in-process with the same code and database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    assignment_id, raw = probe
    client = Client()
    client.get(f"/l/{raw}/")
    client.get(f"/enkat/{assignment_id}/avsnitt/1/")
    counts = {}
    for version in (0, 1):
        with CaptureQueriesContext(connection) as queries:
            saved = client.post(
                f"/api/respondent/assignments/{assignment_id}/answers/",
                _save_body(writable, version),
                "application/json",
            )
        assert saved.status_code == 200, saved.content
        counts["save" if version else "first save"] = len(queries)
        if os.environ.get("BENCH_SHOW_SQL"):
            print("\n".join(q["sql"][:160] for q in queries.captured_queries), "\n")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/enkat/{assignment_id}/avsnitt/2/").status_code == 200
    counts["section page"] = len(queries)
    return counts


# -- servers --------------------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _gunicorn(app, env, worker_class, log):
    port = _free_port()
    workers = (
        ["-w", "4", "-k", "sync"]
        if worker_class == "sync"
        else ["-w", "2", "-k", "gthread", "--threads", "4"]
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "-b", f"{HOST}:{port}", *workers, "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    # Ready when every worker has booted: a run of quick answers in a row (a booting worker answers late).
    deadline, quick = time.monotonic() + 120, 0
    while time.monotonic() < deadline and quick < 12:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {app} exited; see {log.name}")
        began = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        quick = quick + 1 if time.monotonic() - began < 0.5 else 0
    if quick < 12:
        process.kill()
        raise RuntimeError(f"gunicorn {app} did not start")
    return process, port


def _stop(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _server_cpu(servers, db_names, conn):
    """CPU seconds so far, by process id, of the gunicorn masters with their workers and of the
    PostgreSQL backends connected to the benchmark's databases."""
    import psutil

    procs = []
    for server in servers:
        try:
            parent = psutil.Process(server.pid)
            procs += [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", [db_names]).fetchall()
    procs += [p for p in (_process(row[0]) for row in rows) if p is not None]
    by_pid = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        by_pid[proc.pid] = times.user + times.system
    return by_pid


def _process(pid):
    import psutil

    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


# -- load -----------------------------------------------------------------------------------------------


class Session:
    """One client: a keep-alive connection, its cookies and CSRF token."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies = dict(cookies or {})
        self.csrf = secrets.token_hex(16)  # a CSRF secret of our own, sent as cookie and header
        self.cookies.setdefault("csrftoken", self.csrf)
        self.state = {}  # what a client carries from one request to the next (the version it saved)

    def request(self, method, path, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            body = json.dumps(body)
            headers.update({"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                if key != "csrftoken":
                    self.cookies[key] = morsel.value
        return response.status, data


def _respondent(port, raw):
    session = Session(port)
    status, _ = session.request("GET", f"/l/{raw}/")
    assert status == 302, status
    return session


def _slice(sessions, operation, warmup, duration, servers, conn, db_names):
    """Run `operation(session, state)` in one thread per session for `warmup` + `duration` seconds (and
    at most MAX_REQUESTS_PER_CLIENT requests each). Returns the (latency, status) pairs of the measured
    part and the server CPU seconds spent in it."""
    start = time.perf_counter()
    measure_from, end = start + warmup, start + warmup + duration
    results = [[] for _ in sessions]

    def client(index, session):
        state = session.state
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            began = time.perf_counter()
            if began >= end:
                break
            status = operation(session, state)
            if began >= measure_from:
                results[index].append((time.perf_counter() - began, status))

    threads = [threading.Thread(target=client, args=(i, s), daemon=True) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    cpu_before = _server_cpu(servers, db_names, conn)
    time.sleep(max(0.0, end - time.perf_counter()))
    cpu_after = _server_cpu(servers, db_names, conn)
    for thread in threads:
        thread.join(60)
    cpu = sum(max(0.0, cpu_after[pid] - cpu_before.get(pid, 0.0)) for pid in cpu_after)
    return [row for per_client in results for row in per_client], cpu


def _summary(name, rows, cpu, seconds):
    latencies = sorted(latency for latency, _ in rows)
    statuses = {}
    for _, status in rows:
        statuses[status] = statuses.get(status, 0) + 1

    def pct(q):
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")
        )

    n = len(rows)
    return {
        "name": name,
        "requests": n,
        "rps": n / seconds,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "cpu_ms": cpu / n * 1000 if n else float("nan"),
        "statuses": statuses,
    }


def _interleaved(workloads, args, servers, conn, db_names):
    """Measure the workloads in turns (`--slices` turns of duration/slices seconds each), so that every
    workload meets the same background load of a shared machine; the first turn of each warms up for
    `--warmup` seconds, later turns for one second."""
    collected = {name: ([], 0.0) for name, _, _ in workloads}
    for turn in range(args.slices):
        for name, sessions, operation in workloads:
            rows, cpu = _slice(
                sessions,
                operation,
                args.warmup if turn == 0 else 1.0,
                args.duration / args.slices,
                servers,
                conn,
                db_names,
            )
            kept, spent = collected[name]
            collected[name] = (kept + rows, spent + cpu)
    return [_summary(name, rows, cpu, args.duration) for name, (rows, cpu) in collected.items()]


def _save_operation(writable):
    def operation(session, state):
        path = state.setdefault("path", f"/api/respondent/assignments/{session.assignment_id}/answers/")
        status, data = session.request("POST", path, _save_body(writable, state.get("version", 0)))
        if status in (200, 409):
            state["version"] = json.loads(data)["version"]
        return status

    return operation


def _page_operation(sections):
    def operation(session, state):
        state["n"] = state.get("n", 0) % sections + 1
        status, _ = session.request("GET", f"/enkat/{session.assignment_id}/avsnitt/{state['n']}/")
        return status

    return operation


def _bare_operation(session, state):
    status, _ = session.request(
        "POST", "/items/", {"owner": session.owner, "value": {"answer": random.randint(0, 9)}}
    )
    return status


# -- the run --------------------------------------------------------------------------------------------


def _print(rows, statements, label):
    print(f"\n{label}")
    print(
        f"{'workload':<18}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'SQL/req':>9}{'CPU ms/req':>12}  statuses"
    )
    for row in rows:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        print(
            f"{row['name']:<18}{row['rps']:>8.1f}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['p99']:>9.1f}"
            f"{statements.get(row['name'], ''):>9}{row['cpu_ms']:>12.2f}  {statuses}"
        )


def main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.respondent_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring, per workload")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured, per workload")
    parser.add_argument(
        "--slices", type=int, default=4, help="turns in which the workloads' measured seconds are interleaved"
    )
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--sections", type=int, default=5)
    parser.add_argument(
        "--gthread", action="store_true", help="also run bare create and save on gthread workers"
    )
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Never the application's own database: a sibling named after it.
        main_url = os.environ["DATABASE_URL"]
        url = _with_db(main_url, urlparse(main_url).path.lstrip("/") + "_bench_load")
    if not url.startswith("postgres"):
        print("skipped: set BENCH_DATABASE_URL to a PostgreSQL database the benchmark may replace")
        return 0
    bare_url = _with_db(url, urlparse(url).path.lstrip("/") + "_bare")
    secret = secrets.token_urlsafe(32)  # the servers' and the baseline's sessions are signed with it
    db_names = [urlparse(u).path.lstrip("/") for u in (url, bare_url)]
    for u in (url, bare_url):
        _recreate(u)
    data = _setup_main(url, clients=args.clients, questions=args.questions, sections=args.sections)
    statements = _count_main(data["probe"], data["writable"])
    bare = json.loads(
        subprocess.run(
            [sys.executable, "-m", "benchmarks._bare.setup", str(args.clients)],
            cwd=ROOT,
            env={**os.environ, "BARE_DATABASE_URL": bare_url, "SECRET_KEY": secret},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    statements.update({"bare create": bare["statements"], "save, 4 share": statements["save"]})

    folder = Path(tempfile.mkdtemp(prefix="arsrunda-bench-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BARE_DATABASE_URL": bare_url,
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(folder / "static"),
        "VAR_DIR": str(folder),
        "LOG_LEVEL": "ERROR",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    import psycopg

    conn = psycopg.connect(_with_db(url, "postgres"), autocommit=True)
    failed = False
    for worker_class in ["sync", "gthread"] if args.gthread else ["sync"]:
        log = open(folder / f"gunicorn-{worker_class}.log", "w")  # noqa: SIM115 (closed below)
        servers = []
        try:
            app, app_port = _gunicorn("backend.wsgi:application", env, worker_class, log)
            servers.append(app)
            baseline, bare_port = _gunicorn("benchmarks._bare.wsgi:application", env, worker_class, log)
            servers.append(baseline)
            bare_sessions = []
            for item in bare["clients"][: args.clients]:
                session = Session(bare_port, {"sessionid": item["session"]})
                session.owner = item["owner"]
                bare_sessions.append(session)
            own = []
            for assignment_id, raw in data["own"]:
                session = _respondent(app_port, raw)
                session.assignment_id = assignment_id
                own.append(session)
            workloads = [
                ("bare create", bare_sessions, _bare_operation),
                ("save", own, _save_operation(data["writable"])),
            ]
            if worker_class == "sync":
                shared = []
                for assignment_id, raw in data["shared"]:
                    session = _respondent(app_port, raw)
                    session.assignment_id = assignment_id
                    shared.append(session)
                workloads += [
                    ("section page", own, _page_operation(args.sections)),
                    ("save, 4 share", shared, _save_operation(data["writable"])),
                ]
            rows = _interleaved(workloads, args, servers, conn, db_names)
        finally:
            for process in servers:
                _stop(process)
            log.close()
        label = (
            "gunicorn -w 4 (sync)" if worker_class == "sync" else "gunicorn -k gthread --threads 4 -w 2"
        ) + (
            f", {args.clients} clients, {args.warmup:g} s warm-up, {args.duration:g} s measured per workload"
            f" in {args.slices} interleaved turns"
        )
        _print(rows, statements, label)
        by = {row["name"]: row for row in rows}
        ratio = by["save"]["rps"] / by["bare create"]["rps"]
        print(
            f"save/bare throughput {ratio:.2f}x (target >= 0.5); save p99 {by['save']['p99']:.1f} ms "
            f"= {by['save']['p99'] / by['bare create']['p99']:.1f}x bare"
            + (f"; section page p99 {by['section page']['p99']:.1f} ms" if "section page" in by else "")
        )
        errors = sum(
            n for row in rows for status, n in row["statuses"].items() if status not in (200, 201, 409)
        )
        if worker_class == "sync":
            failed |= ratio < 0.5 or by["save"]["p99"] > 100 or by["section page"]["p99"] > 100 or errors > 0
    conn.close()
    print(
        f"\nstatements counted in-process: first save {statements['first save']}, later saves {statements['save']}"
    )
    print(f"server logs: {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
