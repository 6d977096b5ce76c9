"""Admin for the workflow's own tables: the e-mail outbox, reminders and their per-municipality policy.

Also the Dutch names of django-axes' sign-in records, which that package only
names in English. Only the display names change (``_meta.verbose_name``,
not the model options a migration would record).
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.models import Notification, NotificationStatus, ReminderPolicy, SentReminder
from workflow.notifications.outbox import queue_delivery
from workflow.notifications.policy import POLICY_FIELDS

apps.get_app_config("axes").verbose_name = _("Inlogbeveiliging")
for _model, _singular, _plural in (
    (AccessAttempt, _("mislukte inlogpoging"), _("mislukte inlogpogingen")),
    (AccessLog, _("inlogmoment"), _("inlogmomenten")),
    (AccessFailureLog, _("logregel mislukte inlog"), _("logboek mislukte inlogs")),
):
    _model._meta.verbose_name = _singular
    _model._meta.verbose_name_plural = _plural


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "recipient_email", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "event", "language")
    search_fields = ("recipient_email", "message_id", "agreement__reference")
    date_hierarchy = "created_at"
    list_select_related = ("agreement",)
    raw_id_fields = ("agreement", "recipient", "actor")
    readonly_fields = (
        "kind",
        "event",
        "batch",
        "agreement",
        "recipient",
        "recipient_email",
        "language",
        "actor",
        "context",
        "status",
        "attempts",
        "last_error",
        "message_id",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
    )
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Opnieuw versturen (mislukte berichten)"))
    def send_again(self, request, queryset):
        rows = queryset.filter(status=NotificationStatus.FAILED)
        ids = list(rows.values_list("pk", flat=True))
        rows.update(status=NotificationStatus.PENDING, next_attempt_at=timezone.now(), attempts=0)
        queue_delivery(ids)
        self.message_user(request, _("%(count)s bericht(en) staan weer klaar.") % {"count": len(ids)}, messages.SUCCESS)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ("municipality", *POLICY_FIELDS)
    list_select_related = ("municipality",)
    search_fields = ("municipality__name", "municipality__cbs_code")


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "agreement", "recipient", "period")
    list_filter = ("kind",)
    search_fields = ("agreement__reference", "recipient__email")
    raw_id_fields = ("agreement", "recipient", "notification")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
