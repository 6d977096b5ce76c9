"""Comments on a version: add, reply, resolve.

A comment by someone who reads along as a granted advisor (a member of
neither party) is an advisory note: shown apart, never resolved, never in
the way of approval. Its replies belong to its thread: an advisor's reply is
advisory too, a party's reply is the party's own but does not make the note
count either (``agreements.models.party_comments``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AuditAction
from agreements.models import (
    Agreement,
    Comment,
    User,
)
from agreements.sections import SECTION_ORDER
from workflow.core.access import is_party_member, may_resolve_comment
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.locking import lock_visible
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.lifecycle import rules
from workflow.lifecycle.services.common import lock_and_check
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify


@transaction.atomic
def comment_add(
    *,
    agreement: Agreement,
    actor: User,
    body: str,
    section_key: str = "",
    parent: Comment | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Comment:
    """Anyone who sees the agreement comments on the current version; an advisor's comment is advisory."""
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_comment)
    body = (body or "").strip()
    if not body:
        raise InvalidInput(errors={"body": [_("Schrijf eerst uw opmerking.")]})
    if len(body) > 5000:
        raise InvalidInput(errors={"body": [_("Een opmerking mag hoogstens 5000 tekens lang zijn.")]})
    if section_key and section_key not in SECTION_ORDER:
        raise InvalidInput(errors={"section_key": [_("Dit onderdeel bestaat niet.")]})
    version = agreement.current_version()
    if parent is not None:
        if parent.version.agreement_id != agreement.pk:
            raise NotFound(_("Deze opmerking bestaat niet."))
        version = parent.version
        parent = parent.parent or parent  # replies stay one level deep
    comment = Comment.objects.create(
        version=version,
        section_key=section_key,
        parent=parent,
        author=actor,
        body=body,
        is_advisory=not is_party_member(actor, agreement),
    )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.COMMENTED,
        request_meta=request_meta,
        version_number=version.number,
    )
    notify(event=Event.COMMENTED, agreement=agreement, actor=actor, context={"comment_id": comment.pk})
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, actor: User, request_meta: RequestMeta = SYSTEM) -> Comment:
    """The author, or a drafter of the initiative, marks a party's comment as handled.

    Advisors who read along resolve nothing (NotPermitted), and an advisory
    note is never resolved: it does not wait for anything (Conflict).
    """
    agreement = lock_visible(comment.version.agreement_id, actor=actor)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not is_party_member(actor, agreement):
        raise NotPermitted(_("Alleen de partijen handelen opmerkingen af. Als adviseur leest u mee en geeft u advies."))
    if comment.is_advisory:
        raise Conflict(
            _("Een advies van een meelezer hoeft niet te worden afgehandeld: het houdt goedkeuren niet tegen."),
            state=agreement.state,
        )
    if not may_resolve_comment(actor, comment, agreement):
        raise NotPermitted(_("Alleen de schrijver of een opsteller van het initiatief kan deze opmerking afhandelen."))
    if comment.resolved_at is not None:
        raise Conflict(_("Deze opmerking is al afgehandeld."), state=agreement.state)
    comment.resolved_by = actor
    comment.resolved_at = timezone.now()
    comment.save(update_fields=["resolved_by", "resolved_at"])
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.COMMENT_RESOLVED,
        request_meta=request_meta,
        version_number=comment.version.number,
    )
    return comment
