"""The one visibility selector: every read of agreements starts here.

Both parties' members see an agreement from its creation (drafts included);
granted advisors see it read-only; for everyone else it does not exist (404).
``can_see`` asks the same query for one agreement, so a page, a service, the
API and an export cannot disagree about who sees what.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from agreements.models import AdvisorAccess, Agreement, AuditEvent, Comment, Membership, User
from workflow.core.exceptions import NotFound


def visible_agreements(user: User) -> QuerySet[Agreement]:
    """Every agreement this user may see: both parties' members, and granted advisors (read-only)."""
    if not user.is_authenticated or not user.is_active:
        return Agreement.objects.none()
    return Agreement.objects.filter(visible_to(user))


def visible_to(user: User) -> Q:
    """The rule itself, as a condition on agreements, for an active signed-in user (``visible_agreements``
    answers none for anyone else); the services' locking read puts it in its WHERE."""
    member_of = Membership.objects.filter(user=user).values("organisation_id")
    granted = AdvisorAccess.objects.filter(agreement=OuterRef("pk"), organisation_id__in=member_of)
    return Q(initiative_id__in=member_of) | Q(municipality_id__in=member_of) | Q(Exists(granted))


def _seen(user: User) -> set[int]:
    """Agreements this user object was already given by the selector: for one request, like the cached roles."""
    return user.__dict__.setdefault("_samenkader_seen", set())


def can_see(user: User, agreement: Agreement) -> bool:
    if agreement.pk in _seen(user):  # the page got it from agreement_get_for a moment ago
        return True
    return visible_agreements(user).filter(pk=agreement.pk).exists()


def agreement_list_for(user: User, *, state: str | None = None) -> QuerySet[Agreement]:
    agreements = visible_agreements(user).select_related("initiative", "municipality")
    if state:
        agreements = agreements.filter(state=state)
    return agreements.order_by("-state_changed_at", "-pk")


def agreement_get_for(user: User, *, reference: str | None = None, pk: int | None = None) -> Agreement:
    """One agreement this user may see, or NotFound (never "forbidden": it does not exist for them)."""
    lookup = {"reference": reference} if reference is not None else {"pk": pk}
    try:
        agreement = agreement_list_for(user).get(**lookup)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None
    _seen(user).add(agreement.pk)
    return agreement


def audit_event_list_for(user: User, *, agreement: Agreement) -> QuerySet[AuditEvent]:
    if not can_see(user, agreement):
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    return agreement.audit_events.select_related("actor").order_by("at", "pk")


def comment_get_for(user: User, *, agreement: Agreement, comment_id: int) -> Comment:
    """A comment on one of this agreement's versions (the agreement came from the visibility selector)."""
    comment = Comment.objects.filter(pk=comment_id, version__agreement=agreement).select_related("version").first()
    if comment is None:
        raise NotFound(_("Deze opmerking bestaat niet."))
    return comment
