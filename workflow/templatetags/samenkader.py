"""Template helpers: accessible forms, links, and texts that pages and e-mails share."""

from django import forms, template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def is_multiple_choice(bound_field) -> bool:
    return isinstance(bound_field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))


@register.simple_tag
def accessible_widget(bound_field) -> SafeString:
    """The widget, pointing screen readers at its help text and errors (ids as in partials/field.html)."""
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_helptext")
    described_by += [f"{bound_field.auto_id}_error{i}" for i in range(1, len(bound_field.errors) + 1)]
    attrs = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (rounded up), for "try again in N minutes"."""
    if not delta:
        return 0
    seconds = int(delta.total_seconds())
    return max(1, -(-seconds // 60))


@register.simple_tag
def agreement_url(agreement) -> str:
    """The agreement's page. A wrong route name fails loudly: a hidden link is a bug nobody sees."""
    return reverse("agreement:detail", args=[agreement.reference])


def signature_progress_text(*, signed: int, required: int) -> str:
    """How far one party is with signing, in words: "0 van 1 handtekening", "1 van 2 handtekeningen".

    The one way to say it, on the agreement page and in the e-mails; the noun agrees with the number required.
    """
    return ngettext(
        "%(signed)s van %(required)s handtekening",
        "%(signed)s van %(required)s handtekeningen",
        required,
    ) % {"signed": signed, "required": required}


@register.filter
def signature_progress(status: dict) -> str:
    """A party's signing status (``Agreement.party_signing_status``) as ``signature_progress_text``."""
    return signature_progress_text(signed=status["signed"], required=status["required"])
