"""The sign-in endpoints: OAuth 2.0 token flows and the SOAP partner ``login`` call."""

from __future__ import annotations

import base64
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs

import jwt

from tests.emulators.salesforce import soap


class LoginEndpoints:
    """Mixed into the emulator: issues session ids for the credentials it accepts."""

    credentials: Any
    org: Any
    url: str
    sandbox: bool
    api_version: str
    _tokens: set[str]
    _lock: threading.Lock

    def _json(
        self, status: int, payload: Any, limit: bool = True
    ) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def _xml(self, status: int, text: str) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def _new_token(self) -> str:
        token = f"{self.org.org_id[:15]}!AQ{secrets.token_urlsafe(48)}"
        with self._lock:
            self._tokens.add(token)
        return token

    def _soap_login(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        text = body.decode("utf-8", "replace")
        creds = self.credentials
        if (
            f"<n1:username>{creds.username}</n1:username>" in text
            and f"<n1:password>{creds.password}{creds.security_token}</n1:password>" in text
        ):
            return self._xml(
                200,
                soap.login_response(
                    self._new_token(),
                    self.url,
                    self.org.org_id,
                    "005000000000001AAA",
                    self.sandbox,
                    self.api_version,
                ),
            )
        return self._xml(
            500,
            soap.fault(
                "INVALID_LOGIN",
                "Invalid username, password, security token; or user locked out.",
                partner=True,
            ),
        )

    def _token(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        creds = self.credentials
        grant = form.get("grant_type")
        ok = False
        host = headers.get("x-original-host", "")
        if grant == "password":
            ok = (
                form.get("client_id") == creds.client_id
                and form.get("client_secret") == creds.client_secret
                and form.get("username") == creds.username
                and form.get("password") == creds.password + creds.security_token
            )
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer" and creds.jwt_public_key:
            try:
                claims = jwt.decode(
                    form.get("assertion", ""),
                    creds.jwt_public_key,
                    algorithms=["RS256"],
                    audience=[
                        "https://login.salesforce.com",
                        "https://test.salesforce.com",
                        f"https://{host}",
                    ],
                )
                ok = claims.get("iss") == creds.client_id and claims.get("sub") == creds.username
            except jwt.PyJWTError:
                ok = False
        elif grant == "client_credentials":
            basic = headers.get("authorization", "")
            expected = base64.b64encode(
                f"{creds.client_id}:{creds.client_secret}".encode()
            ).decode()
            ok = basic == f"Basic {expected}" and host == f"{creds.my_domain}.salesforce.com"
            if ok is False and basic == f"Basic {expected}":
                payload = {
                    "error": "invalid_grant",
                    "error_description": "request not supported on this domain",
                }
                return self._json(400, payload, limit=False)
        if not ok:
            return self._json(
                400,
                {"error": "invalid_grant", "error_description": "authentication failure"},
                limit=False,
            )
        payload = {
            "access_token": self._new_token(),
            "instance_url": self.url,
            "id": f"https://login.salesforce.com/id/{self.org.org_id}/005000000000001AAA",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        return self._json(200, payload, limit=False)
