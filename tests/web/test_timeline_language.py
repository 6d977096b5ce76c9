"""The timeline in the reader's language: system rows are worded when shown, older rows included."""

from __future__ import annotations

import pytest
from django.utils import translation

from agreements.audit_notes import audit_note
from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import AuditEvent
from tests.factories import PASSWORD
from tests.web.agreement_support import agreement_in, text_of, url
from workflow.lifecycle.services.review import agreement_reopen
from workflow.lifecycle.services.signing import agreement_sign

pytestmark = pytest.mark.django_db


def _timeline(client, person, agreement, language: str) -> str:
    person.preferred_language = language
    person.save(update_fields=["preferred_language"])
    client.force_login(person)
    with translation.override("nl"):  # an English request leaves its language on the thread otherwise
        html = text_of(client.get(url("detail", agreement)))
    return html[html.index('class="ak-timeline"') :]


def test_a_signature_reads_in_the_readers_language(client, world):
    agreement = agreement_in(world, S.APPROVED)
    agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=world.municipal_signer,
        content_hash=agreement.frozen_version().content_hash,
    )
    row = agreement.audit_events.get(action=AuditAction.SIGNED_BY)
    assert row.note == world.municipality.name  # the parameter, not a sentence in someone's language
    english = _timeline(client, world.reviewer, agreement, "en")
    assert f"Signed for {world.municipality.name}" in english and "Getekend voor" not in english
    dutch = _timeline(client, world.reviewer, agreement, "nl")
    assert f"Getekend voor {world.municipality.name}" in dutch


def test_older_rows_with_a_whole_sentence_read_the_same(client, world):
    agreement = agreement_in(world, S.APPROVED)
    version = agreement.frozen_version().number
    for note in ("Getekend voor Gemeente Oud", "Signed for Buurt Oud"):
        AuditEvent.objects.create(
            agreement=agreement, actor=world.municipal_signer, action=AuditAction.SIGNED_BY, note=note
        )
    AuditEvent.objects.create(
        agreement=agreement,
        actor=world.reviewer,
        action=AuditAction.REOPENED,
        version_number=version,
        note="Nieuwe wethouder.\n2 verzamelde handtekening(en) vervallen.",
    )
    AuditEvent.objects.create(agreement=agreement, action=AuditAction.EXPIRED, note="Geldig tot en met 2030-01-31")
    english = _timeline(client, world.reviewer, agreement, "en")
    assert "Signed for Gemeente Oud" in english and "Signed for Buurt Oud" in english
    assert "2 collected signatures have lapsed." in english and "Nieuwe wethouder." in english
    assert "Valid until 31 January 2030 inclusive" in english
    assert "Getekend voor" not in english and "verzamelde" not in english
    dutch = _timeline(client, world.reviewer, agreement, "nl")
    assert "Getekend voor Buurt Oud" in dutch and "Geldig tot en met 31 januari 2030" in dutch
    assert "2 verzamelde handtekeningen zijn vervallen." in dutch


def test_reopening_counts_the_signatures_it_voided(world):
    agreement = agreement_in(world, S.APPROVED)
    agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=world.municipal_signer,
        content_hash=agreement.frozen_version().content_hash,
    )
    agreement_reopen(agreement=agreement, actor=world.reviewer, note="")
    row = agreement.audit_events.get(action=AuditAction.REOPENED)
    assert row.note == ""
    assert audit_note(row) == "1 verzamelde handtekening is vervallen."
