"""An HTTPS Salesforce org on 127.0.0.1: REST, Tooling, Metadata (SOAP) and OAuth.

Wire shapes follow the real API: query results carry ``totalSize``, ``done``,
``records[].attributes`` and, while more remain, ``nextRecordsUrl`` with pages of
2,000; errors are ``[{"message": ..., "errorCode": ...}]``; every API response carries
``Sforce-Limit-Info: api-usage=USED/LIMIT``. Faults can be injected per request.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import requests
import trustme

from tests.emulators.salesforce import soap
from tests.emulators.salesforce.login import LoginEndpoints
from tests.emulators.salesforce.org import Org
from tests.emulators.salesforce.schema import (
    ACCESS_RULES,
    METADATA_CATALOG,
    NO_AGGREGATES,
    OAUTH_TOKEN_CAP,
    OAUTH_TOKEN_PAGE,
    URI_LIMIT,
    properties,
)
from tests.emulators.salesforce.schema import PAGE_SIZE as _PAGE_SIZE
from tests.emulators.salesforce.soql import _FUNC as _FUNC_CALL
from tests.emulators.salesforce.soql import (
    Query,
    SoqlError,
    count_rows,
    execute,
    is_aggregate,
    is_count_only,
    parse,
    project,
    referenced_fields,
)
from tests.emulators.salesforce.transport import Handler, LoopbackAdapter, QuietServer

PAGE_SIZE = _PAGE_SIZE
#: What the scanning user holds by default: everything the documented access rules ask.
FULL_ACCESS = frozenset(
    {"CustomizeApplication", "ManageUsers", "ViewSetup", "ManageAuthProviders", "ManageTwoFactor"}
)


#: Metadata API names of standard profiles (Profile.Name differs: "System Administrator"
#: is ``Admin``); a custom profile's name is its Name, URL-encoded.
STANDARD_PROFILE_NAMES = {
    "System Administrator": "Admin",
    "Standard User": "Standard",
    "Read Only": "ReadOnly",
    "Marketing User": "MarketingProfile",
    "Contract Manager": "ContractManager",
    "Solution Manager": "SolutionManager",
    "Minimum Access - Salesforce": "MinimumAccess",
}


def profile_metadata_name(name: str) -> str:
    """The Metadata API fullName of the profile called ``name``."""
    return STANDARD_PROFILE_NAMES.get(name) or quote(name, safe=" ")


@dataclass
class Fault:
    """A failure to inject into requests whose text contains ``target``.

    The text of a query request is its SOQL (``#page2`` etc. is appended for the pages
    after the first); of any other request, its path. ``kind`` is ``error`` (answer
    ``status`` with ``code``), ``truncate`` (cut the JSON body in half), ``delay`` (sleep
    ``delay`` seconds first), ``garbage`` (a 200 that is not JSON), ``rate_limit`` (HTTP
    429 REQUEST_LIMIT_EXCEEDED with ``Retry-After: retry_after``), ``repeat_cursor`` (a
    page whose ``nextRecordsUrl`` points at itself) or ``drop_field`` (records without
    the field ``code``). ``times`` limits how often the fault fires (None = always).
    """

    target: str
    kind: str = "error"
    status: int = 500
    code: str = "UNKNOWN_EXCEPTION"
    message: str = (
        "An unexpected error occurred. Please include this ErrorId if you contact support"
    )
    times: int | None = None
    delay: float = 0.0
    retry_after: str = "1"
    fired: int = 0


@dataclass
class Credentials:
    """What the emulated org accepts."""

    access_token: str = "00D000000000001!AQ0000emulatortoken0000000000000000000000000"
    username: str = "scanner@acme-outfitters.example"
    password: str = "correct horse battery"
    security_token: str = "SECTOKEN12345"
    client_id: str = "3MVG9emulatorconsumerkey"
    client_secret: str = "emulator-consumer-secret-0001"
    jwt_public_key: bytes | None = None
    my_domain: str = "acme-outfitters.my"


@dataclass
class LoggedRequest:
    """One request the emulator served."""

    method: str
    path: str
    text: str
    status: int  # 0 while the answer is pending
    authorization: str | None = None
    body: bytes = b""
    host: str | None = None  # the *.salesforce.com host the client asked for, if any


@dataclass
class _Cursor:
    obj: str
    rows: list[dict[str, Any]]
    soql: str
    tooling: bool
    query: Query


@dataclass
class SalesforceEmulator(LoginEndpoints):
    """Serves ``org`` over HTTPS. Use as a context manager or call start()/stop()."""

    org: Org
    credentials: Credentials = field(default_factory=Credentials)
    api_version: str = "62.0"
    api_used: int = 1200
    api_limit: int = 15000
    latency: float = 0.0
    sandbox: bool = False
    faults: list[Fault] = field(default_factory=list)
    log: list[LoggedRequest] = field(default_factory=list)
    now: datetime | None = None  # the org's clock (LAST_N_DAYS); None = real time
    #: The scanning user's permissions and id (documented visibility rules apply).
    identity_permissions: frozenset[str] = FULL_ACCESS
    identity_user_id: str = "005000000000000SCN"

    def __post_init__(self) -> None:
        self.ca = trustme.CA()
        self._cert = self.ca.issue_cert(
            "127.0.0.1", "localhost", "*.salesforce.com", "*.my.salesforce.com"
        )
        self._tokens = {self.credentials.access_token}
        self._cursors: dict[str, _Cursor] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> SalesforceEmulator:
        """Start serving on an ephemeral loopback port."""
        handler = type("Handler", (Handler,), {"emulator": self})
        self._server = QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> SalesforceEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port served on."""
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The instance URL."""
        return f"https://127.0.0.1:{self.port}"

    def ca_file(self, directory: str) -> str:
        """Write the CA certificate to ``directory`` and return its path."""
        path = f"{directory}/emulator-ca.pem"
        self.ca.cert_pem.write_to_path(path)
        return path

    def session(self) -> requests.Session:
        """A requests session that trusts the CA and resolves *.salesforce.com here.

        simple-salesforce builds login URLs as ``https://{domain}.salesforce.com``; this
        plays the part of DNS for them, like /etc/hosts would.
        """
        session = requests.Session()
        session.mount("https://", LoopbackAdapter(self.port))
        return session

    # -- helpers for tests -------------------------------------------------------------
    def remove_object(self, name: str) -> None:
        """Make an sObject unknown to the org (as on an older API version or edition)."""
        self.org.sobjects.pop(name, None)
        self.org.tooling.pop(name, None)

    def deny_object(self, name: str) -> None:
        """Answer queries of ``name`` with INSUFFICIENT_ACCESS, as for a scanning user who
        lacks the permission the object needs (VerificationHistory: Manage Users)."""
        self.faults.append(
            Fault(
                target=f"FROM {name} ",
                status=403,
                code="INSUFFICIENT_ACCESS",
                message=f"insufficient access rights on object {name}",
            )
        )

    def remove_field(self, obj: str, name: str) -> None:
        """Make a field unknown to the org."""
        sobject = self.org.sobjects.get(obj) or self.org.tooling[obj]
        sobject.fields = [f for f in sobject.fields if f["name"] != name]

    def requests_matching(self, text: str) -> list[LoggedRequest]:
        """Logged requests whose text contains ``text``."""
        return [r for r in self.log if text in r.text]

    # -- request handling --------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: (status, headers, body)."""
        if len(raw_path) > URI_LIMIT:
            return self._limit_refusal(method, raw_path, 414, "URI Too Long")
        if len(raw_path) + sum(len(k) + len(v) + 4 for k, v in headers.items()) > URI_LIMIT:
            return self._limit_refusal(method, raw_path, 431, "Request Header Fields Too Large")
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query)
        text = path
        if path.endswith(("/query", "/query/")):
            text = query.get("q", [""])[0]
        elif "/query/" in path:
            locator = path.rsplit("/", 1)[-1]
            cursor = self._cursors.get(locator.split("-")[0])
            offset = int(locator.split("-")[1]) if "-" in locator else 0
            text = f"{cursor.soql if cursor else locator} #page{offset // PAGE_SIZE + 1}"
        entry = LoggedRequest(
            method,
            path,
            text,
            0,
            headers.get("authorization"),
            body,
            headers.get("x-original-host"),
        )
        with self._lock:
            self.log.append(entry)  # logged on arrival: a client may give up before the answer
        status, out_headers, out_body = self._route(method, path, query, headers, body, text)
        entry.status = status
        return status, out_headers, out_body

    def _limit_refusal(
        self, method: str, raw_path: str, status: int, reason: str
    ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.log.append(LoggedRequest(method, raw_path[:200], raw_path[:200], status))
        body = f"<html><body><h1>{status} {reason}</h1></body></html>".encode()
        return status, {"Content-Type": "text/html"}, body

    def _fault_for(self, text: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.target in text and (fault.times is None or fault.fired < fault.times):
                    fault.fired += 1
                    return fault
        return None

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        text: str,
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/services/oauth2/token" and method == "POST":
            return self._token(headers, body)
        if path.startswith("/services/Soap/u/") and method == "POST":
            return self._soap_login(body)
        fault = self._fault_for(text)
        if fault and fault.kind == "delay":
            time.sleep(fault.delay)
            fault = None
        if self.latency:
            time.sleep(self.latency)
        if path.startswith("/services/Soap/m/") and method == "POST":
            return self._metadata(body, fault)
        if not self._authorized(headers.get("authorization", "")):
            return self._json(
                401,
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                limit=False,
            )
        with self._lock:
            self.api_used += 1
            over = self.api_used > self.api_limit
        if over:
            return self._json(
                403,
                [
                    {
                        "message": "TotalRequests Limit exceeded.",
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    }
                ],
            )
        if fault and fault.kind == "error":
            return self._json(fault.status, [{"message": fault.message, "errorCode": fault.code}])
        if fault and fault.kind == "rate_limit":
            code, out_headers, out = self._json(
                429,
                [
                    {
                        "message": "Too many requests, retry later.",
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    }
                ],
            )
            out_headers["Retry-After"] = fault.retry_after
            return code, out_headers, out
        if method != "GET":
            return self._json(
                405,
                [
                    {
                        "message": f"HTTP Method '{method}' not allowed.",
                        "errorCode": "METHOD_NOT_ALLOWED",
                    }
                ],
            )
        prefix = f"/services/data/v{self.api_version}/"
        if not path.startswith(prefix):
            return self._json(
                404,
                [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
            )
        rest = path[len(prefix) :].strip("/")
        tooling = rest.startswith("tooling/")
        if tooling:
            rest = rest[len("tooling/") :]
        if rest == "query":
            status, payload = self._query(query.get("q", [""])[0], tooling)
        elif rest.startswith("query/"):
            status, payload = self._more(rest.split("/", 1)[1])
        else:
            status, payload = self._other(rest, tooling)
        code, out_headers, out = self._json(status, payload)
        if status == 200 and fault and fault.kind == "repeat_cursor":
            page = dict(payload)
            page["done"] = False
            page["nextRecordsUrl"] = f"/services/data/v{self.api_version}/query/01gLOOP-0"
            self._cursors.setdefault("01gLOOP", self._cursors[next(iter(self._cursors))])
            code, out_headers, out = self._json(status, page)
        elif status == 200 and fault and fault.kind == "drop_field":
            for record in payload.get("records", []):
                record.pop(fault.code, None)
            code, out_headers, out = self._json(status, payload)
        if fault and fault.kind == "truncate":
            out = out[: len(out) // 2]
        elif fault and fault.kind == "garbage":
            out = b"<html><body>Service unavailable</body></html>"
        return code, out_headers, out

    def _other(self, rest: str, tooling: bool) -> tuple[int, Any]:
        if rest.startswith("sobjects/") and rest.endswith("/describe"):
            status, payload = self._describe(rest.split("/")[1], tooling)
        elif rest == "limits":
            status, payload = (
                200,
                {
                    "DailyApiRequests": {
                        "Max": self.api_limit,
                        "Remaining": self.api_limit - self.api_used,
                    }
                },
            )
        else:
            status, payload = (
                404,
                [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
            )
        return status, payload

    def _authorized(self, authorization: str) -> bool:
        return authorization.startswith("Bearer ") and authorization[7:] in self._tokens

    def _json(
        self, status: int, payload: Any, limit: bool = True
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Content-Type": "application/json;charset=UTF-8",
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        }
        if limit:
            headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.api_limit}"
        return (
            status,
            headers,
            json.dumps(payload, separators=(",", ":"), check_circular=False).encode(),
        )

    # -- REST --------------------------------------------------------------------------
    def _objects(self, tooling: bool) -> dict[str, Any]:
        return self.org.tooling if tooling else self.org.sobjects

    def _query(self, soql: str, tooling: bool) -> tuple[int, Any]:
        try:
            parsed = parse(soql, self.now or datetime.now(timezone.utc))
            sobject = self._objects(tooling).get(parsed.obj)
            if sobject is None:
                raise SoqlError(
                    "INVALID_TYPE",
                    f"\n{soql[:60]}\n^\nERROR at Row:1:Column:1\n"
                    f"sObject type '{parsed.obj}' is not supported. If you are "
                    "attempting to use a custom object, be sure to append the "
                    "'__c' after the entity name.",
                )
            for name in sorted(referenced_fields(parsed)):
                if name not in sobject.field_names:
                    raise SoqlError(
                        "INVALID_FIELD",
                        f"\n{soql[:60]}\n^\nERROR at Row:1:"
                        f"Column:1\nNo such column '{name}' on entity "
                        f"'{parsed.obj}'.",
                    )
            self._check_documented_rules(parsed, sobject)
            records = self._visible(parsed.obj, sobject.records)
            if records is None:
                raise SoqlError(
                    "INSUFFICIENT_ACCESS",
                    f"insufficient access rights on object {parsed.obj}",
                )
            if parsed.obj == "UserPermissionAccess":
                records = [self._permission_access(sobject)]
            if is_count_only(parsed):
                # "COUNT() returns the number of rows that match the filtering conditions"
                # as totalSize, with no records (the SOQL guide's COUNT() page).
                count = count_rows(parsed, records)
                return 200, {"totalSize": count, "done": True, "records": []}
            rows = execute(parsed, records, parsed.obj)
        except SoqlError as exc:
            status = 403 if exc.code == "INSUFFICIENT_ACCESS" else 400
            return status, [{"message": exc.message, "errorCode": exc.code}]
        if parsed.group_by and len(rows) > PAGE_SIZE:
            return 400, [
                {
                    "message": "Aggregate query does not support queryMore(), use LIMIT "
                    "to restrict the results to a single batch",
                    "errorCode": "MALFORMED_QUERY",
                }
            ]
        if parsed.obj == "OauthToken" and parsed.offset == 0:
            rows = rows[:OAUTH_TOKEN_CAP]  # "No more records are returned after 2500"
        locator = "01g" + hashlib.sha1(soql.encode()).hexdigest()[:15]
        self._cursors[locator] = _Cursor(parsed.obj, rows, soql, tooling, parsed)
        return 200, self._page(locator, 0)

    def _check_documented_rules(self, parsed: Query, sobject: Any) -> None:
        """Refuse what the Object Reference says the real org refuses."""
        kinds = {f["name"]: f.get("type", "string") for f in sobject.fields}
        for name, _, _ in parsed.where:
            if "F" not in properties(parsed.obj, name, kinds.get(name, "string")):
                raise SoqlError(
                    "INVALID_FIELD",
                    f"\n{name}\n^\nERROR at Row:1:Column:1\n"
                    f"field '{name}' can not be filtered in query call",
                )
        for expr in parsed.group_by:
            func = _FUNC_CALL.match(expr)
            name = func.group("arg") if func else expr
            kind = kinds.get(name, "string")
            # A date function groups a datetime field by period (the SOQL guide's
            # GROUP BY CALENDAR_YEAR(CreatedDate)); a plain field must be groupable.
            ok = kind in ("datetime", "date") if func else "G" in properties(parsed.obj, name, kind)
            if not ok:
                raise SoqlError(
                    "INVALID_FIELD",
                    f"\n{expr}\n^\nERROR at Row:1:Column:1\n"
                    f"field '{name}' can not be grouped in a query call",
                )
        if parsed.obj in METADATA_CATALOG:
            refused = (
                is_aggregate(parsed)
                or parsed.limit is not None
                or parsed.offset
                or any(op in ("!=", "NOT IN") for _, op, _ in parsed.where)
            )
            if refused:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    "The requested operation is not yet supported by this SObject storage "
                    "type (only equals comparisons permitted; no COUNT, GROUP BY, LIMIT)",
                )
        if parsed.obj in NO_AGGREGATES and is_aggregate(parsed):
            raise SoqlError(
                "MALFORMED_QUERY", f"aggregate queries are not supported on {parsed.obj}"
            )

    def _visible(self, obj: str, records: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The records the scanning user may see under the object's access rule."""
        rule = ACCESS_RULES.get(obj)
        if rule is None or rule[0] & self.identity_permissions:
            return records
        if rule[1] == "own":
            return [r for r in records if r.get("UserId") == self.identity_user_id]
        return None

    def _permission_access(self, sobject: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"LastCacheUpdate": None}
        for entry in sobject.fields:
            name = entry["name"]
            if name.startswith("Permissions"):
                row[name] = name[len("Permissions") :] in self.identity_permissions
        return row

    def _page(self, locator: str, offset: int) -> dict[str, Any]:
        cursor = self._cursors[locator]
        size = OAUTH_TOKEN_PAGE if cursor.obj == "OauthToken" else PAGE_SIZE
        chunk = cursor.rows[offset : offset + size]
        if not is_aggregate(cursor.query):  # rows are projected a page at a time
            chunk = [project(cursor.query, r, cursor.obj) for r in chunk]
            if cursor.obj == "OauthToken":  # "Reserved for future use ... always null"
                for row in chunk:
                    if "Id" in row:
                        row["Id"] = None
        done = offset + size >= len(cursor.rows)
        page: dict[str, Any] = {"totalSize": len(cursor.rows), "done": done}
        if not done:
            base = f"/services/data/v{self.api_version}/" + ("tooling/" if cursor.tooling else "")
            page["nextRecordsUrl"] = f"{base}query/{locator}-{offset + size}"
        page["records"] = chunk
        if cursor.tooling:
            page["entityTypeName"] = cursor.obj
        return page

    def _more(self, locator: str) -> tuple[int, Any]:
        base, _, offset = locator.partition("-")
        if base not in self._cursors or not offset.isdigit():
            return 400, [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]
        return 200, self._page(base, int(offset))

    def _describe(self, name: str, tooling: bool) -> tuple[int, Any]:
        sobject = self._objects(tooling).get(name)
        if sobject is None:
            return 404, [
                {
                    "message": f"The requested resource does not exist: {name}",
                    "errorCode": "NOT_FOUND",
                }
            ]
        return 200, {
            "name": name,
            "label": name,
            "queryable": True,
            "custom": name.endswith("__c"),
            "fields": sobject.fields,
            "urls": {"describe": f"/services/data/v{self.api_version}/sobjects/{name}/describe"},
        }

    # -- SOAP --------------------------------------------------------------------------
    def _xml(self, status: int, text: str) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "text/xml;charset=UTF-8"}, text.encode()

    def _metadata(self, body: bytes, fault: Fault | None) -> tuple[int, dict[str, str], bytes]:
        try:
            session_id, operation, kind, names = soap.parse_request(body)
        except (ValueError, SyntaxError):
            return self._xml(500, soap.fault("INVALID_XML", "could not parse the request"))
        if session_id not in self._tokens:
            return self._xml(
                500, soap.fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
            )
        with self._lock:
            self.api_used += 1
        if fault and fault.kind == "error":
            return self._xml(fault.status, soap.fault(fault.code, fault.message))
        if operation not in ("readMetadata", "listMetadata", "describeMetadata"):
            return self._xml(
                500, soap.fault("INVALID_OPERATION", f"{operation} is not served by this emulator")
            )
        components = self.org.metadata.get(kind or "")
        if kind == "Profile":
            components = {
                profile_metadata_name(r["Name"]): {"id": r["Id"]}
                for r in self.org.sobjects["Profile"].records
            }
        if components is None:
            return self._xml(500, soap.fault("INVALID_TYPE", f"Unknown type: {kind}"))
        if operation == "listMetadata":
            listed = [
                (
                    name,
                    str(
                        (body or {}).get("id")
                        or "0Pp" + hashlib.sha1(name.encode()).hexdigest()[:15]
                    ),
                )
                for name, body in sorted(components.items())
            ]
            return self._xml(200, soap.list_response(kind or "", listed))
        return self._xml(
            200, soap.read_response(kind or "", [(n, components.get(n)) for n in names])
        )
