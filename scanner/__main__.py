"""`python -m scanner` runs the crmscan CLI."""

import sys
from pathlib import Path


def _drop_working_directory() -> None:
    """Keep a local ``checks/`` or ``policies/`` folder from shadowing the installed packages.

    ``python -m`` puts the working directory first on ``sys.path``; crmscan's data
    packages (``checks``, ``policies``) have common names, so a user's own ``checks/``
    folder would be imported instead. The working directory stays only when it is where
    this ``scanner`` package itself lives (a source checkout).
    """
    home = Path(__file__).resolve().parent.parent
    cwd = Path.cwd().resolve()

    def shadowing(entry: str) -> bool:
        resolved = Path(entry or ".").resolve()
        return resolved == cwd and resolved != home

    sys.path[:] = [entry for entry in sys.path if not shadowing(entry)]


_drop_working_directory()

from scanner.cli import main  # noqa: E402  (after the path is fixed)

main()
