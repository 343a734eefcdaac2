"""A wire-faithful Salesforce org emulator for tests and benchmarks."""

from tests.emulators.salesforce.org import Org
from tests.emulators.salesforce.server import Credentials, Fault, LoggedRequest, SalesforceEmulator

__all__ = ["Credentials", "Fault", "LoggedRequest", "Org", "SalesforceEmulator"]
