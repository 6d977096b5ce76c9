"""Transitions per second and SQL queries per transition, through the services, on PostgreSQL.

Runs create -> fill -> submit -> approve -> sign (3 signatures) for N agreements
(default 1,000) in a database of its own, which it creates and drops.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samenkader python bench/transitions.py [N]
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "samenkader_bench_transitions"


def bench_database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunparse(urlparse(url)._replace(path=f"/{BENCH_DB}"))


def recreate_database(url: str) -> None:
    import psycopg

    admin_url = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database(url: str) -> None:
    import psycopg

    admin_url = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    url = bench_database_url()
    if url is None:
        print("bench/transitions.py: skipped — set DATABASE_URL=postgres://… (the figures are for PostgreSQL).")
        return 0
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    # Notifications are published after commit; an in-memory broker keeps that
    # code path without leaving task messages for a later worker to find.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from tests.factories import PASSWORD, build_world
    from workflow.demo.content import SECTIONS, decision_moments, responsibility_rows
    from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
    from workflow.lifecycle.services.review import agreement_approve, agreement_submit
    from workflow.lifecycle.services.signing import agreement_sign

    world = build_world()
    rows, moments = responsibility_rows(), decision_moments(django.utils.timezone.localdate())
    timings: dict[str, float] = defaultdict(float)
    queries: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)

    executed = [0]

    def count_query(execute, sql, params, many, context):
        executed[0] += 1
        return execute(sql, params, many, context)

    def measure(name, fn):
        before = executed[0]
        with connection.execute_wrapper(count_query):
            started = time.perf_counter()
            result = fn()
            timings[name] += time.perf_counter() - started
        queries[name] += executed[0] - before
        calls[name] += 1
        return result

    started = time.perf_counter()
    for i in range(count):
        agreement = measure(
            "create",
            lambda i=i: agreement_create(
                actor=world.drafter,
                initiative=world.initiative,
                municipality=world.municipality,
                title=f"Bench {i}",
                form="cooperation_agreement",
                phase="orientation",
            ),
        )
        measure(
            "update_draft",
            lambda a=agreement: agreement_update_draft(
                agreement=a,
                actor=world.drafter,
                based_on_revision=1,
                sections=SECTIONS,
                responsibilities=rows,
                decision_moments=moments,
            ),
        )
        measure("submit", lambda a=agreement: agreement_submit(agreement=a, actor=world.drafter))
        measure("approve", lambda a=agreement: agreement_approve(agreement=a, actor=world.reviewer))
        content_hash = agreement.versions.get().content_hash
        for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
            measure(
                "sign",
                lambda a=agreement, s=signer, h=content_hash: agreement_sign(
                    password=PASSWORD, authority_confirmed=True, agreement=a, actor=s, content_hash=h
                ),
            )
    total = time.perf_counter() - started

    transitions = calls["submit"] + calls["approve"] + count  # the last signature moves approved -> signed
    print(f"agreements: {count} on PostgreSQL {connection.pg_version // 10000}")
    print(f"total wall time: {total:.1f} s for {sum(calls.values())} service calls")
    print(f"state transitions: {transitions} -> {transitions / total:.0f} per second (whole cycle counted)")
    print(f"{'service':<14}{'calls':>7}{'ms/call':>10}{'calls/s':>10}{'queries/call':>14}")
    for name in ("create", "update_draft", "submit", "approve", "sign"):
        per_call = timings[name] / calls[name]
        per_query = queries[name] / calls[name]
        print(f"{name:<14}{calls[name]:>7}{per_call * 1000:>10.2f}{1 / per_call:>10.0f}{per_query:>14.1f}")
    connections.close_all()
    drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
