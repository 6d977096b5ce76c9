"""The start page: "Mijn afspraken" for who is signed in, the sign-in page otherwise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from agreements.choices import MembershipRole, OrganisationKind

from ..selectors_home import home_agreements_for, waiting_items_for


def start(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return home(request)


def _optional_url(name: str, *args) -> str | None:
    """A link to a page another part of the site provides, if it is there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def home(request):
    user = request.user
    groups = home_agreements_for(user)
    waiting = waiting_items_for(user)
    roles = {(m.organisation.kind, m.role) for m in user.memberships.select_related("organisation")}
    may_create = (OrganisationKind.INITIATIVE, MembershipRole.DRAFTER) in roles
    context = {
        "groups": groups,
        "waiting": waiting,
        "agreement_count": sum(len(g.agreements) for g in groups),
        "may_create": may_create,
        "create_url": _optional_url("agreement_create") if may_create else None,
        "has_membership": bool(roles),
        "is_municipality_member": any(kind == OrganisationKind.MUNICIPALITY for kind, _r in roles),
        "is_advisor": any(kind == OrganisationKind.ADVISOR for kind, _r in roles),
    }
    return render(request, "home/home.html", context)
