"""Who hears about what: the recipients of each event."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import Agreement, Comment, User, current_mandate
from workflow.notifications.events import Event


def _people(agreement: Agreement, *pairs: tuple[int, Iterable[str] | None]) -> list[User]:
    """Active users holding one of ``roles`` in organisation ``org_id``, for each (org_id, roles) pair.

    Roles None means any role. Signatories count only while their mandate lasts.
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
    if not condition:
        return []
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _drafters(a: Agreement) -> tuple[int, list[str]]:
    return (a.initiative_id, [MembershipRole.DRAFTER])


def _reviewers(a: Agreement) -> tuple[int, list[str]]:
    return (a.municipality_id, [MembershipRole.REVIEWER])


def _everyone_involved(a: Agreement, *, with_advisors: bool) -> list[User]:
    pairs = [(a.initiative_id, None), (a.municipality_id, None)]
    if with_advisors:
        pairs += [(org_id, None) for org_id in a.advisor_accesses.values_list("organisation_id", flat=True)]
    return _people(a, *pairs)


def signatories_still_to_sign(agreement: Agreement) -> list[User]:
    """Active signatories of each party that still needs a signature, who have not signed this version."""
    version = agreement.frozen_version()
    if version is None:
        return []
    signed = set(version.signatures.in_force().values_list("signer_id", flat=True))
    people: list[User] = []
    for party in agreement.parties:
        if agreement.party_signing_status(party, version)["complete"]:
            continue
        people += [u for u in _people(agreement, (party.pk, [MembershipRole.SIGNATORY])) if u.pk not in signed]
    return people


def _comment_thread_authors(comment_id: int | None) -> list[User]:
    comment = Comment.objects.filter(pk=comment_id).select_related("parent").first() if comment_id else None
    if comment is None:
        return []
    root = comment.parent or comment
    author_ids = {root.author_id, *root.replies.values_list("author_id", flat=True)}
    return list(User.objects.filter(pk__in=author_ids, is_active=True))


def recipients_for(event: str, agreement: Agreement, context: dict) -> list[User]:
    """Who hears about ``event`` (before the actor is taken out)."""
    a = agreement
    signatories = [(a.initiative_id, [MembershipRole.SIGNATORY]), (a.municipality_id, [MembershipRole.SIGNATORY])]
    if event == Event.SUBMITTED:
        return _people(a, _reviewers(a))
    if event == Event.CHANGES_REQUESTED:
        return _people(a, _drafters(a))
    if event == Event.COMMENTED:
        # The drafters always; the reviewers once the text is with them; and
        # whoever wrote in the same thread (an advisor, a signatory).
        pairs = [_drafters(a)] + ([_reviewers(a)] if a.state != AgreementState.DRAFT else [])
        return _people(a, *pairs) + _comment_thread_authors(context.get("comment_id"))
    if event == Event.APPROVED:
        return _people(a, *signatories)
    if event == Event.SIGNATURE_ADDED:
        return signatories_still_to_sign(a)
    if event in (Event.SIGNED, Event.DOCUMENT_READY):
        return _everyone_involved(a, with_advisors=True)
    if event in (Event.REOPENED, Event.DECLINED_TO_SIGN):
        # The signatories too: a signature they gave has been declared void.
        return _people(a, _drafters(a), _reviewers(a), *signatories)
    if event in (Event.WITHDRAWN, Event.EXPIRED):
        return _everyone_involved(a, with_advisors=False)
    if event == Event.SIGNING_LOCKED:
        # The person whose signing is blocked, and the admins of the party they sign for.
        person = User.objects.filter(pk=context.get("person_id"), is_active=True)
        admins = _people(a, (context.get("party_id"), [MembershipRole.ADMIN]))
        return list(person) + admins
    if event == Event.AMENDED:
        return _people(a, _drafters(a), _reviewers(a))
    raise ValueError(f"Unknown event {event!r}")
