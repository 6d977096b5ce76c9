"""The dossier export: one ZIP with every version's content, the sealed PDFs, the log, the comments and a
manifest whose every hash the test computes again."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import AuditEvent, Comment, SignedDocument
from tests.documents.helpers import signed_agreement
from workflow.documents.dossier import dossier_make, dossier_request
from workflow.documents.signed import signed_document_create
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.models import DossierExport

pytestmark = pytest.mark.django_db


def zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def signed(world):
    agreement = signed_agreement(world)
    signed_document_create(version_id=agreement.frozen_version().pk)
    return agreement


def test_a_party_member_asks_for_the_dossier_and_every_hash_in_its_manifest_holds(world, client, signed):
    client.force_login(world.reviewer)
    page = client.get(reverse("agreement:detail", args=[signed.reference])).content.decode()
    dossier_url = reverse("documents:dossier", args=[signed.reference])
    assert dossier_url in page
    assert client.post(dossier_url).status_code == 302
    export = DossierExport.objects.get()
    assert export.status == DossierExport.Status.PENDING
    assert "wordt gemaakt" in client.get(dossier_url).content.decode()

    dossier_make(export_id=export.pk)  # the worker's half
    export.refresh_from_db()
    page = client.get(dossier_url).content.decode()
    download = reverse("documents:dossier_download", args=[signed.reference, export.pk])
    assert download in page and export.sha256 in page
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == export.sha256 and len(body) == export.size

    archive = zipfile.ZipFile(io.BytesIO(body))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"], path

    version = signed.frozen_version()
    assert hashlib.sha256(archive.read("versies/v1/inhoud.json")).hexdigest() == version.content_hash
    sealed = SignedDocument.objects.get(version=version)
    assert hashlib.sha256(archive.read("versies/v1/ondertekend.pdf")).hexdigest() == sealed.sha256
    log = json.loads(archive.read("logboek.json"))
    assert [row["action"] for row in log] == list(
        AuditEvent.objects.filter(agreement=signed).order_by("at", "pk").values_list("action", flat=True)
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("logboek.csv").decode("utf-8"))))
    assert [row["action"] for row in rows] == [row["action"] for row in log]
    assert manifest["agreement"]["reference"] == signed.reference
    # The log files say who did what, not from which address (the sealed PDF's signing record does, as always).
    for name in ("logboek.json", "logboek.csv", "opmerkingen.json", "manifest.json"):
        text = archive.read(name).decode("utf-8")
        assert "192.0.2.10" not in text and "198.51.100.7" not in text and "Mozilla" not in text, name


def test_asking_again_gives_the_same_export_until_something_happens(world, signed):
    first = dossier_request(agreement=signed, actor=world.drafter)
    assert dossier_request(agreement=signed, actor=world.reviewer).pk == first.pk
    dossier_make(export_id=first.pk)
    assert dossier_request(agreement=signed, actor=world.drafter).pk == first.pk
    advisor_grant(agreement=signed, actor=world.drafter, advisor=world.advisor_org)
    assert dossier_request(agreement=signed, actor=world.drafter).pk != first.pk


def test_advisors_read_along_but_the_dossier_is_for_the_parties(world, client, signed):
    advisor_grant(agreement=signed, actor=world.drafter, advisor=world.advisor_org)
    client.force_login(world.advisor)
    url = reverse("documents:dossier", args=[signed.reference])
    assert "voor de leden van de partijen" in client.get(url).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    api = APIClient()
    api.force_authenticate(world.advisor)
    refused = api.get(f"/api/v1/agreements/{signed.reference}/dossier/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_the_dossier_through_the_api_with_the_comments(world, signed):
    # A review comment on the version that was signed (made as the review would have, before signing).
    version = signed.frozen_version()
    Comment.objects.create(version=version, author=world.reviewer, body="Mooi resultaat.", created_at=version.frozen_at)
    api = APIClient()
    api.force_authenticate(world.drafter)
    url = f"/api/v1/agreements/{signed.reference}/dossier/"
    assert api.get(url).json()["status"] is None
    asked = api.post(url)
    assert asked.status_code == 202 and asked.json()["download_url"] is None
    dossier_make(export_id=asked.json()["id"])
    ready = api.get(url).json()
    assert ready["status"] == "ready"
    response = api.get(ready["download_url"], HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    comments = json.loads(zip_of(response).read("opmerkingen.json"))
    assert [(c["author"], c["body"]) for c in comments] == [("Rik Ambtenaar", "Mooi resultaat.")]


def test_a_dossier_asked_for_before_the_sealed_pdf_was_there_is_made_again_once_it_is(world):
    agreement = signed_agreement(world)
    early = dossier_request(agreement=agreement, actor=world.drafter)
    dossier_make(export_id=early.pk)
    early.refresh_from_db()
    with early.file.open("rb") as stored:
        assert "versies/v1/ondertekend.pdf" not in zipfile.ZipFile(stored).namelist()
    signed_document_create(version_id=agreement.frozen_version().pk)  # the worker seals it: no log row
    later = dossier_request(agreement=agreement, actor=world.drafter)
    assert later.pk != early.pk
    dossier_make(export_id=later.pk)
    later.refresh_from_db()
    assert dossier_make(export_id=later.pk).status == DossierExport.Status.READY  # a second run changes nothing
    with later.file.open("rb") as stored:
        assert "versies/v1/ondertekend.pdf" in zipfile.ZipFile(stored).namelist()
