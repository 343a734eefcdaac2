"""A Health Check custom baseline: the XML file Setup › Health Check exports and imports.

The file lists each setting (``group`` + ``name``, e.g. ``PasswordPolicies`` /
``minPasswordLength``) under a risk category, with the value that is compliant and, for
numeric settings, the warning and critical values. The parser accepts the attributes or
child elements under either spelling (``compliant`` / ``standardValue``) and takes the
risk category from a ``riskCategory`` attribute or from the enclosing ``highRisk`` /
``mediumRisk`` / ``lowRisk`` / ``informational`` element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from scanner.errors import FileLocation, InputFileError

_CATEGORIES = {
    "highrisk": "HIGH_RISK",
    "mediumrisk": "MEDIUM_RISK",
    "lowrisk": "LOW_RISK",
    "informational": "INFORMATIONAL",
}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _local(tag: str) -> str:
    return tag.split("}")[-1]


@dataclass(frozen=True)
class BaselineSetting:
    """One setting of a custom baseline."""

    group: str
    name: str
    risk_category: str
    compliant: str
    warning: str | None = None


@dataclass(frozen=True)
class Baseline:
    """The settings of a custom baseline, looked up by DurableId or setting label."""

    name: str
    settings: dict[str, BaselineSetting]

    @classmethod
    def load(cls, path: str) -> Baseline:
        """Parse a baseline file; InputFileError says what is wrong with it."""
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            raise InputFileError(FileLocation(path), f"not a readable XML file: {exc}") from None
        settings: dict[str, BaselineSetting] = {}
        _walk(root, None, None, settings)
        if not settings:
            raise InputFileError(FileLocation(path), "no Health Check settings found")
        name = root.get("label") or root.get("name") or Path(path).stem
        return cls(name, settings)

    def judge(
        self, durable_id: str | None, label: str, org_value: object
    ) -> tuple[str, str] | None:
        """``(standard value, risk type)`` of an org value under this baseline, or None."""
        setting = self.settings.get(_key(durable_id or "")) or self.settings.get(_key(label))
        if setting is None:
            return None
        value = "" if org_value is None else str(org_value)
        if _meets(setting, value):
            return setting.compliant, "MEETS_STANDARD"
        return setting.compliant, setting.risk_category


def _meets(setting: BaselineSetting, value: str) -> bool:
    org, standard = _NUMBER.search(value), _NUMBER.search(setting.compliant)
    warning = _NUMBER.search(setting.warning or "")
    if org and standard and warning:
        org_n, std_n, warn_n = (float(m.group()) for m in (org, standard, warning))
        return org_n >= std_n if std_n >= warn_n else org_n <= std_n
    return _key(value) == _key(setting.compliant)


def _field(element: ET.Element, *names: str) -> str | None:
    for name in names:
        if element.get(name) is not None:
            return element.get(name)
        for child in element:
            if _local(child.tag).lower() == name.lower() and child.text:
                return child.text.strip()
    return None


def _walk(
    element: ET.Element, category: str | None, group: str | None, out: dict[str, BaselineSetting]
) -> None:
    tag = _local(element.tag).lower()
    category = _CATEGORIES.get(tag, category)
    group = (
        element.get("group")
        or (element.get("name") if tag in ("settinggroup", "group") else None)
        or group
    )
    compliant = _field(element, "compliant", "standardValue", "standard")
    name = element.get("name") or element.get("settingId")
    if tag not in ("settinggroup", "group") and name and compliant is not None:
        risk = _CATEGORIES.get(_key(element.get("riskCategory") or ""), None)
        risk = risk or (element.get("riskCategory") or "").upper() or category or "MEDIUM_RISK"
        full_group, _, short = name.rpartition(".")
        setting = BaselineSetting(
            group=full_group or group or "",
            name=short,
            risk_category=risk,
            compliant=compliant,
            warning=_field(element, "warning", "warningValue"),
        )
        out[_key(setting.group + setting.name)] = setting
        label = element.get("label")
        if label:
            out.setdefault(_key(label), setting)
        return
    for child in element:
        _walk(child, category, group, out)
