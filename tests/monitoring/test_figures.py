"""The overview's fast paths: visibility by scope, cached figures that follow every change, the export SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.choices import MembershipRole
from agreements.models import AdvisorAccess, Membership
from tests.factories import PASSWORD, AgreementFactory, UserFactory, member
from workflow.core.visibility import scoped_agreements, visibility_scope, visible_agreements
from workflow.lifecycle.services.advisors import advisor_grant, advisor_revoke
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve, agreement_submit
from workflow.lifecycle.services.signing import agreement_sign
from workflow.monitoring.statistics import monitored_agreements, overview_counts

from .dataset import build_dataset

OVERVIEW = "monitoring:overview"


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def spread(world):
    """Agreements seen through each branch: the parties', an advisor's grant, and of nobody's here."""
    w = world
    w.own = AgreementFactory(initiative=w.initiative, municipality=w.municipality)
    w.granted = AgreementFactory(initiative=w.other_initiative, municipality=w.other_municipality)
    w.cross = AgreementFactory(initiative=w.initiative, municipality=w.other_municipality)
    w.unseen = AgreementFactory(initiative=w.other_initiative, municipality=w.other_municipality)
    AdvisorAccess.objects.create(agreement=w.granted, organisation=w.advisor_org, granted_by=w.drafter)
    return w


def test_scoped_visibility_is_the_visibility_selector_for_every_kind_of_user(spread, staff):
    w = spread
    advising_drafter = member(w.initiative, MembershipRole.DRAFTER)
    Membership.objects.create(user=advising_drafter, organisation=w.advisor_org, role=MembershipRole.DRAFTER)
    reviewing_drafter = member(w.other_initiative, MembershipRole.DRAFTER)
    Membership.objects.create(user=reviewing_drafter, organisation=w.municipality, role=MembershipRole.REVIEWER)
    staff_member = member(w.other_municipality, MembershipRole.REVIEWER, is_staff=True)
    inactive = member(w.municipality, MembershipRole.REVIEWER, is_active=False)
    expected = {
        w.advisor: {w.granted.pk},
        w.reviewer: {w.own.pk},
        w.drafter: {w.own.pk, w.cross.pk},
        w.outsider: {w.granted.pk, w.unseen.pk},
        w.other_reviewer: {w.granted.pk, w.cross.pk, w.unseen.pk},
        advising_drafter: {w.own.pk, w.cross.pk, w.granted.pk},  # the UNION of two branches
        reviewing_drafter: {w.own.pk, w.granted.pk, w.unseen.pk},  # two party branches, ORed
        staff: set(),  # staff see through memberships, like everyone
        staff_member: {w.granted.pk, w.cross.pk, w.unseen.pk},
        inactive: set(),
        UserFactory(): set(),
    }
    for user, agreements in expected.items():
        assert _ids(scoped_agreements(user)) == agreements, user.email
        assert _ids(scoped_agreements(user)) == _ids(visible_agreements(user)), user.email
        assert _ids(monitored_agreements(user)) == agreements, user.email


def test_the_scope_writes_only_the_branches_that_have_rows(spread):
    w = spread
    reviewer_sql = str(scoped_agreements(w.reviewer).query).split("WHERE")[1]
    assert "municipality_id" in reviewer_sql and "advisoraccess" not in reviewer_sql and "EXISTS" not in reviewer_sql
    assert visibility_scope(w.advisor).advisor_ids == (w.advisor_org.pk,)
    assert "initiative_id" not in str(scoped_agreements(w.advisor).query).split("WHERE")[1]
    # Membership in an organisation without agreements adds no branch.
    assert visibility_scope(w.outsider).municipality_ids == ()


def test_the_page_keeps_its_visibility_for_each_kind_of_user(client, spread, staff):
    w = spread
    for user, shown in (
        (w.advisor, {w.granted.reference}),
        (w.reviewer, {w.own.reference}),
        (w.drafter, {w.own.reference, w.cross.reference}),
    ):
        client.force_login(user)
        response = client.get(reverse(OVERVIEW))
        assert {a.reference for a in response.context["agreements"]["page"]} == shown
        assert response.context["counts"].total == len(shown)
    client.force_login(staff)  # staff without a membership: the page is for members
    assert client.get(reverse(OVERVIEW)).status_code == 403


def _fill(agreement, actor):
    agreement_update_draft(
        agreement=agreement,
        actor=actor,
        based_on_revision=1,
        sections={key: f"Tekst voor {key}" for key in ("aim", "roles", "process", "resources", "communication")}
        | {key: f"Tekst voor {key}" for key in ("information", "escalation", "evaluation", "duration")},
        responsibilities=[
            {"task": "Buurt betrekken", "phase": "orientation", "initiative_role": "R", "municipality_role": "C"},
            {"task": "Besluit college", "phase": "orientation", "initiative_role": "I", "municipality_role": "A"},
        ],
        decision_moments=[{"title": "Go/no-go", "deciding_body": "college", "planned_date": dt.date(2027, 1, 1)}],
    )


def _sign(agreement, actor):
    agreement.refresh_from_db()
    agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=actor,
        content_hash=agreement.frozen_version().content_hash,
    )


