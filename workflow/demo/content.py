"""The demo's people, organisations, texts and story.

Initiative names and people are fictional; the municipalities and their CBS
codes are real (eight municipalities in six provinces). The story is told in
days before the day the demo is loaded, so its figures stay current: about
eighteen months of agreements, some signed, amended, expired or withdrawn,
some waiting (too long) for a review or a signature, and evaluations and
expiries coming up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from agreements.choices import (
    AgreementForm,
    DecidingBody,
    Instrument,
    MembershipRole,
    OrganisationKind,
    Phase,
    Province,
    RaciRole,
)

DRAFTER, REVIEWER, SIGNATORY, ADMIN = (
    MembershipRole.DRAFTER,
    MembershipRole.REVIEWER,
    MembershipRole.SIGNATORY,
    MembershipRole.ADMIN,
)

DEMO_USERS = [
    # e-mail, full name, organisation key, roles (signatories sign in this order)
    ("initiatief@example.org", "Ingrid Jansen", "zwolle_oost", [DRAFTER, SIGNATORY]),
    ("bestuur@example.org", "Bas de Vries", "zwolle_oost", [SIGNATORY, ADMIN]),
    ("gemeente@example.org", "Gert Hoekstra", "zwolle", [REVIEWER, ADMIN]),
    ("wethouder@example.org", "Wilma Postma", "zwolle", [SIGNATORY]),
    ("adviseur@example.org", "Annelies Bakker", "coalition", [ADMIN]),
    ("deventer-initiatief@example.org", "Dennis Smit", "de_hoven", [DRAFTER, SIGNATORY]),
    ("deventer-gemeente@example.org", "Daphne Mulder", "deventer", [REVIEWER, SIGNATORY]),
    # The other initiatives: one person drafts and signs for each.
    ("holtenbroek-initiatief@example.org", "Fatima Ouali", "holtenbroek", [DRAFTER, SIGNATORY, ADMIN]),
    ("colmschate-initiatief@example.org", "Joost Brouwer", "colmschate", [DRAFTER, SIGNATORY, ADMIN]),
    ("joure-initiatief@example.org", "Hylke Bouma", "joure", [DRAFTER, SIGNATORY, ADMIN]),
    ("workum-initiatief@example.org", "Geertje Terpstra", "workum", [DRAFTER, SIGNATORY, ADMIN]),
    ("terweijde-initiatief@example.org", "Sanne van Wijk", "terweijde", [DRAFTER, SIGNATORY, ADMIN]),
    ("roden-initiatief@example.org", "Albert Hofstee", "roden", [DRAFTER, SIGNATORY, ADMIN]),
    ("paddepoel-initiatief@example.org", "Lotte Meijer", "paddepoel", [DRAFTER, SIGNATORY, ADMIN]),
    ("oosterpark-initiatief@example.org", "Rik Huizinga", "oosterpark", [DRAFTER, SIGNATORY, ADMIN]),
    ("lombok-initiatief@example.org", "Mehmet Yilmaz", "lombok", [DRAFTER, SIGNATORY, ADMIN]),
    ("overvecht-initiatief@example.org", "Nadia Verbeek", "overvecht", [DRAFTER, SIGNATORY, ADMIN]),
    # The other municipalities: a reviewer (who approves) and an alderman (who signs).
    ("fryskemarren-gemeente@example.org", "Sietske de Boer", "de_fryske_marren", [REVIEWER, ADMIN]),
    ("fryskemarren-wethouder@example.org", "Jelle Visser", "de_fryske_marren", [SIGNATORY]),
    ("sudwest-gemeente@example.org", "Anke Dijkstra", "sudwest_fryslan", [REVIEWER, ADMIN]),
    ("sudwest-wethouder@example.org", "Wiebe Zijlstra", "sudwest_fryslan", [SIGNATORY]),
    ("culemborg-gemeente@example.org", "Kees van Dam", "culemborg", [REVIEWER, ADMIN]),
    ("culemborg-wethouder@example.org", "Esther Verhoef", "culemborg", [SIGNATORY]),
    ("noordenveld-gemeente@example.org", "Harm Wolters", "noordenveld", [REVIEWER, ADMIN]),
    ("noordenveld-wethouder@example.org", "Roelie Kuipers", "noordenveld", [SIGNATORY]),
    ("groningen-gemeente@example.org", "Marieke Bos", "groningen", [REVIEWER, ADMIN]),
    ("groningen-wethouder@example.org", "Pieter Kramer", "groningen", [SIGNATORY]),
    ("utrecht-gemeente@example.org", "Yasmina El Amrani", "utrecht", [REVIEWER, ADMIN]),
    ("utrecht-wethouder@example.org", "Thomas van Leeuwen", "utrecht", [SIGNATORY]),
]

ADVISOR_EMAIL = "adviseur@example.org"


def _municipality(name: str, cbs_code: str, province: str) -> dict:
    return {"kind": OrganisationKind.MUNICIPALITY, "name": name, "cbs_code": cbs_code, "province": province}


def _initiative(name: str, kvk_number: str, province: str, **extra) -> dict:
    return {"kind": OrganisationKind.INITIATIVE, "name": name, "kvk_number": kvk_number, "province": province, **extra}


ORGANISATIONS = {
    "zwolle": _municipality("Gemeente Zwolle", "GM0193", Province.OVERIJSSEL),
    "deventer": _municipality("Gemeente Deventer", "GM0150", Province.OVERIJSSEL),
    "de_fryske_marren": _municipality("Gemeente De Fryske Marren", "GM1940", Province.FRYSLAN),
    "sudwest_fryslan": _municipality("Gemeente Súdwest-Fryslân", "GM1900", Province.FRYSLAN),
    "culemborg": _municipality("Gemeente Culemborg", "GM0216", Province.GELDERLAND),
    "noordenveld": _municipality("Gemeente Noordenveld", "GM1699", Province.DRENTHE),
    "groningen": _municipality("Gemeente Groningen", "GM0014", Province.GRONINGEN),
    "utrecht": _municipality("Gemeente Utrecht", "GM0344", Province.UTRECHT),
    "zwolle_oost": _initiative("Buurtwarmte Zwolle-Oost", "81234567", Province.OVERIJSSEL, signing_quorum=2),
    "de_hoven": _initiative("Energiecoöperatie De Hoven Warm", "87654321", Province.OVERIJSSEL),
    "holtenbroek": _initiative("Buurtcoöperatie Holtenbroek", "82345671", Province.OVERIJSSEL),
    "colmschate": _initiative("Energiek Colmschate", "83456712", Province.OVERIJSSEL),
    "joure": _initiative("Mienskip Waarmte Joure", "84567123", Province.FRYSLAN),
    "workum": _initiative("Dorpsenergie Workum", "85671234", Province.FRYSLAN),
    "terweijde": _initiative("Terweijde Warm", "86712345", Province.GELDERLAND),
    "roden": _initiative("Roden Aardgasvrij", "87123456", Province.DRENTHE),
    "paddepoel": _initiative("Buurtwarmte Paddepoel", "88234567", Province.GRONINGEN),
    "oosterpark": _initiative("Energiecoöperatie Oosterparkwijk", "89345678", Province.GRONINGEN),
    "lombok": _initiative("Warm Lombok", "80456789", Province.UTRECHT),
    "overvecht": _initiative("Samen Warm Overvecht", "81567890", Province.UTRECHT),
    "coalition": {"kind": OrganisationKind.ADVISOR, "name": "Participatiecoalitie"},
}


# --- the texts of an agreement, per initiative -------------------------------------------------


@dataclass(frozen=True)
class Place:
    """What an initiative's agreements say about its neighbourhood."""

    municipality: str  # organisation key
    area: str  # the area the aim names
    neighbourhoods: tuple[tuple[str, str], ...]  # (name, CBS code or "")
    homes: str
    goal_year: int
    heat: str  # "een warmtenet", ...
    source: str  # the heat-source study's task
    source_party: str = ""
    grid_operator: str = "de netbeheerder"
    housing: str = "de woningcorporatie"
    budget: str = "€ 30.000"
    hours: int = 300


