"""The agreement page and the actions on it: review, reopen, withdraw, amend, comments, advisors, versions.

Views hold no rules: they read through the selectors, write through the
services, and turn a refusal into a page. Someone else acting first (a
Conflict) renders the agreement page as it is now, with a friendly message
and HTTP 409, never an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements.choices import MembershipRole, OrganisationKind
from agreements.models import Agreement, Organisation
from agreements.sections import SECTION_DEFINITIONS, SECTIONS_BY_KEY

from .. import services
from ..diff import version_diff
from ..exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from ..forms.agreements import (
    AdvisorGrantForm,
    AgreementCreateForm,
    CommentForm,
    NeighbourhoodFormSet,
    OptionalNoteForm,
    RequestChangesForm,
    neighbourhood_rows,
)
from ..permissions import Action, may
from ..selectors import agreement_get_for, comment_get_for
from ..selectors_agreement import agreement_page
from ..services import RequestMeta
from .errors import add_errors_to_form, handles_service_errors


def detail_url(agreement: Agreement) -> str:
    return reverse("agreement:detail", kwargs={"reference": agreement.reference})


def _meta(request) -> RequestMeta:
    return RequestMeta.from_request(request)


def comment_form(section_key: str = "", parent: int | None = None, data=None) -> CommentForm:
    """A comment form with ids of its own: the page holds one per section and one per thread."""
    suffix = f"reply{parent}" if parent else (section_key or "general")
    return CommentForm(data, auto_id=f"id_%s_{suffix}", initial={"section_key": section_key, "parent": parent})


def _with_comment_forms(context: dict, failed: dict | None) -> None:
    """Each section gets its threads and a form; each thread a reply form (a failed one stays bound)."""
    failed_key = (failed["section_key"], str(failed["parent"] or "")) if failed else None
    threads = context["threads"]
    sections = []
    for section in [*context["sections"], {"key": "", "title": _("De afspraak als geheel"), "body": None}]:
        key = section["key"]
        for thread in threads.get(key, []):
            pk = thread.comment.pk
            thread.reply_form = failed["form"] if failed_key == (key, str(pk)) else comment_form(key, parent=pk)
        form = failed["form"] if failed_key == (key, "") else comment_form(key)
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


def render_detail(request, agreement: Agreement, *, status: int = 200, conflict: Conflict | None = None, **forms):
    """The agreement page, read fresh: after a refusal it shows the state as it is now."""
    agreement = Agreement.objects.select_related("initiative", "municipality", "supersedes").get(pk=agreement.pk)
    context = agreement_page(request.user, agreement)
    context.update(
        {
            "conflict": conflict,
            "request_changes_form": RequestChangesForm(),
            "reopen_form": OptionalNoteForm(prefix="reopen"),
            "withdraw_form": OptionalNoteForm(prefix="withdraw"),
            "advisor_form": AdvisorGrantForm(agreement=agreement),
        }
    )
    failed = forms.pop("failed_comment", None)
    context.update(forms)
    _with_comment_forms(context, failed)
    return render(request, "agreements/detail.html", context, status=status)


# --- pages -------------------------------------------------------------------------------


@login_required
@require_GET
@handles_service_errors
def detail(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    return render_detail(request, agreement)


def _drafting_initiatives(user):
    return Organisation.objects.filter(
        kind=OrganisationKind.INITIATIVE, memberships__user=user, memberships__role=MembershipRole.DRAFTER
    ).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def create(request):
    initiatives = _drafting_initiatives(request.user)
    if not initiatives.exists():
        raise NotPermitted(_("Alleen opstellers van een bewonersinitiatief kunnen een afspraak beginnen."))
    form = AgreementCreateForm(request.POST or None, initiatives=initiatives, initial={"initiative": initiatives[0]})
    neighbourhoods = NeighbourhoodFormSet(request.POST or None, prefix="neighbourhoods")
    if request.method == "POST" and "add_row" in request.POST:
        neighbourhoods = NeighbourhoodFormSet(_with_extra_row(request.POST, "neighbourhoods"), prefix="neighbourhoods")
        return _render_create(request, form, neighbourhoods, status=200)
    if request.method == "POST":
        if form.is_valid() and neighbourhoods.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.agreement_create(
                    actor=request.user,
                    initiative=data["initiative"],
                    municipality=data["municipality"],
                    title=data["title"],
                    form=data["form"],
                    phase=data["phase"],
                    language=data["language"],
                    neighbourhoods=neighbourhood_rows(neighbourhoods),
                    request_meta=_meta(request),
                )
            except InvalidInput as error:
                add_errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Afspraak %(reference)s is aangemaakt. Vul nu de onderdelen in.")
                    % {"reference": agreement.reference},
                )
                return redirect("agreement:edit", reference=agreement.reference)
        return _render_create(request, form, neighbourhoods, status=400)
    return _render_create(request, form, neighbourhoods)


def _render_create(request, form, neighbourhoods, status: int = 200):
    return render(
        request,
        "agreements/create.html",
        {"form": form, "neighbourhoods": neighbourhoods, "sections": SECTION_DEFINITIONS},
        status=status,
    )


def _with_extra_row(data, prefix: str):
    """The posted data with one more (empty) row: "add a row" without JavaScript."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, 100))
    return data


