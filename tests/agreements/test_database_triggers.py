"""On PostgreSQL the database itself refuses to change the record (migration 0007_record_triggers).

The models refuse these changes too (test_immutability.py), but QuerySet.update(),
QuerySet.delete() and raw SQL never call the models: here they meet the triggers.
A refusal is a DatabaseError that says what was refused (the trigger raises SQLSTATE
P0001: psycopg 3 reports it as a ProgrammingError, psycopg 2 as an InternalError).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from agreements.choices import MembershipAction, MembershipRole
from agreements.models import (
    Agreement,
    AgreementVersion,
    AuditEvent,
    DecisionMoment,
    EscalationStep,
    MembershipEvent,
    Responsibility,
    Section,
    Signature,
    SignedDocument,
)
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@contextmanager
def refused(message: str):
    """The statement inside fails in the database with ``message``; the test's transaction goes on."""
    with pytest.raises(DatabaseError, match=message) as raised:
        with transaction.atomic():
            yield
    # Not an IntegrityError: callers that retry on one (get_or_create, a race on a unique row) must not retry this.
    assert not isinstance(raised.value, IntegrityError)


def raw(sql: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- the logs -----------------------------------------------------------------------------------


def test_the_agreement_log_refuses_update_and_delete():
    event = AuditEvent.objects.create(agreement=AgreementFactory(), action="created")
    rows = AuditEvent.objects.filter(pk=event.pk)
    with refused("The agreement log is append-only: UPDATE"):
        rows.update(note="herschreven")
    with refused("The agreement log is append-only: DELETE"):
        rows.delete()
    with refused("append-only"):
        raw("UPDATE agreements_auditevent SET at = now() WHERE id = %s", event.pk)
    with refused("append-only"):
        raw("DELETE FROM agreements_auditevent WHERE id = %s", event.pk)
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def _member_log_line() -> MembershipEvent:
    person = UserFactory()
    return MembershipEvent.objects.create(
        organisation=OrganisationFactory(),
        actor=UserFactory(),
        subject=person,
        subject_email=person.email,
        action=MembershipAction.ROLES_CHANGED,
        roles_before="drafter",
        roles_after="drafter,admin",
    )


def test_the_member_log_refuses_update_and_delete():
    line = _member_log_line()
    rows = MembershipEvent.objects.filter(pk=line.pk)
    with refused("The member log is append-only: UPDATE"):
        rows.update(roles_after="admin")
    with refused("The member log is append-only: DELETE"):
        rows.delete()
    with refused("The member log is append-only"):
        raw("UPDATE agreements_membershipevent SET subject_email = 'x@example.org' WHERE id = %s", line.pk)
    # Emptying the link to the person is allowed only on its own (a deleted account), never with another change.
    with refused("The member log is append-only"):
        rows.update(subject=None, note="weg")
    assert MembershipEvent.objects.get(pk=line.pk).roles_after == "drafter,admin"


def test_the_member_log_outlives_a_deleted_account():
    line = _member_log_line()
    line.subject.delete()  # on_delete=SET_NULL: the one update the member log allows
    stored = MembershipEvent.objects.get(pk=line.pk)
    assert stored.subject is None and stored.subject_email == line.subject_email


# --- a frozen version and its content -----------------------------------------------------------


@pytest.mark.parametrize("state", ["in_review", "signed"])
def test_the_content_of_a_frozen_version_refuses_every_change(state):
    version = AgreementFactory(**{state: True}).frozen_version()
    section = version.sections.get(key="aim")
    with refused("The content of frozen version .* UPDATE on agreements_section"):
        Section.objects.filter(pk=section.pk).update(body="Stiekem veranderd")
    with refused("The content of frozen version .* DELETE on agreements_section"):
        Section.objects.filter(pk=section.pk).delete()
    with refused("UPDATE on agreements_responsibility"):
        Responsibility.objects.filter(version=version).update(task="Iets anders")
    with refused("DELETE on agreements_responsibility"):
        Responsibility.objects.filter(version=version).delete()
    with refused("INSERT on agreements_responsibility"):
        Responsibility.objects.bulk_create([Responsibility(version=version, task="Nieuw", phase="orientation")])
    with refused("DELETE on agreements_decisionmoment"):
        DecisionMoment.objects.filter(version=version).delete()
    with refused("INSERT on agreements_decisionmoment"):
        DecisionMoment.objects.bulk_create([DecisionMoment(version=version, title="Nieuw", deciding_body="college")])
    with refused("INSERT on agreements_escalationstep"):
        EscalationStep.objects.bulk_create([EscalationStep(version=version, level="Stuurgroep", days=14)])
    with refused("UPDATE on agreements_section"):
        raw("UPDATE agreements_section SET body = 'x' WHERE version_id = %s", version.pk)
    assert Section.objects.get(pk=section.pk).body == section.body


def test_a_row_cannot_move_into_a_frozen_version():
    frozen = AgreementFactory(in_review=True).frozen_version()
    draft = AgreementFactory(content=True).current_version()
    row = draft.responsibilities.first()
    with refused("The content of frozen version .* UPDATE on agreements_responsibility"):
        Responsibility.objects.filter(pk=row.pk).update(version=frozen)


@pytest.mark.parametrize(
    "change",
    [
        {"content_hash": "0" * 64},
        {"canonical_json": "{}"},
        {"frozen_at": None},
        {"number": 7},
        {"revision": 99},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_frozen_version_refuses_update(change):
    version = AgreementFactory(in_review=True).frozen_version()
    with refused(f"Version {version.pk} is frozen .*: UPDATE refused"):
        AgreementVersion.objects.filter(pk=version.pk).update(**change)
    stored = AgreementVersion.objects.get(pk=version.pk)
    assert (stored.content_hash, stored.frozen_at) == (version.content_hash, version.frozen_at)


def test_the_new_columns_of_a_frozen_version_refuse_change_too():
    """Other parties (schema 2) and part revisions are record like the rest: a frozen row refuses them."""
    version = AgreementFactory(in_review=True).frozen_version()
    row = version.responsibilities.exclude(third_party_name="").first() or version.responsibilities.first()
    with refused("UPDATE on agreements_responsibility"):
        Responsibility.objects.filter(pk=row.pk).update(third_parties=[{"name": "Stiekem", "role": "A"}])
    with refused(f"Version {version.pk} is frozen .*: UPDATE refused"):
        AgreementVersion.objects.filter(pk=version.pk).update(part_revisions={"aim": 99})
    assert Responsibility.objects.get(pk=row.pk).third_party_roles == row.third_party_roles
    assert AgreementVersion.objects.get(pk=version.pk).canonical_bytes() == version.canonical_bytes()


def test_a_frozen_version_refuses_delete():
    version = AgreementFactory(in_review=True).frozen_version()
    with refused("cannot change|is frozen"):
        AgreementVersion.objects.filter(pk=version.pk).delete()
    with refused(f"Version {version.pk} is frozen .*: DELETE refused"):
        raw("DELETE FROM agreements_agreementversion WHERE id = %s", version.pk)
    assert AgreementVersion.objects.filter(pk=version.pk).exists()


def test_a_drafts_content_stays_editable_until_it_is_frozen():
    version = AgreementFactory(content=True).current_version()
    assert Section.objects.filter(version=version, key="aim").update(body="Nieuw doel") == 1
    Responsibility.objects.filter(version=version).delete()
    Responsibility.objects.bulk_create(
        [Responsibility(version=version, task="Buurt betrekken", phase="orientation", initiative_role="R")]
    )
    assert raw("UPDATE agreements_decisionmoment SET title = 'Besluit' WHERE version_id = %s", version.pk) >= 0
    AgreementVersion.objects.filter(pk=version.pk).update(revision=5)

    version.refresh_from_db()
    version.freeze()  # freezing is an update of a version that was not frozen yet
    with refused("The content of frozen version"):
        Section.objects.filter(version=version, key="aim").update(body="Te laat")
    assert Section.objects.get(version=version, key="aim").body == "Nieuw doel"


def test_a_draft_agreement_is_deleted_with_its_versions_and_content():
    agreement = AgreementFactory(content=True)
    version = agreement.current_version()
    agreement.delete()
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not AgreementVersion.objects.filter(pk=version.pk).exists()
    assert not Section.objects.filter(version_id=version.pk).exists()


# --- signatures and the signed document ---------------------------------------------------------


def _signature(**agreement_state) -> Signature:
    agreement = AgreementFactory(**agreement_state)
    return Signature.objects.filter(version__agreement=agreement).first() or Signature.objects.create(
        version=agreement.frozen_version(),
        party=agreement.municipality,
        signer=member(agreement.municipality, MembershipRole.SIGNATORY),
        content_hash=agreement.frozen_version().content_hash,
    )


@pytest.mark.parametrize("state", ["approved", "signed"])
def test_a_signature_refuses_update_and_delete(state):
    signature = _signature(**{state: True})
    rows = Signature.objects.filter(pk=signature.pk)
    with refused(f"Signature {signature.pk} is kept as it is: UPDATE refused"):
        rows.update(content_hash="f" * 64)
    with refused(f"Signature {signature.pk} is kept as it is: DELETE refused"):
        rows.delete()
    with refused("is kept as it is"):
        raw("UPDATE agreements_signature SET signer_id = signer_id WHERE id = %s", signature.pk)
    assert Signature.objects.get(pk=signature.pk).content_hash == signature.content_hash


def test_a_signature_is_declared_void_once_before_the_agreement_is_signed():
    signature = _signature(approved=True)
    rows = Signature.objects.filter(pk=signature.pk)
    reviewer = UserFactory()
    with refused("is kept as it is"):
        rows.update(voided_at=timezone.now(), voided_by=reviewer, ip_address="192.0.2.1")  # with another change
    assert rows.update(voided_at=timezone.now(), voided_by=reviewer, void_reason="Heropend.") == 1
    with refused("is kept as it is"):
        rows.update(void_reason="Toch een andere reden.")  # once
    with refused("is kept as it is"):
        rows.update(voided_at=None, voided_by=None, void_reason="")  # and never taken back
    assert Signature.objects.get(pk=signature.pk).void_reason == "Heropend."


def test_a_signature_of_a_signed_agreement_cannot_be_declared_void():
    signature = _signature(signed=True)
    with refused("is kept as it is"):
        Signature.objects.filter(pk=signature.pk).update(voided_at=timezone.now(), void_reason="Te laat.")
    assert Signature.objects.get(pk=signature.pk).voided_at is None


def test_a_signed_document_refuses_update_and_delete():
    version = AgreementFactory(signed=True).frozen_version()
    document = SignedDocument.objects.create(version=version, file="signed/x.pdf", sha256="a" * 64, size=10)
    rows = SignedDocument.objects.filter(pk=document.pk)
    with refused(f"Signed document {document.pk} is kept as it is: UPDATE refused"):
        rows.update(sha256="b" * 64)
    with refused(f"Signed document {document.pk} is kept as it is: DELETE refused"):
        rows.delete()
    with refused("is kept as it is"):
        raw("DELETE FROM agreements_signeddocument WHERE id = %s", document.pk)
    assert SignedDocument.objects.get(pk=document.pk).sha256 == "a" * 64
