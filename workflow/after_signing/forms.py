"""The forms after signing: how a commitment stands, a decision's outcome, starting and answering an evaluation.
The rules are the services'; these only read what was typed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.choices import EVALUATION_SCORES, CommitmentStatus, DecisionOutcome, EvaluationReason
from agreements.sections import SECTION_DEFINITIONS
from workflow.after_signing.services.commitments import EVIDENCE_URL_MAX_LENGTH, NOTE_MAX_LENGTH
from workflow.after_signing.services.escalations import DESCRIPTION_MAX_LENGTH as ESCALATION_DESCRIPTION_MAX_LENGTH
from workflow.after_signing.services.escalations import INFORMED_MAX_LENGTH as ESCALATION_INFORMED_MAX_LENGTH
from workflow.after_signing.services.escalations import OUTCOME_MAX_LENGTH as ESCALATION_OUTCOME_MAX_LENGTH
from workflow.after_signing.services.escalations import SUBJECT_MAX_LENGTH as ESCALATION_SUBJECT_MAX_LENGTH
from workflow.after_signing.services.evaluations import ANSWER_MAX_LENGTH
from workflow.after_signing.services.evaluations import NOTE_MAX_LENGTH as EVALUATION_NOTE_MAX_LENGTH

_DATE_ERRORS = {"invalid": _("Vul een geldige datum in, bijvoorbeeld 2027-03-01.")}


def _date(label, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )


class _Common(forms.Form):
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kort: wat is er gebeurd, wat is de volgende stap?"),
    )
    evidence_url = forms.CharField(
        label=_("Link naar een stuk (niet verplicht)"),
        required=False,
        max_length=EVIDENCE_URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        help_text=_("Bijvoorbeeld het raadsbesluit of het verslag, als webadres dat begint met https://."),
    )
    # The commitment's last update when the page was read: someone else's update in between is a conflict.
    read_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def read_at_value(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.cleaned_data.get("read_at") or "")
        except ValueError:
            return None


class CommitmentUpdateForm(_Common):
    status = forms.ChoiceField(
        label=_("Stand"),
        choices=CommitmentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een stand.")},
    )
    planned_date = _date(_("Gepland op"), _("Bij uitstel: de nieuwe datum."))
    actual_date = _date(_("Gedaan op"), _("Leeg bij gedaan: vandaag."))
    field_order = ["status", "planned_date", "actual_date", "note", "evidence_url", "read_at"]

    def __init__(self, *args, decision: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if decision:
            # A decision moment is done by its outcome (the other form); here it is under way, postponed or lapsed.
            self.fields["status"].choices = [c for c in CommitmentStatus.choices if c[0] != CommitmentStatus.DONE]
            del self.fields["actual_date"]


class DecisionOutcomeForm(_Common):
    outcome = forms.ChoiceField(
        label=_("Uitkomst"),
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies de uitkomst.")},
    )
    decided_on = _date(_("Besloten op"), _("Leeg: vandaag."))
    new_date = _date(_("Nieuwe datum"), _("Alleen bij uitstel."))
    field_order = ["outcome", "decided_on", "new_date", "note", "evidence_url", "read_at"]


# --- joint evaluations --------------------------------------------------------------------------------


class EvaluationStartForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Aanleiding"),
        choices=[c for c in EvaluationReason.choices if c[0] != EvaluationReason.SCHEDULED],
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies de aanleiding.")},
    )
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=EVALUATION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wat wilt u samen bekijken?"),
    )


SCORE_CHOICES = [(str(score), str(score)) for score in EVALUATION_SCORES]


class EvaluationAnswersForm(forms.Form):
    """Per section the same three questions and a score; a party saves it as a draft or sends it."""

    QUESTIONS = (
        ("works", _("Wat werkt?")),
        ("does_not_work", _("Wat werkt niet?")),
        ("should_change", _("Wat moet anders?")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for definition in SECTION_DEFINITIONS:
            for name, label in self.QUESTIONS:
                self.fields[f"{definition.key}-{name}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=ANSWER_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields[f"{definition.key}-score"] = forms.ChoiceField(
                label=_("Cijfer: 1 werkt niet, 5 werkt goed"),
                required=False,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
            )

    def sections(self):
        """(title, its fields) per section, for the template."""
        return [
            (
                definition.title,
                definition.key,
                [self[f"{definition.key}-{name}"] for name, _label in self.QUESTIONS]
                + [self[f"{definition.key}-score"]],
            )
            for definition in SECTION_DEFINITIONS
        ]

    def answers(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            definition.key: {
                **{name: data.get(f"{definition.key}-{name}", "") for name, _label in self.QUESTIONS},
                "score": data.get(f"{definition.key}-score") or None,
            }
            for definition in SECTION_DEFINITIONS
        }

    @classmethod
    def initial_from(cls, response) -> dict:
        if response is None:
            return {}
        initial = {}
        for answer in response.answers.all():
            for name, _label in cls.QUESTIONS:
                initial[f"{answer.section_key}-{name}"] = getattr(answer, name)
            initial[f"{answer.section_key}-score"] = str(answer.score) if answer.score else ""
        return initial


# --- escalations ----------------------------------------------------------------------------------


class EscalationRaiseForm(forms.Form):
    subject = forms.CharField(
        label=_("Waarover verschillen de partijen van mening?"),
        max_length=ESCALATION_SUBJECT_MAX_LENGTH,
        error_messages={"required": _("Zeg kort waarover het gaat.")},
    )
    description = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=ESCALATION_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wat is er gebeurd, wat heeft u al geprobeerd?"),
    )
    informed = forms.CharField(
        label=_("Wie zijn ingelicht?"),
        required=False,
        max_length=ESCALATION_INFORMED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bijvoorbeeld: de projectleiders van beide partijen, per e-mail op 3 maart."),
    )


class EscalationStepEndForm(forms.Form):
    SOLVED, NOT_SOLVED = "opgelost", "niet_opgelost"
    result = forms.ChoiceField(
        label=_("Hoe eindigde deze stap?"),
        choices=[(SOLVED, _("Opgelost: de escalatie sluit")), (NOT_SOLVED, _("Niet opgelost: naar de volgende stap"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe deze stap eindigde.")},
    )
    outcome = forms.CharField(
        label=_("Uitkomst van deze stap"),
        max_length=ESCALATION_OUTCOME_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf op wat deze stap opleverde.")},
    )
    informed_next = forms.CharField(
        label=_("Wie zijn ingelicht voor de volgende stap?"),
        required=False,
        max_length=ESCALATION_INFORMED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The step the page showed: someone else closing it in between is a conflict.
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
