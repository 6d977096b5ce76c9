"""The fixed sections of every agreement, in their fixed order, with our guidance.

The order here is the order of the document and of the canonical JSON. A key
is never renamed or removed: old versions' bytes depend on it.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SectionKey(models.TextChoices):
    AIM = "aim", _("Doel en ambitie")
    ROLES = "roles", _("Rolverdeling en mandaat")
    PROCESS = "process", _("Procesafspraken en besluitmomenten")
    RESOURCES = "resources", _("Middelen en budget")
    COMMUNICATION = "communication", _("Communicatie met bewoners")
    INFORMATION = "information", _("Informatie en gegevens delen")
    ESCALATION = "escalation", _("Escalatie")
    EVALUATION = "evaluation", _("Evaluatie")
    DURATION = "duration", _("Looptijd en beëindiging")


@dataclass(frozen=True)
class SectionDefinition:
    key: str
    title: Promise
    guidance: Promise
    required: bool = True


SECTION_DEFINITIONS: tuple[SectionDefinition, ...] = (
    SectionDefinition(
        SectionKey.AIM,
        SectionKey.AIM.label,
        _(
            "Schrijf op wat u samen wilt bereiken en waarom. Noem de buurt of wijk, "
            "het aantal woningen en de stip op de horizon, bijvoorbeeld: 'In 2032 is de wijk "
            "aardgasvrij met een warmtenet dat in handen is van de bewoners.' Zeg ook welke "
            "ruimte het initiatief krijgt om te groeien naar een volgende fase."
        ),
    ),
    SectionDefinition(
        SectionKey.ROLES,
        SectionKey.ROLES.label,
        _(
            "Beschrijf wie wat doet in elke fase, ook partijen die niet tekenen, zoals de "
            "netbeheerder of de woningcorporatie. Leg vast wat het gezamenlijke projectteam "
            "zelf mag besluiten en waar het eigen besluit van elke partij begint. De tabel "
            "met de rolverdeling vult u hieronder in."
        ),
    ),
    SectionDefinition(
        SectionKey.PROCESS,
        SectionKey.PROCESS.label,
        _(
            "Hoe vaak komt u bij elkaar, wie zit voor en wie maakt het verslag? Noem het "
            "plan van aanpak en de momenten waarop u samen besluit om wel of niet door "
            "te gaan. Zeg ook of u van plan bent een vervolgafspraak te tekenen."
        ),
    ),
    SectionDefinition(
        SectionKey.RESOURCES,
        SectionKey.RESOURCES.label,
        _(
            "Welke steun geeft de gemeente: geld, een lening in delen, uren van ambtenaren? "
            "Welke subsidies vraagt wie aan, en wie schrijft de aanvraag? Denk ook aan "
            "ontwikkelgeld dat pas terugbetaald wordt als het project doorgaat."
        ),
    ),
    SectionDefinition(
        SectionKey.COMMUNICATION,
        SectionKey.COMMUNICATION.label,
        _(
            "Hoe houdt u de bewoners op de hoogte en hoe praten zij mee? Spreek af wie "
            "bewonersavonden organiseert, wie brieven stuurt namens de gemeente en wie naar "
            "buiten toe het woord voert."
        ),
    ),
    SectionDefinition(
        SectionKey.INFORMATION,
        SectionKey.INFORMATION.label,
        _(
            "Welke gegevens deelt u met elkaar, zoals energielabels, verbruik of de "
            "capaciteit van het net? Spreek af hoe u de privacy van bewoners beschermt "
            "en wat vertrouwelijk blijft."
        ),
    ),
    SectionDefinition(
        SectionKey.ESCALATION,
        SectionKey.ESCALATION.label,
        _(
            "Wat doet u als u het niet eens wordt? Bijvoorbeeld: eerst het "
            "projectteam, dan een stuurgroep, daarna de wethouder en het bestuur van de "
            "coöperatie. Noem ook of u een bemiddelaar inschakelt."
        ),
    ),
    SectionDefinition(
        SectionKey.EVALUATION,
        SectionKey.EVALUATION.label,
        _(
            "Wanneer kijkt u samen terug? Minstens één keer per jaar en bij elke nieuwe "
            "fase. Zeg wie de evaluatie voorbereidt en wat er met de uitkomst gebeurt."
        ),
    ),
    SectionDefinition(
        SectionKey.DURATION,
        SectionKey.DURATION.label,
        _(
            "Hoe lang geldt deze afspraak en hoe kan die eindigen? Spreek af dat u samen "
            "kunt stoppen als de verwachtingen te ver uit elkaar gaan, en wat er dan gebeurt "
            "met het werk dat al gedaan is."
        ),
    ),
)

SECTION_ORDER: tuple[str, ...] = tuple(d.key for d in SECTION_DEFINITIONS)
SECTIONS_BY_KEY: dict[str, SectionDefinition] = {d.key: d for d in SECTION_DEFINITIONS}
REQUIRED_SECTION_KEYS: tuple[str, ...] = tuple(d.key for d in SECTION_DEFINITIONS if d.required)
