"""The Salesforce adapter. Importing this package registers it as ``salesforce``."""

from adapters.salesforce.adapter import SalesforceAdapter

__all__ = ["SalesforceAdapter"]
