"""Connected apps, OAuth tokens, named credentials and remote site settings."""

from __future__ import annotations

from adapters.salesforce.client import SfClient
from adapters.salesforce.collect_users import parse_datetime
from scanner.errors import MalformedResponseError
from scanner.model.inventory import Integration


def fetch_connected_apps(client: SfClient) -> list[Integration]:
    """ConnectedApplication records with their access and refresh-token policies."""
    rows = client.query(
        "ConnectedApplication",
        ["Id", "Name"],
        required=("Id", "Name"),
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


#: "A query() call returns up to 500 rows. A queryMore() call returns 500 more, up to 2500
#: total. No more records are returned after 2500" (OauthToken, API 34.0+).
OAUTH_TOKEN_CAP = 2500
_TOKEN_FIELDS = ["AppName", "AppMenuItemId", "UserId", "CreatedDate", "LastUsedDate", "UseCount"]


class OauthTokens(list[Integration]):
    """The tokens read, and whether the scanning identity can see every user's."""

    all_users: bool | None = None


def fetch_oauth_tokens(client: SfClient, can_see_all: bool | None) -> OauthTokens:
    """OAuth tokens users have granted to apps, with last use (``user`` is the user id).

    ``OauthToken.Id`` is documented as reserved and always null, so a token is keyed by
    what exists: the app (AppMenuItemId, else AppName), the user and the creation time.
    Without Customize Application the org returns only the scanning user's own tokens:
    ``can_see_all`` (from UserPermissionAccess) says which it was. Past 2,500 rows the
    org stops returning more; the rest are read in LIMIT 2500 OFFSET n batches, as documented.
    """
    rows = client.query("OauthToken", _TOKEN_FIELDS, required=())
    if len(rows) >= OAUTH_TOKEN_CAP:
        offset = OAUTH_TOKEN_CAP
        while True:
            more = client.query(
                "OauthToken",
                _TOKEN_FIELDS,
                required=(),
                suffix=f"LIMIT {OAUTH_TOKEN_CAP} OFFSET {offset}",
            )
            rows.extend(more)
            if len(more) < OAUTH_TOKEN_CAP:
                break
            offset += OAUTH_TOKEN_CAP
    out = OauthTokens()
    out.all_users = can_see_all
    for row in rows:
        app = row.get("AppName") or row.get("AppMenuItemId")
        created = row.get("CreatedDate")
        if not app or not row.get("UserId") or not created:
            raise MalformedResponseError(
                "OauthToken record without AppName/AppMenuItemId, UserId or CreatedDate"
            )
        out.append(
            Integration(
                id=f"{row.get('AppMenuItemId') or app}/{row['UserId']}/{created}",
                name=row.get("AppName") or str(app),
                kind="oauth_token",
                app=row.get("AppName") or str(app),
                user=row.get("UserId"),
                created_at=parse_datetime(created),
                last_used_at=parse_datetime(row.get("LastUsedDate")),
                use_count=row.get("UseCount"),
            )
        )
    return out


def fetch_named_credentials(client: SfClient) -> list[Integration]:
    """Named credentials and their endpoints."""
    rows = client.query(
        "NamedCredential",
        ["Id", "DeveloperName"],
        optional=("Endpoint", "CreatedDate"),
        required=("Id", "DeveloperName"),
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
        required=("Id", "SiteName"),
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
