"""Saving one part of a draft: only that part's revision is compared; several other parties per row."""

import pytest

from agreements.choices import AuditAction, MembershipRole
from agreements.models import Agreement
from tests.factories import member
from workflow.core.exceptions import InvalidInput, StaleRevision
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.review import agreement_request_changes, agreement_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=world.municipality,
        title="Warmtenet Oost",
        form="letter_of_intent",
        phase="orientation",
    )


def test_two_people_saving_different_parts_both_succeed(world, draft):
    second = member(world.initiative, MembershipRole.DRAFTER)
    loaded = draft.current_version()  # both loaded the editor now
    first_rev, second_rev = loaded.part_revision("aim"), loaded.part_revision("resources")

    agreement_update_draft(
        agreement=draft, actor=world.drafter, based_on_parts={"aim": first_rev}, sections={"aim": "A"}
    )
    version = agreement_update_draft(
        agreement=draft, actor=second, based_on_parts={"resources": second_rev}, sections={"resources": "B"}
    )

    bodies = {s.key: s.body for s in version.sections.all()}
    assert bodies["aim"] == "A" and bodies["resources"] == "B"
    # The overall revision counts every save; each part remembers the save that wrote it.
    assert version.revision == loaded.revision + 2
    assert version.part_revisions == {"aim": loaded.revision + 1, "resources": loaded.revision + 2}
    assert draft.audit_events.filter(action=AuditAction.DRAFT_UPDATED).count() == 2


def test_the_same_part_saved_from_a_stale_form_is_a_conflict_and_writes_nothing(world, draft):
    second = member(world.initiative, MembershipRole.DRAFTER)
    loaded = draft.current_version().part_revision("aim")
    agreement_update_draft(agreement=draft, actor=world.drafter, based_on_parts={"aim": loaded}, sections={"aim": "A"})

    with pytest.raises(StaleRevision) as caught:
        agreement_update_draft(agreement=draft, actor=second, based_on_parts={"aim": loaded}, sections={"aim": "B"})

    version = Agreement.objects.get(pk=draft.pk).current_version()
    assert caught.value.context["parts"] == {"aim": version.revision}
    assert caught.value.current_revision == version.revision
    assert "dit onderdeel" in caught.value.message
    assert version.sections.get(key="aim").body == "A"
    assert draft.audit_events.filter(action=AuditAction.DRAFT_UPDATED).count() == 1


def test_every_part_written_needs_its_revision(world, draft):
    with pytest.raises(ValueError, match="No revision given"):
        agreement_update_draft(
            agreement=draft, actor=world.drafter, based_on_parts={"aim": 0}, sections={"aim": "A", "roles": "B"}
        )
    with pytest.raises(ValueError, match="exactly one"):
        agreement_update_draft(agreement=draft, actor=world.drafter, sections={"aim": "A"})


def test_part_revisions_carry_over_to_the_next_version(world, draft):
    agreement_update_draft(agreement=draft, actor=world.drafter, based_on_parts={"aim": 0}, sections={"aim": "Doel"})
    from tests.factories import fill_complete_content

    fill_complete_content(draft.current_version())
    agreement_submit(agreement=draft, actor=world.drafter)
    agreement_request_changes(agreement=draft, actor=world.reviewer, note="Meer uitleg")
    frozen = draft.current_version()
    # A form loaded from the frozen version stays good for the parts nobody touched since.
    v2 = agreement_update_draft(
        agreement=draft,
        actor=world.drafter,
        based_on_parts={"roles": frozen.part_revision("roles")},
        sections={"roles": "Nieuwe rolverdeling"},
    )
    assert v2.number == frozen.number + 1
    assert v2.part_revision("aim") == frozen.part_revision("aim")
    with pytest.raises(StaleRevision):
        agreement_update_draft(
            agreement=draft,
            actor=world.drafter,
            based_on_parts={"roles": frozen.part_revision("roles")},
            sections={"roles": "x"},
        )


def test_a_row_names_several_other_parties_each_with_its_own_role(world, draft):
    version = agreement_update_draft(
        agreement=draft,
        actor=world.drafter,
        based_on_parts={"responsibilities": 0},
        responsibilities=[
            {
                "task": "Warmtenet aanleggen",
                "phase": "realisation",
                "initiative_role": "C",
                "municipality_role": "A",
                "third_parties": [
                    {"name": " Netbeheerder Enexis ", "role": "R"},
                    {"name": "Woningcorporatie", "role": "C"},
                    {"name": "  ", "role": ""},  # an empty line is no party
                ],
            },
            # The older shape, one party, is still understood.
            {"task": "Informeren", "phase": "orientation", "third_party_name": "Buurthuis", "third_party_role": "I"},
        ],
    )
    rows = list(version.responsibilities.all())
    assert rows[0].third_parties == [
        {"name": "Netbeheerder Enexis", "role": "R"},
        {"name": "Woningcorporatie", "role": "C"},
    ]
    assert [str(p) for p in rows[1].third_party_roles] == ["Buurthuis: I"]
    assert rows[1].third_party_name == ""  # new rows keep their parties in one place


@pytest.mark.parametrize(
    "party",
    [{"name": "Net\nbeheerder", "role": "R"}, {"name": "x" * 121, "role": "R"}, {"name": "Netbeheerder", "role": "X"}],
)
def test_a_third_party_that_cannot_be_stored_is_refused(world, draft, party):
    with pytest.raises(InvalidInput):
        agreement_update_draft(
            agreement=draft,
            actor=world.drafter,
            based_on_parts={"responsibilities": 0},
            responsibilities=[{"task": "Taak", "phase": "orientation", "third_parties": [party]}],
        )
    assert not draft.current_version().responsibilities.exists()
