"""DSSE envelopes (Dead Simple Signing Envelope v1) signed with Ed25519.

The envelope is the JSON object ``{"payloadType", "payload", "signatures": [{"keyid",
"sig"}]}`` with the payload and each signature in standard base64. A signature is over
the pre-authentication encoding ``PAE(type, body) = "DSSEv1" SP len(type) SP type SP
len(body) SP body`` (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md),
so the payload type is signed too. ``keyid`` is only a hint (DSSE says so): verification
tries the given key on every signature.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scanner.documents import parse_json
from scanner.errors import FileLocation, InputFileError
from scanner.evidence.keys import key_id

#: The payload type of an in-toto Statement (in-toto Attestation Framework, envelope.md).
PAYLOAD_TYPE = "application/vnd.in-toto+json"
#: Longest envelope line read (the statement lists one digest per bundle file).
MAX_ENVELOPE_BYTES = 64 * 1024 * 1024
_MAX_SIGNATURES = 16


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: the bytes that are signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True)
class Signature:
    """One signature of an envelope."""

    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A parsed DSSE envelope."""

    payload_type: str
    payload: bytes
    signatures: list[Signature] = field(default_factory=list)

    def verified_by(self, key: Ed25519PublicKey) -> bool:
        """True when one of the signatures is ``key``'s over this envelope's PAE."""
        message = pae(self.payload_type, self.payload)
        for signature in self.signatures:
            try:
                key.verify(signature.sig, message)
                return True
            except InvalidSignature:
                continue
        return False


def seal(payload: bytes, key: Ed25519PrivateKey | None, payload_type: str = PAYLOAD_TYPE) -> bytes:
    """The envelope of ``payload`` as one line of canonical JSON (RFC 8785) and a newline.

    Without a key the envelope has no signatures: hashes can be checked, authorship not.
    """
    signatures = []
    if key is not None:
        sig = key.sign(pae(payload_type, payload))
        signatures.append(
            {"keyid": key_id(key.public_key()), "sig": base64.b64encode(sig).decode("ascii")}
        )
    envelope: dict[str, Any] = {
        "payloadType": payload_type,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": signatures,
    }
    return rfc8785.dumps(envelope) + b"\n"


def _b64(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_envelope(data: bytes, label: str) -> Envelope:
    """Parse envelope bytes (one JSON object); malformed input raises `InputFileError`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            FileLocation(label, line), f"not UTF-8 text (byte {data[exc.start]:#04x})"
        ) from None
    document = parse_json(text, label)  # a second envelope line is "extra data" there
    envelope = document.data
    if not isinstance(envelope, dict):
        raise document.error([], "not a DSSE envelope (a JSON object)")
    payload_type = envelope.get("payloadType")
    if not isinstance(payload_type, str):
        raise document.error(["payloadType"], "field 'payloadType' must be a string")
    payload = _b64(envelope.get("payload"))
    if payload is None:
        raise document.error(["payload"], "field 'payload' must be base64 text")
    raw_signatures = envelope.get("signatures")
    if not isinstance(raw_signatures, list) or len(raw_signatures) > _MAX_SIGNATURES:
        raise document.error(["signatures"], "field 'signatures' must be a list (at most 16)")
    signatures = []
    for index, item in enumerate(raw_signatures):
        sig = _b64(item.get("sig")) if isinstance(item, dict) else None
        if sig is None:
            raise document.error(["signatures", index, "sig"], "signature must be base64 text")
        keyid = item.get("keyid", "")
        signatures.append(Signature(keyid if isinstance(keyid, str) else "", sig))
    return Envelope(payload_type, payload, signatures)