# --- review and the other state changes ----------------------------------------------------


def _state_action(request, agreement: Agreement, run, success_message: str):
    """Run a state-changing service; a Conflict shows the page as it is now (409)."""
    try:
        result = run(agreement)
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, success_message)
    return redirect(detail_url(result if isinstance(result, Agreement) else agreement))


def _noted_action(request, reference: str, *, action: str, form, form_name: str, service, success_message: str):
    """A state change that carries a note: a bad note is shown beside its field (400), but only
    to someone who may act at all (403 otherwise, as the service would say)."""
    agreement = agreement_get_for(request.user, reference=reference)
    if not form.is_valid():
        if not may(request.user, action, agreement):
            raise NotPermitted(_("U mag dit niet doen bij afspraak %(reference)s.") % {"reference": reference})
        return render_detail(request, agreement, status=400, **{form_name: form})
    return _state_action(
        request,
        agreement,
        lambda a: service(agreement=a, actor=request.user, note=form.cleaned_data["note"], request_meta=_meta(request)),
        success_message,
    )


@login_required
@require_POST
@handles_service_errors
def request_changes(request, reference: str):
    return _noted_action(
        request,
        reference,
        action=Action.REQUEST_CHANGES,
        form=RequestChangesForm(request.POST),
        form_name="request_changes_form",
        service=services.agreement_request_changes,
        success_message=_("U heeft wijzigingen gevraagd. De opstellers krijgen bericht."),
    )


@login_required
@require_POST
@handles_service_errors
def approve(request, reference: str):
    return _state_action(
        request,
        agreement_get_for(request.user, reference=reference),
        lambda a: services.agreement_approve(agreement=a, actor=request.user, request_meta=_meta(request)),
        _("U heeft de afspraak goedgekeurd. De ondertekenaars kunnen nu tekenen."),
    )


@login_required
@require_POST
@handles_service_errors
def reopen(request, reference: str):
    return _noted_action(
        request,
        reference,
        action=Action.REOPEN,
        form=OptionalNoteForm(request.POST, prefix="reopen"),
        form_name="reopen_form",
        service=services.agreement_reopen,
        success_message=_("De afspraak is weer een concept. Handtekeningen die al gezet waren, vervallen."),
    )


@login_required
@require_POST
@handles_service_errors
def withdraw(request, reference: str):
    return _noted_action(
        request,
        reference,
        action=Action.WITHDRAW,
        form=OptionalNoteForm(request.POST, prefix="withdraw"),
        form_name="withdraw_form",
        service=services.agreement_withdraw,
        success_message=_("De afspraak is ingetrokken."),
    )


