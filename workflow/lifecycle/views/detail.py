"""The agreement page and the actions on it: review, reopen, withdraw, amend, comments, advisors, versions.

Views hold no rules: they read through the selectors, write through the
services, and turn a refusal into a page. Someone else acting first (a
Conflict) renders the agreement page as it is now, with a friendly message
and HTTP 409, never an error page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agreements.models import Agreement
from workflow.core.access import Action
from workflow.core.exceptions import Conflict, NotFound
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.lifecycle.diff import version_diff, versions_to_compare
from workflow.lifecycle.forms import (
    AdvisorGrantForm,
    CommentForm,
    OptionalNoteForm,
    RequestChangesForm,
)
from workflow.lifecycle.selectors.page import PAGE_ANNOTATIONS, agreement_page
from workflow.web.errors import handles_service_errors


def detail_url(agreement: Agreement) -> str:
    return reverse("agreement:detail", kwargs={"reference": agreement.reference})


def _meta(request) -> RequestMeta:
    return RequestMeta.from_request(request)


def new_comment_form(section_key: str = "", parent: int | None = None, data=None) -> CommentForm:
    """A comment form with ids of its own: the page holds one per section and one per thread."""
    suffix = f"reply{parent}" if parent else (section_key or "general")
    return CommentForm(data, auto_id=f"id_%s_{suffix}", initial={"section_key": section_key, "parent": parent})


def _with_comment_forms(context: dict, failed: dict | None) -> None:
    """Each section gets its threads and a form; each thread (advice too) a reply form (a failed one stays bound).

    The forms are made only for someone who may comment now (the page shows them only then): a signed
    agreement's page makes none of its dozens.
    """
    failed_key = (failed["section_key"], str(failed["parent"] or "")) if failed else None
    may_comment = Action.COMMENT in context["actions"]

    def comment_form(section_key: str = "", parent: int | None = None):
        if failed_key == (section_key, str(parent or "")):
            return failed["form"]
        return new_comment_form(section_key, parent=parent) if may_comment else None

    threads = context["threads"]
    bodies = context["content"]["sections"]
    sections = []
    for section in [*context["sections"], {"key": "", "title": _("De afspraak als geheel"), "body": None}]:
        key = section["key"]
        if key:
            deviation = context["model_deviation"].sections[key] if context.get("model_deviation") else None
            section = {**section, "body_html": bodies.get(key, ""), "deviation": deviation}
        for thread in threads.get(key, []):
            thread.reply_form = comment_form(key, parent=thread.comment.pk)
        form = comment_form(key)
        threads_here = threads.get(key, [])
        sections.append(
            {
                **section,
                "threads": threads_here,
                "open_count": sum(1 for t in threads_here if not t.resolved),
                "comment_form": form,
            }
        )
    context["content_sections"] = sections[:-1]
    context["general"] = sections[-1]
    for thread in context["advisory_threads"]:
        thread.reply_form = comment_form(thread.comment.section_key, parent=thread.comment.pk)


def _advisor_form(agreement: Agreement, candidates: list) -> AdvisorGrantForm:
    """The form to let an advisor read along, its choices from the page's rows (posting checks them afresh)."""
    form = AdvisorGrantForm(agreement=agreement)
    field = form.fields["advisor"]
    field.choices = [("", field.empty_label), *((o.pk, o.name) for o in candidates)]
    return form


def render_detail(
    request, agreement: Agreement, *, status: int = 200, conflict: Conflict | None = None, fresh: bool = False, **forms
):
    """The agreement page, read fresh: after a refusal it shows the state as it is now.

    ``fresh``: ``agreement`` was just read by ``agreement_get_for`` (with its parties), so it is not read again.
    """
    if not fresh:
        agreement = Agreement.objects.select_related("initiative", "municipality").get(pk=agreement.pk)
    context = agreement_page(request.user, agreement)
    context.update(
        {
            "conflict": conflict,
            "request_changes_form": RequestChangesForm(),
            "reopen_form": OptionalNoteForm(prefix="reopen"),
            "withdraw_form": OptionalNoteForm(prefix="withdraw"),
            "advisor_form": _advisor_form(agreement, context["advisor_candidates"]),
        }
    )
    failed = forms.pop("failed_comment", None)
    context.update(forms)
    _with_comment_forms(context, failed)
    return render(request, "agreements/detail.html", context, status=status)


@login_required
@require_GET
@handles_service_errors
def detail(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference, annotations=PAGE_ANNOTATIONS)
    return render_detail(request, agreement, fresh=True)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
@handles_service_errors
def versions(request, reference: str):
    """What changed between two versions; by default the last two review rounds."""
    agreement = agreement_get_for(request.user, reference=reference)
    all_versions = list(agreement.versions.order_by("number"))
    pair = versions_to_compare(
        all_versions, old=_int_or_none(request.GET.get("van")), new=_int_or_none(request.GET.get("naar"))
    )
    if pair is None:
        raise NotFound(_("Deze versie bestaat niet."))
    old, new = pair
    return render(
        request,
        "agreements/versions.html",
        {
            "agreement": agreement,
            "versions": all_versions,
            "diff": version_diff(old, new),
            "old": old.number,
            "new": new.number,
        },
    )


@login_required
@require_GET
@handles_service_errors
def version_content(request, reference: str, number: int):
    """The exact bytes of a frozen version whose SHA-256 is its content hash (to check a signature)."""
    agreement = agreement_get_for(request.user, reference=reference)
    version = agreement.versions.filter(number=number, frozen_at__isnull=False).first()
    if version is None:
        raise NotFound(_("Deze versie bestaat niet of is nog niet vastgelegd."))
    response = HttpResponse(version.canonical_bytes(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agreement.reference}-v{version.number}.json"'
    return response
