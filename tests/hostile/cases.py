"""The hostile corpus: every input, the command that reads it, and what it must produce.

Each `Case` runs one ``crmscan`` command on one input and states the exit code, a
regular expression the output must contain (the location: file and line, often the
field), and a time bound. ``setup`` prepares the working folder (links planted in an
output folder, an evidence bundle); ``check`` looks at what the run left behind and
returns problems, among them *false PASS* (a verdict the input must not produce).

Paths in ``argv``: ``{corpus}`` is ``tests/hostile/corpus``, ``{gen}`` the folder of
generated inputs (`tests.hostile.generate`), ``{work}`` the case's own working folder.

    python -m tests.hostile.cases --readme      prints the table of tests/hostile/README.md
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.hostile.runner import Outcome

CORPUS = Path(__file__).parent / "corpus"
VICTIM = "victim.txt"
VICTIM_TEXT = "must stay as it is\n"
FALSE_PASS = "false PASS"

Setup = Callable[[Path, Path], None]  # (work, gen)
Check = Callable[[Path, Outcome], list[str]]  # (work, outcome) -> problems


@dataclass(frozen=True)
class Case:
    """One hostile input through one command."""

    id: str
    item: str  # the issue-10 item it covers
    what: str  # the input, in words
    argv: tuple[str, ...]
    exit: int | tuple[int, ...]
    where: str | None  # regex the output must contain (the location)
    must: str  # what it must produce, in words
    seconds: float = 20.0
    setup: Setup | None = None
    check: Check | None = None
    env: dict[str, str] = field(default_factory=dict)

    def arguments(self, work: Path, gen: Path) -> list[str]:
        """``argv`` with the folders filled in."""
        return [a.format(corpus=CORPUS, gen=gen, work=work) for a in self.argv]

    def exits(self) -> tuple[int, ...]:
        """The acceptable exit codes."""
        return self.exit if isinstance(self.exit, tuple) else (self.exit,)


def problems(case: Case, work: Path, outcome: Outcome) -> list[str]:
    """Everything wrong with ``outcome`` for ``case`` (empty: the case holds)."""
    found: list[str] = []
    if outcome.hung:
        return [f"hung: killed after {case.seconds:g} s"]
    if outcome.traceback:
        found.append("a traceback reached the user")
    if outcome.internal_error:
        found.append("internal error (no location)")
    if outcome.exit_code not in case.exits():
        found.append(f"exit {outcome.exit_code}, expected {case.exit}")
    if case.where is not None and re.search(case.where, outcome.output) is None:
        found.append(f"output does not say where ({case.where!r})")
    if outcome.seconds > case.seconds:
        found.append(f"took {outcome.seconds:.1f} s (bound {case.seconds:g} s)")
    if _RAW_CONTROL.search(outcome.output.replace("\r\n", "\n")):
        found.append("a raw control or bidi character reached the terminal")
    if case.check is not None:
        found.extend(case.check(work, outcome))
    return found


# ---------------------------------------------------------------- setups and checks


def _copy_into(relative: str, folder: str, generated: bool = False) -> Setup:
    """Copy one input into ``work/folder`` (a checks folder, a frameworks folder...)."""

    def setup(work: Path, gen: Path) -> None:
        source = (gen if generated else CORPUS) / relative
        target = work / folder
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / Path(relative).name)

    return setup


def _plant_link(name: str, *, directory: bool = False) -> Setup:
    """Plant ``work/out/<name>`` as a link to a victim file (or folder) outside it."""

    def setup(work: Path, gen: Path) -> None:
        victim = work / ("victim-dir" if directory else VICTIM)
        if directory:
            victim.mkdir()
        else:
            victim.write_text(VICTIM_TEXT, encoding="utf-8")
        link = work / "out" / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim, target_is_directory=directory)

    return setup


def _victim_untouched(work: Path, outcome: Outcome) -> list[str]:
    victim = work / VICTIM
    if victim.exists() and victim.read_text(encoding="utf-8") != VICTIM_TEXT:
        return ["the write followed a planted link: the victim file changed"]
    folder = work / "victim-dir"
    if folder.exists() and any(folder.iterdir()):
        return ["the write followed a planted folder link: files appeared in the victim"]
    return []


def _no_pass_for(check_id: str) -> Check:
    """The JSON result (if one was written) has no PASS for ``check_id``."""

    def check(work: Path, outcome: Outcome) -> list[str]:
        result = work / "out" / "crmscan-results.json"
        if not result.exists():
            return []
        document = json.loads(result.read_text(encoding="utf-8"))
        passed = [
            f for f in document["findings"] if f["check_id"] == check_id and f["status"] == "PASS"
        ]
        return [f"{FALSE_PASS}: {check_id} passed"] if passed else []

    return check


_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The links and mentions planted in the corpus's CRM data (shipped remediation text has
# real links; those are fine).
_PLANTED_LINK = re.compile(r"https?://evil|@octocat")


def _no_raw_controls(work: Path, outcome: Outcome) -> list[str]:
    """No control or bidi character from CRM data in the output or any report file."""
    found = []
    if _RAW_CONTROL.search(outcome.stdout.replace("\r\n", "\n")):
        found.append("a control character reached standard output")
    for path in sorted((work / "out").glob("*")) if (work / "out").is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".csv":
            text = text.replace("\r\n", "\n")
        if _RAW_CONTROL.search(text):
            found.append(f"a control character reached {path.name}")
        if path.suffix == ".md" and _PLANTED_LINK.search(text):
            found.append("a link or mention from CRM data reached the Markdown summary")
    return found


def _key_owner_only(work: Path, outcome: Outcome) -> list[str]:
    key = work / "keys" / "evidence.pem"
    if not key.exists():
        return ["no key was written"]
    mode = stat.S_IMODE(key.stat().st_mode)
    return [] if mode & 0o077 == 0 else [f"private key mode {mode:o} is not owner-only"]


def _key_not_created(work: Path, outcome: Outcome) -> list[str]:
    return ["a key was written through the planted link"] if (work / VICTIM).exists() else []


def _bundle(work: Path, tamper: Callable[[Path], None]) -> None:
    """A real evidence bundle of the tiny snapshot in ``work/bundle``, then ``tamper``."""
    from scanner.evidence.bundle import write_bundle
    from scanner.model.snapshot import load_snapshot
    from tests.hostile.generate import base_result

    inventory = load_snapshot(CORPUS / "snapshots/tiny.json")
    write_bundle(work / "bundle", inventory, base_result(), [])
    tamper(work / "bundle")


def _bundle_setup(tamper: Callable[[Path], None]) -> Setup:
    return lambda work, gen: _bundle(work, tamper)


def _edit_statement(change: Callable[[dict[str, object]], None]) -> Callable[[Path], None]:
    """Change the (unsigned) bundle's statement and seal it again, as an attacker could."""

    def tamper(bundle: Path) -> None:
        path = bundle / "attestation.intoto.jsonl"
        envelope = json.loads(path.read_text(encoding="utf-8"))
        statement = json.loads(base64.b64decode(envelope["payload"]))
        change(statement)
        envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
        path.write_text(json.dumps(envelope) + "\n", encoding="utf-8")

    return tamper


