"""Starting an agreement and writing its draft through the API: the same services as the editor.

The draft is read and saved whole or in parts, always with the revision it
was read at: someone who saved in between makes the save a 409
(``stale_revision``, with the revision now), and nothing is written.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import Agreement, current_municipalities
from workflow.api.serializers import (
    AgreementCreateSerializer,
    AgreementDetailSerializer,
    DraftSerializer,
    DraftUpdateSerializer,
)
from workflow.core.access import Action, initiatives_drafted_by, may_create_any_agreement
from workflow.core.exceptions import InvalidInput, NotPermitted, ServiceError
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.lifecycle.rules import check_edit, require_permission
from workflow.lifecycle.selectors.model_agreements import model_to_start_from
from workflow.lifecycle.services.drafting import (
    AGREEMENT_FIELDS_EDITABLE_IN_DRAFT,
    agreement_create,
    agreement_update_draft,
)

# The parts of a draft that are lists or maps of their own; the rest are the agreement's fields.
_PARTS = ("neighbourhoods", "sections", "responsibilities", "decision_moments", "escalation_steps")


def create_agreement_response(request) -> Response:
    """POST /api/v1/agreements/: see AgreementList.post."""
    if not may_create_any_agreement(request.user):
        raise NotPermitted(_("Alleen opstellers van een bewonersinitiatief kunnen een afspraak beginnen."))
    serializer = AgreementCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    initiative = initiatives_drafted_by(request.user).filter(pk=data.pop("initiative")).first()
    municipality = current_municipalities().filter(pk=data.pop("municipality")).first()
    errors = {}
    if initiative is None:
        errors["initiative"] = [_("Kies een bewonersinitiatief waarvoor u opsteller bent.")]
    if municipality is None:
        errors["municipality"] = [_("Kies een gemeente.")]
    slug = data.pop("model")
    model = model_to_start_from(slug=slug, language=data["language"]) if slug else None
    if slug and model is None:
        errors["model"] = [_("Dit model wordt niet meer aangeboden. Kies een ander model.")]
    if errors:
        raise InvalidInput(_("De afspraak is niet aangemaakt."), errors=errors)
    if model is not None:
        data["form"] = model.form
    created = agreement_create(
        model=model,
        actor=request.user,
        initiative=initiative,
        municipality=municipality,
        request_meta=RequestMeta.from_request(request),
        **data,
    )
    agreement = agreement_get_for(request.user, reference=created.reference)
    body = AgreementDetailSerializer(agreement, context={"request": request}).data
    location = request.build_absolute_uri(reverse("api-agreement-detail", kwargs={"reference": agreement.reference}))
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


def draft_data(agreement: Agreement, *, editable: bool) -> dict:
    """The newest version's content and the agreement's own fields, in the shape DraftUpdateSerializer takes."""
    version = agreement.current_version_with_content()
    return {
        "reference": agreement.reference,
        "version": version.number,
        "revision": version.revision,
        "editable": editable,
        **{name: getattr(agreement, name) for name in AGREEMENT_FIELDS_EDITABLE_IN_DRAFT},
        "neighbourhoods": [{"name": n.name, "cbs_code": n.cbs_code} for n in agreement.neighbourhoods.all()],
        "sections": {section.key: section.body for section in version.sections.all()},
        "responsibilities": [
            {**row.content_values(), "third_parties": [party.as_dict() for party in row.third_party_roles]}
            for row in version.responsibilities.all()
        ],
        "decision_moments": [row.content_values() for row in version.decision_moments.all()],
        "escalation_steps": [row.content_values() for row in version.escalation_steps.all()],
    }


def _may_edit(user, agreement: Agreement) -> bool:
    try:
        check_edit(user, agreement)
    except ServiceError:
        return False
    return True


class Draft(APIView):
    """GET: the draft (or, after submitting, the version under review) with its revision. PATCH: save changes."""

    @extend_schema(responses=DraftSerializer)
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(DraftSerializer(draft_data(agreement, editable=_may_edit(request.user, agreement))).data)

    @extend_schema(request=DraftUpdateSerializer, responses=DraftSerializer)
    def patch(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        require_permission(request.user, Action.EDIT, agreement)
        serializer = DraftUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        revision = data.pop("revision")
        parts = {name: data.pop(name) for name in _PARTS if name in data}
        agreement_update_draft(
            agreement=agreement,
            actor=request.user,
            based_on_revision=revision,
            fields=data or None,
            request_meta=RequestMeta.from_request(request),
            **parts,
        )
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(DraftSerializer(draft_data(agreement, editable=True)).data)
