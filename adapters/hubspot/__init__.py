"""HubSpot adapter: users, roles, teams, account details and activity, read-only.

Importing this package registers ``hubspot`` in `scanner.adapter_api.ADAPTERS`.
"""

from __future__ import annotations

from adapters.hubspot.adapter import HubSpotAdapter

__all__ = ["HubSpotAdapter"]
