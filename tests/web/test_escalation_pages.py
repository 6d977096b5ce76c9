"""The pages of an escalation, reached from the agreement page: raise one (what was typed kept on bad input), end
its first step unsolved, a stale step a conflict, advisors read along."""

from __future__ import annotations

import pytest

from agreements.models import Escalation
from tests.documents.helpers import agreeing_a_ladder, signed_agreement
from workflow.lifecycle.services.advisors import advisor_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world):
    agreement = signed_agreement(world, prepare=agreeing_a_ladder(world))
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return agreement


def test_the_pages_raise_and_walk_an_escalation(client, world, signed):
    client.force_login(world.reviewer)
    page = client.get(f"/afspraken/{signed.reference}/").content.decode()
    list_url = f"/afspraken/{signed.reference}/escalaties/"
    assert f'href="{list_url}"' in page
    html = client.get(list_url).content.decode()
    assert "Een escalatie starten" in html and "Binnen 14 dagen." in html
    response = client.submit(list_url, {"subject": "", "description": "Getypt en bewaard."})
    assert response.status_code == 400 and "Getypt en bewaard." in response.content.decode()
    response = client.submit(list_url, {"subject": "Bijdrage", "informed": "De projectleiders."})
    escalation = Escalation.objects.get(agreement=signed)
    url = f"/afspraken/{signed.reference}/escalaties/{escalation.pk}/"
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert 'aria-current="step"' in html and "De projectleiders." in html
    response = client.submit(url, {"result": "niet_opgelost", "outcome": "Geen akkoord.", "step": "0"})
    assert response.status_code == 302
    client.force_login(world.drafter)
    response = client.submit(url, {"result": "opgelost", "outcome": "Te laat.", "step": "0"})
    assert response.status_code == 409 and "Te laat." in response.content.decode()
    client.force_login(world.advisor)
    html = client.get(url).content.decode()
    assert "Geen akkoord." in html and 'name="outcome"' not in html
