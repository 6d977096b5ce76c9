"""Figures on the known data set (tests/monitoring/dataset.py) equal the ones worked out by hand.

The same tests run on SQLite (percentiles in Python) and on PostgreSQL
(percentile_cont in SQL); the PostgreSQL-only ones are marked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole, Phase, Province
from agreements.models import Agreement, Signature
from tests.factories import AgreementFactory, member
from workflow.monitoring.durations import duration_by_municipality, duration_stats, percentile_cont
from workflow.monitoring.statistics import (
    MonitoringFilters,
    counts_by_municipality,
    counts_by_province,
    days_since,
    monitored_agreements,
    overview_counts,
    signed_per_month,
    stalled_agreements,
    upcoming_evaluations,
    upcoming_expiries,
    waiting_for,
)

from .dataset import build_dataset

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def data(db):
    return build_dataset(NOW)


def refs(queryset) -> list[str]:
    return sorted(a.reference for a in queryset)


def test_percentile_matches_percentile_cont_by_hand():
    values = [dt.timedelta(days=d) for d in (25, 35, 55, 35, 80)]
    assert percentile_cont(values, 0.5) == 35 * DAY
    # sorted 25 35 35 55 80: position 0.9 * 4 = 3.6 -> 55 + 0.6 * (80 - 55) = 70
    assert percentile_cont(values, 0.9) == 70 * DAY
    assert percentile_cont([10 * DAY, 5 * DAY], 0.5) == dt.timedelta(days=7, hours=12)
    assert percentile_cont([], 0.5) is None


def test_counts_per_state_and_funnel(data):
    counts = overview_counts(monitored_agreements(data.zwolle_reviewer, now=NOW), now=NOW)
    # Zwolle: S1 S2 signed, D1 D2 draft, A1 approved; stalled: D1 (70 > 60 days), A1 (40 > 30).
    assert counts.total == 5
    assert counts.stalled == 2
    assert counts.by_state == {
        "draft": 2,
        "in_review": 0,
        "approved": 1,
        "signed": 2,
        "withdrawn": 0,
        "superseded": 0,
        "expired": 0,
    }
    assert counts.reached == {"draft": 5, "in_review": 3, "approved": 3, "signed": 2}


def test_everything_an_advisor_of_all_sees(data):
    # Grant every agreement to the advisor: the figures of the whole set.
    from agreements.models import AdvisorAccess, Agreement

    for agreement in Agreement.objects.exclude(reference__in=["S1", "R1"]):
        AdvisorAccess.objects.create(agreement=agreement, organisation=data.advisor_org, granted_by=data.creator)
    agreements = monitored_agreements(data.advisor, now=NOW)
    counts = overview_counts(agreements, now=NOW)
    assert counts.total == 11
    assert counts.stalled == 3  # D1, R1 (30 > 21), A1
    assert counts.by_state["signed"] == 4 and counts.by_state["expired"] == 1 and counts.by_state["withdrawn"] == 1
    # Reached review: 5 signed + R1 + R2 + A1; approval: 5 signed + A1; signed: 5 (S5 expired after signing).
    assert counts.reached == {"draft": 11, "in_review": 8, "approved": 6, "signed": 5}

    provinces = {row["province"]: row for row in counts_by_province(agreements, now=NOW)}
    assert set(provinces) == {Province.OVERIJSSEL, Province.GRONINGEN}
    assert provinces["OV"]["total"] == 9 and provinces["OV"]["stalled"] == 3
    assert provinces["GR"]["total"] == 2 and provinces["GR"]["state_in_review"] == 1
    assert provinces["GR"]["state_expired"] == 1 and provinces["GR"]["label"] == "Groningen"

    by_municipality = {row["name"]: row for row in counts_by_municipality(agreements, now=NOW)}
    assert list(by_municipality) == ["Gemeente Deventer", "Gemeente Groningen", "Gemeente Zwolle"]
    deventer = by_municipality["Gemeente Deventer"]
    assert (deventer["total"], deventer["state_signed"], deventer["state_in_review"]) == (4, 2, 1)
    assert (deventer["state_withdrawn"], deventer["stalled"]) == (1, 1)
    assert by_municipality["Gemeente Zwolle"]["stalled"] == 2

    durations = duration_stats(agreements)
    assert durations.count == 5
    # total 25 35 55 35 80; drafting 10 20 30 5 40; review 10 5 20 15 30; signing 5 10 5 15 10
    assert durations.median == {"total": 35 * DAY, "drafting": 20 * DAY, "review": 15 * DAY, "signing": 10 * DAY}
    assert durations.p90 == {"total": 70 * DAY, "drafting": 36 * DAY, "review": 26 * DAY, "signing": 13 * DAY}

    per_municipality = duration_by_municipality(agreements)
    assert [(r["name"], r["count"]) for r in per_municipality] == [
        ("Gemeente Deventer", 2),
        ("Gemeente Zwolle", 2),
        ("Gemeente Groningen", 1),
    ]
    half = dt.timedelta(hours=12)
    assert per_municipality[0]["median"] == {
        "total": 45 * DAY,
        "drafting": 17 * DAY + half,
        "review": 17 * DAY + half,
        "signing": 10 * DAY,
    }
    assert per_municipality[1]["median"] == {
        "total": 30 * DAY,
        "drafting": 15 * DAY,
        "review": 7 * DAY + half,
        "signing": 7 * DAY + half,
    }
    assert per_municipality[2]["median"] == {
        "total": 80 * DAY,
        "drafting": 40 * DAY,
        "review": 30 * DAY,
        "signing": 10 * DAY,
    }


def test_stalled_list_says_how_long_and_who_acts(data):
    from agreements.models import AdvisorAccess, Agreement

    for agreement in Agreement.objects.exclude(reference__in=["S1", "R1"]):
        AdvisorAccess.objects.create(agreement=agreement, organisation=data.advisor_org, granted_by=data.creator)
    stalled = list(stalled_agreements(monitored_agreements(data.advisor, now=NOW), now=NOW))
    assert [a.reference for a in stalled] == ["D1", "A1", "R1"]  # longest waiting first
    assert [days_since(a.state_changed_at, now=NOW) for a in stalled] == [70, 40, 30]
    waiting = [waiting_for(a) for a in stalled]
    assert [(w.step, [p.name for p in w.parties]) for w in waiting] == [
        ("submit", ["Buurtwarmte Zwolle-Oost"]),
        ("sign", ["Gemeente Zwolle"]),  # the initiative has signed already
        ("review", ["Gemeente Deventer"]),
    ]


def test_threshold_comes_from_settings(data, settings):
    settings.MONITORING_STALLED_AFTER_DAYS = {"draft": 5, "in_review": 21, "approved": 30}
    stalled = stalled_agreements(monitored_agreements(data.zwolle_reviewer, now=NOW), now=NOW)
    assert refs(stalled) == ["A1", "D1", "D2"]


def test_filters(data):
    def visible(**filters):
        return refs(monitored_agreements(data.zwolle_reviewer, MonitoringFilters(**filters), now=NOW))

    assert visible() == ["A1", "D1", "D2", "S1", "S2"]
    assert visible(state=AgreementState.DRAFT) == ["D1", "D2"]
    assert visible(phase=Phase.DEVELOPMENT) == ["S1"]
    assert visible(stalled_only=True) == ["A1", "D1"]
    assert visible(province=Province.GRONINGEN) == []
    assert visible(municipality_id=data.deventer.pk) == []  # a filter never widens what one may see
    assert visible(municipality_id=data.zwolle.pk, state=AgreementState.SIGNED) == ["S1", "S2"]


def test_signed_per_month_in_local_time(data):
    with timezone_override("Europe/Amsterdam"):
        months = signed_per_month(monitored_agreements(data.zwolle_reviewer), now=NOW)
    assert len(months) == 12
    assert months[0][0] == dt.date(2025, 7, 1) and months[-1][0] == dt.date(2026, 6, 1)
    # S1 signed on 26 January 2026, S2 on 7 March 2026.
    assert {m: n for m, n in months if n} == {dt.date(2026, 1, 1): 1, dt.date(2026, 3, 1): 1}


def test_upcoming_evaluations_and_expiries(data):
    from agreements.models import AdvisorAccess, Agreement

    for agreement in Agreement.objects.exclude(reference__in=["S1", "R1"]):
        AdvisorAccess.objects.create(agreement=agreement, organisation=data.advisor_org, granted_by=data.creator)
    agreements = monitored_agreements(data.advisor)
    today = NOW.date()
    # S2 evaluates in 169 days (too far); S5 is expired, so its evaluation no longer matters.
    assert refs(upcoming_evaluations(agreements, today=today)) == ["S1"]
    # S4's validity ended yesterday.
    assert refs(upcoming_expiries(agreements, today=today)) == ["S3"]
    assert refs(upcoming_evaluations(agreements, today=today, days=200)) == ["S1", "S2"]
    # The page counts them in its one aggregate query.
    counts = overview_counts(agreements, now=NOW, today=today)
    assert (counts.evaluations_due, counts.expiries_due) == (1, 1)


def test_visibility_of_the_figures(data):
    assert refs(monitored_agreements(data.advisor)) == ["R1", "S1"]
    assert refs(monitored_agreements(data.zwolle_reviewer)) == ["A1", "D1", "D2", "S1", "S2"]
    assert refs(monitored_agreements(data.deventer_initiative_member)) == ["R1", "S3", "S4", "W1"]
    assert refs(monitored_agreements(data.nobody)) == []
    assert overview_counts(monitored_agreements(data.advisor)).total == 2


def test_each_statistic_is_one_query(data):
    agreements = monitored_agreements(data.zwolle_reviewer, now=NOW)
    for compute in (
        lambda: overview_counts(agreements, now=NOW),
        lambda: counts_by_province(agreements, now=NOW),
        lambda: duration_stats(agreements),
        lambda: duration_by_municipality(agreements),
        lambda: signed_per_month(agreements, now=NOW),
        lambda: list(stalled_agreements(agreements, now=NOW)),
    ):
        with CaptureQueriesContext(connection) as queries:
            compute()
        assert len(queries) == 1


@pytest.mark.postgres
def test_postgres_computes_percentiles_in_sql(data):
    agreements = monitored_agreements(data.zwolle_reviewer, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        durations = duration_stats(agreements)
    assert "percentile_cont(ARRAY[0.5,0.9]) WITHIN GROUP" in queries[0]["sql"]
    # Zwolle: S1 (25 days: 10 / 10 / 5) and S2 (35 days: 20 / 5 / 10).
    assert durations.median["total"] == 30 * DAY
    assert durations.p90["total"] == 34 * DAY
    assert durations.median["review"] == dt.timedelta(days=7, hours=12)


def test_percentiles_of_nothing_are_empty(data):
    durations = duration_stats(monitored_agreements(data.nobody))
    assert durations.count == 0
    assert durations.median == dict.fromkeys(("total", "drafting", "review", "signing"))
    assert durations.p90 == dict.fromkeys(("total", "drafting", "review", "signing"))
    per_municipality = duration_by_municipality(monitored_agreements(data.nobody))
    assert per_municipality == []


def timezone_override(name):
    from django.utils import timezone

    return timezone.override(name)


def test_waiting_for_follows_the_signing_rule_with_four_eyes(world):
    """The stalled list's "waits for" asks Agreement.quorum_met_by_count, as signing itself does."""
    approved = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, created_by=world.drafter, approved=True
    )
    second = member(world.municipality, MembershipRole.SIGNATORY, email="tweede@example.org")
    Agreement.objects.filter(pk=approved.pk).update(approved_by=world.municipal_signer)
    version = approved.frozen_version()
    for party, signer in [(world.initiative, world.initiative_signer1), (world.municipality, world.municipal_signer)]:
        Signature.objects.create(version=version, party=party, signer=signer, content_hash=version.content_hash)

    def waits() -> tuple:
        rows = stalled_agreements(Agreement.objects.filter(pk=approved.pk), now=timezone.now() + dt.timedelta(days=90))
        return waiting_for(rows.get()).parties

    # The initiative has one of its two signatures; the municipality's one signature is the approver's
    # while it has two signatories, so four eyes keeps it waiting too (counting alone said it was done).
    assert waits() == (world.initiative, world.municipality)
    # With one active signatory left (the other's mandate ended), the approver's signature is enough.
    second.memberships.update(mandate_until=timezone.localdate() - dt.timedelta(days=1))
    assert waits() == (world.initiative,)
