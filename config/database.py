"""The PostgreSQL database of an environment (VTC §52-54: a small, stable application)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import Strict, run_rules


class Database(Strict):
    # A current PostgreSQL major; pgaudit and rds.force_ssl exist for all of them.
    engine_major: Literal["16", "17", "18"] = "17"
    # §52-54: a small, stable application: small instance classes only.
    instance_class: str = "t4g.medium"
    allocated_storage_gib: int = Field(default=50, ge=20, le=2000)
    max_allocated_storage_gib: int = Field(default=200, ge=21, le=4000)
    multi_az: bool = False
    database_name: str = "led"

    @field_validator("instance_class")
    @classmethod
    def _small(cls, value: str) -> str:
        match = re.match(r"^(t4g|t3|m6g|m7g|m8g|r6g|r7g|r8g)\.(medium|large|xlarge|2xlarge)$", value)
        if not match:
            raise ValueError(
                f"got {value!r}; allowed: a small class such as t4g.medium, m7g.large or "
                "r7g.xlarge (families t3/t4g/m6g-m8g/r6g-r8g, sizes medium-2xlarge; VTC §52-54)"
            )
        return value

    @model_validator(mode="after")
    def _rules(self) -> Database:
        return run_rules(self, DATABASE_RULES)


# Cross-field rules of Database -------------------------------------------------------------------


def storage_ceiling_above_allocated(db: Database) -> None:
    """Storage autoscaling needs room to grow."""
    if db.max_allocated_storage_gib <= db.allocated_storage_gib:
        raise ValueError(
            f"field 'database.max_allocated_storage_gib': got {db.max_allocated_storage_gib}; "
            f"allowed: more than database.allocated_storage_gib ({db.allocated_storage_gib})"
        )


DATABASE_RULES = (storage_ceiling_above_allocated,)
