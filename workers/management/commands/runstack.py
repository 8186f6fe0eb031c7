"""manage.py runstack: web server, Celery worker and beat scheduler together; Ctrl-C stops all three.

This is the embedded default of `make run`. In production each process runs on its own
(see docker-compose.yml)."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run web, worker and scheduler in one command (development and demo)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument(
            "--load-demo",
            action="store_true",
            help="Load the demo once the site answers, and print its logins and links.",
        )

    def handle(self, *args, addr, concurrency, load_demo=False, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "backend"]
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": celery
            + [
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--queues",
                settings.CELERY_TASK_DEFAULT_QUEUE,
            ],
            "scheduler": celery
            + ["beat", "--loglevel", "INFO", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        }
        broker = "Redis" if settings.CELERY_BROKER_URL.startswith("redis") else "the filesystem broker"
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            self.style.SUCCESS(f"Starting web, worker and scheduler on {database} and {broker}.")
        )
        self.stdout.write(
            f"  Site:   http://{addr}/   Staff: http://{addr}/personal/   API: http://{addr}/api/docs/"
        )
        self.stdout.write("  Press Ctrl-C to stop all of them.")
        processes = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}

        stopping = False
        demo_pending = load_demo

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} stopped with exit code {process.returncode}; stopping the others."
                        )
                        exit_code = process.returncode or 1
                        stopping = True
                        break
                if demo_pending and not stopping and self._site_answers(addr):
                    # Printed last, so the logins and links are on screen below the processes' banners.
                    demo_pending = False
                    call_command("load_demo", stdout=self.stdout)
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"Ready: open http://{addr}/personal/ or a link above. Ctrl-C stops all."
                        )
                    )
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stdout.write("Stopped.")
        sys.exit(exit_code)

    @staticmethod
    def _site_answers(addr):
        try:
            with urllib.request.urlopen(f"http://{addr}/healthz", timeout=1):
                return True
        except OSError:  # not listening yet, or 503 while a server is still starting
            return False
