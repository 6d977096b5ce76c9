"""The platform seal: a PAdES signature over the whole rendered PDF, and its validation.

The seal says "this file came out of Samenkader unchanged". It is made with
the platform's certificate (a PKCS#12 file named in settings), optionally with
an RFC 3161 timestamp. Validation is offered for the verification page and the
tests; it trusts only the platform certificate unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

SEAL_FIELD_NAME = "SamenkaderZegel"
DEVELOPMENT_SUBJECT = "Samenkader ontwikkelzegel (niet voor productie)"


class SealConfigurationError(Exception):
    """The seal certificate is missing or cannot be opened."""


# --- The certificate ------------------------------------------------------------------------


def create_development_certificate(path: Path, passphrase: str, *, days: int = 3650) -> Path:
    """Write a self-signed seal certificate with its key as PKCS#12 to ``path``.

    Only for development and tests: production brings a certificate from a
    trusted provider (e.g. a qualified seal certificate).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    # RSA, not an elliptic curve: pyHanko marks ECDSA signatures on the common
    # curves as a PDF 2.0 feature, and PDF/A-3 must stay PDF 1.7.
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Samenkader"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEVELOPMENT_SUBJECT),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"samenkader-seal",
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        os.chmod(tmp, 0o600)
        fh.write(data)
    os.replace(tmp, path)
    return path


def _configured() -> tuple[Path, bytes]:
    path = getattr(settings, "SEAL_PKCS12_PATH", "")
    if not path:
        raise SealConfigurationError("SEAL_PKCS12_PATH is not set: the platform has no seal certificate.")
    path = Path(path)
    if not path.is_file():
        raise SealConfigurationError(f"The seal certificate {path} does not exist (run manage.py seal_certificate).")
    return path, (getattr(settings, "SEAL_PKCS12_PASSPHRASE", "") or "").encode("utf-8")


@lru_cache(maxsize=4)
def _load_signer(path: str, mtime: float, passphrase: bytes):
    from pyhanko.sign import signers

    try:
        return signers.SimpleSigner.load_pkcs12_data(Path(path).read_bytes(), other_certs=[], passphrase=passphrase)
    except ValueError as exc:
        raise SealConfigurationError(f"The seal certificate {path} cannot be opened: {exc}") from exc


def load_signer():
    path, passphrase = _configured()
    return _load_signer(str(path), path.stat().st_mtime, passphrase)


def platform_certificate():
    """The platform's seal certificate (asn1crypto), the trust root for validation."""
    return load_signer().signing_cert


def certificate_fingerprint(cert=None) -> str:
    """SHA-256 of the certificate's DER bytes, as colon-separated upper-case hex (95 characters)."""
    cert = cert or platform_certificate()
    digest = hashlib.sha256(cert.dump()).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


# --- Sealing --------------------------------------------------------------------------------


def seal_pdf(pdf: bytes, *, reason: str = "", location: str = "") -> bytes:
    """Add the platform's PAdES signature (B-B, or B-T with a timestamp URL) as an incremental update.

    The original bytes stay untouched in front, so the PDF/A identification
    and the embedded data remain as they were rendered.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper

    signer = load_signer()
    timestamp_url = getattr(settings, "SEAL_TIMESTAMP_URL", "")
    timestamper = HTTPTimeStamper(timestamp_url, timeout=20) if timestamp_url else None
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name="Samenkader",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(writer)
    return out.getvalue()


# --- Validation ------------------------------------------------------------------------------


@dataclass
class SealCheck:
    """What the seal of a file says. ``present`` False: the file carries no signature at all."""

    present: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    entire_file: bool = False
    signer_subject: str = ""
    certificate_fingerprint: str = ""
    signed_at: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.valid and self.trusted and self.entire_file


# How far from its end a PDF's last lines ("startxref", the offset, "%%EOF") must lie.
TRAILER_WINDOW = 4096


class UnreadablePdf(Exception):
    """Not a PDF a reader can open: refused before parsing."""


def open_pdf(pdf: bytes | BinaryIO):
    """A pyHanko reader on ``pdf`` (bytes, or a seekable binary file, read in place: never loaded whole).

    The reader finds a PDF's cross-reference table from its last lines, which
    it reads backwards byte by byte, keeping each line in memory. A file with
    no line break near its end (megabytes of one "line") would cost minutes
    and hundreds of megabytes; no PDF reader could open it, so it is refused
    first (UnreadablePdf), by trying the same on the file's last few kilobytes.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader, process_data_at_eof

    stream = io.BytesIO(pdf) if isinstance(pdf, bytes | bytearray) else pdf
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - TRAILER_WINDOW))
    tail = io.BytesIO(stream.read(TRAILER_WINDOW))
    try:
        tail.seek(-1, os.SEEK_END)
        process_data_at_eof(tail)
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the reader would not get further
        raise UnreadablePdf(f"no readable end of file: {exc}") from exc
    stream.seek(0)
    return PdfFileReader(stream, strict=False)


def validate_seal(pdf: bytes | BinaryIO, *, trust_roots=None) -> SealCheck:
    """Check the last signature of ``pdf`` against the trust roots (default: the platform certificate).

    ``pdf`` is the file's bytes, or a seekable binary file that is read in
    place. Never raises for a damaged or foreign file: it reports what it found.
    """
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = open_pdf(pdf)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a readable signed PDF"
        return SealCheck(present=False, problems=[f"unreadable: {type(exc).__name__}"])
    if not embedded:
        return SealCheck(present=False)
    sig = embedded[-1]
    roots = list(trust_roots) if trust_roots is not None else [platform_certificate()]
    check = SealCheck(present=True)
    try:
        check.certificate_fingerprint = certificate_fingerprint(sig.signer_cert)
        check.signer_subject = sig.signer_cert.subject.human_friendly
    except Exception:  # noqa: BLE001
        check.problems.append("no signer certificate")
    try:
        status = validate_pdf_signature(
            sig, signer_validation_context=ValidationContext(trust_roots=roots, allow_fetching=False)
        )
    except Exception as exc:  # noqa: BLE001 - a broken signature structure is "not intact"
        check.problems.append(f"validation failed: {type(exc).__name__}")
        return check
    check.intact = bool(status.intact)
    check.valid = bool(status.valid)
    check.trusted = bool(status.trusted)
    check.entire_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check.signed_at = status.signer_reported_dt
    return check
