"""The draft editor without JavaScript: save, add and remove rows, a stale save, submit, limits and escaping."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import Agreement
from tests.web.agreement_support import agreement_in, editor_data, text_of, url

pytestmark = pytest.mark.django_db


def test_create_from_the_model_template(client, world):
    client.force_login(world.drafter)
    page = text_of(client.get("/afspraken/nieuw/"))
    assert "Doel en ambitie" in page and "Looptijd en beëindiging" in page  # the model's sections, with guidance
    response = client.submit(
        "/afspraken/nieuw/",
        {
            "initiative": world.initiative.pk,
            "municipality": world.municipality.pk,
            "title": "Warmtenet Oost",
            "form": "letter_of_intent",
            "phase": "development",
            "language": "nl",
            "neighbourhoods-TOTAL_FORMS": "2",
            "neighbourhoods-INITIAL_FORMS": "0",
            "neighbourhoods-0-name": "Oost",
            "neighbourhoods-0-cbs_code": "wk019301",
            "neighbourhoods-1-name": "",
            "neighbourhoods-1-cbs_code": "",
        },
    )
    agreement = Agreement.objects.get(title="Warmtenet Oost")
    assert response["Location"] == url("edit", agreement)
    assert agreement.phase == "development" and agreement.municipality == world.municipality
    assert [(n.name, n.cbs_code) for n in agreement.neighbourhoods.all()] == [("Oost", "WK019301")]
    editor = text_of(client.get(url("edit", agreement)))
    # Every section with its guidance beside it.
    assert "Schrijf op wat u samen wilt bereiken" in editor
    assert 'id="id_aim_helptext"' in editor


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Geef de afspraak een titel."),
        ("title", "x" * 201, "hoogstens 200 tekens"),
        ("municipality", "", "Kies de gemeente."),
        ("neighbourhoods-0-cbs_code", "12345", "Een CBS-code van een wijk ziet eruit als WK019301"),
        ("title", "Warmte\nBcc: iemand@example.org", "één regel"),
        ("neighbourhoods-0-name", "Oost\r\nWest", "één regel"),
    ],
)
def test_create_validates_next_to_the_field(client, world, field, value, message):
    client.force_login(world.drafter)
    data = {
        "initiative": world.initiative.pk,
        "municipality": world.municipality.pk,
        "title": "Titel",
        "form": "letter_of_intent",
        "phase": "orientation",
        "language": "nl",
        "neighbourhoods-TOTAL_FORMS": "1",
        "neighbourhoods-INITIAL_FORMS": "0",
        "neighbourhoods-0-name": "Oost",
        "neighbourhoods-0-cbs_code": "",
        field: value,
    }
    response = client.submit("/afspraken/nieuw/", data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Agreement.objects.exists()


def test_create_cannot_pick_someone_elses_initiative(client, world):
    client.force_login(world.drafter)
    response = client.submit(
        "/afspraken/nieuw/",
        {
            "initiative": world.other_initiative.pk,
            "municipality": world.municipality.pk,
            "title": "Kaping",
            "form": "letter_of_intent",
            "phase": "orientation",
            "language": "nl",
            "neighbourhoods-TOTAL_FORMS": "0",
            "neighbourhoods-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert not Agreement.objects.exists()


def test_save_shows_the_saved_state(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    response = client.submit(url("edit", agreement), editor_data(agreement, aim="Een aardgasvrije wijk in 2032."))
    assert response.status_code == 302
    assert agreement.current_version().sections.get(key="aim").body == "Een aardgasvrije wijk in 2032."
    page = text_of(client.get(response["Location"]))
    assert "Uw wijzigingen zijn opgeslagen." in page
    assert "Opgeslagen: versie 1, laatst door Dirk Opsteller" in page


def test_add_a_row_without_javascript_keeps_what_was_typed(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(agreement, aim="Nog niet opgeslagen tekst", add_row="responsibilities")
    data.pop("save")
    response = client.submit(url("edit", agreement), data)
    assert response.status_code == 200
    html = text_of(response)
    assert "Nog niet opgeslagen tekst" in html
    assert 'name="responsibilities-2-task"' in html  # a third, empty row
    assert "nog niet opgeslagen" in html
    # Nothing was saved.
    assert agreement.current_version().sections.get(key="aim").body != "Nog niet opgeslagen tekst"


def test_rows_are_added_changed_and_removed_on_save(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(agreement)
    data.update(
        {
            "responsibilities-TOTAL_FORMS": "3",
            "responsibilities-0-DELETE": "on",
            "responsibilities-1-task": "Participatieplan vaststellen in de raad",
            "responsibilities-2-task": "Haalbaarheidsstudie",
            "responsibilities-2-phase": "development",
            "responsibilities-2-initiative_role": "R",
            "responsibilities-2-municipality_role": "C",
            "responsibilities-2-third_party_name": "",
            "responsibilities-2-third_party_role": "",
        }
    )
    assert client.submit(url("edit", agreement), data).status_code == 302
    rows = [(r.task, r.phase, r.initiative_role) for r in agreement.current_version().responsibilities.all()]
    assert rows == [
        ("Participatieplan vaststellen in de raad", "orientation", "C"),
        ("Haalbaarheidsstudie", "development", "R"),
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"responsibilities-0-task": ""}, "Beschrijf de taak."),
        ({"responsibilities-0-phase": ""}, "Kies in welke fase deze taak valt."),
        ({"responsibilities-0-task": "x" * 301}, "hoogstens 300 tekens"),
        ({"responsibilities-1-third_party_name": ""}, "Noem de andere partij, of haal haar rol weg."),
        ({"decisions-0-deciding_body": ""}, "Kies wie dit besluit neemt."),
        ({"decisions-0-planned_date": "31-02-2027"}, "Vul een geldige datum in"),
        ({"aim": "x" * 20001}, "hoogstens 20000 tekens"),
        ({"title": " "}, "Geef de afspraak een titel."),
    ],
)
def test_editor_validates_next_to_the_field_and_saves_nothing(client, world, overrides, message):
    agreement = agreement_in(world, S.DRAFT)
    before = agreement.current_version().revision
    client.force_login(world.drafter)
    response = client.submit(url("edit", agreement), editor_data(agreement, **overrides))
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert "Er is nog niets opgeslagen." in html
    assert agreement.current_version().revision == before


def test_stale_save_shows_both_versions_and_overwrites_nothing(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    loaded = editor_data(agreement)  # both people opened the editor at this revision

    # Someone else saves first.
    second = world.initiative_admin
    from agreements.choices import MembershipRole
    from agreements.models import Membership

    Membership.objects.create(user=second, organisation=world.initiative, role=MembershipRole.DRAFTER)
    other = type(client)()
    other.force_login(second)
    assert other.submit(url("edit", agreement), {**loaded, "aim": "Tekst van de ander"}).status_code == 302

    response = client.submit(url("edit", agreement), {**loaded, "aim": "Mijn eigen tekst"})
    assert response.status_code == 409
    html = text_of(response)
    assert "Iemand anders heeft dit concept intussen opgeslagen" in html
    assert "Mijn eigen tekst" in html and "Tekst van de ander" in html
    assert 'data-compare="aim"' in html
    assert "Mijn versie opslaan" in html and "De opgeslagen versie nemen" in html
    version = agreement.current_version()
    assert version.sections.get(key="aim").body == "Tekst van de ander"
    # The form came back with the current revision: keeping "mine" is one deliberate save.
    assert f'name="revision" value="{version.revision}"' in html

    keep_mine = {**loaded, "aim": "Mijn eigen tekst", "revision": str(version.revision), "save": "keep_mine"}
    assert client.submit(url("edit", agreement), keep_mine).status_code == 302
    assert agreement.current_version().sections.get(key="aim").body == "Mijn eigen tekst"
    assert agreement.audit_events.filter(action=AuditAction.DRAFT_UPDATED).count() == 2


def test_save_and_submit(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    response = client.submit(url("edit", agreement), editor_data(agreement, save_submit="1"))
    assert response["Location"] == url("detail", agreement)
    agreement.refresh_from_db()
    assert agreement.state == S.IN_REVIEW


def test_save_and_submit_incomplete_saves_and_lists_what_is_missing(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    response = client.submit(url("edit", agreement), editor_data(agreement, save_submit="1", escalation=""))
    assert response.status_code == 409
    html = text_of(response)
    assert "Uw wijzigingen zijn opgeslagen, maar indienen kan nog niet." in html
    assert "Het onderdeel &#x27;Escalatie&#x27; is nog leeg." in html
    agreement.refresh_from_db()
    assert agreement.state == S.DRAFT
    assert agreement.current_version().sections.get(key="escalation").body == ""


def test_first_edit_after_changes_requested_starts_a_new_version(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    client.submit(url("request_changes", agreement), {"note": "Budget uitwerken"})
    client.force_login(world.drafter)
    assert (
        client.submit(url("edit", agreement), editor_data(agreement, resources="€ 40.000 per jaar")).status_code == 302
    )
    assert agreement.current_version().number == 2
    diff = text_of(client.get(url("versions", agreement)))
    assert "Van versie 1 naar versie 2: 1 wijziging." in diff
    assert "1 onderdeel gewijzigd:" in diff
    assert "€ 40.000 per jaar" in diff


def test_user_text_is_escaped_everywhere(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    evil = '<img src=x onerror="alert(1)">'
    data = editor_data(agreement, title=evil, aim=evil, **{"responsibilities-0-task": evil})
    assert client.submit(url("edit", agreement), data).status_code == 302
    for page in ("detail", "edit"):
        html = text_of(client.get(url(page, agreement)))
        assert evil not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_editor_is_not_for_a_draft_that_moved_on(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(agreement)
    client.submit(url("submit", agreement))
    response = client.submit(url("edit", agreement), data)
    assert response.status_code == 409
    assert "in beoordeling" in text_of(response)


def test_the_editor_shows_the_neighbourhoods_there_are(client, world):
    """Created with two neighbourhoods, the editor shows those two rows and no third, empty one."""
    import re

    client.force_login(world.drafter)
    client.submit(
        "/afspraken/nieuw/",
        {
            "initiative": world.initiative.pk,
            "municipality": world.municipality.pk,
            "title": "Twee buurten",
            "form": "letter_of_intent",
            "phase": "development",
            "language": "nl",
            "neighbourhoods-TOTAL_FORMS": "3",
            "neighbourhoods-INITIAL_FORMS": "0",
            "neighbourhoods-0-name": "Oost",
            "neighbourhoods-0-cbs_code": "",
            "neighbourhoods-1-name": "Berkum",
            "neighbourhoods-1-cbs_code": "",
            "neighbourhoods-2-name": "",
            "neighbourhoods-2-cbs_code": "",
        },
    )
    agreement = Agreement.objects.get(title="Twee buurten")
    assert agreement.neighbourhoods.count() == 2
    editor = text_of(client.get(url("edit", agreement)))
    inputs = re.findall(r'<input[^>]*name="neighbourhoods-\d+-name"[^>]*>', editor)
    assert [re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs] == ["Oost", "Berkum"]
    assert 'name="neighbourhoods-TOTAL_FORMS" value="2"' in editor
    # Without any neighbourhood there is one empty row to fill in.
    empty = agreement_in(world, S.DRAFT)
    empty.neighbourhoods.all().delete()
    editor = text_of(client.get(url("edit", empty)))
    assert len(re.findall(r'name="neighbourhoods-\d+-name"', editor)) == 1