PLACES = {
    "zwolle_oost": Place(
        "zwolle",
        "Zwolle-Oost",
        (("Assendorp", "WK019303"), ("Kamperpoort", "")),
        "1.400",
        2032,
        "een warmtenet",
        "Onderzoek naar warmtebronnen (aquathermie)",
        "Waterschap Drents Overijsselse Delta",
        "Netbeheerder Enexis",
        "Woningcorporatie deltaWonen",
        "€ 40.000",
        400,
    ),
    "holtenbroek": Place(
        "zwolle",
        "Holtenbroek",
        (("Holtenbroek", ""),),
        "900",
        2034,
        "een warmtenet",
        "Onderzoek naar restwarmte en bodemwarmte",
        grid_operator="Netbeheerder Enexis",
        housing="Woningcorporatie deltaWonen",
    ),
    "de_hoven": Place(
        "deventer",
        "De Hoven",
        (("De Hoven", ""),),
        "650",
        2033,
        "een warmtenet",
        "Onderzoek naar warmte uit de IJssel",
        grid_operator="Netbeheerder Enexis",
    ),
    "colmschate": Place(
        "deventer",
        "Colmschate-Zuid",
        (("Colmschate", ""),),
        "1.100",
        2035,
        "een collectieve warmtevoorziening",
        "Onderzoek naar bodemwarmte",
        grid_operator="Netbeheerder Enexis",
    ),
    "joure": Place(
        "de_fryske_marren",
        "Joure-Noord",
        (("Joure", ""),),
        "800",
        2035,
        "een dorpswarmtenet",
        "Onderzoek naar aquathermie uit De Geau",
        "Wetterskip Fryslân",
        "Netbeheerder Liander",
        budget="€ 25.000",
        hours=250,
    ),
    "workum": Place(
        "sudwest_fryslan",
        "Workum",
        (("Workum", ""),),
        "1.200",
        2034,
        "een dorpswarmtenet",
        "Onderzoek naar warmte uit het IJsselmeer",
        "Wetterskip Fryslân",
        "Netbeheerder Liander",
        budget="€ 25.000",
        hours=250,
    ),
    "terweijde": Place(
        "culemborg",
        "Terweijde",
        (("Terweijde", ""),),
        "1.500",
        2033,
        "een warmtenet",
        "Onderzoek naar aquathermie uit de Lek",
        "Waterschap Rivierenland",
    ),
    "roden": Place(
        "noordenveld",
        "Roden-Noord",
        (("Roden", ""),),
        "700",
        2036,
        "een warmtegemeenschap",
        "Onderzoek naar bodemwarmte",
        grid_operator="Netbeheerder Enexis",
        budget="€ 20.000",
        hours=200,
    ),
    "paddepoel": Place(
        "groningen",
        "Paddepoel",
        (("Paddepoel", ""),),
        "2.300",
        2031,
        "een warmtenet",
        "Onderzoek naar restwarmte van het Zernikecomplex",
        grid_operator="Netbeheerder Enexis",
        budget="€ 50.000",
        hours=500,
    ),
    "oosterpark": Place(
        "groningen",
        "de Oosterparkwijk",
        (("Oosterparkwijk", ""),),
        "1.900",
        2033,
        "een warmtenet",
        "Onderzoek naar warmtebronnen in de wijk",
        grid_operator="Netbeheerder Enexis",
        budget="€ 40.000",
        hours=400,
    ),
    "lombok": Place(
        "utrecht",
        "Lombok",
        (("Lombok", ""),),
        "1.600",
        2032,
        "een warmtenet",
        "Onderzoek naar aquathermie uit de Leidsche Rijn",
        "Hoogheemraadschap De Stichtse Rijnlanden",
        "Netbeheerder Stedin",
        budget="€ 45.000",
        hours=450,
    ),
    "overvecht": Place(
        "utrecht",
        "Overvecht-Noord",
        (("Overvecht", ""),),
        "3.000",
        2030,
        "een warmtenet",
        "Onderzoek naar warmtebronnen voor de flats",
        grid_operator="Netbeheerder Stedin",
        budget="€ 60.000",
        hours=600,
    ),
}

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def sections_for(place: Place, *, municipality: str, valid_until: dt.date | None, year: int) -> dict[str, str]:
    """The nine sections of an agreement of this place, written in the year it was drafted."""
    names = " en ".join(name for name, _code in place.neighbourhoods)
    until = (
        f"Deze afspraak geldt tot en met {dutch_date(valid_until)}."
        if valid_until
        else "Deze afspraak geldt tot de partijen een nieuwe afspraak tekenen."
    )
    return {
        "aim": (
            f"Wij willen dat {place.area} in {place.goal_year} van het aardgas af is, met {place.heat} dat de "
            f"bewoners zelf in handen hebben. Het gaat om ongeveer {place.homes} woningen in {names}. "
            "Het initiatief krijgt de ruimte om te groeien van een werkgroep naar een warmtegemeenschap."
        ),
        "roles": (
            "Het bewonersinitiatief betrekt de buurt en onderzoekt de mogelijkheden van een collectieve "
            f"warmtevoorziening. {municipality} regisseert de wijkaanpak en neemt de formele besluiten. Het "
            "projectteam van beide partijen besluit zelf over de planning en het onderzoek; over geld en over het "
            "omgevingsplan besluit de gemeente, over deelname van leden besluit de algemene ledenvergadering."
        ),
        "process": (
            "Het projectteam komt elke twee weken bij elkaar. Voorzitter is de kwartiermaker van de gemeente; het "
            "initiatief maakt het verslag. Er zijn twee go/no-go-momenten: na de haalbaarheidsstudie en bij de "
            "keuze van de warmtebron. Na een positief besluit tekenen wij samen een samenwerkingsovereenkomst "
            "voor de ontwikkelfase."
        ),
        "resources": (
            f"De gemeente stelt in {year} en {year + 1} elk jaar {place.budget} beschikbaar voor procesbegeleiding "
            f"en {place.hours} uur ambtelijke inzet. De haalbaarheidsstudie wordt betaald uit de provinciale "
            "subsidie; het initiatief schrijft de aanvraag, de gemeente dient die in. Ontwikkelgeld komt uit een "
            "fonds dat pas terugbetaald wordt bij de financiële afsluiting."
        ),
        "communication": (
            "Het initiatief organiseert vier bewonersavonden per jaar en houdt een website bij. Brieven aan alle "
            "bewoners gaan uit namens beide partijen. Naar de pers spreekt de wethouder namens de gemeente en de "
            "voorzitter namens het initiatief; zij stemmen persberichten vooraf met elkaar af."
        ),
        "information": (
            "De gemeente deelt de energielabels en de gegevens over het gasverbruik per blok, niet per woning. "
            f"{place.grid_operator[0].upper()}{place.grid_operator[1:]} levert gegevens over de capaciteit van het "
            "net. Gegevens van bewoners uit de enquête blijven bij het initiatief en worden alleen met toestemming "
            "gedeeld."
        ),
        "escalation": (
            "Komen we er in het projectteam niet uit, dan gaat de vraag naar de stuurgroep. Lukt het daar ook "
            "niet, dan praten de wethouder en het bestuur van het initiatief met elkaar. Als laatste stap vragen "
            "we een onafhankelijke bemiddelaar."
        ),
        "evaluation": (
            "Wij evalueren deze afspraak elk jaar en bij elke nieuwe fase. Het initiatief bereidt de evaluatie "
            "voor; de uitkomst bespreken we in de stuurgroep en we passen de rolverdeling aan waar nodig."
        ),
        "duration": (
            f"{until} Beide partijen kunnen de samenwerking samen beëindigen als de verwachtingen te ver uit "
            "elkaar gaan. Het werk dat al gedaan is, blijft dan beschikbaar voor de buurt."
        ),
    }


