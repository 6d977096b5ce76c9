"""Every form on the agreement pages refuses a post without the CSRF token, and accepts it with one."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.models import AdvisorAccess, Comment
from tests.factories import PASSWORD
from tests.web.agreement_support import agreement_in, csrf_token_from, editor_data, text_of, url

pytestmark = pytest.mark.django_db


def _forms(world):
    """(state, person, url name, url kwargs, data, page with the form)."""
    return [
        (S.DRAFT, "drafter", "create", {}, {}, "create"),
        (S.DRAFT, "drafter", "edit", {}, None, "edit"),
        (S.DRAFT, "drafter", "submit", {}, {}, "detail"),
        (S.DRAFT, "drafter", "withdraw", {}, {}, "detail"),
        (S.DRAFT, "drafter", "advisor_grant", {}, {"advisor": world.advisor_org.pk}, "detail"),
        (S.DRAFT, "drafter", "advisor_revoke", {"organisation_id": world.advisor_org.pk}, {}, "detail"),
        (S.IN_REVIEW, "reviewer", "request_changes", {}, {"note": "Graag aanpassen"}, "detail"),
        (S.IN_REVIEW, "reviewer", "approve", {}, {}, "detail"),
        (S.IN_REVIEW, "reviewer", "comment_add", {}, {"body": "Vraag"}, "detail"),
        (S.IN_REVIEW, "reviewer", "comment_resolve", {"comment_id": None}, {}, "detail"),
        (S.APPROVED, "reviewer", "reopen", {}, {}, "detail"),
        (S.APPROVED, "municipal_signer", "sign", {}, None, "sign"),
        (S.SIGNED, "drafter", "amend", {}, {}, "detail"),
    ]


@pytest.mark.parametrize("index", range(13))
def test_post_without_token_is_refused_and_with_token_accepted(client, world, index):
    state, person, name, kwargs, data, page = _forms(world)[index]
    agreement = agreement_in(world, state)
    if name == "advisor_revoke":
        AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    if name == "comment_resolve":
        comment = Comment.objects.create(version=agreement.frozen_version(), author=world.reviewer, body="Vraag")
        kwargs = {"comment_id": comment.pk}
    if name == "edit":
        data = editor_data(agreement)
    if name == "sign":
        data = {"content_hash": agreement.frozen_version().content_hash, "authorised": "on", "password": PASSWORD}
    if name == "create":
        data = {
            "initiative": world.initiative.pk,
            "municipality": world.municipality.pk,
            "title": "Nieuw",
            "form": "letter_of_intent",
            "phase": "orientation",
            "language": "nl",
            "start": "leeg",
            "neighbourhoods-TOTAL_FORMS": "0",
            "neighbourhoods-INITIAL_FORMS": "0",
        }
    target = "/afspraken/nieuw/" if name == "create" else url(name, agreement, **kwargs)
    client.force_login(getattr(world, person))

    refused = client.post(target, data)
    assert refused.status_code == 403

    page_url = "/afspraken/nieuw/" if page == "create" else url(page, agreement)
    html = text_of(client.get(page_url))
    assert target in html, f"the {page} page has no form posting to {target}"
    accepted = client.post(target, {**data, "csrfmiddlewaretoken": csrf_token_from(html)})
    assert accepted.status_code == 302, text_of(accepted)[:1500]
