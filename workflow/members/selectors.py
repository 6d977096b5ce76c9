"""Reads for the member pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.choices import MembershipRole, OrganisationKind
from agreements.models import Invitation, Membership, MembershipEvent, Organisation, User
from workflow.models import ApiToken


def member_log_for(organisation: Organisation) -> QuerySet[MembershipEvent]:
    """The organisation's member log, newest first."""
    return (
        MembershipEvent.objects.filter(organisation=organisation)
        .select_related("actor", "subject")
        .order_by("-at", "-pk")
    )


def invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    """The organisation's invitations for its members page: the open ones and the last month's others, newest first."""
    since = timezone.now() - dt.timedelta(days=31)
    return (
        Invitation.objects.filter(organisation=organisation)
        .filter(
            Q(status__in=[Invitation.Status.AWAITING_CONFIRMATION, Invitation.Status.PENDING])
            | Q(created_at__gte=since)
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def first_contacts_for_staff() -> dict[str, list[Invitation]]:
    """Every first contact an initiative asked for, by stage, for platform staff (who see all municipalities)."""
    rows = (
        Invitation.objects.filter(is_first_contact=True)
        .select_related("organisation", "requested_by_organisation", "invited_by", "confirmed_by", "accepted_by")
        .order_by("created_at", "pk")
    )
    stages: dict[str, list[Invitation]] = {"awaiting": [], "pending": [], "accepted": []}
    for row in rows:
        if row.is_open and row.status == Invitation.Status.AWAITING_CONFIRMATION:
            stages["awaiting"].append(row)
        elif row.is_open:
            stages["pending"].append(row)
        elif row.status == Invitation.Status.ACCEPTED and row.withdrawn_at is None:
            stages["accepted"].append(row)
    accounts = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=[r.email for r in stages["awaiting"]]).prefetch_related(
            "memberships__organisation"
        )
    }
    for row in stages["awaiting"]:
        # Staff decide knowing whether the address already works in Samenkader, and where.
        account = accounts.get(row.email.lower())
        row.existing_organisations = (
            sorted({m.organisation.name for m in account.memberships.all()}) if account is not None else []
        )
        row.has_account = account is not None
    return stages


def api_tokens_of(user: User) -> list[ApiToken]:
    """One's own tokens, newest first: those in use, and the revoked and expired ones of the last 90 days."""
    since = timezone.now() - dt.timedelta(days=90)
    return list(ApiToken.objects.filter(user=user).exclude(revoked_at__lt=since).exclude(expires_at__lt=since))


def members_of(organisation: Organisation) -> list[dict]:
    """The organisation's people, each once: their roles (a signatory's with the function), mandate, two-factor."""
    people: dict[int, dict] = {}
    rows = Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__full_name", "pk")
    with_two_factor = set(
        TOTPDevice.objects.filter(confirmed=True, user__memberships__organisation=organisation).values_list(
            "user_id", flat=True
        )
    )
    for row in rows:
        entry = people.setdefault(
            row.user_id,
            {"user": row.user, "roles": [], "mandate_until": None, "two_factor": row.user_id in with_two_factor},
        )
        label = row.get_role_display()
        if row.role == MembershipRole.SIGNATORY:
            entry["mandate_until"] = row.mandate_until
            if row.function:
                label = f"{label} ({row.function})"
        entry["roles"].append(label)
    return list(people.values())


def initiatives_for_staff() -> dict[str, list[Organisation]]:
    """Initiatives for platform staff: those that registered themselves and were not yet looked at, the
    suspended ones, and every other (by name, at most 200), each with its admins and its municipality."""
    rows = Organisation.objects.filter(kind=OrganisationKind.INITIATIVE).select_related(
        "home_municipality", "suspended_by", "checked_by"
    )
    admins = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role=MembershipRole.ADMIN).select_related("user"),
        to_attr="admin_memberships",
    )
    return {
        "new": list(
            rows.filter(registered_at__isnull=False, checked_at__isnull=True, suspended_at__isnull=True)
            .prefetch_related(admins)
            .order_by("registered_at", "pk")
        ),
        "suspended": list(rows.filter(suspended_at__isnull=False).prefetch_related(admins).order_by("-suspended_at")),
        "others": list(
            rows.filter(suspended_at__isnull=True)
            .exclude(registered_at__isnull=False, checked_at__isnull=True)
            .prefetch_related(admins)
            .order_by("name", "pk")[:200]
        ),
    }
