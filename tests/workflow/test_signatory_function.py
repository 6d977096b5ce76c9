"""A signatory's function (wethouder, voorzitter): set by the organisation's admin, shown where people sign,
copied onto the signature when they sign, and kept there when the membership's function changes later."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements import pdf
from agreements.choices import MembershipAction, MembershipRole
from agreements.models import Agreement, ImmutableRecordError, Membership, MembershipEvent, Signature
from tests.documents.helpers import draft_agreement, meta
from tests.documents.reading import flat, pdf_text
from tests.factories import PASSWORD
from workflow.lifecycle.services.review import agreement_approve, agreement_submit
from workflow.lifecycle.services.signing import agreement_sign

pytestmark = pytest.mark.django_db


def approved_agreement(world) -> Agreement:
    agreement = draft_agreement(world)
    agreement_submit(agreement=agreement, actor=world.drafter, request_meta=meta("192.0.2.10"))
    agreement_approve(agreement=agreement, actor=world.reviewer, request_meta=meta("198.51.100.7"))
    return Agreement.objects.get(pk=agreement.pk)


def set_function(client, world, member, function: str):
    """The initiative's admin saves the member edit page with ``function``."""
    client.force_login(world.initiative_admin)
    return client.post(
        reverse("member_edit", args=[world.initiative.pk, member.pk]),
        {"roles": [MembershipRole.SIGNATORY], "mandate_until": "", "function": function},
    )


def function_of(world, member) -> str:
    return Membership.objects.get(user=member, organisation=world.initiative, role=MembershipRole.SIGNATORY).function


def still_to_sign(html: str) -> list[str]:
    import re

    return [flat(item).strip() for item in re.findall(r"<li data-to-sign>(.*?)</li>", html, re.S)]


def test_the_function_is_set_by_the_admin_shown_copied_at_signing_and_kept(world, client):
    # The admin sets it on the member edit page; the member log says so.
    edit_url = reverse("member_edit", args=[world.initiative.pk, world.initiative_signer1.pk])
    client.force_login(world.initiative_admin)
    form = client.get(edit_url).content.decode()
    assert 'name="function"' in form and "Functie" in form
    response = set_function(client, world, world.initiative_signer1, "  Voorzitter ")
    assert response.status_code == 302
    assert function_of(world, world.initiative_signer1) == "Voorzitter"
    event = MembershipEvent.objects.filter(organisation=world.initiative).latest("pk")
    assert event.action == MembershipAction.FUNCTION_CHANGED
    assert event.subject == world.initiative_signer1 and event.note == "Functie: – → Voorzitter"
    log = client.get(reverse("member_log", args=[world.initiative.pk])).content.decode()
    assert "Functie gewijzigd" in log and "Functie: – → Voorzitter" in log
    assert "ondertekenaar (Voorzitter)" in client.get(reverse("members", args=[world.initiative.pk])).content.decode()
    # Saving again without a change logs nothing.
    count = MembershipEvent.objects.count()
    set_function(client, world, world.initiative_signer1, "Voorzitter")
    assert MembershipEvent.objects.count() == count
    # One line only.
    response = set_function(client, world, world.initiative_signer1, "Voorzitter\nen penningmeester")
    assert response.status_code == 400
    assert function_of(world, world.initiative_signer1) == "Voorzitter"

    # The sign page names who still has to sign, per party, with their functions.
    agreement = approved_agreement(world)
    sign_url = reverse("agreement:sign", kwargs={"reference": agreement.reference})
    client.force_login(world.initiative_signer1)
    page = client.get(sign_url).content.decode()
    assert "Buurtwarmte Test-Oost, als Voorzitter" in page  # whom and as what you sign for
    assert still_to_sign(page) == ["Bart Bestuur", "Bea Bestuur, Voorzitter", "Wendy Wethouder"]
    assert "0 van 2 handtekeningen" in page and "0 van 1 handtekening" in page

    # Signing on the page copies the function onto the signature.
    response = client.post(
        sign_url,
        {"content_hash": agreement.frozen_version().content_hash, "authorised": "on", "password": PASSWORD},
    )
    assert response.status_code == 302
    signature = Signature.objects.get(signer=world.initiative_signer1)
    assert signature.function == "Voorzitter"
    page = client.get(sign_url).content.decode()
    assert still_to_sign(page) == ["Bart Bestuur", "Wendy Wethouder"]
    assert "Bea Bestuur (Voorzitter), op" in page

    # The admin changes the function afterwards: the membership changes, the signature does not.
    set_function(client, world, world.initiative_signer1, "Penningmeester")
    assert function_of(world, world.initiative_signer1) == "Penningmeester"
    signature.refresh_from_db()
    assert signature.function == "Voorzitter"
    signature.function = "Penningmeester"
    with pytest.raises(ImmutableRecordError):
        signature.save()
    assert Signature.objects.get(pk=signature.pk).function == "Voorzitter"
    client.force_login(world.drafter)  # the agreement page's signing panel says the same
    detail = client.get(reverse("agreement:detail", kwargs={"reference": agreement.reference})).content.decode()
    assert "Bea Bestuur (Voorzitter), op" in detail
    assert still_to_sign(detail) == ["Bart Bestuur", "Wendy Wethouder"]

    # The others sign (without a function: shown as before), and the PDF shows the function signed under.
    for signer in (world.initiative_signer2, world.municipal_signer):
        agreement_sign(
            agreement=agreement,
            actor=signer,
            content_hash=agreement.frozen_version().content_hash,
            password=PASSWORD,
            authority_confirmed=True,
        )
    agreement.refresh_from_db()
    assert agreement.state == "signed"
    text = flat(pdf_text(pdf.render_version_pdf(agreement.frozen_version())))
    signature_page = text[text.index("Datum en tijd") :]
    assert "Bea Bestuur Voorzitter Buurtwarmte Test-Oost" in signature_page
    assert "Bart Bestuur Ondertekenaar Buurtwarmte Test-Oost" in signature_page
    assert "Penningmeester" not in text


def test_the_function_belongs_to_the_signatory_role(world):
    from workflow.members.services.memberships import member_update

    member_update(
        actor=world.initiative_admin,
        organisation=world.initiative,
        member=world.initiative_signer1,
        roles=[MembershipRole.SIGNATORY],
        function="Voorzitter",
    )
    # Leaving the function out keeps it; dropping the signatory role drops it.
    member_update(
        actor=world.initiative_admin,
        organisation=world.initiative,
        member=world.initiative_signer1,
        roles=[MembershipRole.SIGNATORY, MembershipRole.DRAFTER],
    )
    assert function_of(world, world.initiative_signer1) == "Voorzitter"
    member_update(
        actor=world.initiative_admin,
        organisation=world.initiative,
        member=world.initiative_signer1,
        roles=[MembershipRole.DRAFTER],
    )
    assert not Membership.objects.filter(user=world.initiative_signer1, role=MembershipRole.SIGNATORY).exists()


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_signatures_function(world):
    from django.db import DatabaseError, transaction

    agreement = approved_agreement(world)
    set_by_admin = Membership.objects.get(user=world.municipal_signer, role=MembershipRole.SIGNATORY)
    set_by_admin.function = "Wethouder"
    set_by_admin.save()
    signature = agreement_sign(
        agreement=agreement,
        actor=world.municipal_signer,
        content_hash=agreement.frozen_version().content_hash,
        password=PASSWORD,
        authority_confirmed=True,
    )
    assert signature.function == "Wethouder"
    with pytest.raises(DatabaseError, match="is kept as it is"), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(function="Burgemeester")
    assert Signature.objects.get(pk=signature.pk).function == "Wethouder"
