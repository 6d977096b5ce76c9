"""Every fixed list of the record, as TextChoices: code in English, labels in Dutch."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Language(models.TextChoices):
    DUTCH = "nl", _("Nederlands")
    ENGLISH = "en", _("Engels")


class OrganisationKind(models.TextChoices):
    INITIATIVE = "initiative", _("bewonersinitiatief")
    MUNICIPALITY = "municipality", _("gemeente")
    ADVISOR = "advisor", _("adviseur / coalitie")


class LegalForm(models.TextChoices):
    """How a residents' initiative is organised (asked when it registers itself)."""

    COOPERATIVE = "cooperative", _("coöperatie")
    ASSOCIATION = "association", _("vereniging")
    FOUNDATION = "foundation", _("stichting")
    INFORMAL = "informal", _("nog geen rechtspersoon (bewonersgroep)")
    OTHER = "other", _("anders")


class Province(models.TextChoices):
    DRENTHE = "DR", "Drenthe"
    FLEVOLAND = "FL", "Flevoland"
    FRYSLAN = "FR", "Fryslân"
    GELDERLAND = "GE", "Gelderland"
    GRONINGEN = "GR", "Groningen"
    LIMBURG = "LI", "Limburg"
    NOORD_BRABANT = "NB", "Noord-Brabant"
    NOORD_HOLLAND = "NH", "Noord-Holland"
    OVERIJSSEL = "OV", "Overijssel"
    UTRECHT = "UT", "Utrecht"
    ZEELAND = "ZE", "Zeeland"
    ZUID_HOLLAND = "ZH", "Zuid-Holland"


class MembershipRole(models.TextChoices):
    DRAFTER = "drafter", _("opsteller")
    REVIEWER = "reviewer", _("beoordelaar")
    SIGNATORY = "signatory", _("ondertekenaar")
    ADMIN = "admin", _("beheerder")


class AgreementForm(models.TextChoices):
    GROUND_RULES = "ground_rules", _("spelregels")
    LETTER_OF_INTENT = "letter_of_intent", _("intentieovereenkomst")
    COOPERATION_AGREEMENT = "cooperation_agreement", _("samenwerkingsovereenkomst")
    PROJECT_AGREEMENT = "project_agreement", _("projectovereenkomst")


class Phase(models.TextChoices):
    ORIENTATION = "orientation", _("oriëntatie")
    DEVELOPMENT = "development", _("ontwikkeling")
    REALISATION = "realisation", _("uitvoering")
    OPERATION = "operation", _("gebruik")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("concept")
    IN_REVIEW = "in_review", _("in beoordeling")
    APPROVED = "approved", _("goedgekeurd, wacht op ondertekening")
    SIGNED = "signed", _("ondertekend")
    WITHDRAWN = "withdrawn", _("ingetrokken")
    SUPERSEDED = "superseded", _("vervangen")
    EXPIRED = "expired", _("verlopen")


# An amendment occupies its original's single "open amendment" slot while it
# is in one of these states (a database constraint holds this).
OPEN_STATES = (AgreementState.DRAFT, AgreementState.IN_REVIEW, AgreementState.APPROVED)

# An agreement in one of these states was signed, and its newest frozen version is the signed one: its
# signatures can no longer be declared void.
SIGNED_STATES = (AgreementState.SIGNED, AgreementState.SUPERSEDED, AgreementState.EXPIRED)


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("uitvoerend (R)")
    ACCOUNTABLE = "A", _("eindverantwoordelijk (A)")
    CONSULTED = "C", _("geraadpleegd (C)")
    INFORMED = "I", _("geïnformeerd (I)")


class DecidingBody(models.TextChoices):
    COLLEGE = "college", _("college van B&W")
    COUNCIL = "council", _("gemeenteraad")
    MEMBERS_MEETING = "members_meeting", _("algemene ledenvergadering (ALV)")
    INITIATIVE_BOARD = "initiative_board", _("bestuur van het initiatief")
    STEERING_GROUP = "steering_group", _("stuurgroep")
    PROJECT_TEAM = "project_team", _("projectteam")
    OTHER = "other", _("anders")


