"""The canonical JSON bytes of a fixed version, and its SHA-256, are fixed forever, under each schema.

Schema 1 named at most one other party per row; schema 2 names any number; schema 3 adds who keeps up the
relationship with the other parties, who records a decision's outcome, and the escalation ladder. A version
frozen under an older schema keeps its bytes and hash, and rendering it again under its own schema gives the
same bytes.
"""

import datetime as dt
import hashlib
import json

import pytest

from agreements import canonical
from agreements.choices import AgreementForm, DecidingBody, Instrument, Phase, RaciRole
from agreements.models import (
    Agreement,
    AgreementVersion,
    DecisionMoment,
    EscalationStep,
    Neighbourhood,
    Responsibility,
    Section,
)
from agreements.sections import SECTION_ORDER
from tests.factories import OrganisationFactory, UserFactory

# Schema 1, as every version frozen before schema 2 has it stored.
EXPECTED_BYTES = (
    b'{"agreement":{"form":"letter_of_intent","language":"nl","neighbourhoods":[{"cbs_code":"WK019301",'
    b'"name":"Zwolle-Oost"},{"cbs_code":null,"name":"Kamperpoort"}],"reference":"SK-2026-0007",'
    b'"title":"Warmte in Zwolle-Oost"},"decision_moments":[{"deciding_body":"college",'
    b'"instrument":"neighbourhood_plan",'
    b'"planned_date":"2027-03-01","title":"Go/no-go haalbaarheid"}],"parties":[{"cbs_code":null,'
    b'"kind":"initiative","kvk_number":"12345678","name":"Buurtwarmte Zwolle-Oost","role":"initiative"},'
    b'{"cbs_code":"GM0193","kind":"municipality","kvk_number":null,"name":"Gemeente Zwolle","role":"municipality"}],'
    b'"responsibilities":[{"initiative":"R","municipality":"C","phase":"orientation","task":"Bewonersavonden '
    b'organiseren","third_party":null},{"initiative":"C","municipality":"A","phase":"development",'
    b'"task":"Warmtebronnen onderzoeken","third_party":{"name":"Netbeheerder Enexis","role":"I"}}],'
    b'"schema":1,"sections":[{"body":"Samen aardgasvrij in 2032.","key":"aim"},{"body":"","key":"roles"},'
    b'{"body":"","key":"process"},{"body":"","key":"resources"},{"body":"","key":"communication"},'
    b'{"body":"","key":"information"},{"body":"","key":"escalation"},{"body":"Elk jaar in maart.",'
    b'"key":"evaluation"},{"body":"","key":"duration"}],"version":1}'
)


@pytest.fixture
def fixed_version(db):
    initiative = OrganisationFactory(name="Buurtwarmte Zwolle-Oost", kvk_number="12345678")
    municipality = OrganisationFactory(municipality=True, name="Gemeente Zwolle", cbs_code="GM0193")
    user = UserFactory()
    agreement = Agreement.objects.create(
        reference="SK-2026-0007",
        title="Warmte in Zwolle-Oost",
        form=AgreementForm.LETTER_OF_INTENT,
        initiative=initiative,
        municipality=municipality,
        created_by=user,
    )
    Neighbourhood.objects.create(agreement=agreement, position=0, name="Zwolle-Oost", cbs_code="WK019301")
    Neighbourhood.objects.create(agreement=agreement, position=1, name="Kamperpoort")
    version = AgreementVersion.objects.create(agreement=agreement, number=1, created_by=user)
    # Created out of order on purpose: the canonical form puts them in the fixed order.
    bodies = {"evaluation": "Elk jaar in maart.", "aim": "Samen aardgasvrij in 2032."}
    for key in reversed(SECTION_ORDER):
        Section.objects.create(version=version, key=key, body=bodies.get(key, ""))
    Responsibility.objects.create(
        version=version,
        position=1,
        task="Warmtebronnen onderzoeken",
        phase=Phase.DEVELOPMENT,
        initiative_role=RaciRole.CONSULTED,
        municipality_role=RaciRole.ACCOUNTABLE,
        third_party_name="Netbeheerder Enexis",
        third_party_role=RaciRole.INFORMED,
    )
    Responsibility.objects.create(
        version=version,
        position=0,
        task="Bewonersavonden organiseren",
        phase=Phase.ORIENTATION,
        initiative_role=RaciRole.RESPONSIBLE,
        municipality_role=RaciRole.CONSULTED,
    )
    DecisionMoment.objects.create(
        version=version,
        title="Go/no-go haalbaarheid",
        planned_date=dt.date(2027, 3, 1),
        deciding_body=DecidingBody.COLLEGE,
        instrument=Instrument.NEIGHBOURHOOD_PLAN,
    )
    return version


EXPECTED_HASH = "cb278cfffbc470f6c3fb158c5d14aea06b26743253777fd04893ace2370e8722"

