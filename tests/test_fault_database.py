"""PostgreSQL stops for a while: /healthz and the API answer 503 (no stack trace), and the service
resumes by itself when the database is back."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.support.servers import free_port, private_postgres, wait_for_port

pytestmark = pytest.mark.integration


def get(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_status(url, status, token=None, timeout=30):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = get(url, token)
        if seen[0] == status:
            return seen
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered {status}; last {seen}")


def test_database_outage_gives_503_and_service_resumes(redis_url):
    folder = tempfile.mkdtemp(prefix="arsrunda-pg-")
    os.chmod(folder, 0o755)
    try:
        with private_postgres(folder) as pg:
            pg.create_database("arsrunda")
            port = free_port()
            env = {
                **os.environ,
                "DATABASE_URL": pg.url("arsrunda"),
                "REDIS_URL": redis_url,
                "DEBUG": "true",
                "CONN_MAX_AGE": "60",
                "DATABASE_CONNECT_TIMEOUT": "2",
            }

            def run(*a):
                return subprocess.run(
                    [sys.executable, "manage.py", *a],
                    cwd=settings.BASE_DIR,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )

            run("migrate", "-v0")
            token = (
                run(
                    "shell",
                    "-c",
                    (
                        "from surveys.models import User; from rest_framework.authtoken.models import Token;"
                        "u=User.objects.create(username='c', role='coordinator'); print(Token.objects.create(user=u).key)"
                    ),
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            web = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "backend.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "30",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                wait_for_port(port)
                base = f"http://127.0.0.1:{port}"
                assert wait_for_status(f"{base}/healthz", 200)[0] == 200
                assert get(f"{base}/api/organisations/", token)[0] == 200

                pg.stop()
                status, body = wait_for_status(f"{base}/healthz", 503)
                assert json.loads(body)["database"] == "down"
                status, body = wait_for_status(f"{base}/api/organisations/", 503, token)
                assert "otillgänglig" in json.loads(body)["detail"]
                assert b"Traceback" not in body

                pg.start()
                wait_for_status(f"{base}/healthz", 200)
                status, body = wait_for_status(f"{base}/api/organisations/", 200, token)
                assert json.loads(body)["count"] == 0
            finally:
                web.terminate()
                web.wait(timeout=20)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
