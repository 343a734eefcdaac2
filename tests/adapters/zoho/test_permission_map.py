"""Zoho permission names and labels → the normalized vocabulary."""

from __future__ import annotations

import pytest

from adapters.zoho import permission_map as pm
from tests.emulators.zoho import org as z


@pytest.mark.parametrize(
    ("detail", "meaning"),
    [
        ({"name": "Crm_Implied_Manage_Users"}, ("users.manage",)),
        ({"name": "Crm_Implied_Customize_Zoho_CRM"}, ("setup.customize",)),
        ({"name": "Crm_Implied_Api_Access"}, ("api.enabled",)),
        ({"name": "Crm_Implied_Export_Leads"}, ("data.export",)),
        ({"name": "Crm_Implied_Mass_Delete_Deals"}, ("data.mass_delete",)),
        ({"name": "Crm_Implied_Mass_Update_Contacts"}, ("data.mass_update",)),
        ({"name": "Crm_Implied_Export_"}, ()),  # a prefix alone names no module
        ({"name": "Undocumented", "display_label": "Manage Profiles"}, ("setup.manage_profiles",)),
        ({"name": "Undocumented", "display_label": "Export"}, ("data.export",)),
        ({"name": "Crm_Implied_View_Leads", "display_label": "View"}, ()),
    ],
)
def test_meaning(detail: dict[str, str], meaning: tuple[str, ...]) -> None:
    assert pm.meaning(detail) == meaning


def test_disabled_permissions_are_recognised_but_not_granted() -> None:
    mapped = pm.map_profile(z.permissions_details({"View_Leads"}), administrator=False)
    assert mapped.permissions == []
    assert mapped.missing_essentials() == []  # export and API entries were seen, disabled
    assert mapped.raw_permissions == ["Crm_Implied_View_Leads"]


def test_a_profile_without_export_or_api_entries_is_not_understood() -> None:
    mapped = pm.map_profile(
        [{"name": "Crm_Implied_View_Leads", "enabled": True}], administrator=False
    )
    assert mapped.missing_essentials() == ["data.export", "api.enabled"]


def test_administrator_profile_implies_view_and_modify_all() -> None:
    mapped = pm.map_profile(z.permissions_details(set()), administrator=True)
    assert set(mapped.permissions) == {"data.view_all", "data.modify_all", "audit.view"}
