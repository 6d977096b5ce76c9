"""The events in an agreement's life that others hear about: by e-mail (notifications) and by webhook."""

from __future__ import annotations


class Event:
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    COMMENTED = "commented"
    APPROVED = "approved"
    SIGNATURE_ADDED = "signature_added"
    SIGNED = "signed"
    REOPENED = "reopened"
    DECLINED_TO_SIGN = "declined_to_sign"
    WITHDRAWN = "withdrawn"
    AMENDED = "amended"
    EXPIRED = "expired"
    DOCUMENT_READY = "document_ready"
    SIGNING_LOCKED = "signing_locked"
