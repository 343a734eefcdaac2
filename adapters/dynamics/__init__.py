"""Microsoft Dynamics 365 adapter: Dataverse users, security roles and privileges, MFA from Entra."""
