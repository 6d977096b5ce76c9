"""Several other parties per row of the role division, and a revision per part of a draft.

``Responsibility.third_parties`` holds any number of named parties, each with
its own role (canonical schema 2). Rows of frozen versions keep their one
party in ``third_party_name``/``third_party_role``: the PostgreSQL triggers of
0007 refuse every change to them, and their canonical bytes are stored under
schema 1. Adding the columns rewrites no row (a column default, no UPDATE), so
the triggers are not involved. The rows of drafts (not frozen) are moved to the
new field here, so every draft speaks schema 2.

``AgreementVersion.part_revisions`` starts empty: every part counts as never
saved on its own, and the first save of a part gives it the draft's revision.
"""

from django.db import migrations, models


def move_draft_rows_to_third_parties(apps, schema_editor):
    Responsibility = apps.get_model("agreements", "Responsibility")
    drafts = Responsibility.objects.filter(version__frozen_at__isnull=True).exclude(third_party_name="")
    for row in drafts.iterator():
        row.third_parties = [{"name": row.third_party_name, "role": row.third_party_role}]
        row.third_party_name = ""
        row.third_party_role = ""
        row.save(update_fields=["third_parties", "third_party_name", "third_party_role"])


def move_draft_rows_back(apps, schema_editor):
    Responsibility = apps.get_model("agreements", "Responsibility")
    for row in Responsibility.objects.filter(version__frozen_at__isnull=True).iterator():
        if row.third_parties:
            first = row.third_parties[0]
            row.third_party_name = first["name"]
            row.third_party_role = first.get("role") or ""
            row.save(update_fields=["third_party_name", "third_party_role"])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0010_request_id_on_log_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreementversion",
            name="part_revisions",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="revisie per onderdeel"),
        ),
        migrations.AddField(
            model_name="responsibility",
            name="third_parties",
            field=models.JSONField(blank=True, default=list, verbose_name="andere partijen"),
        ),
        migrations.RunPython(move_draft_rows_to_third_parties, move_draft_rows_back),
    ]
