"""Transitions per second and SQL queries per transition, through the services, on PostgreSQL.

Runs create -> fill -> submit -> approve -> sign (3 signatures) for N agreements
(default 1,000), and for each a second agreement along the ways back
(request changes, reopen, decline to sign, withdraw), in a database of its
own, which it creates and drops.

Each service's time is set against a floor measured in the same run: right
after each call, as many ``SELECT 1`` round trips as that call made queries,
inside one transaction. The ratio (service time / floor) is what Python and the
ORM add on top of the round trips themselves; the goal is at most 3. "in execute"
is the part of the service's time spent inside cursor.execute (sending, the
database's own work, receiving): what the queries cost beyond a ``SELECT 1``
(locks, index upkeep of the rows written) is in there, not in Python.

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
# One database per run, so two runs on the same server never drop each other's.
BENCH_DB = f"samenkader_bench_transitions_{os.getpid()}"


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
    from django.db import connection, connections, transaction

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from tests.factories import PASSWORD, build_world
    from workflow.demo.content import SECTIONS, decision_moments, responsibility_rows
    from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
    from workflow.lifecycle.services.review import (
        agreement_approve,
        agreement_reopen,
        agreement_request_changes,
        agreement_submit,
        agreement_withdraw,
    )
    from workflow.lifecycle.services.signing import agreement_decline_to_sign, agreement_sign

    world = build_world()
    rows, moments = responsibility_rows(), decision_moments(django.utils.timezone.localdate())
    timings: dict[str, float] = defaultdict(float)
    queries: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)
    floors: dict[str, float] = defaultdict(float)
    in_execute: dict[str, float] = defaultdict(float)

    executed = [0]
    executing = [0.0]

    def count_query(execute, sql, params, many, context):
        executed[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executing[0] += time.perf_counter() - started

    def floor(k: int) -> float:
        """Wall time of k ``SELECT 1`` round trips inside one transaction (as a service runs its queries)."""
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for _ in range(k):
                cursor.execute("SELECT 1")
                cursor.fetchone()
        return time.perf_counter() - started

    def measure(name, fn):
        before, before_executing = executed[0], executing[0]
        with connection.execute_wrapper(count_query):
            started = time.perf_counter()
            result = fn()
            timings[name] += time.perf_counter() - started
        made = executed[0] - before
        in_execute[name] += executing[0] - before_executing
        queries[name] += made
        calls[name] += 1
        floors[name] += floor(made)
        return result

    def sign_all(agreement, signers, *, last_signs: bool):
        content_hash = agreement.frozen_version().content_hash
        for n, signer in enumerate(signers, start=1):
            measure(
                "sign (last)" if last_signs and n == len(signers) else "sign",
                lambda a=agreement, s=signer, h=content_hash: agreement_sign(
                    password=PASSWORD, authority_confirmed=True, agreement=a, actor=s, content_hash=h
                ),
            )

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
        sign_all(
            agreement, (world.initiative_signer1, world.initiative_signer2, world.municipal_signer), last_signs=True
        )

        # The ways back, on a second agreement: not part of the cycle's transitions per second.
        back = agreement_create(
            actor=world.drafter,
            initiative=world.initiative,
            municipality=world.municipality,
            title=f"Bench back {i}",
            form="cooperation_agreement",
            phase="orientation",
        )
        agreement_update_draft(
            agreement=back,
            actor=world.drafter,
            based_on_revision=1,
            sections=SECTIONS,
            responsibilities=rows,
            decision_moments=moments,
        )
        agreement_submit(agreement=back, actor=world.drafter)
        measure(
            "request_changes",
            lambda a=back: agreement_request_changes(agreement=a, actor=world.reviewer, note="Graag aanvullen."),
        )
        agreement_submit(agreement=back, actor=world.drafter)
        agreement_approve(agreement=back, actor=world.reviewer)
        sign_all(back, (world.initiative_signer1,), last_signs=False)
        measure("reopen", lambda a=back: agreement_reopen(agreement=a, actor=world.reviewer, note="Nog niet."))
        agreement_submit(agreement=back, actor=world.drafter)
        agreement_approve(agreement=back, actor=world.reviewer)
        measure(
            "decline",
            lambda a=back: agreement_decline_to_sign(agreement=a, actor=world.municipal_signer, reason="Niet zo."),
        )
        measure("withdraw", lambda a=back: agreement_withdraw(agreement=a, actor=world.drafter))
    cycle = ("create", "update_draft", "submit", "approve", "sign", "sign (last)")
    total = sum(timings[name] for name in cycle)  # the services' own time, without the floors

    transitions = calls["submit"] + calls["approve"] + count  # the last signature moves approved -> signed
    print(f"agreements: {count} on PostgreSQL {connection.pg_version // 10000}")
    print(f"cycle wall time: {total:.1f} s for {sum(calls[name] for name in cycle)} service calls")
    print(f"state transitions: {transitions} -> {transitions / total:.0f} per second (whole cycle counted)")
    print("floor: as many SELECT 1 round trips as the call made queries, in one transaction, right after it")
    print(f"{'service':<16}{'calls':>7}{'ms/call':>10}{'queries':>9}{'floor ms':>10}{'ratio':>7}{'in execute':>12}")
    for name in (*cycle, "request_changes", "reopen", "decline", "withdraw"):
        per_call = timings[name] / calls[name]
        per_query = queries[name] / calls[name]
        per_floor = floors[name] / calls[name]
        print(
            f"{name:<16}{calls[name]:>7}{per_call * 1000:>10.2f}{per_query:>9.1f}"
            f"{per_floor * 1000:>10.2f}{per_call / per_floor:>7.1f}{in_execute[name] / calls[name] * 1000:>12.2f}"
        )
    connections.close_all()
    drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
