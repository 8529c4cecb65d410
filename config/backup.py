"""The backups of an environment (VTC §37-39, §47).

A new `[environments.<env>.backup]` field goes in `Backup`; a check of that field alone is a
field_validator there; a check against other tables is a rule function below, added to
ENVIRONMENT_RULES in config/environment.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from config.base import Strict, cron
from config.regions import EU_REGIONS, partition_of

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig


class Backup(Strict):
    # §38-39: daily backups, three generations.
    generations: int = Field(default=3, ge=3, le=35)
    secondary_region: str | None = None
    # governance: the vault lock can still be removed by a privileged principal (dev, acc);
    # compliance: after the grace period nobody can, AWS included.
    vault_lock_mode: Literal["governance", "compliance"] = "governance"
    restore_test_schedule: str = "cron(0 5 ? * MON *)"
    # VTC-BACKUP-ELSEWHERE (§37) / VTC-NO-STALE-BACKUP (§47): how long the copies in the backup
    # account are kept, the detection-and-response window after a silent stop of the plan: at
    # least `generations`, fewer days than keys.rotation_period_days (rules below).
    copy_retention_days: int = 14

    @field_validator("generations", mode="before")
    @classmethod
    def _generations(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and value < 3:
            raise ValueError(f"got {value}; allowed: at least 3 (VTC §39: three generations)")
        return value

    @field_validator("secondary_region")
    @classmethod
    def _secondary_in_eu(cls, value: str | None) -> str | None:
        if value is not None and value not in EU_REGIONS:
            raise ValueError(f"got {value!r}; allowed: {', '.join(EU_REGIONS)} (VTC §18-19: EU only)")
        return value

    @field_validator("restore_test_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return cron(value)


# Cross-field rules on backup (run by EnvironmentConfig) --------------------------------------------


def secondary_region_not_primary(env: EnvironmentConfig) -> None:
    """A copy in the same region is no second region."""
    if env.backup.secondary_region is not None and env.backup.secondary_region == env.region:
        raise ValueError(
            f"field 'backup.secondary_region': got {env.backup.secondary_region!r}, the "
            "primary region; allowed: another allowed region, or leave it out"
        )


def secondary_region_in_partition(env: EnvironmentConfig) -> None:
    """AWS Backup copies within a partition only."""
    secondary = env.backup.secondary_region
    if secondary is not None and partition_of(secondary) != partition_of(env.region):
        raise ValueError(
            f"field 'backup.secondary_region': got {secondary!r}, in "
            f"another partition than {env.region!r}; allowed: a region of partition {partition_of(env.region)}"
        )


def generations_below_rotation(env: EnvironmentConfig) -> None:
    """VTC-NO-STALE-BACKUP (§47): no recovery point may outlive the key it is encrypted under."""
    if env.backup.generations >= env.keys.rotation_period_days:
        raise ValueError(
            f"field 'backup.generations': got {env.backup.generations} daily generations; allowed: "
            f"fewer days than keys.rotation_period_days ({env.keys.rotation_period_days}) (VTC §47)"
        )


def copies_outlive_generations(env: EnvironmentConfig) -> None:
    """VTC-BACKUP-ELSEWHERE (§37, §39): the copies outlive the source's generations, so a stopped
    plan leaves copies to restore from for copy_retention_days."""
    if env.backup.copy_retention_days < env.backup.generations:
        raise ValueError(
            f"field 'backup.copy_retention_days': got {env.backup.copy_retention_days}; allowed: at least "
            f"backup.generations ({env.backup.generations}) (VTC §37, §39)"
        )


def copies_expire_before_rotation(env: EnvironmentConfig) -> None:
    """VTC-NO-STALE-BACKUP (§47): the copies never outlive the key either."""
    if env.backup.copy_retention_days >= env.keys.rotation_period_days:
        raise ValueError(
            f"field 'backup.copy_retention_days': got {env.backup.copy_retention_days}; allowed: fewer days "
            f"than keys.rotation_period_days ({env.keys.rotation_period_days}) (VTC §47)"
        )
