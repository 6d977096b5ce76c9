"""Working on an agreement together through the API: resolving comments, advisors who read along,
the versions and what changed between them. Reads through the visibility selector, writes through the services."""

from __future__ import annotations

from dataclasses import asdict

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.choices import OrganisationKind
from agreements.models import AdvisorAccess, Organisation
from workflow.api.serializers import CommentSerializer, VersionSerializer
from workflow.core.access import Action
from workflow.core.exceptions import InvalidInput, NotFound
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for, comment_get_for
from workflow.lifecycle.diff import version_diff, versions_to_compare
from workflow.lifecycle.rules import require_permission
from workflow.lifecycle.services.advisors import advisor_grant, advisor_revoke
from workflow.lifecycle.services.comments import comment_resolve


class CommentResolve(APIView):
    """POST: mark a thread's opening comment as handled (a party's comment on the current round)."""

    @extend_schema(request=None, responses=CommentSerializer)
    def post(self, request, reference: str, comment_id: int):
        agreement = agreement_get_for(request.user, reference=reference)
        comment = comment_get_for(request.user, agreement=agreement, comment_id=comment_id)
        comment = comment_resolve(comment=comment, actor=request.user, request_meta=RequestMeta.from_request(request))
        return Response(CommentSerializer(comment).data)


class AdvisorSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField()
    granted_at = serializers.DateTimeField()


class AdvisorGrantSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="The advisor organisation's id (GET /api/v1/organisations/).")


def _advisor_rows(agreement) -> list[dict]:
    return [
        {"organisation": access.organisation_id, "name": access.organisation.name, "granted_at": access.granted_at}
        for access in AdvisorAccess.objects.filter(agreement=agreement).select_related("organisation").order_by("pk")
    ]


def _advisor_organisation(organisation_id: int, *, in_path: bool = False) -> Organisation:
    """The advisor organisation; one that does not exist is a wrong field in a body, a 404 in a path."""
    advisor = Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.ADVISOR).first()
    if advisor is None:
        if in_path:
            raise NotFound(_("Deze adviesorganisatie bestaat niet."))
        raise InvalidInput(
            _("Kies een adviesorganisatie."), errors={"organisation": [_("Kies een adviesorganisatie.")]}
        )
    return advisor


class Advisors(APIView):
    """GET: the advisor organisations that read along. POST: let one read along (the initiative's drafters)."""

    @extend_schema(responses=AdvisorSerializer(many=True))
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(_advisor_rows(agreement))

    @extend_schema(request=AdvisorGrantSerializer, responses={201: AdvisorSerializer(many=True)})
    def post(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        require_permission(request.user, Action.GRANT_ADVISOR, agreement)
        serializer = AdvisorGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        advisor = _advisor_organisation(serializer.validated_data["organisation"])
        advisor_grant(
            agreement=agreement, actor=request.user, advisor=advisor, request_meta=RequestMeta.from_request(request)
        )
        return Response(_advisor_rows(agreement), status=status.HTTP_201_CREATED)


class AdvisorRevoke(APIView):
    """DELETE: end an advisor organisation's access (the initiative's drafters)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, reference: str, organisation_id: int):
        agreement = agreement_get_for(request.user, reference=reference)
        require_permission(request.user, Action.GRANT_ADVISOR, agreement)
        advisor = _advisor_organisation(organisation_id, in_path=True)
        advisor_revoke(
            agreement=agreement, actor=request.user, advisor=advisor, request_meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    revision = serializers.IntegerField()
    frozen_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField(help_text="Empty until the version is frozen (submitted).")
    url = serializers.URLField()


class Versions(APIView):
    """GET: every version of the agreement, oldest first; a frozen one has the hash its signatures are over."""

    @extend_schema(responses=VersionSummarySerializer(many=True))
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(
            [
                {
                    "number": version.number,
                    "revision": version.revision,
                    "frozen_at": version.frozen_at,
                    "content_hash": version.content_hash,
                    "url": request.build_absolute_uri(
                        reverse("api-agreement-version", kwargs={"reference": reference, "number": version.number})
                    ),
                }
                for version in agreement.versions.order_by("number")
            ]
        )


def _version(agreement, number) -> object:
    version = agreement.versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("Deze versie bestaat niet."))
    return version


class VersionDetail(APIView):
    """GET: one version's content (sections, role division, decision moments) and hash."""

    @extend_schema(responses=VersionSerializer)
    def get(self, request, reference: str, number: int):
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(VersionSerializer(_version(agreement, number)).data)


class VersionDiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    changed_total = serializers.IntegerField(help_text="Changed sections, rows of the role division and decisions.")
    sections = serializers.ListField(
        child=serializers.DictField(), help_text="key, title, changed, segments: [{op: equal|insert|delete, text}]"
    )
    responsibilities = serializers.ListField(
        child=serializers.DictField(), help_text="op: equal|insert|delete|change, old, new, changed_fields"
    )
    decision_moments = serializers.ListField(child=serializers.DictField(), help_text="As responsibilities.")


class VersionCompare(APIView):
    """GET ?from=N&to=M: what changed between two versions (by default the last two): per section the text
    as equal/insert/delete segments, per row of the role division and decision moments what changed."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=False, description="The older version (default: the one before)."),
            OpenApiParameter("to", int, required=False, description="The newer version (default: the newest)."),
        ],
        responses=VersionDiffSerializer,
    )
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        try:
            numbers = {
                name: int(request.query_params[key])
                for name, key in (("old", "from"), ("new", "to"))
                if request.query_params.get(key)
            }
        except ValueError:
            raise InvalidInput(_("Geef versienummers op."), errors={"from": [_("Geef versienummers op.")]}) from None
        pair = versions_to_compare(list(agreement.versions.all()), **numbers)
        if pair is None:
            raise NotFound(_("Deze versie bestaat niet."))
        diff = version_diff(*pair)
        return Response(
            {
                "from_version": pair[0].number,
                "to_version": pair[1].number,
                "changed_total": diff["changed_total"],
                "sections": [
                    {"key": s.key, "title": s.title, "changed": s.changed, "segments": [asdict(x) for x in s.segments]}
                    for s in diff["sections"]
                ],
                "responsibilities": [_row_change(c) for c in diff["responsibilities"]],
                "decision_moments": [_row_change(c) for c in diff["decision_moments"]],
            }
        )


def _row_change(change) -> dict:
    return {
        "op": change.op,
        "old": _plain(change.old),
        "new": _plain(change.new),
        "changed_fields": change.changed_fields,
    }


def _plain(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in row.items()}