# Schema 2: the fixed version with a third row that names two other parties.
EXPECTED_BYTES_V2 = (
    b'{"agreement":{"form":"letter_of_intent","language":"nl","neighbourhoods":[{"cbs_code":"WK019301",'
    b'"name":"Zwolle-Oost"},{"cbs_code":null,"name":"Kamperpoort"}],"reference":"SK-2026-0007",'
    b'"title":"Warmte in Zwolle-Oost"},"decision_moments":[{"deciding_body":"college",'
    b'"instrument":"neighbourhood_plan","planned_date":"2027-03-01","title":"Go/no-go haalbaarheid"}],'
    b'"parties":[{"cbs_code":null,"kind":"initiative","kvk_number":"12345678","name":"Buurtwarmte Zwolle-Oost",'
    b'"role":"initiative"},{"cbs_code":"GM0193","kind":"municipality","kvk_number":null,"name":"Gemeente Zwolle",'
    b'"role":"municipality"}],"responsibilities":[{"initiative":"R","municipality":"C","phase":"orientation",'
    b'"task":"Bewonersavonden organiseren","third_parties":[]},{"initiative":"C","municipality":"A",'
    b'"phase":"development","task":"Warmtebronnen onderzoeken","third_parties":[{"name":"Netbeheerder Enexis",'
    b'"role":"I"}]},{"initiative":"C","municipality":"A","phase":"realisation","task":"Warmtenet aanleggen",'
    b'"third_parties":[{"name":"Netbeheerder Enexis","role":"R"},{"name":"Woningcorporatie deltaWonen",'
    b'"role":null}]}],"schema":2,"sections":[{"body":"Samen aardgasvrij in 2032.","key":"aim"},'
    b'{"body":"","key":"roles"},{"body":"","key":"process"},{"body":"","key":"resources"},'
    b'{"body":"","key":"communication"},{"body":"","key":"information"},{"body":"","key":"escalation"},'
    b'{"body":"Elk jaar in maart.","key":"evaluation"},{"body":"","key":"duration"}],"version":1}'
)
EXPECTED_HASH_V2 = "9a6b190e6ac8a8c2363aba3d4621ca64ec4b43e80f19869b1de06e8d7412af4d"

# Schema 3: as schema 2, the third row's other parties kept up by the municipality, the college's decision
# recorded by the municipality, and a ladder of two steps.
EXPECTED_BYTES_V3 = (
    b'{"agreement":{"form":"letter_of_intent","language":"nl","neighbourhoods":[{"cbs_code":"WK019301",'
    b'"name":"Zwolle-Oost"},{"cbs_code":null,"name":"Kamperpoort"}],"reference":"SK-2026-0007",'
    b'"title":"Warmte in Zwolle-Oost"},"decision_moments":[{"deciding_body":"college",'
    b'"deciding_party":"municipality","instrument":"neighbourhood_plan","planned_date":"2027-03-01",'
    b'"title":"Go/no-go haalbaarheid"}],"escalation_ladder":[{"days":14,"involved":"de projectleiders",'
    b'"level":"Projectteam"},{"days":28,"involved":"","level":"Stuurgroep"}],'
    b'"parties":[{"cbs_code":null,"kind":"initiative","kvk_number":"12345678","name":"Buurtwarmte Zwolle-Oost",'
    b'"role":"initiative"},{"cbs_code":"GM0193","kind":"municipality","kvk_number":null,"name":"Gemeente Zwolle",'
    b'"role":"municipality"}],"responsibilities":[{"initiative":"R","municipality":"C","phase":"orientation",'
    b'"task":"Bewonersavonden organiseren","third_parties":[],"third_party_owner":null},{"initiative":"C",'
    b'"municipality":"A","phase":"development","task":"Warmtebronnen onderzoeken","third_parties":[{"name":'
    b'"Netbeheerder Enexis","role":"I"}],"third_party_owner":null},{"initiative":"C","municipality":"A",'
    b'"phase":"realisation","task":"Warmtenet aanleggen","third_parties":[{"name":"Netbeheerder Enexis",'
    b'"role":"R"},{"name":"Woningcorporatie deltaWonen","role":null}],"third_party_owner":"municipality"}],'
    b'"schema":3,"sections":[{"body":"Samen aardgasvrij in 2032.","key":"aim"},'
    b'{"body":"","key":"roles"},{"body":"","key":"process"},{"body":"","key":"resources"},'
    b'{"body":"","key":"communication"},{"body":"","key":"information"},{"body":"","key":"escalation"},'
    b'{"body":"Elk jaar in maart.","key":"evaluation"},{"body":"","key":"duration"}],"version":1}'
)
EXPECTED_HASH_V3 = "c33ed66e1b874ce52576e3bcc9c26ccbbb6ce1fd9c5b2c67ac68900661fab2be"


