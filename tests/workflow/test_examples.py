"""The public examples: both parties' consent to one public text, nothing personal in public, lessons, reuse."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from agreements.choices import AuditAction, LessonTopic, MembershipRole
from agreements.models import Agreement, AuditEvent, Lesson, PublicationConsent, PublicExample, User
from tests.documents.helpers import signed_agreement
from tests.factories import AgreementFactory, OrganisationFactory, member
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.personal_data import PersonalDataFinder
from workflow.examples.services import (
    lesson_record,
    publication_consent_give,
    publication_consent_withdraw,
    signed_public_text,
)
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.monitoring.statistics import shared_lesson_counts

pytestmark = pytest.mark.django_db

SUMMARY = "Het initiatief en de gemeente werken samen aan een warmtenet voor de buurt."


def public_sections(agreement: Agreement, **changes) -> dict[str, str]:
    """The signed sections with every known person's name replaced by a function."""
    finder = PersonalDataFinder()
    sections = signed_public_text(agreement)["sections"]
    cleaned = {
        key: "".join("de wethouder" if p.personal else p.text for p in finder.pieces(text))
        for key, text in sections.items()
    }
    cleaned.update(changes)
    return cleaned


def both_consent(world, agreement: Agreement) -> PublicExample:
    sections = public_sections(agreement)
    assert (
        publication_consent_give(
            agreement=agreement, actor=world.initiative_signer1, summary=SUMMARY, sections=sections
        )
        is None
    )
    example = publication_consent_give(
        agreement=agreement, actor=world.municipal_signer, summary=SUMMARY, sections=sections
    )
    assert example is not None
    return example


@pytest.fixture
def signed(world):
    def name_people_in_the_rows(draft: Agreement) -> None:
        # Tasks and decisions are not edited on the consent page: the public rows must redact what names people.
        version = draft.current_version()
        rows = [r.content_values() for r in version.responsibilities.all()]
        rows[0]["task"] = f"Overleg met {world.reviewer.full_name} over de planning"
        moments = [
            {f: getattr(d, f) for f in ("title", "planned_date", "deciding_body", "instrument")}
            for d in version.decision_moments.all()
        ]
        moments[0]["title"] = f"Besluit na bericht aan {world.drafter.email}"
        agreement_update_draft(
            agreement=draft,
            actor=world.drafter,
            based_on_revision=version.revision,
            responsibilities=rows,
            decision_moments=moments,
        )

    agreement = signed_agreement(world, prepare=name_people_in_the_rows)
    # A section that names people, as real texts do: the public text must not.
    version = agreement.frozen_version()
    return agreement, version


def test_a_text_that_names_a_person_is_refused_with_the_names(world, signed):
    agreement, _version = signed
    sections = public_sections(
        agreement, aim=f"Wethouder {world.municipal_signer.full_name} trekt dit; mail {world.drafter.email}."
    )
    with pytest.raises(InvalidInput) as refused:
        publication_consent_give(agreement=agreement, actor=world.initiative_signer1, summary="", sections=sections)
    message = refused.value.errors["aim"][0]
    assert world.municipal_signer.full_name in message and world.drafter.email in message
    assert not PublicationConsent.objects.exists()


