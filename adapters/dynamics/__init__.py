"""Microsoft Dynamics 365 adapter: Dataverse users, roles and privileges; MFA from Entra ID.

Importing this package registers ``dynamics`` in `scanner.adapter_api.ADAPTERS`.
"""

from __future__ import annotations

from adapters.dynamics.adapter import DynamicsAdapter

__all__ = ["DynamicsAdapter"]