def responsibilities_for(place: Place) -> list[dict]:
    source_role = RaciRole.CONSULTED if place.source_party else ""
    rows = [
        ("Intentieverklaring ondertekenen", Phase.ORIENTATION, RaciRole.ACCOUNTABLE, RaciRole.ACCOUNTABLE, "", ""),
        ("Bewonersavonden organiseren", Phase.ORIENTATION, RaciRole.RESPONSIBLE, RaciRole.CONSULTED, "", ""),
        ("Brief aan alle bewoners", Phase.ORIENTATION, RaciRole.CONSULTED, RaciRole.RESPONSIBLE, "", ""),
        ("Participatieplan opstellen", Phase.ORIENTATION, RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, "", ""),
        ("Gegevens over energielabels en verbruik", Phase.ORIENTATION, RaciRole.INFORMED, RaciRole.RESPONSIBLE, "", ""),
        ("Haalbaarheidsstudie", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.CONSULTED, "", ""),
        (place.source, Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.CONSULTED, place.source_party, source_role),
        (
            "Capaciteit van het net en plan voor gas eruit",
            Phase.DEVELOPMENT,
            RaciRole.INFORMED,
            RaciRole.CONSULTED,
            place.grid_operator[0].upper() + place.grid_operator[1:],
            RaciRole.RESPONSIBLE,
        ),
        (
            "Toezegging voor huurwoningen",
            Phase.DEVELOPMENT,
            RaciRole.CONSULTED,
            RaciRole.CONSULTED,
            place.housing[0].upper() + place.housing[1:],
            RaciRole.ACCOUNTABLE,
        ),
        ("Subsidieaanvraag", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, "", ""),
        ("Warmtekavel aanwijzen", Phase.REALISATION, RaciRole.CONSULTED, RaciRole.ACCOUNTABLE, "", ""),
        ("Jaarlijkse evaluatie van deze afspraak", Phase.OPERATION, RaciRole.RESPONSIBLE, RaciRole.RESPONSIBLE, "", ""),
    ]
    return [
        {
            "task": task,
            "phase": phase,
            "initiative_role": initiative,
            "municipality_role": municipality,
            "third_party_name": third,
            "third_party_role": third_role,
        }
        for task, phase, initiative, municipality, third, third_role in rows
    ]