def _figures(client, user) -> dict:
    client.force_login(user)
    context = client.get(reverse(OVERVIEW)).context
    return {
        "signed": context["durations"].count,
        "per_month": sum(row["count"] for row in context["month_rows"]),
        "approved": context["counts"].reached["approved"],
        "municipalities": [row["name"] for row in context["time_rows"]],
    }


def test_cached_figures_change_after_approve_and_sign(client, world, django_capture_on_commit_callbacks, monkeypatch):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        draft = agreement_create(
            actor=w.drafter,
            initiative=w.initiative,
            municipality=w.municipality,
            title="Warmtenet Oost",
            form="letter_of_intent",
            phase="orientation",
            neighbourhoods=[],
        )
        _fill(draft, w.drafter)
        agreement_submit(agreement=draft, actor=w.drafter)
    before = _figures(client, w.reviewer)
    assert before == {"signed": 0, "per_month": 0, "approved": 0, "municipalities": []}
    assert _figures(client, w.reviewer) == before  # from the cache now

    with django_capture_on_commit_callbacks(execute=True):
        agreement_approve(agreement=draft, actor=w.reviewer)
    assert _figures(client, w.reviewer)["approved"] == 1

    # Signed, but the tokens are renewed only after commit: until then the cache answers.
    with django_capture_on_commit_callbacks() as renewals:
        for signer in (w.initiative_signer1, w.initiative_signer2, w.municipal_signer):
            _sign(draft, signer)
    assert _figures(client, w.reviewer)["signed"] == 0
    for renew in renewals:
        renew()
    # The counts follow at once; the figures of the long run (how long each step took, signed per month) are
    # computed again at most every MONITORING_LONG_RUN_MINUTES (15), which the page says.
    page = client.get(reverse(OVERVIEW))
    assert page.context["counts"].reached["signed"] == 1
    assert _figures(client, w.reviewer) == {"signed": 0, "per_month": 0, "approved": 1, "municipalities": []}
    assert "ten hoogste elke 15 minuten opnieuw berekend" in page.content.decode()
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = _figures(client, w.reviewer)
    assert after == {"signed": 1, "per_month": 1, "approved": 1, "municipalities": ["Gemeente Test"]}
    # The other parties' figures followed too; an unrelated municipality's did not need to.
    assert _figures(client, w.drafter)["signed"] == 1
    assert _figures(client, w.other_reviewer)["signed"] == 0


def test_granting_and_revoking_an_advisor_renews_the_advisors_figures(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    signed = AgreementFactory(initiative=w.initiative, municipality=w.municipality, signed=True)
    other = AgreementFactory(initiative=w.initiative, municipality=w.other_municipality, signed=True)
    with django_capture_on_commit_callbacks(execute=True):
        advisor_grant(agreement=other, actor=w.drafter, advisor=w.advisor_org)
    assert _figures(client, w.advisor)["signed"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        advisor_grant(agreement=signed, actor=w.drafter, advisor=w.advisor_org)
    assert _figures(client, w.advisor)["signed"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        advisor_revoke(agreement=signed, actor=w.drafter, advisor=w.advisor_org)
    figures = _figures(client, w.advisor)
    assert figures["signed"] == 1 and figures["municipalities"] == ["Gemeente Anders"]
    # The filter no longer offers the municipality the advisor cannot see any more.
    client.force_login(w.advisor)
    offered = client.get(reverse(OVERVIEW)).context["form"].fields["municipality"].choices
    assert [label for value, label in offered if value] == ["Gemeente Anders"]


def test_cached_counts_follow_the_clock_when_an_agreement_stalls(client, db, monkeypatch):
    now = timezone.now()
    data = build_dataset(now)
    client.force_login(data.zwolle_reviewer)
    assert client.get(reverse(OVERVIEW)).context["counts"].stalled == 2  # D1 and A1
    # D2 has been a draft for ten days; fifty-one days on it has waited past the sixty.
    later = now + dt.timedelta(days=51)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.force_login(data.zwolle_reviewer)
    counts = client.get(reverse(OVERVIEW)).context["counts"]
    assert counts.stalled == 3
    assert counts == overview_counts(monitored_agreements(data.zwolle_reviewer), now=later)


@pytest.mark.postgres
def test_the_export_sql_writes_what_the_csv_module_writes(client, db, monkeypatch):
    from agreements.models import Agreement
    from workflow.monitoring import export

    now = timezone.now()
    data = build_dataset(now)
    Agreement.objects.filter(reference="S1").update(title='=HYPERLINK("x"); de "wijk", samen')
    Agreement.objects.filter(reference="S2").update(title="-1 @ ëén, €")
    Agreement.objects.filter(reference="D1").update(title="\ttab")
    data.ini_zwolle.name = "+Zwolle; Oost"
    data.ini_zwolle.save()
    monkeypatch.setattr(timezone, "now", lambda: now)
    client.force_login(data.zwolle_reviewer)

    def body(name):
        return b"".join(client.get(reverse(name)).streaming_content)

    by_database = {name: body(name) for name in ("monitoring:export_csv", "monitoring:export_csv_excel_nl")}

    class Elsewhere:
        vendor = "sqlite"

    monkeypatch.setattr(export, "connection", Elsewhere())
    for name, written in by_database.items():
        assert written.decode().splitlines() == body(name).decode().splitlines()
        assert written == body(name)
    assert b"'=HYPERLINK" in written and b"\r\n" in written
