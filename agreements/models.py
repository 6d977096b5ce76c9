"""The record: who the parties are, what they agree, who signed, what happened.

This module knows nothing of permissions, pages or e-mail (that is workflow/).
The state machine here is pure: transitions change only the agreement's own
fields; the services in workflow/ do every other write in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agreements import canonical
from agreements.choices import (
    OPEN_COMMITMENT_STATUSES,
    OPEN_STATES,
    SIGNED_STATES,
    AgreementForm,
    AgreementState,
    AuditAction,
    CommitmentKind,
    CommitmentStatus,
    DecidingBody,
    DecisionOutcome,
    EscalationStatus,
    EvaluationReason,
    Instrument,
    Language,
    LegalForm,
    LessonTopic,
    MembershipAction,
    MembershipRole,
    OrganisationKind,
    Phase,
    Province,
    RaciRole,
    ResponsibleParty,
    TwoFactorPolicy,
)
from agreements.placeholders import placeholders_in
from agreements.sections import REQUIRED_SECTION_KEYS, SECTION_ORDER, SECTIONS_BY_KEY, SectionKey


class ImmutableRecordError(Exception):
    """Raised when code tries to change something the record keeps forever."""


# --- People and organisations ---------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


# What one line of text never holds: control characters (tab, line feed,
# carriage return, NUL, DEL, the C1 set) and the Unicode line and paragraph separators.
NOT_ON_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})
SINGLE_LINE_MESSAGE = _("Gebruik hier één regel tekst, zonder regeleinden, tabs of andere stuurtekens.")


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(character) in NOT_ON_ONE_LINE for character in value)


def single_line(value: str) -> None:
    """Validator of titles and names: one line, because they end up in e-mail subjects and in table cells.

    Multi-line texts (sections, comments, notes) keep their line breaks and do not use it.
    """
    if value and has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def single_line_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` that hold one line of text (those validated by ``single_line``)."""
    return [f.name for f in model._meta.concrete_fields if single_line in f.validators]


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("volledige naam"), max_length=200, validators=[single_line])
    preferred_language = models.CharField(
        _("voorkeurstaal"), max_length=5, choices=Language.choices, default=Language.DUTCH
    )
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(_("medewerker Samenkader"), default=False)
    date_joined = models.DateTimeField(_("lid sinds"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


cbs_municipality_code = RegexValidator(r"^GM\d{4}$", _("Een CBS-gemeentecode ziet eruit als GM0193."))
cbs_area_code = RegexValidator(
    r"^(WK\d{6}|BU\d{8})$", _("Een CBS-code van een wijk ziet eruit als WK019301, van een buurt als BU01930101.")
)
kvk_number_validator = RegexValidator(r"^\d{8}$", _("Een KvK-nummer heeft 8 cijfers."))


def current_mandate(on: dt.date | None = None, *, via: str = "") -> Q:
    """The mandate rule, in one place: a signatory may sign while their mandate has not ended.

    No end date, or an end date today or later. ``via`` is the lookup path to the
    membership (``"memberships__"`` from a User) so every query can use it.
    """
    on = on or timezone.localdate()
    return Q(**{f"{via}mandate_until__isnull": True}) | Q(**{f"{via}mandate_until__gte": on})


def quorum_rule(
    *,
    signing_quorum: int,
    four_eyes: bool,
    signed: int,
    only_the_approver_signed: bool,
    active_signatories: Callable[[], int],
) -> tuple[bool, bool]:
    """The signing rule on plain values (``Agreement.quorum_met_by_count`` explains it and feeds it from rows):
    (complete, needs a second pair of eyes). ``four_eyes``: the party is the municipality and has the setting on.
    For lists that read their agreements as values, such as the home page's waiting list."""
    if signed < signing_quorum:
        return False, False
    if four_eyes and only_the_approver_signed and active_signatories() > 1:
        return False, True
    return True, False


class Organisation(models.Model):
    kind = models.CharField(_("soort"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("naam"), max_length=200, validators=[single_line])
    cbs_code = models.CharField(
        _("CBS-gemeentecode"), max_length=6, null=True, blank=True, unique=True, validators=[cbs_municipality_code]
    )
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True, validators=[kvk_number_validator])
    province = models.CharField(_("provincie"), max_length=2, choices=Province.choices, blank=True)
    signing_quorum = models.PositiveSmallIntegerField(
        _("aantal handtekeningen nodig"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Bijvoorbeeld 2 als het bestuur van een coöperatie met twee leden tekent."),
    )
    four_eyes_signing = models.BooleanField(
        _("vier ogen bij ondertekenen"),
        default=True,
        help_text=_(
            "Alleen voor gemeenten: wie de afspraak goedkeurde, mag niet de enige handtekening van de gemeente zijn "
            "als de gemeente meer dan één ondertekenaar heeft."
        ),
    )
    two_factor_policy = models.CharField(
        _("tweestapsverificatie"),
        max_length=30,
        choices=TwoFactorPolicy.choices,
        default=TwoFactorPolicy.OPTIONAL,
        help_text=_(
            "Wie van de leden bij het inloggen ook een code uit een authenticator-app moet invullen. "
            "Geldt vanaf de volgende keer dat iemand inlogt."
        ),
    )
    # A municipality that merged into another (CBS's yearly list; workflow/members/services/municipalities.py):
    # its agreements moved to the successor, and it is no longer offered for new ones.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("opgegaan in"),
    )
    merged_on = models.DateField(_("heringedeeld op"), null=True, blank=True)
    # An initiative tells who it is when it registers itself (workflow/members/services/registration.py); a new
    # agreement starts with its municipality and neighbourhoods filled in.
    legal_form = models.CharField(_("rechtsvorm"), max_length=20, choices=LegalForm.choices, blank=True)
    home_municipality = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("gemeente waar het initiatief werkt"),
    )
    neighbourhood_names = models.JSONField(_("wijken en buurten"), default=list, blank=True)
    registered_at = models.DateTimeField(_("zelf aangemeld op"), null=True, blank=True)
    # Platform staff look at every initiative that registered itself (their queue) and may suspend one:
    # a suspended organisation's members still read its agreements but act on nothing (core/access.py).
    checked_at = models.DateTimeField(_("bekeken door Samenkader op"), null=True, blank=True)
    checked_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bekeken door")
    )
    suspended_at = models.DateTimeField(_("geschorst op"), null=True, blank=True)
    # The events any active webhook of this organisation listens to, kept by the webhook services in the
    # transaction that changes an endpoint (workflow/webhooks/services.py): a transition reads its parties with
    # the row it locks, so it knows from them whether a webhook delivery is due, without asking the endpoints.
    webhook_events = models.JSONField(default=list, blank=True, editable=False)
    suspended_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("geschorst door")
    )
    suspension_reason = models.TextField(_("reden van schorsing"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.MUNICIPALITY) | Q(cbs_code__isnull=False),
                name="municipality_has_cbs_code",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.MUNICIPALITY) | Q(cbs_code__isnull=True),
                name="only_municipality_has_cbs_code",
            ),
            models.CheckConstraint(condition=Q(signing_quorum__gte=1), name="signing_quorum_at_least_one"),
            models.CheckConstraint(
                condition=~Q(two_factor_policy=TwoFactorPolicy.REVIEWERS_AND_SIGNATORIES)
                | Q(kind=OrganisationKind.MUNICIPALITY),
                name="two_factor_for_reviewers_only_in_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # ``webhook_events`` is written only by the webhook services, with an UPDATE of its own. A whole-row save
        # of a copy read earlier (the admin's form) leaves it alone, so it never writes back a list gone stale.
        if not self._state.adding and kwargs.get("update_fields") is None:
            left_alone = {"webhook_events", *self.get_deferred_fields()}  # deferred: as Django's own save does
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields if not f.primary_key and f.attname not in left_alone
            ]
        super().save(*args, **kwargs)

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrganisationKind.MUNICIPALITY

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def active_signatory_ids(self, *, on: dt.date | None = None) -> set[int]:
        return set(
            self.memberships.filter(role=MembershipRole.SIGNATORY)
            .filter(current_mandate(on))
            .values_list("user_id", flat=True)
        )