@login_required
@require_POST
@handles_service_errors
def amend(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    try:
        amendment = services.agreement_amend(agreement=agreement, actor=request.user, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(
        request,
        _(
            "Wijziging %(reference)s is gestart als concept. "
            "De getekende afspraak blijft gelden tot de wijziging is getekend."
        )
        % {"reference": amendment.reference},
    )
    return redirect("agreement:edit", reference=amendment.reference)


# --- comments ------------------------------------------------------------------------------


@login_required
@require_POST
@handles_service_errors
def comment_add(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    section_key = request.POST.get("section_key", "")
    if section_key not in SECTIONS_BY_KEY:
        section_key = ""
    parent_id = _int_or_none(request.POST.get("parent"))
    parent = None
    if parent_id is not None:
        parent = comment_get_for(request.user, agreement=agreement, comment_id=parent_id)
    form = comment_form(section_key, parent=parent_id, data=request.POST)
    if form.is_valid():
        try:
            comment = services.comment_add(
                agreement=agreement,
                actor=request.user,
                body=form.cleaned_data["body"],
                section_key=section_key,
                parent=parent,
                request_meta=_meta(request),
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except Conflict as error:
            return render_detail(request, agreement, status=409, conflict=error)
        else:
            messages.success(request, _("Uw opmerking is geplaatst."))
            return redirect(f"{detail_url(agreement)}#opmerking-{comment.parent_id or comment.pk}")
    failed = {"form": form, "section_key": section_key, "parent": parent_id}
    return render_detail(request, agreement, status=400, failed_comment=failed)


@login_required
@require_POST
@handles_service_errors
def comment_resolve(request, reference: str, comment_id: int):
    agreement = agreement_get_for(request.user, reference=reference)
    comment = comment_get_for(request.user, agreement=agreement, comment_id=comment_id)
    try:
        services.comment_resolve(comment=comment, actor=request.user, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("De opmerking is afgehandeld."))
    return redirect(f"{detail_url(agreement)}#opmerking-{comment.pk}")


# --- advisors ------------------------------------------------------------------------------


@login_required
@require_POST
@handles_service_errors
def advisor_grant(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    if not may(request.user, Action.GRANT_ADVISOR, agreement):
        raise NotPermitted(_("U mag dit niet doen bij afspraak %(reference)s.") % {"reference": reference})
    form = AdvisorGrantForm(request.POST, agreement=agreement)
    if not form.is_valid():
        return render_detail(request, agreement, status=400, advisor_form=form)
    advisor = form.cleaned_data["advisor"]
    try:
        services.advisor_grant(agreement=agreement, actor=request.user, advisor=advisor, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("%(advisor)s kan nu meelezen.") % {"advisor": advisor.name})
    return redirect(detail_url(agreement))


@login_required
@require_POST
@handles_service_errors
def advisor_revoke(request, reference: str, organisation_id: int):
    agreement = agreement_get_for(request.user, reference=reference)
    advisor = get_object_or_404(Organisation, pk=organisation_id, kind=OrganisationKind.ADVISOR)
    try:
        services.advisor_revoke(agreement=agreement, actor=request.user, advisor=advisor, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("%(advisor)s leest niet meer mee.") % {"advisor": advisor.name})
    return redirect(detail_url(agreement))


# --- versions ------------------------------------------------------------------------------


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
    numbers = [v.number for v in all_versions]
    new_number = _int_or_none(request.GET.get("naar")) or (numbers[-1] if numbers else None)
    old_number = _int_or_none(request.GET.get("van"))
    if old_number is None and new_number is not None:
        earlier = [n for n in numbers if n < new_number]
        old_number = earlier[-1] if earlier else new_number
    by_number = {v.number: v for v in all_versions}
    if old_number not in by_number or new_number not in by_number:
        raise NotFound(_("Deze versie bestaat niet."))
    diff = version_diff(by_number[old_number], by_number[new_number])
    return render(
        request,
        "agreements/versions.html",
        {"agreement": agreement, "versions": all_versions, "diff": diff, "old": old_number, "new": new_number},
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


__all__ = [
    "Action",
    "advisor_grant",
    "advisor_revoke",
    "amend",
    "approve",
    "comment_add",
    "comment_resolve",
    "create",
    "detail",
    "render_detail",
    "reopen",
    "request_changes",
    "version_content",
    "versions",
    "withdraw",
]
