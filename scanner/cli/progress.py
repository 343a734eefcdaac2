"""Collection progress on stderr while an adapter works (only on a terminal)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class RichProgress:
    """A `ProgressReporter` that shows one spinner line per collection."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def started(self, collection: str) -> None:
        """Show a spinner for ``collection``."""
        self._tasks[collection] = self._progress.add_task(f"collecting {collection}", total=1)

    def finished(self, collection: str, ok: bool) -> None:
        """Mark ``collection`` done."""
        task = self._tasks.get(collection)
        if task is not None:
            mark = "done" if ok else "incomplete"
            self._progress.update(task, completed=1, description=f"{collection}: {mark}")
