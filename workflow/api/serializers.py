from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from agreements.choices import AgreementForm, DecidingBody, Instrument, Language, Phase, RaciRole, ResponsibleParty
from agreements.models import Agreement, AgreementVersion, AuditEvent, Comment, Organisation
from agreements.sections import SECTION_ORDER


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "cbs_code", "kvk_number", "province"]


class AgreementListSerializer(serializers.ModelSerializer):
    initiative = OrganisationSerializer(read_only=True)
    municipality = OrganisationSerializer(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api-agreement-detail", lookup_field="reference")

    class Meta:
        model = Agreement
        fields = [
            "url",
            "reference",
            "title",
            "form",
            "phase",
            "state",
            "initiative",
            "municipality",
            "state_changed_at",
            "review_due_date",
            "evaluation_date",
            "valid_until",
        ]


class VersionSerializer(serializers.ModelSerializer):
    sections = serializers.SerializerMethodField()
    responsibilities = serializers.SerializerMethodField()
    decision_moments = serializers.SerializerMethodField()
    escalation_ladder = serializers.SerializerMethodField()

    class Meta:
        model = AgreementVersion
        fields = [
            "number",
            "revision",
            "frozen_at",
            "content_hash",
            "sections",
            "responsibilities",
            "decision_moments",
            "escalation_ladder",
        ]

    def get_sections(self, version) -> list[dict]:
        return [{"key": s.key, "title": str(s.title), "body": s.body} for s in version.sections.all()]

    def get_responsibilities(self, version) -> list[dict]:
        return [
            {
                "task": r.task,
                "phase": r.phase,
                "initiative_role": r.initiative_role,
                "municipality_role": r.municipality_role,
                # Every other party with its own role; rows frozen under canonical schema 1 give a list of one.
                "third_parties": [party.as_dict() for party in r.third_party_roles],
                "third_party_owner": r.third_party_owner,
            }
            for r in version.responsibilities.all()
        ]

    def get_decision_moments(self, version) -> list[dict]:
        return list(
            version.decision_moments.values("title", "planned_date", "deciding_body", "instrument", "deciding_party")
        )

    def get_escalation_ladder(self, version) -> list[dict]:
        return list(version.escalation_steps.values("level", "involved", "days"))


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "section_key", "parent", "author", "body", "is_advisory", "created_at", "resolved_at"]
        read_only_fields = ["id", "author", "is_advisory", "created_at", "resolved_at"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", read_only=True, default=None)

    class Meta:
        model = AuditEvent
        fields = ["at", "actor", "api_token", "action", "from_state", "to_state", "version_number", "note"]


class AgreementDetailSerializer(AgreementListSerializer):
    version = serializers.SerializerMethodField()
    signing = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField(
        help_text="Once signed: the sealed PDF's description (hash, size, seal), which links to the file itself."
    )

    class Meta(AgreementListSerializer.Meta):
        fields = [*AgreementListSerializer.Meta.fields, "supersedes", "version", "signing", "document"]

    def get_document(self, agreement) -> str | None:
        if agreement.signed_at is None:
            return None
        path = reverse("api-agreement-document", kwargs={"reference": agreement.reference})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def _versions(self, agreement) -> tuple[AgreementVersion | None, AgreementVersion | None]:
        """The current version and the frozen one, read once for both fields: when the current version is
        frozen (in review, approved, signed) it is the frozen one, and the second read is saved."""
        if "_api_versions" not in agreement.__dict__:
            current = agreement.current_version()
            frozen = current if current is not None and current.frozen_at is not None else agreement.frozen_version()
            agreement.__dict__["_api_versions"] = (current, frozen)
        return agreement.__dict__["_api_versions"]

    def get_version(self, agreement) -> dict | None:
        version, _frozen = self._versions(agreement)
        return VersionSerializer(version).data if version else None

    def get_signing(self, agreement) -> list[dict]:
        _current, frozen = self._versions(agreement)
        if frozen is None:
            return []
        # Both parties' signatures and signatories in one query, as fresh as this read of the agreement.
        agreement.take_signing_snapshot(frozen)
        statuses = [agreement.party_signing_status(party, frozen) for party in agreement.parties]
        return [
            {
                "party": s["party"].name,
                "signed": s["signed"],
                "required": s["required"],
                "complete": s["complete"],
            }
            for s in statuses
        ]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class DeclineSerializer(serializers.Serializer):
    """Declining to sign: why you do not sign the approved version (required; the drafters read it first)."""

    # Checked by agreement_decline_to_sign after permission and state, like the signing page: whoever may not
    # decline hears that first (403/409), and a missing reason is a 400 with errors["reason"].
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required. Why you do not sign: shown to the drafters and reviewers, and in their e-mail.",
    )


