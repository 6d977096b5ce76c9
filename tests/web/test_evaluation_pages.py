"""The pages of a joint evaluation, reached from the agreement page: start, a party's form (kept on bad input),
side by side once both sent, and an amendment from the outcome."""

from __future__ import annotations

import re

import pytest

from agreements.models import Agreement, Evaluation
from agreements.sections import SECTION_ORDER
from tests.documents.helpers import signed_agreement
from workflow.lifecycle.services.advisors import advisor_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world):
    agreement = signed_agreement(world)
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return agreement


def form_data(score: str = "4", **texts) -> dict:
    data = {f"{key}-score": score for key in SECTION_ORDER}
    data.update({f"{key}-works": "Het overleg loopt." for key in SECTION_ORDER})
    data.update(texts)
    return data


def test_a_party_starts_an_evaluation_from_the_agreement_page_and_both_answer(client, world, signed):
    client.force_login(world.drafter)
    page = client.get(f"/afspraken/{signed.reference}/").content.decode()
    list_url = f"/afspraken/{signed.reference}/evaluaties/"
    assert f'href="{list_url}"' in page
    html = client.get(list_url).content.decode()
    assert "Nu een evaluatie starten" in html
    response = client.submit(list_url, {"reason": "phase_change", "note": "We gaan naar de ontwikkelfase."})
    evaluation = Evaluation.objects.get(agreement=signed)
    url = f"/afspraken/{signed.reference}/evaluaties/{evaluation.pk}/"
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert html.count('class="evaluation-section"') == len(SECTION_ORDER)

    # Sending without every score: refused, and what was typed stays.
    typed = "Vaker samen naar buiten treden."
    response = client.submit(url, {"communication-should_change": typed, "versturen": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert typed in html and "een cijfer van 1 tot 5" in html
    # Saved as a draft, then sent.
    assert client.submit(url, {"communication-should_change": typed, "bewaren": "1"}).status_code == 302
    assert typed in client.get(url).content.decode()
    response = client.submit(url, {**form_data(), "communication-should_change": typed, "versturen": "1"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Uw antwoorden zijn verstuurd." in html and 'name="versturen"' not in html

    # The municipality has not seen the initiative's answers yet; the home page asks it to answer.
    client.force_login(world.reviewer)
    assert "Beantwoord de vragen van de gezamenlijke evaluatie" in client.get("/").content.decode()
    html = client.get(url).content.decode()
    assert typed not in html and "De andere partij heeft haar antwoorden verstuurd." in html
    response = client.submit(url, {**form_data("3"), "resources-does_not_work": "De uren zijn op.", "versturen": "1"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Naast elkaar" in html and typed in html and "De uren zijn op." in html

    # An advisor reads the outcome, answers nothing.
    client.force_login(world.advisor)
    html = client.get(url).content.decode()
    assert typed in html and 'name="versturen"' not in html


def test_an_amendment_starts_from_a_completed_evaluation(client, world, signed):
    from tests.workflow.test_evaluations import answers
    from workflow.after_signing.services.evaluations import evaluation_answer, evaluation_start

    evaluation = evaluation_start(agreement=signed, actor=world.reviewer, reason="request")
    evaluation_answer(
        evaluation=evaluation,
        actor=world.drafter,
        answers=answers(communication={"should_change": "Vaker samen naar buiten."}),
        send=True,
    )
    evaluation_answer(evaluation=evaluation, actor=world.reviewer, answers=answers(), send=True)
    url = f"/afspraken/{signed.reference}/evaluaties/{evaluation.pk}/"
    client.force_login(world.reviewer)
    assert "Wijziging starten vanuit deze evaluatie" not in client.get(url).content.decode()  # the initiative amends
    client.force_login(world.drafter)
    html = client.get(url).content.decode()
    assert "Wijziging starten vanuit deze evaluatie" in html
    action = re.search(r'<form method="post" action="([^"]+)" class="card">', html).group(1)
    response = client.submit(action, {"evaluation": str(evaluation.pk)})
    amendment = Agreement.objects.get(supersedes=signed)
    assert response.status_code == 302 and amendment.reference in response["Location"]
    body = amendment.current_version().sections.get(key="communication").body
    assert "Vaker samen naar buiten." in body and "[[Verwerk de evaluatie van" in body
    assert (
        f"Op basis van deze evaluatie is wijziging {amendment.reference} gestart." in client.get(url).content.decode()
    )
