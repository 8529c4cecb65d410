"""Recovery and exit drills: restore-test validation (§40) and the exit export (§42-43)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field, field_validator, model_validator

from config.base import Strict, cron, matching, run_rules
from config.keys import expires_before_rotation
from config.regions import partition_of

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig

_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$")
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_PRINCIPAL_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-eusc):iam::(?P<account>\d{12}):(root|role/[A-Za-z0-9+=,.@_/-]{1,512})$"
)


class Drills(Strict):
    """Recovery and exit drills: restore-test validation (§40) and the exit export (§42-43)."""

    # VTC-EXIT (§42-43): a regular exercise; monthly by default (06:00 UTC on the 1st).
    exit_drill_schedule: str = "cron(0 6 1 * ? *)"
    # The second partner who could take the data over: a role or account root in another account.
    # Default: an AWS documentation account, so the default config synthesizes but is not deployed.
    second_partner_principal_arn: str = "arn:aws:iam::210987654321:root"
    # Exports are full copies of the data: they expire (VTC-NO-STALE-BACKUP, rule below).
    exit_export_expiry_days: int = Field(default=35, ge=1)
    # Restore-test validation (VTC-BACKUP-ENVIRONMENT, §40): what a sound restore holds.
    expected_tables: tuple[str, ...] = ("public.qualifications",)
    min_rows: dict[str, int] = Field(default_factory=dict)
    newest_column: dict[str, str] = Field(default_factory=dict)
    max_newest_age_days: int | None = Field(default=7, ge=0)

    @field_validator("exit_drill_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return cron(value)

    @field_validator("second_partner_principal_arn")
    @classmethod
    def _principal(cls, value: str) -> str:
        return matching(
            value,
            _PRINCIPAL_ARN,
            "arn:<partition>:iam::<12-digit account>:root or arn:<partition>:iam::<12-digit account>:role/<name>",
        )

    @field_validator("expected_tables")
    @classmethod
    def _tables(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("got an empty list; allowed: at least one table name ('table' or 'schema.table')")
        for table in value:
            if not _TABLE_NAME.match(table):
                raise ValueError(f"got {table!r}; allowed: 'table' or 'schema.table' (letters, digits, _ and $)")
        return value

    @field_validator("min_rows")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        for table, count in value.items():
            if count < 0:
                raise ValueError(f"got {count} for {table!r}; allowed: a row count >= 0")
        return value

    @field_validator("newest_column")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        for table, column in value.items():
            if not _COLUMN_NAME.match(column):
                raise ValueError(f"got {column!r} for {table!r}; allowed: a column name (letters, digits, _ and $)")
        return value

    @model_validator(mode="after")
    def _rules(self) -> Drills:
        return run_rules(self, DRILLS_RULES)

    @property
    def second_partner_account(self) -> str:
        match = _PRINCIPAL_ARN.match(self.second_partner_principal_arn)
        assert match is not None  # the field validator refused other shapes
        return match["account"]


# Cross-field rules of Drills ---------------------------------------------------------------------


def checked_tables_expected(drills: Drills) -> None:
    """min_rows and newest_column only name tables the restore test expects."""
    for field, tables in (("min_rows", drills.min_rows), ("newest_column", drills.newest_column)):
        unknown = [t for t in tables if t not in drills.expected_tables]
        if unknown:
            raise ValueError(
                f"got table {unknown[0]!r} in drills.{field}; allowed: one of drills.expected_tables "
                f"({', '.join(drills.expected_tables)})"
            )


DRILLS_RULES = (checked_tables_expected,)


# Cross-field rules on drills (run by EnvironmentConfig) --------------------------------------------


def exit_partner_outside_led_accounts(env: EnvironmentConfig) -> None:
    """VTC-EXIT (§42-43): the exit export is for a second partner, not for the LED itself."""
    partner = env.drills.second_partner_account
    if partner in (env.accounts.workload, env.accounts.key_custody):
        raise ValueError(
            f"field 'drills.second_partner_principal_arn': got {env.drills.second_partner_principal_arn!r}, "
            f"in LED account {partner}; allowed: a principal of the second partner's own account (VTC §42-43)"
        )


def exit_partner_in_partition(env: EnvironmentConfig) -> None:
    """A principal of another partition cannot be granted the export."""
    if partition_of(env.region) != env.drills.second_partner_principal_arn.split(":")[1]:
        raise ValueError(
            f"field 'drills.second_partner_principal_arn': got {env.drills.second_partner_principal_arn!r}; "
            f"allowed: a principal of partition {partition_of(env.region)} (region {env.region})"
        )


def export_expiry_below_rotation(env: EnvironmentConfig) -> None:
    """VTC-NO-STALE-BACKUP (§47): an export is a copy of the data; it expires before the key rotates."""
    expires_before_rotation(env, "drills.exit_export_expiry_days", env.drills.exit_export_expiry_days)
