"""The VPC of an environment's workload."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from config.base import Strict


class Network(Strict):
    vpc_cidr: str = "10.0.0.0/20"
    max_azs: int = Field(default=2, ge=2, le=3)

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        match = re.match(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})$", value)
        if not match or any(int(o) > 255 for o in match.groups()[:4]) or not 16 <= int(match[5]) <= 22:
            raise ValueError(f"got {value!r}; allowed: an IPv4 CIDR block from /16 to /22")
        return value
