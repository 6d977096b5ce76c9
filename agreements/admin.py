"""Admin for the record. Staff manage organisations and people here.

The admin never moves an agreement between states (that is the services'
job, with permission checks and an audit row), never edits a frozen version,
and never changes signatures or the logs. Memberships are shown, not edited:
the organisation's admin manages them on its members page, where the rules
(at least one admin, the signatory's mandate) hold and every change goes into
the member log.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    AdvisorAccess,
    Agreement,
    AgreementVersion,
    AuditEvent,
    Comment,
    DecisionMoment,
    Membership,
    MembershipEvent,
    Neighbourhood,
    Organisation,
    Responsibility,
    Section,
    Signature,
    SignedDocument,
    User,
)


class ReadOnlyAdminMixin:
    """For rows the record keeps as they are: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A person's memberships, view only (the change form says where they are managed)."""

    model = Membership
    extra = 0
    fields = ["organisation", "role", "mandate_until", "created_at"]
    readonly_fields = fields


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "preferred_language"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Persoon"), {"fields": ("full_name", "preferred_language")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Data"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


class MembershipForOrganisationInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An organisation's members, view only (its change form says where to manage them)."""

    model = Membership
    extra = 0
    fields = ["user", "role", "mandate_until", "created_at"]
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cbs_code", "province", "signing_quorum", "four_eyes_signing"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "cbs_code", "kvk_number"]
    inlines = [MembershipForOrganisationInline]
    # The organisation's own admin sets it on the members page, where the change is written to the member log.
    readonly_fields = ["two_factor_policy"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View only: the organisation's admin manages members on its members page, with the rules and the log."""

    list_display = ["user", "organisation", "role", "mandate_until", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "at",
        "organisation",
        "actor",
        "action",
        "subject_email",
        "roles_before",
        "roles_after",
        "ip_address",
    ]
    list_filter = ["action", "organisation__kind"]
    search_fields = ["organisation__name", "actor__email", "subject_email", "note"]
    list_select_related = ["organisation", "actor"]
    date_hierarchy = "at"


class NeighbourhoodInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Neighbourhood
    extra = 0


class AdvisorAccessInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AdvisorAccess
    extra = 0
    readonly_fields = ["organisation", "granted_by", "granted_at"]


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AgreementVersion
    extra = 0
    fields = ["number", "revision", "frozen_at", "content_hash"]
    readonly_fields = fields
    show_change_link = True


class AuditEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEvent
    extra = 0
    fields = ["at", "actor", "action", "from_state", "to_state", "version_number", "ip_address", "note"]
    readonly_fields = fields


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every change to an agreement goes through a service, with a log entry."""

    list_display = ["reference", "title", "initiative", "municipality", "state", "phase", "state_changed_at"]
    list_filter = ["state", "phase", "form", "municipality__province"]
    search_fields = ["reference", "title", "initiative__name", "municipality__name"]
    date_hierarchy = "created_at"
    inlines = [NeighbourhoodInline, AdvisorAccessInline, VersionInline, AuditEventInline]


class SectionInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Section
    extra = 0
    fields = ["key", "body"]
    readonly_fields = fields


class ResponsibilityInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Responsibility
    extra = 0
    fields = [
        "position",
        "task",
        "phase",
        "initiative_role",
        "municipality_role",
        "third_party_name",
        "third_party_role",
        "third_parties",
    ]
    readonly_fields = fields


class DecisionMomentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DecisionMoment
    extra = 0
    fields = ["position", "title", "planned_date", "deciding_body", "instrument"]
    readonly_fields = fields


class SignatureInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Signature
    extra = 0
    fields = ["party", "signer", "signed_at", "ip_address", "content_hash", "voided_at", "voided_by", "void_reason"]
    readonly_fields = fields


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Content is edited by the drafters in the application, never here."""

    list_display = ["__str__", "revision", "frozen_at", "content_hash"]
    list_filter = ["agreement__state"]
    search_fields = ["agreement__reference", "content_hash"]
    readonly_fields = ["agreement", "number", "revision", "created_by", "frozen_at", "content_hash", "canonical_json"]
    exclude = ["created_at", "updated_at"]
    inlines = [SectionInline, ResponsibilityInline, DecisionMomentInline, SignatureInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "version", "section_key", "author", "created_at", "resolved_at"]
    list_filter = ["section_key"]
    search_fields = ["body", "version__agreement__reference"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["version", "party", "signer", "signed_at", "ip_address", "voided_at"]
    list_filter = [("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["version__agreement__reference", "signer__email"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "agreement", "actor", "action", "from_state", "to_state", "ip_address"]
    list_filter = ["action"]
    search_fields = ["agreement__reference", "actor__email", "note"]
    date_hierarchy = "at"


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["version", "sha256", "size", "variant", "created_at"]
    search_fields = ["version__agreement__reference", "sha256"]