def decision_moments(start: dt.date) -> list[dict]:
    """The decisions an agreement begun on ``start`` plans."""
    return [
        {
            "title": "Go/no-go na de haalbaarheidsstudie",
            "planned_date": start + dt.timedelta(days=120),
            "deciding_body": DecidingBody.STEERING_GROUP,
            "instrument": Instrument.NEIGHBOURHOOD_PLAN,
        },
        {
            "title": "Besluit van de ALV over oprichting warmtegemeenschap",
            "planned_date": start + dt.timedelta(days=200),
            "deciding_body": DecidingBody.MEMBERS_MEETING,
            "instrument": "",
        },
        {
            "title": "Collegebesluit over opname in het warmteprogramma",
            "planned_date": start + dt.timedelta(days=260),
            "deciding_body": DecidingBody.COLLEGE,
            "instrument": Instrument.HEAT_PROGRAMME,
        },
    ]


# Zwolle-Oost's texts, as other code (the benchmarks) uses them.
SECTIONS = sections_for(PLACES["zwolle_oost"], municipality="De gemeente", valid_until=dt.date(2027, 12, 31), year=2026)


def responsibility_rows() -> list[dict]:
    return responsibilities_for(PLACES["zwolle_oost"])


# --- the story ------------------------------------------------------------------------------------
#
# Every number of days below counts from an earlier moment of the same agreement, except ``started``
# (days before the day the demo is loaded) and ``evaluation``/``valid`` (days after it).


