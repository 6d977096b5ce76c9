"""The start page: "Mijn afspraken" for who is signed in, the sign-in page otherwise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from agreements.choices import OrganisationKind
from workflow.core.access import initiatives_drafted_by, may_confirm_first_contacts
from workflow.core.staff import staff_queues
from workflow.lifecycle.forms import HomeSearchForm
from workflow.lifecycle.selectors.home import home_agreements_for, waiting_items_for


def start(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return home(request)


@login_required
def home(request):
    user = request.user
    search = HomeSearchForm(request.GET or None)
    criteria = search.cleaned_data if search.is_bound and search.is_valid() else {}
    groups = home_agreements_for(user, search=criteria.get("q", ""), state=criteria.get("state", ""))
    waiting = waiting_items_for(user)
    roles = {(m.organisation.kind, m.role) for m in user.memberships.select_related("organisation")}
    may_create = initiatives_drafted_by(user).exists()
    context = {
        "groups": groups,
        "search": search,
        "filtered": bool(criteria.get("q") or criteria.get("state")),
        "waiting": waiting,
        "agreement_count": sum(len(g.agreements) for g in groups),
        "may_create": may_create,
        "create_url": reverse("agreement:create") if may_create else None,
        "has_membership": bool(roles),
        "is_municipality_member": any(kind == OrganisationKind.MUNICIPALITY for kind, _r in roles),
        "is_advisor": any(kind == OrganisationKind.ADVISOR for kind, _r in roles),
        # Platform staff: the admin and the queues they handle, above (or instead of) any agreements.
        "staff_queues": staff_queues() if may_confirm_first_contacts(user) else None,
    }
    return render(request, "home/home.html", context)
