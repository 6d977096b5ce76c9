"""Is this PDF the genuine signed document? The logic of the public verification page.

Two ways to ask: bring the file (optionally saying which agreement it should
be), or give a reference and the file's SHA-256. Every answer is one verdict
with its own message. An answer never shows what was agreed (no title, no
text): only what the person can already read in the file they hold —
the reference, the version, who signed for which party and when.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import SignedDocument
from agreements.seal import SEAL_FIELD_NAME, SealCheck, certificate_fingerprint, validate_seal


class Verdict:
    GENUINE = "genuine"  # exactly the sealed document (of the agreement asked about)
    OTHER_AGREEMENT = "other_agreement"  # a genuine document, but of another agreement
    ADDED_AFTER_SEAL = "added_after_seal"  # the sealed part is genuine; something was appended later
    ALTERED = "altered"  # carries our seal, but the sealed bytes were changed
    UNKNOWN_SEALED = "unknown_sealed"  # our seal is intact, but we hold no such document
    FOREIGN_SEAL = "foreign_seal"  # signed, but not by the platform
    NOT_SEALED = "not_sealed"  # a PDF without any seal: not a Samenkader document
    UNKNOWN_HASH = "unknown_hash"  # reference + SHA-256 that match no document
    NOT_PDF = "not_pdf"
    INVALID = "invalid"  # the form was not filled in correctly

    POSITIVE = (GENUINE,)


@dataclass
class Signer:
    name: str
    party: str
    signed_at: dt.datetime


@dataclass
class Verification:
    verdict: str
    message: str
    reference: str = ""
    version: int | None = None
    signed_at: dt.datetime | None = None
    signers: list[Signer] = field(default_factory=list)
    sha256: str = ""
    seal: SealCheck | None = None

    @property
    def genuine(self) -> bool:
        return self.verdict in Verdict.POSITIVE


PDF_MAGIC = b"%PDF-"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def looks_like_pdf(head: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1024 bytes."""
    return PDF_MAGIC in head[:1024]


def normalise_reference(reference: str) -> str:
    return (reference or "").strip().upper()


def _documents():
    return SignedDocument.objects.select_related("version__agreement__initiative", "version__agreement__municipality")


def _signers(document: SignedDocument) -> list[Signer]:
    return [
        Signer(name=s.signer.full_name, party=s.party.name, signed_at=timezone.localtime(s.signed_at))
        for s in document.version.signatures.select_related("signer", "party").order_by("signed_at", "pk")
    ]


def _about(document: SignedDocument, **fields) -> dict:
    agreement = document.version.agreement
    return {
        "reference": agreement.reference,
        "version": document.version.number,
        "signed_at": timezone.localtime(agreement.signed_at) if agreement.signed_at else None,
        "sha256": document.sha256,
        **fields,
    }


def _genuine(document: SignedDocument, *, seal: SealCheck | None = None) -> Verification:
    reference = document.version.agreement.reference
    return Verification(
        verdict=Verdict.GENUINE,
        message=_(
            "Dit is het echte, verzegelde document van afspraak %(reference)s. Het bestand is niet veranderd sinds "
            "Samenkader het maakte."
        )
        % {"reference": reference},
        signers=_signers(document),
        seal=seal,
        **_about(document),
    )


def _other_agreement(document: SignedDocument, asked: str) -> Verification:
    actual = document.version.agreement.reference
    return Verification(
        verdict=Verdict.OTHER_AGREEMENT,
        message=_(
            "Dit is een echt document van Samenkader, maar van een andere afspraak: %(actual)s, niet %(asked)s. "
            "Controleer of u het goede bestand heeft."
        )
        % {"actual": actual, "asked": asked},
        reference=actual,
        sha256=document.sha256,
    )


def _platform_fingerprints() -> set[str]:
    """The current seal certificate, and every certificate a stored document was ever sealed with."""
    known = set(SignedDocument.objects.values_list("certificate_fingerprint", flat=True).distinct())
    try:
        known.add(certificate_fingerprint())
    except Exception:  # noqa: BLE001 - no certificate configured here: stored documents still count
        pass
    known.discard("")
    return known


