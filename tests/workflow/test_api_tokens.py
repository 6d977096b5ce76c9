"""Personal API tokens: stored as a hash, act exactly as their person within their scope, and can be revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from agreements.choices import AgreementState as S
from agreements.choices import TwoFactorPolicy
from agreements.models import AdvisorAccess, AuditEvent
from tests.factories import PASSWORD, AgreementFactory
from workflow.core.exceptions import InvalidInput, NotFound
from workflow.members.services.api_tokens import (
    MAX_ACTIVE_TOKENS,
    api_token_create,
    api_token_for_secret,
    api_token_revoke,
)
from workflow.models import ApiToken, ApiTokenScope, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)  # a token needs no CSRF token: browsers never send it by themselves
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def token_for(user, scope=ApiTokenScope.WRITE, name="Zaaksysteem", **kwargs) -> str:
    return api_token_create(user=user, name=name, scope=scope, **kwargs).secret


@pytest.fixture
def in_review(world):
    return AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)


def test_only_the_hash_is_kept_and_the_secret_is_shown_once(world):
    issued = api_token_create(user=world.reviewer, name="  Zaak   systeem ", scope=ApiTokenScope.READ, valid_days=30)
    assert issued.secret.startswith("skt_") and len(issued.secret) > 40
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert row.name == "Zaak systeem"
    assert row.digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    stored = " ".join(str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert issued.secret not in stored and issued.secret[4:] not in stored
    assert row.prefix == issued.secret[:8]
    assert dt.timedelta(days=29) < row.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.API_TOKEN_CREATED, user=world.reviewer).exists()


def test_a_token_sees_exactly_what_its_person_sees(world, in_review):
    AgreementFactory(initiative=world.other_initiative, municipality=world.other_municipality)
    session = APIClient()
    session.force_login(world.reviewer)
    by_session = session.get("/api/v1/agreements/").json()["results"]
    by_token = bearer(token_for(world.reviewer, ApiTokenScope.READ)).get("/api/v1/agreements/").json()["results"]
    assert [a["reference"] for a in by_token] == [a["reference"] for a in by_session] == [in_review.reference]
    assert bearer(token_for(world.outsider)).get(f"/api/v1/agreements/{in_review.reference}/").status_code == 404


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired", "inactive person", "malformed"])
def test_a_token_that_does_not_work_gets_401_with_the_scheme(world, how):
    secret = token_for(world.reviewer)
    token = ApiToken.objects.get(user=world.reviewer)
    header = f"Bearer {secret}"
    if how == "unknown":
        header = "Bearer skt_" + "x" * 43
    elif how == "revoked":
        api_token_revoke(user=world.reviewer, token_id=token.pk)
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif how == "inactive person":
        type(world.reviewer).objects.filter(pk=world.reviewer.pk).update(is_active=False)
    elif how == "malformed":
        header = f"Bearer {secret} extra"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/agreements/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="samenkader"'
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["message"]


def test_a_read_token_reads_but_does_not_act(world, in_review):
    client = bearer(token_for(world.reviewer, ApiTokenScope.READ))
    assert client.get(f"/api/v1/agreements/{in_review.reference}/").status_code == 200
    response = client.post(f"/api/v1/agreements/{in_review.reference}/approve/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and "alleen lezen" in response.json()["message"]
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW
    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    AdvisorAccess.objects.create(agreement=draft, organisation=world.advisor_org, granted_by=world.drafter)
    drafter = bearer(token_for(world.drafter, ApiTokenScope.READ))
    patched = drafter.patch(f"/api/v1/agreements/{draft.reference}/draft/", {"revision": 0}, format="json")
    deleted = drafter.delete(f"/api/v1/agreements/{draft.reference}/advisors/{world.advisor_org.pk}/")
    assert patched.status_code == deleted.status_code == 403
    assert AdvisorAccess.objects.filter(agreement=draft).exists()


def test_an_action_through_a_token_is_logged_with_the_tokens_name(world, in_review, client):
    response = bearer(token_for(world.reviewer, name="Zaaksysteem Gemeente Test")).post(
        f"/api/v1/agreements/{in_review.reference}/approve/"
    )
    assert response.status_code == 200 and response.json()["state"] == S.APPROVED
    event = AuditEvent.objects.get(agreement=in_review, action="approved")
    assert event.actor == world.reviewer and event.api_token == "Zaaksysteem Gemeente Test"
    timeline = bearer(token_for(world.drafter, ApiTokenScope.READ)).get(
        f"/api/v1/agreements/{in_review.reference}/timeline/"
    )
    assert timeline.json()[-1]["api_token"] == "Zaaksysteem Gemeente Test"
    client.force_login(world.drafter)
    page = client.get(reverse("agreement:detail", args=[in_review.reference])).content.decode()
    assert "via API-token “Zaaksysteem Gemeente Test”" in page


def test_signing_through_a_token_still_asks_for_the_password(world):
    approved = AgreementFactory(approved=True, initiative=world.initiative, municipality=world.municipality)
    content_hash = approved.frozen_version().content_hash
    client = bearer(token_for(world.municipal_signer))
    url = f"/api/v1/agreements/{approved.reference}/sign/"
    refused = client.post(url, {"content_hash": content_hash, "authorised": True}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["password"]
    assert not approved.frozen_version().signatures.exists()
    signed = client.post(url, {"content_hash": content_hash, "authorised": True, "password": PASSWORD}, format="json")
    assert signed.status_code == 200
    assert approved.frozen_version().signatures.get().signer == world.municipal_signer


def test_a_person_who_must_set_up_two_factor_gets_no_further_with_a_token(world, in_review):
    secret = token_for(world.reviewer, ApiTokenScope.READ)
    world.municipality.two_factor_policy = TwoFactorPolicy.REVIEWERS_AND_SIGNATORIES
    world.municipality.save(update_fields=["two_factor_policy"])
    response = bearer(secret).get("/api/v1/agreements/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    acting = bearer(token_for(world.reviewer, name="Handelen")).post(
        f"/api/v1/agreements/{in_review.reference}/approve/"
    )
    assert acting.status_code == 403
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW


def test_permission_is_checked_before_the_body(world):
    """A granted advisor posting nonsense to sign hears "not yours", not which fields signing takes."""
    approved = AgreementFactory(approved=True, initiative=world.initiative, municipality=world.municipality)
    AdvisorAccess.objects.create(agreement=approved, organisation=world.advisor_org, granted_by=world.drafter)
    url = f"/api/v1/agreements/{approved.reference}/sign/"
    advisor = bearer(token_for(world.advisor))
    response = advisor.post(url, {"nonsense": 1}, format="json")
    assert response.status_code == 403 and "errors" not in response.json()
    assert bearer(token_for(world.outsider)).post(url, {}, format="json").status_code == 404
    response = bearer(token_for(world.municipal_signer)).post(url, {"content_hash": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and {"content_hash", "authorised"} <= set(response.json()["errors"])
    comments = f"/api/v1/agreements/{approved.reference}/comments/"
    assert bearer(token_for(world.other_reviewer)).post(comments, {}, format="json").status_code == 404


def test_last_used_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    secret = token_for(world.reviewer)
    first = api_token_for_secret(secret)
    assert first.last_used_at is not None
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        again = api_token_for_secret(secret, now=first.last_used_at + dt.timedelta(seconds=30))
    assert again.last_used_at == first.last_used_at
    later = api_token_for_secret(secret, now=first.last_used_at + dt.timedelta(minutes=2))
    assert ApiToken.objects.get(pk=first.pk).last_used_at == later.last_used_at > first.last_used_at


def test_names_are_unique_among_tokens_in_use_and_their_number_is_limited(world):
    token_for(world.drafter, name="Rapport")
    with pytest.raises(InvalidInput) as refused:
        token_for(world.drafter, name=" Rapport ")  # the same name once its spaces are taken off
    assert list(refused.value.errors) == ["name"]
    token_for(world.drafter, name="Archief", valid_days=30)
    ApiToken.objects.filter(name="Archief").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    token_for(world.drafter, name="Archief")  # an expired token frees its name
    assert ApiToken.objects.filter(name="Archief", revoked_at__isnull=True).count() == 1
    api_token_revoke(user=world.drafter, token_id=ApiToken.objects.get(name="Rapport").pk)
    token_for(world.drafter, name="Rapport")  # the name is free again once the old one is revoked
    for n in range(MAX_ACTIVE_TOKENS - 2):
        token_for(world.drafter, name=f"Systeem {n}")
    with pytest.raises(InvalidInput):
        token_for(world.drafter, name="Eén te veel")
    with pytest.raises(InvalidInput) as refused:
        api_token_create(user=world.reviewer, name="", scope="everything", valid_days=9999)
    assert set(refused.value.errors) == {"name", "scope", "valid_days"}


def test_nobody_revokes_another_persons_token(world):
    token = api_token_create(user=world.drafter, name="Mijn token", scope=ApiTokenScope.READ).token
    with pytest.raises(NotFound):
        api_token_revoke(user=world.reviewer, token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_command_prints_a_working_token_once(world):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "Reviewer@Example.org", "--name", "Script", "--scope", "read", stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    assert secret.startswith("skt_") and "shown once" in err.getvalue()
    assert bearer(secret).get("/api/v1/agreements/").status_code == 200
    assert ApiToken.objects.get(user=world.reviewer).scope == ApiTokenScope.READ
    with pytest.raises(CommandError, match="No account"):
        call_command("create_api_token", "nobody@example.org", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="naam"):
        call_command("create_api_token", "reviewer@example.org", "--name", "Script", stdout=io.StringIO())


def test_a_person_makes_sees_once_and_revokes_a_token_on_their_profile(world, client):
    client.force_login(world.reviewer)
    profile = client.get(reverse("profile")).content.decode()
    assert reverse("api_tokens") in profile
    refused = client.post(reverse("api_tokens"), {"name": "", "scope": "read", "valid_days": "90"})
    assert refused.status_code == 400 and "Geef het token een naam." in refused.content.decode()
    made = client.post(reverse("api_tokens"), {"name": "Zaaksysteem", "scope": "write", "valid_days": "90"})
    assert made.status_code == 302
    shown = client.get(reverse("api_tokens"))
    secret = shown.context["just_made"]["secret"]
    assert secret in shown.content.decode() and shown["Cache-Control"] == "no-store"
    again = client.get(reverse("api_tokens")).content.decode()
    assert secret not in again and "Zaaksysteem" in again and secret[:8] in again
    assert bearer(secret).get("/api/v1/agreements/").status_code == 200

    token = ApiToken.objects.get(user=world.reviewer)
    client.force_login(world.drafter)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(world.reviewer)
    revoked = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True).content.decode()
    assert "is ingetrokken" in revoked
    assert bearer(secret).get("/api/v1/agreements/").status_code == 401


def test_a_password_reset_stops_every_token(world, client):
    secrets = [token_for(world.reviewer, name=f"Koppeling {n}") for n in range(2)]
    uid = urlsafe_base64_encode(force_bytes(world.reviewer.pk))
    url = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(world.reviewer)])
    form_url = client.get(url)["Location"]
    done = client.post(
        form_url, {"new_password1": "Een heel nieuw wachtwoord 7", "new_password2": "Een heel nieuw wachtwoord 7"}
    )
    assert done.status_code == 302
    assert "ingetrokken" in client.get(done["Location"]).content.decode()
    assert all(bearer(secret).get("/api/v1/agreements/").status_code == 401 for secret in secrets)
