"""Forms for drafting, reviewing and signing an agreement.

Forms only check what a person typed (lengths, required fields, formats) and
turn it into the plain data the services take. Every rule about the agreement
itself lives in the services.
"""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from agreements.choices import (
    AgreementForm,
    AgreementState,
    DecidingBody,
    Instrument,
    Language,
    OrganisationKind,
    Phase,
    RaciRole,
    ResponsibleParty,
)
from agreements.models import (
    DRAFT_PARTS,
    Agreement,
    AuditEvent,
    Comment,
    DecisionMoment,
    EscalationStep,
    Neighbourhood,
    Organisation,
    Responsibility,
    Section,
    cbs_area_code,
    current_municipalities,
    single_line,
)
from agreements.sections import SECTION_DEFINITIONS

# The model's max_length values, so a form never accepts what the database would refuse.
TITLE_MAX = Agreement._meta.get_field("title").max_length
SECTION_MAX = Section._meta.get_field("body").max_length
TASK_MAX = Responsibility._meta.get_field("task").max_length
THIRD_PARTY_MAX = Responsibility._meta.get_field("third_party_name").max_length
NEIGHBOURHOOD_MAX = Neighbourhood._meta.get_field("name").max_length
CBS_CODE_MAX = Neighbourhood._meta.get_field("cbs_code").max_length
DECISION_MAX = DecisionMoment._meta.get_field("title").max_length
COMMENT_MAX = Comment._meta.get_field("body").max_length
NOTE_MAX = AuditEvent._meta.get_field("note").max_length

# A table of this size is already hard to read; more rows is almost certainly a mistake.
MAX_ROWS = 100

NO_ROLE = [("", _("— geen rol —"))]
RACI_CHOICES = NO_ROLE + list(RaciRole.choices)
PHASE_CHOICES = [("", _("— kies een fase —"))] + list(Phase.choices)
BODY_CHOICES = [("", _("— kies wie besluit —"))] + list(DecidingBody.choices)
THIRD_PARTY_OWNER_CHOICES = [
    ("", _("bewonersinitiatief")),
    (ResponsibleParty.MUNICIPALITY, _("gemeente")),
]
DECIDING_PARTY_CHOICES = [("", _("— de partij van wie besluit —"))] + list(ResponsibleParty.choices)
ESCALATION_LEVEL_MAX = EscalationStep._meta.get_field("level").max_length
ESCALATION_INVOLVED_MAX = EscalationStep._meta.get_field("involved").max_length
ESCALATION_DAYS_MAX = 365
# A ladder longer than this is no ladder anyone climbs.
MAX_ESCALATION_STEPS = 10


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _too_long(limit: int) -> dict[str, str]:
    return {"max_length": _("Dit mag hoogstens %(limit_value)d tekens lang zijn (nu %(show_value)d).")}


class UpperCaseField(forms.CharField):
    """CBS codes are capitals; accept what people type (wk019301) before checking the format."""

    def to_python(self, value):
        return super().to_python(value).upper()


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(
        label=_("Naam van wijk of buurt"),
        max_length=NEIGHBOURHOOD_MAX,
        validators=[single_line],
        required=False,
        error_messages=_too_long(NEIGHBOURHOOD_MAX),
    )
    cbs_code = UpperCaseField(
        label=_("CBS-code"),
        max_length=CBS_CODE_MAX,
        required=False,
        validators=[cbs_area_code],
        help_text=_("Bijvoorbeeld WK019301 voor een wijk of BU01930101 voor een buurt."),
        error_messages=_too_long(CBS_CODE_MAX),
    )

    def clean(self):
        data = super().clean()
        if data.get("cbs_code") and not (data.get("name") or "").strip():
            self.add_error("name", _("Vul ook de naam van de wijk of buurt in."))
        return data


# Lines for other parties per task; more than this in one row is almost certainly a mistake.
MAX_THIRD_PARTIES = 10


