"""What HubSpot provides for the DATA checks, declared before anything is collected.

HubSpot's APIs show none of the DATA settings to a private-app token: validation rules,
duplicate management, property history retention, the privacy & consent settings (legal
basis) and exports have no read API, and its CRM search API returns records, which
crmscan does not read (DATA-007 would need only a count). Each is ``no_api`` with what a
person must review and where; the adapter records the same text as a ``no_api`` gap, so
the checks report one MANUAL that a policy attestation can decide. The subscription
types (``GET /communication-preferences/v3/definitions``) are readable but not collected
yet: consent stays an attestation (see docs/api/hubspot.md when that lands).
"""

from __future__ import annotations

from scanner.model.capabilities import Capabilities, Capability, Support

#: collection -> what to review, and where in HubSpot.
DATA_REVIEW: dict[str, str] = {
    "data.quality": (
        "HubSpot has no API for property validation rules or duplicate management: review "
        "Settings > Properties (each key property's rules) and Contacts > Actions > Manage "
        "duplicates, then attest DATA-001 and DATA-002"
    ),
    "data.field_history": (
        "HubSpot keeps every property's value history and has no per-property switch or API "
        "for it: confirm the sensitive properties are HubSpot properties (View property "
        "history on a record) and attest DATA-003"
    ),
    "data.history_retention": (
        "HubSpot has no API for how long property history is kept: review the account's "
        "data retention in Settings > Privacy & Consent and attest DATA-004"
    ),
    "data.consent": (
        "crmscan does not read HubSpot's consent settings: review Settings > Privacy & "
        "Consent (data privacy settings, lawful basis for processing) and Settings > "
        "Marketing > Email > Subscription Types, then attest DATA-005"
    ),
    "data.backup": (
        "HubSpot has no API for exports or backups: review Settings > Data Management > "
        "Import & Export (export history) or your backup integration, and attest DATA-006 "
        "with the date of the last completed backup and its evidence"
    ),
    "data.retention": (
        "crmscan counts old records without reading them, and HubSpot's search API only "
        "returns records: review Contacts filtered on 'Last activity date' before the "
        "retention period and attest DATA-007"
    ),
}

HUBSPOT_DATA_CAPABILITIES = [
    Capability(collection=collection, support=Support.NO_API, review=review)
    for collection, review in DATA_REVIEW.items()
]

HUBSPOT_CAPABILITIES = Capabilities(HUBSPOT_DATA_CAPABILITIES)
