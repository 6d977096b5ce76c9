"""The pages of the commitments after signing: reached from the agreement page and from "Wacht op u", the forms
for the responsible party only, and bad input, a stale form or a refusal explained without losing what was typed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from agreements.choices import CommitmentKind, CommitmentStatus, DecisionOutcome
from agreements.models import Commitment
from tests.documents.helpers import signed_agreement
from workflow.lifecycle.services.advisors import advisor_grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def signed(world):
    agreement = signed_agreement(world)
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return agreement


def commitment(agreement, title: str) -> Commitment:
    return Commitment.objects.get(agreement=agreement, title=title)


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_the_agreement_page_links_to_the_commitments_and_they_to_each_one(client, world, signed):
    client.force_login(world.reviewer)
    page = client.get(f"/afspraken/{signed.reference}/").content.decode()
    overview_url = f"/afspraken/{signed.reference}/uitvoering/"
    assert overview_url in links(page) and "Naar de uitvoering" in page
    html = client.get(overview_url).content.decode()
    assert "Besluitmomenten" in html and "Taken in de fase oriëntatie" in html
    evenings = commitment(signed, "Bewonersavonden organiseren")
    assert f"{overview_url}{evenings.pk}/" in links(html)
    assert "15 taken en besluitmomenten: 15 gepland." in " ".join(html.split())


def test_the_responsible_party_sees_the_form_others_read_along(client, world, signed):
    evenings = commitment(signed, "Bewonersavonden organiseren")  # the initiative's
    url = f"/afspraken/{signed.reference}/uitvoering/{evenings.pk}/"
    client.force_login(world.drafter)
    html = client.get(url).content.decode()
    assert "Stand bijwerken" in html and f'action="{url}bijwerken/"' in html
    for person in (world.reviewer, world.advisor):
        client.force_login(person)
        html = client.get(url).content.decode()
        assert "Stand bijwerken" not in html and "U leest mee." in html
        response = client.submit(f"{url}bijwerken/", {"status": "done"})
        assert response.status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.submit(f"{url}bijwerken/", {"status": "done"}).status_code == 404
    assert Commitment.objects.get(pk=evenings.pk).status == CommitmentStatus.PLANNED


def test_an_update_is_saved_and_shown_in_the_history(client, world, signed):
    evenings = commitment(signed, "Bewonersavonden organiseren")
    url = f"/afspraken/{signed.reference}/uitvoering/{evenings.pk}/"
    client.force_login(world.drafter)
    response = client.submit(
        f"{url}bijwerken/",
        {
            "status": "in_progress",
            "planned_date": (TODAY + dt.timedelta(days=14)).isoformat(),
            "note": "Eerste avond gepland in het buurthuis.",
            "evidence_url": "https://example.org/uitnodiging",
            "read_at": evenings.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert "De voortgang is bijgewerkt." in html
    assert "Eerste avond gepland in het buurthuis." in html
    assert 'href="https://example.org/uitnodiging"' in html
    assert Commitment.objects.get(pk=evenings.pk).status == CommitmentStatus.IN_PROGRESS


def test_bad_input_and_a_stale_form_keep_what_was_typed(client, world, signed):
    evenings = commitment(signed, "Bewonersavonden organiseren")
    url = f"/afspraken/{signed.reference}/uitvoering/{evenings.pk}/"
    client.force_login(world.drafter)
    typed = "Uitgesteld omdat het buurthuis dicht is."
    response = client.submit(f"{url}bijwerken/", {"status": "postponed", "note": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Noem de nieuwe datum." in html and typed in html
    stale = evenings.updated_at.isoformat()
    client.force_login(world.initiative_admin)
    client.submit(f"{url}bijwerken/", {"status": "in_progress", "read_at": stale})
    client.force_login(world.drafter)
    response = client.submit(
        f"{url}bijwerken/",
        {"status": "done", "note": typed, "read_at": stale},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Iemand anders heeft deze afspraak bijgewerkt" in html and typed in html
    assert Commitment.objects.get(pk=evenings.pk).status == CommitmentStatus.IN_PROGRESS
    # Sent again from that page, it is saved.
    fresh = re.search(r'name="read_at" value="([^"]+)"', html).group(1)
    response = client.submit(f"{url}bijwerken/", {"status": "done", "note": typed, "read_at": fresh})
    assert response.status_code == 302
    assert Commitment.objects.get(pk=evenings.pk).status == CommitmentStatus.DONE


def test_the_deciding_party_records_an_outcome_and_a_no_suggests_an_evaluation(client, world, signed):
    go = Commitment.objects.get(agreement=signed, kind=CommitmentKind.DECISION, position=0)  # the college's
    url = f"/afspraken/{signed.reference}/uitvoering/{go.pk}/"
    client.force_login(world.drafter)
    assert "Uitkomst vastleggen" not in client.get(url).content.decode()
    client.force_login(world.reviewer)
    html = client.get(url).content.decode()
    assert f'action="{url}uitkomst/"' in html
    assert 'value="done"' not in html  # a decision moment is done by its outcome
    response = client.submit(f"{url}uitkomst/", {"outcome": "no", "note": "Het college besloot niet door te gaan."})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "plan een gezamenlijke evaluatie" in html
    go.refresh_from_db()
    assert (go.status, go.outcome, go.actual_date) == (CommitmentStatus.DONE, DecisionOutcome.NO, TODAY)


def test_what_waits_shows_on_the_home_page_and_leads_to_the_commitments(client, world, signed):
    Commitment.objects.filter(agreement=signed, title="Bewonersavonden organiseren").update(
        planned_date=TODAY - dt.timedelta(days=5)
    )
    Commitment.objects.filter(agreement=signed, kind=CommitmentKind.DECISION, position=0).update(planned_date=TODAY)
    client.force_login(world.drafter)
    html = " ".join(client.get("/").content.decode().split())
    assert "Werk de stand bij van 1 taak waarvan de datum voorbij is." in html
    assert "Leg de uitkomst vast" not in html  # the college's decision waits on the municipality
    assert f"/afspraken/{signed.reference}/uitvoering/" in links(html)
    client.force_login(world.reviewer)
    html = " ".join(client.get("/").content.decode().split())
    assert "Leg de uitkomst vast van 1 besluitmoment." in html


def test_the_pages_in_english(client, world, signed):
    world.drafter.preferred_language = "en"
    world.drafter.save(update_fields=["preferred_language"])
    client.force_login(world.drafter)
    evenings = commitment(signed, "Bewonersavonden organiseren")
    html = client.get(f"/afspraken/{signed.reference}/uitvoering/{evenings.pk}/").content.decode()
    assert 'lang="en"' in html and "Stand bijwerken" not in html
