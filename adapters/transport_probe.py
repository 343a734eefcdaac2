"""Probe a CRM endpoint's TLS: protocol versions offered, HSTS, and its certificate.

Shared by every adapter (ENC-005 and ENC-006 read what it finds). It only performs TLS
handshakes and one HTTPS GET of the root path; it sends no credentials. What it cannot
find out is left None and recorded as a gap by the caller, never guessed.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from dataclasses import dataclass
from datetime import timezone
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from adapters.http.tls import trust
from scanner.model.inventory import Certificate, GapReason, Inventory, Transport

#: Versions tried, oldest first. OpenSSL may refuse to even offer the old ones; those
#: are then reported as not tested rather than as refused by the server.
VERSIONS = (
    ("TLSv1", ssl.TLSVersion.TLSv1),
    ("TLSv1.1", ssl.TLSVersion.TLSv1_1),
    ("TLSv1.2", ssl.TLSVersion.TLSv1_2),
    ("TLSv1.3", ssl.TLSVersion.TLSv1_3),
)


@dataclass(frozen=True)
class ProbeResult:
    """The transport facts found, and what could not be determined and why."""

    transport: Transport
    problems: tuple[str, ...]


def _context_for(version: ssl.TLSVersion) -> ssl.SSLContext | None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only protocol acceptance is being tested
    try:
        with warnings.catch_warnings():
            # Offering deprecated protocols is the point: the server must refuse them.
            warnings.simplefilter("ignore", DeprecationWarning)
            if version < ssl.TLSVersion.TLSv1_2:
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = version
            context.maximum_version = version
    except (ValueError, ssl.SSLError):
        return None
    return context


class _CannotOffer(Exception):
    """This machine's TLS library refused to offer the version at all."""


#: OpenSSL reasons raised on our side before the server had a say.
_LOCAL_REFUSALS = frozenset({"NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE"})


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes | None:
    """The peer certificate (DER) if the handshake succeeds, None if the server refuses."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                return tls.getpeercert(binary_form=True) or b""
    except ssl.SSLError as exc:
        if exc.reason in _LOCAL_REFUSALS:
            raise _CannotOffer(str(exc)) from None
        return None
    except ConnectionResetError:
        return None


def _certificate(der: bytes) -> Certificate:
    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    key_type: str
    bits: int | None
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = "EC", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, bits = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, bits = "Ed448", 456
    else:
        key_type, bits = "other", None
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_after=cert.not_valid_after_utc.astimezone(timezone.utc),
        key_type=key_type,
        key_bits=bits,
    )


def _hsts(url: str, verify: ssl.SSLContext | bool, timeout: float) -> tuple[bool, int | None]:
    response = httpx.get(url, verify=verify, timeout=timeout, follow_redirects=False)
    header = response.headers.get("strict-transport-security")
    if not header:
        return False, None
    max_age = None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().strip('"').isdigit():
            max_age = int(value.strip().strip('"'))
    return True, max_age


def probe(url: str, verify: ssl.SSLContext | bool = True, timeout: float = 10.0) -> ProbeResult:
    """Probe the HTTPS endpoint of ``url``.

    ``verify`` is used for the HSTS request (a context built from the platform's CA
    bundle, or True for the system store); handshakes for version testing do not verify.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    problems: list[str] = []
    accepted: list[str] = []
    untested: list[str] = []
    der: bytes | None = None
    for name, version in VERSIONS:
        context = _context_for(version)
        if context is None:
            untested.append(name)
            continue
        try:
            peer = _handshake(host, port, context, timeout)
        except _CannotOffer:
            untested.append(name)
            continue
        except OSError as exc:
            problems.append(f"cannot connect to {host}:{port}: {exc.strerror or exc}")
            return ProbeResult(Transport(host=host), tuple(problems))
        if peer is not None:
            accepted.append(name)
            der = der or peer
    if untested:
        problems.append(f"this machine's TLS library cannot offer {', '.join(untested)}")
    transport = Transport(host=host)
    if not untested:
        transport.tls_versions = accepted
        transport.min_tls_version = accepted[0] if accepted else None
    certificate = None
    if der:
        try:
            certificate = _certificate(der)
        except ValueError as exc:
            problems.append(f"unreadable certificate: {exc}")
    transport.certificate = certificate
    try:
        transport.hsts, transport.hsts_max_age = _hsts(f"https://{host}:{port}/", verify, timeout)
    except httpx.HTTPError as exc:
        problems.append(f"HSTS not determined: {type(exc).__name__}: {exc}")
    return ProbeResult(transport, tuple(problems))


def trust_from_environment() -> ssl.SSLContext:
    """The CA trust every platform client uses (`adapters.http.tls.trust`).

    The probe's HSTS request trusts exactly what the adapters' own requests trust, in the
    same order (REQUESTS_CA_BUNDLE, then SSL_CERT_FILE, else certifi's bundle).
    """
    return trust()


def record_transport(inventory: Inventory, url: str, timeout: float = 10.0) -> None:
    """Probe ``url`` and put what was found into ``inventory.encryption.transport``.

    A plain-HTTP endpoint (tests, local proxies) and an unreachable one become gaps.
    """
    if not url.lower().startswith("https://"):
        inventory.add_gap(
            "encryption.transport", GapReason.NOT_AVAILABLE, f"{url} is not an HTTPS endpoint"
        )
        return
    result = probe(url, verify=trust_from_environment(), timeout=timeout)
    transport = result.transport
    if transport.certificate is None and transport.tls_versions is None:
        reason = "; ".join(result.problems) or "nothing could be determined"
        inventory.add_gap("encryption.transport", GapReason.API_ERROR, reason)
        return
    inventory.encryption.transport = transport
