"""Demo data: two municipalities, two initiatives, an advisor, agreements in every state.

Every agreement is made through the services, so its audit trail is real.
Initiative names are fictional; the municipalities and their CBS codes are real.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agreements.choices import (
    AgreementForm,
    AgreementState,
    Phase,
)
from agreements.models import Agreement, Membership, Organisation, User
from workflow.demo.content import (
    DEMO_USERS,
    ORGANISATIONS,
    SECTIONS,
    decision_moments,
    responsibility_rows,
)
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.comments import comment_add
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.expiry import agreement_expire
from workflow.lifecycle.services.review import agreement_approve, agreement_submit, agreement_withdraw
from workflow.lifecycle.services.signing import agreement_sign
from workflow.notifications.outbox import silenced


class DemoSeeder:
    def __init__(self, *, password: str, stdout=None) -> None:
        self.password = password
        self.stdout = stdout
        self.today = timezone.localdate()

    def say(self, text: str) -> None:
        if self.stdout:
            self.stdout.write(text)

    @transaction.atomic
    def run(self) -> None:
        # The demo's history is replayed through the services; nobody is e-mailed about it.
        with silenced():
            self._run()

    def _run(self) -> None:
        self.orgs = {key: self._organisation(**fields) for key, fields in ORGANISATIONS.items()}
        self.users = {email: self._user(email, name, org, roles) for email, name, org, roles in DEMO_USERS}
        self._staff()
        self._agreements()

    def _organisation(self, **fields) -> Organisation:
        lookup = {"cbs_code": fields["cbs_code"]} if "cbs_code" in fields else {"name": fields["name"]}
        organisation, _created = Organisation.objects.get_or_create(**lookup, defaults=fields)
        return organisation

    def _user(self, email: str, name: str, org_key: str, roles: list[str]) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=self.password, full_name=name)
            self.say(f"  user {email}")
        for role in roles:
            Membership.objects.get_or_create(user=user, organisation=self.orgs[org_key], role=role)
        return user

    def _staff(self) -> None:
        if not User.objects.filter(email="beheer@example.org").exists():
            User.objects.create_superuser(
                email="beheer@example.org", password=self.password, full_name="Bram Beheerder"
            )

    # --- agreements ---------------------------------------------------------------------

    # --- agreements: each made through the services, so its audit trail is real ----------------

    @property
    def _zwolle_people(self) -> tuple[User, User, User, User]:
        u = self.users
        return (
            u["initiatief@example.org"],
            u["bestuur@example.org"],
            u["gemeente@example.org"],
            u["wethouder@example.org"],
        )

    def _create(
        self, title: str, *, form=AgreementForm.COOPERATION_AGREEMENT, complete=True, **extra
    ) -> Agreement | None:
        """A Zwolle-Oost agreement with Zwolle (None when it exists: the seed runs again safely)."""
        oost = self.orgs["zwolle_oost"]
        if Agreement.objects.filter(title=title, initiative=oost).exists():
            return None
        drafter = self._zwolle_people[0]
        agreement = agreement_create(
            actor=drafter,
            initiative=oost,
            municipality=self.orgs["zwolle"],
            title=title,
            form=form,
            phase=extra.pop("phase", Phase.ORIENTATION),
            neighbourhoods=extra.pop(
                "neighbourhoods",
                [{"name": "Assendorp", "cbs_code": "WK019303"}, {"name": "Kamperpoort", "cbs_code": ""}],
            ),
            review_due_date=self.today + dt.timedelta(days=14),
            evaluation_date=extra.pop("evaluation_date", self.today + dt.timedelta(days=180)),
            valid_until=extra.pop("valid_until", dt.date(self.today.year + 1, 12, 31)),
        )
        if complete:
            agreement_update_draft(
                agreement=agreement,
                actor=drafter,
                based_on_revision=1,
                sections=SECTIONS,
                responsibilities=responsibility_rows(),
                decision_moments=decision_moments(self.today),
            )
        self.say(f"  agreement {agreement.reference}: {title}")
        return agreement

    def _sign(self, agreement: Agreement, *signers: User) -> None:
        for signer in signers:
            agreement.refresh_from_db()
            agreement_sign(
                password=self.password,
                authority_confirmed=True,
                agreement=agreement,
                actor=signer,
                content_hash=agreement.frozen_version().content_hash,
            )

    def _submit_and_approve(self, agreement: Agreement) -> None:
        drafter, _board, reviewer, _alderman = self._zwolle_people
        agreement_submit(agreement=agreement, actor=drafter)
        agreement_approve(agreement=agreement, actor=reviewer)

    def _agreements(self) -> None:
        self._open_agreements()
        self._finished_agreements()
        self._deventer_agreement()
        states = set(Agreement.objects.values_list("state", flat=True))
        missing = {s.value for s in AgreementState} - states
        if missing:
            raise RuntimeError(f"demo data lacks states {missing}")

    def _open_agreements(self) -> None:
        drafter, _board, reviewer, _alderman = self._zwolle_people
        # A draft that can be submitted as it is.
        self._create("Samen naar een warmtenet in Zwolle-Oost", form=AgreementForm.LETTER_OF_INTENT)
        # A draft just started: most sections still empty.
        self._create("Spelregels buurtaanpak Kamperpoort", form=AgreementForm.GROUND_RULES, complete=False)
        # In review, with an open question of the municipality.
        a = self._create("Kaderafspraak aquathermie Assendorp", phase=Phase.DEVELOPMENT)
        if a:
            agreement_submit(agreement=a, actor=drafter)
            advisor_grant(agreement=a, actor=drafter, advisor=self.orgs["coalition"])
            comment_add(
                agreement=a,
                actor=reviewer,
                section_key="resources",
                body="Kunt u aangeven hoeveel uur ambtelijke inzet u per kwartaal verwacht?",
            )
        # Approved: one of the two board members has signed.
        a = self._create("Samenwerkingsovereenkomst haalbaarheidsstudie Zwolle-Oost", phase=Phase.DEVELOPMENT)
        if a:
            self._submit_and_approve(a)
            self._sign(a, drafter)

    def _finished_agreements(self) -> None:
        drafter, board, reviewer, alderman = self._zwolle_people
        everyone = (drafter, board, alderman)
        # Signed, with the advisor reading along; then an amendment in draft.
        a = self._create("Intentieovereenkomst warmtegemeenschap Zwolle-Oost", form=AgreementForm.LETTER_OF_INTENT)
        if a:
            advisor_grant(agreement=a, actor=drafter, advisor=self.orgs["coalition"])
            self._submit_and_approve(a)
            self._sign(a, *everyone)
            agreement_amend(agreement=a, actor=drafter)
        # Withdrawn.
        a = self._create("Projectafspraak zonnedaken Holtenbroek", form=AgreementForm.PROJECT_AGREEMENT)
        if a:
            agreement_submit(agreement=a, actor=drafter)
            agreement_withdraw(
                agreement=a, actor=drafter, note="Het project gaat verder onder de buurtcoöperatie Holtenbroek."
            )
        # Superseded by its signed amendment.
        a = self._create("Spelregels samenwerking Dieze-Oost", form=AgreementForm.GROUND_RULES)
        if a:
            self._submit_and_approve(a)
            self._sign(a, *everyone)
            amendment = agreement_amend(agreement=a, actor=drafter)
            agreement_update_draft(
                agreement=amendment,
                actor=drafter,
                based_on_revision=amendment.current_version().revision,
                sections={"evaluation": SECTIONS["evaluation"] + " Vanaf 2027 evalueren wij twee keer per jaar."},
            )
            self._submit_and_approve(amendment)
            self._sign(amendment, *everyone)
        # Expired: valid until yesterday.
        a = self._create(
            "Intentieverklaring verkenning Diezerpoort",
            form=AgreementForm.LETTER_OF_INTENT,
            valid_until=self.today - dt.timedelta(days=1),
            evaluation_date=self.today - dt.timedelta(days=30),
        )
        if a:
            self._submit_and_approve(a)
            self._sign(a, *everyone)
            agreement_expire(agreement=a)

    def _deventer_agreement(self) -> None:
        """The other pair, invisible to the Zwolle people."""
        hoven, deventer = self.orgs["de_hoven"], self.orgs["deventer"]
        if Agreement.objects.filter(initiative=hoven).exists():
            return
        drafter = self.users["deventer-initiatief@example.org"]
        d = agreement_create(
            actor=drafter,
            initiative=hoven,
            municipality=deventer,
            title="Kaderafspraak warmte De Hoven",
            form=AgreementForm.COOPERATION_AGREEMENT,
            phase=Phase.ORIENTATION,
            neighbourhoods=[{"name": "De Hoven", "cbs_code": ""}],
        )
        agreement_update_draft(
            agreement=d,
            actor=drafter,
            based_on_revision=1,
            sections=SECTIONS,
            responsibilities=responsibility_rows(),
            decision_moments=decision_moments(self.today),
        )
        agreement_submit(agreement=d, actor=drafter)
        self.say(f"  agreement {d.reference}: {d.title}")


def seed_demo(*, stdout=None) -> None:
    if settings.PRODUCTION:
        raise RuntimeError("Demo data and its published password are refused in production.")
    DemoSeeder(password=settings.DEMO_PASSWORD, stdout=stdout).run()
