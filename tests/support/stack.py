"""The docker-compose topology, run natively: the same commands and environment as docker-compose.yml
and .env.example, pointed at local servers (a test database, a private Redis, an SMTP sink in the test).

Used by the topology test and the fault tests, so what they prove holds for the deployed stack."""

import email
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from email.policy import default as default_policy
from pathlib import Path

import requests
import yaml
from aiosmtpd.controller import Controller
from django.conf import settings

from .servers import free_port, wait_for_port

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def compose_services():
    """docker-compose.yml's services with the shared `x-app` block merged in (YAML merge keys)."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def example_env():
    """.env.example as a dict: the deployment's `env_file`."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def database_url(database):
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


class SmtpSink:
    """An SMTP server in the test process that keeps every message it is given."""

    def __init__(self):
        self.messages = []
        self._lock = threading.RLock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        body = message.get_body(preferencelist=("plain",))
        with self._lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "subject": str(message["subject"]),
                    "body": body.get_content(),
                }
            )
        return "250 OK"

    def to(self, address):
        with self._lock:
            return [m for m in self.messages if address in m["to"]]

    def wait_for(self, predicate, timeout=90, what="e-mail"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.3)
        raise AssertionError(
            f"no {what} within {timeout}s; got {[(m['to'], m['subject']) for m in self.messages]}"
        )

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def link_in(body):
    match = re.search(r"https?://\S+/l/[A-Za-z0-9_\-]+/", body)
    assert match, f"no magic link in the e-mail:\n{body}"
    return match.group(0)


class Stack:
    """migrate, web, worker and scheduler as docker-compose.yml runs them, on this machine."""

    def __init__(self, *, database, redis_url, smtp_port, folder, tick_seconds=2, extra_env=None):
        self.services = compose_services()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = Path(folder)
        self.processes = {}
        self.logs = {}
        app_environment = self.services["web"]["environment"]
        self.env = {
            **os.environ,
            **example_env(),
            **{k: str(v) for k, v in app_environment.items()},
            # The same variables, pointed at this machine's servers instead of the compose network.
            "DATABASE_URL": database_url(database),
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(self.folder / "media"),
            "STATIC_ROOT": str(self.folder / "static"),
            "VAR_DIR": str(self.folder / "var"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SITE_URL": self.base,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.base,
            # No TLS proxy in front of the test: plain HTTP, cookies without the Secure flag.
            "BEHIND_TLS_PROXY": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "TICK_SECONDS": str(tick_seconds),
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        self.env.update(extra_env or {})
        self.env.pop("CI", None)

    def argv(self, name):
        command = list(self.services[name]["command"])
        program = command[0]
        command[0] = sys.executable if program == "python" else str(BIN / program)
        if name == "web":
            command[command.index("--bind") + 1] = f"127.0.0.1:{self.port}"
            command[command.index("--workers") + 1] = "2"
        if name == "scheduler":
            command[command.index("--schedule") + 1] = str(self.folder / "celerybeat-schedule")
        return command

    def build(self):
        """What the Dockerfile does at build time besides installing: collect the static files."""
        done = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**self.env, "SECRET_KEY": "build-only"},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def run_once(self, name):
        done = subprocess.run(self.argv(name), cwd=ROOT, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def start(self, name):
        log = open(self.folder / f"{name}.log", "a", encoding="utf-8")
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            self.argv(name),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if name == "web":
            wait_for_port(self.port, timeout=60)
        return self.processes[name]

    def kill(self, name):
        """SIGKILL the service and all its children (a Celery worker's pool too): no chance to clean up."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self, name):
        process = self.processes.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def log(self, name):
        path = self.folder / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    @contextmanager
    def logs_on_failure(self):
        """A failing step shows the tail of every service's log."""
        try:
            yield
        except AssertionError as failure:
            tails = "\n".join(f"--- {n} ---\n{self.log(n)[-4000:]}" for n in ("web", "worker", "scheduler"))
            raise AssertionError(f"{failure}\n{tails}") from failure

    def close(self):
        for name in list(self.processes):
            self.stop(name)
        for log in self.logs.values():
            log.close()

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc):
        self.close()


def temporary_folder(prefix):
    folder = tempfile.mkdtemp(prefix=prefix)
    return Path(folder), lambda: shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running_stack(database, *, prefix, extra_env=None):
    """The whole topology up: a private Redis (which a test may stop and start), an SMTP sink, the image
    build step, migrate, then web, worker and scheduler. Yields (stack, smtp, redis); a failing step
    shows the services' logs; everything is stopped and removed afterwards."""
    from .servers import PrivateRedis

    folder, remove = temporary_folder(prefix)
    redis = PrivateRedis(folder / "redis")
    redis.start()
    try:
        with (
            SmtpSink() as smtp,
            Stack(
                database=database,
                redis_url=redis.url,
                smtp_port=smtp.port,
                folder=folder / "stack",
                extra_env=extra_env,
            ) as stack,
        ):
            stack.build()
            stack.run_once("migrate")
            for name in ("web", "worker", "scheduler"):
                stack.start(name)
            with stack.logs_on_failure():
                yield stack, smtp, redis
    finally:
        redis.stop()
        remove()


def hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def answer_and_submit(base, link, answers):
    """A respondent's browser over HTTP (session cookie, CSRF): open the e-mailed link, answer the first
    section, go to the review page and submit. Returns (overview page, receipt page)."""
    browser = requests.Session()
    overview = browser.get(link, timeout=10)
    assert overview.status_code == 200, overview.text[:2000]
    assert "/l/" not in overview.url, "the token leaves the address bar at once"
    assignment_id = re.search(r"/enkat/(\d+)/", overview.url).group(1)
    page = browser.get(f"{base}/enkat/{assignment_id}/avsnitt/1/", timeout=10)
    saved = browser.post(page.url, data={**hidden_fields(page.text), **answers, "action": "next"}, timeout=10)
    assert saved.url.endswith("/granska/"), saved.text[:2000]
    submitted = browser.post(saved.url, data={**hidden_fields(saved.text), "confirm": "yes"}, timeout=10)
    assert submitted.status_code == 200 and submitted.url.endswith("/kvitto/"), submitted.text[:2000]
    return overview, submitted
