from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve Sputnik: the Huey task worker in a subprocess and the web server (gunicorn) in "
        "the foreground. Ctrl-C stops both."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument(
            "--runserver",
            action="store_true",
            help="Django's development server instead of gunicorn (DEBUG only)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            dest="no_worker",
            help="Do not start the Huey worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not settings.DEBUG:
            # With DEBUG off WhiteNoise serves only what collectstatic gathered.
            call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "sputnik.settings"),
        }
        if options["runserver"]:
            web_cmd = [python, "-m", "sputnik.cli", "runserver", "--noreload", f"{host}:{port}"]
        else:
            web_cmd = [
                python,
                "-m",
                "gunicorn",
                "sputnik.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(max(options["workers"], 1)),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ]
        worker: subprocess.Popen[bytes] | None = None
        web: subprocess.Popen[bytes] | None = None

        def stop(signum: int, _frame: Any) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            if not options["no_worker"]:
                # Our own interpreter with fixed arguments: nothing user-supplied is executed.
                worker = subprocess.Popen([python, "-m", "sputnik.cli", "run_huey"], env=env)  # noqa: S603
                self.stdout.write(f"Task worker (Huey) started, pid {worker.pid}")
            web = subprocess.Popen(web_cmd, env=env)  # noqa: S603
            self.stdout.write(
                self.style.SUCCESS(
                    f"Sputnik is at http://{host}:{port}  (Ctrl-C stops the server and the worker)"
                )
            )
            code = web.wait()
            if code:
                self.stderr.write(f"The web server exited with code {code}")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for proc in (web, worker):
                _stop(proc)
            signal.signal(signal.SIGTERM, previous)


def _stop(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
