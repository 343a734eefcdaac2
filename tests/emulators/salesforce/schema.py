"""What Salesforce documents about the objects the emulator serves, written from the docs.

Nothing here is taken from the adapter: each entry restates the Object Reference (field
properties Filter / Group / Nillable, special access rules, restricted picklists) or the
REST API Developer Guide (limits). docs/api/salesforce.md cites the page of each fact.

``FIELD_RULES[object][field]`` is a string of property letters: ``F`` filterable, ``G``
groupable, ``N`` nillable. Fields an object lists without an entry here follow the
platform's general rule (every type filterable and groupable except datetime and
textarea, which filter but do not group; nillable).
"""

from __future__ import annotations

#: "the maximum length for the combined URI and headers is 16,384 bytes": 414 when the
#: URI alone exceeds it, 431 when URI and headers together do.
URI_LIMIT = 16_384
#: Query pages hold up to 2,000 records (the default and maximum batch size).
PAGE_SIZE = 2000
#: OauthToken: "A query() call returns up to 500 rows. A queryMore() call returns 500
#: more, up to 2500 total. No more records are returned after 2500."
OAUTH_TOKEN_PAGE, OAUTH_TOKEN_CAP = 500, 2500

FIELD_RULES: dict[str, dict[str, str]] = {
    # Object Reference: LoginHistory. "You can only filter on the following fields:
    # AuthenticationServiceId, CipherSuite, CountryIso, Id, LoginTime, LoginType, LoginUrl,
    # NetworkId, OptionsIsGet, OptionsIsPost, TlsProtocol, UserId."
    "LoginHistory": {
        "Id": "FG",
        "UserId": "FGN",
        "LoginTime": "F",
        "LoginType": "FG",
        "Status": "GN",
        "SourceIp": "GN",
        "Application": "GN",
        "AuthMethodReference": "GN",
        "AuthenticationServiceId": "FGN",
        "LoginUrl": "FGN",
        "CipherSuite": "FGN",
        "CountryIso": "FGN",
        "TlsProtocol": "FGN",
        "NetworkId": "FGN",
        "ApiType": "GN",
        "Browser": "GN",
        "Platform": "GN",
    },
    # Object Reference: VerificationHistory.
    "VerificationHistory": {
        "Id": "FG",
        "Activity": "FG",
        "EventGroup": "FG",
        "LoginHistoryId": "FG",
        "Policy": "FG",
        "SourceIp": "FG",
        "Status": "FG",
        "UserId": "FG",
        "VerificationMethod": "FGN",
        "VerificationTime": "F",
        "Remarks": "FGN",
        "ResourceId": "FGN",
    },
    # Object Reference / Field Reference: OauthToken ("Id ... Reserved for future use.
    # Currently, the value is always null").
    "OauthToken": {
        "Id": "FG",
        "AccessToken": "FGN",
        "AppMenuItemId": "FGN",
        "AppName": "FGN",
        "DeleteToken": "FGN",
        "LastUsedDate": "FN",
        "RequestToken": "FGN",
        "UseCount": "FGN",
        "UserId": "FGN",
        "CreatedDate": "F",
    },
    # Object Reference: UserLogin.
    "UserLogin": {"Id": "FG", "IsFrozen": "FG", "IsPasswordLocked": "FG", "UserId": "FGN"},
    # Object Reference: SetupAuditTrail (Display and Section are neither filterable nor
    # groupable; aggregate queries are not supported on this object).
    "SetupAuditTrail": {
        "Id": "F",
        "Action": "F",
        "CreatedByContext": "FGN",
        "CreatedByIssuer": "FGN",
        "DelegateUser": "FN",
        "Display": "N",
        "Section": "N",
        "CreatedDate": "F",
        "CreatedById": "FGN",
    },
}

#: Objects on which aggregate functions are refused.
NO_AGGREGATES = frozenset({"SetupAuditTrail"})

#: Tooling API "SOQL Operation Limitations": these objects "don't support SOQL operations
#: COUNT(), GROUP BY, LIMIT, LIMIT OFFSET, OR, NOT, and INCLUDES" (NOT / != answers "Only
#: equals comparisons permitted").
METADATA_CATALOG = frozenset({"EntityDefinition", "FieldDefinition", "EntityParticle"})

