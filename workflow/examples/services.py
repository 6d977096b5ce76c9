"""The public examples: each party consents to sharing its signed agreement, with one public text; lessons learnt.

A party's admin or signatory consents to a public text: the plain-language summary and each section, as
they will appear. No person's name or e-mail address may stand in it (``core/personal_data.py``); the page
highlights them so the party can replace them. When both parties' standing consents are to the same text,
the agreement appears (``PublicExample``); when either party withdraws, or consents to a changed text, it
disappears until both agree again. Every step writes a line in the agreement's log.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import SIGNED_STATES, AuditAction, LessonTopic, Phase
from agreements.models import Agreement, Lesson, Organisation, PublicationConsent, PublicExample, User
from agreements.sections import SECTION_ORDER
from workflow.core.access import may_record_lesson, sharing_party_for
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput, NotPermitted
from workflow.core.locking import lock_visible
from workflow.core.personal_data import PersonalDataFinder
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.text import text_block

logger = logging.getLogger(__name__)

SUMMARY_MAX_LENGTH = 3000
SECTION_MAX_LENGTH = 20000
LESSON_MAX_LENGTH = 2000
REDACTED = "[…]"


def public_text_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def signed_public_text(agreement: Agreement) -> dict[str, Any]:
    """Where a party's public text starts: the other party's standing text if there is one, so both consent
    to the same; otherwise the signed version's sections and no summary."""
    other = (
        PublicationConsent.objects.filter(agreement=agreement, withdrawn_at__isnull=True).order_by("-given_at").first()
    )
    if other is not None:
        return other.content
    version = agreement.frozen_version()
    bodies = {s.key: s.body for s in version.sections.all()} if version else {}
    return {"summary": "", "sections": {key: bodies.get(key, "") for key in SECTION_ORDER}}


def _clean_public_text(summary: str, sections: dict[str, str], finder: PersonalDataFinder) -> dict[str, Any]:
    summary = text_block(summary, field_name="summary", max_length=SUMMARY_MAX_LENGTH)
    cleaned = {
        key: text_block(sections.get(key), field_name=key, max_length=SECTION_MAX_LENGTH) for key in SECTION_ORDER
    }
    errors = {}
    for key, text in [("summary", summary), *cleaned.items()]:
        found = finder.found_in(text)
        if found:
            errors[key] = [
                _("Haal persoonsgegevens weg voordat dit openbaar wordt: %(found)s") % {"found": ", ".join(found)}
            ]
    if errors:
        raise InvalidInput(_("De openbare tekst noemt nog personen."), errors=errors)
    return {"summary": summary, "sections": cleaned}


def require_signed(agreement: Agreement) -> None:
    """Only a signed agreement (also one since superseded or expired) becomes a public example: Conflict otherwise."""
    if agreement.state not in SIGNED_STATES:
        raise Conflict(_("Alleen een ondertekende afspraak kan een openbaar voorbeeld worden."), state=agreement.state)


def _lock_signed(agreement: Agreement, actor: User) -> Agreement:
    # The row lock orders two parties consenting at the same moment: the second sees the first.
    agreement = lock_visible(agreement, actor=actor)
    require_signed(agreement)
    return agreement


@transaction.atomic
def publication_consent_give(
    *,
    agreement: Agreement,
    actor: User,
    summary: str,
    sections: dict[str, str],
    request_meta: RequestMeta = SYSTEM,
) -> PublicExample | None:
    """The actor's party consents to publishing the agreement with this public text.

    Returns the public example when both parties now consent to the same text, else None. A changed text
    replaces the other party's standing consent to the old one: they are asked to look again.
    """
    agreement = _lock_signed(agreement, actor)
    party = sharing_party_for(actor, agreement)
    if party is None:
        raise NotPermitted(_("Alleen een beheerder of ondertekenaar van een partij stemt in met openbaar maken."))
    finder = PersonalDataFinder()
    content = _clean_public_text(summary, sections, finder)
    content_hash = public_text_hash(content)
    now = timezone.now()
    standing = list(PublicationConsent.objects.filter(agreement=agreement, withdrawn_at__isnull=True))
    replaced = [c.pk for c in standing if c.party_id == party.pk or c.content_hash != content_hash]
    PublicationConsent.objects.filter(pk__in=replaced).update(withdrawn_at=now, withdrawn_by=actor)
    PublicationConsent.objects.create(
        agreement=agreement, party=party, content=content, content_hash=content_hash, given_by=actor, given_at=now
    )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.PUBLICATION_CONSENTED,
        request_meta=request_meta,
        note=_("Namens %(party)s") % {"party": party.name},
    )
    agreeing = {c.party_id for c in standing if c.content_hash == content_hash} | {party.pk}
    if agreeing >= {agreement.initiative_id, agreement.municipality_id}:
        return _publish(
            agreement, {**content, **public_rows(agreement, finder)}, actor=actor, request_meta=request_meta
        )
    _unpublish(agreement, actor=actor, request_meta=request_meta)
    return None