def test_it_is_public_only_while_both_parties_consent_to_the_same_text(client, world, signed):
    agreement, _version = signed
    sections = public_sections(agreement)
    publication_consent_give(agreement=agreement, actor=world.initiative_signer1, summary=SUMMARY, sections=sections)
    assert not PublicExample.objects.filter(withdrawn_at__isnull=True).exists()
    # The municipality changes a word: the initiative's consent to the old text no longer stands.
    changed = dict(sections, aim=sections["aim"] + " Met een aanpassing.")
    assert (
        publication_consent_give(agreement=agreement, actor=world.municipal_signer, summary=SUMMARY, sections=changed)
        is None
    )
    assert PublicationConsent.objects.filter(agreement=agreement, withdrawn_at__isnull=True).count() == 1
    example = publication_consent_give(
        agreement=agreement, actor=world.initiative_signer1, summary=SUMMARY, sections=changed
    )
    assert example is not None and example.content["sections"]["aim"].endswith("Met een aanpassing.")
    page = client.get(f"/voorbeelden/{example.slug}/")
    assert page.status_code == 200 and SUMMARY in page.content.decode()
    assert example.slug in client.get("/voorbeelden/").content.decode()

    # Consenting once more to the same text changes nothing: still one publication.
    publication_consent_give(agreement=agreement, actor=world.municipal_signer, summary=SUMMARY, sections=changed)
    assert PublicExample.objects.get(pk=example.pk).published_at == example.published_at

    publication_consent_withdraw(agreement=agreement, actor=world.municipal_signer)
    assert client.get(f"/voorbeelden/{example.slug}/").status_code == 404
    assert example.slug not in client.get("/voorbeelden/").content.decode()
    actions = list(AuditEvent.objects.filter(agreement=agreement).values_list("action", flat=True))
    assert actions.count(AuditAction.PUBLISHED) == 1 and actions.count(AuditAction.UNPUBLISHED) == 1


def test_only_a_partys_admin_or_signatory_consents_and_only_once_signed(world, signed):
    agreement, _version = signed
    for outsider in (world.drafter, world.reviewer, world.advisor):
        with pytest.raises((NotPermitted, NotFound)):
            publication_consent_give(
                agreement=agreement, actor=outsider, summary="", sections=public_sections(agreement)
            )
    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality, content=True)
    with pytest.raises(Conflict):
        publication_consent_give(agreement=draft, actor=world.initiative_signer1, summary="", sections={})


def test_public_pages_and_the_woo_package_hold_nothing_personal(client, world, signed):
    agreement, _version = signed
    example = both_consent(world, agreement)
    lesson_record(
        agreement=agreement,
        actor=world.drafter,
        phase="orientation",
        topic=LessonTopic.COMMUNICATION,
        worked="Bewonersavonden in het buurthuis trokken veel mensen.",
        did_not_work="",
        shared=True,
    )
    admin = member(world.municipality, MembershipRole.ADMIN)
    client.force_login(admin)
    assert "woo-publicatie.zip" in client.get(f"/voorbeelden/{example.slug}/").content.decode()
    package = client.get(f"/voorbeelden/{example.slug}/woo-publicatie.zip")
    assert package.status_code == 200
    client.logout()
    texts = [
        client.get("/voorbeelden/").content.decode(),
        client.get(f"/voorbeelden/{example.slug}/").content.decode(),
    ]
    archive = zipfile.ZipFile(io.BytesIO(package.content))
    assert sorted(archive.namelist()) == sorted([f"{example.slug}.pdf", "metadata.xml"])
    texts.append(archive.read("metadata.xml").decode())
    pdf = PdfReader(io.BytesIO(archive.read(f"{example.slug}.pdf")))
    texts.append(" ".join(page.extract_text() for page in pdf.pages))
    assert "Bewonersavonden in het buurthuis" in texts[1]
    assert "Overleg met […] over de planning" in texts[1] and "Besluit na bericht aan […]" in texts[1]

    people = list(User.objects.values_list("full_name", "email"))
    addresses = {ip for ip in AuditEvent.objects.exclude(ip_address=None).values_list("ip_address", flat=True)}
    assert addresses, "the signing left addresses in the log to look for"
    for text in texts:
        flat = re.sub(r"\s+", " ", text)
        for name, email in people:
            assert name not in flat and email not in flat, (name, email)
        for address in addresses:
            assert address not in flat


