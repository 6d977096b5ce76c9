"""After a review round: why the agreement came back (a panel at the top), and which parts changed since."""

from __future__ import annotations

import re

import pytest

from agreements.choices import AgreementState as S
from agreements.models import Comment, Section
from tests.web.agreement_support import agreement_in, text_of, url
from workflow.lifecycle.selectors.page import changed_since_last_round, changes_requested_panel
from workflow.lifecycle.services.comments import comment_add
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_request_changes, agreement_submit

pytestmark = pytest.mark.django_db

NOTE = "Werk het budget per maand uit."


def sent_back(world):
    """In review, a comment left open, then sent back with a note."""
    agreement = agreement_in(world, S.DRAFT)
    agreement = agreement_submit(agreement=agreement, actor=world.drafter)
    comment = comment_add(
        agreement=agreement, actor=world.reviewer, body="Hoeveel uur is dat per maand?", section_key="resources"
    )
    resolved = comment_add(agreement=agreement, actor=world.reviewer, body="Al goed.", section_key="aim")
    Comment.objects.filter(pk=resolved.pk).update(resolved_by=world.reviewer, resolved_at=resolved.created_at)
    agreement = agreement_request_changes(agreement=agreement, actor=world.reviewer, note=NOTE)
    return agreement, comment


def panel_html(html: str) -> str:
    found = re.search(r'<section class="ak-sent-back[^"]*".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_panel_says_who_asked_when_why_and_which_comments_are_open(client, world):
    agreement, comment = sent_back(world)
    panel = changes_requested_panel(world.drafter, agreement)
    assert (panel.actor, panel.reason, panel.version_number) == (world.reviewer, NOTE, 1)
    assert [c.pk for c in panel.open_comments] == [comment.pk]

    client.force_login(world.drafter)
    html = text_of(client.get(url("detail", agreement)))
    panel = panel_html(html)
    assert "De gemeente vraagt wijzigingen" in panel
    assert "Rik Ambtenaar op " in panel
    assert NOTE in panel
    assert "1 opmerking staat nog open" in panel
    assert f'<a href="#opmerking-{comment.pk}">Middelen en budget</a>' in panel
    assert "Al goed." not in panel  # resolved
    # The link leads to the thread on the same page, and the panel comes before the content.
    assert f'id="opmerking-{comment.pk}"' in html
    assert html.index("ak-sent-back") < html.index('id="inhoud-titel"')


def test_the_panel_stays_while_editing_and_goes_once_submitted_again(client, world):
    agreement, _comment = sent_back(world)
    version = agreement.current_version()
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=version.revision,
        sections={"resources": "200 uur: ongeveer 17 uur per maand."},
    )
    client.force_login(world.reviewer)
    assert NOTE in panel_html(text_of(client.get(url("detail", agreement))))
    agreement_submit(agreement=agreement, actor=world.drafter)
    assert panel_html(text_of(client.get(url("detail", agreement)))) == ""
    assert changes_requested_panel(world.reviewer, agreement) is None


def test_no_panel_on_a_draft_that_was_never_sent_back(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    assert panel_html(text_of(client.get(url("detail", agreement)))) == ""


def second_round(world):
    agreement, _comment = sent_back(world)
    version = agreement.current_version()
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=version.revision,
        sections={"resources": "200 uur: ongeveer 17 uur per maand."},
    )
    return agreement


def changed_labels(html: str) -> dict[str, str]:
    """Per section key on the agreement page: the link of its "changed since the last round" label."""
    found = {}
    for key, block in re.findall(r'<h3 id="onderdeel-(\w+)">(.*?)</section>', html, re.S):
        label = re.search(r'gewijzigd sinds vorige ronde</span>\s*<a href="([^"]+)"', block)
        if label:
            found[key] = label.group(1).replace("&amp;", "&")
    return found


def test_changed_sections_are_marked_for_drafters_and_reviewers_with_a_link_into_the_diff(client, world):
    agreement = second_round(world)
    diff_link = url("versions", agreement) + "?van=1&naar=2#verschil-resources"
    for person in (world.drafter, world.reviewer):
        client.force_login(person)
        assert changed_labels(text_of(client.get(url("detail", agreement)))) == {"resources": diff_link}
    # The anchor exists on the comparison page.
    assert 'id="verschil-resources"' in text_of(client.get(diff_link))
    # Submitted again, the reviewer still sees what changed in the version under review.
    agreement_submit(agreement=agreement, actor=world.drafter)
    assert changed_labels(text_of(client.get(url("detail", agreement)))) == {"resources": diff_link}


def test_the_role_division_and_decisions_are_marked_when_they_changed(client, world):
    agreement = second_round(world)
    version = agreement.current_version()
    version.responsibilities.filter(position=0).update(municipality_role="C")
    changes = changed_since_last_round(world.drafter, agreement, version)
    assert changes["sections"] == {"resources"}
    assert changes["responsibilities"] and not changes["decision_moments"]
    client.force_login(world.drafter)
    html = text_of(client.get(url("detail", agreement)))
    assert "#verschil-rolverdeling" in html
    assert "#verschil-besluitmomenten" not in html


def test_no_marks_in_the_first_round_nor_for_signatories(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    assert "gewijzigd sinds vorige ronde" not in text_of(client.get(url("detail", agreement)))
    agreement = second_round(world)
    Section.objects.filter(version=agreement.current_version(), key="aim").update(body="Ander doel.")
    client.force_login(world.initiative_signer1)
    assert "gewijzigd sinds vorige ronde" not in text_of(client.get(url("detail", agreement)))
