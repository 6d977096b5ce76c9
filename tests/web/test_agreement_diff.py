"""The diff between review rounds: section text word by word, and the role division row by row."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.models import Responsibility, Section
from tests.web.agreement_support import agreement_in
from workflow.lifecycle.diff import text_diff, version_diff


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
