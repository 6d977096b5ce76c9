"""Production mode refuses unsafe settings; /healthz says whether the database and broker answer."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start_django(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ENV", "DEMO_PASSWORD"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
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


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True}}


def test_healthz_reports_an_unreachable_broker_quickly(client, db, settings):
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


@pytest.mark.redis
def test_healthz_reports_a_live_broker(client, db, settings):
    from tests.conftest import REDIS_URL

    settings.CELERY_BROKER_URL = f"{REDIS_URL}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}