def _statement_names(name: str) -> Callable[[Path], None]:
    def change(statement: dict[str, object]) -> None:
        subjects = statement["subject"]
        assert isinstance(subjects, list)
        subjects.append({"name": name, "digest": {"sha256": "0" * 64}})

    return _edit_statement(change)


def _replace_with_link(name: str, target: str) -> Callable[[Path], None]:
    def tamper(bundle: Path) -> None:
        path = bundle / name
        copy = bundle.parent / "outside.json"
        shutil.copy(path, copy)  # same content: only the link is wrong
        path.unlink()
        path.symlink_to(copy if target == "copy" else Path(target))

    return tamper


def _add_link_dir(bundle: Path) -> None:
    (bundle / "etc").symlink_to("/etc", target_is_directory=True)


def _add_fifo(bundle: Path) -> None:
    os.mkfifo(bundle / "pipe")


def _envelope_as_link(bundle: Path) -> None:
    path = bundle / "attestation.intoto.jsonl"
    copy = bundle.parent / "envelope-copy.jsonl"
    shutil.copy(path, copy)
    path.unlink()
    path.symlink_to(copy)


# ---------------------------------------------------------------- the cases

TINY = "{corpus}/snapshots/tiny.json"


def _at(name: str, pointer: str | None = None) -> str:
    where = re.escape(Path(name).name) + r":\d+"
    return where + (" at " + re.escape(pointer) if pointer else "")


# Structural YAML inputs: invalid as any kind of file. Each runs through every loader.
YAML_INPUTS = {
    "alias-bomb.yaml": "484 bytes of nested aliases expanding to 9^9 nodes",
    "alias-recursive.yaml": "a sequence that contains itself through an alias",
    "alias-recursive-mapping.yaml": "a mapping that contains itself through an alias",
    "alias-undefined.yaml": "an alias to no anchor",
    "alias-duplicate-anchor.yaml": "one anchor defined twice",
    "merge-key-bomb.yaml": "merge keys (<<) nested to expand exponentially",
    "nan.yaml": "a .nan number",
    "inf.yaml": "a -.inf number",
    "integer-30-digits.yaml": "an integer beyond 64 bits",
    "nul-byte.yaml": "a raw NUL byte",
    "c1-control.yaml": "a raw C1 control character (CSI)",
    "invalid-utf8.yaml": "bytes that are not UTF-8",
    "lone-surrogate.yaml": "an escaped lone UTF-16 surrogate",
    "two-documents.yaml": "two YAML documents in one file",
    "tab-indentation.yaml": "a tab used for indentation",
    "bad-indentation.yaml": "inconsistent indentation",
    "unclosed-quote.yaml": "a quoted string never closed",
    "unhashable-key.yaml": "a sequence used as a mapping key",
    "python-tag.yaml": "a !!python/object tag (code execution in unsafe loaders)",
    "binary-tag.yaml": "a !!binary tag (bytes, not text)",
    "set-tag.yaml": "a !!set tag",
    "timestamp-tag.yaml": "an explicit !!timestamp tag",
    "integer-key.yaml": "an integer mapping key",
    "boolean-key.yaml": "`on:` as a key (YAML 1.1 makes it true)",
    "empty.yaml": "an empty file",
    "comment-only.yaml": "a file with only a comment",
    "top-level-list.yaml": "a list where a mapping belongs",
    "top-level-scalar.yaml": "a string where a mapping belongs",
    "null-document.yaml": "a document that is null",
    "unknown-tag.yaml": "a tag no loader knows (!evil)",
    "float-key.yaml": "a float mapping key",
    "null-key.yaml": "a null mapping key",
    "alias-bomb-mapping.yaml": "nested aliases in mappings expanding to 8^8 values",
    "cr-newlines.yaml": "carriage returns as line ends, and a .nan",
    "anchor-on-alias-key.yaml": "an anchored sequence as a mapping key",
}
YAML_GENERATED = {
    "deep-flow.yaml": "500 nested flow sequences",
    "deep-block.yaml": "200 nested block mappings",
    "large.yaml": "a 5 MiB YAML file",
    "integer-5000-digits.yaml": "an integer of 5,000 digits",
}


