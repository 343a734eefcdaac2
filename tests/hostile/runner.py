"""Run the ``crmscan`` command line on one hostile input, bounded in time and memory.

Two modes, same outcome:

* ``fork`` (the tests): a fork server imports crmscan once; each run is a forked
  child that calls the click command with the case's arguments, working directory and
  environment. Fast (no interpreter start per case) and isolated (a fresh process:
  registered secrets, caches and memory do not leak between cases).
* ``exec`` (``run_corpus.py --exec``): the real console entry point,
  ``python -m scanner``, one process per case: what a user runs.

Either way the child gets an address-space limit (`MEMORY_LIMIT`), and a run still
going after its time bound is killed and reported as a hang.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Address space a run may use (crmscan needs about 300 MB; a YAML bomb wants gigabytes).
MEMORY_LIMIT = 2 * 1024**3


@dataclass(frozen=True)
class Outcome:
    """What one run of the command line did."""

    exit_code: int | None  # None: killed after its time bound (a hang)
    stdout: str
    stderr: str
    seconds: float

    @property
    def hung(self) -> bool:
        """True when the run was killed after its time bound."""
        return self.exit_code is None

    @property
    def output(self) -> str:
        """Standard output and standard error together."""
        return self.stdout + self.stderr

    @property
    def traceback(self) -> bool:
        """True when a Python traceback reached the user."""
        return "Traceback (most recent call last)" in self.output

    @property
    def internal_error(self) -> bool:
        """True when crmscan reported an internal error (a bug, with no location)."""
        return "internal error" in self.stderr


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _child(
    argv: list[str], cwd: str, env: dict[str, str], out_path: str, err_path: str
) -> None:  # pragma: no cover - runs in the forked child
    _limit_memory()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out_path), (2, err_path)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    code = 1
    try:
        from scanner.cli import cli

        cli.main(args=argv, prog_name="crmscan", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()  # as the interpreter would print it
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    # The exit status also goes to a file: the fork server's status pipe can lose it.
    Path(out_path).with_name("code").write_text(str(code), encoding="ascii")
    os._exit(code)


_context: multiprocessing.context.ForkServerContext | None = None


def _fork_server() -> multiprocessing.context.ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["scanner.cli", "adapters", "tests.hostile.runner"])
        _context = context
    return _context


def _child_environment(env: Mapping[str, str]) -> dict[str, str]:
    base = {
        k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
    }
    return {**base, "NO_COLOR": "1", "COLUMNS": "100", **env}


def run_cli(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    mode: str = "fork",
    code_root: Path | None = None,
) -> Outcome:
    """Run ``crmscan ARGV`` in ``cwd``; kill it after ``timeout`` seconds.

    ``code_root`` (``exec`` mode): import crmscan from that source tree instead (to run
    the corpus against another checkout, e.g. main).
    """
    environment = _child_environment(env or {})
    started = time.monotonic()
    if mode == "exec":
        return _run_exec(list(argv), cwd, environment, timeout, started, code_root)
    with tempfile.TemporaryDirectory(prefix="crmscan-run-") as scratch:
        out_path, err_path = os.path.join(scratch, "out"), os.path.join(scratch, "err")
        process = _fork_server().Process(
            target=_child, args=(list(argv), str(cwd), environment, out_path, err_path)
        )
        process.start()
        process.join(timeout)
        code: int | None = process.exitcode
        if process.is_alive():
            process.kill()
            process.join()
            code = None
        process.close()
        seconds = time.monotonic() - started
        recorded = Path(scratch, "code")
        if code is not None and recorded.exists():
            code = int(recorded.read_text(encoding="ascii"))

        def read(path: str) -> str:
            try:
                return Path(path).read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                return ""

        return Outcome(code, read(out_path), read(err_path), seconds)


def _run_exec(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    started: float,
    code_root: Path | None,
) -> Outcome:
    paths = [str(code_root)] if code_root else [p for p in sys.path if p]
    env = {**env, "PYTHONPATH": os.pathsep.join(paths)}
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "scanner", *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("utf-8", "replace") if exc.stdout else ""
        err = exc.stderr.decode("utf-8", "replace") if exc.stderr else ""
        return Outcome(None, out, err, time.monotonic() - started)
    return Outcome(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
        time.monotonic() - started,
    )
