"""The AWS Organization the LED accounts belong to (optional)."""

from __future__ import annotations

import re

from pydantic import field_validator

from config.base import AccountId, Strict, twelve_digits

_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


class OrganizationConfig(Strict):
    management_account: AccountId
    # The organisation id (o-...), for aws:PrincipalOrgID / aws:ResourceOrgID conditions.
    organization_id: str | None = None

    @field_validator("organization_id")
    @classmethod
    def _org_id(cls, value: str | None) -> str | None:
        if value is not None and not _ORG_ID.match(value):
            raise ValueError(f"got {value!r}; allowed: an AWS Organizations id o-<10 to 32 lowercase letters/digits>")
        return value

    @field_validator("management_account", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> str:
        return twelve_digits(value)
