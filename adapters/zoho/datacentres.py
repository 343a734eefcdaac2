"""Zoho's data centres: where each region's accounts server (the OAuth token endpoint) is.

A Zoho CRM org lives in one data centre; its refresh token is only honoured by that
region's accounts server. The API domain is not looked up here: Zoho returns it in the
token response (``api_domain``) and the adapter uses that, as Zoho's own SDKs do.
Sources (docs/api/zoho.md): Zoho Accounts "Multi DC support" and the v8 SDK's
data-centre classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.errors import ConfigError


@dataclass(frozen=True)
class DataCentre:
    """One region: the ``--data-centre`` name, its label, and its accounts server."""

    name: str
    label: str
    accounts_url: str

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint of this region."""
        return f"{self.accounts_url}/oauth/v2/token"


DATA_CENTRES: dict[str, DataCentre] = {
    dc.name: dc
    for dc in (
        DataCentre("us", "United States (.com)", "https://accounts.zoho.com"),
        DataCentre("eu", "Europe (.eu)", "https://accounts.zoho.eu"),
        DataCentre("in", "India (.in)", "https://accounts.zoho.in"),
        DataCentre("au", "Australia (.com.au)", "https://accounts.zoho.com.au"),
        DataCentre("jp", "Japan (.jp)", "https://accounts.zoho.jp"),
        DataCentre("cn", "China (.com.cn)", "https://accounts.zoho.com.cn"),
        DataCentre("ca", "Canada (.ca)", "https://accounts.zohocloud.ca"),
        DataCentre("sa", "Saudi Arabia (.sa)", "https://accounts.zoho.sa"),
        DataCentre("uk", "United Kingdom (.uk)", "https://accounts.zoho.uk"),
    )
}
#: The region used when ``--data-centre`` is not given (Zoho's own default).
DEFAULT_DATA_CENTRE = "us"
#: Other spellings people use for a region: the domain suffix, or "com".
ALIASES: dict[str, str] = {
    "com": "us",
    ".com": "us",
    ".eu": "eu",
    ".in": "in",
    "com.au": "au",
    ".com.au": "au",
    ".jp": "jp",
    "com.cn": "cn",
    ".com.cn": "cn",
    ".ca": "ca",
    ".sa": "sa",
    ".uk": "uk",
    "gb": "uk",
}


def data_centre(name: str | None) -> DataCentre:
    """The data centre ``name`` (``eu``, ``.com.au``, ``com``...); default: US."""
    key = (name or DEFAULT_DATA_CENTRE).strip().lower()
    key = ALIASES.get(key, key)
    found = DATA_CENTRES.get(key)
    if found is None:
        known = ", ".join(DATA_CENTRES)
        raise ConfigError(f"unknown Zoho data centre {name!r}; known: {known}")
    return found
