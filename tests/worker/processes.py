"""Real processes for the worker's integration tests: Celery workers, a private Redis, service calls.

Each test starts what it needs and stops it again; nothing here fakes our own
code. The worker and the service calls see the test's PostgreSQL database
through DATABASE_URL, and write e-mails with Django's file backend to a
folder the test reads.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def test_database_url() -> str:
    """The URL of the database this test process uses (pytest-django's test database)."""
    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def process_env(*, var_dir: Path, mail_dir: Path | None = None, broker_url: str | None = None, **extra: str) -> dict:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_", "PYTEST_"))}
    env.update(
        DATABASE_URL=test_database_url(),
        SAMENKADER_VAR_DIR=str(var_dir),
        # The test's own key, not one the process would make in its var dir: a link the
        # worker signs (a password reset) must open in the test's pages.
        SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
        # Tests hash passwords cheaply; the worker never hashes any.
    )
    if mail_dir is not None:
        env["EMAIL_FILE_PATH"] = str(mail_dir)
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Worker:
    """``celery -A worker worker`` as its own process group, logging to a file."""

    def __init__(
        self, env: dict, log_path: Path, *, beat: bool = False, concurrency: int = 1, hostname: str = "test@%h"
    ) -> None:
        self.env = env
        self.hostname = hostname
        self.log_path = log_path
        self.beat = beat
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> Worker:
        args = [PYTHON, "-m", "celery", "-A", "worker", "worker", "--loglevel=INFO", "--queues=default,documents"]
        args += [
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={self.hostname}",
        ]
        if self.beat:
            args += ["--beat", f"--schedule={self.log_path.parent / 'beat-schedule'}"]
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            args, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        wait_for(self._ready, timeout=timeout, what=f"the worker to be ready (log: {self.log_path})")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"The worker exited with {self.process.returncode}:\n{self.log()}")
        return " ready." in self.log()[self._offset :]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool children, no goodbye."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        # Cold shutdown: the test is over, nothing needs to finish.
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


class RedisServer:
    """A Redis of the test's own on a free port, which the test may stop and start again."""

    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        self.work_dir = work_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.work_dir)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for(self.answers, timeout=15, what="redis-server to answer")
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def run_python(code: str, env: dict, *, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run Python code with Django set up, as a separate process (like a web request would)."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"Process failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def read_mails(mail_dir: Path) -> list[email.message.Message]:
    """Every message Django's file backend wrote into ``mail_dir``."""
    messages = []
    if not mail_dir.exists():
        return messages
    separator = "-" * 79
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split(separator):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.lstrip("\n"), policy=email.policy.default))
    return messages


def stop_all(*things) -> None:
    for thing in things:
        if thing is not None:
            try:
                thing.stop()
            except Exception:  # noqa: BLE001 - cleanup goes on
                pass
