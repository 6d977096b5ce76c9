"""A signed agreement made the way people make one: through the services, with a real signing trail."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from agreements.choices import AgreementForm, DecidingBody, Instrument, Phase, RaciRole
from agreements.models import Agreement, Organisation
from agreements.sections import SECTION_ORDER
from tests.factories import PASSWORD, build_world
from workflow.core.request_meta import RequestMeta
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve, agreement_submit
from workflow.lifecycle.services.signing import agreement_sign

PARAGRAPHS = (
    "De bewoners van de wijk en de gemeente werken samen aan een wijk zonder aardgas. Het initiatief krijgt de ruimte "
    "om te groeien van oriëntatie naar ontwikkeling, en de gemeente steunt dat met menskracht en geld.",
    "Het projectteam komt elke zes weken bij elkaar. De gemeente zit voor, het initiatief maakt het verslag. Besluiten "
    "die verder gaan dan het mandaat van het projectteam leggen de partijen voor aan hun eigen bestuur.",
    "Over warmtebronnen, zoals aquathermie uit de rivier en restwarmte van het bedrijventerrein, delen de partijen "
    "alle gegevens die ze hebben. Persoonsgegevens van bewoners blijven bij het initiatief.",
)

TASKS = (
    ("Intentieovereenkomst tekenen", Phase.ORIENTATION, RaciRole.ACCOUNTABLE, RaciRole.ACCOUNTABLE, "", ""),
    ("Bewonersavonden organiseren", Phase.ORIENTATION, RaciRole.RESPONSIBLE, RaciRole.INFORMED, "", ""),
    ("Officiële brief aan alle bewoners", Phase.ORIENTATION, RaciRole.CONSULTED, RaciRole.RESPONSIBLE, "", ""),
    ("Participatieplan vaststellen", Phase.ORIENTATION, RaciRole.CONSULTED, RaciRole.ACCOUNTABLE, "", ""),
    ("Haalbaarheidsstudie warmtenet", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.CONSULTED, "", ""),
    ("Onderzoek warmtebron (aquathermie)", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.INFORMED, "", ""),
    ("Netcapaciteit en uitfaseren gasnet", Phase.DEVELOPMENT, RaciRole.INFORMED, RaciRole.CONSULTED, "Enexis", "R"),
    ("Toezegging huurwoningen", Phase.DEVELOPMENT, RaciRole.CONSULTED, RaciRole.INFORMED, "Woningcorporatie", "A"),
    ("Subsidieaanvraag opstellen", Phase.DEVELOPMENT, RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, "", ""),
    ("Warmtekavel aanwijzen", Phase.REALISATION, RaciRole.CONSULTED, RaciRole.ACCOUNTABLE, "", ""),
    ("Aanbesteding aannemer", Phase.REALISATION, RaciRole.ACCOUNTABLE, RaciRole.CONSULTED, "", ""),
    ("Beheer en tarieven warmtenet", Phase.OPERATION, RaciRole.ACCOUNTABLE, RaciRole.INFORMED, "", ""),
)


def content(*, pages: int = 3) -> dict:
    """Sections, role division and decision moments; ``pages`` scales the text to about that many pages."""
    repeat = max(1, pages // 3)
    sections = {}
    for i, key in enumerate(SECTION_ORDER):
        paragraphs = [PARAGRAPHS[(i + j) % len(PARAGRAPHS)] for j in range(2 * repeat)]
        sections[key] = "\n\n".join(paragraphs)
    rows = []
    for n in range(max(len(TASKS), 8 * repeat)):
        task, phase, ini, mun, third, third_role = TASKS[n % len(TASKS)]
        rows.append(
            {
                "task": task if n < len(TASKS) else f"{task} (deelgebied {n // len(TASKS) + 1})",
                "phase": phase,
                "initiative_role": ini,
                "municipality_role": mun,
                "third_party_name": third,
                "third_party_role": third_role,
            }
        )
    moments = [
        {
            "title": "Go/no-go na de haalbaarheidsstudie",
            "planned_date": dt.date(2027, 3, 1),
            "deciding_body": DecidingBody.COLLEGE,
            "instrument": Instrument.NEIGHBOURHOOD_PLAN,
        },
        {
            "title": "Oprichten warmtecoöperatie",
            "planned_date": dt.date(2027, 6, 15),
            "deciding_body": DecidingBody.MEMBERS_MEETING,
            "instrument": "",
        },
        {
            "title": "Wijk opnemen in het warmteprogramma",
            "planned_date": None,
            "deciding_body": DecidingBody.COUNCIL,
            "instrument": Instrument.HEAT_PROGRAMME,
        },
    ]
    return {"sections": sections, "responsibilities": rows, "decision_moments": moments}


def meta(ip: str) -> RequestMeta:
    return RequestMeta(ip_address=ip, user_agent="Mozilla/5.0 (test)")


def draft_agreement(w: SimpleNamespace, *, title: str = "Warmte voor Zwolle-Oost", pages: int = 3) -> Agreement:
    agreement = agreement_create(
        actor=w.drafter,
        initiative=w.initiative,
        municipality=w.municipality,
        title=title,
        form=AgreementForm.COOPERATION_AGREEMENT,
        phase=Phase.ORIENTATION,
        neighbourhoods=[{"name": "Holtenbroek", "cbs_code": "WK019305"}, {"name": "Aalanden", "cbs_code": ""}],
        valid_until=dt.date(2030, 12, 31),
        request_meta=meta("192.0.2.10"),
    )
    version = agreement.current_version()
    agreement_update_draft(
        agreement=agreement,
        actor=w.drafter,
        based_on_revision=version.revision,
        request_meta=meta("192.0.2.10"),
        **content(pages=pages),
    )
    return Agreement.objects.get(pk=agreement.pk)


def signed_agreement(
    w: SimpleNamespace | None = None, *, title: str = "Warmte voor Zwolle-Oost", pages: int = 3, prepare=None
):
    """Drafted, submitted, approved and signed by all three signatories of ``build_world()``.

    ``prepare(agreement)``: changes the draft before it is submitted.
    """
    w = w or build_world()
    agreement = draft_agreement(w, title=title, pages=pages)
    if prepare is not None:
        prepare(agreement)
        agreement = Agreement.objects.get(pk=agreement.pk)
    agreement_submit(agreement=agreement, actor=w.drafter, request_meta=meta("192.0.2.10"))
    agreement_approve(agreement=agreement, actor=w.reviewer, request_meta=meta("198.51.100.7"))
    content_hash = agreement.frozen_version().content_hash
    for signer, ip in (
        (w.initiative_signer1, "192.0.2.21"),
        (w.initiative_signer2, "2001:db8::22"),
        (w.municipal_signer, "198.51.100.30"),
    ):
        if signer is not None:
            agreement_sign(
                password=PASSWORD,
                authority_confirmed=True,
                agreement=agreement,
                actor=signer,
                content_hash=content_hash,
                request_meta=meta(ip),
            )
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.state == "signed"
    return agreement


def second_world() -> SimpleNamespace:
    """Another pair of parties with its own people (build_world uses fixed e-mail addresses)."""
    from agreements.choices import MembershipRole
    from tests.factories import OrganisationFactory, member

    w = SimpleNamespace()
    w.initiative = OrganisationFactory(name="Energie Anderdorp Noord")
    w.municipality = Organisation.objects.get(cbs_code="GM0150")
    w.drafter = member(w.initiative, MembershipRole.DRAFTER, full_name="Olga Opsteller")
    w.reviewer = member(w.municipality, MembershipRole.REVIEWER, full_name="Roos Ambtenaar")
    w.initiative_signer1 = member(w.initiative, MembershipRole.SIGNATORY, full_name="Sanne Voorzitter")
    w.initiative_signer2 = None
    w.municipal_signer = member(w.municipality, MembershipRole.SIGNATORY, full_name="Willem Wethouder")
    return w


def signed_directly(w: SimpleNamespace, *, title: str = "Warmte voor Zwolle-Oost", pages: int = 3) -> Agreement:
    """A signed agreement with its rows written directly, without the signing services.

    No service runs, so nothing is published to a broker: for tests that run
    their own worker processes, and for the bench.
    """
    from django.utils import timezone

    from agreements.choices import AgreementState
    from agreements.models import Signature

    agreement = draft_agreement(w, title=title, pages=pages)
    version = agreement.current_version()
    version.freeze()
    now = timezone.now()
    Agreement.objects.filter(pk=agreement.pk).update(
        state=AgreementState.SIGNED, submitted_at=now, approved_at=now, signed_at=now
    )
    for signer, party in (
        (w.initiative_signer1, w.initiative),
        (w.initiative_signer2, w.initiative),
        (w.municipal_signer, w.municipality),
    ):
        if signer is not None:
            Signature.objects.create(
                version=version, party=party, signer=signer, content_hash=version.content_hash, ip_address="192.0.2.1"
            )
    return Agreement.objects.get(pk=agreement.pk)


LADDER = [
    {"level": "Projectteam", "involved": "de projectleiders", "days": 14},
    {"level": "Stuurgroep", "involved": "wethouder en voorzitter", "days": 28},
    {"level": "Bemiddelaar", "involved": "", "days": 60},
]


def agreeing_a_ladder(w: SimpleNamespace, ladder: list[dict] | None = None):
    """A ``prepare`` for ``signed_agreement``: the drafters agree an escalation ladder (``LADDER`` by default)."""

    def prepare(draft: Agreement) -> None:
        agreement_update_draft(
            agreement=draft,
            actor=w.drafter,
            based_on_revision=draft.current_version().revision,
            escalation_steps=ladder if ladder is not None else LADDER,
        )

    return prepare
