"""Zoho CRM: users, roles, profiles and settings through the v8 REST API (read only)."""

from adapters.zoho.adapter import ZohoAdapter

__all__ = ["ZohoAdapter"]
