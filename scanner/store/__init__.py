"""Where results are kept between scans, so a scheduled scan knows what changed.

`open_store` opens the posture store (SQLite file or PostgreSQL; docs/store.md);
`scanner.store.history` keeps the older folder of JSON results (``--history DIR``).
"""

from scanner.store.location import default_location
from scanner.store.models import DeltaFinding, ScanDelta, StoredFinding, StoredScan
from scanner.store.posture import PostureStore, open_store

__all__ = [
    "DeltaFinding",
    "PostureStore",
    "ScanDelta",
    "StoredFinding",
    "StoredScan",
    "default_location",
    "open_store",
]