def test_the_woo_metadata_names_the_standards_fields(client, world, signed):
    agreement, _version = signed
    example = both_consent(world, agreement)
    client.force_login(world.reviewer)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/voorbeelden/{example.slug}/woo-publicatie.zip").content))
    metadata = archive.read("metadata.xml").decode()
    assert 'xmlns:diwoo="https://standaarden.overheid.nl/diwoo/metadata/"' in metadata
    assert f"<diwoo:officieleTitel>{agreement.title}</diwoo:officieleTitel>" in metadata
    assert 'resource="https://identifier.overheid.nl/tooi/id/gemeente/gm0193"' in metadata
    assert ">convenanten</diwoo:informatiecategorie>" in metadata
    assert f"<diwoo:creatiedatum>{agreement.signed_at.date().isoformat()}" in metadata
    # Only the municipality's people get the package; for anyone else it does not exist.
    client.force_login(world.drafter)
    assert client.get(f"/voorbeelden/{example.slug}/woo-publicatie.zip").status_code == 404


def test_another_initiative_starts_from_the_example_and_it_is_counted(client, world, signed):
    agreement, _version = signed
    example = both_consent(world, agreement)
    elsewhere = OrganisationFactory(name="Warmte Anderdorp")
    drafter = member(elsewhere, MembershipRole.DRAFTER)
    client.force_login(drafter)
    page = client.get(f"/voorbeelden/{example.slug}/").content.decode()
    assert f'href="/afspraken/nieuw/?voorbeeld={example.slug}"' in page
    create = client.get(f"/afspraken/nieuw/?voorbeeld={example.slug}").content.decode()
    assert f'value="voorbeeld:{example.slug}"' in create
    response = client.post(
        "/afspraken/nieuw/",
        {
            "initiative": elsewhere.pk,
            "municipality": world.other_municipality.pk,
            "start": f"voorbeeld:{example.slug}",
            "title": "Ons eigen warmtenet",
            "form": "ground_rules",
            "phase": "orientation",
            "language": "nl",
            "neighbourhoods-TOTAL_FORMS": "0",
            "neighbourhoods-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    new = Agreement.objects.get(title="Ons eigen warmtenet")
    assert new.started_from_example == example and new.form == agreement.form
    assert new.current_version().sections.get(key="aim").body == example.content["sections"]["aim"]
    assert not any(d.planned_date for d in new.current_version().decision_moments.all())
    assert "1 keer als startpunt gebruikt" in client.get(f"/voorbeelden/{example.slug}/").content.decode()


def test_a_withdrawn_example_cannot_be_started_from(world, signed):
    agreement, _version = signed
    example = both_consent(world, agreement)
    publication_consent_withdraw(agreement=agreement, actor=world.initiative_signer1)
    example.refresh_from_db()
    with pytest.raises(InvalidInput):
        agreement_create(
            actor=world.drafter,
            initiative=world.initiative,
            municipality=world.municipality,
            title="Te laat",
            form="ground_rules",
            phase="orientation",
            example=example,
        )


def test_the_examples_page_searches_and_filters(client, world, signed):
    agreement, _version = signed
    example = both_consent(world, agreement)
    assert example.slug in client.get("/voorbeelden/?q=warmtenet").content.decode()
    assert example.slug not in client.get("/voorbeelden/?q=windmolen").content.decode()
    assert example.slug in client.get(f"/voorbeelden/?form={agreement.form}").content.decode()
    assert example.slug not in client.get("/voorbeelden/?phase=operation").content.decode()
    assert example.slug in client.get(f"/voorbeelden/?municipality={world.municipality.pk}").content.decode()
    assert example.slug not in client.get("/voorbeelden/?province=LI").content.decode()


# --- lessons ---------------------------------------------------------------------------------------------------


def test_a_shared_lesson_names_nobody_and_only_shared_lessons_show(client, world, signed):
    agreement, _version = signed
    with pytest.raises(InvalidInput):
        lesson_record(
            agreement=agreement,
            actor=world.drafter,
            phase="orientation",
            topic=LessonTopic.ROLES,
            worked=f"{world.reviewer.full_name} hielp ons enorm.",
            did_not_work="",
            shared=True,
        )
    lesson_record(
        agreement=agreement,
        actor=world.drafter,
        phase="orientation",
        topic=LessonTopic.ROLES,
        worked="Een vaste ambtenaar als aanspreekpunt.",
        did_not_work="",
        shared=True,
    )
    lesson_record(
        agreement=agreement,
        actor=world.reviewer,
        phase="development",
        topic=LessonTopic.RESOURCES,
        worked="",
        did_not_work="Intern: budget kwam te laat.",
        shared=False,
    )
    example = both_consent(world, agreement)
    html = client.get(f"/voorbeelden/{example.slug}/").content.decode()
    assert "Een vaste ambtenaar als aanspreekpunt." in html and "Intern: budget kwam te laat." not in html
    with pytest.raises((NotPermitted, NotFound)):
        lesson_record(
            agreement=agreement,
            actor=world.advisor,
            phase="orientation",
            topic=LessonTopic.ROLES,
            worked="x",
            did_not_work="",
            shared=False,
        )


def test_the_advisors_see_shared_lessons_by_topic_and_phase_in_one_query(client, world):
    made = []
    for number, (topic, phase, shared) in enumerate(
        [
            (LessonTopic.ROLES, "orientation", True),
            (LessonTopic.ROLES, "orientation", True),
            (LessonTopic.ROLES, "development", True),
            (LessonTopic.RESOURCES, "development", True),
            (LessonTopic.RESOURCES, "development", False),
        ]
    ):
        agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality, signed=True)
        Lesson.objects.create(
            agreement=agreement,
            party=world.initiative,
            author=world.drafter,
            phase=phase,
            topic=topic,
            worked=f"Les {number}",
            shared=shared,
        )
        made.append(agreement)
    scope = Agreement.objects.filter(pk__in=[a.pk for a in made])
    with CaptureQueriesContext(connection) as queries:
        counts = shared_lesson_counts(scope)
    assert len(queries) == 1
    rows = {str(topic): per_phase for topic, per_phase, _total in counts["rows"]}
    assert rows[str(LessonTopic.ROLES.label)] == [2, 1, 0, 0]
    assert rows[str(LessonTopic.RESOURCES.label)] == [0, 1, 0, 0]
    assert counts["total"] == 4
    # The page shows the same figures, for the advisor who reads along.
    client.force_login(world.advisor)
    for agreement in made:
        agreement.advisor_accesses.create(organisation=world.advisor_org, granted_by=world.drafter)
    html = client.get("/voortgang/").content.decode()
    assert "Gedeelde lessen per onderwerp en fase" in html
    section = html.split('id="lessen"')[1].split("</section>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', section) == ["2", "1", "0", "0", "3", "0", "1", "0", "0", "1"]


def test_the_agreement_page_offers_sharing_and_lessons_to_the_parties(client, world, signed):
    agreement, _version = signed
    client.force_login(world.initiative_signer1)
    html = client.get(f"/afspraken/{agreement.reference}/").content.decode()
    assert (
        f'href="/afspraken/{agreement.reference}/delen/"' in html
        and f'href="/afspraken/{agreement.reference}/les/"' in html
    )
    share = client.get(f"/afspraken/{agreement.reference}/delen/")
    assert share.status_code == 200
    client.force_login(world.drafter)  # a drafter records lessons, but does not decide on publishing
    html = client.get(f"/afspraken/{agreement.reference}/").content.decode()
    assert f'href="/afspraken/{agreement.reference}/delen/"' not in html
    assert client.get(f"/afspraken/{agreement.reference}/delen/").status_code == 403


def test_the_overview_asks_as_many_queries_for_many_lessons_as_for_one(client, world):
    def overview_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/voortgang/").status_code == 200
        return len(queries)

    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality, signed=True)
    agreement.advisor_accesses.create(organisation=world.advisor_org, granted_by=world.drafter)
    client.force_login(world.advisor)

    def add_lessons(count: int) -> None:
        for number in range(count):
            Lesson.objects.create(
                agreement=agreement,
                party=world.initiative,
                author=world.drafter,
                phase="development",
                topic=list(LessonTopic)[number % len(LessonTopic)],
                worked=f"Les {number}",
                shared=True,
            )

    add_lessons(1)
    overview_queries()  # fill the caches the page keeps
    one = overview_queries()
    add_lessons(30)
    assert overview_queries() == one
