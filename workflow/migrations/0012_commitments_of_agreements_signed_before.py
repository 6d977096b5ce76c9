"""Agreements signed before commitments existed get theirs, as the last signature makes them now.

One commitment per task and decision moment of the signed version (its canonical content), with the responsible
party under today's rules (workflow/after_signing/ownership.py). Superseded and expired agreements are history and
get none.
"""

import json

from django.db import migrations


def start_commitments(apps, schema_editor):
    from workflow.after_signing.ownership import commitment_rows

    Agreement = apps.get_model("agreements", "Agreement")
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    Commitment = apps.get_model("agreements", "Commitment")
    started = set(Commitment.objects.values_list("agreement_id", flat=True).distinct())
    for agreement in Agreement.objects.filter(state="signed").exclude(pk__in=started).iterator():
        version = (
            AgreementVersion.objects.filter(agreement=agreement, frozen_at__isnull=False).order_by("-number").first()
        )
        if version is None or not version.canonical_json:
            continue
        at = agreement.signed_at or agreement.state_changed_at
        Commitment.objects.bulk_create(
            [
                Commitment(agreement=agreement, version=version, created_at=at, updated_at=at, **fields)
                for fields in commitment_rows(json.loads(version.canonical_json))
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0019_commitments"),
        ("workflow", "0011_decision_moment_reminders"),
    ]

    operations = [migrations.RunPython(start_commitments, migrations.RunPython.noop)]
