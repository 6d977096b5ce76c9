"""Writes. One function per user action; views, the API and tasks call only these."""

from ._base import SYSTEM, RequestMeta
from .agreements import (
    advisor_grant,
    advisor_revoke,
    agreement_amend,
    agreement_approve,
    agreement_create,
    agreement_expire,
    agreement_reopen,
    agreement_request_changes,
    agreement_sign,
    agreement_submit,
    agreement_update_draft,
    agreement_withdraw,
    comment_add,
    comment_resolve,
)
from .members import (
    invitation_accept,
    invitation_create,
    invitation_read,
    invitation_url,
    member_remove,
    member_update,
    user_set_language,
)

__all__ = [
    "SYSTEM",
    "RequestMeta",
    "advisor_grant",
    "advisor_revoke",
    "agreement_amend",
    "agreement_approve",
    "agreement_create",
    "agreement_expire",
    "agreement_reopen",
    "agreement_request_changes",
    "agreement_sign",
    "agreement_submit",
    "agreement_update_draft",
    "agreement_withdraw",
    "comment_add",
    "comment_resolve",
    "invitation_accept",
    "invitation_create",
    "invitation_read",
    "invitation_url",
    "member_remove",
    "member_update",
    "user_set_language",
]
