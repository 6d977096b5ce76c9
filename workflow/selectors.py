"""Reads. Every list of agreements starts from the visibility selector."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agreements.models import Agreement, AuditEvent, Comment, User

from .exceptions import NotFound
from .permissions import visible_agreements


def agreement_list_for(user: User, *, state: str | None = None) -> QuerySet[Agreement]:
    agreements = visible_agreements(user).select_related("initiative", "municipality")
    if state:
        agreements = agreements.filter(state=state)
    return agreements.order_by("-state_changed_at", "-pk")


def agreement_get_for(user: User, *, reference: str | None = None, pk: int | None = None) -> Agreement:
    """One agreement this user may see, or NotFound (never "forbidden": it does not exist for them)."""
    lookup = {"reference": reference} if reference is not None else {"pk": pk}
    try:
        return agreement_list_for(user).get(**lookup)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None


def audit_event_list_for(user: User, *, agreement: Agreement) -> QuerySet[AuditEvent]:
    if not visible_agreements(user).filter(pk=agreement.pk).exists():
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    return agreement.audit_events.select_related("actor").order_by("at", "pk")


def comment_get_for(user: User, *, agreement: Agreement, comment_id: int) -> Comment:
    """A comment on one of this agreement's versions (the agreement came from the visibility selector)."""
    comment = Comment.objects.filter(pk=comment_id, version__agreement=agreement).select_related("version").first()
    if comment is None:
        raise NotFound(_("Deze opmerking bestaat niet."))
    return comment
