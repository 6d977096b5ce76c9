"""Who hears about what: the recipients of each event."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import AdvisorAccess, Agreement, Comment, User, current_mandate
from workflow.notifications.events import Event
from workflow.notifications.preferences import with_digest_choice


def _people(
    agreement: Agreement, *pairs: tuple[int, Iterable[str] | None], event: str = "", also: Q | None = None
) -> list[User]:
    """Active users holding one of ``roles`` in organisation ``org_id``, for each (org_id, roles) pair.

    Roles None means any role. Signatories count only while their mandate lasts.
    ``also`` adds people by another condition (an advisor organisation's members).
    With ``event``, each comes with whether they want it in the daily overview (one query in all).
    """
    today = timezone.localdate()
    condition = Q()
    for org_id, roles in pairs:
        pair = Q(memberships__organisation_id=org_id)
        if roles is not None:
            roles = list(roles)
            pair &= Q(memberships__role__in=roles)
            if roles == [MembershipRole.SIGNATORY]:
                pair &= current_mandate(today, via="memberships__")
        condition |= pair
    if also is not None:
        condition |= also
    if not condition:
        return []
    people = User.objects.filter(condition, is_active=True).distinct().order_by("pk")
    return list(with_digest_choice(people, event=event))


def _drafters(a: Agreement) -> tuple[int, list[str]]:
    return (a.initiative_id, [MembershipRole.DRAFTER])


def _reviewers(a: Agreement) -> tuple[int, list[str]]:
    return (a.municipality_id, [MembershipRole.REVIEWER])


def _everyone_involved(a: Agreement, *, with_advisors: bool, event: str = "") -> list[User]:
    pairs = [(a.initiative_id, None), (a.municipality_id, None)]
    advisors = None
    if with_advisors:
        granted = AdvisorAccess.objects.filter(agreement_id=a.pk).values("organisation_id")
        advisors = Q(memberships__organisation_id__in=granted)
    return _people(a, *pairs, event=event, also=advisors)


def signatories_still_to_sign(agreement: Agreement, *, event: str = "") -> list[User]:
    """Active signatories of each party that still needs a signature, who have not signed this version.

    When the signing service took a snapshot of the version (``Agreement.take_signing_snapshot``), the
    signatures and signatories come from it, and only the people themselves are read (one query).
    """
    snapshot = agreement.signing_snapshot
    if snapshot is not None:
        wanted: list[int] = []
        for party in agreement.parties:
            if agreement.party_signing_status(party)["complete"]:
                continue
            wanted += sorted(u for u in snapshot.active_signatory_ids(party.pk) if not snapshot.has_signed(u))
        if not wanted:
            return []
        people = User.objects.filter(pk__in=wanted, is_active=True)
        found = {user.pk: user for user in (with_digest_choice(people, event=event))}
        return [found[pk] for pk in wanted if pk in found]
    version = agreement.frozen_version()
    if version is None:
        return []
    signed = set(version.signatures.in_force().values_list("signer_id", flat=True))
    people: list[User] = []
    for party in agreement.parties:
        if agreement.party_signing_status(party, version)["complete"]:
            continue
        people += [
            u for u in _people(agreement, (party.pk, [MembershipRole.SIGNATORY]), event=event) if u.pk not in signed
        ]
    return people


def _comment_thread_authors(comment_id: int | None, *, event: str = "") -> list[User]:
    comment = Comment.objects.filter(pk=comment_id).select_related("parent").first() if comment_id else None
    if comment is None:
        return []
    root = comment.parent or comment
    author_ids = {root.author_id, *root.replies.values_list("author_id", flat=True)}
    people = User.objects.filter(pk__in=author_ids, is_active=True)
    return list(with_digest_choice(people, event=event))


def recipients_for(event: str, agreement: Agreement, context: dict, *, with_digest: bool = False) -> list[User]:
    """Who hears about ``event`` (before the actor is taken out).

    ``with_digest``: each person comes with ``wants_digest`` (``preferences.with_digest_choice``), read in
    the same query, so ``notify`` asks no more.
    """
    a = agreement
    e = event if with_digest else ""
    signatories = [(a.initiative_id, [MembershipRole.SIGNATORY]), (a.municipality_id, [MembershipRole.SIGNATORY])]
    if event == Event.SUBMITTED:
        return _people(a, _reviewers(a), event=e)
    if event == Event.CHANGES_REQUESTED:
        return _people(a, _drafters(a), event=e)
    if event == Event.COMMENTED:
        # The drafters always; the reviewers once the text is with them; and
        # whoever wrote in the same thread (an advisor, a signatory).
        pairs = [_drafters(a)] + ([_reviewers(a)] if a.state != AgreementState.DRAFT else [])
        return _people(a, *pairs, event=e) + _comment_thread_authors(context.get("comment_id"), event=e)
    if event == Event.APPROVED:
        return _people(a, *signatories, event=e)
    if event == Event.SIGNATURE_ADDED:
        return signatories_still_to_sign(a, event=e)
    if event in (Event.SIGNED, Event.DOCUMENT_READY):
        return _everyone_involved(a, with_advisors=True, event=e)
    if event in (Event.REOPENED, Event.DECLINED_TO_SIGN):
        # The signatories too: a signature they gave has been declared void.
        return _people(a, _drafters(a), _reviewers(a), *signatories, event=e)
    if event in (Event.WITHDRAWN, Event.EXPIRED):
        return _everyone_involved(a, with_advisors=False, event=e)
    if event == Event.SIGNING_LOCKED:
        # The person whose signing is blocked, and the admins of the party they sign for.
        person = User.objects.filter(pk=context.get("person_id"), is_active=True)
        admins = _people(a, (context.get("party_id"), [MembershipRole.ADMIN]), event=e)
        return list(person) + admins
    if event == Event.AMENDED:
        return _people(a, _drafters(a), _reviewers(a), event=e)
    raise ValueError(f"Unknown event {event!r}")