class SignSerializer(serializers.Serializer):
    """The same things the signing page asks: what you read, that you may sign, who you are (password or code)."""

    content_hash = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="The SHA-256 of the content you read.")
    authorised = serializers.BooleanField(help_text="You confirm you are authorised to sign for your organisation.")
    # The same limit as the signing page's form; agreement_sign checks the password and the confirmation.
    password = serializers.CharField(
        write_only=True,
        style={"input_type": "password"},
        max_length=4096,
        trim_whitespace=False,
        allow_blank=True,
        required=False,
        default="",
    )
    otp_code = serializers.CharField(
        write_only=True,
        max_length=20,
        allow_blank=True,
        required=False,
        default="",
        help_text="With two-factor sign-in on: the code from your authenticator app, instead of the password.",
    )


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    section_key = serializers.CharField(required=False, allow_blank=True, default="")
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)


# --- drafting -------------------------------------------------------------------------------------


class NeighbourhoodSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    cbs_code = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class ThirdPartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=RaciRole.choices, allow_blank=True, required=False, default="")


class ResponsibilitySerializer(serializers.Serializer):
    task = serializers.CharField(max_length=300)
    phase = serializers.ChoiceField(choices=Phase.choices)
    initiative_role = serializers.ChoiceField(choices=RaciRole.choices, allow_blank=True, required=False, default="")
    municipality_role = serializers.ChoiceField(choices=RaciRole.choices, allow_blank=True, required=False, default="")
    third_parties = ThirdPartySerializer(many=True, required=False, default=list)
    third_party_owner = serializers.ChoiceField(
        choices=[ResponsibleParty.INITIATIVE, ResponsibleParty.MUNICIPALITY],
        allow_blank=True,
        required=False,
        default="",
        help_text="Which signing party keeps up the relationship with the other parties (empty: the initiative).",
    )


class DecisionMomentSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    planned_date = serializers.DateField(required=False, allow_null=True, default=None)
    deciding_body = serializers.ChoiceField(choices=DecidingBody.choices)
    instrument = serializers.ChoiceField(choices=Instrument.choices, allow_blank=True, required=False, default="")
    deciding_party = serializers.ChoiceField(
        choices=ResponsibleParty.choices,
        allow_blank=True,
        required=False,
        default="",
        help_text="Which party records the outcome after signing (empty: the party whose body decides).",
    )


class EscalationStepSerializer(serializers.Serializer):
    level = serializers.CharField(max_length=120)
    involved = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(min_value=1, max_value=365)


class AgreementCreateSerializer(serializers.Serializer):
    """A new draft: version 1 from a model agreement, or with every section empty. You must be a drafter of
    the initiative."""

    model = serializers.SlugField(
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "The code of a model agreement to start from, for example samenkader-cooperation_agreement (the create "
            "page lists them); its form then applies. Empty: every section empty."
        ),
    )

    initiative = serializers.IntegerField(help_text="The id of your initiative (GET /api/v1/organisations/).")
    municipality = serializers.IntegerField(help_text="The id of the municipality.")
    title = serializers.CharField(max_length=200)
    form = serializers.ChoiceField(choices=AgreementForm.choices)
    phase = serializers.ChoiceField(choices=Phase.choices)
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.DUTCH)
    neighbourhoods = NeighbourhoodSerializer(many=True, required=False, default=list)
    review_due_date = serializers.DateField(required=False, allow_null=True, default=None)
    evaluation_date = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class DraftSerializer(serializers.Serializer):
    """The draft as the editor holds it: save it back with the ``revision`` you read (409 if someone saved since)."""

    reference = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    revision = serializers.IntegerField(read_only=True)
    editable = serializers.BooleanField(read_only=True, help_text="Whether the draft can be changed now (its state).")
    title = serializers.CharField()
    form = serializers.ChoiceField(choices=AgreementForm.choices)
    phase = serializers.ChoiceField(choices=Phase.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    review_due_date = serializers.DateField(allow_null=True)
    evaluation_date = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    neighbourhoods = NeighbourhoodSerializer(many=True)
    sections = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="Section key -> text.")
    responsibilities = ResponsibilitySerializer(many=True)
    decision_moments = DecisionMomentSerializer(many=True)
    escalation_steps = EscalationStepSerializer(many=True)


class DraftUpdateSerializer(serializers.Serializer):
    """Only what you send changes; a list you send replaces the stored one."""

    revision = serializers.IntegerField(min_value=0, help_text="The draft's revision when you read it.")
    title = serializers.CharField(max_length=200, required=False)
    form = serializers.ChoiceField(choices=AgreementForm.choices, required=False)
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    review_due_date = serializers.DateField(required=False, allow_null=True)
    evaluation_date = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    neighbourhoods = NeighbourhoodSerializer(many=True, required=False)
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20000, trim_whitespace=False),
        required=False,
        help_text="Section key -> text; the sections you leave out stay as they are.",
    )
    responsibilities = ResponsibilitySerializer(many=True, required=False)
    decision_moments = DecisionMomentSerializer(many=True, required=False)
    escalation_steps = EscalationStepSerializer(many=True, required=False)

    def validate_sections(self, value: dict) -> dict:
        unknown = sorted(set(value) - set(SECTION_ORDER))
        if unknown:
            raise serializers.ValidationError(
                _("Onbekende onderdelen: %(keys)s. Bekend zijn: %(known)s.")
                % {"keys": ", ".join(unknown), "known": ", ".join(SECTION_ORDER)}
            )
        return value
