"""The public examples (no sign-in), a party's consent to sharing, the Woo package, lessons learnt."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements.sections import SECTION_DEFINITIONS
from workflow.core.access import may_create_any_agreement, may_record_lesson, roles_in
from workflow.core.exceptions import InvalidInput, NotPermitted
from workflow.core.personal_data import PersonalDataFinder
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.examples import selectors, services
from workflow.examples.forms import ExampleSearchForm, LessonForm, PublicTextForm
from workflow.examples.presentation import public_content
from workflow.examples.woo import publication_package
from workflow.lifecycle.selectors.sharing import sharing_state
from workflow.web.errors import add_errors_to_form, handles_service_errors


@require_GET
def example_list(request):
    """``/voorbeelden/``: every example on show, searchable, a page at a time."""
    search = ExampleSearchForm(request.GET or None, municipalities=selectors.municipalities_with_examples())
    criteria = search.cleaned_data if search.is_bound and search.is_valid() else {}
    rows = selectors.public_examples(
        q=criteria.get("q", ""),
        form=criteria.get("form", ""),
        phase=criteria.get("phase", ""),
        province=criteria.get("province", ""),
        municipality=criteria["municipality"].pk if criteria.get("municipality") else None,
    )
    page = selectors.public_example_page(rows, request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {"search": search, "page": page, "query": query.urlencode()}
    return render(request, "examples/list.html", context)


@require_GET
def example(request, slug: str):
    """One example: the summary first, then the agreement as both parties agreed to show it, and its lessons."""
    found = selectors.public_example_get(slug)
    if found is None:
        raise Http404
    user = request.user
    is_municipality_member = user.is_authenticated and bool(roles_in(user, found.municipality_id))
    context = {
        "example": found,
        **public_content(found),
        "lessons": selectors.shared_lessons_of(found.agreement_id),
        "reuse_count": selectors.reuse_count(found),
        "may_start": user.is_authenticated and may_create_any_agreement(user),
        "woo_package": is_municipality_member,
    }
    return render(request, "examples/detail.html", context)


@login_required
@require_GET
def woo_package(request, slug: str):
    """The municipality's publication package for the Woo: the PDF without personal data and its metadata."""
    found = selectors.public_example_get(slug)
    if found is None:
        raise Http404
    if not roles_in(request.user, found.municipality_id):
        raise Http404  # for anyone but the municipality's people the package does not exist
    document_url = request.build_absolute_uri(reverse("examples:example", args=[found.slug]))
    response = HttpResponse(publication_package(found, document_url=document_url), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="woo-{found.slug}.zip"'
    return response


# --- a party's consent ---------------------------------------------------------------------------------


def _highlighted(form: PublicTextForm, finder: PersonalDataFinder) -> list[dict]:
    """Each part of the public text with the personal data in it marked: as typed (after a refusal too), or as
    it starts."""
    parts = [("summary", _("Samenvatting"), form["summary"].value() or "")]
    for definition in SECTION_DEFINITIONS:
        parts.append((definition.key, definition.title, form[f"section_{definition.key}"].value() or ""))
    return [
        {"key": key, "title": title, "pieces": finder.pieces(text), "has_personal": bool(finder.found_in(text))}
        for key, title, text in parts
    ]


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def share(request, reference: str):
    """The public text as it will appear, names of people highlighted; the party edits it and consents."""
    agreement = agreement_get_for(request.user, reference=reference)
    state = sharing_state(request.user, agreement)
    if state.party is None:
        raise NotPermitted(_("Alleen een beheerder of ondertekenaar van een partij stemt in met openbaar maken."))
    services.require_signed(agreement)
    start = services.signed_public_text(agreement)
    initial = {"summary": start.get("summary", "")}
    initial.update({f"section_{key}": text for key, text in start["sections"].items()})
    form = PublicTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            published = services.publication_consent_give(
                agreement=agreement,
                actor=request.user,
                summary=form.cleaned_data["summary"],
                sections=form.sections(),
                request_meta=RequestMeta.from_request(request),
            )
        except InvalidInput as error:
            add_errors_to_form(form, InvalidInput(errors=_form_fields(error.errors)))
        else:
            if published is not None:
                messages.success(
                    request, _("Beide partijen stemden in: de afspraak staat nu in de voorbeeldenbibliotheek.")
                )
            else:
                messages.success(
                    request,
                    _("U stemde in namens %(party)s. Nu wacht het op de andere partij.") % {"party": state.party},
                )
            return redirect("agreement:detail", reference=agreement.reference)
    finder = PersonalDataFinder()
    context = {
        "agreement": agreement,
        "state": state,
        "form": form,
        "preview": _highlighted(form, finder),
        "rows": services.public_rows(agreement, finder),
    }
    return render(request, "examples/share.html", context, status=400 if request.method == "POST" else 200)


SECTION_KEYS = {definition.key for definition in SECTION_DEFINITIONS}


def _form_fields(errors: dict) -> dict:
    """The service names a section by its key; the form's field is ``section_<key>``."""
    return {(f"section_{key}" if key in SECTION_KEYS else key): messages for key, messages in errors.items()}


@login_required
@require_POST
@handles_service_errors
def share_withdraw(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    services.publication_consent_withdraw(
        agreement=agreement, actor=request.user, request_meta=RequestMeta.from_request(request)
    )
    messages.success(
        request, _("Uw instemming is ingetrokken. De afspraak staat niet (meer) in de voorbeeldenbibliotheek.")
    )
    return redirect("agreement:detail", reference=agreement.reference)


# --- lessons learnt ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def lesson(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    if may_record_lesson(request.user, agreement) is None:
        raise NotPermitted(_("Alleen leden van de partijen leggen een les vast."))
    form = LessonForm(request.POST or None, initial={"phase": agreement.phase})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lesson_record(
                agreement=agreement,
                actor=request.user,
                phase=data["phase"],
                topic=data["topic"],
                worked=data["worked"],
                did_not_work=data["did_not_work"],
                shared=data["shared"],
                request_meta=RequestMeta.from_request(request),
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        else:
            messages.success(request, _("Dank u: de les is vastgelegd."))
            return redirect("agreement:detail", reference=agreement.reference)
    context = {"agreement": agreement, "form": form}
    return render(request, "examples/lesson.html", context, status=400 if request.method == "POST" else 200)