def _yaml_loaders(name: str, generated: bool) -> list[tuple[str, tuple[str, ...], Setup | None]]:
    source = ("{gen}" if generated else "{corpus}") + f"/yaml/{name}"
    copy_check = _copy_into(f"yaml/{name}", "checks", generated)
    copy_framework = _copy_into(f"yaml/{name}", "checks/frameworks", generated)

    def snapshot_copy(work: Path, gen: Path) -> None:
        shutil.copy((gen if generated else CORPUS) / "yaml" / name, work / name)

    return [
        ("validate", ("validate", source), None),
        ("policy", ("scan", "--snapshot", TINY, "--policy", source), None),
        ("targets", ("scan", "--config", source), None),
        ("snapshot", ("scan", "--snapshot", "{work}/" + name), snapshot_copy),
        ("checks-dir", ("scan", "--snapshot", TINY, "--checks-dir", "{work}/checks"), copy_check),
        ("framework", ("frameworks", "list", "--checks-dir", "{work}/checks"), copy_framework),
    ]


def _structural_yaml() -> list[Case]:
    cases = []
    for inputs, generated in ((YAML_INPUTS, False), (YAML_GENERATED, True)):
        for name, what in inputs.items():
            for loader, argv, setup in _yaml_loaders(name, generated):
                cases.append(
                    Case(
                        id=f"yaml/{Path(name).stem}/{loader}",
                        item="1, 12",
                        what=what,
                        argv=argv,
                        exit=2,
                        # A size bound is the whole file's: it has no line.
                        where=(re.escape(name) + ": file larger") if "large" in name else _at(name),
                        must="exit 2 naming the file and line, within the time bound",
                        setup=setup,
                        seconds=30.0 if "large" in name else 20.0,
                    )
                )
    return cases


JSON_INPUTS = {
    "truncated.json": "a snapshot cut off mid-string",
    "nan-literal.json": "a NaN literal",
    "infinity-literal.json": "a -Infinity literal",
    "exponent-overflow.json": "1e999 (parses to infinity)",
    "integer-30-digits.json": "an integer beyond 64 bits",
    "nul-raw.json": "a raw NUL byte inside a string",
    "invalid-utf8.json": "bytes that are not UTF-8",
    "utf8-bom.json": "a UTF-8 byte-order mark",
    "lone-surrogate.json": "an escaped lone UTF-16 surrogate",
    "top-level-array.json": "an array where an object belongs",
    "top-level-string.json": "a string where an object belongs",
    "empty.json": "an empty file",
    "trailing-garbage.json": "text after the JSON value",
    "deep-100.json": "100 nested arrays",
    "nested-objects-100.json": "100 nested objects",
    "null-user.json": "a user that is null",
    "gap-unknown-reason.json": "a gap with a reason that does not exist",
    "mfa-status-garbage.json": "an MFA status that does not exist",
}
JSON_GENERATED = {
    "deep-5000.json": "5,000 nested arrays",
    "integer-5000-digits.json": "an integer of 5,000 digits",
}


def _json_loaders(name: str, generated: bool) -> list[tuple[str, tuple[str, ...], Setup | None]]:
    source = ("{gen}" if generated else "{corpus}") + f"/json/{name}"

    def as_envelope(work: Path, gen: Path) -> None:
        def tamper(bundle: Path) -> None:
            source = (gen if generated else CORPUS) / "json" / name
            shutil.copy(source, bundle / "attestation.intoto.jsonl")

        _bundle(work, tamper)

    return [
        ("snapshot", ("scan", "--snapshot", source), None),
        ("validate", ("validate", source), None),
        ("report", ("report", source, "--out", "{work}/out"), None),
        ("diff", ("diff", source, source), None),
        ("envelope", ("evidence", "verify", "{work}/bundle"), as_envelope),
    ]


