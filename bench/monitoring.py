"""The monitoring overview at national scale: server time, SQL queries, export time, on PostgreSQL.

Seeds 100,000 agreements over 342 municipalities and 1,000,000 audit events,
and for each agreement that reached signed its version and eight commitments
(COPY) into a database of its own, which it creates and drops, then renders
the overview for an advisor who may see every agreement and for one
municipality, and times the CSV and XLSX export of the whole list.

The overview is timed three times: with every cached figure computed again (the
cache emptied before each run), as the first view after a change to one of the
viewer's agreements (their tokens renewed; the figures of the long run stay in
the cache), and from the cache. Set CACHE_URL=redis://… to time it with the shared
cache production uses; without it the cache is in memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samenkader python bench/monitoring.py [--keep]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics as stats
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "samenkader_bench_monitoring"
AGREEMENTS = 100_000
EVENTS = 1_000_000
MUNICIPALITIES = 342
INITIATIVES = 2_000
PROVINCES = ["DR", "FL", "FR", "GE", "GR", "LI", "NB", "NH", "OV", "UT", "ZE", "ZH"]


def bench_database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunparse(urlparse(url)._replace(path=f"/{BENCH_DB}"))


def _admin_url(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def server_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_admin_url(url), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def recreate_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


# The state mix of a national portfolio a few years in.
STATE_WEIGHTS = {
    "draft": 18,
    "in_review": 9,
    "approved": 6,
    "signed": 45,
    "withdrawn": 8,
    "superseded": 6,
    "expired": 8,
}


def _plan(rng: random.Random, now: dt.datetime, i: int) -> dict:
    state = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
    created = now - dt.timedelta(days=rng.uniform(1, 1100))
    row = {"state": state, "created_at": created, "changed": created}
    reached_signed = state in ("signed", "superseded", "expired")
    if state in ("in_review", "approved") or reached_signed:
        row["submitted_at"] = created + dt.timedelta(days=rng.uniform(3, 120))
        row["changed"] = row["submitted_at"]
    if state == "approved" or reached_signed:
        row["approved_at"] = row["submitted_at"] + dt.timedelta(days=rng.uniform(1, 60))
        row["changed"] = row["approved_at"]
    if reached_signed:
        row["signed_at"] = row["approved_at"] + dt.timedelta(days=rng.uniform(0.5, 45))
        row["changed"] = row["signed_at"]
        row["evaluation_date"] = (row["signed_at"] + dt.timedelta(days=365)).date()
        row["valid_until"] = (row["signed_at"] + dt.timedelta(days=rng.choice([730, 1095, 1460]))).date()
    if state in ("withdrawn", "superseded", "expired"):
        row["changed"] = row["changed"] + dt.timedelta(days=rng.uniform(1, 200))
    # Nothing happens in the future.
    for key in ("submitted_at", "approved_at", "signed_at", "changed"):
        if key in row and row[key] > now:
            row[key] = now - dt.timedelta(hours=1)
    return row


def seed(now: dt.datetime) -> dict:
    from django.db import connection

    from agreements.choices import MembershipRole, OrganisationKind
    from agreements.models import Membership, Organisation, User

    rng = random.Random(20261129)
    municipalities = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.MUNICIPALITY,
                name=f"Gemeente {i:03d}",
                cbs_code=f"GM{i:04d}",
                province=PROVINCES[i % len(PROVINCES)],
            )
            for i in range(1, MUNICIPALITIES + 1)
        ]
    )
    initiatives = Organisation.objects.bulk_create(
        [
            Organisation(kind=OrganisationKind.INITIATIVE, name=f"Energiecoöperatie {i:04d}", province="OV")
            for i in range(INITIATIVES)
        ]
    )
    advisor_org = Organisation.objects.create(kind=OrganisationKind.ADVISOR, name="Participatiecoalitie")
    creator = User.objects.create_user("maker@example.org", "bench-password-1", full_name="Maker")
    advisor = User.objects.create_user("adviseur@example.org", "bench-password-1", full_name="Adviseur")
    reviewer = User.objects.create_user("gemeente@example.org", "bench-password-1", full_name="Gemeente")
    Membership.objects.create(user=advisor, organisation=advisor_org, role=MembershipRole.DRAFTER)
    Membership.objects.create(user=reviewer, organisation=municipalities[0], role=MembershipRole.REVIEWER)

    plans = [_plan(rng, now, i) for i in range(AGREEMENTS)]
    columns = (
        "reference, title, form, language, initiative_id, municipality_id, phase, state, created_by_id, "
        "created_at, state_changed_at, submitted_at, approved_at, signed_at, evaluation_date, valid_until"
    )
    phases = ["orientation", "development", "realisation", "operation"]
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY agreements_agreement ({columns}) FROM STDIN") as copy:
            for i, p in enumerate(plans):
                municipality = municipalities[i % MUNICIPALITIES if i % 7 else 0]
                copy.write_row(
                    (
                        f"SK-B-{i:06d}",
                        f"Samenwerking warmte wijk {i}",
                        "cooperation_agreement",
                        "nl",
                        initiatives[i % INITIATIVES].pk,
                        municipality.pk,
                        phases[i % 4],
                        p["state"],
                        creator.pk,
                        p["created_at"],
                        p["changed"],
                        p.get("submitted_at"),
                        p.get("approved_at"),
                        p.get("signed_at"),
                        p.get("evaluation_date"),
                        p.get("valid_until"),
                    )
                )
        cursor.execute("SELECT id, state, created_at, state_changed_at FROM agreements_agreement ORDER BY id")
        agreements = cursor.fetchall()
        # The advisor may see everything: the national view.
        with cursor.copy(
            "COPY agreements_advisoraccess (agreement_id, organisation_id, granted_by_id, granted_at) FROM STDIN"
        ) as copy:
            for pk, _state, created_at, _changed in agreements:
                copy.write_row((pk, advisor_org.pk, creator.pk, created_at))
        # Ten log rows per agreement on average: creation, edits, comments, the state changes.
        per_agreement = EVENTS // AGREEMENTS
        with cursor.copy(
            "COPY agreements_auditevent (agreement_id, actor_id, action, from_state, to_state, version_number, at, "
            "user_agent, note, request_id, api_token) FROM STDIN"
        ) as copy:
            for pk, state, created_at, changed in agreements:
                span = max((changed - created_at).total_seconds(), 60.0)
                copy.write_row((pk, creator.pk, "created", "", "draft", 1, created_at, "", "", "", ""))
                for k in range(1, per_agreement - 1):
                    at = created_at + dt.timedelta(seconds=span * k / per_agreement)
                    action = "draft_updated" if k % 3 else "commented"
                    copy.write_row((pk, creator.pk, action, "", "", 1, at, "", "", "", ""))
                copy.write_row((pk, creator.pk, "submitted", "draft", state, 1, changed, "", "", "", ""))
        _seed_commitments(cursor, rng, agreements, creator_id=creator.pk, now=now)
        cursor.execute("ANALYZE")
    return {"advisor": advisor, "reviewer": reviewer}


# Per agreement that reached signed: its signed version and what it committed to (six tasks, two decisions).
TASKS_PER_AGREEMENT = 6
DECISIONS_PER_AGREEMENT = 2


def _seed_commitments(cursor, rng: random.Random, agreements: list, *, creator_id: int, now: dt.datetime) -> None:
    """A frozen version for every agreement that reached signed, and its commitments in every status, so the
    figures after signing count real rows (about 470,000 commitments)."""
    reached = [
        (pk, changed) for pk, state, _created, changed in agreements if state in ("signed", "superseded", "expired")
    ]
    with cursor.copy(
        "COPY agreements_agreementversion (agreement_id, number, revision, created_at, updated_at, frozen_at, "
        "canonical_json, content_hash, created_by_id, part_revisions) FROM STDIN"
    ) as copy:
        for pk, changed in reached:
            copy.write_row((pk, 1, 1, changed, changed, changed, "{}", f"{pk:064x}", creator_id, "{}"))
    cursor.execute("SELECT agreement_id, id FROM agreements_agreementversion")
    version_of = dict(cursor.fetchall())
    today = now.date()
    statuses = ["planned", "planned", "in_progress", "done", "done", "postponed", "lapsed"]
    with cursor.copy(
        "COPY agreements_commitment (agreement_id, version_id, kind, position, title, phase, deciding_body, "
        "instrument, responsible, status, signed_date, planned_date, actual_date, outcome, created_at, updated_at) "
        "FROM STDIN"
    ) as copy:
        for pk, signed in reached:
            for position in range(TASKS_PER_AGREEMENT + DECISIONS_PER_AGREEMENT):
                task = position < TASKS_PER_AGREEMENT
                planned = signed.date() + dt.timedelta(days=rng.randint(30, 900))
                status = rng.choice(statuses)
                done = status == "done"
                outcome = "" if task or not done else rng.choice(["yes", "no", "adjusted"])
                moved = min(signed + dt.timedelta(days=rng.uniform(0, 400)), now)
                copy.write_row(
                    (
                        pk,
                        version_of[pk],
                        "task" if task else "decision",
                        position if task else position - TASKS_PER_AGREEMENT,
                        f"Afspraak {position}",
                        "realisation" if task else "",
                        "" if task else "college",
                        "",
                        rng.choice(["initiative", "municipality", "both"]),
                        status,
                        planned,
                        planned,
                        min(planned, today) if done else None,
                        outcome,
                        signed,
                        moved,
                    )
                )


def _time(callable_, runs: int = 5) -> tuple[float, float, int]:
    """Median and best of ``runs`` runs (the best is the one least disturbed by other work), and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            callable_()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return stats.median(times), min(times), queries


