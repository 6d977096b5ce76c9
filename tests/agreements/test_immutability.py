"""Frozen versions, signed versions, signatures, the audit log and the member log refuse change."""

import pytest

from agreements.choices import MembershipAction
from agreements.models import (
    AgreementVersion,
    AuditEvent,
    ImmutableRecordError,
    MembershipEvent,
    Responsibility,
    Section,
    Signature,
)
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory


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
