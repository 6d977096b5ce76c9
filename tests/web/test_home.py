"""Home: "Mijn afspraken" by state and "Wacht op u", for every kind of person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import AdvisorAccess, Agreement, Comment, Signature
from tests.factories import AgreementFactory, member
from workflow.lifecycle.selectors.home import WaitingKind, home_agreements_for, waiting_items_for
from workflow.models import ReminderPolicy
from workflow.notifications.policy import Policies

pytestmark = pytest.mark.django_db


def make(world, title, **traits):
    return AgreementFactory(initiative=world.initiative, municipality=world.municipality, title=title, **traits)


@pytest.fixture
def agreements(world):
    a = {
        "draft": make(world, "Concept Oost"),
        "review": make(world, "Ter beoordeling Oost", in_review=True),
        "approved": make(world, "Goedgekeurd Oost", approved=True),
        "signed": make(world, "Getekend Oost", signed=True),
        "foreign": AgreementFactory(
            initiative=world.other_initiative,
            municipality=world.other_municipality,
            title="Geheim Anderdorp",
            in_review=True,
        ),
    }
    return a


def kinds(items):
    return [(i.agreement.title, i.kind) for i in items]


def test_reviewer_waits_on_the_agreement_in_review(world, agreements):
    assert kinds(waiting_items_for(world.reviewer)) == [("Ter beoordeling Oost", WaitingKind.REVIEW)]


def test_signatories_wait_on_the_approved_agreement(world, agreements):
    for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        assert kinds(waiting_items_for(signer)) == [("Goedgekeurd Oost", WaitingKind.SIGN)]


def test_a_signatory_who_signed_waits_no_longer_and_the_quorum_counts(world, agreements):
    approved = agreements["approved"]
    version = approved.frozen_version()
    Signature.objects.create(
        version=version, party=world.initiative, signer=world.initiative_signer1, content_hash=version.content_hash
    )
    assert waiting_items_for(world.initiative_signer1) == []
    # The initiative needs two: the second board member still has to.
    assert kinds(waiting_items_for(world.initiative_signer2)) == [("Goedgekeurd Oost", WaitingKind.SIGN)]


def test_a_party_that_has_its_quorum_waits_no_longer(world, agreements):
    approved = agreements["approved"]
    version = approved.frozen_version()
    other_signer = member(world.municipality, MembershipRole.SIGNATORY, email="tweede-wethouder@example.org")
    Signature.objects.create(
        version=version, party=world.municipality, signer=other_signer, content_hash=version.content_hash
    )
    assert waiting_items_for(world.municipal_signer) == []


def test_a_signatory_whose_mandate_ended_does_not_wait(world, agreements):
    world.municipal_signer.memberships.filter(role=MembershipRole.SIGNATORY).update(
        mandate_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert waiting_items_for(world.municipal_signer) == []


def test_drafter_waits_on_open_comments_of_others(world, agreements):
    draft = agreements["draft"]
    version = draft.current_version()
    Comment.objects.create(version=version, author=world.reviewer, body="Wie betaalt de avonden?")
    Comment.objects.create(version=version, author=world.reviewer, body="En de zaalhuur?")
    Comment.objects.create(version=version, author=world.drafter, body="Eigen notitie")
    Comment.objects.create(
        version=version,
        author=world.reviewer,
        body="Al opgelost",
        resolved_at=timezone.now(),
        resolved_by=world.drafter,
    )
    items = waiting_items_for(world.drafter)
    assert kinds(items) == [("Concept Oost", WaitingKind.ANSWER_COMMENTS)]
    assert items[0].count == 2


def test_advisory_notes_wait_on_nobody(world, agreements):
    """An advisor's note, and the thread it starts, is not an open comment to answer."""
    draft = agreements["draft"]
    version = draft.current_version()
    AdvisorAccess.objects.create(agreement=draft, organisation=world.advisor_org, granted_by=world.drafter)
    note = Comment.objects.create(version=version, author=world.advisor, body="Kijk naar Zwolle.", is_advisory=True)
    Comment.objects.create(version=version, author=world.reviewer, body="Goed punt.", parent=note)
    Comment.objects.create(version=version, author=world.advisor, body="Nog iets.", parent=note, is_advisory=True)
    assert waiting_items_for(world.drafter) == []
    Comment.objects.create(version=version, author=world.reviewer, body="Wie betaalt de avonden?")
    items = waiting_items_for(world.drafter)
    assert kinds(items) == [("Concept Oost", WaitingKind.ANSWER_COMMENTS)]
    assert items[0].count == 1


