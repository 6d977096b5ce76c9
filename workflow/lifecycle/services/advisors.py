"""Advisor organisations that read along."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from agreements.choices import AuditAction, OrganisationKind
from agreements.models import (
    AdvisorAccess,
    Agreement,
    Organisation,
    User,
)
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.lifecycle import rules
from workflow.lifecycle.services.common import lock_and_check


@transaction.atomic
def advisor_grant(
    *, agreement: Agreement, actor: User, advisor: Organisation, request_meta: RequestMeta = SYSTEM
) -> AdvisorAccess:
    """A drafter of the initiative lets an advisor organisation read along."""
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_grant_advisor)
    if advisor.kind != OrganisationKind.ADVISOR:
        raise InvalidInput(errors={"advisor": [_("Alleen een adviesorganisatie kan meelezen.")]})
    access, created = AdvisorAccess.objects.get_or_create(
        agreement=agreement, organisation=advisor, defaults={"granted_by": actor}
    )
    if not created:
        raise Conflict(_("%(advisor)s leest al mee.") % {"advisor": advisor.name}, state=agreement.state)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.ADVISOR_GRANTED,
        request_meta=request_meta,
        note=advisor.name,
    )
    return access


@transaction.atomic
def advisor_revoke(
    *, agreement: Agreement, actor: User, advisor: Organisation, request_meta: RequestMeta = SYSTEM
) -> None:
    """A drafter of the initiative ends an advisor organisation's access."""
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_grant_advisor)
    access = AdvisorAccess.objects.filter(agreement=agreement, organisation=advisor).first()
    if access is None:
        raise Conflict(_("%(advisor)s las niet mee.") % {"advisor": advisor.name}, state=agreement.state)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.ADVISOR_REVOKED,
        request_meta=request_meta,
        note=advisor.name,
        also_seen_by=(advisor.pk,),
    )
    access.delete()
