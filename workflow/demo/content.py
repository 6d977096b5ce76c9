"""The demo's people, organisations and texts.

Initiative names are fictional; the municipalities and their CBS codes are real.
"""

from __future__ import annotations

import datetime as dt

from agreements.choices import DecidingBody, Instrument, MembershipRole, OrganisationKind, Phase, Province, RaciRole

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


def decision_moments(today: dt.date) -> list[dict]:
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


def responsibility_rows() -> list[dict]:
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