class Instrument(models.TextChoices):
    NONE = "", _("geen")
    HEAT_TRANSITION_VISION = "tvw", _("Transitievisie Warmte")
    HEAT_PROGRAMME = "heat_programme", _("warmteprogramma")
    NEIGHBOURHOOD_PLAN = "neighbourhood_plan", _("wijkuitvoeringsplan")
    ENVIRONMENT_PLAN = "environment_plan", _("omgevingsplan")
    HEAT_PLOT = "heat_plot", _("warmtekavel")
    PARTICIPATION_ORDINANCE = "participation_ordinance", _("participatieverordening")
    OTHER = "other", _("anders")


class LessonTopic(models.TextChoices):
    """What a lesson learnt is about: the sections of an agreement, and the collaboration as a whole."""

    AIM = "aim", _("doel en ambitie")
    ROLES = "roles", _("rolverdeling en mandaat")
    PROCESS = "process", _("proces en besluitmomenten")
    RESOURCES = "resources", _("middelen en budget")
    COMMUNICATION = "communication", _("communicatie met bewoners")
    INFORMATION = "information", _("informatie en gegevens")
    ESCALATION = "escalation", _("escalatie")
    EVALUATION = "evaluation", _("evaluatie")
    DURATION = "duration", _("looptijd en beëindiging")
    COLLABORATION = "collaboration", _("de samenwerking in het algemeen")


class TwoFactorPolicy(models.TextChoices):
    """Whom an organisation asks to sign in with a second step (a code from an authenticator app)."""

    OPTIONAL = "optional", _("niet verplicht")
    ALL_MEMBERS = "all_members", _("verplicht voor alle leden")
    # Only for municipalities: the people who approve and sign, not everyone who reads along.
    REVIEWERS_AND_SIGNATORIES = "reviewers_and_signatories", _("verplicht voor beoordelaars en ondertekenaars")


class MembershipAction(models.TextChoices):
    """What happened to someone's membership (the organisation's member log)."""

    INVITED = "invited", _("uitgenodigd")
    INVITATION_ACCEPTED = "invitation_accepted", _("uitnodiging aangenomen")
    ROLES_CHANGED = "roles_changed", _("rollen gewijzigd")
    REMOVED = "removed", _("verwijderd")
    MANDATE_CHANGED = "mandate_changed", _("mandaat gewijzigd")
    FIRST_CONTACT_REQUESTED = "first_contact_requested", _("eerste contactpersoon gevraagd")
    FIRST_CONTACT_CONFIRMED = "first_contact_confirmed", _("eerste contactpersoon bevestigd door Samenkader")
    INVITATION_WITHDRAWN = "invitation_withdrawn", _("uitnodiging ingetrokken")
    FIRST_CONTACT_WITHDRAWN = "first_contact_withdrawn", _("eerste contactpersoon ingetrokken door Samenkader")
    TWO_FACTOR_RESET = "two_factor_reset", _("tweestapsverificatie opnieuw ingesteld")
    TWO_FACTOR_POLICY_CHANGED = "two_factor_policy_changed", _("regel voor tweestapsverificatie gewijzigd")
    FUNCTION_CHANGED = "function_changed", _("functie gewijzigd")
    # An initiative that registered itself (workflow/members/services/registration.py) and what staff did about it.
    REGISTERED = "registered", _("initiatief aangemeld")
    SIGNATORY_SELF_GRANTED = "signatory_self_granted", _("zichzelf ondertekenaar gemaakt")
    CHECKED = "checked", _("aanmelding bekeken door Samenkader")
    SUSPENDED = "suspended", _("geschorst door Samenkader")
    REINSTATED = "reinstated", _("schorsing opgeheven door Samenkader")