def _structural_json() -> list[Case]:
    cases = []
    for inputs, generated in ((JSON_INPUTS, False), (JSON_GENERATED, True)):
        for name, what in inputs.items():
            for loader, argv, setup in _json_loaders(name, generated):
                envelope = loader == "envelope"
                cases.append(
                    Case(
                        id=f"json/{Path(name).stem}/{loader}",
                        item="1, 12",
                        what=what,
                        argv=argv,
                        exit=2,
                        where=_at("attestation.intoto.jsonl" if envelope else name),
                        must="exit 2 naming the file and line",
                        setup=setup,
                    )
                )
    return cases


def _check_case(
    name: str,
    item: str,
    what: str,
    pointer: str | None,
    must: str = "exit 2 at the field",
    generated: bool = False,
) -> list[Case]:
    """A malformed check through ``validate`` and through ``scan --checks-dir``."""
    source = ("{gen}" if generated else "{corpus}") + f"/checks/{name}"
    where = _at(name, pointer)
    return [
        Case(f"check/{Path(name).stem}/validate", item, what, ("validate", source), 2, where, must),
        Case(
            f"check/{Path(name).stem}/scan",
            item,
            what,
            ("scan", "--snapshot", TINY, "--checks-dir", "{work}/checks"),
            2,
            where,
            must,
            setup=_copy_into(f"checks/{name}", "checks", generated),
        ),
    ]


def _checks() -> list[Case]:
    cases: list[Case] = []
    table: list[tuple[str, str, str, str | None]] = [
        ("regex-backreference.yaml", "4", "a regex with a backreference", "/assert/value"),
        ("regex-lookahead.yaml", "4", "a regex with a lookahead", "/assert/value"),
        ("regex-unbalanced.yaml", "4, 12", "an unbalanced regex", "/assert/value"),
        ("regex-huge-repeat.yaml", "4", "a regex too large to compile", "/assert/value"),
        ("message-unbalanced-brace.yaml", "12", "an unbalanced { in the message", "/message"),
        ("message-stray-brace.yaml", "12", "a stray } in the message", "/message"),
        ("message-not-a-field.yaml", "12", "a placeholder reaching into Python", "/message"),
        ("shipped-id.yaml", "13", "a custom check reusing the shipped id PRIV-002", "/id"),
        ("count-max-inf.yaml", "12", "count max .inf", "/count/max"),
        ("count-min-30-digits.yaml", "12", "count min beyond 64 bits", "/count/min"),
        ("older-than-huge.yaml", "12", "older_than_days 1e300", "/assert/not/value"),
        ("older-than-nan.yaml", "12", "older_than_days .nan", "/assert/not/value"),
        ("ahead-days-overflow.yaml", "12", "more_than_days_ahead past year 9999", None),
        ("in-unhashable.yaml", "12", "`in` with a list of mappings", "/assert/value"),
        ("contains-all-of-any-string.yaml", "12", "contains_all_of_any with a string", None),
        ("length-nan-param.yaml", "12", "a parameter no policy sets", "/assert/value"),
        ("unknown-field.yaml", "12", "a field the inventory does not have", "/assert/field"),
        ("unknown-op.yaml", "12", "an operator that does not exist", "/assert"),
        ("nul-in-id.yaml", "12", "a NUL byte in the check id", "/id"),
        ("field-through-list.yaml", "12", "a field path through a list", "/assert/field"),
        ("wrong-resource.yaml", "12", "a resource name with ../", "/resource"),
        (
            "regex-number-param.yaml",
            "4, 12",
            "a regex taken from a number parameter",
            "/assert/value",
        ),
        ("ip-prefix-text.yaml", "12", "ip_prefix_ge with text", "/assert/value"),
        ("length-le-text.yaml", "12", "length_le with text", "/assert/value"),
        ("quantifier-on-text.yaml", "12", "any_match on a text field", "/assert/op"),
        ("title-too-short.yaml", "12", "a one-letter title", "/title"),
        ("severity-unknown.yaml", "12", "severity apocalyptic", "/severity"),
        ("id-lowercase.yaml", "12", "a lower-case id", "/id"),
        ("manual-with-assert.yaml", "12", "manual and assert together", None),
        ("count-without-where.yaml", "12", "count without where", None),
        ("bidi-in-key.yaml", "5, 12", "an unknown key holding bidi and escape characters", None),
    ]
    for name, item, what, pointer in table:
        cases += _check_case(name, item, what, pointer)
    cases += _check_case(
        "deep-conditions.yaml", "12", "200 nested conditions", None, generated=True
    )
    # ahead-days-overflow is valid (clamped): a scan must finish, not crash.
    cases = [c for c in cases if not c.id.startswith("check/ahead-days-overflow")]
    cases.append(
        Case(
            "check/ahead-days-overflow/scan",
            "12",
            "more_than_days_ahead 9,000,000 days (past year 9999)",
            ("scan", "--snapshot", TINY, "--checks-dir", "{work}/checks", "--check", "HOST-013"),
            (0, 1, 3),
            None,
            "the scan finishes (the date is clamped), no internal error",
            setup=_copy_into("checks/ahead-days-overflow.yaml", "checks"),
        )
    )
    cases.append(
        Case(
            "check/regex-catastrophic/scan",
            "4",
            "^(a+)+$ against a 50,000-character email",
            (
                "scan",
                "--snapshot",
                "{gen}/snapshots/long-email.json",
                "--checks-dir",
                "{work}/checks",
                "--check",
                "HOST-004",
                "--format",
                "json",
                "--out",
                "{work}/out",
            ),
            (0, 1),
            None,
            "the scan finishes in seconds (RE2 is linear), with a verdict",
            seconds=20.0,
            setup=_copy_into("checks/regex-catastrophic.yaml", "checks"),
        )
    )
    return cases