@transaction.atomic
def publication_consent_withdraw(*, agreement: Agreement, actor: User, request_meta: RequestMeta = SYSTEM) -> None:
    """The actor's party withdraws its consent: the public page disappears."""
    agreement = _lock_signed(agreement, actor)
    party = sharing_party_for(actor, agreement)
    if party is None:
        raise NotPermitted(_("Alleen een beheerder of ondertekenaar van een partij trekt de instemming in."))
    updated = PublicationConsent.objects.filter(agreement=agreement, party=party, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor
    )
    if not updated:
        raise Conflict(_("%(party)s had niet ingestemd.") % {"party": party.name})
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.PUBLICATION_CONSENT_WITHDRAWN,
        request_meta=request_meta,
        note=_("Namens %(party)s") % {"party": party.name},
    )
    _unpublish(agreement, actor=actor, request_meta=request_meta)


def public_rows(agreement: Agreement, finder: PersonalDataFinder) -> dict[str, list]:
    """The signed version's neighbourhoods, role division, decision moments and escalation ladder, with any person's
    name or e-mail address in a task, decision or step replaced by "[…]" (those are not edited on the consent
    page)."""

    def redact(text: str) -> str:
        pieces = finder.pieces(text)
        return "".join(REDACTED if piece.personal else piece.text for piece in pieces)

    version = agreement.frozen_version()
    responsibilities = [
        {
            "task": redact(r.task),
            "phase": r.phase,
            "initiative_role": r.initiative_role,
            "municipality_role": r.municipality_role,
            "third_parties": [{"name": redact(p.name), "role": p.role} for p in r.third_party_roles],
            "third_party_owner": r.third_party_owner,
        }
        for r in version.responsibilities.all()
    ]
    decisions = [
        {
            "title": redact(d.title),
            "deciding_body": d.deciding_body,
            "instrument": d.instrument,
            "planned_date": d.planned_date.isoformat() if d.planned_date else None,
            "deciding_party": d.deciding_party,
        }
        for d in version.decision_moments.all()
    ]
    ladder = [
        {"level": redact(step.level), "involved": redact(step.involved), "days": step.days}
        for step in version.escalation_steps.all()
    ]
    neighbourhoods = [redact(n.name) for n in agreement.neighbourhoods.all()]
    return {
        "neighbourhoods": neighbourhoods,
        "responsibilities": responsibilities,
        "decision_moments": decisions,
        "escalation_ladder": ladder,
    }


def _publish(agreement: Agreement, content: dict, *, actor: User, request_meta: RequestMeta) -> PublicExample:
    """``content``: the consented text with the signed version's rows, nothing personal in either."""
    fields = {
        "slug": agreement.reference.lower(),
        "title": agreement.title,
        "form": agreement.form,
        "phase": agreement.phase,
        "language": agreement.language,
        "initiative_name": agreement.initiative.name,
        "municipality": agreement.municipality,
        "signed_on": agreement.signed_at.date() if agreement.signed_at else None,
        "content": content,
        "published_at": timezone.now(),
        "withdrawn_at": None,
    }
    already_public = PublicExample.objects.filter(agreement=agreement, withdrawn_at__isnull=True).exists()
    if already_public:
        fields.pop("published_at")  # a party confirming the same text again: still the same publication
    example, _created = PublicExample.objects.update_or_create(agreement=agreement, defaults=fields)
    if not already_public:
        record(agreement=agreement, actor=actor, action=AuditAction.PUBLISHED, request_meta=request_meta)
        logger.info("Agreement %s published among the examples", agreement.pk)
    return example


def _unpublish(agreement: Agreement, *, actor: User, request_meta: RequestMeta) -> None:
    if PublicExample.objects.filter(agreement=agreement, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now()):
        record(agreement=agreement, actor=actor, action=AuditAction.UNPUBLISHED, request_meta=request_meta)


# --- lessons learnt ------------------------------------------------------------------------------------------


@transaction.atomic
def lesson_record(
    *,
    agreement: Agreement,
    actor: User,
    phase: str,
    topic: str,
    worked: str,
    did_not_work: str,
    shared: bool,
    request_meta: RequestMeta = SYSTEM,
) -> Lesson:
    """A party's member writes down a lesson; shared, it shows without a name beside the public example and in
    the advisors' overview."""
    agreement = lock_visible(agreement, actor=actor)
    party: Organisation | None = may_record_lesson(actor, agreement)
    if party is None:
        raise NotPermitted(_("Alleen leden van de partijen leggen een les vast."))
    if phase not in Phase.values:
        raise InvalidInput(errors={"phase": [_("Kies de fase.")]})
    if topic not in LessonTopic.values:
        raise InvalidInput(errors={"topic": [_("Kies het onderwerp.")]})
    worked = text_block(worked, field_name="worked", max_length=LESSON_MAX_LENGTH)
    did_not_work = text_block(did_not_work, field_name="did_not_work", max_length=LESSON_MAX_LENGTH)
    if not worked and not did_not_work:
        raise InvalidInput(errors={"worked": [_("Schrijf op wat werkte, wat niet werkte, of allebei.")]})
    finder = PersonalDataFinder() if shared else None
    for name, text in (("worked", worked), ("did_not_work", did_not_work)):
        found = finder.found_in(text) if finder is not None else []
        if found:
            raise InvalidInput(
                errors={
                    name: [_("Een gedeelde les noemt geen personen. Haal weg: %(found)s") % {"found": ", ".join(found)}]
                }
            )
    lesson = Lesson.objects.create(
        agreement=agreement,
        party=party,
        author=actor,
        phase=phase,
        topic=topic,
        worked=worked,
        did_not_work=did_not_work,
        shared=bool(shared),
    )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.LESSON_RECORDED,
        request_meta=request_meta,
        note=str(LessonTopic(topic).label),
    )
    return lesson
