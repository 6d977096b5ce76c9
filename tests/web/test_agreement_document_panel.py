"""The agreement page offers the signed PDF once signed, and the parties a preview while drafting or in review."""

import pytest
from django.urls import reverse

from agreements.models import AdvisorAccess
from tests.factories import PASSWORD, AgreementFactory


@pytest.mark.parametrize(
    ("state", "offers_download", "offers_preview"),
    # Approved: the PDF of the approved version, to read before signing (tests/documents/test_approved_pdf.py).
    [("draft", False, True), ("in_review", False, True), ("approved", False, True), ("signed", True, False)],
)
def test_document_panel(client, world, state, offers_download, offers_preview):
    agreement = AgreementFactory(state=state, initiative=world.initiative, municipality=world.municipality)
    client.login(username=world.drafter.email, password=PASSWORD)
    html = client.get(reverse("agreement:detail", args=[agreement.reference])).content.decode()
    assert (reverse("documents:signed", args=[agreement.reference]) in html) is offers_download
    assert (reverse("documents:preview", args=[agreement.reference]) in html) is offers_preview
    assert reverse("documents:verify") in html


@pytest.mark.parametrize(
    ("state", "offers_download", "offers_approved_pdf"),
    [("draft", False, False), ("in_review", False, False), ("approved", False, True), ("signed", True, False)],
)
def test_document_panel_offers_an_advisor_no_preview(client, world, state, offers_download, offers_approved_pdf):
    """No draft preview for an advisor; the approved version's PDF, like everyone who sees the agreement."""
    agreement = AgreementFactory(state=state, initiative=world.initiative, municipality=world.municipality)
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    client.login(username=world.advisor.email, password=PASSWORD)
    response = client.get(reverse("agreement:detail", args=[agreement.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (reverse("documents:signed", args=[agreement.reference]) in html) is offers_download
    assert (reverse("documents:preview", args=[agreement.reference]) in html) is offers_approved_pdf
    assert reverse("documents:verify") in html
