"""The agreement page for advisors who read along: their notes stand apart, hold up nothing, resolve nothing."""

from __future__ import annotations

import re

import pytest

from agreements.choices import AgreementState as S
from agreements.models import AdvisorAccess, Comment
from tests.web.agreement_support import agreement_in, text_of, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(world):
    agreement = agreement_in(world, S.IN_REVIEW)
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    return agreement


def advise(client, world, agreement, body: str, **data):
    client.force_login(world.advisor)
    response = client.submit(url("comment_add", agreement), {"body": body, **data})
    assert response.status_code == 302, text_of(response)[:2000]
    return Comment.objects.get(body=body)


def advice_part(html: str) -> str:
    """The page from the advice heading to the end of its section."""
    start = html.index('<h2 id="adviezen">')
    return html[start : html.index("</section>", start)]


def comments_of_section(html: str, key: str) -> str:
    """The parties' comments on one section of the content: from its comments to the end of the section."""
    start = html.index(f'id="opmerkingen-{key}"')
    return html[start : html.index("</section>", start)]


def test_an_advisors_note_is_shown_apart_from_the_parties_comments(client, world, in_review):
    note = advise(client, world, in_review, "Kijk eens naar de aanpak in Zwolle.", section_key="aim")
    assert note.is_advisory
    client.force_login(world.reviewer)
    client.submit(url("comment_add", in_review), {"body": "Hoeveel woningen?", "section_key": "aim"})
    client.submit(url("comment_add", in_review), {"body": "Nemen we mee.", "section_key": "aim", "parent": note.pk})

    for person in (world.reviewer, world.drafter, world.advisor):
        client.force_login(person)
        html = text_of(client.get(url("detail", in_review)))
        advice = advice_part(html)
        assert "Adviezen van meelezers" in advice
        assert "Kijk eens naar de aanpak in Zwolle." in advice
        assert "Nemen we mee." in advice  # a party's answer stays in the advisor's thread
        assert f'id="opmerking-{note.pk}"' in advice
        assert "Advies van Ada Adviseur" in advice  # said in words, not only by a colour or a line
        assert "Doel en ambitie" in advice  # which section it is about
        assert "Hoeveel woningen?" not in advice
        aim = comments_of_section(html, "aim")
        assert "Hoeveel woningen?" in aim
        assert "Kijk eens naar de aanpak in Zwolle." not in aim
        assert "1 opmerking (1 open)" in aim  # the advice is not one of the parties' open comments


def test_an_advisors_note_does_not_hold_up_the_approve_button(client, world, in_review):
    advise(client, world, in_review, "Denk aan de huurders.")
    client.force_login(world.reviewer)
    html = text_of(client.get(url("detail", in_review)))
    assert url("approve", in_review) in html
    assert "Goedkeuren kan als alle opmerkingen zijn afgehandeld" not in html
    assert client.submit(url("approve", in_review)).status_code == 302
    in_review.refresh_from_db()
    assert in_review.state == S.APPROVED


def test_an_advisor_sees_no_resolve_button_and_may_not_resolve(client, world, in_review):
    note = advise(client, world, in_review, "Een advies.")
    question = Comment.objects.create(version=in_review.frozen_version(), author=world.reviewer, body="Een vraag.")
    client.force_login(world.advisor)
    html = text_of(client.get(url("detail", in_review)))
    assert "comment_resolve" not in html and "/afhandelen/" not in html
    assert not re.search(r">\s*Afhandelen", html)
    for comment in (note, question):
        assert client.submit(url("comment_resolve", in_review, comment_id=comment.pk)).status_code == 403
        comment.refresh_from_db()
        assert comment.resolved_at is None


def test_nobody_resolves_an_advisory_note(client, world, in_review):
    note = advise(client, world, in_review, "Een advies.")
    question = Comment.objects.create(version=in_review.frozen_version(), author=world.reviewer, body="Een vraag.")
    client.force_login(world.drafter)
    html = text_of(client.get(url("detail", in_review)))
    assert url("comment_resolve", in_review, comment_id=question.pk) in html
    assert url("comment_resolve", in_review, comment_id=note.pk) not in html
    response = client.submit(url("comment_resolve", in_review, comment_id=note.pk))
    assert response.status_code == 409
    assert "hoeft niet te worden afgehandeld" in text_of(response)
    note.refresh_from_db()
    assert note.resolved_at is None


def test_the_advisor_is_told_where_their_advice_goes(client, world, in_review):
    client.force_login(world.advisor)
    html = text_of(client.get(url("detail", in_review)))
    assert "U leest mee als adviseur." in html and 'href="#adviezen"' in html
    assert "Advies plaatsen" in html
    assert "Nog geen adviezen." in html
    response = client.submit(url("comment_add", in_review), {"body": "Een advies."}, follow=True)
    assert "Uw advies is geplaatst" in text_of(response)
    client.force_login(world.reviewer)
    html = text_of(client.get(url("detail", in_review)))
    assert "U leest mee als adviseur." not in html and "Advies plaatsen" not in html


def test_an_advisors_reply_in_a_partys_thread_is_labelled_as_advice(client, world, in_review):
    question = Comment.objects.create(
        version=in_review.frozen_version(), author=world.reviewer, body="Een vraag.", section_key="aim"
    )
    reply = advise(client, world, in_review, "Een antwoord van buiten.", section_key="aim", parent=question.pk)
    assert reply.is_advisory and reply.parent == question
    client.force_login(world.drafter)
    aim = comments_of_section(text_of(client.get(url("detail", in_review))), "aim")
    assert "Een antwoord van buiten." in aim
    assert "advies van een meelezer" in aim


def test_a_failed_reply_to_advice_stays_beside_its_field(client, world, in_review):
    note = advise(client, world, in_review, "Een advies.")
    client.force_login(world.reviewer)
    response = client.submit(url("comment_add", in_review), {"body": "", "parent": note.pk})
    assert response.status_code == 400
    advice = advice_part(text_of(response))
    assert "Schrijf eerst uw opmerking." in advice
    assert f'id="id_body_reply{note.pk}_error1"' in advice


def test_without_advisors_there_is_no_advice_section(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    assert 'id="adviezen"' not in text_of(client.get(url("detail", agreement)))


def test_the_advice_reads_in_english_too(client, world, in_review):
    advise(client, world, in_review, "Een advies.", section_key="aim")
    world.advisor.preferred_language = "en"
    world.advisor.save(update_fields=["preferred_language"])
    html = text_of(client.get(url("detail", in_review)))
    assert "Advice from advisors who read along" in html
    assert "Advice from Ada Adviseur" in html
    assert "You read along as an advisor." in html and "Post advice" in html
    assert client.submit(url("comment_resolve", in_review, comment_id=Comment.objects.get().pk)).status_code == 403
