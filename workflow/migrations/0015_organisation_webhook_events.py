"""Each organisation's ``webhook_events`` from its active endpoints, as the webhook services keep them from now on."""

from django.db import migrations


def remember_listened_events(apps, schema_editor):
    Organisation = apps.get_model("agreements", "Organisation")
    WebhookEndpoint = apps.get_model("workflow", "WebhookEndpoint")
    listened: dict[int, set[str]] = {}
    for organisation_id, events in WebhookEndpoint.objects.filter(is_active=True).values_list(
        "organisation_id", "events"
    ):
        listened.setdefault(organisation_id, set()).update(events)
    for organisation_id, events in listened.items():
        Organisation.objects.filter(pk=organisation_id).update(
            webhook_events=sorted(events)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0024_organisation_webhook_events"),
        ("workflow", "0014_escalation_reminders"),
    ]

    operations = [migrations.RunPython(remember_listened_events, migrations.RunPython.noop)]
