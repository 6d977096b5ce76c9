"""Model agreements: the shipped ones, a municipality's own, starting from one, and the deviation from it."""

from __future__ import annotations

import json
import shutil

import pytest

from agreements.choices import AgreementForm, AgreementState, Language, MembershipRole
from agreements.models import Agreement, AuditEvent, ModelAgreement
from agreements.placeholders import PLACEHOLDER, placeholders_in
from agreements.sections import SECTION_ORDER
from tests.factories import member
from workflow.core.exceptions import Conflict, ContentIncomplete, InvalidInput, NotPermitted
from workflow.lifecycle.model_deviation import difference_from_model, follows_model_text, model_deviation
from workflow.lifecycle.selectors.model_agreements import model_to_start_from, offered_models, shipped_model_for
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.model_agreements import (
    SHIPPED_DIR,
    model_agreement_publish,
    model_agreement_retire,
    read_shipped_models,
    shipped_models_load,
)
from workflow.lifecycle.services.review import agreement_approve, agreement_submit

pytestmark = pytest.mark.django_db

FORMS = list(AgreementForm.values)


def start(world, model, *, municipality=None) -> Agreement:
    return agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=municipality or world.municipality,
        title="Warmte in Holtenbroek",
        form=model.form,
        phase="orientation",
        language=model.language,
        model=model,
    )


def revision_of(agreement: Agreement) -> int:
    return agreement.current_version().revision


def filled(text: str) -> str:
    return PLACEHOLDER.sub("Holtenbroek", text)


def fill_placeholders(world, agreement: Agreement) -> None:
    version = agreement.current_version()
    bodies = {s.key: filled(s.body) for s in version.sections.all()}
    agreement_update_draft(
        agreement=agreement, actor=world.drafter, based_on_revision=revision_of(agreement), sections=bodies
    )


# --- the shipped models ----------------------------------------------------------------------------


def test_one_shipped_model_per_form_in_dutch_and_english():
    shipped = read_shipped_models()
    assert sorted((form, language) for _slug, form, language, _text in shipped) == sorted(
        (form, language) for form in FORMS for language in Language.values
    )
    for _slug, _form, _language, text in shipped:
        assert all(text.sections[key].strip() for key in SECTION_ORDER)
        assert placeholders_in(" ".join(text.sections.values())), "a model leaves the facts to fill in"
        assert text.responsibilities and text.decision_moments


def test_migrate_offers_them_and_loading_again_changes_nothing():
    assert ModelAgreement.objects.filter(owner__isnull=True, retired_at__isnull=True).count() == 2 * len(FORMS)
    assert shipped_models_load() == 0
    assert [m.form for m in offered_models(language="nl")] == FORMS  # light to heavy


def test_a_changed_shipped_text_becomes_the_next_revision(tmp_path):
    for path in SHIPPED_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    changed = tmp_path / "ground_rules.json"
    data = json.loads(changed.read_text(encoding="utf-8"))
    data["nl"]["sections"]["aim"] += "\n\nEen zin erbij."
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    old = shipped_model_for(form=AgreementForm.GROUND_RULES)
    assert shipped_models_load(tmp_path) == 1
    new = shipped_model_for(form=AgreementForm.GROUND_RULES)
    old.refresh_from_db()
    assert old.retired_at is not None and new.revision == old.revision + 1
    assert new.sections["aim"].endswith("Een zin erbij.")


@pytest.mark.parametrize("language", Language.values)
@pytest.mark.parametrize("form", FORMS)
def test_starting_from_each_model_passes_submission_once_the_placeholders_are_filled(world, form, language):
    model = shipped_model_for(form=form, language=language)
    agreement = start(world, model)
    version = agreement.current_version()
    assert version.started_from == model
    assert {s.key: s.body for s in version.sections.all()} == model.sections
    assert version.responsibilities.count() == len(model.responsibilities)
    assert version.decision_moments.count() == len(model.decision_moments)
    assert AuditEvent.objects.get(agreement=agreement).note == f"Begonnen met {model.name}"

    with pytest.raises(ContentIncomplete) as refused:
        agreement_submit(agreement=agreement, actor=world.drafter)
    assert any("nog in te vullen" in reason and "[[" in reason for reason in refused.value.missing)

    fill_placeholders(world, agreement)
    submitted = agreement_submit(agreement=Agreement.objects.get(pk=agreement.pk), actor=world.drafter)
    assert submitted.state == AgreementState.IN_REVIEW