def _policy_case(
    name: str, item: str, what: str, pointer: str | None, source: str | None = None
) -> list[Case]:
    path = source or f"{{corpus}}/policies/{name}"
    where = _at(name, pointer)
    return [
        Case(
            f"policy/{Path(name).stem}/validate",
            item,
            what,
            ("validate", path),
            2,
            where,
            "exit 2 at the field",
        ),
        Case(
            f"policy/{Path(name).stem}/scan",
            item,
            what,
            (
                "scan",
                "--snapshot",
                TINY,
                "--policy",
                path,
                "--format",
                "json",
                "--out",
                "{work}/out",
            ),
            2,
            where,
            "exit 2 at the field; nothing judged",
            check=_no_pass_for("GOV-001"),
        ),
    ]


def _policies() -> list[Case]:
    table: list[tuple[str, str, str, str | None]] = [
        ("future-attestation.yaml", "8", "an attestation dated 2099", "/attestations/0/date"),
        ("future-approval.yaml", "8", "an exception approved in 2099", "/exceptions/0/approved_on"),
        (
            "approval-after-expiry.yaml",
            "8",
            "an approval after its expiry",
            "/exceptions/0/approved_on",
        ),
        ("attestation-not-a-date.yaml", "12", "February 30th", "/attestations/0/date"),
        ("extends-missing.yaml", "12", "extends a file that does not exist", "/extends"),
        ("extends-nul.yaml", "12", "extends a name with a NUL byte", "/extends"),
        ("extends-directory.yaml", "12", "extends a folder", "/extends"),
        ("params-inf.yaml", "12", "a .inf parameter", "/parameters/identity/stale_after_days"),
        ("params-nan.yaml", "13", "a .nan parameter", "/parameters/identity/stale_after_days"),
        (
            "params-max-workers-text.yaml",
            "12",
            "max_workers: many",
            "/parameters/collection/max_workers",
        ),
        (
            "params-workers-huge.yaml",
            "12",
            "max_workers: 100000",
            "/parameters/collection/max_workers",
        ),
        (
            "params-login-window-text.yaml",
            "12",
            "login_window_days: '30 days'",
            "/parameters/monitoring/login_window_days",
        ),
        (
            "params-soql-injection.yaml",
            "12",
            "a sensitive field that is SOQL",
            "/parameters/data/sensitive_fields/0",
        ),
        (
            "params-objects-not-list.yaml",
            "12",
            "sensitive_objects: 5",
            "/parameters/data/sensitive_objects",
        ),
        (
            "severity-override-bad.yaml",
            "12",
            "severity override fatal",
            "/checks/severity/PRIV-002",
        ),
        (
            "exception-no-resources.yaml",
            "12",
            "an exception for no resource",
            "/exceptions/0/resources",
        ),
        (
            "attestation-outcome-maybe.yaml",
            "12",
            "attestation outcome maybe",
            "/attestations/0/outcome",
        ),
        ("name-with-slash.yaml", "12", "a pack named ../../x", "/name"),
        ("parameters-not-mapping.yaml", "12", "parameters given as a list", "/parameters"),
    ]
    cases: list[Case] = []
    for name, item, what, pointer in table:
        cases += _policy_case(name, item, what, pointer)
    chain = _policy_case(
        "extends-chain/p0000.yaml",
        "12",
        "an extends chain of 1,200 packs",
        "/extends",
        source="{gen}/policies/extends-chain/p0000.yaml",
    )
    # The error names the pack where the chain becomes too long.
    cases += [
        dataclasses.replace(
            c, id=c.id.replace("p0000", "extends-chain"), where=r"p\d{4}\.yaml:\d+ at /extends"
        )
        for c in chain
    ]
    cases.append(
        Case(
            "policy/extends-etc-passwd/validate",
            "12",
            "a pack extending /etc/passwd",
            ("validate", "{corpus}/policies/extends-etc-passwd.yaml"),
            2,
            r"passwd:\d+",
            "exit 2 naming the file; nothing of it printed",
        )
    )
    cases.append(
        Case(
            "policy/extends-self/validate",
            "12",
            "a pack that extends itself",
            ("validate", "{corpus}/policies/extends-self.yaml"),
            2,
            r"extends itself",
            "exit 2 naming the chain",
        )
    )
    cases.append(
        Case(
            "policy/params-huge-days/scan",
            "12",
            "stale_after_days 1e300",
            ("scan", "--snapshot", TINY, "--policy", "{corpus}/policies/params-huge-days.yaml"),
            2,
            r"days is beyond",
            "exit 2 naming the check field the parameter feeds",
        )
    )
    for name, what in (
        ("exception-glob-backtracking.yaml", "an exception glob of 30 stars"),
        ("include-bracket.yaml", "an include glob that is a lone ["),
    ):
        cases.append(
            Case(
                f"policy/{Path(name).stem}/scan",
                "12",
                what,
                ("scan", "--snapshot", TINY, "--policy", f"{{corpus}}/policies/{name}"),
                (0, 1, 3),
                None,
                "the scan finishes quickly; no internal error",
                seconds=20.0,
            )
        )
    return cases


