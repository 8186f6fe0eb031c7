"""Production settings: `check --deploy` is clean, a missing secret key stops start-up, logs are JSON."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Rk2pQ9vL4mN8sT1wY6zB3cF5hJ0dG-aE_uI9oP2qW4rT6yU8iO0pA1sD3fG5hJ",
    "ALLOWED_HOSTS": "arsrunda.example.se",
    "CSRF_TRUSTED_ORIGINS": "https://arsrunda.example.se",
}


def manage(*args, env_extra, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "LOG_FORMAT"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def test_check_deploy_is_clean_under_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env_extra={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_logs_are_one_json_object_per_line():
    code = "import logging; logging.getLogger('arsrunda').warning('hej %s', 'då')"
    result = manage("shell", "-c", code, env_extra=PRODUCTION)
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    entry = json.loads(lines[-1])
    assert entry["level"] == "WARNING" and entry["message"] == "hej då" and entry["logger"] == "arsrunda"
