"""What the member pages look up from the address: an organisation its admin manages, and one of its members.

For anyone else both are 404: for them the page does not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from agreements.models import Membership, Organisation, User
from workflow.core.access import may_manage_members


def organisation_for_admin(request, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not may_manage_members(request.user, organisation):
        raise Http404
    return organisation


def member_of(organisation: Organisation, user_id: int) -> User:
    # Not a join on memberships: someone with two roles would be two rows.
    member = get_object_or_404(User, pk=user_id)
    if not Membership.objects.filter(organisation=organisation, user=member).exists():
        raise Http404
    return member
