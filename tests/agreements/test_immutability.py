"""Frozen versions, signed versions, signatures, the audit log and the member log refuse change.

These are the model-level guards (every database). On PostgreSQL, triggers refuse the same changes
when they come through QuerySet.update(), QuerySet.delete() or raw SQL: test_database_triggers.py.
"""

import pytest
from django.utils import timezone

from agreements.choices import MembershipAction, MembershipRole
from agreements.models import (
    AgreementVersion,
    AuditEvent,
    ImmutableRecordError,
    MembershipEvent,
    Responsibility,
    Section,
    Signature,
    SignedDocument,
)
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory, member


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["in_review", "signed"])
def test_content_of_a_frozen_version_cannot_change(state):
    agreement = AgreementFactory(**{state: True})
    version = agreement.frozen_version()
    hash_before = version.content_hash

    section = version.sections.get(key="aim")
    section.body = "Stiekem veranderd"
    with pytest.raises(ImmutableRecordError):
        section.save()
    with pytest.raises(ImmutableRecordError):
        version.responsibilities.first().delete()
    with pytest.raises(ImmutableRecordError):
        Responsibility.objects.create(version=version, task="Nieuw", phase="orientation")
    with pytest.raises(ImmutableRecordError):
        Section(version=version, key="aim", body="x").save()

    version.content_hash = "0" * 64
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        version.freeze()
    with pytest.raises(ImmutableRecordError):
        version.delete()

    stored = AgreementVersion.objects.get(pk=version.pk)
    assert stored.content_hash == hash_before
    assert Section.objects.get(version=version, key="aim").body != "Stiekem veranderd"


@pytest.mark.django_db
def test_signatures_of_a_signed_agreement_are_kept():
    agreement = AgreementFactory(signed=True)
    signature = Signature.objects.filter(version__agreement=agreement).first()
    with pytest.raises(ImmutableRecordError):
        signature.delete()
    signature.content_hash = "f" * 64
    with pytest.raises(ImmutableRecordError):
        signature.save()


@pytest.mark.django_db
def test_audit_log_is_append_only():
    agreement = AgreementFactory()
    event = AuditEvent.objects.create(agreement=agreement, action="created")
    event.note = "herschreven"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
def test_member_log_is_append_only():
    admin = UserFactory()
    organisation = OrganisationFactory()
    event = MembershipEvent.objects.create(
        organisation=organisation,
        actor=admin,
        subject=admin,
        subject_email=admin.email,
        action=MembershipAction.ROLES_CHANGED,
        roles_before="drafter",
        roles_after="drafter,admin",
    )
    event.roles_after = "admin"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    assert MembershipEvent.objects.get(pk=event.pk).roles_after == "drafter,admin"


@pytest.mark.django_db
def test_editable_draft_content_can_change():
    agreement = AgreementFactory()
    section = agreement.current_version().sections.get(key="aim")
    section.body = "Nieuw doel"
    section.save()
    assert Section.objects.get(pk=section.pk).body == "Nieuw doel"


def _signature_on(agreement) -> Signature:
    version = agreement.frozen_version()
    signer = member(agreement.municipality, MembershipRole.SIGNATORY)
    return Signature.objects.create(
        version=version, party=agreement.municipality, signer=signer, content_hash=version.content_hash
    )


@pytest.mark.django_db
def test_a_signature_is_never_deleted_not_even_before_signing():
    # Before, a signature of an agreement that was not signed yet could be deleted (reopening did so).
    signature = _signature_on(AgreementFactory(approved=True))
    with pytest.raises(ImmutableRecordError):
        signature.delete()
    assert Signature.objects.filter(pk=signature.pk).exists()


@pytest.mark.django_db
def test_a_signature_is_declared_void_once_and_nothing_else_changes():
    signature = _signature_on(AgreementFactory(approved=True))
    reviewer = UserFactory()
    signature.void(by=reviewer, reason="Nieuwe wethouder.")
    stored = Signature.objects.get(pk=signature.pk)
    assert stored.is_void and stored.voided_by == reviewer and stored.void_reason == "Nieuwe wethouder."
    assert stored.voided_at is not None and stored.content_hash == signature.content_hash

    with pytest.raises(ImmutableRecordError):
        stored.void(by=reviewer, reason="Nog een keer.")  # once
    assert Signature.objects.get(pk=signature.pk).void_reason == "Nieuwe wethouder."


@pytest.mark.django_db
def test_voiding_cannot_carry_another_change():
    signature = _signature_on(AgreementFactory(approved=True))
    signature.content_hash = "f" * 64
    with pytest.raises(ImmutableRecordError):
        signature.void(by=UserFactory(), reason="Heropend.")
    assert Signature.objects.get(pk=signature.pk).voided_at is None


@pytest.mark.django_db
def test_a_signature_of_a_signed_agreement_cannot_be_declared_void():
    signature = Signature.objects.filter(version__agreement=AgreementFactory(signed=True)).first()
    with pytest.raises(ImmutableRecordError):
        signature.void(by=UserFactory(), reason="Te laat.")
    assert Signature.objects.get(pk=signature.pk).voided_at is None


@pytest.mark.django_db
def test_a_signed_document_is_stored_once_and_kept():
    version = AgreementFactory(signed=True).frozen_version()
    document = SignedDocument.objects.create(
        version=version, file="signed/x.pdf", sha256="a" * 64, size=10, created_at=timezone.now()
    )
    document.sha256 = "b" * 64
    with pytest.raises(ImmutableRecordError):
        document.save()
    with pytest.raises(ImmutableRecordError):
        document.delete()
    assert SignedDocument.objects.get(pk=document.pk).sha256 == "a" * 64
