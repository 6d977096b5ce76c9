"""Home with many agreements: the first rows of each state, a count and a link to the rest, a page at a time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def make(world, title, **traits):
    return AgreementFactory(initiative=world.initiative, municipality=world.municipality, title=title, **traits)


def _titles(html: str) -> list[str]:
    section = html[html.index('id="all-title"') :]
    return re.findall(r'<td data-label="Afspraak"><a href="[^"]+">([^<]+)</a>', section)


def _waiting_titles(html: str) -> list[str]:
    return re.findall(r'<h[23] class="card__title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def many_drafts(world):
    """32 drafts, the newest last made; the state_changed_at order is their number, newest first."""
    now = timezone.now()
    drafts = []
    for i in range(32):
        a = make(world, f"Concept {i:02d}")
        Agreement.objects.filter(pk=a.pk).update(state_changed_at=now - dt.timedelta(hours=100 - i))
        drafts.append(a)
    make(world, "Enige in beoordeling", in_review=True)
    return drafts


def test_home_shows_the_first_rows_of_each_state_with_the_count_and_a_link(client, world, many_drafts):
    client.force_login(world.drafter)
    html = client.get("/").content.decode()
    assert _titles(html) == [
        "Enige in beoordeling",
        "Concept 31",
        "Concept 30",
        "Concept 29",
        "Concept 28",
        "Concept 27",
    ]
    assert "32 afspraken" in html and "1 afspraak" in html
    link = f'href="{reverse("home")}?state=draft#all-title">Alle 32 bekijken'
    assert link in html
    # The one agreement in review needs no link to more.
    assert "?state=in_review" not in html


def test_the_link_leads_to_a_paginated_list_whose_second_page_has_the_rest(client, world, many_drafts):
    client.force_login(world.drafter)
    first = client.get("/", {"state": "draft"}).content.decode()
    assert _titles(first) == [f"Concept {i:02d}" for i in range(31, 6, -1)]  # 25 a page, newest first
    assert "32 afspraken gevonden." in first
    assert "Pagina 1 van 2" in first
    # The next page keeps the filter (and the search) in its address.
    assert 'href="?state=draft&amp;pagina=2#all-title" rel="next"' in first
    second = client.get("/", {"state": "draft", "pagina": "2"}).content.decode()
    assert _titles(second) == [f"Concept {i:02d}" for i in range(6, -1, -1)]
    assert "Pagina 2 van 2" in second
    assert 'href="?state=draft&amp;pagina=1#all-title" rel="prev"' in second
    searched = client.get("/", {"q": "concept", "pagina": "2"}).content.decode()
    assert 'href="?q=concept&amp;pagina=1#all-title"' in searched
    assert len(_titles(searched)) == 7


@pytest.fixture
def many_reviews(world):
    today = timezone.localdate()
    items = []
    for i in range(30):
        a = make(world, f"Beoordeling {i:02d}", in_review=True)
        # Two overdue ones come first, the rest by due date.
        due = today - dt.timedelta(days=5 - i) if i < 2 else today + dt.timedelta(days=60 - i)
        Agreement.objects.filter(pk=a.pk).update(review_due_date=due)
        items.append(a)
    return items


def test_waiting_shows_the_most_urgent_and_links_to_all_of_them_a_page_at_a_time(client, world, many_reviews):
    client.force_login(world.reviewer)
    html = client.get("/").content.decode()
    waiting = html[html.index('id="waiting-title"') : html.index('id="all-title"')]
    expected = ["Beoordeling 00", "Beoordeling 01"] + [f"Beoordeling {i:02d}" for i in range(29, 1, -1)]
    assert _waiting_titles(waiting) == expected[:5]
    assert "30 taken wachten op u." in waiting
    assert f'href="{reverse("agreement:waiting")}">Alle 30 taken bekijken' in waiting

    page1 = client.get(reverse("agreement:waiting")).content.decode()
    assert _waiting_titles(page1) == expected[:25]
    assert "Pagina 1 van 2" in page1
    page2 = client.get(reverse("agreement:waiting"), {"pagina": 2}).content.decode()
    assert _waiting_titles(page2) == expected[25:]
    assert "Pagina 2 van 2" in page2


def test_few_waiting_items_need_no_link(client, world):
    make(world, "Enige", in_review=True)
    client.force_login(world.reviewer)
    html = client.get("/").content.decode()
    assert "1 taak wacht op u." in html
    assert reverse("agreement:waiting") not in html
    page = client.get(reverse("agreement:waiting")).content.decode()
    assert "1 taak wacht op u, de meest dringende eerst." in page
    assert "Pagina 1 van" not in page  # one page: no page links
    client.force_login(world.drafter)
    assert "Er wacht nu niets op u." in client.get(reverse("agreement:waiting")).content.decode()


def test_the_waiting_page_is_for_who_is_signed_in(client):
    response = client.get(reverse("agreement:waiting"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("params", [{}, {"state": "draft"}, {"q": "Concept"}])
def test_queries_do_not_grow_from_6_to_30_agreements(client, world, params):
    def add(n, start):
        for i in range(start, start + n):
            make(world, f"Concept {i}")
            make(world, f"Beoordeling {i}", in_review=True)

    client.force_login(world.reviewer)
    add(3, 0)
    client.get("/", params)  # the session warms up once
    # The factories write no audit row, so no cache token is renewed: the cache is emptied instead, and each
    # page measured is the first view after a change (the cached view: tests/web/test_home_cache.py).
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        small = client.get("/", params).content.decode()
    add(12, 3)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        large = client.get("/", params).content.decode()
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(_titles(small)) == (6 if not params else 3)
    assert len(_titles(large)) == (10 if not params else 15)
    cache.clear()
    with CaptureQueriesContext(connection) as waiting_few:
        client.get(reverse("agreement:waiting"))
    add(10, 15)
    cache.clear()
    with CaptureQueriesContext(connection) as waiting_many:
        client.get(reverse("agreement:waiting"))
    assert len(waiting_few.captured_queries) == len(waiting_many.captured_queries)
