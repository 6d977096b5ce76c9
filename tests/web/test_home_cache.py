"""The home page's cached lists (lifecycle/selectors/home.py): each person's state groups and waiting tasks come
from the shared cache until something they depend on changes, and then at once from the database.

The changes commit for real here (``django_capture_on_commit_callbacks``): the cache tokens are renewed after
commit, as in production.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.choices import AgreementState, MembershipRole
from agreements.models import Agreement, Membership
from tests.factories import AgreementFactory
from workflow.lifecycle.selectors.home import WaitingKind, home_agreements_for, waiting_for
from workflow.lifecycle.services.review import agreement_approve
from workflow.models import ReminderPolicy

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The person as a new request meets them: nothing read yet."""
    return type(user).objects.get(pk=user.pk)


def _waiting(user, **kwargs):
    return [(item.agreement.title, item.kind) for item in waiting_for(_fresh(user), **kwargs)[:]]


def _group_counts(user):
    return {group.state: group.count for group in home_agreements_for(_fresh(user))}


def test_the_second_view_reads_only_the_agreements_it_shows(world, client):
    for i in range(3):
        AgreementFactory(initiative=world.initiative, municipality=world.municipality, title=f"R{i}", in_review=True)
    client.force_login(world.reviewer)
    client.get("/")  # the session warms up, and the cache is filled
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    # The session, the person, their memberships; the rows of the state groups and their neighbourhoods;
    # the agreements of "Wacht op u". Nothing counted or sorted.
    assert len(first.captured_queries) == 6
    sql = " ".join(q["sql"] for q in first.captured_queries)
    assert "ROW_NUMBER" not in sql and "agreements_comment" not in sql


def test_a_change_through_a_service_shows_at_once(world, django_capture_on_commit_callbacks):
    agreement = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, title="Oost", in_review=True
    )
    assert _waiting(world.reviewer) == [("Oost", WaitingKind.REVIEW)]
    assert _group_counts(world.reviewer) == {"in_review": 1}
    with django_capture_on_commit_callbacks(execute=True):
        agreement_approve(agreement=agreement, actor=world.reviewer)
    assert _waiting(world.reviewer) == []
    assert _group_counts(world.reviewer) == {"approved": 1}
    assert ("Oost", WaitingKind.SIGN) in _waiting(world.municipal_signer)


def test_a_cached_list_holds_until_a_change_and_a_new_day_computes_it_again(world):
    agreement = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, title="Oost", in_review=True
    )
    today = dt.date(2026, 12, 7)
    assert _waiting(world.reviewer, today=today) == [("Oost", WaitingKind.REVIEW)]
    # Straight in the database, as no service would: no audit row, no token renewed.
    Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.WITHDRAWN)
    AgreementFactory(initiative=world.initiative, municipality=world.municipality, title="West", in_review=True)
    assert _waiting(world.reviewer, today=today) == [("Oost", WaitingKind.REVIEW)]  # still the cached list
    assert _waiting(world.reviewer, today=today + dt.timedelta(days=1)) == [("West", WaitingKind.REVIEW)]


def test_a_membership_or_a_reminder_policy_changed_in_the_admin_renews_every_list(
    world, django_capture_on_commit_callbacks
):
    AgreementFactory(initiative=world.initiative, municipality=world.municipality, title="Oost", in_review=True)
    colleague = world.municipal_signer
    assert _waiting(colleague) == []
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.create(user=colleague, organisation=world.municipality, role=MembershipRole.REVIEWER)
    assert _waiting(colleague) == [("Oost", WaitingKind.REVIEW)]

    (item,) = waiting_for(_fresh(world.reviewer))[:]
    with django_capture_on_commit_callbacks(execute=True):
        ReminderPolicy.objects.create(municipality=world.municipality, review_after_days=30)
    (later,) = waiting_for(_fresh(world.reviewer))[:]
    assert later.due_date > item.due_date
