"""``python -m scanner`` uses the installed packages, whatever folder it runs in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_local_checks_folder_does_not_shadow_the_installed_package(tmp_path: Path) -> None:
    local = tmp_path / "checks"
    local.mkdir()
    (local / "__init__.py").write_text("raise RuntimeError('the local checks/ was imported')\n")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "__init__.py").write_text("raise RuntimeError('local policies/')\n")

    done = subprocess.run(
        [sys.executable, "-m", "scanner", "checks", "list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "AUTH-001" in done.stdout
    assert "local" not in done.stderr