def _signed_revision_end(data: bytes) -> int | None:
    """Where the sealed revision ends, if the file carries a signature (bytes after it were added later)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if not signatures:
            return None
        _a, _b, start, length = (int(x) for x in signatures[-1].byte_range)
        return start + length
    except Exception:  # noqa: BLE001
        return None


def verify_file(*, data: bytes, reference: str = "") -> Verification:
    """What ``data`` (an uploaded file) is. ``reference``: the agreement it should belong to (optional)."""
    asked = normalise_reference(reference)
    if not looks_like_pdf(data):
        return Verification(
            verdict=Verdict.NOT_PDF,
            message=_("Dit bestand is geen PDF. Kies het PDF-bestand van de getekende afspraak."),
        )
    digest = hashlib.sha256(data).hexdigest()
    document = _documents().filter(sha256=digest).first()
    if document is not None:
        if asked and document.version.agreement.reference != asked:
            return _other_agreement(document, asked)
        return _genuine(document, seal=validate_seal(data) if _has_certificate() else None)

    seal = validate_seal(data, trust_roots=_trust_roots())
    ours = seal.present and seal.certificate_fingerprint in _platform_fingerprints()
    if ours and seal.intact and not seal.entire_file:
        end = _signed_revision_end(data)
        original = _documents().filter(sha256=hashlib.sha256(data[:end]).hexdigest()).first() if end else None
        if original is not None:
            result = Verification(
                verdict=Verdict.ADDED_AFTER_SEAL,
                message=_(
                    "Het verzegelde deel van dit bestand is het echte document van afspraak %(reference)s, maar er "
                    "is na het verzegelen iets aan toegevoegd, bijvoorbeeld aantekeningen uit een PDF-programma. "
                    "Vraag de partijen om het originele bestand."
                )
                % {"reference": original.version.agreement.reference},
                signers=_signers(original),
                seal=seal,
                **_about(original, sha256=digest),
            )
            if asked and original.version.agreement.reference != asked:
                return _other_agreement(original, asked)
            return result
    if (ours and not seal.intact) or (not seal.present and SEAL_FIELD_NAME.encode() in data):
        return Verification(
            verdict=Verdict.ALTERED,
            message=_(
                "Dit bestand heeft het zegel van Samenkader, maar is daarna veranderd. Het is niet meer het document "
                "dat de partijen ondertekenden. Vertrouw de inhoud niet."
            ),
            sha256=digest,
            seal=seal,
        )
    if ours:
        return Verification(
            verdict=Verdict.UNKNOWN_SEALED,
            message=_(
                "Dit bestand heeft een onbeschadigd zegel van Samenkader, maar wij kennen dit document niet. "
                "Neem contact op met de partijen."
            ),
            sha256=digest,
            seal=seal,
        )
    if seal.present:
        return Verification(
            verdict=Verdict.FOREIGN_SEAL,
            message=_(
                "Dit bestand is ondertekend, maar niet met het zegel van Samenkader. Het is geen document uit "
                "Samenkader."
            ),
            sha256=digest,
        )
    return Verification(
        verdict=Verdict.NOT_SEALED,
        message=_(
            "Dit is geen document uit Samenkader: het bestand heeft geen zegel. Een voorbeeld-PDF (CONCEPT) heeft "
            "ook geen zegel en is nooit een getekende afspraak."
        ),
        sha256=digest,
    )


def verify_hash(*, reference: str, sha256: str) -> Verification:
    """Is there a sealed document of ``reference`` with exactly this SHA-256?"""
    asked = normalise_reference(reference)
    digest = (sha256 or "").strip().lower()
    if not asked or not SHA256_RE.match(digest):
        return Verification(
            verdict=Verdict.INVALID,
            message=_("Vul het kenmerk in (zoals SK-2026-0123) en de SHA-256 van het bestand: 64 tekens, 0-9 en a-f."),
        )
    document = _documents().filter(sha256=digest).first()
    if document is None:
        # The same answer whether the reference exists or not: no probing for agreements.
        return Verification(
            verdict=Verdict.UNKNOWN_HASH,
            message=_(
                "Wij kennen geen getekend document met dit kenmerk en deze SHA-256. Het bestand is niet het document "
                "dat Samenkader verzegelde, of de SHA-256 is verkeerd overgenomen."
            ),
            sha256=digest,
        )
    if document.version.agreement.reference != asked:
        return _other_agreement(document, asked)
    return _genuine(document)


def _has_certificate() -> bool:
    try:
        certificate_fingerprint()
        return True
    except Exception:  # noqa: BLE001
        return False


def _trust_roots():
    from agreements.seal import platform_certificate

    try:
        return [platform_certificate()]
    except Exception:  # noqa: BLE001 - without a configured certificate nothing is trusted
        return []