# --- deviation from the model ------------------------------------------------------------------------


def test_the_deviation_marks_exactly_the_changed_sections(world):
    model = shipped_model_for(form=AgreementForm.COOPERATION_AGREEMENT)
    agreement = start(world, model)
    fill_placeholders(world, agreement)
    version = agreement.current_version()
    bodies = {s.key: s.body for s in version.sections.all()}
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=revision_of(agreement),
        sections={
            "resources": bodies["resources"] + "\n\nDe gemeente betaalt ook de huur van het buurthuis.",
            "escalation": bodies["escalation"].replace("stuurgroep", "regiegroep", 1),
        },
    )
    deviation = model_deviation(agreement.current_version(), model)
    assert [s.key for s in deviation.changed_sections] == ["resources", "escalation"]
    added = "".join(s.text for s in deviation.sections["resources"].segments if s.op == "insert")
    assert "huur van het buurthuis" in added
    assert deviation.responsibilities_changed == 0 and deviation.decision_moments_changed == 0


def test_rows_that_differ_from_the_model_are_counted(world):
    model = shipped_model_for(form=AgreementForm.LETTER_OF_INTENT)
    agreement = start(world, model)
    rows = [r.content_values() for r in agreement.current_version().responsibilities.all()]
    rows[0]["task"] = "Een eigen taak"
    agreement_update_draft(
        agreement=agreement, actor=world.drafter, based_on_revision=revision_of(agreement), responsibilities=rows[:-1]
    )
    deviation = model_deviation(agreement.current_version(), model)
    assert deviation.responsibilities_changed == 2  # one changed, one left out
    assert deviation.changed_sections == []


def test_the_agreement_page_shows_the_deviation_to_the_reviewer(client, world):
    model = shipped_model_for(form=AgreementForm.COOPERATION_AGREEMENT)
    agreement = start(world, model)
    fill_placeholders(world, agreement)
    bodies = {s.key: s.body for s in agreement.current_version().sections.all()}
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=revision_of(agreement),
        sections={"aim": bodies["aim"] + " Extra."},
    )
    agreement_submit(agreement=Agreement.objects.get(pk=agreement.pk), actor=world.drafter)
    client.force_login(world.reviewer)
    html = client.get(f"/afspraken/{agreement.reference}/").content.decode()
    assert f"Begonnen met {model.name}" in html
    assert "1 onderdeel wijkt af van het model:" in html and 'href="#onderdeel-aim"' in html
    assert html.count("Wijkt af van het model") == 1
    assert html.count("Volgt het model.") == len(SECTION_ORDER) - 1
    assert "<ins>" in html and "Extra." in html


def test_an_agreement_started_empty_shows_no_model(client, world):
    agreement = agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=world.municipality,
        title="Leeg",
        form=AgreementForm.GROUND_RULES,
        phase="orientation",
    )
    assert agreement.current_version().started_from is None
    assert all(not s.body for s in agreement.current_version().sections.all())
    client.force_login(world.drafter)
    assert "Begonnen met" not in client.get(f"/afspraken/{agreement.reference}/").content.decode()


@pytest.mark.parametrize(
    ("text", "follows"),
    [
        ("Wij werken in Holtenbroek met 300 woningen.", True),
        ("Wij  werken\nin Holtenbroek met 300 woningen.", True),  # spaces and line breaks do not count
        ("Wij werken in [[naam van de wijk]] met 300 woningen.", True),  # still open
        ("Wij werken in Holtenbroek met woningen.", False),  # a placeholder emptied
        ("Wij werken in Holtenbroek met 300 huizen.", False),
        ("Wij werken graag in Holtenbroek met 300 woningen.", False),
        ("Wij werken in Holtenbroek met 300 woningen. En meer.", False),
    ],
)
def test_following_a_model_text(text, follows):
    model_text = "Wij werken in [[naam van de wijk]] met [[aantal]] woningen."
    assert follows_model_text(model_text, text) is follows


