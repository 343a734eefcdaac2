"""The data model: the normalized inventory adapters fill, what each platform can provide
(capabilities), how checks read fields from it, and saved snapshots of it."""
