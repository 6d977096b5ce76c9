"""Every Dutch municipality from CBS's list, and a year's mergers: agreements move, signed versions stay as signed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.choices import AuditAction, OrganisationKind, Province
from agreements.models import Agreement, AuditEvent, Organisation
from tests.documents.helpers import signed_agreement
from tests.factories import AgreementFactory, OrganisationFactory
from workflow.core.access import may_invite_first_contact
from workflow.core.exceptions import InvalidInput
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.drafting import agreement_create
from workflow.members.services.municipalities import (
    SHIPPED_LIST,
    ListError,
    municipalities_load,
    read_mergers,
    read_municipality_list,
)

pytestmark = pytest.mark.django_db


def test_the_shipped_list_holds_every_municipality_of_1_january_2023_once():
    rows = read_municipality_list(SHIPPED_LIST)
    assert len(rows) == 342  # CBS: 342 municipalities on 1 January 2023 (and still on 1 January 2025)
    assert len({row.cbs_code for row in rows}) == 342
    assert {row.province for row in rows} == set(Province.values)  # every province, and only those
    by_code = {row.cbs_code: row for row in rows}
    assert (by_code["GM0193"].name, by_code["GM0193"].province) == ("Zwolle", Province.OVERIJSSEL)
    assert by_code["GM1992"].name == "Voorne aan Zee"  # the merger of 1 January 2023
    assert "GM0457" not in by_code  # Weesp, part of Amsterdam since 2022


def test_loading_creates_every_municipality_once_and_keeps_the_names_admins_gave(db):
    OrganisationFactory(municipality=True, name="Gemeente Zwolle (eigen naam)", cbs_code="GM0193", province="")
    result = municipalities_load(rows=read_municipality_list(SHIPPED_LIST))
    assert len(result.created) == 341 and result.province_changed == ["GM0193"]
    assert Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).count() == 342
    zwolle = Organisation.objects.get(cbs_code="GM0193")
    assert (zwolle.name, zwolle.province) == ("Gemeente Zwolle (eigen naam)", Province.OVERIJSSEL)
    assert Organisation.objects.get(cbs_code="GM0014").name == "Gemeente Groningen"
    again = municipalities_load(rows=read_municipality_list(SHIPPED_LIST))
    assert again.created == [] and again.province_changed == [] and again.missing_without_successor == []


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_merger_moves_the_open_agreements_with_a_log_line_and_leaves_signed_ones_as_signed(world, tmp_path):
    old = Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Gemeente Oud", cbs_code="GM9001")
    first = write(
        tmp_path / "2026.csv",
        "cbs_code,name,province\nGM9001,Oud,Overijssel\nGM9002,Nieuw,Overijssel\nGM0193,Test,Overijssel\n",
    )
    call_command("load_municipalities", "--list", str(first), stdout=io.StringIO(), stderr=io.StringIO())
    signed = signed_agreement(world)
    Agreement.objects.filter(pk=signed.pk).update(municipality=old)
    draft = AgreementFactory(initiative=world.initiative, municipality=old)
    in_review = AgreementFactory(initiative=world.initiative, municipality=old, in_review=True)

    second = write(tmp_path / "2027.csv", "cbs_code,name,province\nGM9002,Nieuw,Overijssel\nGM0193,Test,Overijssel\n")
    mergers = write(tmp_path / "mergers-2027.csv", "old_code,successor_code,date\nGM9001,GM9002,2027-01-01\n")
    out = io.StringIO()
    call_command("load_municipalities", "--list", str(second), "--mergers", str(mergers), stdout=out)
    successor = Organisation.objects.get(cbs_code="GM9002")
    old.refresh_from_db()
    assert old.merged_into == successor and str(old.merged_on) == "2027-01-01"
    for agreement in (draft, in_review):
        agreement.refresh_from_db()
        assert agreement.municipality == successor
        event = AuditEvent.objects.get(agreement=agreement, action=AuditAction.MUNICIPALITY_MERGED)
        assert event.note == "Gemeente Oud → Gemeente Nieuw (01-01-2027)" and event.actor is None
    # The signed one stays with the municipality that signed it: its signing record names that party.
    signed.refresh_from_db()
    assert signed.municipality == old
    assert not AuditEvent.objects.filter(agreement=signed, action=AuditAction.MUNICIPALITY_MERGED).exists()
    assert "2 agreement(s) of Gemeente Oud moved to Gemeente Nieuw" in out.getvalue()
    assert f"stay with Gemeente Oud, as signed: {signed.reference}" in out.getvalue()

    # Run again: nothing moves twice, and the merged municipality is no longer offered for a new agreement.
    call_command("load_municipalities", "--list", str(second), "--mergers", str(mergers), stdout=io.StringIO())
    assert AuditEvent.objects.filter(action=AuditAction.MUNICIPALITY_MERGED).count() == 2
    client = Client()
    client.force_login(world.drafter)
    page = client.get(reverse("agreement:create")).content.decode()
    assert "Gemeente Nieuw" in page and "Gemeente Oud" not in page
    with pytest.raises(InvalidInput) as refused:
        agreement_create(
            actor=world.drafter,
            initiative=world.initiative,
            municipality=old,
            title="Te laat",
            form="cooperation_agreement",
            phase="orientation",
        )
    assert list(refused.value.errors) == ["municipality"]
    api = APIClient()
    api.force_authenticate(world.drafter)
    body = {"initiative": world.initiative.pk, "municipality": old.pk, "title": "T", "form": "cooperation_agreement"}
    assert api.post("/api/v1/agreements/", {**body, "phase": "orientation"}, format="json").status_code == 400
    assert not may_invite_first_contact(world.drafter, old)
    # An amendment of the signed agreement is agreed with the municipality it went into.
    assert agreement_amend(agreement=signed, actor=world.drafter).municipality == successor


def test_after_two_mergers_an_open_agreement_lands_on_the_last_successor(world, tmp_path):
    a = Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Gemeente A", cbs_code="GM9101")
    Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Gemeente B", cbs_code="GM9102")
    draft = AgreementFactory(initiative=world.initiative, municipality=a)
    listing = write(tmp_path / "l.csv", "cbs_code,name,province\nGM9103,C,Utrecht\n")
    chain = write(
        tmp_path / "m.csv", "old_code,successor_code,date\nGM9101,GM9102,2027-01-01\nGM9102,GM9103,2028-01-01\n"
    )
    with pytest.raises(CommandError):  # B is not in the list, so "A into B" is refused: a file per year
        call_command("load_municipalities", "--list", str(listing), "--mergers", str(chain), stdout=io.StringIO())
    first = write(tmp_path / "2027.csv", "cbs_code,name,province\nGM9102,B,Utrecht\nGM9103,C,Utrecht\n")
    one = write(tmp_path / "m1.csv", "old_code,successor_code,date\nGM9101,GM9102,2027-01-01\n")
    two = write(tmp_path / "m2.csv", "old_code,successor_code,date\nGM9102,GM9103,2028-01-01\n")
    # The first year's load marks A into B but stops before moving (as a run that was cut short would).
    municipalities_load(rows=read_municipality_list(first), mergers=read_mergers(one))
    call_command("load_municipalities", "--list", str(listing), "--mergers", str(two), stdout=io.StringIO())
    draft.refresh_from_db()
    assert draft.municipality.cbs_code == "GM9103"


def test_files_that_cannot_be_used_are_refused_whole(db, tmp_path):
    bad_code = write(tmp_path / "a.csv", "cbs_code,name,province\nGM12,Kort,Utrecht\n")
    twice = write(tmp_path / "b.csv", "cbs_code,name,province\nGM0001,A,Utrecht\nGM0001,B,Utrecht\n")
    province = write(tmp_path / "c.csv", "cbs_code,name,province\nGM0001,A,Holland\n")
    for path in (bad_code, twice, province):
        with pytest.raises(ListError):
            read_municipality_list(path)
    dates = write(tmp_path / "m.csv", "old_code,successor_code,date\nGM0001,GM0002,1-1-2027\n")
    with pytest.raises(ListError):
        read_mergers(dates)
    listed = write(tmp_path / "l.csv", "cbs_code,name,province\nGM0001,A,Utrecht\n")
    unknown = write(tmp_path / "u.csv", "old_code,successor_code,date\nGM0001,GM0099,2027-01-01\n")
    with pytest.raises(CommandError, match="successor is not in the list"):
        call_command("load_municipalities", "--list", str(listed), "--mergers", str(unknown), stdout=io.StringIO())
    assert not Organisation.objects.filter(cbs_code="GM0001").exists()  # all or nothing


def test_a_municipality_gone_from_the_list_without_a_merger_is_reported_not_touched(db, tmp_path):
    Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Gemeente Weg", cbs_code="GM9009")
    listed = write(tmp_path / "l.csv", "cbs_code,name,province\nGM0001,A,Utrecht\n")
    err = io.StringIO()
    call_command("load_municipalities", "--list", str(listed), stdout=io.StringIO(), stderr=err)
    assert "GM9009" in err.getvalue()
    assert Organisation.objects.get(cbs_code="GM9009").merged_into is None
