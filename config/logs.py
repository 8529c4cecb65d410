"""The retention of an environment's CloudWatch logs (VTC-AUDIT-TRAIL, §49)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import field_validator

from config.base import Strict

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


class Logs(Strict):
    # VTC-AUDIT-TRAIL: logs outlive the backups (rule below).
    retention_days: int = 365

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"got {value}; allowed: one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return value


# Cross-field rules on logs (run by EnvironmentConfig) ----------------------------------------------


def logs_outlive_backups(env: EnvironmentConfig) -> None:
    """VTC-AUDIT-TRAIL (§49): the audit trail outlives every backup."""
    outlives_backups(env, "logs.retention_days", env.logs.retention_days)


def outlives_backups(env: EnvironmentConfig, field: str, days: int) -> None:
    """VTC-AUDIT-TRAIL (§49): what records the audit trail is kept longer than any recovery point."""
    if days < env.longest_backup_retention_days:
        raise ValueError(
            f"field '{field}': got {days}; allowed: at least the "
            f"backup retention ({env.longest_backup_retention_days} days, copies included)"
        )