def current_municipalities() -> models.QuerySet[Organisation]:
    """The municipalities that exist today: every one but those that merged into another."""
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY, merged_into__isnull=True)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=20, choices=MembershipRole.choices)
    mandate_until = models.DateField(
        _("mandaat tot en met"),
        null=True,
        blank=True,
        help_text=_("Alleen voor ondertekenaars: na deze datum kan deze persoon niet meer tekenen."),
    )
    # The function a signatory signs under (wethouder, voorzitter, penningmeester); each signature copies it.
    function = models.CharField(
        _("functie"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_("Alleen voor ondertekenaars: de functie waarin deze persoon tekent, bijvoorbeeld wethouder."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="one_membership_per_role"),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class MembershipEvent(models.Model):
    """Append-only log of an organisation's members: who invited, changed or removed whom, when, from where.

    The member services write one line per change, in the same transaction as
    the change. The person whose membership changed is kept by address too,
    so the line outlives their account.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="membership_events", verbose_name=_("organisatie")
    )
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("door")
    )
    subject = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lid")
    )
    subject_email = models.EmailField(_("e-mailadres van het lid"))
    action = models.CharField(_("wat"), max_length=30, choices=MembershipAction.choices)
    roles_before = models.CharField(
        _("rollen vooraf"), max_length=100, blank=True, help_text=_("Rolcodes, gescheiden door komma's.")
    )
    roles_after = models.CharField(
        _("rollen daarna"),
        max_length=100,
        blank=True,
        help_text=_("Rolcodes, gescheiden door komma's. Bij een uitnodiging: de rollen zodra die is aangenomen."),
    )
    mandate_until = models.DateField(_("mandaat tot en met"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    request_id = models.CharField(_("verzoek-id"), max_length=64, blank=True)
    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    note = models.TextField(_("toelichting"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("regel in het logboek leden")
        verbose_name_plural = _("logboek leden")
        ordering = ["at", "pk"]
        # The log page lists one organisation's lines, newest first.
        indexes = [models.Index(fields=["organisation", "at"], name="membership_event_org_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject_email}"

    @staticmethod
    def roles_text(roles) -> str:
        """Role codes as stored: comma-separated, in the order of MembershipRole."""
        held = set(roles)
        return ",".join(role for role in MembershipRole.values if role in held)

    @staticmethod
    def _role_labels(text: str) -> list[str]:
        labels = []
        for code in filter(None, text.split(",")):
            try:
                labels.append(str(MembershipRole(code).label))
            except ValueError:
                labels.append(code)
        return labels

    def roles_before_labels(self) -> list[str]:
        return self._role_labels(self.roles_before)

    def roles_after_labels(self) -> list[str]:
        return self._role_labels(self.roles_after)

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ImmutableRecordError("The member log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("The member log is append-only.")


class InvitationQuerySet(models.QuerySet):
    def open(self, *, now: dt.datetime | None = None) -> InvitationQuerySet:
        """Invitations that can still be confirmed or accepted: not used, not withdrawn, not expired."""
        return self.filter(
            status__in=[Invitation.Status.AWAITING_CONFIRMATION, Invitation.Status.PENDING],
            expires_at__gt=now or timezone.now(),
        )


class Invitation(models.Model):
    """Someone asked to join an organisation with a role: a row, listed, withdrawable, expiring, used once.

    The link in the e-mail carries a random token; only its SHA-256 is stored.
    A municipality's first contact, asked for by an initiative, waits for
    platform staff to confirm the address before any e-mail goes out; once
    accepted, that person is the municipality's admin and reviewer.
    """

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("wacht op bevestiging door Samenkader")
        PENDING = "pending", _("verstuurd")
        ACCEPTED = "accepted", _("aangenomen")
        WITHDRAWN = "withdrawn", _("ingetrokken")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisatie")
    )
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(_("rol"), max_length=20, choices=MembershipRole.choices)
    mandate_until = models.DateField(_("mandaat tot en met"), null=True, blank=True)
    is_first_contact = models.BooleanField(
        _("eerste contactpersoon"),
        default=False,
        help_text=_("Wordt beheerder en beoordelaar van de gemeente, nadat Samenkader het adres heeft bevestigd."),
    )
    requested_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gevraagd door"),
    )
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uitgenodigd door"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    expires_at = models.DateTimeField(_("verloopt"))
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bevestigd door")
    )
    confirmed_at = models.DateTimeField(_("bevestigd"), null=True, blank=True)
    confirmed_domain = models.CharField(
        _("e-maildomein van de gemeente"),
        max_length=200,
        blank=True,
        help_text=_("Het domein dat Samenkader bij de gemeente naging, bijvoorbeeld zwolle.nl."),
    )
    accepted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("aangenomen door")
    )
    accepted_at = models.DateTimeField(_("aangenomen"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ingetrokken door")
    )
    withdrawn_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open invitation per address and organisation: a second one would race the first.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status__in=["awaiting_confirmation", "pending"]),
                name="one_open_invitation_per_address",
            ),
            models.CheckConstraint(
                condition=Q(is_first_contact=False) | Q(requested_by_organisation__isnull=False),
                name="first_contact_names_who_asked",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        """Can still be confirmed or accepted (and so withdrawn): waiting or sent, and not expired."""
        return self.status in (self.Status.AWAITING_CONFIRMATION, self.Status.PENDING) and (
            self.expires_at > timezone.now()
        )

    @property
    def is_expired(self) -> bool:
        return self.status in (self.Status.AWAITING_CONFIRMATION, self.Status.PENDING) and not self.is_open

    @property
    def roles_on_acceptance(self) -> list[str]:
        """A first contact becomes the municipality's admin and reviewer; anyone else gets the role asked for."""
        if self.is_first_contact:
            return [MembershipRole.ADMIN, MembershipRole.REVIEWER]
        return [self.role]

    @property
    def roles_on_acceptance_labels(self) -> list[str]:
        return [str(MembershipRole(role).label) for role in self.roles_on_acceptance]


# --- The agreement and its state machine ------------------------------------------------


class ReferenceSequence(models.Model):
    """The last reference number handed out per year (SK-2026-0007)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"

    @classmethod
    def allocate(cls, year: int) -> str:
        with transaction.atomic():
            sequence, _created = cls.objects.select_for_update().get_or_create(year=year)
            sequence.last_number += 1
            sequence.save(update_fields=["last_number"])
        return f"SK-{year}-{sequence.last_number:04d}"


class SigningSnapshot:
    """What the signing rules ask about one frozen version, read in one query (``Agreement.take_signing_snapshot``).

    The signatures in force per party, and per party its signatories whose
    mandate runs today with the function each holds. A service takes it on the
    locked agreement row, so it stays true for the rest of that transaction; the
    signature the service adds goes in with ``add_signature``.
    """

    def __init__(self, *, version_id: int, signers: dict[int, set[int]], signatories: dict[int, dict[int, str]]):
        self.version_id = version_id
        self._signers = signers
        self._signatories = signatories

    def signer_ids(self, party_id: int) -> set[int]:
        return set(self._signers.get(party_id, ()))

    def active_signatory_ids(self, party_id: int) -> set[int]:
        return set(self._signatories.get(party_id, {}))

    def function_of(self, user_id: int, party_id: int) -> str:
        return self._signatories.get(party_id, {}).get(user_id, "")

    def has_signed(self, user_id: int) -> bool:
        return any(user_id in signers for signers in self._signers.values())

    def add_signature(self, *, party_id: int, signer_id: int) -> None:
        self._signers.setdefault(party_id, set()).add(signer_id)


def with_transition_facts(
    agreements: models.QuerySet[Agreement], *, canonical: bool = False
) -> models.QuerySet[Agreement]:
    """The agreements with what their transitions ask, read in the same query as the row.

    The frozen version's id, number and content hash (``facts_frozen_*``;
    ``frozen_version_number`` reads them) and how many of the parties' comments
    on it are open (``open_comment_count``). A service locks the row through
    this, so the facts are as fresh as the lock. ``canonical``: its canonical
    content too (``facts_frozen_canonical``, JSON text), for the last signature,
    which makes the commitments from it.
    """
    frozen = AgreementVersion.objects.filter(agreement=models.OuterRef("pk"), frozen_at__isnull=False).order_by(
        "-number"
    )
    frozen_of_outer = AgreementVersion.objects.filter(
        agreement=models.OuterRef(models.OuterRef("pk")), frozen_at__isnull=False
    ).order_by("-number")
    open_comments = (
        Comment.objects.filter(
            party_comments(), resolved_at__isnull=True, version_id=models.Subquery(frozen_of_outer.values("pk")[:1])
        )
        .order_by()
        .values("version_id")
        .annotate(open=models.Count("pk"))
        .values("open")
    )
    if canonical:
        agreements = agreements.annotate(facts_frozen_canonical=models.Subquery(frozen.values("canonical_json")[:1]))
    return agreements.annotate(
        facts_frozen_version_id=models.Subquery(frozen.values("pk")[:1]),
        facts_frozen_number=models.Subquery(frozen.values("number")[:1]),
        facts_frozen_hash=models.Subquery(frozen.values("content_hash")[:1]),
        facts_open_comments=Coalesce(models.Subquery(open_comments), 0),
    )


def _content_is_complete(agreement: Agreement) -> bool:
    return not agreement.missing_for_submission()


def _all_comments_resolved(agreement: Agreement) -> bool:
    return agreement.open_comment_count() == 0


def _signatures_complete(agreement: Agreement) -> bool:
    return agreement.signatures_complete()


def _validity_has_passed(agreement: Agreement) -> bool:
    return agreement.valid_until is not None and agreement.valid_until < timezone.localdate()


class Agreement(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True)
    title = models.CharField(_("titel"), max_length=200, validators=[single_line])
    form = models.CharField(
        _("vorm"), max_length=30, choices=AgreementForm.choices, default=AgreementForm.COOPERATION_AGREEMENT
    )
    language = models.CharField(_("taal van de afspraak"), max_length=5, choices=Language.choices, default="nl")
    initiative = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="initiative_agreements",
        limit_choices_to={"kind": OrganisationKind.INITIATIVE},
        verbose_name=_("bewonersinitiatief"),
    )
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="municipality_agreements",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("gemeente"),
    )
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, default=Phase.ORIENTATION)
    state = FSMField(_("status"), default=AgreementState.DRAFT, choices=AgreementState.choices, protected=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("wijzigt"),
    )
    advisors = models.ManyToManyField(
        Organisation,
        through="AdvisorAccess",
        related_name="advised_agreements",
        blank=True,
        verbose_name=_("adviseurs met inzage"),
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The public example this agreement was started from (the examples page's "use as starting point").
    started_from_example = models.ForeignKey(
        "PublicExample",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reused_by",
        verbose_name=_("begonnen met voorbeeld"),
    )
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # Who submitted the version under review: they may not approve it themselves.
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("status gewijzigd"), default=timezone.now)
    submitted_at = models.DateTimeField(_("ingediend"), null=True, blank=True)
    approved_at = models.DateTimeField(_("goedgekeurd"), null=True, blank=True)
    signed_at = models.DateTimeField(_("ondertekend"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("vervangen"), null=True, blank=True)
    expired_at = models.DateTimeField(_("verlopen"), null=True, blank=True)

    review_due_date = models.DateField(_("beoordeling gewenst voor"), null=True, blank=True)
    evaluation_date = models.DateField(_("evaluatiedatum"), null=True, blank=True)
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)

    class Meta:
        verbose_name = _("samenwerkingsafspraak")
        verbose_name_plural = _("samenwerkingsafspraken")
        ordering = ["-created_at"]
        constraints = [
            # At most one open amendment per signed agreement.
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=Q(supersedes__isnull=False, state__in=[s.value for s in OPEN_STATES]),
                name="one_open_amendment_per_agreement",
            ),
            models.CheckConstraint(condition=~Q(initiative=models.F("municipality")), name="two_distinct_parties"),
        ]
        indexes = [
            models.Index(fields=["state", "state_changed_at"]),
            models.Index(fields=["municipality", "state"]),
            models.Index(fields=["initiative", "state"]),
            # Lists newest change first (home page, monitoring, API).
            models.Index(fields=["-state_changed_at", "-id"], name="agreement_changed_idx"),
            # Reminders and the monitoring overview look ahead at signed agreements' dates.
            models.Index(
                fields=["evaluation_date"], condition=Q(state=AgreementState.SIGNED), name="agreement_signed_eval_idx"
            ),
            models.Index(
                fields=["valid_until"], condition=Q(state=AgreementState.SIGNED), name="agreement_signed_valid_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    # What a service read once under the row lock, for the rules below (None: they query).
    _signing: SigningSnapshot | None = None

    # --- reads the transitions' conditions use --------------------------------------

    @property
    def parties(self) -> tuple[Organisation, Organisation]:
        return (self.initiative, self.municipality)

    def current_version(self) -> AgreementVersion | None:
        """The newest version: the draft being edited, or the one under review or signed."""
        return self.versions.order_by("-number").first()

    def frozen_version(self) -> AgreementVersion | None:
        """The newest frozen version: the one under review, approved, or signed."""
        return self.versions.filter(frozen_at__isnull=False).order_by("-number").first()

    def forget_transition_facts(self) -> None:
        """Drop what a service read once under its lock (facts, kept content, signing snapshot).

        The services call it before they hand the row back, so a caller that goes on
        with the same object (a page, the API) reads afresh; ``refresh_from_db`` calls it too.
        """
        for key in [k for k in self.__dict__ if k.startswith("facts_")]:
            del self.__dict__[key]
        self.__dict__.pop("_current_with_content", None)
        self.__dict__.pop("_signing", None)

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.forget_transition_facts()
        super().refresh_from_db(*args, **kwargs)

    def _locked_with_facts(self) -> bool:
        """Read through ``with_transition_facts``: a service's locked row, whose reads may be kept for its call."""
        return "facts_frozen_version_id" in self.__dict__

    def current_version_with_content(self) -> AgreementVersion | None:
        """The newest version with its sections, role division and decision moments read along.

        On a row a service locked (``with_transition_facts``) it is read once and
        kept: submitting checks the content and freezes it from the same rows.
        """
        if self._locked_with_facts() and "_current_with_content" in self.__dict__:
            return self.__dict__["_current_with_content"]
        version = (
            self.versions.order_by("-number")
            .prefetch_related("sections", "responsibilities", "decision_moments", "escalation_steps")
            .first()
        )
        if self._locked_with_facts():
            self.__dict__["_current_with_content"] = version
        return version

    def missing_for_submission(self) -> list[str]:
        """Human-readable reasons why the current content cannot be submitted yet (empty: it can)."""
        version = self.current_version_with_content() if self._locked_with_facts() else self.current_version()
        if version is None:
            return [str(_("Er is nog geen inhoud."))]
        missing: list[str] = []
        bodies = {s.key: s.body.strip() for s in version.sections.all()}
        for key in REQUIRED_SECTION_KEYS:
            if not bodies.get(key):
                missing.append(str(_("Het onderdeel '%(title)s' is nog leeg.") % {"title": SECTIONS_BY_KEY[key].title}))
        for key in SECTION_ORDER:
            left = placeholders_in(bodies.get(key, ""))
            if left:
                missing.append(
                    str(
                        _("In '%(title)s' staat nog in te vullen: %(placeholders)s")
                        % {"title": SECTIONS_BY_KEY[key].title, "placeholders": ", ".join(left)}
                    )
                )
        rows = list(version.responsibilities.all())
        carrying = {RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE}
        if not any(r.initiative_role in carrying for r in rows):
            missing.append(
                str(
                    _(
                        "De rolverdeling heeft nog geen taak waarvoor het bewonersinitiatief "
                        "uitvoerend (R) of eindverantwoordelijk (A) is."
                    )
                )
            )
        if not any(r.municipality_role in carrying for r in rows):
            missing.append(
                str(
                    _(
                        "De rolverdeling heeft nog geen taak waarvoor de gemeente "
                        "uitvoerend (R) of eindverantwoordelijk (A) is."
                    )
                )
            )
        return missing

    def unresolved_comments(self) -> models.QuerySet[Comment]:
        version = self.frozen_version()
        if version is None:
            return Comment.objects.none()
        # Advisory notes never block: only the parties' own comments wait to be resolved.
        return version.comments.filter(party_comments(), resolved_at__isnull=True)

    def open_comment_count(self) -> int:
        """How many of the parties' comments on the frozen version are still open.

        Read once with the row when it was fetched through ``with_transition_facts``
        (the lock of the review services), otherwise counted now.
        """
        known = self.__dict__.get("facts_open_comments")
        if known is not None:
            return known
        return self.unresolved_comments().count()

    def frozen_version_number(self) -> int | None:
        """The number of the frozen version: from the row when read through ``with_transition_facts``."""
        if "facts_frozen_number" in self.__dict__:
            return self.facts_frozen_number
        version = self.frozen_version()
        return version.number if version else None

    def take_signing_snapshot(self, version: AgreementVersion | int) -> SigningSnapshot:
        """Read the signatures in force on ``version`` and both parties' signatories in one query, and keep them.

        From then on ``party_signing_status``, ``signatures_complete`` and
        ``active_signatory_ids_of`` for that version answer from the snapshot
        without a query. Take it only on the row a service locked: it is as
        fresh as that lock.
        """
        version_id = version if isinstance(version, int) else version.pk
        signed = (
            Signature.objects.filter(version_id=version_id, voided_at__isnull=True)
            .order_by()  # no ORDER BY inside a UNION: SQLite refuses one
            .annotate(kind=models.Value("signed"), role_function=models.Value(""))
            .values_list("party_id", "signer_id", "kind", "role_function")
        )
        signatories = (
            Membership.objects.filter(
                organisation_id__in=[self.initiative_id, self.municipality_id], role=MembershipRole.SIGNATORY
            )
            .filter(current_mandate())
            .order_by()
            .annotate(kind=models.Value("signatory"), role_function=models.F("function"))
            .values_list("organisation_id", "user_id", "kind", "role_function")
        )
        signers: dict[int, set[int]] = {}
        mandates: dict[int, dict[int, str]] = {}
        for party_id, user_id, kind, function in signed.union(signatories, all=True):
            if kind == "signed":
                signers.setdefault(party_id, set()).add(user_id)
            else:
                mandates.setdefault(party_id, {})[user_id] = function or ""
        self._signing = SigningSnapshot(version_id=version_id, signers=signers, signatories=mandates)
        return self._signing

    @property
    def signing_snapshot(self) -> SigningSnapshot | None:
        """The snapshot ``take_signing_snapshot`` kept on this row, if any."""
        return self._signing

    def _snapshot_for(self, version: AgreementVersion | None) -> SigningSnapshot | None:
        snapshot = self._signing
        if snapshot is None or (version is not None and version.pk != snapshot.version_id):
            return None
        return snapshot

    def active_signatory_ids_of(self, party: Organisation) -> set[int]:
        """The party's signatories whose mandate runs today: from the signing snapshot when one was taken."""
        snapshot = self._signing
        if snapshot is not None:
            return snapshot.active_signatory_ids(party.pk)
        return party.active_signatory_ids()

    def party_signing_status(self, party: Organisation, version: AgreementVersion | None = None) -> dict:
        """How far this party is with signing the version: signed, required, complete.

        Only signatures in force count: a void one (reopened) is kept but no longer counts.
        Four eyes: when the municipality has more than one active signatory and
        the setting is on, the person who approved cannot be its only signature.
        With a signing snapshot of that version, no query is asked.
        """
        snapshot = self._snapshot_for(version)
        if snapshot is not None:
            signer_ids = snapshot.signer_ids(party.pk)
            active = snapshot.active_signatory_ids(party.pk)
            complete, needs_second_pair_of_eyes = self.quorum_met(
                party, signer_ids=signer_ids, active_signatories=lambda: len(active)
            )
            return {
                "party": party,
                "signed": len(signer_ids),
                "required": party.signing_quorum,
                "complete": complete,
                "needs_second_pair_of_eyes": needs_second_pair_of_eyes,
            }
        version = version or self.frozen_version()
        signer_ids = (
            set(version.signatures.in_force().filter(party=party).values_list("signer_id", flat=True))
            if version
            else set()
        )
        complete, needs_second_pair_of_eyes = self.quorum_met(
            party, signer_ids=signer_ids, active_signatories=lambda: len(party.active_signatory_ids())
        )
        return {
            "party": party,
            "signed": len(signer_ids),
            "required": party.signing_quorum,
            "complete": complete,
            "needs_second_pair_of_eyes": needs_second_pair_of_eyes,
        }

    def quorum_met(
        self, party: Organisation, *, signer_ids: set[int], active_signatories: Callable[[], int]
    ) -> tuple[bool, bool]:
        """The signing rule for a party whose signers are known by id: see ``quorum_met_by_count``."""
        return self.quorum_met_by_count(
            party,
            signed=len(signer_ids),
            only_the_approver_signed=self.approved_by_id is not None and signer_ids == {self.approved_by_id},
            active_signatories=active_signatories,
        )

    def quorum_met_by_count(
        self, party: Organisation, *, signed: int, only_the_approver_signed: bool, active_signatories: Callable[[], int]
    ) -> tuple[bool, bool]:
        """The signing rule, in one place: (complete, needs a second pair of eyes).

        A party is complete with ``signing_quorum`` signatures. Four eyes: when
        the municipality has more than one active signatory and the setting is
        on, the person who approved cannot be its only signature.
        ``active_signatories`` is asked only when four eyes could apply, so a
        caller that already knows the number (the reminders, the monitoring) passes it cheaply.
        """
        return quorum_rule(
            signing_quorum=party.signing_quorum,
            four_eyes=party.pk == self.municipality_id and party.four_eyes_signing,
            signed=signed,
            only_the_approver_signed=only_the_approver_signed,
            active_signatories=active_signatories,
        )

    def signatures_complete(self) -> bool:
        version = None if self._signing is not None else self.frozen_version()  # once, not once per party
        return all(self.party_signing_status(party, version)["complete"] for party in self.parties)

    # --- transitions: they change only this row's own fields ---------------------------

    # The columns each transition writes besides ``state`` and ``state_changed_at``: a service saves only these
    # (``save_transition``), so a transition's UPDATE names three to six columns instead of every one.
    TRANSITION_FIELDS = {
        "submit": ("submitted_at", "submitted_by", "approved_by", "approved_at"),
        "request_changes": (),
        "approve": ("approved_at", "approved_by"),
        "reopen": ("approved_at", "approved_by"),
        "sign": ("signed_at",),
        "withdraw": ("withdrawn_at",),
        "supersede": ("superseded_at",),
        "expire": ("expired_at",),
    }

    def save_transition(self, name: str) -> None:
        """Save what transition ``name`` changed (the state only if nobody moved it since it was read)."""
        self.save(update_fields=["state", "state_changed_at", *self.TRANSITION_FIELDS[name]])

    def _moved(self) -> dt.datetime:
        now = timezone.now()
        self.state_changed_at = now
        return now

    @transition(
        field=state, source=AgreementState.DRAFT, target=AgreementState.IN_REVIEW, conditions=[_content_is_complete]
    )
    def submit(self, *, by: User | None = None) -> None:
        self.submitted_at = self._moved()
        self.submitted_by = by
        self.approved_by = None
        self.approved_at = None

    @transition(field=state, source=AgreementState.IN_REVIEW, target=AgreementState.DRAFT)
    def request_changes(self) -> None:
        self._moved()

    @transition(
        field=state,
        source=AgreementState.IN_REVIEW,
        target=AgreementState.APPROVED,
        conditions=[_all_comments_resolved],
    )
    def approve(self, *, by: User) -> None:
        self.approved_at = self._moved()
        self.approved_by = by

    # Back to draft before the last signature: a drafter or reviewer reopening, or a signatory declining to sign.
    @transition(field=state, source=AgreementState.APPROVED, target=AgreementState.DRAFT)
    def reopen(self) -> None:
        self._moved()
        self.approved_at = None
        self.approved_by = None

    @transition(
        field=state, source=AgreementState.APPROVED, target=AgreementState.SIGNED, conditions=[_signatures_complete]
    )
    def sign(self) -> None:
        self.signed_at = self._moved()

    @transition(
        field=state,
        source=[s.value for s in OPEN_STATES],
        target=AgreementState.WITHDRAWN,
    )
    def withdraw(self) -> None:
        self.withdrawn_at = self._moved()

    @transition(field=state, source=AgreementState.SIGNED, target=AgreementState.SUPERSEDED)
    def supersede(self) -> None:
        self.superseded_at = self._moved()

    @transition(
        field=state, source=AgreementState.SIGNED, target=AgreementState.EXPIRED, conditions=[_validity_has_passed]
    )
    def expire(self) -> None:
        self.expired_at = self._moved()


class AdvisorAccess(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="advisor_accesses")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="advisor_accesses",
        limit_choices_to={"kind": OrganisationKind.ADVISOR},
    )
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inzage voor adviseur")
        verbose_name_plural = _("inzage voor adviseurs")
        constraints = [models.UniqueConstraint(fields=["agreement", "organisation"], name="one_grant_per_advisor")]
        indexes = [
            # An advisor's agreements (visibility, monitoring): read from the index alone.
            models.Index(fields=["organisation", "agreement"], name="advisoraccess_org_agreement"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.agreement.reference}"


class Neighbourhood(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="neighbourhoods")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("naam van wijk of buurt"), max_length=120, validators=[single_line])
    cbs_code = models.CharField(_("CBS-code"), max_length=10, blank=True, validators=[cbs_area_code])

    class Meta:
        verbose_name = _("wijk of buurt")
        verbose_name_plural = _("wijken en buurten")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cbs_code})" if self.cbs_code else self.name