@dataclass(frozen=True)
class Changes:
    """The reviewer sends the version back ``after`` days into review; the drafter adds ``addition`` to ``section``
    and submits again ``resubmitted`` days later."""

    after: int
    resubmitted: int
    note: str
    section: str
    addition: str


@dataclass(frozen=True)
class Amendment:
    """The initiative amends the signed agreement ``after`` days after it was signed."""

    after: int
    sections: dict[str, str]
    drafting: int | None = None  # days until submitted; None: the amendment is still a draft
    review: int | None = None
    signing: tuple[int, ...] = ()
    phase: str = ""
    evaluation: int | None = None  # new dates, days after today; None keeps the original's
    valid: int | None = None


@dataclass(frozen=True)
class Progress:
    """``after`` days after signing a member of ``by`` updates a commitment: a task's status, or a decision's
    outcome. ``task`` is its title; "{source}" stands for the place's heat-source study. ``planned_in``: the new
    planned date, days after the step."""

    after: int
    task: str
    status: str = ""
    outcome: str = ""
    planned_in: int | None = None
    note: str = ""
    evidence_url: str = ""
    by: str = "initiative"


@dataclass(frozen=True)
class JointEvaluation:
    """``after`` days after signing ``by`` starts a joint evaluation; the parties in ``answered`` send their answers
    (the first a day later, the next two days later). ``scores`` per party: the score of every section, and
    what each writes should change."""

    after: int
    by: str
    reason: str
    answered: tuple[str, ...]
    scores: dict[str, int]
    should_change: dict[str, tuple[str, str]] = field(default_factory=dict)  # party -> (section, text)


@dataclass(frozen=True)
class Disagreement:
    """``after`` days after signing ``by`` raises an escalation; ``stepped_up`` days later the first step ends
    without a solution, with ``outcome``."""

    after: int
    by: str
    subject: str
    description: str
    informed: str
    stepped_up: int | None = None
    outcome: str = ""


@dataclass(frozen=True)
class AfterSigning:
    progress: tuple[Progress, ...] = ()
    evaluation: JointEvaluation | None = None
    disagreement: Disagreement | None = None


@dataclass(frozen=True)
class Story:
    title: str
    initiative: str  # organisation key; the municipality is the initiative's place's
    started: int  # days before today the drafter began
    form: str = AgreementForm.COOPERATION_AGREEMENT
    phase: str = Phase.ORIENTATION
    complete: bool = True  # False: most sections still empty
    drafting: int | None = None  # days from the start to the submission; None: still a draft
    changes: Changes | None = None
    question: str = ""  # the reviewer's question on the second day of review (resolved before approval)
    advice: str = ""  # the advisor's note during review
    review: int | None = None  # days from the (last) submission to approval; None: still in review
    signing: tuple[int, ...] = ()  # days after approval each signatory signs: the initiative's first, in order
    evaluation: int | None = 240
    valid: int | None = 600
    advisor: bool = True  # the drafter lets the Participatiecoalitie read along from the start
    withdrawn: tuple[int, str] | None = None  # days after the last step, and why
    expires: bool = False  # the daily task ends it the day after ``valid``
    amendment: Amendment | None = None
    neighbourhoods: tuple[tuple[str, str], ...] = field(default=())  # () uses the place's
    after_signing: AfterSigning | None = None  # how the signed agreement is carried out


