"""Digital signatures on issued documents: one signer per issuing body, and the check of a signed PDF.

Callers use two functions and nothing else:

- `signer_for(issuer).sign(pdf, reason=...)` signs rendered PDF bytes with the issuing body's key
  (today PAdES baseline B-B through pyHanko: a CMS signature over the whole file, the signer's
  certificate and its chain embedded, so the file verifies offline in any PDF reader);
- `pdf_signature_check(pdf)` says whether a PDF carries a valid signature by a trusted key, who
  signed and when.

Where the keys come from is the key store's business (`signing_keys()`):

- production: `GOVCREDIT_SIGNING_DIR`, one key and certificate per issuer, named by the issuer's
  code: `<code>.p12` (passphrase `GOVCREDIT_SIGNING_PASSPHRASE`) or `<code>.key.pem` +
  `<code>.cert.pem`; `chain.pem` (intermediate certificates embedded in every signature) and
  `trust-roots.pem` (the roots /verify trusts). A document without an issuer uses `default`.
- development and tests (`GOVCREDIT_SIGNING_DEMO`): a demo CA and per-issuer keys (ECDSA P-256)
  generated on first use and cached in `GOVCREDIT_SIGNING_DEMO_DIR`. Never in production.

A national electronic-seal signer (GB/T 38540, SM2 with a seal image) would be another `Signer`
returned by another key store; callers do not change. See docs/documents.md.
"""

from __future__ import annotations

import datetime
import fcntl
import io
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "GovcreditSignature"
DEFAULT_KEY = "default"
VALID, INVALID, UNSIGNED = "valid", "invalid", "unsigned"
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SigningUnavailable(Exception):
    """No key to sign with (a configuration problem: the render is recorded as failed and retried)."""


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's signature says: status (valid / invalid / unsigned), signer, signing time, why."""

    status: str
    signer: str = ""
    signed_at: datetime.datetime | None = None
    detail: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == VALID


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    signer: str
    signed_at: datetime.datetime
    method: str


class Signer(Protocol):
    """Signs PDF bytes on behalf of one issuing body."""

    name: str
    method: str

    def sign(self, pdf: bytes, *, reason: str) -> SignedPdf: ...


class KeyStore(Protocol):
    def signer_for(self, key_name: str) -> Signer: ...

    def trust_roots(self) -> list: ...


# -- PAdES (pyHanko) -----------------------------------------------------------------------


class PadesSigner:
    """PAdES B-B signature (ETSI EN 319 142-1) with a key and certificate held by this process."""

    method = "PAdES"

    def __init__(self, *, key, cert, chain: list) -> None:
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        self.name = _subject_name(cert)
        self._signer = signers.SimpleSigner(
            signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs(chain)
        )

    def sign(self, pdf: bytes, *, reason: str) -> SignedPdf:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        signed_at = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)
        meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            name=self.name,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = _outside_any_event_loop(lambda: signers.sign_pdf(writer, meta, signer=self._signer))
        return SignedPdf(pdf=out.getvalue(), signer=self.name, signed_at=signed_at, method=self.method)


def _outside_any_event_loop(call):
    """pyHanko's synchronous API runs `asyncio.run`, which refuses to start inside a running event loop
    (an ASGI server's thread, or a browser driver's loop in the same thread): there, run it in a thread
    of its own. q2 workers have no loop and call it directly."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _subject_name(cert) -> str:
    """The signer as people know it: the certificate's organisation, else its common name."""
    native = cert.subject.native
    return str(native.get("organization_name") or native.get("common_name") or cert.subject.human_friendly)


def _load_pem_certs(path: Path) -> list:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(path)])) if path.is_file() else []


class DirectoryKeys:
    """Production keys: one per issuer code in a directory (see the module docstring)."""

    def __init__(self, directory: Path, passphrase: str = "") -> None:
        self.directory = Path(directory)
        self.passphrase = passphrase.encode() if passphrase else None
        self._signers: dict[str, PadesSigner] = {}

    def signer_for(self, key_name: str) -> Signer:
        if key_name not in self._signers:
            self._signers[key_name] = self._load(key_name)
        return self._signers[key_name]

    def _load(self, key_name: str) -> PadesSigner:
        from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder

        chain = _load_pem_certs(self.directory / "chain.pem")
        p12 = self.directory / f"{key_name}.p12"
        if p12.is_file():
            from asn1crypto import keys as asn1_keys
            from asn1crypto import x509 as asn1_x509
            from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

            key, cert, extra = pkcs12.load_key_and_certificates(p12.read_bytes(), self.passphrase)
            if key is None or cert is None:
                raise SigningUnavailable(f"{p12} holds no key and certificate")
            return PadesSigner(
                key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())),
                cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
                chain=chain + [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in extra],
            )
        key_file, cert_file = self.directory / f"{key_name}.key.pem", self.directory / f"{key_name}.cert.pem"
        if key_file.is_file() and cert_file.is_file():
            try:
                key = load_private_key_from_pemder(str(key_file), passphrase=self.passphrase)
            except TypeError:  # the passphrase is for the PKCS#12 files; this key is not encrypted
                key = load_private_key_from_pemder(str(key_file), passphrase=None)
            return PadesSigner(key=key, cert=load_cert_from_pemder(str(cert_file)), chain=chain)
        raise SigningUnavailable(f"no signing key for {key_name!r} in {self.directory}")

    def trust_roots(self) -> list:
        return _load_pem_certs(self.directory / "trust-roots.pem")


