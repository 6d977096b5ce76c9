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
            "start": "leeg",
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
        "start": "leeg",
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
            "start": "leeg",
            "neighbourhoods-TOTAL_FORMS": "0",
            "neighbourhoods-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert not Agreement.objects.exists()


def test_save_shows_the_saved_state(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    response = client.submit(
        url("edit", agreement), editor_data(agreement, "aim", aim="Een aardgasvrije wijk in 2032.")
    )
    assert response.status_code == 302
    # Back at the part that was saved.
    assert response["Location"] == url("edit", agreement) + "?opgeslagen=aim#onderdeel-aim"
    assert agreement.current_version().sections.get(key="aim").body == "Een aardgasvrije wijk in 2032."
    page = text_of(client.get(response["Location"]))
    assert "Uw wijzigingen in ‘Doel en ambitie’ zijn opgeslagen." in page
    assert "Opgeslagen: versie 1, laatst door Dirk Opsteller" in page


def test_a_part_saves_only_itself(client, world):
    agreement = agreement_in(world, S.DRAFT)
    before = {s.key: s.body for s in agreement.current_version().sections.all()}
    client.force_login(world.drafter)
    # The other parts' fields in the post (as if someone typed there too) are not this form's: ignored.
    data = editor_data(agreement, "process", process="Elke maand overleg.", aim="Niet van dit formulier")
    assert client.submit(url("edit", agreement), data).status_code == 302
    after = {s.key: s.body for s in agreement.current_version().sections.all()}
    assert after == {**before, "process": "Elke maand overleg."}
    version = agreement.current_version()
    assert version.part_revisions == {"process": version.revision}


def test_the_table_of_contents_shows_each_part_and_its_status(client, world):
    from agreements.models import Comment

    agreement = agreement_in(world, S.DRAFT)
    version = agreement.current_version()
    version.sections.filter(key="escalation").update(body="")
    Comment.objects.create(version=version, section_key="aim", author=world.reviewer, body="Welke buurt?")
    Comment.objects.create(version=version, section_key="aim", author=world.reviewer, body="En wanneer?")
    client.force_login(world.drafter)
    html = text_of(client.get(url("edit", agreement)))
    toc = html[html.index('id="toc-title"') : html.index('id="still-needed"')]
    for anchor in ("#over-de-afspraak", "#wijken", "#onderdeel-aim", "#onderdeel-escalation", "#rolverdeling"):
        assert f'href="{anchor}"' in toc
    escalation = toc[toc.index('data-toc-part="escalation"') :]
    assert escalation[: escalation.index("</li>")].count(">leeg<") == 1
    aim = toc[toc.index('data-toc-part="aim"') :]
    aim = aim[: aim.index("</li>")]
    assert ">ingevuld<" in aim and "2 open opmerkingen" in aim
    # The checklist sits beside it, with what is still needed.
    checklist = html[html.index('id="still-needed"') :]
    assert "Het onderdeel &#x27;Escalatie&#x27; is nog leeg." in checklist[: checklist.index("</section>")]
    # Every part is a form of its own, with its own save button.
    assert html.count('name="part" value="') == len(agreement_parts())


def agreement_parts():
    from agreements.models import DRAFT_PARTS

    return DRAFT_PARTS


def test_add_a_row_without_javascript_keeps_what_was_typed(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(
        agreement, "responsibilities", add_row="responsibilities", **{"responsibilities-0-task": "Nog niet opgeslagen"}
    )
    data.pop("save")
    response = client.submit(url("edit", agreement), data)
    assert response.status_code == 200
    html = text_of(response)
    assert "Nog niet opgeslagen" in html
    assert 'name="responsibilities-2-task"' in html  # a third, empty row
    assert "nog niet opgeslagen" in html
    # Nothing was saved.
    assert agreement.current_version().responsibilities.first().task != "Nog niet opgeslagen"


def test_rows_are_added_changed_and_removed_on_save(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(agreement, "responsibilities")
    data.update(
        {
            "responsibilities-TOTAL_FORMS": "3",
            "responsibilities-0-DELETE": "on",
            "responsibilities-1-task": "Participatieplan vaststellen in de raad",
            "responsibilities-2-task": "Haalbaarheidsstudie",
            "responsibilities-2-phase": "development",
            "responsibilities-2-initiative_role": "R",
            "responsibilities-2-municipality_role": "C",
            "responsibilities-2-party_lines": "1",
            "responsibilities-2-party_0_name": "",
            "responsibilities-2-party_0_role": "",
        }
    )
    assert client.submit(url("edit", agreement), data).status_code == 302
    rows = [(r.task, r.phase, r.initiative_role) for r in agreement.current_version().responsibilities.all()]
    assert rows == [
        ("Participatieplan vaststellen in de raad", "orientation", "C"),
        ("Haalbaarheidsstudie", "development", "R"),
    ]


def test_a_task_with_two_other_parties_without_javascript(client, world):
    """Add a line for a second party (a submit that comes back), name both, save: both are kept with their roles."""
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(agreement, "responsibilities", add_party="responsibilities-0")
    data.pop("save")
    data["responsibilities-0-party_0_name"] = "Netbeheerder Enexis"
    data["responsibilities-0-party_0_role"] = "C"
    response = client.submit(url("edit", agreement), data)
    assert response.status_code == 200
    html = text_of(response)
    assert 'name="responsibilities-0-party_1_name"' in html and 'value="Netbeheerder Enexis"' in html
    assert "nog niet opgeslagen" in html

    data = editor_data(agreement, "responsibilities")
    data.update(
        {
            "responsibilities-0-party_lines": "2",
            "responsibilities-0-party_0_name": "Netbeheerder Enexis",
            "responsibilities-0-party_0_role": "C",
            "responsibilities-0-party_1_name": "Woningcorporatie deltaWonen",
            "responsibilities-0-party_1_role": "R",
        }
    )
    assert client.submit(url("edit", agreement), data).status_code == 302
    row = agreement.current_version().responsibilities.first()
    assert [(p.name, p.role) for p in row.third_party_roles] == [
        ("Netbeheerder Enexis", "C"),
        ("Woningcorporatie deltaWonen", "R"),
    ]
    editor = text_of(client.get(url("edit", agreement)))
    assert 'value="Woningcorporatie deltaWonen"' in editor
    assert 'name="responsibilities-0-party_2_name"' in editor  # and one empty line for a third


@pytest.mark.parametrize(
    ("part", "overrides", "message"),
    [
        ("responsibilities", {"responsibilities-0-task": ""}, "Beschrijf de taak."),
        ("responsibilities", {"responsibilities-0-phase": ""}, "Kies in welke fase deze taak valt."),
        ("responsibilities", {"responsibilities-0-task": "x" * 301}, "hoogstens 300 tekens"),
        ("responsibilities", {"responsibilities-1-party_0_name": ""}, "Noem de andere partij, of haal haar rol weg."),
        ("decision_moments", {"decisions-0-deciding_body": ""}, "Kies wie dit besluit neemt."),
        ("decision_moments", {"decisions-0-planned_date": "31-02-2027"}, "Vul een geldige datum in"),
        ("aim", {"aim": "x" * 20001}, "hoogstens 20000 tekens"),
        ("about", {"title": " "}, "Geef de afspraak een titel."),
    ],
)
def test_editor_validates_next_to_the_field_and_saves_nothing(client, world, part, overrides, message):
    agreement = agreement_in(world, S.DRAFT)
    before = agreement.current_version().revision
    client.force_login(world.drafter)
    response = client.submit(url("edit", agreement), editor_data(agreement, part, **overrides))
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert "Er is nog niets opgeslagen." in html
    assert agreement.current_version().revision == before


def _second_drafter(world):
    from agreements.choices import MembershipRole
    from agreements.models import Membership

    Membership.objects.create(user=world.initiative_admin, organisation=world.initiative, role=MembershipRole.DRAFTER)
    return world.initiative_admin


def test_two_people_saving_different_sections_both_land(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    # Both opened the editor at the same moment.
    mine = editor_data(agreement, "aim", aim="Mijn doel")
    theirs = editor_data(agreement, "resources", resources="Hun budget")
    other = type(client)()
    other.force_login(_second_drafter(world))
    assert other.submit(url("edit", agreement), theirs).status_code == 302

    response = client.submit(url("edit", agreement), mine)
    assert response.status_code == 302
    version = agreement.current_version()
    assert version.sections.get(key="aim").body == "Mijn doel"
    assert version.sections.get(key="resources").body == "Hun budget"
    assert agreement.audit_events.filter(action=AuditAction.DRAFT_UPDATED).count() == 2


def test_stale_save_of_the_same_section_shows_both_versions_and_overwrites_nothing(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    loaded = editor_data(agreement, "aim")  # both people opened the editor at this revision

    # Someone else saves the same section first.
    other = type(client)()
    other.force_login(_second_drafter(world))
    assert other.submit(url("edit", agreement), {**loaded, "aim": "Tekst van de ander"}).status_code == 302

    response = client.submit(url("edit", agreement), {**loaded, "aim": "Mijn eigen tekst"})
    assert response.status_code == 409
    html = text_of(response)
    assert "Iemand anders heeft dit onderdeel intussen opgeslagen" in html
    assert "Mijn eigen tekst" in html and "Tekst van de ander" in html
    assert 'data-compare="aim"' in html
    assert "Mijn versie opslaan" in html and "De opgeslagen versie nemen" in html
    version = agreement.current_version()
    assert version.sections.get(key="aim").body == "Tekst van de ander"
    # Their text is still in the form, which came back with the part's current revision:
    # keeping "mine" is one deliberate save.
    form = html[html.index('value="aim"') :]
    assert f'name="revision" value="{version.part_revision("aim")}"' in form[:200]
    assert "Mijn eigen tekst</textarea>" in form

    keep_mine = {
        **loaded,
        "aim": "Mijn eigen tekst",
        "revision": str(version.part_revision("aim")),
        "save": "keep_mine",
    }
    assert client.submit(url("edit", agreement), keep_mine).status_code == 302
    assert agreement.current_version().sections.get(key="aim").body == "Mijn eigen tekst"
    assert agreement.audit_events.filter(action=AuditAction.DRAFT_UPDATED).count() == 2


def test_stale_save_of_the_role_division_keeps_the_rows_typed(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    loaded = editor_data(agreement, "responsibilities")
    other = type(client)()
    other.force_login(_second_drafter(world))
    assert (
        other.submit(url("edit", agreement), {**loaded, "responsibilities-0-task": "Taak van de ander"}).status_code
        == 302
    )
    response = client.submit(url("edit", agreement), {**loaded, "responsibilities-0-task": "Mijn taak"})
    assert response.status_code == 409
    html = text_of(response)
    assert 'data-compare="responsibilities"' in html
    assert 'value="Mijn taak"' in html and "Taak van de ander" in html
    assert agreement.current_version().responsibilities.first().task == "Taak van de ander"


def test_submit_from_the_checklist(client, world):
    """The checklist's button leads to the confirmation page; its button submits."""
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    html = text_of(client.get(url("edit", agreement)))
    assert f'href="{url("submit_confirm", agreement)}"' in html
    confirmation = text_of(client.get(url("submit_confirm", agreement)))
    assert f'action="{url("submit", agreement)}"' in confirmation
    response = client.submit(url("submit", agreement))
    assert response["Location"] == url("detail", agreement)
    agreement.refresh_from_db()
    assert agreement.state == S.IN_REVIEW


def test_submit_incomplete_lists_what_is_missing(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    assert client.submit(url("edit", agreement), editor_data(agreement, "escalation", escalation="")).status_code == 302
    response = client.submit(url("submit", agreement))
    assert response.status_code == 409
    html = text_of(response)
    assert "Indienen kan nog niet. Dit ontbreekt nog:" in html
    assert "Het onderdeel &#x27;Escalatie&#x27; is nog leeg." in html
    agreement.refresh_from_db()
    assert agreement.state == S.DRAFT


def test_first_edit_after_changes_requested_starts_a_new_version(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    client.submit(url("request_changes", agreement), {"note": "Budget uitwerken"})
    client.force_login(world.drafter)
    assert (
        client.submit(
            url("edit", agreement), editor_data(agreement, "resources", resources="€ 40.000 per jaar")
        ).status_code
        == 302
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
    for part, overrides in (
        ("about", {"title": evil}),
        ("aim", {"aim": evil}),
        ("responsibilities", {"responsibilities-0-task": evil, "responsibilities-0-party_0_name": evil}),
    ):
        assert client.submit(url("edit", agreement), editor_data(agreement, part, **overrides)).status_code == 302
    for page in ("detail", "edit"):
        html = text_of(client.get(url(page, agreement)))
        assert evil not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_editor_is_not_for_a_draft_that_moved_on(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    data = editor_data(agreement, "aim")
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
            "start": "leeg",
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


def test_the_escalation_ladder_and_who_keeps_commitments_are_drafted_and_shown(client, world):
    """Schema 3's parts: the ladder (a table of its own), who keeps up a third party, who records a decision."""
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    html = text_of(client.get(url("edit", agreement)))
    assert 'id="escalatieladder"' in html and 'name="escalation-TOTAL_FORMS"' in html
    data = editor_data(agreement, "escalation_ladder")
    data.update(
        {
            "escalation-TOTAL_FORMS": "3",
            "escalation-0-level": "Projectteam",
            "escalation-0-involved": "de projectleiders",
            "escalation-0-days": "14",
            "escalation-1-level": "Stuurgroep",
            "escalation-1-days": "0",
            "escalation-2-level": "",
        }
    )
    response = client.submit(url("edit", agreement), data)
    assert response.status_code == 400 and "Geef de termijn als 1 tot 365 dagen." in text_of(response)
    assert 'value="de projectleiders"' in text_of(response)  # kept
    data["escalation-1-days"] = "28"
    assert client.submit(url("edit", agreement), data).status_code == 302
    version = agreement.current_version()
    assert [(e.level, e.involved, e.days) for e in version.escalation_steps.all()] == [
        ("Projectteam", "de projectleiders", 14),
        ("Stuurgroep", "", 28),
    ]
    data = editor_data(agreement, "responsibilities", **{"responsibilities-1-third_party_owner": "municipality"})
    assert client.submit(url("edit", agreement), data).status_code == 302
    data = editor_data(agreement, "decision_moments", **{"decisions-0-deciding_party": "both"})
    assert client.submit(url("edit", agreement), data).status_code == 302
    version = agreement.current_version()
    assert [r.third_party_owner for r in version.responsibilities.all()] == ["", "municipality"]
    assert version.decision_moments.first().deciding_party == "both"
    page = text_of(client.get(url("detail", agreement)))
    assert "Escalatieladder" in page and "Binnen 14 dagen." in page