STORIES = [
    # --- Zwolle: Buurtwarmte Zwolle-Oost (two board members sign) and Buurtcoöperatie Holtenbroek -------------
    Story(
        "Samen naar een warmtenet in Zwolle-Oost",
        "zwolle_oost",
        6,
        form=AgreementForm.LETTER_OF_INTENT,
        advisor=False,
    ),
    Story(
        "Spelregels buurtaanpak Kamperpoort",
        "zwolle_oost",
        75,
        form=AgreementForm.GROUND_RULES,
        complete=False,
        advisor=False,
    ),
    Story(
        "Kaderafspraak aquathermie Assendorp",
        "zwolle_oost",
        70,
        phase=Phase.DEVELOPMENT,
        drafting=44,
        question="Kunt u aangeven hoeveel uur ambtelijke inzet u per kwartaal verwacht?",
        advice="Leg ook vast wie de vergunning voor de warmtewisselaar in de Vecht aanvraagt.",
    ),
    Story(
        "Samenwerkingsovereenkomst haalbaarheidsstudie Zwolle-Oost",
        "zwolle_oost",
        110,
        phase=Phase.DEVELOPMENT,
        drafting=50,
        review=22,
        signing=(2,),
    ),
    Story(
        "Intentieovereenkomst warmtegemeenschap Zwolle-Oost",
        "zwolle_oost",
        500,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=30,
        review=12,
        signing=(3, 8, 10),
        evaluation=40,
        valid=395,
        amendment=Amendment(
            after=440,
            sections={
                "roles": (
                    "Na de oprichting van de warmtegemeenschap neemt de coöperatie de rol van het "
                    "bewonersinitiatief over. De gemeente regisseert de wijkaanpak en neemt de formele besluiten."
                )
            },
        ),
    ),
    Story(
        "Projectafspraak zonnedaken Holtenbroek",
        "zwolle_oost",
        300,
        form=AgreementForm.PROJECT_AGREEMENT,
        drafting=20,
        withdrawn=(15, "Het project gaat verder onder de buurtcoöperatie Holtenbroek."),
        advisor=False,
    ),
    Story(
        "Spelregels samenwerking Dieze-Oost",
        "zwolle_oost",
        470,
        form=AgreementForm.GROUND_RULES,
        drafting=14,
        review=9,
        signing=(2, 5, 7),
        evaluation=300,
        valid=470,
        amendment=Amendment(
            after=240,
            sections={
                "evaluation": (
                    "Wij evalueren deze afspraak twee keer per jaar, in maart en in september, en bij elke "
                    "nieuwe fase. Het initiatief bereidt de evaluatie voor; de uitkomst bespreken we in de "
                    "stuurgroep."
                )
            },
            drafting=10,
            review=8,
            signing=(1, 3, 6),
        ),
    ),
    Story(
        "Intentieverklaring verkenning Diezerpoort",
        "zwolle_oost",
        520,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=21,
        review=10,
        signing=(4, 6, 9),
        evaluation=-60,
        valid=-20,
        expires=True,
    ),
    Story(
        "Intentieovereenkomst buurtwarmte Holtenbroek",
        "holtenbroek",
        260,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=18,
        review=11,
        signing=(3, 9),
        evaluation=25,
        valid=510,
    ),
    Story(
        "Spelregels bewonersparticipatie Holtenbroek",
        "holtenbroek",
        45,
        form=AgreementForm.GROUND_RULES,
        drafting=12,
        review=14,
        signing=(4,),
    ),
    # --- Deventer: Energiecoöperatie De Hoven Warm and Energiek Colmschate -----------------------------------
    Story("Kaderafspraak warmte De Hoven", "de_hoven", 40, drafting=35, advisor=False),
    Story(
        "Intentieverklaring warmtebron IJssel De Hoven",
        "de_hoven",
        420,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=25,
        review=18,
        signing=(2, 6),
        evaluation=60,
        valid=300,
    ),
    Story(
        "Samenwerkingsovereenkomst Colmschate Warm",
        "colmschate",
        380,
        phase=Phase.DEVELOPMENT,
        drafting=35,
        changes=Changes(
            9,
            12,
            "Graag de verdeling van de kosten van de haalbaarheidsstudie per partij uitschrijven.",
            "resources",
            "De kosten van de haalbaarheidsstudie dragen de gemeente en het initiatief elk voor de helft.",
        ),
        question="Wie is namens het initiatief het vaste aanspreekpunt voor de netbeheerder?",
        review=14,
        signing=(5, 7),
        evaluation=150,
        valid=700,
    ),
    Story(
        "Spelregels wijkaanpak Colmschate-Zuid",
        "colmschate",
        150,
        form=AgreementForm.GROUND_RULES,
        drafting=20,
        review=16,
        signing=(3, 4),
        evaluation=200,
    ),
    # --- De Fryske Marren: Mienskip Waarmte Joure ------------------------------------------------------------
    Story(
        "Intentieovereenkomst Mienskip Waarmte Joure",
        "joure",
        480,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=40,
        review=28,
        signing=(6, 14),
        evaluation=70,
        valid=430,
        amendment=Amendment(
            after=270,
            sections={
                "process": (
                    "Het projectteam komt elke twee weken bij elkaar. Na het positieve besluit over de "
                    "haalbaarheid werken wij de keuze van de warmtebron uit; de stuurgroep besluit daarover "
                    "voor de zomer."
                )
            },
            phase=Phase.DEVELOPMENT,
            drafting=15,
            review=24,
            signing=(10, 16),
        ),
    ),
    Story(
        "Samenwerkingsovereenkomst haalbaarheid Joure-Noord",
        "joure",
        95,
        phase=Phase.DEVELOPMENT,
        drafting=30,
        question="Is de provinciale subsidie al toegekend, of gaat het om een aanvraag die nog loopt?",
    ),
    Story(
        "Spelregels dorpsavonden Joure",
        "joure",
        330,
        form=AgreementForm.GROUND_RULES,
        drafting=10,
        review=22,
        signing=(9, 13),
        evaluation=140,
    ),
    # --- Súdwest-Fryslân: Dorpsenergie Workum ----------------------------------------------------------------
    Story(
        "Intentieverklaring warmte uit het IJsselmeer",
        "workum",
        400,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=28,
        review=8,
        signing=(12, 21),
        evaluation=180,
        valid=20,
    ),
    Story(
        "Samenwerkingsovereenkomst Dorpsenergie Workum",
        "workum",
        130,
        phase=Phase.DEVELOPMENT,
        drafting=40,
        review=10,
        signing=(15,),
    ),
    Story(
        "Projectafspraak zonnewarmte sporthal Workum",
        "workum",
        210,
        form=AgreementForm.PROJECT_AGREEMENT,
        phase=Phase.REALISATION,
        drafting=25,
        review=9,
        signing=(18, 24),
        evaluation=310,
    ),
    # --- Culemborg: Terweijde Warm ---------------------------------------------------------------------------
    Story(
        "Intentieovereenkomst warmtenet Terweijde",
        "terweijde",
        450,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=20,
        review=14,
        signing=(4, 8),
        evaluation=12,
        valid=280,
    ),
    Story(
        "Samenwerkingsovereenkomst Terweijde Warm",
        "terweijde",
        200,
        phase=Phase.DEVELOPMENT,
        drafting=45,
        review=17,
        signing=(5, 9),
        evaluation=165,
        after_signing=AfterSigning(
            progress=(
                Progress(
                    10,
                    "Bewonersavonden organiseren",
                    status="in_progress",
                    planned_in=45,
                    note="Eerste avond in De Fransche School; 60 aanmeldingen.",
                ),
                Progress(
                    25,
                    "Brief aan alle bewoners",
                    status="done",
                    by="municipality",
                    note="Verstuurd aan 1.400 adressen.",
                ),
                Progress(
                    40,
                    "Haalbaarheidsstudie",
                    status="in_progress",
                    planned_in=60,
                    note="Bureau gekozen; de studie loopt.",
                ),
                Progress(
                    60,
                    "Collegebesluit over opname in het warmteprogramma",
                    outcome="yes",
                    by="municipality",
                    note="Terweijde staat in het warmteprogramma 2026-2036.",
                    evidence_url="https://www.culemborg.nl/warmteprogramma",
                ),
            ),
            evaluation=JointEvaluation(
                100,
                by="municipality",
                reason="phase_change",
                answered=("municipality",),
                scores={"municipality": 4},
                should_change={"municipality": ("resources", "De ambtelijke uren per kwartaal vastleggen.")},
            ),
        ),
    ),
    Story(
        "Spelregels buurtteam Terweijde",
        "terweijde",
        20,
        form=AgreementForm.GROUND_RULES,
        drafting=8,
    ),
    # --- Noordenveld: Roden Aardgasvrij ----------------------------------------------------------------------
    Story(
        "Intentieverklaring Roden Aardgasvrij",
        "roden",
        510,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=30,
        review=34,
        signing=(7, 12),
        evaluation=55,
        valid=85,
    ),
    Story(
        "Samenwerkingsovereenkomst warmtegemeenschap Roden-Noord",
        "roden",
        240,
        phase=Phase.DEVELOPMENT,
        drafting=33,
        changes=Changes(
            15,
            10,
            "Wie doet wat in de uitvoeringsfase? Dat staat er nog niet in; wilt u het aanvullen?",
            "roles",
            "In de uitvoeringsfase besteedt de warmtegemeenschap de aanleg aan; de gemeente verleent de "
            "vergunningen en legt de einddatum voor aardgas vast in het omgevingsplan.",
        ),
        review=14,
        signing=(10, 13),
        evaluation=250,
    ),
    Story(
        "Projectafspraak bodemwarmte Roden",
        "roden",
        90,
        form=AgreementForm.PROJECT_AGREEMENT,
        phase=Phase.DEVELOPMENT,
        drafting=45,
        withdrawn=(15, "Wij bundelen dit project met de samenwerkingsovereenkomst voor Roden-Noord."),
    ),
    # --- Groningen: Buurtwarmte Paddepoel and Energiecoöperatie Oosterparkwijk -------------------------------
    Story(
        "Intentieovereenkomst buurtwarmte Paddepoel",
        "paddepoel",
        530,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=25,
        review=19,
        signing=(20, 27),
        evaluation=20,
        valid=140,
    ),
    Story(
        "Samenwerkingsovereenkomst ontwikkelfase Paddepoel",
        "paddepoel",
        280,
        phase=Phase.DEVELOPMENT,
        drafting=35,
        review=21,
        signing=(18, 26),
        evaluation=330,
        amendment=Amendment(
            after=143,
            sections={
                "resources": (
                    "De gemeente stelt elk jaar € 60.000 beschikbaar voor procesbegeleiding en 500 uur ambtelijke "
                    "inzet. Voor de bronstudie naar restwarmte komt daar eenmalig € 35.000 bij."
                )
            },
            drafting=12,
            review=17,
            signing=(8, 19),
            valid=900,
        ),
    ),
    Story(
        "Spelregels Oosterparkwijk Energie",
        "oosterpark",
        360,
        form=AgreementForm.GROUND_RULES,
        drafting=15,
        review=23,
        signing=(21, 30),
        evaluation=88,
    ),
    Story(
        "Samenwerkingsovereenkomst warmtenet Oosterparkwijk",
        "oosterpark",
        100,
        phase=Phase.DEVELOPMENT,
        drafting=30,
        review=20,
    ),
    Story(
        "Intentieverklaring zonnecollectoren Oosterpark",
        "oosterpark",
        15,
        form=AgreementForm.LETTER_OF_INTENT,
        advisor=False,
    ),
    # --- Utrecht: Warm Lombok and Samen Warm Overvecht -------------------------------------------------------
    Story(
        "Intentieovereenkomst warmte Lombok",
        "lombok",
        540,
        form=AgreementForm.LETTER_OF_INTENT,
        drafting=22,
        review=38,
        signing=(6, 11),
        evaluation=30,
        valid=60,
    ),
    Story(
        "Samenwerkingsovereenkomst aquathermie Lombok",
        "lombok",
        250,
        phase=Phase.DEVELOPMENT,
        drafting=40,
        review=44,
        signing=(7, 10),
        evaluation=220,
        after_signing=AfterSigning(
            progress=(
                Progress(
                    5,
                    "Bewonersavonden organiseren",
                    status="in_progress",
                    note="Twee avonden gepland in buurthuis De Boog.",
                ),
                Progress(
                    20,
                    "Bewonersavonden organiseren",
                    status="done",
                    note="Twee avonden, 140 bewoners; verslag gedeeld.",
                    evidence_url="https://example.org/lombok/verslag-bewonersavonden",
                ),
                Progress(25, "Brief aan alle bewoners", status="done", by="municipality"),
                Progress(
                    30,
                    "Haalbaarheidsstudie",
                    status="in_progress",
                    planned_in=45,
                    note="De studie loopt; eerste resultaten in het voorjaar.",
                ),
                Progress(
                    40,
                    "{source}",
                    status="postponed",
                    planned_in=120,
                    note="Het waterschap levert de meetgegevens van de Vaartsche Rijn later.",
                ),
                Progress(
                    50,
                    "Toezegging voor huurwoningen",
                    status="lapsed",
                    note="De corporatie sluit haar complexen pas in de volgende fase aan.",
                ),
                Progress(
                    100,
                    "Haalbaarheidsstudie",
                    status="in_progress",
                    note="Later dan gepland: eerste resultaten besproken in de stuurgroep, het eindrapport volgt.",
                ),
                Progress(
                    60,
                    "Go/no-go na de haalbaarheidsstudie",
                    outcome="postponed",
                    planned_in=150,
                    note="De studie is later klaar; de stuurgroep besluit na de zomer.",
                ),
            ),
            evaluation=JointEvaluation(
                70,
                by="initiative",
                reason="decision",
                answered=("initiative", "municipality"),
                scores={"initiative": 4, "municipality": 3},
                should_change={
                    "initiative": ("process", "Een vaste datum voor de go/no-go, met een terugvaloptie."),
                    "municipality": ("communication", "Samen één nieuwsbrief per kwartaal."),
                },
            ),
            disagreement=Disagreement(
                90,
                by="initiative",
                subject="Wie betaalt de vertraging van de studie?",
                description="Het bureau vraagt meerwerk omdat de meetgegevens later komen.",
                informed="De projectleiders van beide partijen, per e-mail.",
                stepped_up=16,
                outcome="Geen overeenstemming in het projectteam; naar de stuurgroep.",
            ),
        ),
    ),
    Story(
        "Spelregels Overvecht-Noord samen warm",
        "overvecht",
        320,
        form=AgreementForm.GROUND_RULES,
        drafting=18,
        review=41,
        signing=(8, 12),
        evaluation=105,
    ),
    Story(
        "Samenwerkingsovereenkomst Samen Warm Overvecht",
        "overvecht",
        120,
        phase=Phase.DEVELOPMENT,
        drafting=30,
        changes=Changes(
            35,
            25,
            "Graag een participatieplan toevoegen voor de huurders van de flats.",
            "communication",
            "Voor de huurders van de flats maken wij samen met de woningcorporatie en de huurdersvereniging een "
            "eigen participatieplan, met spreekuren in de portiek.",
        ),
    ),
    Story(
        "Projectafspraak buurtbatterij Overvecht",
        "overvecht",
        28,
        form=AgreementForm.PROJECT_AGREEMENT,
        phase=Phase.REALISATION,
        advisor=False,
    ),
]
