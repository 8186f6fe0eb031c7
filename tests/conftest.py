"""Shared fixtures. Unit tests run Celery tasks eagerly; integration tests need the real servers.

Locally, integration tests are skipped unless DATABASE_URL and REDIS_URL are set. In CI (CI=true) the
servers are required: the run stops with an error instead of skipping when they are unreachable."""

import os
import socket
from urllib.parse import urlparse

import pytest

from backend.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    if not IN_CI:
        return
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        problems.append("DATABASE_URL must name PostgreSQL in CI")
    elif not _reachable(database_url, 5432):
        problems.append(f"PostgreSQL is unreachable at {database_url}")
    if not redis_url:
        problems.append("REDIS_URL must be set in CI")
    elif not _reachable(redis_url, 6379):
        problems.append(f"Redis is unreachable at {redis_url}")
    if problems:
        pytest.exit("CI needs its servers: " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process, for real, unless a test asks for a real worker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (runs in CI)")
    return url


@pytest.fixture
def postgres(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (runs in CI)")
    return settings.DATABASES["default"]


@pytest.fixture
def demo(db):
    from surveys.demo import load_demo

    return load_demo()


@pytest.fixture
def coordinator(db):
    from tests.factories import UserFactory

    return UserFactory(role="coordinator", username="coord")


@pytest.fixture
def reader(db):
    from tests.factories import UserFactory

    return UserFactory(role="reader", username="reader")


@pytest.fixture
def api(coordinator):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(coordinator)
    return client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped integration test is a failed one: the servers are part of the contract."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and item.get_closest_marker("integration"):
        report.outcome = "failed"
        report.longrepr = f"integration test skipped in CI: {report.longrepr}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher's deliberate slowness is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