def test_following_a_model_text_stays_linear_on_a_long_mismatch():
    model_text = "a [[x]] b [[y]] c [[z]] d"
    text = "a " + "b " * 20000 + "c " * 20000 + "e"
    assert follows_model_text(model_text, text) is False  # answers at once; a backtracking regex would not


# --- a municipality's own models -------------------------------------------------------------------------


@pytest.fixture
def zwolle_admin(world):
    return member(world.municipality, MembershipRole.ADMIN, email="beheer@zwolle.example")


def publish_own(world, admin, **overrides) -> ModelAgreement:
    base = shipped_model_for(form=AgreementForm.COOPERATION_AGREEMENT)
    sections = dict(base.sections, aim="In [[naam van de wijk]] werken wij samen volgens de Zwolse spelregels.")
    arguments = {
        "actor": admin,
        "municipality": world.municipality,
        "name": "Het Zwolse model",
        "form": AgreementForm.COOPERATION_AGREEMENT,
        "language": Language.DUTCH,
        "sections": sections,
        "base": base,
        **overrides,
    }
    return model_agreement_publish(**arguments)


def test_a_municipality_publishes_its_own_model_for_its_initiatives(world, zwolle_admin):
    model = publish_own(world, zwolle_admin)
    assert model.owner == world.municipality and model.revision == 1
    assert model.slug in [m.slug for m in offered_models(language="nl")]
    agreement = start(world, model)
    assert agreement.current_version().sections.get(key="aim").body.startswith("In [[naam van de wijk]]")
    with pytest.raises(InvalidInput) as refused:
        start(world, model, municipality=world.other_municipality)
    assert "Het Zwolse model" in refused.value.errors["model"][0]


@pytest.mark.parametrize("who", ["reviewer", "drafter", "initiative_admin"])
def test_only_the_municipalitys_admin_publishes(world, who):
    with pytest.raises(NotPermitted):
        publish_own(world, getattr(world, who))


def test_a_new_version_of_a_model_leaves_earlier_agreements_comparing_with_theirs(world, zwolle_admin):
    first = publish_own(world, zwolle_admin)
    agreement = start(world, first)
    second = publish_own(
        world,
        zwolle_admin,
        replaces=first,
        sections=dict(first.sections, aim="Een heel andere doelstelling voor [[naam van de wijk]]."),
    )
    first.refresh_from_db()
    assert first.retired_at is not None and second.revision == 2 and second.slug == first.slug
    assert model_to_start_from(slug=first.slug, language="nl") == second
    version = agreement.current_version()
    assert version.started_from == first
    assert model_deviation(version, version.started_from).changed_sections == []
    with pytest.raises(Conflict):
        publish_own(world, zwolle_admin, replaces=first)  # already replaced
    with pytest.raises(InvalidInput):
        start(world, first)  # no longer offered


def test_a_retired_model_is_no_longer_offered(world, zwolle_admin):
    model = publish_own(world, zwolle_admin)
    model_agreement_retire(actor=zwolle_admin, model=model)
    assert model.slug not in [m.slug for m in offered_models(language="nl")]
    with pytest.raises(Conflict):
        model_agreement_retire(actor=zwolle_admin, model=model)


def test_an_amendment_and_the_next_round_keep_the_model(world):
    model = shipped_model_for(form=AgreementForm.GROUND_RULES)
    agreement = start(world, model)
    fill_placeholders(world, agreement)
    agreement_submit(agreement=Agreement.objects.get(pk=agreement.pk), actor=world.drafter)
    agreement = agreement_approve(agreement=Agreement.objects.get(pk=agreement.pk), actor=world.reviewer)
    agreement.refresh_from_db()
    assert all(v.started_from_id == model.pk for v in agreement.versions.all())
    # Signing is covered elsewhere; an amendment starts from a signed agreement.
    Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.SIGNED)
    amendment = agreement_amend(agreement=Agreement.objects.get(pk=agreement.pk), actor=world.drafter)
    assert amendment.current_version().started_from_id == model.pk


