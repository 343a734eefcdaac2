"""The TLS probe against a real local TLS server (throwaway CA)."""

from __future__ import annotations

import http.server
import ssl
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
import trustme

from adapters.transport_probe import probe, record_transport
from scanner.model.inventory import Inventory, Tenant


class _Handler(http.server.BaseHTTPRequestHandler):
    hsts: str | None = "max-age=31536000; includeSubDomains"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        if self.hsts:
            self.send_header("Strict-Transport-Security", self.hsts)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_: object) -> None:
        return None


@contextmanager
def tls_server(
    minimum: ssl.TLSVersion, hsts: str | None, key_type: trustme.KeyType = trustme.KeyType.ECDSA
) -> Iterator[tuple[str, trustme.CA]]:
    ca = trustme.CA(key_type=key_type)
    cert = ca.issue_cert("127.0.0.1", key_type=key_type)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if minimum < ssl.TLSVersion.TLSv1_2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = minimum
    else:
        context.minimum_version = minimum
    cert.configure_cert(context)
    handler = type("Handler", (_Handler,), {"hsts": hsts})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/services", ca
    finally:
        server.shutdown()
        server.server_close()


def _verify(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_modern_endpoint_with_hsts() -> None:
    with tls_server(ssl.TLSVersion.TLSv1_2, "max-age=31536000; includeSubDomains") as (url, ca):
        result = probe(url, verify=_verify(ca), timeout=5)
    transport = result.transport
    assert transport.host == "127.0.0.1"
    assert transport.hsts is True and transport.hsts_max_age == 31536000
    assert transport.certificate is not None
    assert transport.certificate.key_type == "EC" and transport.certificate.key_bits == 256
    assert transport.certificate.not_after is not None
    assert transport.certificate.not_after > datetime.now(timezone.utc)
    if transport.tls_versions is not None:
        assert transport.tls_versions == ["TLSv1.2", "TLSv1.3"]
        assert transport.min_tls_version == "TLSv1.2"
    else:  # the local TLS library cannot offer TLS 1.0/1.1, so it says so instead of guessing
        assert any("cannot offer" in p for p in result.problems)


def test_missing_hsts_and_rsa_key() -> None:
    with tls_server(ssl.TLSVersion.TLSv1_3, None, trustme.KeyType.RSA) as (url, ca):
        result = probe(url, verify=_verify(ca), timeout=5)
    assert result.transport.hsts is False and result.transport.hsts_max_age is None
    assert result.transport.certificate is not None
    assert result.transport.certificate.key_type == "RSA"
    assert result.transport.certificate.key_bits == 2048


def test_untrusted_certificate_leaves_hsts_unknown() -> None:
    with tls_server(ssl.TLSVersion.TLSv1_2, "max-age=10") as (url, _ca):
        result = probe(url, verify=True, timeout=5)
    assert result.transport.hsts is None
    assert any("HSTS not determined" in p for p in result.problems)


def test_unreachable_host_is_a_problem_not_a_crash() -> None:
    result = probe("https://127.0.0.1:1/", timeout=2)
    assert result.transport.certificate is None and result.transport.tls_versions is None
    assert any("cannot connect" in p for p in result.problems)


def test_legacy_endpoint_accepting_tls_1_0_is_reported() -> None:
    with tls_server(ssl.TLSVersion.TLSv1, "max-age=5") as (url, ca):
        result = probe(url, verify=_verify(ca), timeout=5)
    versions = result.transport.tls_versions
    if versions is None:  # this machine's TLS library cannot offer TLS 1.0: said, not guessed
        assert any("cannot offer" in p for p in result.problems)
    else:
        assert "TLSv1" in versions and result.transport.min_tls_version == "TLSv1"


def test_record_transport_fills_inventory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    inventory = Inventory(tenant=Tenant(platform="hubspot"))
    with tls_server(ssl.TLSVersion.TLSv1_2, "max-age=600") as (url, ca):
        bundle = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        record_transport(inventory, url, timeout=5)
    assert inventory.encryption.transport is not None
    assert inventory.encryption.transport.hsts is True
    assert inventory.gaps == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://127.0.0.1:8080", "not_available"), ("https://127.0.0.1:1", "api_error")],
)
def test_record_transport_gap(url: str, reason: str) -> None:
    inventory = Inventory(tenant=Tenant(platform="hubspot"))
    record_transport(inventory, url, timeout=2)
    assert inventory.encryption.transport is None
    [gap] = inventory.gaps
    assert gap.collection == "encryption.transport" and gap.reason.value == reason