def test_most_urgent_first(world):
    today = timezone.localdate()
    later = make(world, "Later", in_review=True)
    overdue = make(world, "Te laat", in_review=True)
    no_date = make(world, "Zonder datum", in_review=True)
    Agreement.objects.filter(pk=later.pk).update(review_due_date=today + dt.timedelta(days=10))
    Agreement.objects.filter(pk=overdue.pk).update(review_due_date=today - dt.timedelta(days=2))
    Agreement.objects.filter(pk=no_date.pk).update(submitted_at=None)
    items = waiting_items_for(world.reviewer)
    assert [i.agreement.title for i in items] == ["Te laat", "Later", "Zonder datum"]
    assert items[0].overdue and not items[1].overdue


def test_advisor_and_outsider_wait_on_nothing(world, agreements):
    assert waiting_items_for(world.advisor) == []
    assert waiting_items_for(world.outsider) == []


def test_groups_follow_the_states(world, agreements):
    groups = home_agreements_for(world.drafter)
    assert [(g.state, [a.title for a in g.agreements]) for g in groups] == [
        (AgreementState.IN_REVIEW, ["Ter beoordeling Oost"]),
        (AgreementState.DRAFT, ["Concept Oost"]),
        (AgreementState.APPROVED, ["Goedgekeurd Oost"]),
        (AgreementState.SIGNED, ["Getekend Oost"]),
    ]


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _waiting_queries(user) -> int:
    """The queries of the waiting list for the person as a new request meets them: nothing read yet."""
    fresh = type(user).objects.get(pk=user.pk)
    return _queries(lambda: waiting_items_for(fresh))


def test_the_number_of_queries_does_not_grow_with_the_agreements(world, client):
    def scenario(n):
        for i in range(n):
            a = make(world, f"Beoordeling {n}-{i}", in_review=True)
            Comment.objects.create(version=a.frozen_version(), author=world.reviewer, body="Vraag")
            make(world, f"Tekenen {n}-{i}", approved=True)

    scenario(2)
    small = (
        _waiting_queries(world.drafter),
        _waiting_queries(world.initiative_signer1),
        _waiting_queries(world.reviewer),
    )
    scenario(8)
    large = (
        _waiting_queries(world.drafter),
        _waiting_queries(world.initiative_signer1),
        _waiting_queries(world.reviewer),
    )
    # The roles with their mandates, one's own memberships (what one sees; a page has read them for its
    # header already), the agreements that may wait (as values), the reminder policies (for the due
    # dates) and the agreements of the tasks read; for a drafter also the open comments per agreement; for a
    # signatory also the approved agreements (as values, with their parties' signing settings), the
    # signatures and the signatories' count; and for everyone what waits after signing: the commitments (one
    # grouped query) and the joint evaluations to answer (one).
    assert small == large == (8, 10, 7)
    assert len(waiting_items_for(world.reviewer)) == 10
    assert len(waiting_items_for(world.initiative_signer1)) == 10
    assert len(waiting_items_for(world.drafter)) == 10

    client.force_login(world.reviewer)
    client.get("/")  # the session warms up
    # The factories write no audit row, so no cache token is renewed: the cache is emptied instead, and the
    # page measured is the first view after a change (tests/web/test_home_cache.py: the view after it).
    cache.clear()
    page_small = _queries(lambda: client.get("/"))
    scenario(5)
    cache.clear()
    page_large = _queries(lambda: client.get("/"))
    assert page_small == page_large
    assert page_large <= 12  # the neighbourhoods under each title; the commitments and evaluations that wait


# --- the page ------------------------------------------------------------------------------


def test_home_page_for_each_role_shows_its_own_work_and_nothing_foreign(client, world, agreements):
    expected = {
        "drafter": [],
        "reviewer": ["Beoordelen: vraag om wijzigingen of keur de afspraak goed."],
        "municipal_signer": ["Ondertekenen namens uw organisatie."],
        "initiative_signer1": ["Ondertekenen namens uw organisatie."],
    }
    for who, waiting_texts in expected.items():
        client.force_login(getattr(world, who))
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Mijn afspraken" in html and "Wacht op u" in html
        for title in ("Concept Oost", "Ter beoordeling Oost", "Goedgekeurd Oost", "Getekend Oost"):
            assert title in html, (who, title)
        assert "Geheim Anderdorp" not in html, who
        for text in waiting_texts:
            assert text in html, (who, text)
        if not waiting_texts:
            assert "Er wacht nu niets op u." in html