def test_the_difference_shows_filled_placeholders_plainly_and_marks_only_the_rest():
    model_text = "Wij werken in [[naam van de wijk]] met [[aantal]] woningen ([[jaar]])."
    text = "Wij werken in Holtenbroek I met 300 woningen (2027). Ook het buurthuis doet mee."
    segments = difference_from_model(model_text, text)
    assert [(s.op, s.text) for s in segments if s.op != "equal"] == [("insert", "Ook het buurthuis doet mee.")]
    assert "".join(s.text for s in segments if s.op != "delete") == text
    changed = difference_from_model(model_text, "Wij werken in Holtenbroek met 300 huizen (2027).")
    assert [(s.op, s.text.strip()) for s in changed if s.op != "equal"] == [
        ("delete", "woningen"),
        ("insert", "huizen"),
    ]


def test_a_filled_amount_with_a_dot_ends_at_the_models_full_stop():
    segments = difference_from_model("Het budget is [[bedrag]].", "Het budget is € 25.000. En een buurthuis.")
    assert [(s.op, s.text) for s in segments if s.op != "equal"] == [("insert", "En een buurthuis.")]


def test_line_breaks_typed_in_a_browser_are_no_difference():
    model_text = "Eerste alinea over [[naam van de wijk]].\n\nTweede alinea."
    text = "Eerste alinea over Holtenbroek.\r\n\r\nTweede alinea.\r\n\r\nDerde alinea."
    assert [(s.op, s.text.strip()) for s in difference_from_model(model_text, text) if s.op != "equal"] == [
        ("insert", "Derde alinea.")
    ]


def test_the_api_starts_an_agreement_from_a_model(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.drafter)
    model = shipped_model_for(form=AgreementForm.LETTER_OF_INTENT, language="en")
    body = {
        "initiative": world.initiative.pk,
        "municipality": world.municipality.pk,
        "title": "Via de API",
        "form": "ground_rules",
        "phase": "orientation",
        "language": "en",
        "model": model.slug,
    }
    response = api.post("/api/v1/agreements/", body, format="json")
    assert response.status_code == 201, response.json()
    agreement = Agreement.objects.get(reference=response.json()["reference"])
    assert agreement.form == AgreementForm.LETTER_OF_INTENT and agreement.current_version().started_from == model
    refused = api.post("/api/v1/agreements/", {**body, "model": "bestaat-niet"}, format="json")
    assert refused.status_code == 400 and "model" in refused.json()["errors"]


def test_a_placeholder_filled_with_sentences_of_ones_own_is_a_deviation(world):
    model = shipped_model_for(form=AgreementForm.GROUND_RULES)
    agreement = start(world, model)
    bodies = {s.key: filled(s.body) for s in agreement.current_version().sections.all()}
    key = next(k for k in SECTION_ORDER if "[[" in model.sections[k])
    # The first placeholder filled with a name and a whole new promise.
    text = PLACEHOLDER.sub("Holtenbroek. De gemeente betaalt alles", model.sections[key], count=1)
    bodies[key] = PLACEHOLDER.sub("Holtenbroek", text)
    agreement_update_draft(
        agreement=agreement, actor=world.drafter, based_on_revision=revision_of(agreement), sections=bodies
    )
    deviation = model_deviation(agreement.current_version(), model)
    assert [s.key for s in deviation.changed_sections] == [key]
    added = "".join(s.text for s in deviation.sections[key].segments if s.op == "insert")
    assert "De gemeente betaalt alles" in added


def test_a_missing_full_stop_is_marked():
    segments = difference_from_model("De buurt [[wijk]].", "De buurt Holtenbroek")
    assert [(s.op, s.text) for s in segments if s.op != "equal"] == [("delete", ".")]
