"""Admin for the workflow's own tables: the e-mail outbox, reminders and their per-municipality policy.

Also the Dutch names of django-axes' sign-in records, which that package only
names in English. Only the display names change (``_meta.verbose_name``,
not the model options a migration would record).
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

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
        "digest",
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


# --- signing in to the admin ---------------------------------------------------------------
# The admin has a sign-in form of its own that knows nothing of the code step. Everyone signs in on the
# site's page instead (password, then the code when set up), and comes back to the admin afterwards.


def _site_login(request, extra_context=None):
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("login"))


admin.site.login = _site_login

# Devices are cleared through the member pages (audited in the organisation's member log), not edited here.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
