"""An outbox row as an e-mail: subject, text and HTML in the recipient's language."""

from __future__ import annotations

import datetime as dt
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode

from agreements.models import NOT_ON_ONE_LINE, Agreement, Comment, User
from workflow.models import Notification, NotificationKind
from workflow.notifications.events import INVITATION, PASSWORD_RESET, REGISTRATION, Event, email_language
from workflow.notifications.preferences import LABELS

# Subjects per template key and language. Kept here rather than in the
# translation catalogue so that each language's subject is fixed in code.
SUBJECTS: dict[str, dict[str, str]] = {
    Event.SUBMITTED: {
        "nl": "Ter beoordeling: {reference} {title}",
        "en": "For your review: {reference} {title}",
    },
    Event.CHANGES_REQUESTED: {
        "nl": "Wijzigingen gevraagd: {reference} {title}",
        "en": "Changes requested: {reference} {title}",
    },
    Event.COMMENTED: {
        "nl": "Nieuwe opmerking bij {reference} {title}",
        "en": "New comment on {reference} {title}",
    },
    Event.APPROVED: {
        "nl": "Goedgekeurd, klaar om te tekenen: {reference} {title}",
        "en": "Approved, ready to sign: {reference} {title}",
    },
    Event.SIGNATURE_ADDED: {
        "nl": "Er is getekend, uw handtekening ontbreekt nog: {reference} {title}",
        "en": "Someone signed, your signature is still needed: {reference} {title}",
    },
    Event.SIGNED: {
        "nl": "Ondertekend: {reference} {title}",
        "en": "Signed: {reference} {title}",
    },
    Event.REOPENED: {
        "nl": "Heropend: {reference} {title}",
        "en": "Reopened: {reference} {title}",
    },
    Event.DECLINED_TO_SIGN: {
        "nl": "Niet ondertekend, terug naar de opstellers: {reference} {title}",
        "en": "Declined to sign, back to the drafters: {reference} {title}",
    },
    Event.WITHDRAWN: {
        "nl": "Ingetrokken: {reference} {title}",
        "en": "Withdrawn: {reference} {title}",
    },
    Event.AMENDED: {
        "nl": "Wijziging gestart: {reference} {title}",
        "en": "Amendment started: {reference} {title}",
    },
    Event.EXPIRED: {
        "nl": "Verlopen: {reference} {title}",
        "en": "Expired: {reference} {title}",
    },
    Event.SIGNING_LOCKED: {
        "nl": "Ondertekenen geblokkeerd na verkeerde wachtwoorden: {reference}",
        "en": "Signing blocked after wrong passwords: {reference}",
    },
    Event.DOCUMENT_READY: {
        "nl": "Getekend document klaar: {reference} {title}",
        "en": "Signed document ready: {reference} {title}",
    },
    "reminder_review": {
        "nl": "Herinnering: {reference} wacht op uw beoordeling",
        "en": "Reminder: {reference} is waiting for your review",
    },
    "reminder_signature": {
        "nl": "Herinnering: {reference} wacht op uw handtekening",
        "en": "Reminder: {reference} is waiting for your signature",
    },
    "reminder_evaluation": {
        "nl": "Binnenkort evalueren: {reference} {title}",
        "en": "Evaluation coming up: {reference} {title}",
    },
    "reminder_expiry": {
        "nl": "Looptijd eindigt binnenkort: {reference} {title}",
        "en": "Ending soon: {reference} {title}",
    },
    "reminder_decision_due": {
        "nl": "Besluitmoment komt eraan: {reference} {title}",
        "en": "Decision moment coming up: {reference} {title}",
    },
    "reminder_evaluation_answer": {
        "nl": "De evaluatie wacht op uw antwoorden: {reference} {title}",
        "en": "The evaluation is waiting for your answers: {reference} {title}",
    },
    "reminder_escalation_step_due": {
        "nl": "Termijn van een escalatiestap voorbij: {reference} {title}",
        "en": "An escalation step's term has passed: {reference} {title}",
    },
    "reminder_decision_overdue": {
        "nl": "Besluitmoment zonder uitkomst: {reference} {title}",
        "en": "Decision moment without an outcome: {reference} {title}",
    },
    INVITATION: {
        "nl": "Uitnodiging voor Samenkader van {organisation}",
        "en": "Invitation to Samenkader from {organisation}",
    },
    REGISTRATION: {
        "nl": "Bevestig de aanmelding van {organisation} bij Samenkader",
        "en": "Confirm the registration of {organisation} with Samenkader",
    },
}

# The daily overview (digest.py) has no single agreement: its own subject.
DIGEST_SUBJECT = {
    "nl": "Samenkader: uw overzicht van {date}",
    "en": "Samenkader: your overview of {date}",
}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# Where an e-mail about an event takes the person: the page where they act.
SIGNING_EVENTS = {Event.APPROVED, Event.SIGNATURE_ADDED, "reminder_signature"}


def agreement_url(agreement: Agreement, *, event: str = "") -> str:
    """The agreement's page (the signing page for e-mails that ask for a signature)."""
    name = "agreement:sign" if event in SIGNING_EVENTS else "agreement:detail"
    return absolute_url(reverse(name, kwargs={"reference": agreement.reference}))


def header_safe(text: str) -> str:
    """``text`` as one line for a header: each run of whitespace and control characters becomes one space.

    Titles and names are one line now, but older ones may hold a line break; a
    subject with one would make the mail library refuse the whole message.
    """
    spaced = "".join(" " if unicodedata.category(c) in NOT_ON_ONE_LINE else c for c in text)
    return " ".join(spaced.split())


