"""A wire-faithful Zoho CRM emulator (accounts server + v8 API) for the adapter's tests."""

from tests.emulators.zoho.org import ZohoOrg
from tests.emulators.zoho.server import Credentials, ZohoEmulator, zoho_error

__all__ = ["Credentials", "ZohoEmulator", "ZohoOrg", "zoho_error"]
