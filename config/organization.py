"""The AWS Organization the LED accounts belong to (optional)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import field_validator

from config.base import AccountId, Strict, matching, twelve_digits

if TYPE_CHECKING:
    from config.landing_zone import LandingZoneConfig

_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


class OrganizationConfig(Strict):
    management_account: AccountId
    # The organisation id (o-...), for aws:PrincipalOrgID / aws:ResourceOrgID conditions.
    organization_id: str | None = None
    # The data perimeter RCPs of policies/rcp.py (they name the organisation id, so it must be set).
    resource_control_policies: bool = True

    @field_validator("organization_id")
    @classmethod
    def _org_id(cls, value: str | None) -> str | None:
        return matching(value, _ORG_ID, "an AWS Organizations id o-<10 to 32 lowercase letters/digits>")

    @field_validator("management_account", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> str:
        return twelve_digits(value)


def perimeter_names_the_organization(lz: LandingZoneConfig) -> None:
    """The RCPs name the organisation in aws:PrincipalOrgID; offline, the id cannot be looked up."""
    organization = lz.organization
    if organization is not None and organization.resource_control_policies and not organization.organization_id:
        raise ValueError(
            "field 'organization.organization_id': missing; required while resource_control_policies is "
            "true (the RCPs name it in aws:PrincipalOrgID): set the o-... id, or resource_control_policies = false"
        )