def main() -> int:
    keep = "--keep" in sys.argv
    url = bench_database_url()
    if url is None:
        print("bench/monitoring.py: skipped — set DATABASE_URL=postgres://… (the figures are for PostgreSQL).")
        return 0
    if not server_answers(url):
        print("bench/monitoring.py: skipped — the PostgreSQL server in DATABASE_URL does not answer.")
        return 0
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        people = seed(timezone.now())
        print(f"seeded {AGREEMENTS:,} agreements and {EVENTS:,} audit events in {time.perf_counter() - started:.1f} s")

        # The floor: read every agreement's id and title into Python once. The figures below are
        # also given as multiples of it, which vary less than milliseconds on a busy machine.
        from agreements.models import Agreement

        floor, _best, _queries = _time(lambda: list(Agreement.objects.order_by().values_list("pk", "title")))
        print(f"floor (100,000 ids and titles into Python): {floor * 1000:.0f} ms")

        def times_floor(seconds: float) -> str:
            return f"{seconds / floor:.1f}× floor"

        from workflow.core.figures import renew_tokens
        from workflow.core.visibility import visibility_scope

        client = Client()
        for who, user in (
            ("advisor, all 100,000 agreements", people["advisor"]),
            ("one municipality", people["reviewer"]),
        ):
            client.force_login(user)

            def overview(params=None):
                response = client.get("/voortgang/", params or {})
                assert response.status_code == 200, response.status_code
                return response

            overview()  # warm the connection once

            def cold_overview():
                # Every cached figure computed again: the cache emptied (the figures of the long run included).
                cache.clear()
                overview()

            median, best, queries = _time(cold_overview)
            print(
                f"overview, every cached figure computed again ({who}): {median * 1000:.0f} ms server time "
                f"(best {best * 1000:.0f} ms, {times_floor(median)}), {queries} SQL queries"
            )
            organisations = visibility_scope(user).organisation_ids

            def after_a_change(organisations=organisations):
                # As a change to one of the viewer's agreements does after commit: their tokens renewed; the
                # figures of the long run stay (computed again at most every MONITORING_LONG_RUN_MINUTES).
                renew_tokens(organisations)
                overview()

            median, best, queries = _time(after_a_change)
            print(
                f"overview, first view after a change ({who}): {median * 1000:.0f} ms server time "
                f"(best {best * 1000:.0f} ms, {times_floor(median)}), {queries} SQL queries"
            )
            median, best, queries = _time(overview)
            print(
                f"overview ({who}): {median * 1000:.0f} ms server time (best {best * 1000:.0f} ms, "
                f"{times_floor(median)}), {queries} SQL queries"
            )
            median, best, queries = _time(lambda: overview({"stalled": "on", "province": "OV"}))
            print(
                f"overview filtered (stalled, Overijssel) ({who}): {median * 1000:.0f} ms (best {best * 1000:.0f} ms), "
                f"{queries} SQL queries"
            )

            def export_csv():
                response = client.get("/voortgang/export.csv")
                return sum(len(chunk) for chunk in response.streaming_content)

            size = export_csv()
            seconds, _best, queries = _time(export_csv, runs=1)
            print(
                f"CSV export ({who}): {seconds:.2f} s ({times_floor(seconds)}), {size / 1e6:.1f} MB, "
                f"{queries} SQL queries"
            )
        # Excel stops at 10,000 rows; the approved agreements are about 6,000.
        rows = Agreement.objects.filter(state="approved").count()
        client.force_login(people["advisor"])

        def export_xlsx():
            response = client.get("/voortgang/export.xlsx", {"state": "approved"})
            assert response.status_code == 200, response.status_code

        seconds, _best, _queries = _time(export_xlsx, runs=1)
        print(f"XLSX export (advisor, {rows:,} approved agreements): {seconds:.2f} s ({times_floor(seconds)})")
    finally:
        connections.close_all()
        if not keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
