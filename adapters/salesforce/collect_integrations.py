"""Connected apps, OAuth tokens, named credentials and remote site settings."""

from __future__ import annotations

from adapters.salesforce.client import SfClient
from adapters.salesforce.collect_users import parse_datetime
from scanner.model.inventory import Integration


def fetch_connected_apps(client: SfClient) -> list[Integration]:
    """ConnectedApplication records with their access and refresh-token policies."""
    rows = client.query(
        "ConnectedApplication",
        ["Id", "Name"],
        optional=(
            "CreatedDate",
            "OptionsAllowAdminApprovedUsersOnly",
            "RefreshTokenValidityPeriod",
            "OptionsRefreshTokenValidityMetric",
        ),
    )
    out = []
    for row in rows:
        period = row.get("RefreshTokenValidityPeriod")
        if "RefreshTokenValidityPeriod" not in row:
            policy = None
        elif period in (None, ""):
            policy = "infinite"
        else:
            policy = "zero" if int(period) == 0 else "expire_after"
        out.append(
            Integration(
                id=row["Id"],
                name=row["Name"],
                kind="connected_app",
                admin_approved_only=row.get("OptionsAllowAdminApprovedUsersOnly"),
                refresh_token_policy=policy,
                created_at=parse_datetime(row.get("CreatedDate")),
            )
        )
    return out


def fetch_oauth_tokens(client: SfClient) -> list[Integration]:
    """OAuth tokens users have granted to apps, with last use (``user`` is the user id)."""
    rows = client.query(
        "OauthToken",
        ["Id", "AppName", "UserId"],
        optional=("CreatedDate", "LastUsedDate", "UseCount"),
    )
    return [
        Integration(
            id=row["Id"],
            name=row.get("AppName") or row["Id"],
            kind="oauth_token",
            app=row.get("AppName"),
            user=row.get("UserId"),
            created_at=parse_datetime(row.get("CreatedDate")),
            last_used_at=parse_datetime(row.get("LastUsedDate")),
            use_count=row.get("UseCount"),
        )
        for row in rows
    ]


def fetch_named_credentials(client: SfClient) -> list[Integration]:
    """Named credentials and their endpoints."""
    rows = client.query(
        "NamedCredential", ["Id", "DeveloperName"], optional=("Endpoint", "CreatedDate")
    )
    return [
        Integration(
            id=row["Id"],
            name=row["DeveloperName"],
            kind="named_credential",
            endpoint=row.get("Endpoint"),
            created_at=parse_datetime(row.get("CreatedDate")),
        )
        for row in rows
    ]


def fetch_remote_sites(client: SfClient) -> list[Integration]:
    """Remote site settings (Tooling API RemoteProxy)."""
    rows = client.query(
        "RemoteProxy",
        ["Id", "SiteName", "EndpointUrl"],
        tooling=True,
        optional=("IsActive", "CreatedDate"),
    )
    return [
        Integration(
            id=row["Id"],
            name=row["SiteName"],
            kind="remote_site",
            endpoint=row.get("EndpointUrl"),
            active=row.get("IsActive"),
            created_at=parse_datetime(row.get("CreatedDate")),
        )
        for row in rows
    ]