def test_advisor_sees_only_what_was_shared(client, world, agreements):
    AdvisorAccess.objects.create(
        agreement=agreements["signed"], organisation=world.advisor_org, granted_by=world.drafter
    )
    client.force_login(world.advisor)
    html = client.get("/").content.decode()
    assert "Getekend Oost" in html
    for title in ("Concept Oost", "Ter beoordeling Oost", "Goedgekeurd Oost", "Geheim Anderdorp"):
        assert title not in html


def test_outsider_sees_only_their_own(client, world, agreements):
    client.force_login(world.other_reviewer)
    html = client.get("/").content.decode()
    assert "Geheim Anderdorp" in html
    assert "Oost" not in html.split("<main", 1)[1]


def test_empty_state_tells_a_drafter_what_to_do_first(client, world):
    client.force_login(world.drafter)
    html = client.get("/").content.decode()
    assert "U heeft nog geen afspraken." in html
    assert "Begin met een nieuwe afspraak." in html
    # The way to start one: the button once hid behind a wrong route name.
    assert f'href="{reverse("agreement:create")}"' in html
    assert "/gemeente-uitnodigen/" in html


def test_empty_state_for_a_municipality_and_for_someone_without_organisation(client, world):
    client.force_login(world.reviewer)
    assert "Zodra een bewonersinitiatief een afspraak met uw gemeente begint" in client.get("/").content.decode()
    loner = member(world.initiative, email="los@example.org")
    client.force_login(loner)
    assert "U hoort nog niet bij een organisatie." in client.get("/").content.decode()


def test_overdue_items_are_marked(client, world):
    late = make(world, "Te laat", in_review=True)
    Agreement.objects.filter(pk=late.pk).update(review_due_date=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(world.reviewer)
    html = client.get("/").content.decode()
    assert "Te laat" in html
    assert "card--urgent" in html


def _new_round(agreement, by):
    """What request_changes and the first edit leave behind: the version frozen, a copy being edited."""
    version = agreement.current_version()
    if not version.is_frozen:
        version.freeze()
    Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.DRAFT)
    return version.copy_as_next(by=by)


def test_a_draft_that_came_back_waits_on_the_drafter(world):
    agreement = make(world, "Terug naar opsteller", in_review=True)
    _new_round(agreement, world.drafter)
    assert kinds(waiting_items_for(world.drafter)) == [("Terug naar opsteller", WaitingKind.REVISE)]


def test_only_comments_of_the_current_round_count(world):
    agreement = make(world, "Drie rondes", in_review=True)
    first = agreement.current_version()
    Comment.objects.create(version=first, author=world.reviewer, body="Vergeten op te lossen in ronde 1")
    second = _new_round(agreement, world.drafter)
    second.freeze()
    third = _new_round(agreement, world.drafter)
    assert third.number == 3
    # The comment on version 1 is two rounds old: the drafter is asked to revise, not to answer it.
    assert kinds(waiting_items_for(world.drafter)) == [("Drie rondes", WaitingKind.REVISE)]
    Comment.objects.create(version=second, author=world.reviewer, body="Nog één ding")
    items = waiting_items_for(world.drafter)
    assert kinds(items) == [("Drie rondes", WaitingKind.ANSWER_COMMENTS)]
    assert items[0].count == 1


def test_without_a_date_the_reminder_policy_sets_when_it_is_due(world, settings):
    settings.REMINDERS = {**settings.REMINDERS, "review_after_days": 10, "signature_after_days": 3}
    review = make(world, "Zonder gewenste datum", in_review=True)
    approved = make(world, "Klaar om te tekenen", approved=True)
    submitted = timezone.now() - dt.timedelta(days=2)
    Agreement.objects.filter(pk=review.pk).update(submitted_at=submitted, review_due_date=None)
    Agreement.objects.filter(pk=approved.pk).update(approved_at=submitted)
    (item,) = waiting_items_for(world.reviewer)
    assert item.due_date == timezone.localtime(submitted).date() + dt.timedelta(days=10)
    (item,) = waiting_items_for(world.municipal_signer)
    assert item.due_date == timezone.localtime(submitted).date() + dt.timedelta(days=3)