def schema_3_content(version):
    """The fixed version with two other parties, and what schema 3 adds."""
    two_other_parties(version)
    Responsibility.objects.filter(version=version, position=2).update(third_party_owner="municipality")
    DecisionMoment.objects.filter(version=version).update(deciding_party="municipality")
    EscalationStep.objects.create(version=version, position=1, level="Stuurgroep", days=28)
    EscalationStep.objects.create(
        version=version, position=0, level="Projectteam", involved="de projectleiders", days=14
    )


def freeze_under_schema_1(version):
    """Freeze ``version`` as the code before schema 2 did: its schema-1 bytes and their hash stored."""
    data = canonical.canonical_bytes(canonical.canonical_content(version, schema=1))
    version.canonical_json = data.decode()
    version.content_hash = canonical.content_hash(data)
    version.frozen_at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    version.save()


def two_other_parties(version):
    Responsibility.objects.create(
        version=version,
        position=2,
        task="Warmtenet aanleggen",
        phase=Phase.REALISATION,
        initiative_role=RaciRole.CONSULTED,
        municipality_role=RaciRole.ACCOUNTABLE,
        third_parties=[
            {"name": "Netbeheerder Enexis", "role": RaciRole.RESPONSIBLE},
            {"name": "Woningcorporatie deltaWonen", "role": ""},
        ],
    )


def test_schema_1_bytes_of_a_fixed_version_are_unchanged(fixed_version):
    assert canonical.canonical_bytes(canonical.canonical_content(fixed_version, schema=1)) == EXPECTED_BYTES


def test_a_version_frozen_under_schema_1_keeps_its_bytes_and_hash(fixed_version):
    freeze_under_schema_1(fixed_version)
    version = AgreementVersion.objects.get(pk=fixed_version.pk)
    assert version.schema_version == 1
    assert version.canonical_bytes() == EXPECTED_BYTES
    assert version.content_hash == EXPECTED_HASH
    # Rendered again from its rows, under its own schema: byte for byte the same, so the hash can be checked.
    again = canonical.canonical_bytes(canonical.canonical_content(version))
    assert again == EXPECTED_BYTES
    assert hashlib.sha256(again).hexdigest() == EXPECTED_HASH


def test_the_copy_of_a_schema_1_version_speaks_todays_schema(fixed_version, django_user_model):
    freeze_under_schema_1(fixed_version)
    draft = AgreementVersion.objects.get(pk=fixed_version.pk).copy_as_next(by=fixed_version.created_by)
    parsed = json.loads(draft.canonical_bytes())
    assert parsed["schema"] == 3
    assert parsed["escalation_ladder"] == []
    assert parsed["responsibilities"][1]["third_parties"] == [{"name": "Netbeheerder Enexis", "role": "I"}]
    assert AgreementVersion.objects.get(pk=fixed_version.pk).canonical_bytes() == EXPECTED_BYTES


def test_schema_2_bytes_with_two_other_parties_in_a_row(fixed_version):
    two_other_parties(fixed_version)
    assert canonical.canonical_bytes(canonical.canonical_content(fixed_version, schema=2)) == EXPECTED_BYTES_V2
    assert hashlib.sha256(EXPECTED_BYTES_V2).hexdigest() == EXPECTED_HASH_V2


def test_schema_2_ignores_what_schema_3_adds(fixed_version):
    schema_3_content(fixed_version)
    assert canonical.canonical_bytes(canonical.canonical_content(fixed_version, schema=2)) == EXPECTED_BYTES_V2


def test_freezing_stores_exactly_those_bytes_and_their_hash(fixed_version):
    schema_3_content(fixed_version)
    fixed_version.freeze()
    fixed_version.refresh_from_db()
    assert fixed_version.canonical_json.encode() == EXPECTED_BYTES_V3
    assert fixed_version.content_hash == hashlib.sha256(EXPECTED_BYTES_V3).hexdigest() == EXPECTED_HASH_V3
    assert fixed_version.schema_version == 3


def test_canonical_form_is_sorted_compact_utf8(fixed_version):
    data = fixed_version.canonical_bytes()
    parsed = json.loads(data)
    assert json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == data
    assert parsed["schema"] == canonical.SCHEMA_VERSION == 3
    assert [s["key"] for s in parsed["sections"]] == list(SECTION_ORDER)


def test_frozen_bytes_do_not_follow_later_renames(fixed_version):
    freeze_under_schema_1(fixed_version)
    municipality = fixed_version.agreement.municipality
    municipality.name = "Gemeente Zwolle (nieuwe naam)"
    municipality.save()
    version = AgreementVersion.objects.get(pk=fixed_version.pk)
    assert version.canonical_bytes() == EXPECTED_BYTES


def test_non_ascii_is_kept_as_utf8(fixed_version):
    section = fixed_version.sections.get(key="aim")
    section.body = "Coöperatie in Fryslân — €"
    section.save()
    data = fixed_version.canonical_bytes()
    assert "Coöperatie in Fryslân — €".encode() in data
