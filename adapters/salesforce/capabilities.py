"""What Salesforce provides, per collection, for the checks that need it.

Everything not declared here is collected (``provided``). The DATA collections need the
scanning user's View Setup and Configuration (Tooling EntityDefinition, ValidationRule,
FieldDefinition; DuplicateRule and MatchingRule since Summer '20) and, for the Field Audit
Trail retention policy, the Metadata API (Modify Metadata or Customize Application).
Salesforce has no API for the weekly data export or Salesforce Backup: ``data.backup`` is
``no_api`` and DATA-006 is decided by an attestation. Sources: docs/api/salesforce.md.
"""

from __future__ import annotations

from adapters.salesforce.collect_data import BACKUP_REVIEW
from scanner.model.capabilities import Capabilities, Capability, Support

VIEW_SETUP = "the View Setup and Configuration permission"

SALESFORCE_CAPABILITIES = Capabilities(
    [
        Capability(
            collection="data.quality", support=Support.NEEDS_PERMISSION, requirement=VIEW_SETUP
        ),
        Capability(
            collection="data.field_history",
            support=Support.NEEDS_PERMISSION,
            requirement=VIEW_SETUP,
        ),
        Capability(
            collection="data.history_retention",
            support=Support.NEEDS_PERMISSION,
            requirement="Metadata API access (Modify Metadata or Customize Application)",
        ),
        Capability(
            collection="data.consent",
            support=Support.NEEDS_EDITION,
            requirement="Data Protection and Privacy enabled (Setup > Data Protection "
            "and Privacy); without it the consent model is reported as off",
        ),
        Capability(collection="data.backup", support=Support.NO_API, review=BACKUP_REVIEW),
        Capability(
            collection="data.retention",
            support=Support.NEEDS_PERMISSION,
            requirement="read access to the personal-data objects (records are counted only)",
        ),
    ]
)
