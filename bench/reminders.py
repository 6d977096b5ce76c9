"""Reminders at scale: with 100,000 agreements in PostgreSQL, how long does selecting what is due take,
and how long do creating and delivering 1,000 reminder e-mails (file backend) take?

Run with `make bench` or `DATABASE_URL=postgres://... .venv/bin/python bench/reminders.py`. It uses a
database of its own (samenkader_bench_reminders on the same server), created and dropped here.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BENCH_DB = "samenkader_bench_reminders"
AGREEMENTS = 100_000
MUNICIPALITIES = 50
INITIATIVES = 500
OVERDUE_REVIEWS = 400  # x 2 reviewers = 800 reminders
OVERDUE_SIGNATURES = 100  # x 2 signatories (one per party) = 200 reminders


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench/reminders.py needs PostgreSQL: set DATABASE_URL=postgres://... (skipped).")
        return 0
    import psycopg

    parsed = urlparse(url)
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    mail_dir = tempfile.mkdtemp(prefix="samenkader-bench-mail-")
    os.environ.update(
        DATABASE_URL=urlunparse(parsed._replace(path=f"/{BENCH_DB}")),
        DJANGO_SETTINGS_MODULE="config.settings",
        EMAIL_HOST="",
        EMAIL_FILE_PATH=mail_dir,
        LOG_LEVEL="WARNING",
    )
    try:
        return run(mail_dir)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def seed() -> None:
    from django.utils import timezone

    from agreements.choices import AgreementState, MembershipRole, OrganisationKind
    from agreements.models import Agreement, Membership, Organisation, User

    municipalities = Organisation.objects.bulk_create(
        [
            Organisation(kind=OrganisationKind.MUNICIPALITY, name=f"Gemeente {i}", cbs_code=f"GM{i:04d}")
            for i in range(MUNICIPALITIES)
        ]
    )
    initiatives = Organisation.objects.bulk_create(
        [Organisation(kind=OrganisationKind.INITIATIVE, name=f"Energiecoöperatie {i}") for i in range(INITIATIVES)]
    )
    users, memberships = [], []
    roles = {
        OrganisationKind.MUNICIPALITY: [MembershipRole.REVIEWER, MembershipRole.REVIEWER, MembershipRole.SIGNATORY],
        OrganisationKind.INITIATIVE: [MembershipRole.DRAFTER, MembershipRole.SIGNATORY],
    }
    for org in municipalities + initiatives:
        for n, role in enumerate(roles[org.kind]):
            user = User(email=f"{role}{n}.{org.pk}@example.org", full_name=f"{role} {n} {org.name}")
            user.set_unusable_password()
            users.append(user)
            memberships.append((user, org, role))
    User.objects.bulk_create(users, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o, role=r) for u, o, r in memberships], batch_size=2000
    )

    now = timezone.now()
    today = timezone.localdate()
    creator = users[0]
    # Most agreements are not due: recent drafts and reviews, signed ones with far dates, closed ones.
    quiet_states = [
        (AgreementState.DRAFT, dt.timedelta(days=40)),
        (AgreementState.IN_REVIEW, dt.timedelta(days=2)),
        (AgreementState.APPROVED, dt.timedelta(days=1)),
        (AgreementState.SIGNED, dt.timedelta(days=200)),
        (AgreementState.WITHDRAWN, dt.timedelta(days=90)),
        (AgreementState.EXPIRED, dt.timedelta(days=400)),
    ]
    rows = []
    for i in range(AGREEMENTS):
        if i < OVERDUE_REVIEWS:
            state, waited = AgreementState.IN_REVIEW, dt.timedelta(days=10)
        elif i < OVERDUE_REVIEWS + OVERDUE_SIGNATURES:
            state, waited = AgreementState.APPROVED, dt.timedelta(days=9)
        else:
            state, waited = quiet_states[i % len(quiet_states)]
        signed = state == AgreementState.SIGNED
        rows.append(
            Agreement(
                reference=f"SK-B-{i:06d}",
                title=f"Samenwerking warmte wijk {i}",
                initiative=initiatives[i % INITIATIVES],
                municipality=municipalities[i % MUNICIPALITIES],
                created_by=creator,
                state=state,
                created_at=now - waited,
                state_changed_at=now - waited,
                evaluation_date=today + dt.timedelta(days=60 + i % 300) if signed else None,
                valid_until=today + dt.timedelta(days=400 + i % 700) if signed else None,
            )
        )
    Agreement.objects.bulk_create(rows, batch_size=5000)


def run(mail_dir: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflow.notifications.delivery import deliver_many
    from workflow.notifications.reminders import DELIVERY_BATCH, due_reminders, send_reminder

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated the bench database in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {AGREEMENTS:,} agreements in {time.perf_counter() - started:.1f} s")

    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            due = due_reminders()
            timings.append(time.perf_counter() - started)
    print(
        f"select what is due: {len(due):,} reminders in {min(timings) * 1000:.0f} ms "
        f"(best of 3; first {timings[0] * 1000:.0f} ms), {len(queries)} queries"
    )

    started = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():  # as send_due_reminders does: one commit, a savepoint per reminder
        ids = [pk for pk in (send_reminder(item) for item in due) if pk is not None]
    created = time.perf_counter() - started
    started = time.perf_counter()
    counts: dict[str, int] = {}
    for start in range(0, len(ids), DELIVERY_BATCH):
        for outcome, n in deliver_many(ids[start : start + DELIVERY_BATCH]).items():
            counts[outcome] = counts.get(outcome, 0) + n
    delivered = time.perf_counter() - started
    files = len(list(Path(mail_dir).glob("*.log")))
    print(f"create {len(ids):,} reminders (outbox row + once-per-period record): {created:.2f} s")
    print(f"deliver them (render nl/en HTML + text, file backend): {delivered:.2f} s, outcomes {counts}, {files} files")
    print(f"create and deliver in total: {created + delivered:.2f} s")
    again = due_reminders()
    print(f"due right after sending: {len(again)} (each at most once per period)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
