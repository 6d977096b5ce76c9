"""The organisations a person may see, and for an organisation's admin its members.

Municipalities and advisor organisations are the platform's directory: any
drafter picks from them on the web site (a new agreement's municipality, an
advisor to read along). Initiatives are visible to their own members and to
whoever sees an agreement they are party to.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.choices import OrganisationKind
from agreements.models import Organisation
from workflow.api.serializers import OrganisationSerializer
from workflow.core.access import may_manage_members, roles_in
from workflow.core.exceptions import NotFound, NotPermitted
from workflow.core.visibility import memberships_of, visible_agreements
from workflow.members.selectors import members_of


class OrganisationWithRolesSerializer(OrganisationSerializer):
    my_roles = serializers.SerializerMethodField(help_text="Your roles in this organisation (empty: not a member).")

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "my_roles"]

    def get_my_roles(self, organisation) -> list[str]:
        return sorted(roles_in(self.context["user"], organisation.pk))


def visible_organisations(user):
    own = [membership.organisation_id for membership in memberships_of(user)]
    parties = visible_agreements(user).order_by()
    return Organisation.objects.filter(
        Q(kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.ADVISOR], merged_into__isnull=True)
        | Q(pk__in=own)
        | Q(pk__in=parties.values("initiative_id"))
    ).order_by("kind", "name", "pk")


class Organisations(APIView):
    """GET: municipalities, advisor organisations, your own organisations (with your roles) and the initiatives
    of the agreements you see. ?kind=municipality|initiative|advisor narrows it."""

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=OrganisationKind.values, required=False)],
        responses=OrganisationWithRolesSerializer(many=True),
    )
    def get(self, request):
        organisations = visible_organisations(request.user)
        kind = request.query_params.get("kind")
        if kind:
            organisations = organisations.filter(kind=kind)
        context = {"user": request.user}
        return Response(OrganisationWithRolesSerializer(organisations, many=True, context=context).data)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    mandate_until = serializers.DateField(allow_null=True)
    two_factor = serializers.BooleanField()


class Members(APIView):
    """GET: the people of one of your organisations, their roles and mandate (the organisation's admins)."""

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request, organisation_id: int):
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None or not roles_in(request.user, organisation_id):
            raise NotFound(_("Deze organisatie bestaat niet of u hoort er niet bij."))
        if not may_manage_members(request.user, organisation):
            raise NotPermitted(_("Alleen de beheerder van de organisatie ziet haar leden."))
        return Response(
            [
                {
                    "id": entry["user"].pk,
                    "full_name": entry["user"].full_name,
                    "email": entry["user"].email,
                    "roles": entry["roles"],
                    "mandate_until": entry["mandate_until"],
                    "two_factor": entry["two_factor"],
                }
                for entry in members_of(organisation)
            ]
        )
