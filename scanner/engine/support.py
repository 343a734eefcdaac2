"""How a check runs on a platform, known before scanning: from its platforms list and the
platform adapter's capability declarations.

* ``automated``         — the data is collected (perhaps only with a named permission or
  edition, which the detail says);
* ``partly automated``  — resources whose data the platform gives are judged, the rest is
  one MANUAL finding saying what to review;
* ``attested``          — the platform has no API for what the check needs (or the check
  is manual): one MANUAL finding until a policy attestation decides it;
* ``not applicable``    — the check does not cover the platform, or the concept does not
  exist there.

`crmscan checks show ID` prints it per registered adapter, and docs/platforms.md is
generated from it. The engine applies the same rules (`scanner.engine.coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.engine.coverage import capability_name
from scanner.engine.messages import render_template
from scanner.language.compiler import CompiledCheck
from scanner.model.capabilities import Capabilities, Capability, Support

AUTOMATED = "automated"
PARTLY = "partly automated"
ATTESTED = "attested"
NOT_APPLICABLE = "not applicable"
MODES = (AUTOMATED, PARTLY, ATTESTED, NOT_APPLICABLE)


@dataclass(frozen=True)
class PlatformSupport:
    """How one check runs on one platform."""

    platform: str
    mode: str
    detail: str


def _review(capability: Capability) -> str:
    """The review text with its ``{field}`` placeholders dropped (no data yet)."""
    return render_template(capability.review or "", lambda _: None)


def check_support(
    check: CompiledCheck, platform: str, capabilities: Capabilities
) -> PlatformSupport:
    """How ``check`` runs on ``platform`` given the adapter's ``capabilities``."""
    spec = check.spec
    if spec.platforms and platform not in spec.platforms:
        return PlatformSupport(
            platform, NOT_APPLICABLE, f"the check covers {', '.join(spec.platforms)} only"
        )
    if spec.manual:
        return PlatformSupport(platform, ATTESTED, "a person attests it in the policy")
    for collection in check.requires:
        declared = capabilities.lookup(collection)
        if declared.structural and not declared.partial:
            mode = NOT_APPLICABLE if declared.support is Support.NOT_APPLICABLE else ATTESTED
            return PlatformSupport(platform, mode, f"{declared.collection}: {_review(declared)}")
    names = list(check.requires)
    names += [capability_name(check.kind, field) for field in check.fields]
    seen: dict[str, Capability] = {}
    for name in names:
        declared = capabilities.lookup(name)
        if declared.support is not Support.PROVIDED:
            seen.setdefault(declared.collection, declared)
    structural = [c for c in seen.values() if c.structural]
    conditions = [c for c in seen.values() if not c.structural]
    details: list[str] = []
    mode = AUTOMATED
    if structural:
        mode = PARTLY if any(c.partial for c in structural) else ATTESTED
        by_review: dict[str, list[str]] = {}
        for capability in structural:
            known = f" (known for {capability.known_for})" if capability.known_for else ""
            by_review.setdefault(_review(capability), []).append(capability.collection + known)
        for review, names in by_review.items():
            rest = "the rest is" if mode == PARTLY else "what it needs is"
            details.append(f"{', '.join(names)}; {rest} one MANUAL: {review}")
    for capability in conditions:
        verb = "needs" if capability.support is Support.NEEDS_PERMISSION else "exists only on"
        details.append(f"{capability.collection} {verb} {capability.requirement}")
    return PlatformSupport(platform, mode, "; ".join(details))
