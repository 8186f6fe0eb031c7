"""`make run`'s last step: web, worker and scheduler start together on the embedded default, the
worker processes a beat tick, and one Ctrl-C stops all three."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from django.conf import settings


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_runstack_serves_processes_a_tick_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update({"VAR_DIR": str(tmp_path), "TICK_SECONDS": "2", "PYTHONUNBUFFERED": "1"})
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True)
    log = open(tmp_path / "stack.log", "w+")
    stack = subprocess.Popen(
        [python, "manage.py", "runstack", "--addr", f"127.0.0.1:{port}", "--concurrency", "1", "--load-demo"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        served = ticked = False
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (served and ticked):
            time.sleep(1)
            try:
                served = (
                    served
                    or urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
                )
            except OSError:
                pass
            ticked = "tick processed" in (tmp_path / "stack.log").read_text()
        assert served, (tmp_path / "stack.log").read_text()[-3000:]
        assert ticked, (tmp_path / "stack.log").read_text()[-3000:]
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group gets SIGINT
        stack.wait(timeout=40)
    output = (tmp_path / "stack.log").read_text()
    assert "Stopped." in output
    # The logins and three respondent links are printed once the site answers.
    tail = output[output.index("Starting web, worker and scheduler") :]
    assert (
        "samordnare / demo-samordnare" in tail
        and len(re.findall(r"http://127\.0\.0\.1:\d+/l/[\w-]{43}/", tail)) == 3
    )
    assert re.search(r"Task workers\.tasks\.tick\[[0-9a-f-]+\] succeeded", output)
    assert not any(
        p.strip()
        for p in subprocess.run(
            ["pgrep", "-f", f"runserver 127.0.0.1:{port}"], capture_output=True, text=True
        ).stdout.splitlines()
    )
