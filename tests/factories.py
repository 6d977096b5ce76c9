"""Factories for the record, with one trait per agreement state.

``AgreementFactory(in_review=True)`` gives an agreement whose content is
complete and whose version is frozen, as if it had been submitted;
``signed=True`` adds the required signatures; ``content=True`` on a draft
fills it so that it can be submitted. The services are not used here
(they have their own tests); the factories build the rows those services
would have left behind.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import factory
from django.utils import timezone

from agreements.choices import (
    AgreementForm,
    AgreementState,
    DecidingBody,
    Instrument,
    MembershipRole,
    OrganisationKind,
    Phase,
    Province,
    RaciRole,
)
from agreements.models import (
    Agreement,
    AgreementVersion,
    DecisionMoment,
    Membership,
    Organisation,
    ReferenceSequence,
    Responsibility,
    Section,
    Signature,
    User,
)
from agreements.sections import SECTION_ORDER

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.INITIATIVE
    name = factory.Sequence(lambda n: f"Energiecoöperatie Buurt {n}")
    province = Province.OVERIJSSEL

    class Params:
        municipality = factory.Trait(
            kind=OrganisationKind.MUNICIPALITY,
            name=factory.Sequence(lambda n: f"Gemeente Test {n}"),
            cbs_code=factory.Sequence(lambda n: f"GM{9000 + n % 1000:04d}"),
        )
        advisor = factory.Trait(kind=OrganisationKind.ADVISOR, name=factory.Sequence(lambda n: f"Adviesbureau {n}"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.DRAFTER


def member(organisation: Organisation, *roles: str, **user_fields) -> User:
    user = UserFactory(**user_fields)
    for role in roles:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def fill_complete_content(version: AgreementVersion) -> None:
    """Content that satisfies the submit condition: every section, a task for each party."""
    existing = set(version.sections.values_list("key", flat=True))
    Section.objects.bulk_create(
        [
            Section(version=version, key=key, body=f"Afspraken over {key}.")
            for key in SECTION_ORDER
            if key not in existing
        ]
    )
    version.sections.filter(body="").update(body="Ingevuld.")
    Responsibility.objects.create(
        version=version,
        position=0,
        task="Bewonersavonden organiseren",
        phase=Phase.ORIENTATION,
        initiative_role=RaciRole.RESPONSIBLE,
        municipality_role=RaciRole.INFORMED,
    )
    Responsibility.objects.create(
        version=version,
        position=1,
        task="Participatieplan vaststellen",
        phase=Phase.ORIENTATION,
        initiative_role=RaciRole.CONSULTED,
        municipality_role=RaciRole.ACCOUNTABLE,
        third_parties=[{"name": "Netbeheerder", "role": RaciRole.INFORMED}],
    )
    DecisionMoment.objects.create(
        version=version,
        position=0,
        title="Go/no-go haalbaarheidsstudie",
        planned_date=dt.date(2027, 3, 1),
        deciding_body=DecidingBody.COLLEGE,
        instrument=Instrument.NEIGHBOURHOOD_PLAN,
    )


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    # From the same sequence as the services: a made-up number could collide with one they hand out later.
    reference = factory.LazyFunction(lambda: ReferenceSequence.allocate(timezone.localdate().year))
    title = factory.Sequence(lambda n: f"Samenwerking warmte wijk {n}")
    form = AgreementForm.COOPERATION_AGREEMENT
    phase = Phase.ORIENTATION
    initiative = factory.SubFactory(OrganisationFactory)
    municipality = factory.SubFactory(OrganisationFactory, municipality=True)
    created_by = factory.SubFactory(UserFactory)
    state = AgreementState.DRAFT

    class Params:
        in_review = factory.Trait(state=AgreementState.IN_REVIEW)
        approved = factory.Trait(state=AgreementState.APPROVED)
        signed = factory.Trait(state=AgreementState.SIGNED)
        withdrawn = factory.Trait(state=AgreementState.WITHDRAWN)
        superseded = factory.Trait(state=AgreementState.SUPERSEDED)
        expired = factory.Trait(state=AgreementState.EXPIRED)

    @factory.post_generation
    def content(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the instance
        if not create:
            return
        version = AgreementVersion.objects.create(agreement=obj, number=1, created_by=obj.created_by)
        Section.objects.bulk_create([Section(version=version, key=k, body="") for k in SECTION_ORDER])
        state = obj.state
        complete = state in (
            AgreementState.IN_REVIEW,
            AgreementState.APPROVED,
            AgreementState.SIGNED,
            AgreementState.SUPERSEDED,
            AgreementState.EXPIRED,
        )
        # AgreementFactory(content=True) gives a draft that can be submitted as is.
        if complete or extracted:
            fill_complete_content(version)
        if state != AgreementState.DRAFT and state != AgreementState.WITHDRAWN:
            version.freeze()
        now = timezone.now()
        fields = {}
        if state != AgreementState.DRAFT and state != AgreementState.WITHDRAWN:
            fields["submitted_at"] = now  # as submitting does: every agreement that was in review has it
        if state in (AgreementState.APPROVED, AgreementState.SIGNED, AgreementState.SUPERSEDED, AgreementState.EXPIRED):
            fields["approved_at"] = now
        if state in (AgreementState.SIGNED, AgreementState.SUPERSEDED, AgreementState.EXPIRED):
            fields["signed_at"] = now
            for party in (obj.initiative, obj.municipality):
                for _ in range(party.signing_quorum):
                    signer = member(party, MembershipRole.SIGNATORY)
                    Signature.objects.create(
                        version=version, party=party, signer=signer, content_hash=version.content_hash
                    )
        if fields:
            Agreement.objects.filter(pk=obj.pk).update(**fields)


def build_world() -> SimpleNamespace:
    """Two initiatives, two municipalities, an advisor, and one person per role.

    The initiative needs two signatures (quorum 2); the municipality has two
    signatories and four eyes on.
    """
    w = SimpleNamespace()
    w.initiative = OrganisationFactory(name="Buurtwarmte Test-Oost", signing_quorum=2)
    w.municipality = OrganisationFactory(municipality=True, name="Gemeente Test", cbs_code="GM0193")
    w.advisor_org = OrganisationFactory(advisor=True, name="Participatiecoalitie Test")
    w.other_initiative = OrganisationFactory(name="Energie Anderdorp")
    w.other_municipality = OrganisationFactory(municipality=True, name="Gemeente Anders", cbs_code="GM0150")

    w.drafter = member(w.initiative, MembershipRole.DRAFTER, email="drafter@example.org", full_name="Dirk Opsteller")
    w.initiative_signer1 = member(
        w.initiative, MembershipRole.SIGNATORY, email="bestuur1@example.org", full_name="Bea Bestuur"
    )
    w.initiative_signer2 = member(
        w.initiative, MembershipRole.SIGNATORY, email="bestuur2@example.org", full_name="Bart Bestuur"
    )
    w.initiative_admin = member(w.initiative, MembershipRole.ADMIN, email="admin-ini@example.org")
    w.reviewer = member(
        w.municipality, MembershipRole.REVIEWER, email="reviewer@example.org", full_name="Rik Ambtenaar"
    )
    w.reviewer2 = member(w.municipality, MembershipRole.REVIEWER, email="reviewer2@example.org")
    w.municipal_signer = member(
        w.municipality, MembershipRole.SIGNATORY, email="wethouder@example.org", full_name="Wendy Wethouder"
    )
    w.advisor = member(w.advisor_org, MembershipRole.DRAFTER, email="advisor@example.org", full_name="Ada Adviseur")
    w.outsider = member(w.other_initiative, MembershipRole.DRAFTER, email="outsider@example.org")
    w.other_reviewer = member(w.other_municipality, MembershipRole.REVIEWER, email="other-reviewer@example.org")
    return w