# --- Versions and their content ------------------------------------------------------------

# The parts of a draft that are saved, and checked for a stale form, on their own (the keys of
# AgreementVersion.part_revisions): the agreement's own fields, the neighbourhoods, each section
# (by its key), the role division and the decision moments.
PART_ABOUT = "about"
PART_NEIGHBOURHOODS = "neighbourhoods"
PART_RESPONSIBILITIES = "responsibilities"
PART_DECISION_MOMENTS = "decision_moments"
PART_ESCALATION_LADDER = "escalation_ladder"
DRAFT_PARTS: tuple[str, ...] = (
    PART_ABOUT,
    PART_NEIGHBOURHOODS,
    *(key.value for key in SectionKey),
    PART_RESPONSIBILITIES,
    PART_DECISION_MOMENTS,
    PART_ESCALATION_LADDER,
)


class ModelAgreement(models.Model):
    """A model to start an agreement from: section texts, example role-division rows and decision moments.

    Samenkader ships one per form of agreement (``owner`` empty; loaded from
    ``workflow/lifecycle/data/model_agreements/``), and a municipality's admin publishes its own for the
    initiatives in its area. A published row never changes: editing publishes the next ``revision`` under
    the same ``slug`` and retires the previous one, so a version that started from a model compares
    against the very text it started from (``AgreementVersion.started_from``). The rows are plain lists
    in the shape of ``Responsibility.CONTENT_FIELDS`` and ``DecisionMoment.CONTENT_FIELDS``.
    """

    slug = models.SlugField(_("code"), max_length=80)
    revision = models.PositiveIntegerField(_("revisie"), default=1)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="model_agreements",
        verbose_name=_("gemeente"),
        help_text=_("Leeg: een model van Samenkader."),
    )
    name = models.CharField(_("naam"), max_length=200, validators=[single_line])
    description = models.TextField(_("wanneer kiest u dit model"), blank=True, max_length=1000)
    form = models.CharField(_("vorm van de afspraak"), max_length=30, choices=AgreementForm.choices)
    language = models.CharField(_("taal"), max_length=5, choices=Language.choices, default=Language.DUTCH)
    sections = models.JSONField(_("teksten per onderdeel"), default=dict)
    responsibilities = models.JSONField(_("voorbeeldrijen rolverdeling"), default=list, blank=True)
    decision_moments = models.JSONField(_("voorbeeldbesluitmomenten"), default=list, blank=True)
    # The escalation ladder the model suggests: [{"level", "involved", "days"}, ...].
    escalation_ladder = models.JSONField(_("voorgestelde escalatieladder"), default=list, blank=True)
    published_at = models.DateTimeField(_("gepubliceerd"), default=timezone.now)
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    retired_at = models.DateTimeField(_("niet meer aangeboden sinds"), null=True, blank=True)

    class Meta:
        verbose_name = _("model")
        verbose_name_plural = _("modellen")
        ordering = ["owner_id", "form", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language", "revision"], name="unique_model_revision"),
            # One model of a name is offered at a time, per language.
            models.UniqueConstraint(
                fields=["slug", "language"], condition=Q(retired_at__isnull=True), name="one_current_model_revision"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class AgreementVersion(models.Model):
    """The content of one review round. Frozen on submit; frozen means forever."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    revision = models.PositiveIntegerField(
        _("revisie"),
        default=1,
        help_text=_("Telt elke opslag van het concept; een verouderd formulier is een conflict."),
    )
    # Per part of the draft (the agreement's own fields, the neighbourhoods, each section, the role
    # division, the decision moments): the revision at which that part was last saved. A form for one
    # part is stale only when that part was saved since, so people editing different parts never collide.
    part_revisions = models.JSONField(_("revisie per onderdeel"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    frozen_at = models.DateTimeField(_("bevroren"), null=True, blank=True)
    canonical_json = models.TextField(_("canonieke inhoud (JSON)"), blank=True, editable=False)
    content_hash = models.CharField(_("SHA-256 van de inhoud"), max_length=64, blank=True, editable=False)
    # The model this content started from (None: it started empty). Every next version of the agreement
    # keeps it, so each version's sections can be compared with the model (workflow/lifecycle/model_deviation.py).
    # Not part of the canonical content: it says where the text came from, not what was agreed.
    started_from = models.ForeignKey(
        ModelAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("begonnen met model"),
    )

    class Meta:
        verbose_name = _("versie")
        verbose_name_plural = _("versies")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(frozen_at__isnull=True), name="one_editable_version_per_agreement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def _stored_frozen(self) -> bool:
        return bool(self.pk) and AgreementVersion.objects.filter(pk=self.pk, frozen_at__isnull=False).exists()

    def save(self, *args, **kwargs) -> None:
        if self._stored_frozen():
            raise ImmutableRecordError(f"Version {self} is frozen and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_frozen():
            raise ImmutableRecordError(f"Version {self} is frozen and cannot be deleted.")
        return super().delete(*args, **kwargs)

    def part_revision(self, part: str) -> int:
        """The revision at which ``part`` was last saved (0: never saved on its own)."""
        return int(self.part_revisions.get(part, 0))

    @property
    def schema_version(self) -> int:
        """The canonical schema of this version: the one it was frozen under, or today's for a draft."""
        if self.is_frozen and self.canonical_json:
            return json.loads(self.canonical_json)["schema"]
        return canonical.SCHEMA_VERSION

    def canonical_bytes(self) -> bytes:
        """The exact bytes whose SHA-256 is the content hash (stored once frozen)."""
        if self.is_frozen:
            return self.canonical_json.encode("utf-8")
        return canonical.canonical_bytes(canonical.canonical_content(self))

    def freeze(self) -> None:
        """Fix the content: store its canonical bytes and hash. Only once."""
        data = canonical.canonical_bytes(canonical.canonical_content(self))
        self.canonical_json = data.decode("utf-8")
        self.content_hash = canonical.content_hash(data)
        self.frozen_at = timezone.now()
        self.save(update_fields=["canonical_json", "content_hash", "frozen_at"])

    def copy_as_next(self, *, by: User) -> AgreementVersion:
        """A new editable version n+1 with a copy of this one's content (copy-on-write)."""
        # The revision carries over, so a form based on the frozen version is
        # stale once anybody has started the new one.
        new = AgreementVersion.objects.create(
            agreement=self.agreement,
            number=self.number + 1,
            revision=self.revision,
            part_revisions=dict(self.part_revisions),
            created_by=by,
            started_from_id=self.started_from_id,
        )
        self.copy_content_to(new)
        return new

    def copy_content_to(self, other: AgreementVersion) -> None:
        Section.objects.bulk_create([Section(version=other, key=s.key, body=s.body) for s in self.sections.all()])
        for model, rows in (
            (Responsibility, self.responsibilities.all()),
            (DecisionMoment, self.decision_moments.all()),
            (EscalationStep, self.escalation_steps.all()),
        ):
            model.objects.bulk_create(
                [model(version=other, position=row.position, **row.content_values()) for row in rows]
            )


class VersionContent(models.Model):
    """Content that belongs to a version: refuses every change once the version is frozen."""

    class Meta:
        abstract = True

    CONTENT_FIELDS: tuple[str, ...] = ()

    def content_values(self) -> dict:
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    def _version_frozen(self) -> bool:
        return AgreementVersion.objects.filter(pk=self.version_id, frozen_at__isnull=False).exists()

    def save(self, *args, **kwargs) -> None:
        if self._version_frozen():
            raise ImmutableRecordError("The content of a frozen version cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._version_frozen():
            raise ImmutableRecordError("The content of a frozen version cannot be deleted.")
        return super().delete(*args, **kwargs)


class Section(VersionContent):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("onderdeel"), max_length=20, choices=SectionKey.choices)
    body = models.TextField(_("tekst"), blank=True, max_length=20000)

    class Meta:
        verbose_name = _("onderdeel")
        verbose_name_plural = _("onderdelen")
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_section_per_key")]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def title(self):
        return SECTIONS_BY_KEY[self.key].title

    @property
    def guidance(self):
        return SECTIONS_BY_KEY[self.key].guidance


class Responsibility(VersionContent):
    """One row of the role division (RACI): a task, its phase, and each party's role."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="responsibilities")
    position = models.PositiveSmallIntegerField(default=0)
    task = models.CharField(_("taak"), max_length=300, validators=[single_line])
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    initiative_role = models.CharField(_("bewonersinitiatief"), max_length=1, choices=RaciRole.choices, blank=True)
    municipality_role = models.CharField(_("gemeente"), max_length=1, choices=RaciRole.choices, blank=True)
    third_party_name = models.CharField(
        _("andere partij"),
        max_length=120,
        blank=True,
        help_text=_("Bijvoorbeeld de netbeheerder of de woningcorporatie."),
        validators=[single_line],
    )
    third_party_role = models.CharField(_("rol andere partij"), max_length=1, choices=RaciRole.choices, blank=True)
    # Every other named party with its own role, in the order written: [{"name": ..., "role": "R"|"A"|"C"|"I"|""}].
    # Rows written before there could be more than one keep theirs in third_party_name/third_party_role
    # (versions frozen under canonical schema 1 never change); read both through ``third_party_roles``.
    third_parties = models.JSONField(_("andere partijen"), default=list, blank=True)
    # Which signing party keeps up the relationship with the other parties of this row, and so keeps the task up
    # to date after signing when one of them is R (or A): the initiative unless the drafters chose otherwise.
    third_party_owner = models.CharField(
        _("contact met de andere partij via"),
        max_length=20,
        blank=True,
        choices=[
            (ResponsibleParty.INITIATIVE, _("bewonersinitiatief")),
            (ResponsibleParty.MUNICIPALITY, _("gemeente")),
        ],
    )

    # What a row says, in the order a person reads it; copies use these (``content_values`` reads
    # the third parties through ``third_party_roles``, so a copy of an old row has them in the new field).
    CONTENT_FIELDS = ("task", "phase", "initiative_role", "municipality_role", "third_parties", "third_party_owner")

    class Meta:
        verbose_name = _("taak in de rolverdeling")
        verbose_name_plural = _("rolverdeling")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.task

    @property
    def third_party_roles(self) -> tuple[ThirdPartyRole, ...]:
        """The other parties of this row and their roles, whichever field holds them (hashable, comparable)."""
        if self.third_parties:
            return tuple(ThirdPartyRole(name=p["name"], role=p.get("role") or "") for p in self.third_parties)
        if self.third_party_name:
            return (ThirdPartyRole(name=self.third_party_name, role=self.third_party_role),)
        return ()

    def content_values(self) -> dict:
        values = super().content_values()
        values["third_parties"] = [party.as_dict() for party in self.third_party_roles]
        return values


@dataclass(frozen=True)
class ThirdPartyRole:
    """A party that does not sign, named in a row of the role division, with its R/A/C/I (or none)."""

    name: str
    role: str = ""

    def __str__(self) -> str:
        return f"{self.name}: {self.role}" if self.role else self.name

    def get_role_display(self) -> str:
        return str(RaciRole(self.role).label) if self.role else ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


class DecisionMoment(VersionContent):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="decision_moments")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("besluit"), max_length=300, validators=[single_line])
    planned_date = models.DateField(_("gepland op"), null=True, blank=True)
    deciding_body = models.CharField(_("wie besluit"), max_length=20, choices=DecidingBody.choices)
    instrument = models.CharField(_("instrument"), max_length=30, choices=Instrument.choices, blank=True)
    # Which party records the outcome after signing; empty: the party whose body it is (a joint body: both).
    deciding_party = models.CharField(
        _("uitkomst vastgelegd door"), max_length=20, blank=True, choices=ResponsibleParty.choices
    )

    CONTENT_FIELDS = ("title", "planned_date", "deciding_body", "instrument", "deciding_party")

    class Meta:
        verbose_name = _("besluitmoment")
        verbose_name_plural = _("besluitmomenten")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


# --- Comments, signatures, the log, the signed document ----------------------------------


def party_comments() -> Q:
    """The parties' comment threads that can wait to be resolved: a thread's first comment, not an advisor's note.

    Resolving a thread resolves its replies with it (a reply has no resolve
    button of its own), and an advisory note and its replies never wait.
    """
    return Q(is_advisory=False, parent__isnull=True)


class EscalationStep(VersionContent):
    """One rung of the agreed escalation ladder: at which level, who is involved, within how many days.

    A disagreement goes up the ladder step by step after signing (``workflow/after_signing/services/escalations.py``).
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="escalation_steps")
    position = models.PositiveSmallIntegerField(default=0)
    level = models.CharField(_("niveau"), max_length=120, validators=[single_line])
    involved = models.CharField(_("wie zijn erbij"), max_length=300, blank=True, validators=[single_line])
    days = models.PositiveSmallIntegerField(
        _("binnen (dagen)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    CONTENT_FIELDS = ("level", "involved", "days")

    class Meta:
        verbose_name = _("stap van de escalatieladder")
        verbose_name_plural = _("escalatieladder")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.level


class Comment(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="comments")
    section_key = models.CharField(_("onderdeel"), max_length=20, choices=SectionKey.choices, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(_("opmerking"), max_length=5000)
    # An advisor's note: shown apart from the parties' comments, never blocks approval, never resolved.
    is_advisory = models.BooleanField(_("advies"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("opmerking")
        verbose_name_plural = _("opmerkingen")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["version", "resolved_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class SignatureQuerySet(models.QuerySet):
    def in_force(self) -> SignatureQuerySet:
        """The signatures that count: not declared void (reopening voids the ones collected so far)."""
        return self.filter(voided_at__isnull=True)

    def voided(self) -> SignatureQuerySet:
        """The signatures declared void: kept on record, never counted."""
        return self.filter(voided_at__isnull=False)


class Signature(models.Model):
    """A person's signature on a version, for a party. Kept forever: reopening declares it void, never deletes it."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="signatures")
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    content_hash = models.CharField(_("ondertekende SHA-256"), max_length=64)
    # Copied from the signatory's membership when they sign, so the record keeps the function they signed
    # under even when the membership changes later. Empty for signatures made before functions were kept.
    function = models.CharField(_("functie"), max_length=100, blank=True, validators=[single_line])
    voided_at = models.DateTimeField(_("vervallen op"), null=True, blank=True)
    voided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("vervallen door")
    )
    void_reason = models.TextField(_("reden van vervallen"), blank=True, max_length=5000)

    objects = SignatureQuerySet.as_manager()

    # The one change a signature allows: these, set once, while its agreement is not signed.
    VOID_FIELDS = ("voided_at", "voided_by", "void_reason")

    class Meta:
        verbose_name = _("ondertekening")
        verbose_name_plural = _("ondertekeningen")
        ordering = ["signed_at", "pk"]
        constraints = [
            # A void signature does not count: the same person signs the version again after it is resubmitted.
            models.UniqueConstraint(
                fields=["version", "signer"],
                condition=Q(voided_at__isnull=True),
                name="one_signature_per_person_per_version",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=False) | Q(voided_by__isnull=True, void_reason=""),
                name="signature_void_fields_only_when_void",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer} voor {self.party}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            self._check_only_voided()
            kwargs["update_fields"] = self.VOID_FIELDS
        super().save(*args, **kwargs)

    def _check_only_voided(self) -> None:
        """Refuse every change but declaring a signature void once, before its agreement is signed."""
        stored = (
            Signature.objects.filter(pk=self.pk)
            .values(
                *(f.attname for f in self._meta.concrete_fields),
                "version__agreement__state",
                "version__agreement__signed_at",
            )
            .first()
        )
        if stored is None:
            raise ImmutableRecordError("A signature is never changed.")
        kept_the_same = all(
            getattr(self, f.attname) == stored[f.attname]
            for f in self._meta.concrete_fields
            if f.name not in self.VOID_FIELDS
        )
        if not (
            kept_the_same
            and stored["voided_at"] is None
            and self.voided_at is not None
            and stored["version__agreement__state"] not in SIGNED_STATES
            and stored["version__agreement__signed_at"] is None
        ):
            raise ImmutableRecordError(
                "A signature is never changed: it can only be declared void, once, before the agreement is signed."
            )

    def void(self, *, by: User | None, reason: str = "", at: dt.datetime | None = None) -> None:
        """Declare this signature void (reopening): it stays on record, and no longer counts."""
        self.voided_at = at or timezone.now()
        self.voided_by = by
        self.void_reason = reason
        self.save()

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("A signature is never deleted; reopening declares it void.")


class PublicationConsent(models.Model):
    """A party agrees that its signed agreement appears in the public examples, with exactly this public text.

    The public text (``content``: the plain-language summary and each section, as the party last saw and
    edited it) holds no person's name or e-mail address: ``workflow/examples/services.py`` refuses one. The
    agreement is public while both parties' standing consents are to the same text (``content_hash``).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="publication_consents")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    given_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("instemming met openbaar voorbeeld")
        verbose_name_plural = _("instemmingen met openbaar voorbeeld")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "party"], condition=Q(withdrawn_at__isnull=True), name="one_standing_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.party_id}"


class PublicExample(models.Model):
    """A signed agreement in the public examples: what the public page shows, nothing personal.

    Made when the second party consents to the same text; ``withdrawn_at`` is set when either party withdraws
    (the page disappears), and cleared when both consent again. The row stays, so the agreements that started
    from it keep pointing at it (``Agreement.started_from_example``) and its reuse is still counted.
    """

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="public_example")
    slug = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    form = models.CharField(max_length=30, choices=AgreementForm.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    language = models.CharField(max_length=5, choices=Language.choices)
    initiative_name = models.CharField(max_length=200)
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(null=True, blank=True)
    # {"summary", "sections": {key: text}, "neighbourhoods": [names], "responsibilities": [rows],
    # "decision_moments": [rows]}: the consented text and the signed version's rows, no person in them.
    content = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("openbaar voorbeeld")
        verbose_name_plural = _("openbare voorbeelden")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["withdrawn_at", "published_at"], name="public_example_listed")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None


class Lesson(models.Model):
    """What a party learnt from working under an agreement: what worked, what did not, for a phase and topic.

    ``shared``: the party agrees that it shows, without a name, in the public examples (beside the agreement,
    when that is public) and in the advisors' overview. Lessons are never edited: one writes a new one.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="lessons")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    topic = models.CharField(_("onderwerp"), max_length=20, choices=LessonTopic.choices)
    worked = models.TextField(_("wat werkte"), blank=True, max_length=2000)
    did_not_work = models.TextField(_("wat werkte niet"), blank=True, max_length=2000)
    shared = models.BooleanField(_("openbaar delen, zonder naam"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("les")
        verbose_name_plural = _("lessen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["shared", "topic", "phase"], name="lesson_shared_topic_phase")]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.get_phase_display()})"


class AuditEvent(models.Model):
    """Append-only log: who did what when, from where."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="audit_events")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    from_state = models.CharField(max_length=20, choices=AgreementState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=AgreementState.choices, blank=True)
    version_number = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # The request (or the task it queued) that did this: the same id is in the request log.
    request_id = models.CharField(max_length=64, blank=True)
    # Done through the API with a personal token: the token's name as it was then (empty otherwise).
    api_token = models.CharField(max_length=80, blank=True)
    note = models.TextField(blank=True, max_length=5000)

    class Meta:
        verbose_name = _("logboekregel")
        verbose_name_plural = _("logboek")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["agreement", "at"]),
            # The overview's declined signatures, newest first: a few rows among a million (monitoring/).
            models.Index(
                fields=["-at"], condition=Q(action=AuditAction.DECLINED_TO_SIGN), name="audit_declined_to_sign_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ImmutableRecordError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("The audit log is append-only.")


def signed_document_path(instance: SignedDocument, filename: str) -> str:
    return f"signed/{instance.version.agreement.reference}/v{instance.version.number}/{filename}"


class SignedDocument(models.Model):
    """The sealed PDF of a signed version: exactly one per version."""

    version = models.OneToOneField(AgreementVersion, on_delete=models.PROTECT, related_name="signed_document")
    file = models.FileField(upload_to=signed_document_path, max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    variant = models.CharField(max_length=20, default="pdf/a-3a")
    certificate_fingerprint = models.CharField(max_length=95, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("getekend document")
        verbose_name_plural = _("getekende documenten")

    def __str__(self) -> str:
        return f"{self.version} ({self.sha256[:12]})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableRecordError("A signed document is stored once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("A signed document is kept forever.")


def document_preview_path(instance: DocumentPreview, filename: str) -> str:
    return f"previews/{instance.version.agreement.reference}/v{instance.version.number}/{filename}"


class DocumentPreview(models.Model):
    """A PDF of a version that is not the signed record, rendered by the worker on request, never sealed.

    Its marking says what it is: a draft or a version in review carries CONCEPT; the approved
    version, before everyone has signed, carries "goedgekeurd, nog niet ondertekend".
    """

    class Marking(models.TextChoices):
        CONCEPT = "concept", _("concept")
        APPROVED = "approved", _("goedgekeurd, nog niet ondertekend")

    class Status(models.TextChoices):
        PENDING = "pending", _("wacht op de verwerking")
        RENDERING = "rendering", _("wordt gemaakt")
        READY = "ready", _("klaar")
        FAILED = "failed", _("mislukt")

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="previews")
    # The draft's revision when the preview was asked for: a later save makes the preview outdated.
    revision = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.CONCEPT)
    file = models.FileField(upload_to=document_preview_path, max_length=300, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voorbeeld-PDF")
        verbose_name_plural = _("voorbeeld-PDF's")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.version} r{self.revision} ({self.status})"

    @property
    def is_approved_version(self) -> bool:
        return self.marking == self.Marking.APPROVED

    @property
    def file_word(self) -> str:
        """The word in its file name: what the PDF is, so a downloaded file is never taken for the signed one."""
        return "goedgekeurd-niet-ondertekend" if self.is_approved_version else "concept"


# --- After signing: the commitments beside the signed version ---------------------------------


class Commitment(models.Model):
    """One task of the role division or one decision moment of a signed version, as it is carried out.

    Made when the version is signed (``workflow/after_signing/services/commitments.py commitments_start``), one per row,
    and never part of the signed record: its status, dates and notes change, the version's content hash
    and PDF do not. ``responsible`` is which party keeps it up to date (``workflow/after_signing/ownership.py``).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("soort"), max_length=10, choices=CommitmentKind.choices)
    # The row's position in the signed version, per kind.
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("afspraak"), max_length=300)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, blank=True)
    deciding_body = models.CharField(_("wie besluit"), max_length=20, choices=DecidingBody.choices, blank=True)
    instrument = models.CharField(_("instrument"), max_length=30, choices=Instrument.choices, blank=True)
    responsible = models.CharField(_("houdt bij"), max_length=20, choices=ResponsibleParty.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.PLANNED
    )
    # The date the signed version names (a decision moment's), kept to show how far a date slipped.
    signed_date = models.DateField(_("datum in de afspraak"), null=True, blank=True)
    planned_date = models.DateField(_("gepland op"), null=True, blank=True)
    actual_date = models.DateField(_("gedaan op"), null=True, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=DecisionOutcome.choices, blank=True)
    # The original's commitment this one continues, when an amendment took it over.
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("overgenomen van")
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The last movement: what "stalled" and the stale-form check read.
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), default=timezone.now)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("afspraak in uitvoering")
        verbose_name_plural = _("afspraken in uitvoering")
        ordering = ["kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "position"], name="one_commitment_per_row"),
            models.CheckConstraint(
                condition=~Q(status=CommitmentStatus.DONE) | Q(actual_date__isnull=False),
                name="commitment_done_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "planned_date"], name="commitment_status_planned"),
            models.Index(fields=["agreement", "status"], name="commitment_agreement_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMMITMENT_STATUSES

    @property
    def is_decision(self) -> bool:
        return self.kind == CommitmentKind.DECISION

    def overdue_on(self, today: dt.date) -> bool:
        return self.is_open and self.planned_date is not None and self.planned_date < today

    @property
    def slipped_days(self) -> int:
        """How many days later than the signed version said it is planned, or was done (0 when not later)."""
        if self.signed_date is None:
            return 0
        later = self.actual_date or self.planned_date
        return max(0, (later - self.signed_date).days) if later else 0


class CommitmentUpdate(models.Model):
    """One change to a commitment, with its progress note: the commitment's own history (never changed)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=CommitmentStatus.choices)
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=DecisionOutcome.choices, blank=True)
    planned_date = models.DateField(_("gepland op"), null=True, blank=True)
    actual_date = models.DateField(_("gedaan op"), null=True, blank=True)
    note = models.TextField(_("toelichting"), blank=True, max_length=2000)
    evidence_url = models.URLField(_("link naar een stuk"), blank=True, max_length=500)

    class Meta:
        verbose_name = _("voortgang")
        verbose_name_plural = _("voortgang")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.get_status_display()} {self.at:%Y-%m-%d}"


class Evaluation(models.Model):
    """A joint evaluation of a signed agreement: each party answers the same questions per section on its own,
    then both see the answers side by side (``workflow/after_signing/services/evaluations.py``).

    Started on the agreed evaluation date (``scheduled_for``) by Samenkader, or by a party at any time. At most
    one is open per agreement; it is complete when both parties have sent their answers.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="evaluations")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("aanleiding"), max_length=20, choices=EvaluationReason.choices)
    note = models.TextField(_("toelichting"), blank=True, max_length=1000)
    # The evaluation date it was started for (a scheduled one), so that date starts exactly one.
    scheduled_for = models.DateField(_("evaluatiedatum"), null=True, blank=True)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("gestart"), default=timezone.now)
    completed_at = models.DateTimeField(_("afgerond"), null=True, blank=True)
    # The amendment started from its outcome (lifecycle/services/amendments.py).
    amendment = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("wijziging")
    )

    class Meta:
        verbose_name = _("gezamenlijke evaluatie")
        verbose_name_plural = _("gezamenlijke evaluaties")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(completed_at__isnull=True), name="one_open_evaluation_per_agreement"
            ),
            models.UniqueConstraint(
                fields=["agreement", "scheduled_for"],
                condition=Q(scheduled_for__isnull=False),
                name="one_evaluation_per_evaluation_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class EvaluationResponse(models.Model):
    """One party's answers to an evaluation: a draft its members work on, until sent (then it never changes)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="responses")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("verstuurd"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("antwoorden van een partij")
        verbose_name_plural = _("antwoorden van de partijen")
        constraints = [models.UniqueConstraint(fields=["evaluation", "party"], name="one_response_per_party")]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.party_id}"


class EvaluationAnswer(models.Model):
    """A party's answer about one section: what works, what does not, what should change, and a score of 1 to 5."""

    response = models.ForeignKey(EvaluationResponse, on_delete=models.CASCADE, related_name="answers")
    section_key = models.CharField(_("onderdeel"), max_length=20, choices=SectionKey.choices)
    works = models.TextField(_("wat werkt"), blank=True, max_length=1000)
    does_not_work = models.TextField(_("wat werkt niet"), blank=True, max_length=1000)
    should_change = models.TextField(_("wat moet anders"), blank=True, max_length=1000)
    score = models.PositiveSmallIntegerField(_("cijfer (1 tot 5)"), null=True, blank=True)

    class Meta:
        verbose_name = _("antwoord per onderdeel")
        verbose_name_plural = _("antwoorden per onderdeel")
        constraints = [
            models.UniqueConstraint(fields=["response", "section_key"], name="one_answer_per_section"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="evaluation_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["section_key", "score"], name="evaluation_answer_section")]

    def __str__(self) -> str:
        return f"{self.section_key}: {self.score or '-'}"


class Escalation(models.Model):
    """A disagreement a party raised on a signed agreement, moving step by step up the agreed ladder.

    ``ladder`` is the ladder it follows, copied when it was raised from the signed version (or, for an agreement
    signed without one, the ladder Samenkader's model suggests). ``step`` is the step it is at; each step's start,
    who was informed and its outcome are ``EscalationStepRecord`` rows, so its history stays on the agreement.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="escalations")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_by_party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("gestart"), default=timezone.now)
    subject = models.CharField(_("waarover"), max_length=200, validators=[single_line])
    description = models.TextField(_("toelichting"), blank=True, max_length=2000)
    ladder = models.JSONField(_("escalatieladder"), default=list)
    # Whether the ladder is the one the parties agreed (False: Samenkader's suggestion, none was agreed).
    ladder_agreed = models.BooleanField(default=True)
    step = models.PositiveSmallIntegerField(_("stap"), default=0)
    step_started_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("stand"), max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    closed_at = models.DateTimeField(_("afgesloten"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalatie")
        verbose_name_plural = _("escalaties")
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["status", "step_started_at"], name="escalation_status_started")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == EscalationStatus.OPEN

    @property
    def current_step(self) -> dict:
        return self.ladder[self.step] if self.step < len(self.ladder) else {}

    @property
    def step_due(self) -> dt.date | None:
        """The day the current step's time runs out."""
        if not self.is_open or not self.current_step:
            return None
        return timezone.localtime(self.step_started_at).date() + dt.timedelta(days=self.current_step["days"])


class EscalationStepRecord(models.Model):
    """One step an escalation went through: when it started, its term, who was informed and how it ended."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    level = models.CharField(_("niveau"), max_length=120)
    started_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("uiterlijk op"))
    informed = models.TextField(_("wie zijn ingelicht"), blank=True, max_length=1000)
    outcome = models.TextField(_("uitkomst"), blank=True, max_length=2000)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("stap van een escalatie")
        verbose_name_plural = _("stappen van een escalatie")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["escalation", "position"], name="one_record_per_step")]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.position}: {self.level}"
