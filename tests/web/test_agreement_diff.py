"""The diff between review rounds: section text word by word, and the role division row by row."""

from __future__ import annotations

import re
from html import unescape

import pytest

from agreements.choices import AgreementState as S
from agreements.models import DecisionMoment, Responsibility, Section
from tests.web.agreement_support import agreement_in, text_of, url
from workflow.lifecycle.diff import text_diff, version_diff
from workflow.lifecycle.services.review import agreement_submit


def test_text_diff_marks_words():
    segments = text_diff("De wijk is in 2035 aardgasvrij.", "De wijk is in 2032 aardgasvrij en duurzaam.")
    ops = [(s.op, s.text) for s in segments]
    assert ("delete", "2035") in ops
    assert ("insert", "2032") in ops
    assert "".join(s.text for s in segments if s.op != "delete") == "De wijk is in 2032 aardgasvrij en duurzaam."
    assert "".join(s.text for s in segments if s.op != "insert") == "De wijk is in 2035 aardgasvrij."


def test_text_diff_of_equal_text_is_one_segment():
    assert [(s.op, s.text) for s in text_diff("gelijk\nblijft", "gelijk\nblijft")] == [("equal", "gelijk\nblijft")]


@pytest.mark.django_db
def test_version_diff_sections_and_rows(world):
    agreement = agreement_in(world, S.IN_REVIEW)
    old = agreement.frozen_version()
    new = old.copy_as_next(by=world.drafter)
    Section.objects.filter(version=new, key="aim").update(body="Een nieuw doel.")
    first, second = new.responsibilities.all()
    Responsibility.objects.filter(pk=first.pk).update(municipality_role="C")
    Responsibility.objects.filter(pk=second.pk).delete()
    Responsibility.objects.create(version=new, position=5, task="Warmtebron onderzoeken", phase="development")
    diff = version_diff(old, new)
    assert diff["changed_sections"] == 1
    assert [s.key for s in diff["sections"] if s.changed] == ["aim"]
    ops = [(c.op, (c.new or c.old)["task"]) for c in diff["responsibilities"]]
    assert ("change", "Bewonersavonden organiseren") in ops
    changed = next(
        c for c in diff["responsibilities"] if c.op == "change" and c.old["task"] == "Bewonersavonden organiseren"
    )
    assert changed.changed_fields == ["municipality_role"]
    assert any(op in ("insert", "change") and task == "Warmtebron onderzoeken" for op, task in ops)
    assert diff["responsibilities_changed"] and not diff["decision_moments_changed"]


# --- what a person reads on the comparison page -------------------------------------------

OLD_AIM = "Samen werken we aan de wijkaanpak en de planning van het warmtenet."
NEW_AIM = "Samen werken we aan de wijkaanpak, onder de planning van het warmtenet."


def visible_text(html: str) -> str:
    """The text a sighted reader sees: tags dropped, the screen-reader-only prefixes left out."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return unescape(re.sub(r"<[^>]+>", "", html))


def spoken_text(html: str) -> str:
    """The text a screen reader reads: every text, the screen-reader-only prefixes included."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_replaced_words_get_a_space_between_old_and_new():
    segments = text_diff("de wijkaanpak en", "de wijkaanpak, onder")
    assert [(s.op, s.text, s.replaces) for s in segments] == [
        ("equal", "de ", False),
        ("delete", "wijkaanpak", False),
        ("insert", "wijkaanpak,", True),
        ("equal", " ", False),
        ("delete", "en", False),
        ("insert", "onder", True),
    ]


def _second_round(world):
    """An agreement in review with version 2: one section, two rows of the role division and a decision changed."""
    agreement = agreement_in(world, S.DRAFT)
    # Written while it is still a draft: once submitted, the version is frozen (the database refuses changes).
    Section.objects.filter(version=agreement.current_version(), key="aim").update(body=OLD_AIM)
    agreement_submit(agreement=agreement, actor=world.drafter)
    agreement.refresh_from_db()
    old = agreement.frozen_version()
    new = old.copy_as_next(by=world.drafter)
    Section.objects.filter(version=new, key="aim").update(body=NEW_AIM)
    first, second = new.responsibilities.all()
    Responsibility.objects.filter(pk=first.pk).update(municipality_role="C")
    Responsibility.objects.filter(pk=second.pk).update(third_parties=[{"name": "Netbeheerder", "role": "C"}])
    DecisionMoment.objects.filter(version=new).update(title="Go/no-go na de haalbaarheidsstudie")
    return agreement


@pytest.mark.django_db
def test_the_comparison_page_keeps_old_and_new_words_apart_and_says_which_is_which(client, world):
    agreement = _second_round(world)
    client.force_login(world.reviewer)
    html = text_of(client.get(url("versions", agreement) + "?van=1&naar=2"))
    aim = re.search(r'<h3 id="verschil-aim">.*?<p class="ak-diff">(.*?)</p>', html, re.S).group(1)
    seen = visible_text(aim)
    assert "wijkaanpakwijkaanpak," not in seen
    assert "enonder" not in seen
    assert "wijkaanpak wijkaanpak," in seen
    assert "</del><ins>" not in aim
    # Not colour alone: struck through / underlined, and a screen reader hears which is which.
    heard = spoken_text(aim)
    assert "verwijderd: wijkaanpak toegevoegd: wijkaanpak," in heard
    assert "verwijderd: en toegevoegd: onder de planning" in heard


@pytest.mark.django_db
def test_the_summary_counts_every_changed_part(client, world):
    agreement = _second_round(world)
    diff = version_diff(*agreement.versions.order_by("number"))
    assert (diff["changed_sections"], diff["changed_responsibilities"], diff["changed_decision_moments"]) == (1, 2, 1)
    assert diff["changed_total"] == 4
    client.force_login(world.drafter)
    text = spoken_text(text_of(client.get(url("versions", agreement))))
    assert "Van versie 1 naar versie 2: 4 wijzigingen." in text
    assert "1 onderdeel gewijzigd:" in text
    assert "2 taken in de rolverdeling gewijzigd, toegevoegd of weggehaald" in text
    assert "1 besluitmoment gewijzigd, toegevoegd of weggehaald" in text
    # The third party's role changed: shown old and new, not just the row as it is now.
    assert "verwijderd: Netbeheerder: I" in text and "toegevoegd: Netbeheerder: C" in text
    assert "verwijderd: Go/no-go haalbaarheidsstudie" in text


@pytest.mark.django_db
def test_nothing_changed_says_so(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    agreement.frozen_version().copy_as_next(by=world.drafter)
    client.force_login(world.drafter)
    assert "Van versie 1 naar versie 2: niets gewijzigd." in text_of(client.get(url("versions", agreement)))
