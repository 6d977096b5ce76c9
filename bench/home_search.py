""" "Mijn afspraken" with a search at 1,500 agreements, as a ratio to a floor measured in the same run.

Seeds one initiative with 1,500 agreements (each with two neighbourhoods) in a
database of its own, which it creates and drops, and a second person whose
initiative has one agreement. The floor is the same page for that second
person: everything the page costs apart from the number of agreements (session,
middleware, the waiting list, the template). Then it times the page of the
person with 1,500 agreements: unfiltered, searched on a neighbourhood, on a
title word with a state, and on a reference. A ratio near 1 means the search
costs little more than the page itself. Without a search the page shows the
first rows of each state; a search or state lists its matches a page at a time
(one query more than without: the count of all the matches), so the number of
SQL queries does not depend on the number of agreements.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samenkader python bench/home_search.py [N]

Without a PostgreSQL DATABASE_URL it runs on a temporary SQLite file.
"""

from __future__ import annotations

import os
import statistics as stats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "samenkader_bench_home_search"
RUNS = 15


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunparse(urlparse(url)._replace(path=f"/{BENCH_DB}"))


def _admin(url: str, statement: str) -> None:
    import psycopg

    admin_url = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement)


def seed(count: int):
    from django.utils import timezone

    from agreements.choices import AgreementState, MembershipRole, OrganisationKind
    from agreements.models import Agreement, Membership, Neighbourhood, Organisation, User

    municipality = Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Gemeente", cbs_code="GM0193")
    big = Organisation.objects.create(kind=OrganisationKind.INITIATIVE, name="Grote coöperatie")
    small = Organisation.objects.create(kind=OrganisationKind.INITIATIVE, name="Kleine coöperatie")
    many = User.objects.create_user("veel@example.org", "bench-password-1", full_name="Veel Afspraken")
    few = User.objects.create_user("weinig@example.org", "bench-password-1", full_name="Eén Afspraak")
    Membership.objects.create(user=many, organisation=big, role=MembershipRole.DRAFTER)
    Membership.objects.create(user=few, organisation=small, role=MembershipRole.DRAFTER)
    states = [AgreementState.DRAFT, AgreementState.IN_REVIEW, AgreementState.SIGNED, AgreementState.WITHDRAWN]
    now = timezone.now()
    rows = [
        Agreement(
            reference=f"SK-2026-{i:04d}",
            title=f"Samenwerking warmte wijk {i}",
            initiative=big,
            municipality=municipality,
            created_by=many,
            state=states[i % len(states)],
            created_at=now,
            state_changed_at=now,
        )
        for i in range(1, count + 1)
    ]
    rows.append(
        Agreement(
            reference="SK-2026-9999",
            title="Samenwerking warmte wijk 1",
            initiative=small,
            municipality=municipality,
            created_by=few,
            created_at=now,
            state_changed_at=now,
        )
    )
    agreements = Agreement.objects.bulk_create(rows, batch_size=500)
    Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(agreement=a, position=p, name=f"Buurt {(a.pk + p) % 10}-{p}", cbs_code="")
            for a in agreements
            for p in range(2)
        ],
        batch_size=1000,
    )
    return many, few


def timed(client, params: dict) -> tuple[float, float, int]:
    """Median and best of RUNS requests, and the SQL queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/", params)  # warm up once
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get("/", params)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get("/", params)
    return stats.median(times), min(times), len(captured)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    url = postgres_url()
    temporary = None
    if url is not None:
        try:
            _admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            _admin(url, f"CREATE DATABASE {BENCH_DB}")
        except Exception as error:  # noqa: BLE001 - a bench says why it did not run
            print(f"bench/home_search.py: skipped — the PostgreSQL server does not answer ({error}).")
            return 0
        os.environ["DATABASE_URL"] = url
    else:
        temporary = tempfile.TemporaryDirectory()
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        call_command("migrate", verbosity=0)
        many, few = seed(count)
        print(f"{connection.vendor}: {count:,} agreements for one person, 1 for another")
        client = Client()
        client.force_login(few)
        floor, floor_best, floor_queries = timed(client, {"q": "wijk"})
        print(
            f"floor (the same page with 1 agreement): {floor * 1000:.1f} ms (best {floor_best * 1000:.1f} ms), "
            f"{floor_queries} SQL queries"
        )
        client.force_login(many)
        for label, params in (
            (f"all {count:,}, no search", {}),
            ("search on a neighbourhood (Buurt 3-1)", {"q": "Buurt 3-1"}),
            ("search on a title word, state draft", {"q": "wijk 1", "state": "draft"}),
            ("search on a reference", {"q": "SK-2026-0777"}),
        ):
            median, best, queries = timed(client, params)
            print(
                f"{label}: {median * 1000:.1f} ms (best {best * 1000:.1f} ms), {median / floor:.1f}× the floor, "
                f"{queries} SQL queries"
            )
    finally:
        connections.close_all()
        if url is not None:
            _admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if temporary is not None:
            temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
