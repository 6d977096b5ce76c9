"""Amending a signed agreement: a new draft that supersedes it once signed."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.choices import AuditAction
from agreements.models import (
    AdvisorAccess,
    Agreement,
    AgreementVersion,
    Evaluation,
    ReferenceSequence,
    Section,
    User,
)
from workflow.after_signing.selectors.evaluations import sections_needing_change
from workflow.core.audit import record
from workflow.core.exceptions import Conflict
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.lifecycle import rules
from workflow.lifecycle.services.common import lock_and_check
from workflow.lifecycle.services.drafting import replace_neighbourhoods
from workflow.lifecycle.services.municipalities import final_successor
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify

SECTION_MAX_LENGTH = Section._meta.get_field("body").max_length


@transaction.atomic
def agreement_amend(
    *,
    agreement: Agreement,
    actor: User,
    evaluation: Evaluation | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Agreement:
    """Start a new draft that will supersede this signed agreement once it is signed itself.

    The original stays signed and unchanged until then. At most one open
    amendment per agreement (a database constraint; a second try is a Conflict).
    Started from a completed joint ``evaluation`` of this agreement, each section the parties said should
    change gets what they wrote, under a placeholder, so it is not submitted before the drafters worked it in.
    """
    original = lock_and_check(agreement, actor=actor, check=rules.check_amend)
    if evaluation is not None and (evaluation.agreement_id != original.pk or evaluation.completed_at is None):
        raise Conflict(_("Alleen een afgeronde evaluatie van deze afspraak is een startpunt."), state=original.state)
    now = timezone.now()
    try:
        with transaction.atomic():
            amendment = Agreement.objects.create(
                reference=ReferenceSequence.allocate(timezone.localdate().year),
                title=original.title,
                form=original.form,
                phase=original.phase,
                language=original.language,
                initiative=original.initiative,
                # A municipality that merged since: the amendment is agreed with the one it went into.
                municipality=final_successor(original.municipality),
                supersedes=original,
                created_by=actor,
                created_at=now,
                state_changed_at=now,
                evaluation_date=original.evaluation_date,
                valid_until=original.valid_until,
            )
    except IntegrityError:
        raise Conflict(_("Er loopt al een wijziging van deze afspraak."), state=original.state) from None
    replace_neighbourhoods(amendment, [{"name": n.name, "cbs_code": n.cbs_code} for n in original.neighbourhoods.all()])
    AdvisorAccess.objects.bulk_create(
        [
            AdvisorAccess(agreement=amendment, organisation_id=a.organisation_id, granted_by=actor)
            for a in original.advisor_accesses.all()
        ]
    )
    signed_version = original.frozen_version()
    new_version = AgreementVersion.objects.create(
        agreement=amendment, number=1, created_by=actor, started_from_id=signed_version.started_from_id
    )
    signed_version.copy_content_to(new_version)
    if evaluation is not None:
        _work_in_evaluation(new_version, evaluation, language=original.language)
        Evaluation.objects.filter(pk=evaluation.pk).update(amendment=amendment)
    record(
        agreement=amendment,
        actor=actor,
        action=AuditAction.AMENDED,
        request_meta=request_meta,
        to_state=amendment.state,
        version_number=1,
        note=original.reference,  # shown as "Wijziging van …" in the reader's language
    )
    notify(event=Event.AMENDED, agreement=amendment, actor=actor)
    return amendment


def _work_in_evaluation(version: AgreementVersion, evaluation: Evaluation, *, language: str) -> None:
    """Under each section that needs change: a placeholder and what each party wrote (one bulk UPDATE)."""
    needing = sections_needing_change(evaluation)
    if not needing:
        return
    sections = list(version.sections.filter(key__in=needing))
    with translation.override(language):
        heading = (
            "[["
            + _("Verwerk de evaluatie van %(date)s")
            % {"date": timezone.localtime(evaluation.completed_at).date().isoformat()}
            + "]]"
        )
        for section in sections:
            lines = [heading, _("Uit de evaluatie, wat anders moet:")]
            lines += [f"- {party}: {' '.join(text.split())}" for party, text in needing[section.key]]
            block = "\n".join(lines)
            section.body = f"{section.body.rstrip()}\n\n{block}" if section.body.strip() else block
            section.body = section.body[:SECTION_MAX_LENGTH]
    Section.objects.bulk_update(sections, ["body"])
