"""Production mode refuses unsafe settings; /healthz says the process answers, /readyz whether its dependencies do."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


STARTED = "import django; django.setup(); print('started')"
PRINT_SECRET_KEY = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def start_django(code: str = STARTED, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ENV", "DEMO_PASSWORD"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DEBUG": "1", "SECRET_KEY": "x" * 50}, "DEBUG"),
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 49 + "y"}, "SECRET_KEY"),  # long, but hardly random: Django's check asks 5 kinds
        # The development key earlier versions published in the source.
        ({"SECRET_KEY": "samenkader-development-only-not-secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50, "DEMO_PASSWORD": "samenkader-demo"}, "DEMO_PASSWORD"),
    ],
)
def test_production_refuses_unsafe_settings(env, complaint):
    result = start_django(DJANGO_ENV="production", **env)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr and complaint in result.stderr


def test_development_starts_with_defaults(tmp_path):
    result = start_django(SAMENKADER_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_secret_key_is_random_made_once_and_private(tmp_path):
    first = start_django(PRINT_SECRET_KEY, SAMENKADER_VAR_DIR=str(tmp_path / "one"))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    path = tmp_path / "one" / "secret_key"
    assert path.read_text().strip() == key
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(key) >= 50 and key != "samenkader-development-only-not-secret"

    again = start_django(PRINT_SECRET_KEY, SAMENKADER_VAR_DIR=str(tmp_path / "one"))
    assert again.stdout.strip() == key  # reused: sessions survive a restart

    other = start_django(PRINT_SECRET_KEY, SAMENKADER_VAR_DIR=str(tmp_path / "two"))
    assert other.stdout.strip() != key  # every checkout has its own

    from_environment = start_django(PRINT_SECRET_KEY, SAMENKADER_VAR_DIR=str(tmp_path / "three"), SECRET_KEY="e" * 50)
    assert from_environment.stdout.strip() == "e" * 50
    assert not (tmp_path / "three" / "secret_key").exists()


def test_production_makes_no_secret_key_of_its_own(tmp_path):
    result = start_django(DJANGO_ENV="production", SAMENKADER_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_healthz_says_only_that_the_process_answers(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing answers there: liveness does not ask
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_the_storage(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "storage": True}}


def test_readyz_reports_an_unreachable_broker_quickly(client, db, settings):
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "storage": True, "broker": False}


def test_readyz_reports_a_storage_that_does_not_answer(client, db, monkeypatch):
    # The store is outside this process (S3 in production): a failing one is simulated at its boundary.
    from django.core.files.storage import default_storage

    def refuse(name):
        raise OSError("connection refused")

    monkeypatch.setattr(default_storage, "exists", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] is False


@pytest.mark.redis
def test_readyz_reports_a_live_broker(client, db, settings):
    from tests.conftest import REDIS_URL

    settings.CELERY_BROKER_URL = f"{REDIS_URL}/0"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "storage": True, "broker": True}


@pytest.mark.redis
def test_readyz_keeps_one_broker_connection_between_probes(client, db, settings):
    import os

    import redis

    from tests.conftest import REDIS_URL

    settings.CELERY_BROKER_URL = f"{REDIS_URL}/0"
    name = f"samenkader-readyz-{os.getpid()}"
    observer = redis.Redis.from_url(f"{REDIS_URL}/0")

    def readyz_connections() -> list[str]:
        return [entry["id"] for entry in observer.client_list() if entry.get("name") == name]

    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    first = readyz_connections()
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    # One connection, the same one: probes reuse it instead of connecting each time.
    assert len(first) == 1
    assert readyz_connections() == first
