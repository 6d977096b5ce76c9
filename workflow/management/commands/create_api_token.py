"""Make a personal API token for a person, for a script; the token is printed once and never again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agreements.models import User
from workflow.core.exceptions import InvalidInput
from workflow.members.services.api_tokens import api_token_create
from workflow.models import ApiTokenScope


class Command(BaseCommand):
    help = (
        "Make a personal API token for EMAIL and print it once. It acts as that person: what they may see and "
        "do, within its scope. People make and revoke their own tokens on their profile page."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="Script", help="How the token is called in lists and the log.")
        parser.add_argument(
            "--scope",
            choices=ApiTokenScope.values,
            default=ApiTokenScope.READ,
            help="read: only read (the default); write: read and act, as on the web site.",
        )
        parser.add_argument("--days", type=int, default=None, help="Valid for this many days (default: until revoked).")

    def handle(self, *args, email: str, name: str, scope: str, days: int | None, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email}.")
        try:
            issued = api_token_create(user=user, name=name, scope=scope, valid_days=days)
        except InvalidInput as error:
            details = "; ".join(m for messages in error.errors.values() for m in messages)
            raise CommandError(f"{error.message} {details}".strip()) from None
        token = issued.token
        until = f"until {token.expires_at:%Y-%m-%d}" if token.expires_at else "until revoked"
        self.stderr.write(f"Token '{token.name}' for {user.email} ({token.get_scope_display()}, {until}).")
        self.stderr.write("It is shown once: store it now. Send it as 'Authorization: Bearer <token>'.")
        self.stdout.write(issued.secret)
