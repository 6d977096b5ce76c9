"""A task with two other parties, end to end: the draft, the canonical content, the agreement page, the API,
the signed PDF, and the comparison of versions."""

from __future__ import annotations

import json
import re

import pytest

from agreements.choices import AgreementState
from agreements.models import Agreement
from tests.documents.helpers import draft_agreement, meta
from tests.documents.reading import pdf_text
from tests.factories import PASSWORD, build_world
from workflow.lifecycle.diff import version_diff
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve, agreement_request_changes, agreement_submit
from workflow.lifecycle.services.signing import agreement_sign

pytestmark = pytest.mark.django_db

SHARED_TASK = {
    "task": "Gasnet uitfaseren en huurwoningen aansluiten",
    "phase": "realisation",
    "initiative_role": "C",
    "municipality_role": "A",
    "third_parties": [
        {"name": "Netbeheerder Enexis", "role": "R"},
        {"name": "Woningcorporatie deltaWonen", "role": "C"},
    ],
}


def _with_shared_task(w) -> Agreement:
    agreement = draft_agreement(w)
    version = agreement.current_version()
    rows = [
        {
            "task": r.task,
            "phase": r.phase,
            "initiative_role": r.initiative_role,
            "municipality_role": r.municipality_role,
            "third_parties": [p.as_dict() for p in r.third_party_roles],
        }
        for r in version.responsibilities.all()
    ]
    agreement_update_draft(
        agreement=agreement,
        actor=w.drafter,
        based_on_parts={"responsibilities": version.part_revision("responsibilities")},
        responsibilities=[*rows, SHARED_TASK],
    )
    return Agreement.objects.get(pk=agreement.pk)


def _sign(w, agreement: Agreement) -> Agreement:
    agreement_submit(agreement=agreement, actor=w.drafter, request_meta=meta("192.0.2.10"))
    agreement_approve(agreement=agreement, actor=w.reviewer, request_meta=meta("198.51.100.7"))
    content_hash = agreement.frozen_version().content_hash
    for signer in (w.initiative_signer1, w.initiative_signer2, w.municipal_signer):
        agreement_sign(
            password=PASSWORD, authority_confirmed=True, agreement=agreement, actor=signer, content_hash=content_hash
        )
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.state == AgreementState.SIGNED
    return agreement


def test_a_task_with_two_other_parties_from_draft_to_signed_pdf(client, tmp_path):
    w = build_world()
    agreement = _sign(w, _with_shared_task(w))
    version = agreement.frozen_version()

    # The signed hash covers both parties and their roles (canonical schema 2, and 3 since).
    stored = json.loads(version.canonical_bytes())
    assert stored["schema"] == 3
    assert stored["responsibilities"][-1]["third_parties"] == [
        {"name": "Netbeheerder Enexis", "role": "R"},
        {"name": "Woningcorporatie deltaWonen", "role": "C"},
    ]

    # The agreement page's matrix: each party with its own role, in words for screen readers.
    client.force_login(w.drafter)
    page = client.get(f"/afspraken/{agreement.reference}/").content.decode()
    matrix = page[page.index("Wie doet wat, per taak") :]
    row = matrix[matrix.index(SHARED_TASK["task"]) :]
    row = row[: row.index("</tr>")]
    assert "Netbeheerder Enexis:" in row and "Woningcorporatie deltaWonen:" in row
    assert "uitvoerend (R)" in row and "geraadpleegd (C)" in row
    assert "Andere partijen" in matrix

    # The API.
    data = client.get(f"/api/v1/agreements/{agreement.reference}/").json()
    assert data["version"]["responsibilities"][-1]["third_parties"] == SHARED_TASK["third_parties"]

    # The signed PDF.
    from agreements import pdf

    text = re.sub(r"\s+", " ", pdf_text(pdf.render_version_pdf(version)))
    assert "Netbeheerder Enexis: R" in text
    assert "Woningcorporatie deltaWonen: C" in text


def test_the_comparison_of_versions_sees_a_party_added_to_a_row(client):
    w = build_world()
    agreement = _with_shared_task(w)
    agreement_submit(agreement=agreement, actor=w.drafter)
    agreement_request_changes(agreement=agreement, actor=w.reviewer, note="Noem ook de gemeente-afdeling")
    first = agreement.frozen_version()
    rows = [
        {
            "task": r.task,
            "phase": r.phase,
            "initiative_role": r.initiative_role,
            "municipality_role": r.municipality_role,
            "third_parties": [p.as_dict() for p in r.third_party_roles],
        }
        for r in first.responsibilities.all()
    ]
    rows[-1]["third_parties"].append({"name": "Waterschap Drents Overijsselse Delta", "role": "I"})
    second = agreement_update_draft(
        agreement=agreement,
        actor=w.drafter,
        based_on_parts={"responsibilities": first.part_revision("responsibilities")},
        responsibilities=rows,
    )

    diff = version_diff(first, second)
    changed = [c for c in diff["responsibilities"] if c.op != "equal"]
    assert len(changed) == 1 and changed[0].changed_fields == ["third_parties"]

    client.force_login(w.drafter)
    page = client.get(f"/afspraken/{agreement.reference}/versies/").content.decode()
    assert "Waterschap Drents Overijsselse Delta: I" in page
