"""The workflow's own tables: the e-mail outbox, e-mail preferences, the reminder policy, the security log
and personal API tokens.

The record (agreements/) knows nothing of these. A Notification row is
written in the same transaction as the change it tells about; the worker
delivers it afterwards (workflow/notifications/delivery.py, ``deliver_many``).
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import Language, LegalForm, OrganisationKind
from agreements.models import Agreement, Organisation, User


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("wacht op verzending")
    SENDING = "sending", _("wordt verzonden")
    SENT = "sent", _("verzonden")
    FAILED = "failed", _("mislukt")
    # For the daily overview: never delivered on its own. The digest (``digest``)
    # carries it, and it becomes sent when that e-mail is sent.
    HELD = "held", _("wacht op dagelijks overzicht")


class NotificationKind(models.TextChoices):
    EVENT = "event", _("gebeurtenis")
    REMINDER = "reminder", _("herinnering")
    INVITATION = "invitation", _("uitnodiging")
    PASSWORD_RESET = "password_reset", _("nieuw wachtwoord")
    DIGEST = "digest", _("dagelijks overzicht")
    REGISTRATION = "registration", _("aanmelding bevestigen")


class ReminderKind(models.TextChoices):
    REVIEW = "review", _("beoordeling wacht")
    SIGNATURE = "signature", _("handtekening wacht")
    EVALUATION = "evaluation", _("evaluatie komt eraan")
    EXPIRY = "expiry", _("looptijd eindigt")
    DECISION_DUE = "decision_due", _("besluitmoment komt eraan")
    DECISION_OVERDUE = "decision_overdue", _("besluitmoment zonder uitkomst")
    EVALUATION_ANSWER = "evaluation_answer", _("evaluatie wacht op uw antwoorden")
    ESCALATION_STEP_DUE = "escalation_step_due", _("termijn van een escalatiestap verstreken")


class Notification(models.Model):
    """One e-mail to one person about one event (the outbox)."""

    kind = models.CharField(_("soort"), max_length=20, choices=NotificationKind.choices)
    event = models.CharField(_("gebeurtenis"), max_length=40)
    # All rows written by one notify() call share the batch; a person gets at
    # most one e-mail per batch, whatever roles they hold.
    batch = models.UUIDField(default=uuid.uuid4, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # The invitation goes to someone without an account yet, so the address
    # and language live on the row; the user link is only for people we know
    # (a password reset always has one: its link is made for that account).
    recipient = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    recipient_email = models.EmailField(_("e-mailadres"))
    language = models.CharField(_("taal"), max_length=5, choices=Language.choices, default=Language.DUTCH)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    context = models.JSONField(default=dict, blank=True)
    # A held row, once taken into a person's daily overview: the overview's own
    # row (kind DIGEST), whose Message-ID is the e-mail that carried this one.
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("in dagelijks overzicht"),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    last_error = models.TextField(_("laatste fout"), blank=True)
    # Chosen once, at creation: a re-send after a crash carries the same
    # Message-ID, so a mail client shows the duplicate as one message.
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)

    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mailbericht")
        verbose_name_plural = _("e-mailberichten")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "recipient_email"], name="one_notification_per_event_recipient"),
        ]
        indexes = [
            # The sweeper and the claim: pending rows that are due, sending rows past their lease.
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["status", "claimed_at"], name="notification_claimed"),
            # The daily overview: held rows not yet taken into one.
            models.Index(
                fields=["recipient"],
                condition=models.Q(status="held", digest__isnull=True),
                name="notification_held",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_email} ({self.get_status_display()})"


class ReminderPolicy(models.Model):
    """A municipality's own reminder settings. Empty fields use the defaults from the settings."""

    municipality = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="reminder_policy",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("gemeente"),
    )
    enabled = models.BooleanField(_("herinneringen sturen"), default=True)
    review_after_days = models.PositiveSmallIntegerField(
        _("beoordeling: herinneren na (dagen)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    signature_after_days = models.PositiveSmallIntegerField(
        _("ondertekening: herinneren na (dagen)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    evaluation_within_days = models.PositiveSmallIntegerField(
        _("evaluatie: herinneren vanaf (dagen ervoor)"), null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    expiry_within_days = models.PositiveSmallIntegerField(
        _("einde looptijd: herinneren vanaf (dagen ervoor)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
    )
    period_days = models.PositiveSmallIntegerField(
        _("hoogstens één herinnering per (dagen)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    decision_within_days = models.PositiveSmallIntegerField(
        _("besluitmoment: herinneren vanaf (dagen ervoor)"), null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    decision_slip_days = models.PositiveSmallIntegerField(
        _("besluitmoment: evaluatie voorstellen bij uitstel van meer dan (dagen)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("herinneringsbeleid")
        verbose_name_plural = _("herinneringsbeleid per gemeente")

    def __str__(self) -> str:
        return str(self.municipality)


class SentReminder(models.Model):
    """That a reminder went out: the database refuses a second one in the same period."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sent_reminders")
    kind = models.CharField(_("soort"), max_length=20, choices=ReminderKind.choices)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # Which period of the waiting time or countdown, e.g. "2026-05-01/0":
    # the anchor date (submitted, approved, evaluation date) and the period number.
    period = models.CharField(_("periode"), max_length=40)
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verstuurde herinnering")
        verbose_name_plural = _("verstuurde herinneringen")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "recipient", "period"], name="one_reminder_per_period"
            ),
        ]
        indexes = [models.Index(fields=["kind", "agreement"], name="sent_reminder_kind_agreement")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Direct")
    DIGEST = "digest", _("Dagelijks overzicht")


class NotificationPreference(models.Model):
    """How one person wants the e-mails about one kind of event: at once, or in one overview a day.

    No row means at once. Only events in notifications/events.py ``DIGEST_EVENTS``
    can wait; reminders, invitations, password resets and security e-mails always go at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    event = models.CharField(_("gebeurtenis"), max_length=40)
    delivery = models.CharField(_("bezorging"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mailvoorkeur")
        verbose_name_plural = _("e-mailvoorkeuren")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_user_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.get_delivery_display()}"


class InitiativeRegistration(models.Model):
    """A volunteer registered an initiative and has yet to confirm their e-mail address.

    Nothing exists yet but this row: the organisation and the account are made
    when the link in the e-mail is followed (``members/services/registration.py``),
    so an address nobody confirms leaves no organisation behind. The password is
    kept as Django's hash; the link's token only as its SHA-256.
    """

    initiative_name = models.CharField(_("naam van het initiatief"), max_length=200)
    legal_form = models.CharField(_("rechtsvorm"), max_length=20, choices=LegalForm.choices)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    municipality = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    neighbourhood_names = models.JSONField(_("wijken en buurten"), default=list)
    full_name = models.CharField(_("naam"), max_length=200)
    email = models.EmailField(_("e-mailadres"))
    password_hash = models.CharField(max_length=200)
    language = models.CharField(_("taal"), max_length=5, choices=Language.choices, default=Language.DUTCH)
    signs_for_initiative = models.BooleanField(_("tekent namens het initiatief"), default=False)
    function = models.CharField(_("functie"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("aanmelding van een initiatief")
        verbose_name_plural = _("aanmeldingen van initiatieven")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.initiative_name} ({self.email})"


class ApiTokenScope(models.TextChoices):
    READ = "read", _("alleen lezen")
    WRITE = "write", _("lezen en handelen")


class ApiToken(models.Model):
    """A personal API token: it acts as its person, within its scope.

    The token itself is shown once, when it is made; only its SHA-256 is kept
    (``digest``). It is long and random, so a fast hash is enough: nobody can
    guess one from the digest, and a lookup costs one indexed query.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("naam"), max_length=80)
    scope = models.CharField(_("mag"), max_length=10, choices=ApiTokenScope.choices)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the token, to recognise it in a list; never enough to use it.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("gemaakt"), default=timezone.now)
    expires_at = models.DateTimeField(_("verloopt"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two tokens in use with one name could not be told apart in the list or the log.
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="one_active_token_per_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, *, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status(self) -> str:
        """ "active", "revoked" or "expired", for its list."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable(now=timezone.now()) else "expired"


class WebhookEndpoint(models.Model):
    """An HTTPS address of an organisation's own system that hears about its agreements' events.

    Its admin registers it and picks the events (``events``: names from workflow/webhooks/events.py).
    Each delivery is signed with ``secret`` (HMAC-SHA256, the Standard Webhooks scheme), which the
    receiver holds too: it is kept as is, because signing needs it, and shown to the organisation's admins.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("adres"), max_length=500)
    description = models.CharField(_("omschrijving"), max_length=200, blank=True)
    events = models.JSONField(_("gebeurtenissen"), default=list)
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(_("actief"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["organisation", "pk"]
        indexes = [models.Index(fields=["organisation", "is_active"], name="webhook_org_active")]

    def __str__(self) -> str:
        return self.url


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("wacht")
    SENDING = "sending", _("wordt verstuurd")
    DELIVERED = "delivered", _("afgeleverd")
    FAILED = "failed", _("mislukt")


class WebhookDelivery(models.Model):
    """One event for one endpoint: an outbox row, written in the transaction of the change, sent by the worker.

    ``message_id`` is the same on every attempt (``webhook-id``), so a receiver can tell a retry from a
    new event; ``attempt_log`` keeps each attempt's moment, HTTP status or error.
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    agreement = models.ForeignKey(Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event = models.CharField(_("gebeurtenis"), max_length=40)
    message_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=WebhookStatus.choices, default=WebhookStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    attempt_log = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhookbericht")
        verbose_name_plural = _("webhookberichten")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


def dossier_path(instance: DossierExport, filename: str) -> str:
    return f"dossiers/{instance.agreement.reference}/{filename}"


class DossierExport(models.Model):
    """The complete dossier of an agreement as one ZIP with a manifest: made by the worker, for the archive.

    ``last_event_id`` and ``last_document_id`` are the newest audit row and sealed PDF it holds: asking again
    while neither changed gives the same export; after a change (or once the sealed PDF is there) a new one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("wacht op de worker")
        MAKING = "making", _("wordt gemaakt")
        READY = "ready", _("klaar")
        FAILED = "failed", _("mislukt")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="dossier_exports")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_event_id = models.BigIntegerField(default=0)
    last_document_id = models.BigIntegerField(default=0)
    file = models.FileField(upload_to=dossier_path, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dossierexport")
        verbose_name_plural = _("dossierexports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.created_at:%Y-%m-%d %H:%M} ({self.status})"


__all__ = [
    "ApiToken",
    "DossierExport",
    "ApiTokenScope",
    "Delivery",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "NotificationStatus",
    "ReminderKind",
    "ReminderPolicy",
    "SentReminder",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookStatus",
]


class SecurityEventKind(models.TextChoices):
    SIGNING_STEP_UP_FAILED = "signing_step_up_failed", _("wachtwoord fout bij ondertekenen")
    SIGNING_LOCKED = "signing_locked", _("ondertekenen geblokkeerd")
    SIGNIN_ADDRESS_LIMITED = "signin_address_limited", _("inloggen vanaf een adres geblokkeerd")
    TWO_FACTOR_CODE_FAILED = "two_factor_code_failed", _("verkeerde code bij tweestapsverificatie")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("tweestapsverificatie aangezet")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("tweestapsverificatie uitgezet")
    RECOVERY_CODE_USED = "recovery_code_used", _("herstelcode gebruikt")
    API_TOKEN_CREATED = "api_token_created", _("API-token gemaakt")
    API_TOKEN_REVOKED = "api_token_revoked", _("API-token ingetrokken")


class SecurityEvent(models.Model):
    """The security log: failed attempts and blocks. Kept for SECURITY_LOG_RETENTION_DAYS, then purged.

    Not the agreement log (that one is append-only forever and says what
    happened to the record); this one says who tried what and failed.
    """

    kind = models.CharField(_("soort"), max_length=40, choices=SecurityEventKind.choices)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    request_id = models.CharField(_("verzoek-id"), max_length=64, blank=True)
    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("regel in het beveiligingslogboek")
        verbose_name_plural = _("beveiligingslogboek")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
