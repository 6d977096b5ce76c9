"""The pages of model agreements: choosing one when an agreement starts, and a municipality's own."""

from __future__ import annotations

import re

import pytest

from agreements.choices import AgreementForm, MembershipRole
from agreements.models import Agreement, ModelAgreement
from tests.factories import member
from workflow.lifecycle.selectors.model_agreements import shipped_model_for

pytestmark = pytest.mark.django_db


def create_data(world, start: str, **overrides) -> dict:
    data = {
        "initiative": str(world.initiative.pk),
        "municipality": str(world.municipality.pk),
        "start": start,
        "title": "Warmte in Holtenbroek",
        "form": AgreementForm.GROUND_RULES,
        "phase": "orientation",
        "language": "nl",
        "neighbourhoods-TOTAL_FORMS": "1",
        "neighbourhoods-INITIAL_FORMS": "0",
        "neighbourhoods-0-name": "Holtenbroek",
        "neighbourhoods-0-cbs_code": "",
    }
    data.update(overrides)
    return data


def test_the_create_page_offers_every_model_and_suggests_the_cooperation_agreement(client, world):
    client.force_login(world.drafter)
    html = client.get("/afspraken/nieuw/").content.decode()
    for form in AgreementForm.values:
        model = shipped_model_for(form=form)
        assert f'value="{model.slug}"' in html and model.name in html
    suggested = shipped_model_for(form=AgreementForm.COOPERATION_AGREEMENT)
    checked = [tag for tag in re.findall(r"<input[^>]*>", html) if 'name="start"' in tag and "checked" in tag]
    assert len(checked) == 1 and f'value="{suggested.slug}"' in checked[0]
    assert "Leeg beginnen" in html


def test_starting_from_a_model_on_the_page_fills_the_draft_and_takes_the_models_form(client, world):
    model = shipped_model_for(form=AgreementForm.PROJECT_AGREEMENT)
    client.force_login(world.drafter)
    response = client.submit("/afspraken/nieuw/", create_data(world, model.slug))
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Warmte in Holtenbroek")
    assert agreement.form == AgreementForm.PROJECT_AGREEMENT  # not the form field's ground rules
    assert agreement.current_version().started_from == model
    editor = client.get(response["Location"]).content.decode()
    assert "[[" in editor


def test_another_municipalitys_model_is_refused_with_the_reason(client, world):
    admin = member(world.other_municipality, MembershipRole.ADMIN)
    client.force_login(admin)
    client.submit(
        f"/organisaties/{world.other_municipality.pk}/modellen/nieuw/",
        {
            "name": "Het model van Anders",
            "form": AgreementForm.GROUND_RULES,
            "language": "nl",
            "description": "",
            **{f"section_{key}": text for key, text in shipped_model_for(form="ground_rules").sections.items()},
        },
    )
    theirs = ModelAgreement.objects.get(name="Het model van Anders")
    client.force_login(world.drafter)
    response = client.submit("/afspraken/nieuw/", create_data(world, theirs.slug))
    assert response.status_code == 400
    html = response.content.decode()
    assert "is een model van Gemeente Anders" in html and 'value="Warmte in Holtenbroek"' in html
    assert not Agreement.objects.filter(title="Warmte in Holtenbroek").exists()


def test_the_municipalitys_admin_reaches_its_models_from_the_menu_and_publishes_one(client, world):
    admin = member(world.municipality, MembershipRole.ADMIN)
    client.force_login(admin)
    home = client.get("/").content.decode()
    models_url = f"/organisaties/{world.municipality.pk}/modellen/"
    assert f'href="{models_url}"' in home
    page = client.get(models_url).content.decode()
    assert "?vorm=cooperation_agreement" in page
    form_page = client.get(f"{models_url}nieuw/?vorm=cooperation_agreement")
    assert form_page.status_code == 200
    base = shipped_model_for(form=AgreementForm.COOPERATION_AGREEMENT)
    sections = {f"section_{key}": text for key, text in base.sections.items()}
    sections["section_aim"] = "Het Zwolse doel voor [[naam van de wijk]]."
    response = client.submit(
        f"{models_url}nieuw/",
        {"name": "Het Zwolse model", "form": "cooperation_agreement", "language": "nl", "description": "", **sections},
    )
    assert response.status_code == 302 and response["Location"] == models_url
    model = ModelAgreement.objects.get(name="Het Zwolse model")
    assert model.sections["aim"] == "Het Zwolse doel voor [[naam van de wijk]]."
    assert model.responsibilities == base.responsibilities  # the example rows come with the base
    # The initiative now starts with the municipality's own model.
    client.force_login(world.drafter)
    create_page = client.get("/afspraken/nieuw/").content.decode()
    assert "Het Zwolse model" in create_page


def test_a_model_without_a_name_is_explained(client, world):
    admin = member(world.municipality, MembershipRole.ADMIN)
    client.force_login(admin)
    response = client.submit(
        f"/organisaties/{world.municipality.pk}/modellen/nieuw/",
        {"name": "", "form": "ground_rules", "language": "nl", "section_aim": "Tekst die blijft staan"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Geef het model een naam" in html and "Tekst die blijft staan" in html


@pytest.mark.parametrize("who", ["reviewer", "drafter", "initiative_admin", "outsider"])
def test_the_model_pages_exist_only_for_the_municipalitys_admin(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(f"/organisaties/{world.municipality.pk}/modellen/").status_code == 404
    assert client.get(f"/organisaties/{world.municipality.pk}/modellen/nieuw/").status_code == 404
