"""After signing, in Chromium, starting at ``/``: the parties keep their commitments, record a decision, evaluate
together and follow the escalation ladder; the advisor reads the overview.

In Dutch and in English with JavaScript (axe, 0 serious or critical, and a screenshot of every new page); the
joint evaluation with both parties once more without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agreements.choices import CommitmentKind, CommitmentStatus
from agreements.models import Agreement, Commitment, Escalation, Evaluation, User
from agreements.sections import SECTION_ORDER
from tests.browser.conftest import ROOT, open_agreement
from tests.browser.test_journey import new_page
from tests.documents.helpers import agreeing_a_ladder, signed_agreement
from tests.factories import PASSWORD, build_world
from workflow.lifecycle.services.advisors import advisor_grant

pytestmark = pytest.mark.browser

REPORTS = ROOT / "test-artifacts" / "axe"


def signed_with_a_ladder(world) -> Agreement:
    agreement = signed_agreement(world, prepare=agreeing_a_ladder(world))
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    # A task whose planned date has passed: it waits on the initiative's home page.
    Commitment.objects.filter(agreement=agreement, title="Bewonersavonden organiseren").update(
        planned_date=timezone.localdate() - dt.timedelta(days=4)
    )
    return agreement


def answer_every_section(page, *, score: str, should_change: tuple[str, str] | None = None) -> None:
    for key in SECTION_ORDER:
        page.locator(f"input[name='{key}-score'][value='{score}']").check()
    page.locator("textarea[name='aim-works']").fill("Het projectteam komt elke maand bij elkaar.")
    if should_change:
        key, text = should_change
        page.locator(f"textarea[name='{key}-should_change']").fill(text)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_after_signing_from_the_home_page(language, browser, live_server, login, axe, screenshot, transactional_db):
    world = build_world()
    agreement = signed_with_a_ladder(world)
    User.objects.update(preferred_language=language)
    reference = agreement.reference
    results: dict[str, list[dict]] = {}

    def check(page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language, f"{name}: wrong language"
        screenshot(page, f"after-signing-{name}-{language}")
        results[name] = axe(page)

    def signed_in(person):
        page = new_page(browser, live_server, javascript=True)  # axe runs as a script in the page
        return login(page, person.email, PASSWORD)

    # --- 1. The drafter finds the overdue task in "Wacht op u" and updates it.
    drafter = signed_in(world.drafter)
    check(drafter, "home-waiting")
    drafter.locator(f"main a[href='/afspraken/{reference}/uitvoering/']").first.click()
    check(drafter, "commitments")
    evenings = Commitment.objects.get(agreement=agreement, title="Bewonersavonden organiseren")
    drafter.locator(f"main a[href='/afspraken/{reference}/uitvoering/{evenings.pk}/']").click()
    check(drafter, "commitment")
    drafter.locator("input[name=status][value=done]").check()
    drafter.locator("#id_note").fill("Twee avonden in het buurthuis, 80 bewoners.")
    drafter.locator("#id_evidence_url").fill("https://example.org/verslag")
    drafter.locator("form[action$='bijwerken/'] button[type=submit]").click()
    expect(drafter.locator(".commitment-history")).to_contain_text("Twee avonden in het buurthuis, 80 bewoners.")
    assert Commitment.objects.get(pk=evenings.pk).status == CommitmentStatus.DONE
    check(drafter, "commitment-updated")

    # --- 2. The municipality's reviewer records the college's decision: no; the page suggests an evaluation.
    reviewer = signed_in(world.reviewer)
    open_agreement(reviewer, agreement.title)
    check(reviewer, "agreement-signed")
    reviewer.locator(f"a[href='/afspraken/{reference}/uitvoering/']").click()
    go = Commitment.objects.get(agreement=agreement, kind=CommitmentKind.DECISION, position=0)
    reviewer.locator(f"main a[href='/afspraken/{reference}/uitvoering/{go.pk}/']").click()
    reviewer.locator("input[name=outcome][value=no]").check()
    reviewer.locator("form[action$='uitkomst/'] #id_note").fill("Het college kiest eerst voor isolatie.")
    reviewer.locator("form[action$='uitkomst/'] button[type=submit]").click()
    suggestion = reviewer.locator(f"main a[href='/afspraken/{reference}/evaluaties/?aanleiding=decision']")
    expect(suggestion).to_be_visible()
    check(reviewer, "decision-recorded")

    # --- 3. From there the reviewer starts a joint evaluation and sends the municipality's answers.
    suggestion.click()
    expect(reviewer.locator("input[name=reason][value=decision]")).to_be_checked()
    check(reviewer, "evaluations")
    reviewer.locator("main form button[type=submit]").click()
    evaluation = Evaluation.objects.get(agreement=agreement)
    check(reviewer, "evaluation-form")
    answer_every_section(
        reviewer, score="3", should_change=("resources", "De ambtelijke uren per kwartaal vastleggen.")
    )
    reviewer.locator("button[name=versturen]").click()
    expect(reviewer.locator("main")).not_to_contain_text("Naast elkaar" if language == "nl" else "Side by side")
    check(reviewer, "evaluation-sent")

    # --- 4. The drafter is asked on the home page, answers, and both are shown side by side.
    drafter.locator("nav.main-nav a[href='/']").click()
    drafter.locator(f"main a[href='/afspraken/{reference}/evaluaties/']").first.click()
    drafter.locator(f"main a[href='/afspraken/{reference}/evaluaties/{evaluation.pk}/']").first.click()
    answer_every_section(drafter, score="4", should_change=("communication", "Samen één nieuwsbrief per kwartaal."))
    drafter.locator("button[name=versturen]").click()
    expect(drafter.locator("main")).to_contain_text("De ambtelijke uren per kwartaal vastleggen.")
    expect(drafter.locator("main")).to_contain_text("Samen één nieuwsbrief per kwartaal.")
    check(drafter, "evaluation-side-by-side")
    assert Evaluation.objects.get(pk=evaluation.pk).completed_at is not None

    # --- 5. The drafter raises an escalation; the reviewer ends its first step unsolved: on to the steering group.
    open_agreement(drafter, agreement.title)
    drafter.locator(f"a[href='/afspraken/{reference}/escalaties/']").click()
    check(drafter, "escalations")
    drafter.locator("#id_subject").fill("Wie betaalt het meerwerk van de studie?")
    drafter.locator("#id_informed").fill("De projectleiders, per e-mail.")
    drafter.locator("main form button[type=submit]").click()
    escalation = Escalation.objects.get(agreement=agreement)
    check(drafter, "escalation")
    reviewer.goto(f"/afspraken/{reference}/")  # the reviewer's agreement page, as a reload would show it
    reviewer.locator(f"a[href='/afspraken/{reference}/escalaties/']").click()
    reviewer.locator(f"main a[href='/afspraken/{reference}/escalaties/{escalation.pk}/']").click()
    reviewer.locator("input[name=result][value=niet_opgelost]").check()
    reviewer.locator("#id_outcome").fill("Geen akkoord in het projectteam.")
    reviewer.locator("main form button[type=submit]").click()
    expect(reviewer.locator("li[aria-current=step]")).to_contain_text("Stuurgroep")
    check(reviewer, "escalation-stepped-up")
    assert Escalation.objects.get(pk=escalation.pk).step == 1

    # --- 6. The advisor reads the overview after signing.
    advisor = signed_in(world.advisor)
    advisor.locator("nav.main-nav a[href='/voortgang/']").click()
    section = advisor.locator("section[aria-labelledby=na-ondertekening]")
    expect(section).to_contain_text("Wie betaalt het meerwerk van de studie?")
    section.scroll_into_view_if_needed()
    check(advisor, "overview")

    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"after-signing-{language}.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    failing = {name: violations for name, violations in results.items() if violations}
    assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)


def test_the_joint_evaluation_without_javascript(browser, live_server, login, screenshot, transactional_db):
    world = build_world()
    agreement = signed_with_a_ladder(world)
    reference = agreement.reference

    reviewer = login(new_page(browser, live_server, javascript=False), world.reviewer.email, PASSWORD)
    open_agreement(reviewer, agreement.title)
    reviewer.locator(f"a[href='/afspraken/{reference}/evaluaties/']").click()
    reviewer.locator("input[name=reason][value=phase_change]").check()
    reviewer.locator("main form button[type=submit]").click()
    evaluation = Evaluation.objects.get(agreement=agreement)
    # Saved as a draft first, without scores; sending without them is refused and keeps what was typed.
    reviewer.locator("textarea[name='resources-does_not_work']").fill("De uren zijn op.")
    reviewer.locator("button[name=versturen]").click()
    expect(reviewer.locator(".field__error").first).to_be_visible()
    expect(reviewer.locator("textarea[name='resources-does_not_work']")).to_have_value("De uren zijn op.")
    reviewer.locator("button[name=bewaren]").click()
    expect(reviewer.locator("textarea[name='resources-does_not_work']")).to_have_value("De uren zijn op.")
    answer_every_section(reviewer, score="2")
    reviewer.locator("button[name=versturen]").click()
    screenshot(reviewer, "after-signing-evaluation-sent-no-js")

    drafter = login(new_page(browser, live_server, javascript=False), world.drafter.email, PASSWORD)
    drafter.locator(f"main a[href='/afspraken/{reference}/evaluaties/']").first.click()
    drafter.locator(f"main a[href='/afspraken/{reference}/evaluaties/{evaluation.pk}/']").first.click()
    expect(drafter.locator("main")).not_to_contain_text("De uren zijn op.")  # not before it sends its own
    answer_every_section(drafter, score="5")
    drafter.locator("button[name=versturen]").click()
    expect(drafter.locator("main")).to_contain_text("De uren zijn op.")
    expect(drafter.locator("main table").first).to_contain_text("2 / 5")
    expect(drafter.locator("main table").first).to_contain_text("5 / 5")
    screenshot(drafter, "after-signing-evaluation-side-by-side-no-js")
    assert Evaluation.objects.get(pk=evaluation.pk).completed_at is not None