class ResponsibilityForm(forms.Form):
    """A task, its phase, each party's role, and any number of other parties, each with its own role.

    The other parties are lines ``party_<n>_name`` / ``party_<n>_role``; ``party_lines`` says how many
    lines the row has, so "add a party" works without JavaScript (the page posts it back with one more).
    """

    task = forms.CharField(
        label=_("Taak"),
        max_length=TASK_MAX,
        validators=[single_line],
        error_messages={"required": _("Beschrijf de taak."), **_too_long(TASK_MAX)},
    )
    phase = forms.ChoiceField(
        label=_("Fase"), choices=PHASE_CHOICES, error_messages={"required": _("Kies in welke fase deze taak valt.")}
    )
    initiative_role = forms.ChoiceField(label=_("Rol bewonersinitiatief"), choices=RACI_CHOICES, required=False)
    municipality_role = forms.ChoiceField(label=_("Rol gemeente"), choices=RACI_CHOICES, required=False)
    third_party_owner = forms.ChoiceField(
        label=_("Contact met de andere partijen via"),
        choices=THIRD_PARTY_OWNER_CHOICES,
        required=False,
        help_text=_("Deze partij houdt de taak na ondertekening bij als een andere partij haar uitvoert."),
    )
    party_lines = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_THIRD_PARTIES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parties = list(self.initial.get("third_parties") or [])
        if self.is_bound:
            lines = self._posted_lines()
        else:
            # The parties already named, and one empty line to name another.
            lines = min(len(parties) + 1, MAX_THIRD_PARTIES)
        self.initial["party_lines"] = lines
        for n in range(lines):
            party = parties[n] if n < len(parties) else {}
            self.fields[f"party_{n}_name"] = forms.CharField(
                label=_("Andere partij %(number)d") % {"number": n + 1},
                max_length=THIRD_PARTY_MAX,
                validators=[single_line],
                required=False,
                initial=party.get("name", ""),
                help_text=_("Bijvoorbeeld de netbeheerder of de woningcorporatie.") if n == 0 else "",
                error_messages=_too_long(THIRD_PARTY_MAX),
            )
            self.fields[f"party_{n}_role"] = forms.ChoiceField(
                label=_("Rol van andere partij %(number)d") % {"number": n + 1},
                choices=RACI_CHOICES,
                required=False,
                initial=party.get("role", ""),
            )

    def _posted_lines(self) -> int:
        try:
            lines = int(self.data.get(self.add_prefix("party_lines")) or 1)
        except (TypeError, ValueError):
            lines = 1
        return max(1, min(lines, MAX_THIRD_PARTIES))

    @property
    def party_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(name, role) per line, for the template."""
        return [(self[f"party_{n}_name"], self[f"party_{n}_role"]) for n in range(self.initial["party_lines"])]

    @property
    def may_add_party(self) -> bool:
        return len(self.party_fields) < MAX_THIRD_PARTIES

    def has_changed(self) -> bool:
        # The number of lines is layout, not content: an empty row stays empty whatever it says.
        return any(name != "party_lines" for name in self.changed_data)

    def clean(self):
        data = super().clean()
        for n in range(len(self.party_fields)):
            if data.get(f"party_{n}_role") and not (data.get(f"party_{n}_name") or "").strip():
                self.add_error(f"party_{n}_name", _("Noem de andere partij, of haal haar rol weg."))
        return data

    def row_data(self) -> dict:
        data = self.cleaned_data
        return {
            "task": data["task"],
            "phase": data["phase"],
            "initiative_role": data.get("initiative_role", ""),
            "municipality_role": data.get("municipality_role", ""),
            "third_party_owner": data.get("third_party_owner", ""),
            "third_parties": [
                {"name": data[f"party_{n}_name"].strip(), "role": data.get(f"party_{n}_role", "")}
                for n in range(len(self.party_fields))
                if (data.get(f"party_{n}_name") or "").strip()
            ],
        }


class DecisionMomentForm(forms.Form):
    title = forms.CharField(
        label=_("Besluit"),
        max_length=DECISION_MAX,
        validators=[single_line],
        error_messages={"required": _("Beschrijf het besluit."), **_too_long(DECISION_MAX)},
    )
    planned_date = forms.DateField(
        label=_("Gepland op"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 2027-03-01.")},
    )
    deciding_body = forms.ChoiceField(
        label=_("Wie besluit"), choices=BODY_CHOICES, error_messages={"required": _("Kies wie dit besluit neemt.")}
    )
    instrument = forms.ChoiceField(label=_("Instrument"), choices=Instrument.choices, required=False)
    deciding_party = forms.ChoiceField(
        label=_("Uitkomst vastgelegd door"),
        choices=DECIDING_PARTY_CHOICES,
        required=False,
        help_text=_("Leeg: de partij van wie besluit; bij een gezamenlijk orgaan allebei."),
    )


class EscalationStepForm(forms.Form):
    """One step of the escalation ladder: the level, who is involved, within how many days."""

    level = forms.CharField(
        label=_("Niveau"),
        max_length=ESCALATION_LEVEL_MAX,
        validators=[single_line],
        error_messages={
            "required": _("Noem het niveau, bijvoorbeeld de stuurgroep."),
            **_too_long(ESCALATION_LEVEL_MAX),
        },
    )
    involved = forms.CharField(
        label=_("Wie zijn erbij"),
        max_length=ESCALATION_INVOLVED_MAX,
        validators=[single_line],
        required=False,
        error_messages=_too_long(ESCALATION_INVOLVED_MAX),
    )
    days = forms.IntegerField(
        label=_("Binnen (dagen)"),
        min_value=1,
        max_value=ESCALATION_DAYS_MAX,
        error_messages={
            "required": _("Geef de termijn in dagen."),
            "invalid": _("Geef de termijn in hele dagen."),
            "min_value": _("Geef de termijn als 1 tot 365 dagen."),
            "max_value": _("Geef de termijn als 1 tot 365 dagen."),
        },
    )


class _BaseRowFormSet(forms.BaseFormSet):
    """Rows of a table: a row left empty, or marked for removal, is not saved."""

    def _construct_form(self, i, **kwargs):
        # Every row may stay empty, not only the extra ones: blanking a row removes it.
        kwargs.setdefault("empty_permitted", True)
        return super()._construct_form(i, **kwargs)

    def rows(self) -> list[dict]:
        rows = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.cleaned_data and form.has_changed():
                row_data = getattr(form, "row_data", None)
                rows.append(row_data() if row_data else {k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        return rows


NeighbourhoodFormSet = formset_factory(
    NeighbourhoodForm,
    formset=_BaseRowFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)
ResponsibilityFormSet = formset_factory(
    ResponsibilityForm,
    formset=_BaseRowFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)
DecisionMomentFormSet = formset_factory(
    DecisionMomentForm,
    formset=_BaseRowFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)
EscalationStepFormSet = formset_factory(
    EscalationStepForm,
    formset=_BaseRowFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ESCALATION_STEPS,
    absolute_max=MAX_ESCALATION_STEPS,
    validate_max=True,
)


def neighbourhood_rows(formset) -> list[dict[str, str]]:
    return [
        {"name": row["name"].strip(), "cbs_code": row.get("cbs_code", "")}
        for row in formset.rows()
        if (row.get("name") or "").strip()
    ]


START_EMPTY = "leeg"  # the choice "start empty" of AgreementCreateForm.start; any other value is a model's code
EXAMPLE_PREFIX = "voorbeeld:"  # ... or, with this prefix, a public example's slug


def _model_label(model) -> str:
    # Samenkader's models say their form in their name; a municipality's says whose it is and which form.
    label = f"{model.name} ({model.owner.name}, {model.get_form_display()})" if model.owner_id else str(model.name)
    return f"{label}: {model.description}" if model.description else label


class AgreementCreateForm(forms.Form):
    initiative = forms.ModelChoiceField(
        label=_("Bewonersinitiatief"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": _("Kies het bewonersinitiatief."), "invalid_choice": _("Kies uit de lijst.")},
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeente"),
        queryset=current_municipalities().order_by("name"),
        empty_label=_("— kies een gemeente —"),
        error_messages={"required": _("Kies de gemeente."), "invalid_choice": _("Kies een gemeente uit de lijst.")},
    )
    title = forms.CharField(
        label=_("Titel"),
        max_length=TITLE_MAX,
        validators=[single_line],
        help_text=_("Bijvoorbeeld: Samenwerking warmtenet Zwolle-Oost."),
        error_messages={"required": _("Geef de afspraak een titel."), **_too_long(TITLE_MAX)},
    )
    form = forms.ChoiceField(
        label=_("Vorm van de afspraak"), choices=AgreementForm.choices, initial=AgreementForm.COOPERATION_AGREEMENT
    )
    phase = forms.ChoiceField(label=_("Fase van het initiatief"), choices=Phase.choices, initial=Phase.ORIENTATION)
    language = forms.ChoiceField(label=_("Taal van de afspraak"), choices=Language.choices, initial=Language.DUTCH)

    # Where the text starts: a model (by its code) or empty. The choices are the models offered today.
    start = forms.ChoiceField(
        label=_("Waarmee begint u?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies een model, of begin leeg."),
            "invalid_choice": _("Kies een model uit de lijst."),
        },
        help_text=_(
            "Een model geeft voorbeeldtekst met invulplekken [[zo]], voorbeeldtaken en besluitmomenten. "
            "Met een model geldt de vorm van het model."
        ),
    )

    def __init__(self, *args, initiatives=None, models=(), example=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = initiatives if initiatives is not None else Organisation.objects.none()
        self.models = {model.slug: model for model in models}
        # Coming from the examples page's "use as starting point": that example is the first choice.
        example_choice = (
            [
                (
                    EXAMPLE_PREFIX + example.slug,
                    _("Het voorbeeld %(title)s (%(initiative)s en %(municipality)s)")
                    % {
                        "title": example.title,
                        "initiative": example.initiative_name,
                        "municipality": example.municipality.name,
                    },
                )
            ]
            if example is not None
            else []
        )
        self.fields["start"].choices = [
            *example_choice,
            *((model.slug, _model_label(model)) for model in models),
            (START_EMPTY, _("Leeg beginnen: alleen de vaste onderdelen met uitleg")),
        ]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Geef de afspraak een titel."))
        return title


class AgreementMetaForm(forms.Form):
    """The agreement's own fields that the drafters may change while it is a draft."""

    title = AgreementCreateForm.base_fields["title"]
    form = forms.ChoiceField(label=_("Vorm van de afspraak"), choices=AgreementForm.choices)
    phase = forms.ChoiceField(label=_("Fase van het initiatief"), choices=Phase.choices)
    language = forms.ChoiceField(label=_("Taal van de afspraak"), choices=Language.choices)
    review_due_date = forms.DateField(
        label=_("Beoordeling gewenst voor"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 2027-03-01.")},
    )
    evaluation_date = forms.DateField(
        label=_("Evaluatiedatum"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 2027-03-01.")},
    )
    valid_until = forms.DateField(
        label=_("Geldig tot en met"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 2027-03-01.")},
    )

    clean_title = AgreementCreateForm.clean_title

    def agreement_fields(self) -> dict:
        return dict(self.cleaned_data)


class PartForm(forms.Form):
    """Which part of the draft a form saves, and that part's revision when the form was loaded."""

    part = forms.ChoiceField(choices=[(part, part) for part in DRAFT_PARTS], widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SectionsForm(forms.Form):
    """One text field per fixed section (or per section in ``keys``), with our guidance as its help text."""

    def __init__(self, *args, keys: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for definition in SECTION_DEFINITIONS:
            if keys is not None and definition.key not in keys:
                continue
            self.fields[definition.key] = forms.CharField(
                label=definition.title,
                help_text=definition.guidance,
                required=False,
                max_length=SECTION_MAX,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages=_too_long(SECTION_MAX),
            )

    def sections(self) -> dict[str, str]:
        return {key: value.strip() for key, value in self.cleaned_data.items()}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Uw opmerking"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf eerst uw opmerking."), **_too_long(COMMENT_MAX)},
    )
    section_key = forms.ChoiceField(
        choices=[("", "")] + [(d.key, d.title) for d in SECTION_DEFINITIONS],
        required=False,
        widget=forms.HiddenInput,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label=_("Welke wijzigingen vraagt u?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("De opstellers zien deze uitleg bij de afspraak en in hun e-mail."),
        error_messages={"required": _("Schrijf op welke wijzigingen u vraagt."), **_too_long(NOTE_MAX)},
    )


class OptionalNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Toelichting"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_too_long(NOTE_MAX),
    )


class DeclineForm(forms.Form):
    """A signatory who does not sign the approved version says why (required): the drafters read it first."""

    reason = forms.CharField(
        label=_("Waarom tekent u niet?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "De opstellers en beoordelaars zien deze reden bovenaan de afspraak en in hun e-mail. "
            "Noem wat er anders moet."
        ),
        error_messages={"required": _("Schrijf op waarom u niet tekent."), **_too_long(NOTE_MAX)},
    )


class AdvisorGrantForm(forms.Form):
    advisor = forms.ModelChoiceField(
        label=_("Adviesorganisatie"),
        queryset=Organisation.objects.none(),
        empty_label=_("— kies een adviesorganisatie —"),
        error_messages={
            "required": _("Kies een adviesorganisatie."),
            "invalid_choice": _("Kies een adviesorganisatie uit de lijst."),
        },
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = (
            Organisation.objects.filter(kind=OrganisationKind.ADVISOR)
            .exclude(advisor_accesses__agreement=agreement)
            .order_by("name")
        )


class SignForm(forms.Form):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=64)
    authorised = forms.BooleanField(
        label=_("Ik verklaar dat ik bevoegd ben om voor mijn organisatie te tekenen."),
        required=False,
    )
    password = forms.CharField(
        label=_("Uw wachtwoord"),
        help_text=_("Zo weten we zeker dat u het zelf bent."),
        strip=False,
        max_length=4096,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = forms.CharField(
        label=_("Code uit uw authenticator-app"),
        help_text=_("De zes cijfers die de app nu toont. In plaats van de code kunt u ook uw wachtwoord invullen."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    # The password (or code) and the authority confirmation are checked by agreement_sign, after permission.


class HomeSearchForm(forms.Form):
    """Search and filter "Mijn afspraken" (a GET form: the values stay in the address)."""

    q = forms.CharField(
        label=_("Zoeken"),
        required=False,
        max_length=200,
        help_text=_("Op titel, kenmerk (bijvoorbeeld SK-2026-0007) of wijk."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle statussen"))] + list(AgreementState.choices),
    )


class ModelAgreementForm(forms.Form):
    """A municipality's own model: its name, form, language, when to choose it, and a text per section."""

    name = forms.CharField(
        label=_("Naam van het model"),
        max_length=200,
        validators=[single_line],
        help_text=_("Bijvoorbeeld: Het Zwolse model voor buurtwarmte."),
        error_messages={"required": _("Geef het model een naam, bijvoorbeeld 'Het Zwolse model'.")},
    )
    form = forms.ChoiceField(label=_("Vorm van de afspraak"), choices=AgreementForm.choices)
    language = forms.ChoiceField(label=_("Taal van het model"), choices=Language.choices)
    description = forms.CharField(
        label=_("Wanneer kiest een initiatief dit model?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for definition in SECTION_DEFINITIONS:
            self.fields[f"section_{definition.key}"] = forms.CharField(
                label=definition.title,
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_("Zet wat een initiatief zelf invult tussen dubbele haken, zoals [[naam van de wijk]]."),
            )

    def section_fields(self):
        return [self[f"section_{definition.key}"] for definition in SECTION_DEFINITIONS]

    def sections(self) -> dict[str, str]:
        return {d.key: self.cleaned_data.get(f"section_{d.key}", "") for d in SECTION_DEFINITIONS}