def test_a_municipality_s_own_reminder_policy_sets_the_due_date_as_for_its_reminders(world, settings):
    settings.REMINDERS = {**settings.REMINDERS, "review_after_days": 10, "signature_after_days": 3}
    ReminderPolicy.objects.create(municipality=world.municipality, review_after_days=4, signature_after_days=None)
    review = make(world, "Eigen termijn", in_review=True)
    approved = make(world, "Standaard tekentermijn", approved=True)
    submitted = timezone.now() - dt.timedelta(days=2)
    Agreement.objects.filter(pk=review.pk).update(submitted_at=submitted, review_due_date=None)
    Agreement.objects.filter(pk=approved.pk).update(approved_at=submitted)
    (item,) = waiting_items_for(world.reviewer)
    assert item.due_date == timezone.localtime(submitted).date() + dt.timedelta(days=4)
    # A value the municipality left empty falls back to the default, as the reminders do.
    (item,) = waiting_items_for(world.municipal_signer)
    assert item.due_date == timezone.localtime(submitted).date() + dt.timedelta(days=3)
    policy = Policies().for_municipality(world.municipality.pk)
    assert (policy.review_after_days, policy.signature_after_days) == (4, 3)


def test_four_eyes_keeps_the_other_municipal_signatory_waiting(world):
    approved = make(world, "Vier ogen", approved=True)
    second = member(world.municipality, MembershipRole.SIGNATORY, email="tweede-ondertekenaar@example.org")
    Agreement.objects.filter(pk=approved.pk).update(approved_by=world.municipal_signer)
    version = approved.frozen_version()
    Signature.objects.create(
        version=version, party=world.municipality, signer=world.municipal_signer, content_hash=version.content_hash
    )
    # The approver signed alone: the municipality's quorum of one is not enough under four eyes.
    assert kinds(waiting_items_for(second)) == [("Vier ogen", WaitingKind.SIGN)]
    assert waiting_items_for(world.municipal_signer) == []


# --- search and filter ---------------------------------------------------------------------


def _titles(html: str) -> list[str]:
    import re

    section = html[html.index('id="all-title"') :]
    return re.findall(r'<td data-label="Afspraak"><a href="[^"]+">([^<]+)</a>', section)


@pytest.fixture
def searchable(world, agreements):
    from agreements.models import Neighbourhood

    Neighbourhood.objects.create(agreement=agreements["signed"], name="Kamperpoort", cbs_code="WK019302")
    return agreements


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "getekend"}, ["Getekend Oost"]),  # title, any case
        ({"q": "kamperpoort"}, ["Getekend Oost"]),  # a neighbourhood's name
        ({"q": "WK019302"}, ["Getekend Oost"]),  # its CBS code
        ({"q": "Oost", "state": "draft"}, ["Concept Oost"]),
        ({"state": "in_review"}, ["Ter beoordeling Oost"]),
        ({"q": "Anderdorp"}, []),  # someone else's agreement is never found
    ],
)
def test_search_and_filter_my_agreements(client, world, searchable, query, expected):
    client.force_login(world.drafter)
    response = client.get("/", query)
    html = response.content.decode()
    assert _titles(html) == expected
    if expected:
        assert f"{len(expected)} afspraak gevonden." in html
    else:
        assert "Er zijn geen afspraken die passen bij wat u zocht." in html
    # What was asked stays in the form (and so in the address of the page).
    if "q" in query:
        assert f'value="{query["q"]}"' in html
    if "state" in query:
        assert f'<option value="{query["state"]}" selected>' in html


def test_search_by_reference(client, world, searchable):
    client.force_login(world.drafter)
    reference = searchable["approved"].reference
    assert _titles(client.get("/", {"q": reference.lower()}).content.decode()) == ["Goedgekeurd Oost"]


def test_without_a_search_everything_is_listed_and_the_waiting_list_ignores_the_search(client, world, searchable):
    client.force_login(world.reviewer)
    html = client.get("/", {"q": "Getekend"}).content.decode()
    waiting = html[html.index('id="waiting-title"') : html.index('id="all-title"')]
    assert "Ter beoordeling Oost" in waiting  # what waits on you is not hidden by a search
    assert _titles(client.get("/").content.decode()) == [
        "Ter beoordeling Oost",
        "Concept Oost",
        "Goedgekeurd Oost",
        "Getekend Oost",
    ]


def test_search_takes_a_constant_number_of_queries(client, world, django_assert_num_queries):
    from agreements.models import Neighbourhood

    client.force_login(world.drafter)

    def add(n):
        for i in range(n):
            a = make(world, f"Warmte wijk {i}", in_review=(i % 2 == 0))
            Neighbourhood.objects.create(agreement=a, name=f"Buurt {i}")
            Neighbourhood.objects.create(agreement=a, name=f"Wijk {i}")

    add(2)
    client.get("/", {"q": "wijk", "state": "draft"})  # the session and the caches warm up once
    with CaptureQueriesContext(connection) as few:
        client.get("/", {"q": "wijk", "state": "draft"})
    add(30)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/", {"q": "wijk", "state": "draft"})
    assert len(_titles(response.content.decode())) == 16
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/", {"q": "Buurt 7"})
