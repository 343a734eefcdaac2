"""The Dataverse Web API and Microsoft Graph, read through the shared HTTP layer.

Both are `adapters.http.HttpClient`s sharing one `RetryCore` (request counts, retries,
the scan deadline): every request is a GET, pages follow ``@odata.nextLink`` as given,
and each answer is judged by the table in `adapters.dynamics.decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from adapters.dynamics import decide
from adapters.dynamics.queries import DATAVERSE_HEADERS, WHO_AM_I, GraphRead, Query
from adapters.http import HttpClient, RetryCore, Timeouts, TokenProvider, as_dict

T = TypeVar("T")


class DataverseApi:
    """One environment's Web API."""

    def __init__(
        self,
        environment_url: str,
        token: TokenProvider,
        core: RetryCore,
        transport: httpx.BaseTransport | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.environment_url = environment_url
        self.http = HttpClient(
            environment_url,
            decide=decide.dataverse(environment_url, "read privileges"),
            core=core,
            token=token,
            headers=DATAVERSE_HEADERS,
            timeouts=timeouts,
            transport=transport,
            option="--environment-url",
        )

    def who_am_i(self) -> dict[str, Any]:
        """``WhoAmI``: the application user, its business unit and the organization."""
        what = "WhoAmI"
        table = decide.dataverse(self.environment_url, "access to the environment")
        return as_dict(self.http.get_json(WHO_AM_I, what=what, decide=table), what)

    def rows(self, query: Query, parse: Callable[[Any], T]) -> list[T]:
        """Every row of ``query``, page by page, each parsed with ``parse``."""
        table = decide.dataverse(self.environment_url, query.needs)
        out: list[T] = []
        pages = self.http.link_pages(
            query.path, query.params, what=query.what, collection=query.entity_set, decide=table
        )
        for page in pages:
            out.extend(parse(item) for item in page)
        return out

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


class GraphApi:
    """Microsoft Graph for the tenant."""

    def __init__(
        self,
        graph_url: str,
        token: TokenProvider,
        core: RetryCore,
        transport: httpx.BaseTransport | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.http = HttpClient(
            graph_url,
            decide=decide.graph("the documented permission"),
            core=core,
            token=token,
            timeouts=timeouts,
            transport=transport,
            option="--graph-url",
        )

    def rows(self, read: GraphRead, parse: Callable[[Any], T]) -> list[T]:
        """Every record of a paged Graph collection."""
        table = decide.graph(read.permission, read.licence)
        out: list[T] = []
        pages = self.http.link_pages(
            read.path, dict(read.params) or None, what=read.what, collection=read.path, decide=table
        )
        for page in pages:
            out.extend(parse(item) for item in page)
        return out

    def one(self, read: GraphRead) -> dict[str, Any]:
        """A single Graph object."""
        table = decide.graph(read.permission, read.licence)
        body = self.http.get_json(
            read.path, dict(read.params) or None, what=read.what, decide=table
        )
        return as_dict(body, read.what)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()