def _display_name(user: User | None) -> str:
    if user is None:
        return "Samenkader"
    return user.full_name or user.email


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """Subject, text and HTML in the recipient's language, with the row's Message-ID."""
    n = notification
    language = email_language(n.language)
    with translation.override(language):
        if n.event == PASSWORD_RESET:
            subject, text, html = _password_reset(n)
        elif n.kind == NotificationKind.DIGEST:
            subject, text, html = _digest(n, language)
        else:
            subject, text, html = _about_an_event(n, language)
    message = EmailMultiAlternatives(
        subject=header_safe(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient_email],
        headers={
            "Message-ID": n.message_id,
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
            "X-Samenkader-Event": n.event,
        },
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


def _about_an_event(n: Notification, language: str) -> tuple[str, str, str]:
    """An event, reminder or invitation: subject from SUBJECTS, text and HTML from templates/emails/."""
    agreement = n.agreement
    context = dict(n.context or {})
    template_context = {
        "language": language,
        "recipient_name": _display_name(n.recipient) if n.recipient else "",
        "actor_name": _display_name(n.actor) if n.actor_id else "",
        "site_url": settings.SITE_URL,
        "agreement": agreement,
        "note": context.get("note", ""),
        "context": context,
    }
    subject_values = {"organisation": context.get("organisation_name", "")}
    if agreement is not None:
        # A reminder about one commitment takes the person to its page (``path``); the rest to the agreement.
        template_context["link"] = (
            context.get("download_url")
            or (absolute_url(context["path"]) if context.get("path") else "")
            or agreement_url(agreement, event=n.event)
        )
        template_context["initiative"] = agreement.initiative.name
        template_context["municipality"] = agreement.municipality.name
        subject_values.update(reference=agreement.reference, title=agreement.title)
        if context.get("date"):
            template_context["date"] = dt.date.fromisoformat(context["date"])
        comment_id = context.get("comment_id")
        if comment_id:
            template_context["comment"] = Comment.objects.filter(pk=comment_id).first()
        if n.event == "reminder_signature" or n.event == Event.SIGNATURE_ADDED:
            template_context["signing"] = [agreement.party_signing_status(party) for party in agreement.parties]
    else:
        template_context["link"] = context.get("accept_url") or absolute_url("/")
    subject = SUBJECTS[n.event][language].format(**subject_values)
    text = render_to_string(f"emails/{n.event}.txt", template_context)
    html = render_to_string(f"emails/{n.event}.html", template_context)
    return subject, text, html


def _digest(n: Notification, language: str) -> tuple[str, str, str]:
    """The daily overview: every held row it carries, grouped by agreement, oldest first."""
    items = (
        Notification.objects.filter(digest_id=n.pk, agreement__isnull=False)
        .select_related("agreement__initiative", "agreement__municipality", "actor")
        .order_by("created_at", "pk")
    )
    comment_ids = [item.context.get("comment_id") for item in items if (item.context or {}).get("comment_id")]
    comments = Comment.objects.in_bulk(comment_ids)
    groups: dict[int, dict] = {}
    for item in items:
        context = item.context or {}
        group = groups.setdefault(
            item.agreement_id,
            {"agreement": item.agreement, "link": agreement_url(item.agreement), "items": []},
        )
        comment = comments.get(context.get("comment_id"))
        group["items"].append(
            {
                "label": LABELS.get(item.event, item.event),
                "at": item.created_at,
                "actor_name": _display_name(item.actor) if item.actor_id else "",
                "note": comment.body if comment is not None else context.get("note", ""),
                "download_url": context.get("download_url", ""),
            }
        )
    if not groups:
        raise ValueError("The daily overview has nothing left to tell")
    template_context = {
        "language": language,
        "recipient_name": _display_name(n.recipient) if n.recipient else "",
        "site_url": settings.SITE_URL,
        "groups": list(groups.values()),
        "count": sum(len(group["items"]) for group in groups.values()),
        "link": absolute_url(reverse("home")),
        "profile_url": absolute_url(reverse("profile")),
    }
    day = date_format(timezone.localdate(n.created_at), "j F Y")
    subject = DIGEST_SUBJECT[language].format(date=day)
    text = render_to_string("emails/digest.txt", template_context)
    html = render_to_string("emails/digest.html", template_context)
    return subject, text, html


def _password_reset(n: Notification) -> tuple[str, str, None]:
    """The password-reset e-mail (templates/accounts/emails/), with a one-time link made now.

    The link's token is made here, in the worker, and never stored. It only
    works while the account's password and address are what they were; an
    account that can no longer sign in with a password gets nothing (a
    ValueError marks the row failed for good).
    """
    user = n.recipient
    if (
        user is None
        or not user.is_active
        or not user.has_usable_password()
        or user.email.casefold() != n.recipient_email.casefold()
    ):
        raise ValueError("This account cannot reset its password at this address any more")
    site = urlsplit(settings.SITE_URL)
    context = {
        "protocol": site.scheme,
        "domain": site.netloc + site.path,  # SITE_URL, never the Host header of a request
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "user": user,
        "email": user.email,
        "site_name": "Samenkader",
    }
    subject = render_to_string("accounts/emails/password_reset_subject.txt", context)
    text = render_to_string("accounts/emails/password_reset_email.txt", context)
    return subject, text, None
