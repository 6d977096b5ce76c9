"""The visibility selector: members of both parties and granted advisors see; nobody else."""

import pytest
from django.contrib.auth.models import AnonymousUser

from agreements.models import AdvisorAccess
from tests.factories import AgreementFactory
from workflow.core.exceptions import NotFound
from workflow.core.visibility import agreement_get_for, can_see, visible_agreements


@pytest.fixture
def agreements(world):
    own = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    granted = AgreementFactory(signed=True, initiative=world.initiative, municipality=world.municipality)
    AdvisorAccess.objects.create(agreement=granted, organisation=world.advisor_org, granted_by=world.drafter)
    elsewhere = AgreementFactory(initiative=world.other_initiative, municipality=world.other_municipality)
    mixed = AgreementFactory(initiative=world.other_initiative, municipality=world.municipality)
    return own, granted, elsewhere, mixed


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("drafter", {"own", "granted"}),
        ("initiative_signer1", {"own", "granted"}),
        ("initiative_admin", {"own", "granted"}),
        ("reviewer", {"own", "granted", "mixed"}),
        ("municipal_signer", {"own", "granted", "mixed"}),
        ("advisor", {"granted"}),
        ("outsider", {"elsewhere", "mixed"}),
        ("other_reviewer", {"elsewhere"}),
    ],
)
def test_each_person_sees_exactly_their_agreements(world, agreements, role, sees):
    own, granted, elsewhere, mixed = agreements
    names = {own.pk: "own", granted.pk: "granted", elsewhere.pk: "elsewhere", mixed.pk: "mixed"}
    user = getattr(world, role)
    visible = {names[pk] for pk in visible_agreements(user).values_list("pk", flat=True)}
    assert visible == sees
    for agreement in agreements:
        assert can_see(user, agreement) is (names[agreement.pk] in sees)


def test_revoking_the_grant_hides_the_agreement_again(world, agreements):
    _own, granted, *_ = agreements
    AdvisorAccess.objects.filter(agreement=granted).delete()
    assert not visible_agreements(world.advisor).exists()


def test_anonymous_and_inactive_people_see_nothing(world, agreements):
    assert not visible_agreements(AnonymousUser()).exists()
    world.drafter.is_active = False
    world.drafter.save()
    assert not visible_agreements(world.drafter).exists()


def test_a_member_of_both_parties_sees_each_agreement_once(world, agreements):
    from agreements.models import Membership

    Membership.objects.create(user=world.drafter, organisation=world.municipality, role="reviewer")
    pks = list(visible_agreements(world.drafter).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)) == 3


def test_get_for_someone_who_cannot_see_is_not_found(world, agreements):
    _own, _granted, elsewhere, _mixed = agreements
    with pytest.raises(NotFound):
        agreement_get_for(world.drafter, reference=elsewhere.reference)
    assert agreement_get_for(world.outsider, reference=elsewhere.reference) == elsewhere