class DemoKeys:
    """Development and test keys: a demo CA and one ECDSA P-256 key per issuer, made on first use and
    cached on disk (a file lock keeps parallel test workers from making two CAs)."""

    CA_NAME = "govcredit demo CA (not for production)"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._signers: dict[str, PadesSigner] = {}
        self._ca: tuple | None = None

    def _locked(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = open(self.directory / ".lock", "a")  # noqa: SIM115 - closed by the caller
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def _ca_pair(self):
        """(cryptography key, cryptography certificate) of the demo CA, made once."""
        if self._ca is None:
            with self._locked():
                self._ca = self._load_or_make("ca", self.CA_NAME, ca=None)
        return self._ca

    def _load_or_make(self, stem: str, name: str, *, ca):
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        key_path, cert_path = self.directory / f"{stem}.key.pem", self.directory / f"{stem}.cert.pem"
        if key_path.is_file() and cert_path.is_file():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
        key, cert = _demo_certificate(name, ca=ca)
        _write_atomic(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        _write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return key, cert

    def signer_for(self, key_name: str, display_name: str = "") -> Signer:
        if key_name not in self._signers:
            from asn1crypto import keys as asn1_keys
            from asn1crypto import x509 as asn1_x509
            from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

            ca = self._ca_pair()
            with self._locked():
                key, cert = self._load_or_make(f"issuer-{key_name}", display_name or key_name, ca=ca)
            self._signers[key_name] = PadesSigner(
                key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())),
                cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
                chain=[asn1_x509.Certificate.load(ca[1].public_bytes(Encoding.DER))],
            )
        return self._signers[key_name]

    def trust_roots(self) -> list:
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives.serialization import Encoding

        return [asn1_x509.Certificate.load(self._ca_pair()[1].public_bytes(Encoding.DER))]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _demo_certificate(name: str, *, ca):
    """A key and certificate named `name`: self-signed CA if `ca` is None, else an end-entity signing
    certificate (digitalSignature + nonRepudiation) issued by `ca` = (key, certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
        ]
    )
    is_ca = ca is None
    issuer_key, issuer_name = (key, subject) if is_ca else (ca[0], ca[1].subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2060, 1, 1, tzinfo=datetime.UTC))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca[0].public_key()), critical=False
        )
    return key, builder.sign(issuer_key, hashes.SHA256())


@lru_cache(maxsize=1)
def signing_keys() -> DirectoryKeys | DemoKeys:
    """The configured key store (cached per process)."""
    directory = getattr(settings, "GOVCREDIT_SIGNING_DIR", "")
    if directory:
        return DirectoryKeys(Path(directory), getattr(settings, "GOVCREDIT_SIGNING_PASSPHRASE", ""))
    if getattr(settings, "GOVCREDIT_SIGNING_DEMO", False):
        return DemoKeys(Path(settings.GOVCREDIT_SIGNING_DEMO_DIR))
    raise ImproperlyConfigured("GOVCREDIT_SIGNING_DIR is not set: documents cannot be signed")


def signer_for(issuer) -> Signer:
    """The signer of an issuing body (an Agency, or None for documents issued by the platform itself)."""
    code = getattr(issuer, "code", "") or DEFAULT_KEY
    if not _SAFE_CODE.match(code):
        raise SigningUnavailable(f"issuer code {code!r} cannot name a key file")
    try:
        keys = signing_keys()
    except ImproperlyConfigured as exc:
        raise SigningUnavailable(str(exc)) from exc
    if isinstance(keys, DemoKeys):
        return keys.signer_for(code, getattr(issuer, "name", "") or "govcredit")
    return keys.signer_for(code)


# -- checking ------------------------------------------------------------------------------


def pdf_signature_check(pdf: bytes) -> SignatureCheck:
    """Check the last signature of `pdf` against the trusted roots.

    valid: the signed bytes are intact, the signature is cryptographically good, the signer's
    certificate chains to a trusted root and nothing was changed after signing. invalid: any of
    these fails (or the signature cannot be read). unsigned: no signature at all.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        return SignatureCheck(status=INVALID, detail=f"unreadable: {exc}"[:200])
    if not embedded:
        return SignatureCheck(status=UNSIGNED)
    try:
        roots = signing_keys().trust_roots()
    except ImproperlyConfigured:
        roots = []
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = _outside_any_event_loop(lambda: validate_pdf_signature(embedded[-1], context))
    except Exception as exc:  # noqa: BLE001 - a broken signature is an invalid one, whatever broke
        logger.info("signature check failed: %s", exc)
        return SignatureCheck(status=INVALID, detail=f"unreadable signature: {type(exc).__name__}")
    signer = _subject_name(status.signing_cert) if status.signing_cert is not None else ""
    if status.bottom_line:
        return SignatureCheck(status=VALID, signer=signer, signed_at=status.signer_reported_dt)
    if not status.intact or not status.valid:
        detail = "altered"
    elif not status.trusted:
        detail = "untrusted"
    else:
        detail = "modified"
    return SignatureCheck(status=INVALID, signer=signer, signed_at=status.signer_reported_dt, detail=detail)
