"""The Dataverse Web API (v9.2) of one environment: OData queries, paging, refusals.

What it enforces, from Microsoft's documentation (docs/api/dynamics.md):

- a bearer token issued for this environment's URL, else 401 with ``WWW-Authenticate:
  Bearer authorization_uri=...``; an app without an application user in the
  environment gets 403 ``0x80072560`` "The user is not a member of the organization.";
- ``$select`` of known columns only, single-level ``$expand`` of collection-valued
  navigation properties (N:N ones may be combined, N:N with 1:N may not), each expanded
  collection returned whole with a ``<property>@odata.nextLink`` that has no paging;
- ``Prefer: odata.maxpagesize`` (at most 5,000) with ``@odata.nextLink`` carrying a
  ``$skiptoken`` paging cookie, answered with ``Preference-Applied``; no ``$skip``;
- read privileges of the scanning application user: a missing one is 403
  ``0x80040220`` "Principal user (...) is missing prvReadX privilege";
- service protection limits per user: requests per 5-minute sliding window and
  concurrent requests, answered 429 with ``Retry-After`` and codes ``0x80072322`` /
  ``0x80072326``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from tests.emulators.dynamics.environment import ENTITY_SETS, NAVIGATION
from tests.emulators.dynamics.wire import Reply, Request, dataverse_error, json_reply

if TYPE_CHECKING:
    from tests.emulators.dynamics.server import DynamicsEmulator

API = "/api/data/v9.2"
MAX_PAGE_SIZE = 5000
WINDOW_SECONDS = 300

#: The read privilege each entity set needs (the emulator's model of Dataverse's checks).
READ_PRIVILEGE: dict[str, tuple[str, str, int]] = {
    "systemusers": ("prvReadUser", "systemuser", 8),
    "teams": ("prvReadTeam", "team", 9),
    "roles": ("prvReadRole", "role", 1036),
    "roleprivilegescollection": ("prvReadRole", "role", 1036),
    "privileges": ("prvReadRole", "role", 1036),
    "businessunits": ("prvReadBusinessUnit", "businessunit", 10),
    "organizations": ("prvReadOrganization", "organization", 1019),
    "fieldsecurityprofiles": ("prvReadFieldSecurityProfile", "fieldsecurityprofile", 1200),
    "fieldpermissions": ("prvReadFieldSecurityProfile", "fieldsecurityprofile", 1200),
}


class QueryError(Exception):
    """A query the Web API refuses (400 ``0x80060888``)."""


@dataclass
class Limits:
    """Service protection limits (defaults are Microsoft's per web server)."""

    requests: int = 6000
    concurrent: int = 52
    retry_after: int = 30


@dataclass
class Expansion:
    prop: str
    select: list[str] | None
    raw: str


@dataclass
class Dataverse:
    """The Web API of the emulated environment."""

    emulator: DynamicsEmulator
    limits: Limits = field(default_factory=Limits)
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _in_flight: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0  #: seconds every answer takes (concurrency tests)
    #: Serve at most this many rows per page whatever the client asks (Dataverse may
    #: return fewer rows than ``odata.maxpagesize``); None: as asked.
    page_cap: int | None = None

    def handle(self, request: Request) -> Reply:
        if not request.path.startswith(API + "/") and request.path != API:
            return dataverse_error(
                404, "0x80060888", f"Resource not found for the segment '{request.path}'."
            )
        refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        token = self.emulator.entra.token(request.bearer)
        assert token is not None
        caller = token.app_id
        throttled = self._admit(caller)
        if throttled is not None:
            return throttled
        try:
            if self.delay:
                time.sleep(self.delay)
            return self._route(request)
        finally:
            with self._lock:
                self._in_flight[caller] -= 1

    # -- access ----------------------------------------------------------------------
    def _authenticate(self, request: Request) -> Reply | None:
        env = self.emulator.env
        token = self.emulator.entra.token(request.bearer)
        challenge = {
            "WWW-Authenticate": (
                f"Bearer authorization_uri={self.emulator.authority_base}/{env.tenant_id}"
                f"/oauth2/authorize, resource_id={request.base}/"
            )
        }
        if token is None or token.expired or token.audience.rstrip("/") != request.base:
            return 401, challenge, b""
        app_user = env.user(env.app.systemuserid) if env.app.systemuserid else None
        if app_user is None or app_user.get("isdisabled"):
            return dataverse_error(
                403, "0x80072560", "The user is not a member of the organization."
            )
        return None

    def _admit(self, caller: str) -> Reply | None:
        now = time.monotonic()
        with self._lock:
            recent = self._recent.setdefault(caller, deque())
            while recent and recent[0] < now - WINDOW_SECONDS:
                recent.popleft()
            if len(recent) >= self.limits.requests:
                return dataverse_error(
                    429,
                    "0x80072322",
                    f"Number of requests exceeded the limit of {self.limits.requests} over time "
                    f"window of {WINDOW_SECONDS} seconds.",
                    **{"Retry-After": str(self.limits.retry_after)},
                )
            if self._in_flight.get(caller, 0) >= self.limits.concurrent:
                return dataverse_error(
                    429,
                    "0x80072326",
                    f"Number of concurrent requests exceeded the limit of {self.limits.concurrent}.",
                    **{"Retry-After": "1"},
                )
            recent.append(now)
            self._in_flight[caller] = self._in_flight.get(caller, 0) + 1
        return None

    def _missing_privilege(self, entity_set: str) -> Reply | None:
        env = self.emulator.env
        needed, entity, otc = READ_PRIVILEGE[entity_set]
        app_user = env.app.systemuserid or ""
        held = env.privileges_of_principal(app_user)
        if needed in held:
            return None
        roles = [r for u, r in env.pairs["systemuserroles"] if u == app_user]
        privilege = next(
            (p["privilegeid"] for p in env.tables["privileges"] if p["name"] == needed),
            "00000000-0000-0000-0000-000000000000",
        )
        return dataverse_error(
            403,
            "0x80040220",
            f"Principal user (Id={app_user}, type=8, roleCount={len(roles)}, "
            f"privilegeCount={len(held)}, accessMode=4), is missing {needed} privilege "
            f"(Id={privilege}) on OTC={otc} for entity '{entity}'. context.Caller={app_user}",
        )

    # -- routing ---------------------------------------------------------------------
    def _route(self, request: Request) -> Reply:
        if request.method != "GET":
            return dataverse_error(
                405, "0x80060888", f"The HTTP method '{request.method}' is not allowed here."
            )
        segment = request.path[len(API) :].strip("/")
        if segment == "WhoAmI" or segment == "WhoAmI()":
            return self._who_am_i(request)
        if segment not in ENTITY_SETS or segment == "fieldpermissions":
            return dataverse_error(
                404, "0x80060888", f"Resource not found for the segment '{segment}'."
            )
        missing = self._missing_privilege(segment)
        if missing is not None:
            return missing
        try:
            return self._query(request, segment)
        except QueryError as exc:
            return dataverse_error(400, "0x80060888", str(exc))

    def _who_am_i(self, request: Request) -> Reply:
        env = self.emulator.env
        user = env.user(env.app.systemuserid or "") or {}
        org = env.tables["organizations"][0]
        return json_reply(
            200,
            {
                "@odata.context": f"{request.base}{API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                "BusinessUnitId": user.get("_businessunitid_value"),
                "UserId": user.get("systemuserid"),
                "OrganizationId": org["organizationid"],
            },
            {"OData-Version": "4.0"},
        )

    def _query(self, request: Request, entity_set: str) -> Reply:
        spec = ENTITY_SETS[entity_set]
        options = {k: v for k, v in request.query.items() if k.startswith("$")}
        for name in options:
            if name not in ("$select", "$expand", "$top", "$skiptoken", "$orderby"):
                raise QueryError(f"The query parameter {name} is not supported")
        select = _columns(options.get("$select"), spec, entity_set)
        expansions = _expansions(options.get("$expand"), entity_set)
        for expansion in expansions:
            if NAVIGATION[(entity_set, expansion.prop)]["target"] in READ_PRIVILEGE:
                missing = self._missing_privilege(
                    NAVIGATION[(entity_set, expansion.prop)]["target"]
                )
                if missing is not None:
                    return missing
        rows = sorted(self.emulator.env.tables[entity_set], key=lambda r: str(r[spec["key"]]))
        prefer = _max_page_size(request.headers.get("prefer", ""))
        page_size = min(prefer or MAX_PAGE_SIZE, MAX_PAGE_SIZE, self.page_cap or MAX_PAGE_SIZE)
        top = options.get("$top")
        start = 0
        if "$skiptoken" in options:
            last = _cookie_last(options["$skiptoken"], spec["key"])
            start = next(
                (i + 1 for i, r in enumerate(rows) if str(r[spec["key"]]) == last), len(rows)
            )
        if top is not None and prefer is None:
            page = rows[: int(top)]
            more = False
        else:
            page = rows[start : start + page_size]
            more = start + page_size < len(rows)
        base = f"{request.base}{API}"
        indexes = {e.prop: self._index(NAVIGATION[(entity_set, e.prop)]) for e in expansions}
        value = [self._shape(base, entity_set, row, select, expansions, indexes) for row in page]
        context_cols = ",".join(
            (select or []) + [f"{e.prop}({','.join(e.select or [])})" for e in expansions]
        )
        body: dict[str, Any] = {
            "@odata.context": f"{base}/$metadata#{entity_set}"
            + (f"({context_cols})" if context_cols else ""),
            "value": value,
        }
        if more and page:
            last = str(page[-1][spec["key"]])
            cookie = (
                f'<cookie pagenumber="{start // page_size + 2}" pagingcookie="'
                + quote(f'<cookie page="{start // page_size + 1}"><{spec["key"]} last="{{{last.upper()}}}" '
                        f'first="{{{str(page[0][spec["key"]]).upper()}}}" /></cookie>')
                + '" istracking="False" />'
            )  # fmt: skip
            kept = [f"{k}={v}" for k, v in _raw_options(request.raw_path) if k != "$skiptoken"]
            kept.append(f"$skiptoken={quote(cookie)}")
            body["@odata.nextLink"] = f"{base}/{entity_set}?" + "&".join(kept)
        headers = {"OData-Version": "4.0", **self._rate_headers()}
        if prefer is not None:
            headers["Preference-Applied"] = f"odata.maxpagesize={page_size}"
        return json_reply(200, body, headers)

    def _shape(
        self,
        base: str,
        entity_set: str,
        row: dict[str, Any],
        select: list[str] | None,
        expansions: list[Expansion],
        indexes: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    ) -> dict[str, Any]:
        spec = ENTITY_SETS[entity_set]
        key = spec["key"]
        out: dict[str, Any] = {"@odata.etag": f'W/"{row.get("versionnumber", 1000)}"'}
        for column in select or sorted(spec["columns"]):
            out[column] = row.get(column)
        out[key] = row[key]
        for expansion in expansions:
            nav = NAVIGATION[(entity_set, expansion.prop)]
            if indexes is None or expansion.prop not in indexes:
                indexes = {**(indexes or {}), expansion.prop: self._index(nav)}
            related = indexes[expansion.prop].get(row[key], [])[:MAX_PAGE_SIZE]
            out[expansion.prop] = [
                self._shape(base, nav["target"], r, expansion.select, []) for r in related
            ]
            query = f"?$select={','.join(expansion.select)}" if expansion.select else ""
            out[f"{expansion.prop}@odata.nextLink"] = (
                f"{base}/{entity_set}({row[key]})/{expansion.prop}{query}"
            )
        return out

    def _index(self, nav: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
        """Related rows by the key of the row they relate to."""
        env = self.emulator.env
        target = nav["target"]
        found: dict[str, list[dict[str, Any]]] = {}
        if "lookup" in nav:
            for related in env.tables[target]:
                found.setdefault(related.get(nav["lookup"]) or "", []).append(related)
            return found
        target_key = ENTITY_SETS[target]["key"]
        rows = {r[target_key]: r for r in env.tables[target]}
        for left, right in env.pairs[nav["pairs"]]:
            owner, other = (right, left) if nav.get("reverse") else (left, right)
            if other in rows:
                found.setdefault(owner, []).append(rows[other])
        return found

    def _rate_headers(self) -> dict[str, str]:
        return {
            "x-ms-ratelimit-burst-remaining-xrm-requests": "5999",
            "x-ms-ratelimit-time-remaining-xrm-requests": "1,200.00",
        }


def _raw_options(raw_path: str) -> list[tuple[str, str]]:
    query = raw_path.partition("?")[2]
    out = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            out.append((unquote(name), value))
    return out


def _columns(raw: str | None, spec: dict[str, Any], entity_set: str) -> list[str] | None:
    if raw is None:
        return None
    names = [c.strip() for c in raw.split(",") if c.strip()]
    for name in names:
        if name not in spec["columns"]:
            raise QueryError(
                f"Could not find a property named '{name}' on type "
                f"'Microsoft.Dynamics.CRM.{spec['type']}'."
            )
    return names


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _expansions(raw: str | None, entity_set: str) -> list[Expansion]:
    if raw is None:
        return []
    out = []
    kinds = set()
    for item in _split_top_level(raw):
        prop, _, rest = item.partition("(")
        prop = prop.strip()
        nav = NAVIGATION.get((entity_set, prop))
        if nav is None:
            raise QueryError(
                f"Could not find a property named '{prop}' on type "
                f"'Microsoft.Dynamics.CRM.{ENTITY_SETS[entity_set]['type']}'."
            )
        kinds.add("n:n" if "pairs" in nav else "1:n")
        select: list[str] | None = None
        if rest:
            for option in rest.rstrip(")").split(";"):
                name, _, value = option.partition("=")
                name = name.strip()
                if name == "$select":
                    select = _columns(value, ENTITY_SETS[nav["target"]], nav["target"])
                elif name == "$expand":
                    raise QueryError("Nested $expand is not supported by this emulator")
                else:
                    raise QueryError(
                        f"Only $select and $filter clause can be provided while doing $expand "
                        f"(got {name})"
                    )
        out.append(Expansion(prop, select, item))
    if len(kinds) > 1:
        raise QueryError(
            "Expanding a many-to-many relationship together with a one-to-many or many-to-one "
            "relationship is not supported."
        )
    return out


def _max_page_size(prefer: str) -> int | None:
    for part in prefer.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip() == "odata.maxpagesize":
            try:
                return max(1, int(value))
            except ValueError:
                return None
    return None


def _cookie_last(skiptoken: str, key: str) -> str:
    text = unquote(unquote(skiptoken))
    marker = f'<{key} last="{{'
    start = text.find(marker)
    if start < 0:
        raise QueryError("The $skiptoken is not a paging cookie this environment issued")
    end = text.find("}", start + len(marker))
    return text[start + len(marker) : end].lower()