class AuditAction(models.TextChoices):
    CREATED = "created", _("aangemaakt")
    DRAFT_UPDATED = "draft_updated", _("concept bijgewerkt")
    SUBMITTED = "submitted", _("ingediend ter beoordeling")
    CHANGES_REQUESTED = "changes_requested", _("wijzigingen gevraagd")
    APPROVED = "approved", _("goedgekeurd")
    SIGNED_BY = "signed_by", _("ondertekend door")
    SIGNED = "signed", _("volledig ondertekend")
    REOPENED = "reopened", _("heropend")
    DECLINED_TO_SIGN = "declined_to_sign", _("ondertekening geweigerd")
    WITHDRAWN = "withdrawn", _("ingetrokken")
    AMENDED = "amended", _("wijziging gestart")
    SUPERSEDED = "superseded", _("vervangen door wijziging")
    EXPIRED = "expired", _("verlopen")
    COMMENTED = "commented", _("opmerking geplaatst")
    COMMENT_RESOLVED = "comment_resolved", _("opmerking afgehandeld")
    ADVISOR_GRANTED = "advisor_granted", _("adviseur toegang gegeven")
    ADVISOR_REVOKED = "advisor_revoked", _("adviseur toegang ingetrokken")
    MUNICIPALITY_MERGED = "municipality_merged", _("gemeente heringedeeld")
    # The public examples (workflow/examples/): each party's consent to share the signed agreement, and lessons.
    PUBLICATION_CONSENTED = "publication_consented", _("ingestemd met openbaar voorbeeld")
    PUBLICATION_CONSENT_WITHDRAWN = "publication_withdrawn", _("instemming met openbaar voorbeeld ingetrokken")
    PUBLISHED = "published", _("verschenen in de voorbeeldenbibliotheek")
    UNPUBLISHED = "unpublished", _("uit de voorbeeldenbibliotheek gehaald")
    LESSON_RECORDED = "lesson_recorded", _("les vastgelegd")
    # After signing (workflow/after_signing/): the commitments beside the signed version.
    COMMITMENT_UPDATED = "commitment_updated", _("voortgang van een afspraak bijgewerkt")
    DECISION_RECORDED = "decision_recorded", _("uitkomst van een besluitmoment vastgelegd")
    COMMITMENTS_CARRIED_OVER = "commitments_carried_over", _("open afspraken overgenomen door de wijziging")
    EVALUATION_STARTED = "evaluation_started", _("gezamenlijke evaluatie gestart")
    EVALUATION_ANSWERED = "evaluation_answered", _("evaluatie beantwoord")
    EVALUATION_COMPLETED = "evaluation_completed", _("gezamenlijke evaluatie afgerond")
    ESCALATION_RAISED = "escalation_raised", _("escalatie gestart")
    ESCALATION_STEPPED_UP = "escalation_stepped_up", _("escalatie naar de volgende stap")
    ESCALATION_CLOSED = "escalation_closed", _("escalatie afgesloten")


# --- after signing: what was agreed, as it is carried out (workflow/after_signing/) ---------------


class CommitmentKind(models.TextChoices):
    TASK = "task", _("taak")
    DECISION = "decision", _("besluitmoment")


class CommitmentStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    IN_PROGRESS = "in_progress", _("bezig")
    DONE = "done", _("gedaan")
    POSTPONED = "postponed", _("uitgesteld")
    LAPSED = "lapsed", pgettext_lazy("commitment status", "vervallen")


# A commitment in one of these still asks for work; done and lapsed ones are history.
OPEN_COMMITMENT_STATUSES = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.POSTPONED)


class DecisionOutcome(models.TextChoices):
    YES = "yes", _("genomen: ja")
    NO = "no", _("genomen: nee")
    ADJUSTED = "adjusted", _("genomen: aangepast")
    POSTPONED = "postponed", _("uitgesteld")


# The outcomes that mean the decision was taken (the commitment is done); a postponement keeps it open.
DECISION_TAKEN = (DecisionOutcome.YES, DecisionOutcome.NO, DecisionOutcome.ADJUSTED)


class ResponsibleParty(models.TextChoices):
    """Which party keeps a commitment up to date (workflow/after_signing/ownership.py decides)."""

    INITIATIVE = "initiative", _("bewonersinitiatief")
    MUNICIPALITY = "municipality", _("gemeente")
    BOTH = "both", _("beide partijen")


class EvaluationReason(models.TextChoices):
    SCHEDULED = "scheduled", _("de afgesproken evaluatiedatum")
    PHASE_CHANGE = "phase_change", _("een nieuwe fase")
    DECISION = "decision", _("een besluit dat anders uitviel of opschoof")
    REQUEST = "request", _("op verzoek van een partij")


# The scores a party gives a section in an evaluation, from "werkt niet" to "werkt goed".
EVALUATION_SCORES = (1, 2, 3, 4, 5)


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("loopt")
    RESOLVED = "resolved", _("opgelost")
    UNRESOLVED = "unresolved", _("afgesloten zonder oplossing")
