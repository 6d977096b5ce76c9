"""The demo data tells a story: eighteen months of agreements in eight real municipalities, made through the
services at the moments the story says, so every figure of the advisor's progress overview is real.

Runs on SQLite and, with DATABASE_URL=postgres://..., on PostgreSQL, whose triggers refuse any later rewrite of
the audit log or the signatures: the timestamps must be right when the rows are written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from agreements.choices import AgreementState, AuditAction, CommitmentStatus, MembershipRole, OrganisationKind
from agreements.models import (
    AdvisorAccess,
    Agreement,
    AuditEvent,
    Comment,
    Membership,
    Organisation,
    Signature,
    User,
)
from workflow.demo.seed import seed_demo
from workflow.models import Notification, SentReminder
from workflow.monitoring.durations import duration_by_municipality, duration_stats
from workflow.monitoring.statistics import (
    monitored_agreements,
    municipality_options,
    stalled_agreements,
    upcoming_evaluations,
    upcoming_expiries,
)
from workflow.notifications.reminders import due_reminders

pytestmark = pytest.mark.django_db

# The municipalities and their CBS codes (CBS, Gemeentelijke indeling 2025).
REAL_MUNICIPALITIES = {
    "GM0193": ("Gemeente Zwolle", "OV"),
    "GM0150": ("Gemeente Deventer", "OV"),
    "GM1940": ("Gemeente De Fryske Marren", "FR"),
    "GM1900": ("Gemeente Súdwest-Fryslân", "FR"),
    "GM0216": ("Gemeente Culemborg", "GE"),
    "GM1699": ("Gemeente Noordenveld", "DR"),
    "GM0014": ("Gemeente Groningen", "GR"),
    "GM0344": ("Gemeente Utrecht", "UT"),
}

# The README's demo users: e-mail, name, organisation, roles.
DOCUMENTED_USERS = [
    ("initiatief@example.org", "Ingrid Jansen", "Buurtwarmte Zwolle-Oost", {"drafter", "signatory"}),
    ("bestuur@example.org", "Bas de Vries", "Buurtwarmte Zwolle-Oost", {"signatory", "admin"}),
    ("gemeente@example.org", "Gert Hoekstra", "Gemeente Zwolle", {"reviewer", "admin"}),
    ("wethouder@example.org", "Wilma Postma", "Gemeente Zwolle", {"signatory"}),
    ("adviseur@example.org", "Annelies Bakker", "Participatiecoalitie", {"admin"}),
]

SNAPSHOT_MODELS = (
    Organisation,
    User,
    Membership,
    Agreement,
    AuditEvent,
    Signature,
    Comment,
    AdvisorAccess,
    SentReminder,
    Notification,
)


def snapshot() -> dict:
    return {
        model.__name__: (model.objects.count(), sorted(model.objects.values_list("pk", flat=True)))
        for model in SNAPSHOT_MODELS
    }


def test_the_demo_tells_a_story_through_the_services_and_loads_once():
    seed_demo()
    now = timezone.now()
    today = timezone.localdate()

    # Eight real municipalities in six provinces, twelve initiatives; every other municipality of CBS's list is
    # there too, without members, for an initiative to pick.
    assert Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).count() == 342
    municipalities = Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY, memberships__isnull=False
    ).distinct()
    assert {m.cbs_code: (m.name, m.province) for m in municipalities} == REAL_MUNICIPALITIES
    assert len({m.province for m in municipalities}) >= 3
    assert Organisation.objects.filter(kind=OrganisationKind.INITIATIVE).count() >= 12

    # About forty agreements, begun over more than fifteen months, none in the future.
    agreements = Agreement.objects.all()
    assert 38 <= agreements.count() <= 45
    first, last = agreements.order_by("created_at")[0], agreements.order_by("-created_at")[0]
    assert last.created_at - first.created_at >= dt.timedelta(days=15 * 30)
    assert last.created_at < now
    assert not AuditEvent.objects.filter(at__gt=now).exists()
    assert not Signature.objects.filter(signed_at__gt=now).exists()
    # The whole life cycle is there: the ends too.
    states = set(agreements.values_list("state", flat=True))
    assert states == {s.value for s in AgreementState}

    # The log and the signatures carry the story's moments, written as they happened (never rewritten).
    for agreement in agreements:
        events = list(agreement.audit_events.order_by("at", "pk"))
        assert events[0].at == agreement.created_at
        assert events[0].action in (AuditAction.CREATED, AuditAction.AMENDED)
        assert [e.at for e in events] == sorted(e.at for e in events)
        milestones = {
            AuditAction.SUBMITTED: agreement.submitted_at,
            AuditAction.APPROVED: agreement.approved_at,
        }
        for action, moment in milestones.items():
            if moment is not None:
                assert max(e.at for e in events if e.action == action) == moment, (agreement, action)
        if agreement.signed_at:
            signatures = Signature.objects.filter(version__agreement=agreement).in_force()
            assert max(s.signed_at for s in signatures) == agreement.signed_at
            assert all(agreement.approved_at < s.signed_at for s in signatures)
            assert agreement.created_at < agreement.submitted_at < agreement.approved_at < agreement.signed_at
    for access in AdvisorAccess.objects.select_related("agreement"):
        assert access.granted_at >= access.agreement.created_at

    # Amendments: signed, amended, and superseded when the amendment was signed.
    superseded = agreements.filter(state=AgreementState.SUPERSEDED)
    assert superseded.count() >= 2
    for original in superseded:
        amendment = original.amendments.get(state=AgreementState.SIGNED)
        assert original.superseded_at == amendment.signed_at
        assert original.signed_at < amendment.created_at
    assert agreements.filter(supersedes__isnull=False, state=AgreementState.DRAFT).exists()
    expired = agreements.get(state=AgreementState.EXPIRED)
    assert expired.expired_at.date() > expired.valid_until
    assert agreements.filter(state=AgreementState.WITHDRAWN).exists()

    # The advisor's overview: several municipalities, real medians, things stalled and coming up.
    advisor = User.objects.get(email="adviseur@example.org")
    seen = monitored_agreements(advisor)
    assert municipality_options(advisor).count() >= 8
    stats = duration_stats(seen)
    assert stats.count >= 15
    for stage in ("review", "signing", "drafting", "total"):
        assert stats.median[stage] >= dt.timedelta(days=3), stage
    per_municipality = duration_by_municipality(seen)
    assert len(per_municipality) >= 8
    for row in per_municipality:
        assert row["median"]["review"] >= dt.timedelta(days=1), row["name"]
        assert row["median"]["signing"] >= dt.timedelta(days=1), row["name"]
    assert len({row["median"]["review"] for row in per_municipality}) >= 5  # the municipalities differ
    stalled = list(stalled_agreements(seen))
    assert any(a.state == AgreementState.IN_REVIEW for a in stalled)
    assert any(a.state == AgreementState.APPROVED for a in stalled)
    assert any(a.state == AgreementState.SIGNED for a in stalled)  # commitments that stopped moving
    assert (
        sum(a.state == AgreementState.SIGNED for a in stalled)
        < agreements.filter(state=AgreementState.SIGNED).count() / 2
    )
    assert upcoming_evaluations(seen, today=today).exists()
    assert upcoming_expiries(seen, today=today).exists()

    # After signing: commitments in every status, a decision moment that slipped, one evaluation finished and
    # one half-answered, an escalation one step up; and the advisor's overview tells it.
    from agreements.models import Commitment, Escalation, Evaluation
    from workflow.monitoring.after_signing import commitment_figures, evaluation_figures, open_escalations

    assert set(Commitment.objects.values_list("status", flat=True)) == {s.value for s in CommitmentStatus}
    signed_count = agreements.filter(state=AgreementState.SIGNED).count()
    assert Commitment.objects.values("agreement").distinct().count() >= signed_count
    evaluations = Evaluation.objects.all()
    assert evaluations.filter(completed_at__isnull=False).count() == 1
    half = evaluations.get(completed_at__isnull=True)
    assert half.responses.filter(submitted_at__isnull=False).count() == 1
    assert Escalation.objects.get().step == 1
    figures = commitment_figures(seen, today=today)
    assert figures.slipped >= 1 and figures.taken >= 1 and figures.tasks["done"] >= 2
    scored = evaluation_figures(seen, today=today)
    assert scored.completed == 1 and scored.running == 1 and len(scored.scores) == 9
    assert len(open_escalations(seen)) == 1

    # The documented demo users keep their names, roles and password; the staff user is staff.
    for email, name, organisation, roles in DOCUMENTED_USERS:
        user = User.objects.get(email=email)
        assert user.full_name == name
        assert user.check_password(settings.DEMO_PASSWORD)
        held = set(user.memberships.filter(organisation__name=organisation).values_list("role", flat=True))
        assert held == roles, email
    staff = User.objects.get(email="beheer@example.org")
    assert staff.is_staff and staff.is_superuser and staff.check_password(settings.DEMO_PASSWORD)
    # Every municipality has a reviewer and a signatory, every initiative a drafter.
    for municipality in municipalities:
        roles = set(municipality.memberships.values_list("role", flat=True))
        assert {MembershipRole.REVIEWER, MembershipRole.SIGNATORY} <= roles, municipality

    # Nobody was e-mailed, and the reminders due now count as sent: a first worker run sends no burst.
    assert not Notification.objects.exists()
    assert due_reminders() == []
    assert SentReminder.objects.exists()

    # The clock is the real one again.
    assert AuditEvent._meta.get_field("at").default is timezone.now
    assert abs(timezone.now() - now) < dt.timedelta(minutes=5)

    # Loading again changes nothing.
    before = snapshot()
    seed_demo()
    assert snapshot() == before


def test_the_readme_lists_every_demo_user():
    from pathlib import Path

    from workflow.demo.content import DEMO_USERS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Demo users", 1)[1].split("###", 1)[0]
    for email, *_rest in DEMO_USERS:
        assert f"`{email}`" in table, email
    assert "`beheer@example.org`" in table


def test_loading_the_demo_sends_no_task_and_leaves_the_documents_to_the_sweep(django_capture_on_commit_callbacks):
    from celery.signals import before_task_publish

    from workflow.documents.signed import signed_versions_without_document

    published: list[str] = []

    def count(sender=None, **kwargs):
        published.append(sender)

    before_task_publish.connect(count, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            held = seed_demo()
    finally:
        before_task_publish.disconnect(count)

    assert published == []
    # What would have been sent is waiting in the database: the signed versions' documents to make.
    waiting = signed_versions_without_document().count()
    assert waiting > 0
    assert held >= waiting
