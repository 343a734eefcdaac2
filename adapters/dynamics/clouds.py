"""Microsoft clouds: where a tenant signs in and where its Microsoft Graph answers.

Dynamics 365 runs in the commercial cloud, in US Government clouds (GCC, GCC High, DoD)
and in China (operated by 21Vianet). Each has its own Microsoft Entra ID authority host
and Graph root; GCC tenants sign in and use Graph in the commercial cloud. Sources
(docs/api/dynamics.md): "Microsoft Graph national cloud deployments"
(https://learn.microsoft.com/en-us/graph/deployments) and the Dataverse Global
Discovery cloud list (environment host suffixes per cloud).
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.errors import ConfigError


@dataclass(frozen=True)
class Cloud:
    """One Microsoft cloud's hosts."""

    name: str
    authority_host: str  #: Microsoft Entra ID, e.g. https://login.microsoftonline.com
    graph_url: str  #: Microsoft Graph service root (no version)
    environment_suffixes: tuple[str, ...]  #: host suffixes of Dataverse environments
    description: str

    @property
    def graph_scope(self) -> str:
        """The client-credentials scope for Graph: the cloud's Graph root + ``/.default``.

        Microsoft: a scope containing the Graph domain must use the national cloud's
        Graph domain (https://learn.microsoft.com/en-us/graph/sdks/national-clouds).
        """
        return f"{self.graph_url}/.default"


CLOUDS: dict[str, Cloud] = {
    cloud.name: cloud
    for cloud in (
        Cloud(
            "public",
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
            (".dynamics.com",),
            "commercial cloud (default)",
        ),
        Cloud(
            "gcc",
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
            (".crm9.dynamics.com",),
            "US Government Community Cloud (GCC): commercial Entra ID and Graph",
        ),
        Cloud(
            "gcc-high",
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us",
            (".crm.microsoftdynamics.us",),
            "US Government GCC High",
        ),
        Cloud(
            "dod",
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us",
            (".crm.appsplatform.us",),
            "US Government DoD",
        ),
        Cloud(
            "china",
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn",
            (".crm.dynamics.cn",),
            "China, operated by 21Vianet",
        ),
    )
}

DEFAULT_CLOUD = "public"


def cloud_named(name: str | None) -> Cloud:
    """The cloud called ``name`` (default: public); `ConfigError` naming the choices."""
    key = (name or DEFAULT_CLOUD).strip().lower()
    cloud = CLOUDS.get(key)
    if cloud is None:
        raise ConfigError(
            f"--cloud {name!r} is not a Microsoft cloud crmscan knows; choose one of "
            + ", ".join(CLOUDS)
        )
    return cloud


def cloud_for_host(host: str) -> Cloud | None:
    """The cloud whose Dataverse host suffix ``host`` carries (longest suffix wins)."""
    lowered = host.lower()
    best: tuple[int, Cloud] | None = None
    for cloud in CLOUDS.values():
        for suffix in cloud.environment_suffixes:
            if lowered.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), cloud)
    return best[1] if best else None
