"""People and agreements like the demo data, built in the test database (the tests never depend on seed_demo)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from agreements.choices import MembershipRole
from agreements.models import AdvisorAccess, Agreement, Comment, Membership
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory

PASSWORD = "samenkader-demo"


def person(email: str, full_name: str, organisation, *roles: str, language: str = "nl"):
    user = UserFactory(email=email, full_name=full_name, preferred_language=language, password=PASSWORD)
    for role in roles:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def demo_like_world() -> SimpleNamespace:
    """The five kinds of demo user, an admin, and one agreement waiting on each of them."""
    w = SimpleNamespace()
    w.initiative = OrganisationFactory(name="Buurtwarmte Zwolle-Oost", signing_quorum=2)
    w.municipality = OrganisationFactory(municipality=True, name="Gemeente Zwolle", cbs_code="GM0193")
    w.advisor_org = OrganisationFactory(advisor=True, name="Participatiecoalitie")
    w.other_initiative = OrganisationFactory(name="Energie Anderdorp")
    w.other_municipality = OrganisationFactory(municipality=True, name="Gemeente Deventer", cbs_code="GM0150")

    w.initiatief = person(
        "initiatief@example.org",
        "Ilse Initiatief",
        w.initiative,
        MembershipRole.DRAFTER,
        MembershipRole.SIGNATORY,
        MembershipRole.ADMIN,
    )
    w.bestuur = person("bestuur@example.org", "Bram Bestuur", w.initiative, MembershipRole.SIGNATORY)
    w.gemeente = person("gemeente@example.org", "Gert Gemeente", w.municipality, MembershipRole.REVIEWER)
    w.wethouder = person("wethouder@example.org", "Wilma Wethouder", w.municipality, MembershipRole.SIGNATORY)
    w.adviseur = person("adviseur@example.org", "Anouk Adviseur", w.advisor_org, MembershipRole.DRAFTER)
    w.stranger = person("ander@example.org", "Olga Ander", w.other_initiative, MembershipRole.DRAFTER)

    def agreement(title: str, **traits) -> Agreement:
        return AgreementFactory(
            initiative=w.initiative, municipality=w.municipality, title=title, created_by=w.initiatief, **traits
        )

    w.draft = agreement("Warmtenet Oost: concept")
    Comment.objects.create(
        version=w.draft.current_version(), author=w.gemeente, body="Wie organiseert de bewonersavonden?"
    )
    w.in_review = agreement("Warmtenet Oost: haalbaarheid", in_review=True)
    Agreement.objects.filter(pk=w.in_review.pk).update(review_due_date=timezone.localdate() + dt.timedelta(days=5))
    w.approved = agreement("Warmtenet Oost: intentieovereenkomst", approved=True)
    w.signed = agreement("Warmtenet Oost: spelregels", signed=True)
    AdvisorAccess.objects.create(agreement=w.signed, organisation=w.advisor_org, granted_by=w.initiatief)
    w.foreign = AgreementFactory(
        initiative=w.other_initiative,
        municipality=w.other_municipality,
        title="Geheim plan Anderdorp",
        in_review=True,
    )
    return w