def _targets() -> list[Case]:
    table: list[tuple[str, str, str, str | None]] = [
        ("name-dotdot.yaml", "9", "a target named ..", "/targets/0/name"),
        ("name-dot.yaml", "9", "a target named .", "/targets/0/name"),
        ("name-slash.yaml", "9", "a target named a/../../x", "/targets/0/name"),
        ("name-hidden.yaml", "9", "a target named .ssh", "/targets/0/name"),
        ("name-nul.yaml", "9", "a NUL byte in a target name", "/targets/0/name"),
        ("name-case-duplicate.yaml", "9", "Acme and acme (one folder on macOS)", "/targets/1/name"),
        ("name-too-long.yaml", "9", "a 300-character target name", "/targets/0/name"),
        (
            "secret-inline.yaml",
            "12",
            "a token written in the file",
            "/targets/0/options/access_token",
        ),
        ("unknown-platform.yaml", "12", "platform ../../etc", "/targets/0/platform"),
        (
            "env-name-injection.yaml",
            "12",
            "an env variable name with shell syntax",
            "/targets/0/env/access_token",
        ),
        ("option-nan.yaml", "12", "an option value .nan", "/targets/0/options/instance_url"),
        ("empty-list.yaml", "12", "no targets", "/targets"),
        ("platform-missing.yaml", "12", "a target without platform", "/targets/0"),
        ("targets-not-list.yaml", "12", "targets given as a mapping", "/targets"),
    ]
    cases = []
    for name, item, what, pointer in table:
        cases.append(
            Case(
                f"targets/{Path(name).stem}",
                item,
                what,
                ("scan", "--config", f"{{corpus}}/targets/{name}", "--out", "{work}/out"),
                2,
                _at(name, pointer),
                "exit 2 at the field; nothing written outside --out",
                env={"HOSTILE_TOKEN": "pat-na1-00000000-0000-0000-0000-000000000000"},
            )
        )
    cases.append(
        Case(
            "targets/env-unset",
            "12",
            "a target whose environment variable is not set",
            ("scan", "--config", "{corpus}/targets/env-unset.yaml", "--out", "{work}/out"),
            2,
            r"HOSTILE_UNSET_VARIABLE is not set",
            "exit 2 naming the variable",
        )
    )
    return cases


def _snapshots() -> list[Case]:
    table: list[tuple[str, str, str, str | None]] = [
        ("future-schema-version.json", "13", "schema_version 9.0", "/schema_version"),
        ("schema-version-garbage.json", "13", "schema_version 'one'", "/schema_version"),
        (
            "timestamp-as-number.json",
            "13",
            "collected_at given as a number",
            "/tenant/collected_at",
        ),
        (
            "last-login-as-number.json",
            "13",
            "last_login_at given as a number",
            "/users/0/last_login_at",
        ),
        ("extra-deep.json", "1", "90 levels of nesting under extra", None),
        ("unknown-field.json", "12", "a field the inventory does not have", "/tenant/evil"),
        ("users-not-a-list.json", "12", "users given as an object", "/users"),
        ("string-for-bool.json", "12", "active: 'maybe'", "/users/0/active"),
    ]
    cases = []
    for name, item, what, pointer in table:
        for loader, argv in (
            ("scan", ("scan", "--snapshot", f"{{corpus}}/snapshots/{name}")),
            ("validate", ("validate", f"{{corpus}}/snapshots/{name}")),
        ):
            cases.append(
                Case(
                    f"snapshot/{Path(name).stem}/{loader}",
                    item,
                    what,
                    argv,
                    2,
                    _at(name, pointer),
                    "exit 2 at the field",
                )
            )
    formats = "console,json,csv,md,html,junit,sarif,ocsf"
    cases.append(
        Case(
            "snapshot/escape-sequences/scan",
            "5",
            "usernames with clear-screen, OSC-8 links, bidi overrides, CR/LF, mentions, links",
            (
                "scan",
                "--snapshot",
                "{corpus}/snapshots/escape-sequences.json",
                "--format",
                formats,
                "--out",
                "{work}/out",
                "--all-findings",
            ),
            (1, 3),
            None,
            "no control character or CRM link/mention in any output",
            check=_no_raw_controls,
        )
    )
    cases.append(
        Case(
            "snapshot/control-in-tenant-name/scan",
            "5",
            "a tenant name with escape sequences, an OSC-8 link and a bidi override",
            (
                "scan",
                "--snapshot",
                "{corpus}/snapshots/control-in-tenant-name.json",
                "--format",
                formats,
                "--out",
                "{work}/out",
            ),
            (1, 3),
            None,
            "no control character in any output",
            check=_no_raw_controls,
        )
    )
    cases.append(
        Case(
            "snapshot/yaml-snapshot/scan",
            "1",
            "a small valid YAML snapshot",
            ("scan", "--snapshot", "{corpus}/snapshots/snapshot.yaml", "--check", "PRIV-002"),
            (0, 1, 3),
            None,
            "accepted: YAML snapshots within the bounds still load",
        )
    )
    return cases


