"""SOAP bodies: the partner ``login`` call and the Metadata API read calls."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
PARTNER_NS = "urn:partner.soap.sforce.com"


def _envelope(body: str, default_ns: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{ENVELOPE_NS}" xmlns="{default_ns}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def fault(code: str, message: str, partner: bool = False) -> str:
    """A SOAP fault as Salesforce sends it (HTTP 500)."""
    ns = (
        "urn:fault.partner.soap.sforce.com"
        if partner
        else "http://soap.sforce.com/2006/04/metadata"
    )
    detail = (
        f'<detail><sf:LoginFault xmlns:sf="{ns}" xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage></sf:LoginFault></detail>"
        if partner
        else ""
    )
    body = (
        f'<soapenv:Fault xmlns:sf="{ns}"><faultcode>sf:{code}</faultcode>'
        f"<faultstring>{code}: {escape(message)}</faultstring>{detail}</soapenv:Fault>"
    )
    return _envelope(body, PARTNER_NS if partner else METADATA_NS)


def login_response(
    session_id: str, server: str, org_id: str, user_id: str, sandbox: bool, version: str
) -> str:
    """The partner API ``loginResponse``."""
    body = (
        "<loginResponse><result>"
        f"<metadataServerUrl>{server}/services/Soap/m/{version}/{org_id}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired>"
        f"<sandbox>{str(sandbox).lower()}</sandbox>"
        f"<serverUrl>{server}/services/Soap/u/{version}/{org_id}</serverUrl>"
        f"<sessionId>{session_id}</sessionId><userId>{user_id}</userId>"
        f"<userInfo><organizationId>{org_id}</organizationId></userInfo>"
        "</result></loginResponse>"
    )
    return _envelope(body, PARTNER_NS)


def parse_request(body: bytes) -> tuple[str | None, str, str | None, list[str]]:
    """``(session_id, operation, type, full_names)`` of a Metadata API request."""
    root = ET.fromstring(body)
    session = root.find(f".//{{{METADATA_NS}}}sessionId")
    soap_body = root.find(f"{{{ENVELOPE_NS}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise ValueError("no SOAP body")
    operation = soap_body[0]
    op_name = operation.tag.split("}")[-1]
    kind = operation.find(f".//{{{METADATA_NS}}}type")
    if kind is None:
        kind = operation.find(f"{{{METADATA_NS}}}type")
    names = [e.text or "" for e in operation.iter(f"{{{METADATA_NS}}}fullNames")]
    return (
        session.text if session is not None else None,
        op_name,
        kind.text if kind is not None else None,
        names,
    )


def _to_xml(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_to_xml(name, item) for item in value)
    if isinstance(value, dict):
        inner = "".join(_to_xml(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    text = str(value).lower() if isinstance(value, bool) else escape(str(value))
    return f"<{name}>{text}</{name}>"


def read_response(kind: str, components: list[tuple[str, dict[str, Any] | None]]) -> str:
    """A ``readMetadataResponse`` holding each found component."""
    records = "".join(
        f'<records xsi:type="{kind}"><fullName>{escape(name)}</fullName>'
        + "".join(_to_xml(k, v) for k, v in body.items())
        + "</records>"
        for name, body in components
        if body is not None
    )
    return _envelope(
        f"<readMetadataResponse><result>{records}</result></readMetadataResponse>", METADATA_NS
    )


def list_response(kind: str, components: list[tuple[str, str]]) -> str:
    """A ``listMetadataResponse`` with one FileProperties (fullName, id) per component."""
    results = "".join(
        f"<result><fullName>{escape(n)}</fullName><id>{escape(i)}</id><type>{kind}</type>"
        f"<fileName>{kind}/{escape(n)}</fileName></result>"
        for n, i in components
    )
    return _envelope(f"<listMetadataResponse>{results}</listMetadataResponse>", METADATA_NS)
