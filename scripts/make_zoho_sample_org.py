"""Write the Zoho demo's fictional org, "Northwind Traders", to adapters/zoho/demo/.

The org is built by `tests.emulators.zoho.sample` (its planted problems are listed
there) at a fixed anchor time; ``scripts/record_zoho_demo.py`` then records the
adapter's scan of it. Run both after changing the sample::

    python scripts/make_zoho_sample_org.py && python scripts/record_zoho_demo.py
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulators.zoho.sample import build  # noqa: E402

SAMPLE_ORG = ROOT / "adapters/zoho/demo/sample_org.json"
ANCHOR = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def main() -> None:
    """Build the sample org at `ANCHOR` and write it."""
    SAMPLE_ORG.write_text(json.dumps(build(ANCHOR), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SAMPLE_ORG}")


if __name__ == "__main__":
    main()
