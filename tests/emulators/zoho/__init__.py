"""A wire-faithful Zoho CRM emulator (accounts server + v8 API) for the adapter's tests."""

from tests.emulators.zoho.api import zoho_error
from tests.emulators.zoho.org import ZohoOrg
from tests.emulators.zoho.server import Credentials, ZohoEmulator

__all__ = ["Credentials", "ZohoEmulator", "ZohoOrg", "zoho_error"]
