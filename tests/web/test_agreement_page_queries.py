"""The agreement page reads each thing once, and renders a frozen version's content once.

Every kind of agreement page takes at most ten queries (the session and the person
included; a signed one eleven, with its sharing in the public examples), on a cold cache
too, and as many for a large agreement as for a small one.
The content of a frozen version is kept in the shared cache, per language, and a
cache that fails costs a render, not the page.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agreements.choices import SIGNED_STATES
from agreements.choices import AgreementState as S
from agreements.models import Organisation
from tests.web.agreement_support import agreement_in, text_of, url
from tests.web.page_scenarios import SCENARIOS
from workflow.lifecycle.selectors import content as page_content
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_request_changes, agreement_submit

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
# A signed agreement's page also reads where its sharing in the public examples stands (one query).
SIGNED_EXTRA = 1


def _page(client, agreement):
    response = client.get(url("detail", agreement))
    assert response.status_code == 200
    return text_of(response)


def _queries(client, world, scenario: str, size: str) -> int:
    agreement, viewer = SCENARIOS[scenario](world, size)
    client.force_login(viewer)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        _page(client, agreement)
    return len(captured.captured_queries)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_kind_of_agreement_page_takes_at_most_ten_queries(client, world, scenario, django_assert_max_num_queries):
    agreement, viewer = SCENARIOS[scenario](world, "large")
    client.force_login(viewer)
    cache.clear()
    most = MAX_QUERIES + (SIGNED_EXTRA if agreement.state in SIGNED_STATES else 0)
    with django_assert_max_num_queries(most):
        _page(client, agreement)  # a cold cache
    with django_assert_max_num_queries(most):
        _page(client, agreement)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_number_of_queries_does_not_grow_with_the_agreement(client, world, scenario):
    """More comments, advice, review rounds, signatories, signatures, audit rows and advisors: the same queries."""
    assert _queries(client, world, scenario, "small") == _queries(client, world, scenario, "large")


def _renders(monkeypatch) -> list:
    calls = []
    original = page_content.render_content

    def counting(agreement, version):
        calls.append(version.pk if version else None)
        return original(agreement, version)

    monkeypatch.setattr(page_content, "render_content", counting)
    return calls


def test_a_frozen_versions_content_is_rendered_once_and_then_served_from_the_cache(client, world, monkeypatch):
    agreement = agreement_in(world, S.IN_REVIEW)
    version = agreement.frozen_version()
    renders = _renders(monkeypatch)
    client.force_login(world.reviewer)
    with translation.override("nl"):
        first = _page(client, agreement)
        key = page_content.content_cache_key(agreement, version)
    assert renders == [version.pk]
    assert cache.get(key) is not None
    assert version.content_hash in key

    client.force_login(world.drafter)  # someone else: the content is nobody's own
    second = _page(client, agreement)
    assert renders == [version.pk]  # served from the cache
    for html in (first, second):
        assert '<p class="ak-section__body">Ingevuld.</p>' in html
        assert "Wie doet wat, per taak" in html
        assert "Netbeheerder" in html  # the third party in the matrix


def test_a_draft_is_rendered_each_time(client, world, monkeypatch):
    agreement = agreement_in(world, S.DRAFT)
    renders = _renders(monkeypatch)
    client.force_login(world.drafter)
    _page(client, agreement)
    _page(client, agreement)
    assert len(renders) == 2


def test_another_language_gets_its_own_render(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    dutch = _page(client, agreement)
    world.reviewer.preferred_language = "en"
    world.reviewer.save(update_fields=["preferred_language"])
    client.force_login(world.reviewer)
    with translation.override("nl"):  # an English request leaves its language on the thread otherwise
        english = _page(client, agreement)
    assert "Wie doet wat, per taak" in dutch and "Who does what, per task" not in dutch
    assert "Who does what, per task" in english and "Wie doet wat, per taak" not in english
    assert "informed: hears what was decided" in english


def _resources(html: str) -> str:
    start = html.index('id="onderdeel-resources"')
    return html[start : html.index("</section>", start)]


def test_new_content_is_a_new_render(client, world):
    """A new review round freezes new content under a new hash: the page shows it, never the old render."""
    agreement = agreement_submit(agreement=agreement_in(world, S.DRAFT), actor=world.drafter)
    client.force_login(world.reviewer)
    assert "Ingevuld." in _resources(_page(client, agreement))
    agreement = agreement_request_changes(agreement=agreement, actor=world.reviewer, note="Meer uren.")
    draft = agreement.current_version()
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=draft.revision,
        sections={"resources": "Tweehonderd uur per jaar."},
    )
    agreement = agreement_submit(agreement=agreement, actor=world.drafter)
    html = _page(client, agreement)
    assert "Tweehonderd uur per jaar." in _resources(html)
    assert "Ingevuld." not in _resources(html)
    assert "gewijzigd sinds vorige ronde" in html  # the reviewer's marker, outside the cached content


def test_a_renamed_party_is_a_new_render(client, world):
    """The matrix names the parties as they are called now: their names are part of the key."""
    agreement = agreement_in(world, S.SIGNED)
    client.force_login(world.drafter)
    assert "Buurtwarmte Test-Oost" in _page(client, agreement)
    Organisation.objects.filter(pk=world.initiative.pk).update(name="Warmtecoöperatie Oost")
    html = _page(client, agreement)
    assert 'data-label="Warmtecoöperatie Oost"' in html
    assert 'data-label="Buurtwarmte Test-Oost"' not in html


class _BrokenCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("the cache is down")

    set = get


def test_a_failing_cache_does_not_break_the_page(client, world, monkeypatch):
    agreement = agreement_in(world, S.APPROVED)
    monkeypatch.setattr(page_content, "cache", _BrokenCache())
    client.force_login(world.initiative_signer1)
    html = _page(client, agreement)
    assert '<p class="ak-section__body">Ingevuld.</p>' in html and "Wie doet wat, per taak" in html


def test_the_key_follows_the_templates(world, monkeypatch):
    """A changed content template is a new key by itself: nobody has to remember to bump a number."""
    agreement = agreement_in(world, S.IN_REVIEW)
    version = agreement.frozen_version()
    before = page_content.content_cache_key(agreement, version)
    page_content.templates_digest.cache_clear()
    # One template fewer stands for a changed one: the digest reads the templates' source, no number changed.
    monkeypatch.setattr(page_content, "CONTENT_TEMPLATES", page_content.CONTENT_TEMPLATES[:-1])
    try:
        assert page_content.content_cache_key(agreement, version) != before
    finally:
        page_content.templates_digest.cache_clear()


@pytest.mark.redis
def test_the_render_goes_through_redis_as_in_production(client, world, settings, monkeypatch):
    """Production keeps the render in Redis: what comes back is the same page."""
    from tests.conftest import REDIS_URL

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{REDIS_URL}/11"}
    }
    agreement = agreement_in(world, S.SIGNED)
    renders = _renders(monkeypatch)
    client.force_login(world.drafter)
    try:
        cache.clear()
        first = _page(client, agreement)
        second = _page(client, agreement)
        assert len(renders) == 1
        content = slice(first.index('id="inhoud-titel"'), first.index('class="ak-aside"'))
        assert first[content] == second[content]
    finally:
        cache.clear()