#: Special access rules: the permission the scanning user needs, and what it sees without.
#: ``own`` = only the user's own records (UserId = the scanning user); ``refused`` = the
#: query fails with INSUFFICIENT_ACCESS.
ACCESS_RULES: dict[str, tuple[frozenset[str], str]] = {
    # "Users with the Customize Application permission see all tokens for all users in the
    # org. Otherwise, you see only your own tokens."
    "OauthToken": (frozenset({"CustomizeApplication"}), "own"),
    # "only users with Manage Users or Monitor Login History permissions can access this
    # object ... all users can retrieve their own login history records."
    "LoginHistory": (frozenset({"ManageUsers", "MonitorLoginHistory"}), "own"),
    # "Only users with Manage Users permission can access this object."
    "VerificationHistory": (frozenset({"ManageUsers"}), "refused"),
    # "To access this object, you need the UserPermissions.ManageUsers permission."
    "UserLogin": (frozenset({"ManageUsers"}), "refused"),
    # "only users with the View Setup and Configuration permission or both the Customize
    # Application and Modify All Data permissions can access this object."
    "SamlSsoConfig": (frozenset({"ViewSetup"}), "refused"),
    # "Only users with Customize Application and Manage AuthProviders permissions".
    "AuthProvider": (frozenset({"ManageAuthProviders"}), "refused"),
    # "You need the Manage Multi-Factor Authentication in API permission".
    "TwoFactorMethodsInfo": (frozenset({"ManageTwoFactor"}), "refused"),
    # DuplicateRule / MatchingRule: "As of Summer '20 and later, only users with the View
    # Setup and Configuration permission can access this object."
    "DuplicateRule": (frozenset({"ViewSetup"}), "refused"),
    "MatchingRule": (frozenset({"ViewSetup"}), "refused"),
}

#: Restricted picklists, as the Object Reference lists their values.
PICKLISTS: dict[tuple[str, str], list[str]] = {
    # MatchingRule.RuleStatus: "The activation status of the matching rule".
    ("MatchingRule", "RuleStatus"): [
        "Inactive",
        "Deactivating",
        "DeactivationFailed",
        "Active",
        "Activating",
        "ActivationFailed",
    ],
    ("VerificationHistory", "Activity"): [
        "AccessReports",
        "Apex",
        "ChangeEmail",
        "ConnectSms",
        "ConnectToopher",
        "ConnectTotp",
        "ConnectU2F",
        "ConnectWebAuth",
        "ConnectedApp",
        "EnableLL",
        "ExportPrintReports",
        "ExternalClientApp",
        "ExtraVerification",
        "ListView",
        "Login",
        "Registration",
        "TempCode",
    ],
    ("VerificationHistory", "Status"): [
        "AutomatedSuccess",
        "Denied",
        "FailedGeneralError",
        "FailedInvalidCode",
        "FailedInvalidPassword",
        "FailedPasswordLockout",
        "FailedTooManyAttempts",
        "Initiated",
        "InProgress",
        "RecoverableError",
        "ReportedDenied",
        "Succeeded",
    ],
    ("VerificationHistory", "VerificationMethod"): [
        "BuiltInAuthenticator",
        "Email",
        "EnableLL",
        "LL",
        "SalesforceAuthenticator",
        "Sms",
        "TempCode",
        "Totp",
        "U2F",
    ],
    # The API values of LoginHistory.LoginType (the Object Reference lists value–label).
    ("LoginHistory", "LoginType"): [
        "AppExchange",
        "Application",
        "Certificate",
        "ChatterCommunityPortalUnPwd",
        "ChatterCommunityThirdPartySso",
        "CrossTenantLogin",
        "EmployeeLoginToCommunity",
        "HelpAndTraining",
        "IeOfflineClient",
        "LightningLogin",
        "NetworksPortalApiOnly",
        "Oauth",
        "Oauth2",
        "OtherApi",
        "Partner",
        "PasswordlessLogin",
        "Portal",
        "PortalThirdPartySso",
        "PrmPortalThirdPartySso",
        "PrmPortal",
        "Saml",
        "SamlChatterNetworks",
        "SamlCspPortal",
        "SamlPrmPortal",
        "SamlSite",
        "Saml2",
        "SelfService",
        "ThirdPartySso",
    ],
}

#: A real org describes several hundred ``Permissions*`` fields on PermissionSet (the
#: Field Reference lists ~600 for API 67.0). The emulator pads a fixture's own list to
#: this many with generated names, so that field-list lengths are realistic.
PERMISSION_FIELD_COUNT = 560

_NOT_GROUPABLE_TYPES = frozenset({"datetime", "textarea"})


def properties(obj: str, name: str, kind: str) -> str:
    """The property letters of ``obj.name`` of type ``kind``."""
    rules = FIELD_RULES.get(obj)
    if rules is not None and name in rules:
        return rules[name]
    return "FN" if kind in _NOT_GROUPABLE_TYPES else "FGN"
