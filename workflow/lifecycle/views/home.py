"""The start page: "Mijn afspraken" for who is signed in, the sign-in page otherwise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from agreements.choices import OrganisationKind
from workflow.core.access import may_confirm_first_contacts, may_create_any_agreement
from workflow.core.staff import staff_queues
from workflow.lifecycle.forms import HomeSearchForm
from workflow.lifecycle.selectors.home import (
    GROUP_ROWS,
    PAGE_SIZE,
    home_agreement_page_for,
    home_agreements_for,
    waiting_for,
    waiting_head_for,
)

# "Wacht op u" on the home page shows this many of the most urgent tasks, with a link to all of them.
WAITING_ROWS = 5


def start(request):
    """``/``: the public home page for a visitor (what Samenkader is, register an initiative, sign in);
    one's own agreements once signed in."""
    if not request.user.is_authenticated:
        return render(request, "home/public.html")
    return home(request)


@login_required
def home(request):
    user = request.user
    search = HomeSearchForm(request.GET or None)
    criteria = search.cleaned_data if search.is_bound and search.is_valid() else {}
    filtered = bool(criteria.get("q") or criteria.get("state"))
    if filtered:
        # A search or a state: every match, a page at a time (the page number stays with q and state).
        result = home_agreement_page_for(
            user, search=criteria.get("q", ""), state=criteria.get("state", ""), page=request.GET.get("pagina")
        )
        groups, page, agreement_count = result.groups, result.page, result.page.paginator.count
    else:
        # Without one: the first rows of each state, each group linking to its own filtered list.
        groups, page = home_agreements_for(user, rows=GROUP_ROWS), None
        agreement_count = sum(g.count for g in groups)
    waiting, waiting_count = waiting_head_for(user, rows=WAITING_ROWS)
    # The kinds of organisation the person belongs to word the empty page only: read when it shows.
    kinds = SimpleLazyObject(lambda: {m.organisation.kind for m in user.memberships.select_related("organisation")})
    may_create = may_create_any_agreement(user)
    context = {
        "groups": groups,
        "search": search,
        "filtered": filtered,
        "page": page,
        "waiting": waiting,  # only these agreements are read
        "waiting_count": waiting_count,
        "agreement_count": agreement_count,
        "may_create": may_create,
        "create_url": reverse("agreement:create") if may_create else None,
        "has_membership": SimpleLazyObject(lambda: bool(kinds)),
        "is_municipality_member": SimpleLazyObject(lambda: OrganisationKind.MUNICIPALITY in kinds),
        "is_advisor": SimpleLazyObject(lambda: OrganisationKind.ADVISOR in kinds),
        # Platform staff: the admin and the queues they handle, above (or instead of) any agreements.
        "staff_queues": staff_queues() if may_confirm_first_contacts(user) else None,
    }
    return render(request, "home/home.html", context)


@login_required
def waiting(request):
    """Everything that waits on the person, most urgent first, PAGE_SIZE a page."""
    page = Paginator(waiting_for(request.user), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "home/waiting.html", {"page": page})
