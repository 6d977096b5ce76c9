"""What every page needs to know: the person's organisations and roles, and where to ask for help."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from agreements.choices import MembershipRole
from workflow.core.access import memberships_of


def _organisations(user) -> list[dict]:
    by_org: dict[int, dict] = {}
    # The same rows the permission checks read (one query a request), in the order of the organisations' names.
    memberships = sorted(memberships_of(user), key=lambda m: (m.organisation.name, m.organisation_id))
    for membership in memberships:
        entry = by_org.setdefault(
            membership.organisation_id, {"organisation": membership.organisation, "roles": [], "is_admin": False}
        )
        entry["roles"].append(membership.get_role_display())
        if membership.role == MembershipRole.ADMIN:
            entry["is_admin"] = True
    return list(by_org.values())


def organisations(request) -> dict:
    """``my_organisations``: one entry per organisation (organisation, roles, is_admin), loaded only when used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_organisations": []}
    return {"my_organisations": SimpleLazyObject(lambda: _organisations(user))}


def support(request) -> dict:
    """``support_email``: the address for joining and for help (SUPPORT_EMAIL)."""
    return {"support_email": settings.SUPPORT_EMAIL}