def _results() -> list[Case]:
    base = "{gen}/results/base.json"
    cases = [
        Case(
            "diff/other-platform",
            "10",
            "results of salesforce and hubspot",
            ("diff", base, "{gen}/results/other-platform.json"),
            2,
            r"different platforms",
            "exit 2: refused",
        ),
        Case(
            "diff/null-tenant-id",
            "10",
            "a result without tenant id",
            ("diff", base, "{gen}/results/null-tenant-id.json"),
            2,
            r"no tenant id",
            "exit 2: refused",
        ),
        Case(
            "diff/other-tenant",
            "10",
            "results of two tenants",
            ("diff", base, "{gen}/results/other-tenant.json"),
            2,
            r"different tenants",
            "exit 2: refused",
        ),
        Case(
            "diff/escape-sequences",
            "5",
            "a result whose names hold escape sequences",
            ("diff", base, "{gen}/results/escape-sequences.json"),
            (0, 1),
            None,
            "no control character on the terminal",
            check=_no_raw_controls,
        ),
        Case(
            "report/escape-sequences",
            "5",
            "a result whose names hold escape sequences",
            (
                "report",
                "{gen}/results/escape-sequences.json",
                "--format",
                "console,md,csv,html,junit",
                "--out",
                "{work}/out",
                "--all-findings",
            ),
            0,
            None,
            "no control character or CRM link in any output",
            check=_no_raw_controls,
        ),
    ]
    for name, what, pointer in (
        (
            "findings-for-unknown-check.json",
            "findings for a check not in checks[]",
            "/findings/0/check_id",
        ),
        ("deep-evidence.json", "900 levels of nesting in evidence", None),
    ):
        for loader, argv in (
            ("report", ("report", f"{{gen}}/results/{name}", "--out", "{work}/out")),
            ("diff", ("diff", base, f"{{gen}}/results/{name}")),
        ):
            cases.append(
                Case(
                    f"result/{Path(name).stem}/{loader}",
                    "13",
                    what,
                    argv,
                    2,
                    _at(name, pointer),
                    "exit 2 at the field",
                )
            )
    return cases


def _evidence() -> list[Case]:
    def verify(
        case_id: str,
        item: str,
        what: str,
        tamper: Callable[[Path], None],
        exit_code: int,
        where: str | None,
        must: str,
    ) -> Case:
        return Case(
            case_id,
            item,
            what,
            ("evidence", "verify", "{work}/bundle"),
            exit_code,
            where,
            must,
            setup=_bundle_setup(tamper),
        )

    return [
        verify(
            "evidence/subject-not-a-list",
            "12",
            "a statement whose subject is not a list",
            _edit_statement(lambda m: m.__setitem__("subject", {"inventory.json": "x"})),
            2,
            _at("attestation.intoto.jsonl#payload", "/subject"),
            "exit 2 at the field",
        ),
        verify(
            "evidence/digest-not-hex",
            "12",
            "a statement digest that is not hex",
            _edit_statement(
                lambda m: m.__setitem__(
                    "subject", [{"name": "inventory.json", "digest": {"sha256": "zz"}}]
                )
            ),
            2,
            _at("attestation.intoto.jsonl#payload", "/subject/0/digest/sha256"),
            "exit 2 at the field",
        ),
        verify(
            "evidence/name-dotdot",
            "6",
            "a statement naming ../outside.json",
            _statement_names("../outside.json"),
            1,
            r"outside the bundle",
            "exit 1: FAILED, nothing read outside",
        ),
        verify(
            "evidence/name-absolute",
            "6",
            "a statement naming /etc/hostname",
            _statement_names("/etc/hostname"),
            1,
            r"outside the bundle",
            "exit 1: FAILED, nothing read outside",
        ),
        verify(
            "evidence/file-symlink",
            "6",
            "results.json replaced by a link (same bytes)",
            _replace_with_link("results.json", "copy"),
            1,
            r"symbolic link",
            "exit 1: FAILED, the link is refused",
        ),
        verify(
            "evidence/dir-symlink",
            "6",
            "a folder link to /etc inside the bundle",
            _add_link_dir,
            1,
            r"symbolic link",
            "exit 1: FAILED",
        ),
        verify(
            "evidence/fifo",
            "6",
            "a named pipe inside the bundle",
            _add_fifo,
            1,
            r"pipe",
            "exit 1 without blocking on the pipe",
        ),
        verify(
            "evidence/envelope-symlink",
            "6",
            "attestation.intoto.jsonl is a link",
            _envelope_as_link,
            2,
            r"attestation\.intoto\.jsonl.*symbolic link",
            "exit 2: refused",
        ),
        verify(
            "evidence/extra-file",
            "6",
            "a file the statement does not list",
            lambda b: (b / "planted.txt").write_text("x", encoding="utf-8"),
            1,
            r"planted\.txt: not in the statement",
            "exit 1: FAILED",
        ),
        verify(
            "evidence/missing-file",
            "6",
            "a listed file removed",
            lambda b: (b / "results.json").unlink(),
            1,
            r"results\.json: missing",
            "exit 1: FAILED",
        ),
        verify(
            "evidence/modified-file",
            "6",
            "a listed file changed",
            lambda b: (b / "results.json").write_text("{}", encoding="utf-8"),
            1,
            r"results\.json: modified",
            "exit 1: FAILED",
        ),
    ]


