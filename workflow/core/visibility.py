"""The one visibility selector: every read of agreements starts here.

Both parties' members see an agreement from its creation (drafts included);
granted advisors see it read-only; for everyone else it does not exist (404).
``can_see`` asks the same query for one agreement, so a page, a service, the
API and an export cannot disagree about who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from agreements.choices import OrganisationKind
from agreements.models import AdvisorAccess, Agreement, AuditEvent, Comment, Membership, User
from workflow.core.exceptions import NotFound


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships with their organisations, read once per request (cached on the user object).

    The roles (``core/access.py``), what one sees (below) and the organisations every page names in its
    header (``web/context_processors.py``) all come from this one read; ``forget_cached_roles`` drops it.
    """
    cached = user.__dict__.get("_samenkader_memberships")
    if cached is None:
        cached = []
        if user.is_authenticated and user.is_active:
            cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        user.__dict__["_samenkader_memberships"] = cached
    return cached


def visible_agreements(user: User) -> QuerySet[Agreement]:
    """Every agreement this user may see: both parties' members, and granted advisors (read-only).

    The same rule as ``visible_to``, with the user's organisations as literal ids (from the memberships the
    request has read once): the query is cheaper to build, and PostgreSQL can use the party indexes.
    """
    if not user.is_authenticated or not user.is_active:
        return Agreement.objects.none()
    member_of = sorted({membership.organisation_id for membership in memberships_of(user)})
    if not member_of:
        return Agreement.objects.none()
    return Agreement.objects.filter(_seen_through(member_of))


def visible_to(user: User) -> Q:
    """The rule itself, as a condition on agreements, for an active signed-in user (``visible_agreements``
    answers none for anyone else); the services' locking read puts it in its WHERE. The memberships are
    read by the locking query itself, so a membership ended a moment ago already counts."""
    return _seen_through(Membership.objects.filter(user=user).values("organisation_id"))


def _seen_through(member_of) -> Q:
    """The rule: an agreement is seen through its two parties and the advisors it granted access.
    ``member_of`` is the user's organisation ids, as a list or as a subquery."""
    granted = AdvisorAccess.objects.filter(organisation_id__in=member_of).values("agreement_id")
    return Q(initiative_id__in=member_of) | Q(municipality_id__in=member_of) | Q(pk__in=granted)


@dataclass(frozen=True)
class VisibilityScope:
    """The organisations through which a user sees agreements, split by the branch that gives them any.

    ``visible_agreements`` asks all three branches for every organisation, as an
    OR that no index can narrow. The scope knows, from one query, which branch
    has rows for which organisation, so ``scoped_agreements`` writes only those:
    a municipality's reviewer gets ``municipality_id IN (...)``, an advisor one
    semi-join with its grants, someone in several kinds of organisation a UNION.
    """

    organisation_ids: tuple[int, ...] = ()
    initiative_ids: tuple[int, ...] = ()
    municipality_ids: tuple[int, ...] = ()
    advisor_ids: tuple[int, ...] = ()

    @property
    def is_member(self) -> bool:
        return bool(self.organisation_ids)


def visibility_scope(user: User) -> VisibilityScope:
    """The user's scope: one query (a page that needs it several times takes it once and passes it on)."""
    if not user.is_authenticated or not user.is_active:
        return VisibilityScope()
    organisation = OuterRef("organisation_id")

    def of_kind(kind: str, rows: Exists) -> Case:
        # An agreement's initiative is an initiative, its municipality a municipality, and only an advisor is
        # granted access (the fields' limit_choices_to, the services' checks): a branch is asked only of the
        # kind it can hold. Asked of another kind, PostgreSQL may scan every agreement to find none.
        return Case(When(organisation__kind=kind, then=rows), default=Value(False), output_field=BooleanField())

    rows = (
        Membership.objects.filter(user=user)
        .order_by()
        .values_list("organisation_id")
        .annotate(
            as_initiative=of_kind(
                OrganisationKind.INITIATIVE, Exists(Agreement.objects.filter(initiative_id=organisation))
            ),
            as_municipality=of_kind(
                OrganisationKind.MUNICIPALITY, Exists(Agreement.objects.filter(municipality_id=organisation))
            ),
            as_advisor=of_kind(
                OrganisationKind.ADVISOR, Exists(AdvisorAccess.objects.filter(organisation_id=organisation))
            ),
        )
        .values_list("organisation_id", "as_initiative", "as_municipality", "as_advisor")
    )
    rows = sorted(set(rows))
    return VisibilityScope(
        organisation_ids=tuple(sorted({pk for pk, *_flags in rows})),
        initiative_ids=tuple(pk for pk, initiative, _m, _a in rows if initiative),
        municipality_ids=tuple(pk for pk, _i, municipality, _a in rows if municipality),
        advisor_ids=tuple(pk for pk, _i, _m, advisor in rows if advisor),
    )


def scoped_agreements(user: User, scope: VisibilityScope | None = None) -> QuerySet[Agreement]:
    """The same agreements as ``visible_agreements``, written so an index narrows them (for aggregates).

    A branch without rows for the user's organisations is left out, which is
    what makes it exact: the scope's query found no agreement there.
    """
    scope = scope if scope is not None else visibility_scope(user)
    agreements = Agreement.objects.all()
    direct = Q()
    if scope.initiative_ids:
        direct |= Q(initiative_id__in=scope.initiative_ids)
    if scope.municipality_ids:
        direct |= Q(municipality_id__in=scope.municipality_ids)
    if not scope.advisor_ids:
        # Both party branches (when both have rows) are index scans PostgreSQL ORs as bitmaps.
        return agreements.filter(direct) if direct else agreements.none()
    granted = AdvisorAccess.objects.filter(organisation_id__in=scope.advisor_ids).order_by().values("agreement_id")
    if not direct:
        return agreements.filter(pk__in=granted)
    parties = Agreement.objects.filter(direct).order_by().values("pk")
    return agreements.filter(pk__in=parties.union(granted))


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


def agreement_get_for(
    user: User, *, reference: str | None = None, pk: int | None = None, annotations: dict | None = None
) -> Agreement:
    """One agreement this user may see, or NotFound (never "forbidden": it does not exist for them).

    ``annotations``: expressions the caller wants read with the row, in the same query.
    """
    lookup = {"reference": reference} if reference is not None else {"pk": pk}
    agreements = agreement_list_for(user)
    if annotations:
        agreements = agreements.annotate(**annotations)
    try:
        agreement = agreements.get(**lookup)
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
