"""Demo data: two municipalities, two initiatives, an advisor, agreements in every state.

Every agreement is made through the services, so its audit trail is real.
Initiative names are fictional; the municipalities and their CBS codes are real.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
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
from agreements.models import Agreement, Membership, Organisation, User

from . import notifications, services

DEMO_USERS = [
    # e-mail, full name, organisation key, roles
    ("initiatief@example.org", "Ingrid Jansen", "zwolle_oost", [MembershipRole.DRAFTER, MembershipRole.SIGNATORY]),
    ("bestuur@example.org", "Bas de Vries", "zwolle_oost", [MembershipRole.SIGNATORY, MembershipRole.ADMIN]),
    ("gemeente@example.org", "Gert Hoekstra", "zwolle", [MembershipRole.REVIEWER, MembershipRole.ADMIN]),
    ("wethouder@example.org", "Wilma Postma", "zwolle", [MembershipRole.SIGNATORY]),
    ("adviseur@example.org", "Annelies Bakker", "coalition", [MembershipRole.ADMIN]),
    ("deventer-initiatief@example.org", "Dennis Smit", "de_hoven", [MembershipRole.DRAFTER, MembershipRole.SIGNATORY]),
    ("deventer-gemeente@example.org", "Daphne Mulder", "deventer", [MembershipRole.REVIEWER, MembershipRole.SIGNATORY]),
]

ORGANISATIONS = {
    "zwolle": {
        "kind": OrganisationKind.MUNICIPALITY,
        "name": "Gemeente Zwolle",
        "cbs_code": "GM0193",
        "province": Province.OVERIJSSEL,
    },
    "deventer": {
        "kind": OrganisationKind.MUNICIPALITY,
        "name": "Gemeente Deventer",
        "cbs_code": "GM0150",
        "province": Province.OVERIJSSEL,
    },
    "zwolle_oost": {
        "kind": OrganisationKind.INITIATIVE,
        "name": "Buurtwarmte Zwolle-Oost",
        "kvk_number": "81234567",
        "province": Province.OVERIJSSEL,
        "signing_quorum": 2,
    },
    "de_hoven": {
        "kind": OrganisationKind.INITIATIVE,
        "name": "Energiecoöperatie De Hoven Warm",
        "kvk_number": "87654321",
        "province": Province.OVERIJSSEL,
    },
    "coalition": {"kind": OrganisationKind.ADVISOR, "name": "Participatiecoalitie"},
}

SECTIONS = {
    "aim": (
        "Wij willen dat Zwolle-Oost in 2032 van het aardgas af is, met een warmtenet dat de bewoners zelf in "
        "handen hebben. Het gaat om ongeveer 1.400 woningen in de buurten Assendorp-Oost en Kamperpoort. "
        "Het initiatief krijgt de ruimte om te groeien van een werkgroep naar een warmtegemeenschap."
    ),
    "roles": (
        "Het bewonersinitiatief betrekt de buurt en onderzoekt de mogelijkheden van een collectief warmtenet. "
        "De gemeente regisseert de wijkaanpak en neemt de formele besluiten. Het projectteam van beide partijen "
        "besluit zelf over de planning en het onderzoek; over geld en over het omgevingsplan besluit de gemeente, "
        "over deelname van leden besluit de algemene ledenvergadering van de coöperatie."
    ),
    "process": (
        "Het projectteam komt elke twee weken bij elkaar. Voorzitter is de kwartiermaker van de gemeente; het "
        "initiatief maakt het verslag. Er zijn twee go/no-go-momenten: na de haalbaarheidsstudie en bij de keuze "
        "van de warmtebron. Na een positief besluit tekenen wij samen een samenwerkingsovereenkomst voor de "
        "ontwikkelfase."
    ),
    "resources": (
        "De gemeente stelt in 2026 en 2027 elk jaar € 40.000 beschikbaar voor procesbegeleiding en 400 uur "
        "ambtelijke inzet. De haalbaarheidsstudie wordt betaald uit de provinciale subsidie; het initiatief "
        "schrijft de aanvraag, de gemeente dient die in. Ontwikkelgeld komt uit een fonds dat pas terugbetaald "
        "wordt bij de financiële afsluiting."
    ),
    "communication": (
        "Het initiatief organiseert vier bewonersavonden per jaar en houdt een website bij. Brieven aan alle "
        "bewoners gaan uit namens beide partijen. Naar de pers spreekt de wethouder namens de gemeente en de "
        "voorzitter namens het initiatief; zij stemmen persberichten vooraf met elkaar af."
    ),
    "information": (
        "De gemeente deelt de energielabels en de gegevens over het gasverbruik per blok, niet per woning. De "
        "netbeheerder levert gegevens over de capaciteit van het net. Gegevens van bewoners uit de enquête blijven "
        "bij het initiatief en worden alleen met toestemming gedeeld."
    ),
    "escalation": (
        "Komen we er in het projectteam niet uit, dan gaat de vraag naar de stuurgroep. Lukt het daar ook niet, "
        "dan praten de wethouder en het bestuur van de coöperatie met elkaar. Als laatste stap vragen we een "
        "onafhankelijke bemiddelaar."
    ),
    "evaluation": (
        "Wij evalueren deze afspraak elk jaar in maart en bij elke nieuwe fase. Het initiatief bereidt de "
        "evaluatie voor; de uitkomst bespreken we in de stuurgroep en we passen de rolverdeling aan waar nodig."
    ),
    "duration": (
        "Deze afspraak geldt tot en met 31 december 2027. Beide partijen kunnen de samenwerking samen beëindigen "
        "als de verwachtingen te ver uit elkaar gaan. Het werk dat al gedaan is, blijft dan beschikbaar voor "
        "de buurt."
    ),
}

RESPONSIBILITIES = [
    ("Intentieverklaring ondertekenen", Phase.ORIENTATION, RaciRole.ACCOUNTABLE, RaciRole.ACCOUNTABLE, "", ""),
    ("Bewonersavonden organiseren", Phase.ORIENTATION, RaciRole.RESPONSIBLE, RaciRole.CONSULTED, "", ""),
    ("Brief aan alle bewoners", Phase.ORIENTATION, RaciRole.CONSULTED, RaciRole.RESPONSIBLE, "", ""),
    ("Participatieplan opstellen", Phase.ORIENTATION, RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, "", ""),
    ("Gegevens over energielabels en verbruik", Phase.ORIENTATION, RaciRole.INFORMED, RaciRole.RESPONSIBLE, "", ""),
    ("Haalbaarheidsstudie", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.CONSULTED, "", ""),
    (
        "Onderzoek naar warmtebronnen (aquathermie)",
        Phase.DEVELOPMENT,
        RaciRole.RESPONSIBLE,
        RaciRole.CONSULTED,
        "Waterschap Drents Overijsselse Delta",
        RaciRole.CONSULTED,
    ),
    (
        "Capaciteit van het net en plan voor gas eruit",
        Phase.DEVELOPMENT,
        RaciRole.INFORMED,
        RaciRole.CONSULTED,
        "Netbeheerder Enexis",
        RaciRole.RESPONSIBLE,
    ),
    (
        "Toezegging voor huurwoningen",
        Phase.DEVELOPMENT,
        RaciRole.CONSULTED,
        RaciRole.CONSULTED,
        "Woningcorporatie deltaWonen",
        RaciRole.ACCOUNTABLE,
    ),
    ("Subsidieaanvraag", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, "", ""),
    ("Warmtekavel aanwijzen", Phase.REALISATION, RaciRole.CONSULTED, RaciRole.ACCOUNTABLE, "", ""),
    ("Jaarlijkse evaluatie van deze afspraak", Phase.OPERATION, RaciRole.RESPONSIBLE, RaciRole.RESPONSIBLE, "", ""),
]


def _decision_moments(today: dt.date) -> list[dict]:
    return [
        {
            "title": "Go/no-go na de haalbaarheidsstudie",
            "planned_date": today + dt.timedelta(days=120),
            "deciding_body": DecidingBody.STEERING_GROUP,
            "instrument": Instrument.NEIGHBOURHOOD_PLAN,
        },
        {
            "title": "Besluit van de ALV over oprichting warmtegemeenschap",
            "planned_date": today + dt.timedelta(days=200),
            "deciding_body": DecidingBody.MEMBERS_MEETING,
            "instrument": "",
        },
        {
            "title": "Collegebesluit over opname in het warmteprogramma",
            "planned_date": today + dt.timedelta(days=260),
            "deciding_body": DecidingBody.COLLEGE,
            "instrument": Instrument.HEAT_PROGRAMME,
        },
    ]


def _responsibility_rows() -> list[dict]:
    return [
        {
            "task": task,
            "phase": phase,
            "initiative_role": initiative,
            "municipality_role": municipality,
            "third_party_name": third,
            "third_party_role": third_role,
        }
        for task, phase, initiative, municipality, third, third_role in RESPONSIBILITIES
    ]


class DemoSeeder:
    def __init__(self, *, password: str, stdout=None) -> None:
        self.password = password
        self.stdout = stdout
        self.today = timezone.localdate()

    def say(self, text: str) -> None:
        if self.stdout:
            self.stdout.write(text)

    @transaction.atomic
    def run(self) -> None:
        # The demo's history is replayed through the services; nobody is e-mailed about it.
        with notifications.silenced():
            self._run()

    def _run(self) -> None:
        self.orgs = {key: self._organisation(**fields) for key, fields in ORGANISATIONS.items()}
        self.users = {email: self._user(email, name, org, roles) for email, name, org, roles in DEMO_USERS}
        self._staff()
        self._agreements()

    def _organisation(self, **fields) -> Organisation:
        lookup = {"cbs_code": fields["cbs_code"]} if "cbs_code" in fields else {"name": fields["name"]}
        organisation, _created = Organisation.objects.get_or_create(**lookup, defaults=fields)
        return organisation

    def _user(self, email: str, name: str, org_key: str, roles: list[str]) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=self.password, full_name=name)
            self.say(f"  user {email}")
        for role in roles:
            Membership.objects.get_or_create(user=user, organisation=self.orgs[org_key], role=role)
        return user

    def _staff(self) -> None:
        if not User.objects.filter(email="beheer@example.org").exists():
            User.objects.create_superuser(
                email="beheer@example.org", password=self.password, full_name="Beheer Samenkader"
            )

    # --- agreements ---------------------------------------------------------------------

    def _agreements(self) -> None:
        u = self.users
        zwolle, oost, coalition = self.orgs["zwolle"], self.orgs["zwolle_oost"], self.orgs["coalition"]
        drafter, board = u["initiatief@example.org"], u["bestuur@example.org"]
        reviewer, alderman = u["gemeente@example.org"], u["wethouder@example.org"]

        def create(title: str, *, form=AgreementForm.COOPERATION_AGREEMENT, complete=True, **extra) -> Agreement | None:
            if Agreement.objects.filter(title=title, initiative=oost).exists():
                return None
            agreement = services.agreement_create(
                actor=drafter,
                initiative=oost,
                municipality=zwolle,
                title=title,
                form=form,
                phase=extra.pop("phase", Phase.ORIENTATION),
                neighbourhoods=extra.pop(
                    "neighbourhoods",
                    [{"name": "Assendorp", "cbs_code": "WK019303"}, {"name": "Kamperpoort", "cbs_code": ""}],
                ),
                review_due_date=self.today + dt.timedelta(days=14),
                evaluation_date=extra.pop("evaluation_date", self.today + dt.timedelta(days=180)),
                valid_until=extra.pop("valid_until", dt.date(self.today.year + 1, 12, 31)),
            )
            if complete:
                services.agreement_update_draft(
                    agreement=agreement,
                    actor=drafter,
                    based_on_revision=1,
                    sections=SECTIONS,
                    responsibilities=_responsibility_rows(),
                    decision_moments=_decision_moments(self.today),
                )
            self.say(f"  agreement {agreement.reference}: {title}")
            return agreement

        def sign_all(agreement: Agreement) -> None:
            for signer in (drafter, board, alderman):
                agreement.refresh_from_db()
                version = agreement.frozen_version()
                services.agreement_sign(agreement=agreement, actor=signer, content_hash=version.content_hash)

        # A draft that can be submitted as it is.
        create("Samen naar een warmtenet in Zwolle-Oost", form=AgreementForm.LETTER_OF_INTENT)

        # A draft just started: most sections still empty.
        create("Spelregels buurtaanpak Kamperpoort", form=AgreementForm.GROUND_RULES, complete=False)

        # In review, with an open question of the municipality.
        a = create("Kaderafspraak aquathermie Assendorp", phase=Phase.DEVELOPMENT)
        if a:
            services.agreement_submit(agreement=a, actor=drafter)
            services.advisor_grant(agreement=a, actor=drafter, advisor=coalition)
            services.comment_add(
                agreement=a,
                actor=reviewer,
                section_key="resources",
                body="Kunnen jullie aangeven hoeveel uur ambtelijke inzet jullie per kwartaal verwachten?",
            )

        # Approved: one of the two board members has signed.
        a = create("Samenwerkingsovereenkomst haalbaarheidsstudie Zwolle-Oost", phase=Phase.DEVELOPMENT)
        if a:
            services.agreement_submit(agreement=a, actor=drafter)
            services.agreement_approve(agreement=a, actor=reviewer)
            a.refresh_from_db()
            services.agreement_sign(agreement=a, actor=drafter, content_hash=a.frozen_version().content_hash)

        # Signed, with the advisor reading along; then an amendment in draft.
        a = create("Intentieovereenkomst warmtegemeenschap Zwolle-Oost", form=AgreementForm.LETTER_OF_INTENT)
        if a:
            services.advisor_grant(agreement=a, actor=drafter, advisor=coalition)
            services.agreement_submit(agreement=a, actor=drafter)
            services.agreement_approve(agreement=a, actor=reviewer)
            sign_all(a)
            a.refresh_from_db()
            services.agreement_amend(agreement=a, actor=drafter)

        # Withdrawn.
        a = create("Projectafspraak zonnedaken Holtenbroek", form=AgreementForm.PROJECT_AGREEMENT)
        if a:
            services.agreement_submit(agreement=a, actor=drafter)
            services.agreement_withdraw(
                agreement=a, actor=drafter, note="Het project gaat verder onder de buurtcoöperatie Holtenbroek."
            )

        # Superseded by its signed amendment.
        a = create("Spelregels samenwerking Dieze-Oost", form=AgreementForm.GROUND_RULES)
        if a:
            services.agreement_submit(agreement=a, actor=drafter)
            services.agreement_approve(agreement=a, actor=reviewer)
            sign_all(a)
            a.refresh_from_db()
            amendment = services.agreement_amend(agreement=a, actor=drafter)
            version = amendment.current_version()
            services.agreement_update_draft(
                agreement=amendment,
                actor=drafter,
                based_on_revision=version.revision,
                sections={"evaluation": SECTIONS["evaluation"] + " Vanaf 2027 evalueren wij twee keer per jaar."},
            )
            services.agreement_submit(agreement=amendment, actor=drafter)
            services.agreement_approve(agreement=amendment, actor=reviewer)
            sign_all(amendment)

        # Expired: valid until yesterday.
        a = create(
            "Intentieverklaring verkenning Diezerpoort",
            form=AgreementForm.LETTER_OF_INTENT,
            valid_until=self.today - dt.timedelta(days=1),
            evaluation_date=self.today - dt.timedelta(days=30),
        )
        if a:
            services.agreement_submit(agreement=a, actor=drafter)
            services.agreement_approve(agreement=a, actor=reviewer)
            sign_all(a)
            services.agreement_expire(agreement=a)

        # Deventer: the other pair, invisible to the Zwolle people.
        hoven, deventer = self.orgs["de_hoven"], self.orgs["deventer"]
        if not Agreement.objects.filter(initiative=hoven).exists():
            d = services.agreement_create(
                actor=u["deventer-initiatief@example.org"],
                initiative=hoven,
                municipality=deventer,
                title="Kaderafspraak warmte De Hoven",
                form=AgreementForm.COOPERATION_AGREEMENT,
                phase=Phase.ORIENTATION,
                neighbourhoods=[{"name": "De Hoven", "cbs_code": ""}],
            )
            services.agreement_update_draft(
                agreement=d,
                actor=u["deventer-initiatief@example.org"],
                based_on_revision=1,
                sections=SECTIONS,
                responsibilities=_responsibility_rows(),
                decision_moments=_decision_moments(self.today),
            )
            services.agreement_submit(agreement=d, actor=u["deventer-initiatief@example.org"])
            self.say(f"  agreement {d.reference}: {d.title}")

        states = set(Agreement.objects.values_list("state", flat=True))
        missing = {s.value for s in AgreementState} - states
        assert not missing, f"demo data lacks states {missing}"


def seed_demo(*, stdout=None) -> None:
    if settings.PRODUCTION:
        raise RuntimeError("Demo data and its published password are refused in production.")
    DemoSeeder(password=settings.DEMO_PASSWORD, stdout=stdout).run()
