"""A small, known set of agreements whose figures are worked out by hand in the tests.

Times are given relative to ``now`` so the same set serves the fixed-date
statistics tests and the pages (which use the real clock).

| agreement | municipality | state     | created | submit | approve | sign (days after created) |
| S1        | Zwolle       | signed    | now-165 | +10    | +20     | +25 (total 25) |
| S2        | Zwolle       | signed    | now-135 | +20    | +25     | +35 (total 35) |
| S3        | Deventer     | signed    | now-105 | +30    | +50     | +55 (total 55) |
| S4        | Deventer     | signed    | now-75  | +5     | +20     | +35 (total 35) |
| S5        | Groningen    | expired   | now-470 | +40    | +70     | +80 (total 80) |
| D1        | Zwolle       | draft     | since now-70 (stalled: > 60) |
| D2        | Zwolle       | draft     | since now-10 |
| R1        | Deventer     | in_review | since now-30 (stalled: > 21) |
| R2        | Groningen    | in_review | since now-5 |
| A1        | Zwolle       | approved  | since now-40 (stalled: > 30), the initiative has signed |
| W1        | Deventer     | withdrawn | since now-100 (withdrawn from draft) |
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from agreements.choices import AgreementState, MembershipRole, Phase, Province
from agreements.models import AdvisorAccess, Agreement, AgreementVersion, Signature
from tests.factories import OrganisationFactory, UserFactory, member

DAY = dt.timedelta(days=1)


def _agreement(w, ref, municipality, initiative, state, *, created, changed, phase=Phase.ORIENTATION, **fields):
    return Agreement(
        reference=ref,
        title=f"Warmte {ref}",
        initiative=initiative,
        municipality=municipality,
        created_by=w.creator,
        state=state,
        phase=phase,
        created_at=created,
        state_changed_at=changed,
        **fields,
    )


def signed_fields(now, created_days_ago, submit, approve, sign):
    created = now - created_days_ago * DAY
    return {
        "created": created,
        "changed": created + sign * DAY,
        "submitted_at": created + submit * DAY,
        "approved_at": created + approve * DAY,
        "signed_at": created + sign * DAY,
    }


def build_dataset(now: dt.datetime) -> SimpleNamespace:
    w = SimpleNamespace(now=now)
    w.zwolle = OrganisationFactory(
        municipality=True, name="Gemeente Zwolle", cbs_code="GM0193", province=Province.OVERIJSSEL
    )
    w.deventer = OrganisationFactory(
        municipality=True, name="Gemeente Deventer", cbs_code="GM0150", province=Province.OVERIJSSEL
    )
    w.groningen = OrganisationFactory(
        municipality=True, name="Gemeente Groningen", cbs_code="GM0014", province=Province.GRONINGEN
    )
    w.ini_zwolle = OrganisationFactory(name="Buurtwarmte Zwolle-Oost")
    w.ini_deventer = OrganisationFactory(name="Energie Deventer-Noord")
    w.ini_groningen = OrganisationFactory(name="Warm Groningen")
    w.advisor_org = OrganisationFactory(advisor=True, name="Participatiecoalitie")
    w.creator = UserFactory(email="maker@example.org")

    w.advisor = member(w.advisor_org, MembershipRole.DRAFTER, email="adviseur@example.org")
    w.zwolle_reviewer = member(w.zwolle, MembershipRole.REVIEWER, email="zwolle@example.org")
    w.deventer_initiative_member = member(w.ini_deventer, MembershipRole.DRAFTER, email="deventer-ini@example.org")
    w.nobody = UserFactory(email="niemand@example.org")

    z, d, g = w.zwolle, w.deventer, w.groningen
    iz, id_, ig = w.ini_zwolle, w.ini_deventer, w.ini_groningen
    rows = [
        _agreement(
            w, "S1", z, iz, AgreementState.SIGNED, phase=Phase.DEVELOPMENT, **signed_fields(now, 165, 10, 20, 25)
        ),
        _agreement(w, "S2", z, iz, AgreementState.SIGNED, **signed_fields(now, 135, 20, 25, 35)),
        _agreement(w, "S3", d, id_, AgreementState.SIGNED, **signed_fields(now, 105, 30, 50, 55)),
        _agreement(w, "S4", d, id_, AgreementState.SIGNED, **signed_fields(now, 75, 5, 20, 35)),
        _agreement(w, "S5", g, ig, AgreementState.EXPIRED, **signed_fields(now, 470, 40, 70, 80)),
        _agreement(w, "D1", z, iz, AgreementState.DRAFT, created=now - 70 * DAY, changed=now - 70 * DAY),
        _agreement(w, "D2", z, iz, AgreementState.DRAFT, created=now - 10 * DAY, changed=now - 10 * DAY),
        _agreement(
            w,
            "R1",
            d,
            id_,
            AgreementState.IN_REVIEW,
            created=now - 50 * DAY,
            changed=now - 30 * DAY,
            submitted_at=now - 30 * DAY,
        ),
        _agreement(
            w,
            "R2",
            g,
            ig,
            AgreementState.IN_REVIEW,
            phase=Phase.DEVELOPMENT,
            created=now - 20 * DAY,
            changed=now - 5 * DAY,
            submitted_at=now - 5 * DAY,
        ),
        _agreement(
            w,
            "A1",
            z,
            iz,
            AgreementState.APPROVED,
            created=now - 60 * DAY,
            changed=now - 40 * DAY,
            submitted_at=now - 50 * DAY,
            approved_at=now - 40 * DAY,
        ),
        _agreement(w, "W1", d, id_, AgreementState.WITHDRAWN, created=now - 120 * DAY, changed=now - 100 * DAY),
    ]
    created = Agreement.objects.bulk_create(rows)
    w.by_ref = {a.reference: a for a in created}
    # Upcoming dates: S1 evaluates within 90 days, S2 not; S3 expires within 90 days, S4 has already passed.
    today = now.date()
    Agreement.objects.filter(reference="S1").update(evaluation_date=today + 16 * DAY)
    Agreement.objects.filter(reference="S2").update(evaluation_date=today + 169 * DAY)
    Agreement.objects.filter(reference="S3").update(valid_until=today + 47 * DAY)
    Agreement.objects.filter(reference="S4").update(valid_until=today - 1 * DAY)
    Agreement.objects.filter(reference="S5").update(evaluation_date=today + 10 * DAY)

    # A1 waits for the municipality: the initiative's one required signature is there.
    a1 = w.by_ref["A1"]
    version = AgreementVersion.objects.create(agreement=a1, number=1, created_by=w.creator, frozen_at=now - 40 * DAY)
    signer = member(iz, MembershipRole.SIGNATORY, email="bestuur@example.org")
    Signature.objects.create(version=version, party=iz, signer=signer, content_hash="0" * 64)

    # The advisor was granted S1 and R1 only.
    for ref in ("S1", "R1"):
        AdvisorAccess.objects.create(agreement=w.by_ref[ref], organisation=w.advisor_org, granted_by=w.creator)
    return w


def bulk_agreements(n: int, *, municipalities, initiative, creator, now: dt.datetime, prefix: str = "B") -> None:
    """``n`` agreements spread over states and municipalities, written in batches (for the scale tests)."""
    states = [AgreementState.DRAFT, AgreementState.IN_REVIEW, AgreementState.APPROVED, AgreementState.SIGNED]
    rows = []
    for i in range(n):
        state = states[i % len(states)]
        created = now - (i % 400 + 30) * DAY
        fields = {}
        if state in (AgreementState.IN_REVIEW, AgreementState.APPROVED, AgreementState.SIGNED):
            fields["submitted_at"] = created + 7 * DAY
        if state in (AgreementState.APPROVED, AgreementState.SIGNED):
            fields["approved_at"] = created + 14 * DAY
        if state == AgreementState.SIGNED:
            fields["signed_at"] = created + (20 + i % 9) * DAY
            fields["evaluation_date"] = (now + (i % 200) * DAY).date()
            fields["valid_until"] = (now + (i % 300) * DAY).date()
        rows.append(
            Agreement(
                reference=f"{prefix}-{i:06d}",
                title=f"Afspraak {i}",
                initiative=initiative,
                municipality=municipalities[i % len(municipalities)],
                created_by=creator,
                state=state,
                created_at=created,
                state_changed_at=fields.get("signed_at") or fields.get("approved_at") or created,
                **fields,
            )
        )
    Agreement.objects.bulk_create(rows, batch_size=2000)


def bulk_after_signing(prefix: str, *, creator, now: dt.datetime) -> None:
    """What lives beside the signed agreements of ``bulk_agreements(prefix=...)``: a version each, three
    commitments (a task done, a task overdue, a decision postponed), an evaluation for every tenth (completed,
    with answers) and every twentieth (open), an open escalation for every 25th, a declined signature for every
    30th. Written in batches, without the services (for the scale tests)."""
    from agreements.choices import AuditAction, CommitmentKind, CommitmentStatus, DecisionOutcome, EscalationStatus
    from agreements.models import (
        AuditEvent,
        Commitment,
        Escalation,
        Evaluation,
        EvaluationAnswer,
        EvaluationResponse,
    )

    signed = list(Agreement.objects.filter(reference__startswith=prefix, state=AgreementState.SIGNED).order_by("pk"))
    versions = AgreementVersion.objects.bulk_create(
        [AgreementVersion(agreement=a, number=1, created_by=creator, frozen_at=now) for a in signed], batch_size=2000
    )
    today = now.date()
    commitments = []
    for agreement, version in zip(signed, versions, strict=True):
        common = {"agreement": agreement, "version": version, "responsible": "initiative"}
        commitments += [
            Commitment(kind=CommitmentKind.TASK, position=0, title="Bewonersavond", phase=Phase.ORIENTATION,
                       status=CommitmentStatus.DONE, actual_date=today, **common),
            Commitment(kind=CommitmentKind.TASK, position=1, title="Haalbaarheid", phase=Phase.DEVELOPMENT,
                       status=CommitmentStatus.IN_PROGRESS, planned_date=today - 5 * DAY, **common),
            Commitment(kind=CommitmentKind.DECISION, position=0, title="Go/no-go", deciding_body="college",
                       status=CommitmentStatus.POSTPONED, outcome=DecisionOutcome.POSTPONED,
                       signed_date=today - 30 * DAY, planned_date=today + 30 * DAY, **common),
        ]  # fmt: skip
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    evaluations = []
    for n, (agreement, version) in enumerate(zip(signed, versions, strict=True)):
        if n % 10 == 0:
            evaluations.append(Evaluation(agreement=agreement, version=version, reason="request", completed_at=now))
        elif n % 20 == 5:
            evaluations.append(Evaluation(agreement=agreement, version=version, reason="request"))
    evaluations = Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    responses = EvaluationResponse.objects.bulk_create(
        [
            EvaluationResponse(evaluation=e, party=e.agreement.initiative, updated_by=creator, submitted_at=now)
            for e in evaluations
            if e.completed_at
        ],
        batch_size=2000,
    )
    EvaluationAnswer.objects.bulk_create(
        [EvaluationAnswer(response=r, section_key=key, score=3) for r in responses for key in ("aim", "roles")],
        batch_size=2000,
    )
    Escalation.objects.bulk_create(
        [
            Escalation(agreement=a, raised_by=creator, raised_by_party=a.initiative, subject="Tarieven",
                       ladder=[{"level": "Projectteam", "involved": "", "days": 14}], status=EscalationStatus.OPEN)
            for n, a in enumerate(signed)
            if n % 25 == 0
        ],
        batch_size=2000,
    )  # fmt: skip
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(agreement=a, actor=creator, action=AuditAction.DECLINED_TO_SIGN, note="Niet zo.")
            for n, a in enumerate(signed)
            if n % 30 == 0
        ],
        batch_size=2000,
    )