def _writes() -> list[Case]:
    scan_out = ("scan", "--snapshot", TINY, "--format", "json,md", "--out", "{work}/out")
    return [
        Case(
            "write/report-over-link",
            "7",
            "--out holds crmscan-results.json -> victim",
            scan_out,
            (1, 3),
            None,
            "the link is replaced, the victim untouched",
            setup=_plant_link("crmscan-results.json"),
            check=_victim_untouched,
        ),
        Case(
            "write/snapshot-over-link",
            "7",
            "--save-snapshot onto a planted link",
            ("scan", "--snapshot", TINY, "--save-snapshot", "{work}/out/snap.json"),
            (1, 3),
            None,
            "the link is replaced, the victim untouched",
            setup=_plant_link("snap.json"),
            check=_victim_untouched,
        ),
        Case(
            "write/evidence-over-link",
            "7",
            "--evidence holds inventory.json -> victim",
            ("scan", "--snapshot", TINY, "--evidence", "{work}/out"),
            (1, 3),
            None,
            "the link is replaced, the victim untouched",
            setup=_plant_link("inventory.json"),
            check=_victim_untouched,
        ),
        Case(
            "write/evidence-policy-dir-link",
            "7",
            "--evidence holds policy/ -> a folder",
            ("scan", "--snapshot", TINY, "--evidence", "{work}/out"),
            2,
            r"symbolic link",
            "exit 2: refused, nothing written into the victim folder",
            setup=_plant_link("policy", directory=True),
            check=_victim_untouched,
        ),
        Case(
            "write/history-dir-link",
            "7",
            "--history holds the tenant folder -> a folder",
            ("scan", "--snapshot", TINY, "--history", "{work}/out"),
            2,
            r"symbolic link",
            "exit 2: refused, nothing written into the victim folder",
            setup=_plant_link("salesforce-00D000000000001", directory=True),
            check=_victim_untouched,
        ),
        Case(
            "write/keygen-over-link",
            "7",
            "evidence keygen --out onto a dangling link",
            ("evidence", "keygen", "--out", "{work}/out/key.pem"),
            2,
            r"exists",
            "exit 2: refused, no key written through the link",
            setup=_dangling_key_link,
            check=_key_not_created,
        ),
        Case(
            "write/keygen-owner-only",
            "7",
            "evidence keygen into a fresh folder",
            ("evidence", "keygen", "--out", "{work}/keys/evidence.pem"),
            0,
            None,
            "the private key is 0600 from its creation",
            check=_key_owner_only,
        ),
        Case(
            "write/jwt-key-not-a-key",
            "12",
            "--jwt-key-file holding text, not a key",
            (
                "scan",
                "--platform",
                "salesforce",
                "--username",
                "u@acme.example",
                "--client-id",
                "3MVG9",
                "--jwt-key-file",
                "{corpus}/keys/not-a-key.pem",
            ),
            2,
            _at("not-a-key.pem"),
            "exit 2 naming the file, before any login",
        ),
        Case(
            "write/jwt-key-binary",
            "12",
            "--jwt-key-file holding binary bytes",
            (
                "scan",
                "--platform",
                "salesforce",
                "--username",
                "u@acme.example",
                "--client-id",
                "3MVG9",
                "--jwt-key-file",
                "{corpus}/keys/binary-key.pem",
            ),
            2,
            _at("binary-key.pem"),
            "exit 2 naming the file, before any login",
        ),
        Case(
            "write/signing-key-public",
            "12",
            "--evidence-key holding a public key",
            (
                "scan",
                "--snapshot",
                TINY,
                "--evidence",
                "{work}/bundle",
                "--evidence-key",
                "{corpus}/keys/public-not-private.pem",
            ),
            2,
            r"public-not-private\.pem",
            "exit 2 naming the key file",
        ),
    ]


def _dangling_key_link(work: Path, gen: Path) -> None:
    (work / "out").mkdir()
    (work / "out" / "key.pem").symlink_to(work / VICTIM)


def all_cases() -> list[Case]:
    """Every case of the corpus."""
    cases = [
        *_structural_yaml(),
        *_structural_json(),
        *_checks(),
        *_policies(),
        *_targets(),
        *_snapshots(),
        *_results(),
        *_evidence(),
        *_writes(),
    ]
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    return cases


def readme_table(cases: Sequence[Case]) -> str:
    """The Markdown table of every case (for README.md)."""
    lines = ["| case | item | input | must produce |", "|---|---|---|---|"]
    for case in cases:
        what = case.what.replace("|", "\\|")
        lines.append(f"| `{case.id}` | {case.item} | {what} | {case.must} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--readme" in sys.argv:
        sys.stdout.write(readme_table(all_cases()))
    else:
        print(f"{len(all_cases())} cases")
