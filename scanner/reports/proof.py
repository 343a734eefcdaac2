"""Where in an evidence bundle the proof of a requirement lies.

The names follow the bundle layout (docs/evidence.md, ``crmscan-evidence/2``):
``results.json`` (the result document with every finding and its evidence),
``checks/<CHECK-ID>.yaml`` (the rule as it ran), ``raw/<collection>.jsonl`` (the API
responses of one collection), ``inventory.json`` (the collected data) and
``policy/NN-<file>`` (the policy files, in ``extends`` order, holding the exceptions and
attestations). `proof_locations` is the one place that spells them, so a change of
layout is one edit here.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scanner.errors import ConfigError

RESULTS = "results.json"
INVENTORY = "inventory.json"
CHECK_RULE = "checks/{check_id}.yaml"
RAW = "raw/{collection}.jsonl"
POLICY = "policy/{index:02d}-{source}"
_ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")


@dataclass(frozen=True)
class ProofLink:
    """One file of the bundle and what to look for in it.

    ``checks`` are the checks it proves; ``present`` is None when no bundle was given,
    else whether the bundle holds the file.
    """

    path: str
    what: str
    checks: tuple[str, ...] = ()
    present: bool | None = None


def raw_file(collection: str, files: frozenset[str] | None) -> str:
    """The raw file holding ``collection``'s answers: its own, else its nearest parent's
    that the bundle has (``auth.mfa`` read from Salesforce's SecuritySettings is in
    ``raw/auth.jsonl``), finally ``raw/tenant.jsonl`` (settings kept on the organisation
    record), as `scanner.evidence.raw` resolves a record pointer. Without a bundle, or
    when none of these exists, the collection's own file name."""
    own = RAW.format(collection=collection)
    if files is None or own in files:
        return own
    parts = collection.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = RAW.format(collection=".".join(parts[:end]))
        if parent in files:
            return parent
    tenant = RAW.format(collection="tenant")
    return tenant if tenant in files else own


def proof_locations(
    check_id: str,
    collections: Iterable[str],
    policy_sources: Iterable[str],
    decided_by_person: bool,
    files: frozenset[str] | None = None,
) -> list[ProofLink]:
    """The bundle files that prove what ``check_id`` concluded, most direct first.

    ``collections`` are those the check read; ``policy_sources`` the result's
    ``policy.sources`` (file names, ``extends`` order); ``decided_by_person`` says an
    exception or an attestation in the policy decided some of its findings; ``files``
    (the bundle's, when given) resolves raw files and marks each link present or not.
    """
    ids = (check_id,)
    links = [
        ProofLink(RESULTS, "findings by check_id, with their evidence", ids),
        ProofLink(CHECK_RULE.format(check_id=check_id), "the check's rule as it ran", ids),
    ]
    raw: dict[str, list[str]] = {}
    for collection in sorted(set(collections)):
        raw.setdefault(raw_file(collection, files), []).append(collection)
    for path, names in sorted(raw.items()):
        links.append(ProofLink(path, f"API responses of {', '.join(names)}", ids))
    if collections:
        links.append(ProofLink(INVENTORY, "the collected data the checks judged", ids))
    if decided_by_person:
        what = "the exceptions and attestations applied"
        links += [
            ProofLink(POLICY.format(index=i, source=s), what, ids)
            for i, s in enumerate(policy_sources)
        ]
    return mark_present(links, files)


def merge_links(links: Iterable[ProofLink]) -> list[ProofLink]:
    """One link per file, naming every check it proves, in order of first mention."""
    merged: dict[str, ProofLink] = {}
    for link in links:
        seen = merged.get(link.path)
        if seen is None:
            merged[link.path] = link
        else:
            checks = tuple(dict.fromkeys(seen.checks + link.checks))
            merged[link.path] = ProofLink(seen.path, seen.what, checks, seen.present)
    return list(merged.values())


def bundle_files(bundle: Path) -> frozenset[str]:
    """The bundle-relative names of the files in a bundle folder or archive.

    A folder is listed without following symbolic links; an archive (zip, tar, tar.gz) by
    its member names, with one leading folder removed when every member shares it.
    """
    if bundle.is_dir():
        names = set()
        for root, _dirs, files in os.walk(bundle, followlinks=False):
            for name in files:
                names.add((Path(root) / name).relative_to(bundle).as_posix())
        return frozenset(names)
    if not bundle.is_file() or not bundle.name.endswith(_ARCHIVES):
        raise ConfigError(f"--evidence {bundle}: not an evidence bundle folder or archive")
    try:
        if bundle.name.endswith(".zip"):
            with zipfile.ZipFile(bundle) as archive:
                members = [n for n in archive.namelist() if not n.endswith("/")]
        else:
            with tarfile.open(bundle) as archive:
                members = [m.name for m in archive.getmembers() if m.isfile()]
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise ConfigError(f"--evidence {bundle}: cannot read the archive ({exc})") from None
    paths = [PurePosixPath(m.removeprefix("./")) for m in members]
    tops = {p.parts[0] for p in paths if len(p.parts) > 1}
    if len(tops) == 1 and all(len(p.parts) > 1 for p in paths):
        paths = [PurePosixPath(*p.parts[1:]) for p in paths]
    return frozenset(p.as_posix() for p in paths)


def mark_present(links: Iterable[ProofLink], files: frozenset[str] | None) -> list[ProofLink]:
    """``links`` with ``present`` set from the bundle's file names (unchanged without)."""
    if files is None:
        return list(links)
    return [ProofLink(link.path, link.what, link.checks, link.path in files) for link in links]
