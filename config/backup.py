"""The backups of an environment (VTC §37-39, §47).

A new `[environments.<env>.backup]` field goes in `Backup`; a check of that field alone is a
field_validator there; a check against other tables is a rule function below, added to
ENVIRONMENT_RULES in config/environment.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from config.base import Strict, cron, matching
from config.keys import expires_before_rotation
from config.regions import EU_REGIONS, partition_of

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig


# AWS Backup's floor for a logically air-gapped vault's MinRetentionDays.
AIR_GAP_MIN_RETENTION_FLOOR = 7
MPA_TEAM_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-eusc):mpa:[a-z0-9-]{1,20}:(?P<account>\d{12}):approval-team/[a-zA-Z0-9._-]+$"
)


class AirGap(Strict):
    """A logically air-gapped vault in the backup account that receives a copy of every recovery point
    (VTC §37) under the FB backup key, in compliance mode (AWS Backup allows no other), and from which
    restore testing runs (§40). MinRetentionDays, MaxRetentionDays and the key cannot change once the
    vault exists (CloudFormation replaces it), hence a roomy default maximum: the copy window can grow
    to 60 days without a new vault, and 60 stays below the shortest rotation period KMS allows (90).
    Checked against the generations, the copy window and the key rotation by the air_gap_* rules below."""

    enabled: bool = False
    min_retention_days: int = AIR_GAP_MIN_RETENTION_FLOOR
    max_retention_days: int = 60
    # Optional: the Multi-party approval team (in the organisation's management account) that can
    # grant access to the vault when the backup account itself is lost or compromised.
    mpa_approval_team_arn: str | None = None
    # Weekly, two days after the primary vault's restore test (backup.restore_test_schedule).
    restore_test_schedule: str = "cron(0 5 ? * WED *)"

    @field_validator("min_retention_days")
    @classmethod
    def _floor(cls, value: int) -> int:
        if value < AIR_GAP_MIN_RETENTION_FLOOR:
            raise ValueError(
                f"got {value}; allowed: at least {AIR_GAP_MIN_RETENTION_FLOOR} (AWS Backup's minimum for a "
                "logically air-gapped vault)"
            )
        return value

    @field_validator("mpa_approval_team_arn")
    @classmethod
    def _team_arn(cls, value: str | None) -> str | None:
        return matching(
            value,
            MPA_TEAM_ARN,
            "a Multi-party approval team ARN arn:<partition>:mpa:<region>:<12-digit account>:approval-team/<id>",
        )

    @field_validator("restore_test_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return cron(value)


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
    air_gap: AirGap = AirGap()

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
    expires_before_rotation(env, "backup.generations", env.backup.generations, " daily generations")


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
    expires_before_rotation(env, "backup.copy_retention_days", env.backup.copy_retention_days)


# The air-gapped copy (VTC-BACKUP-ELSEWHERE §37, VTC-NO-STALE-BACKUP §47); each rule is silent while
# backup.air_gap.enabled is false.
_LAG = "backup.air_gap"


def air_gap_window_ordered(env: EnvironmentConfig) -> None:
    lag = env.backup.air_gap
    if lag.enabled and lag.max_retention_days < lag.min_retention_days:
        raise ValueError(
            f"field '{_LAG}.max_retention_days': got {lag.max_retention_days}; allowed: at least "
            f"{_LAG}.min_retention_days ({lag.min_retention_days})"
        )


def air_gap_lock_keeps_generations(env: EnvironmentConfig) -> None:
    """The compliance lock guarantees every copy at least the generations (§39)."""
    lag, b = env.backup.air_gap, env.backup
    if lag.enabled and lag.min_retention_days < b.generations:
        raise ValueError(
            f"field '{_LAG}.min_retention_days': got {lag.min_retention_days}; allowed: at least "
            f"backup.generations ({b.generations}) (VTC §39)"
        )


def air_gap_lock_fits_copies(env: EnvironmentConfig) -> None:
    """AWS Backup refuses a copy whose lifecycle falls outside the lock (the copy job fails)."""
    lag, days = env.backup.air_gap, env.backup.copy_retention_days
    if not lag.enabled:
        return
    for field, value, ok, bound in (
        ("min_retention_days", lag.min_retention_days, lag.min_retention_days <= days, "at most"),
        ("max_retention_days", lag.max_retention_days, lag.max_retention_days >= days, "at least"),
    ):
        if not ok:
            raise ValueError(
                f"field '{_LAG}.{field}': got {value}; allowed: {bound} backup.copy_retention_days ({days}): "
                "the copies must fit the lock"
            )


def air_gap_expires_before_rotation(env: EnvironmentConfig) -> None:
    """Nothing in the vault may still exist when the key rotates, so re-encryption is never blocked (§47)."""
    if env.backup.air_gap.enabled:
        expires_before_rotation(env, f"{_LAG}.max_retention_days", env.backup.air_gap.max_retention_days)


def air_gap_key_is_an_arn(env: EnvironmentConfig) -> None:
    """The vault's key is fixed at creation: the key ARN FB handed over, never the alias."""
    if env.backup.air_gap.enabled and env.keys.backup_key_arn is None:
        raise ValueError(
            "field 'keys.backup_key_arn': missing; allowed: the ARN of the FB backup key in account "
            f"{env.accounts.key_custody}, region {env.region} (required by {_LAG}.enabled: a logically "
            "air-gapped vault's key cannot change)"
        )


def air_gap_team_independent(env: EnvironmentConfig) -> None:
    """The approval team lives in this partition and outside the LED accounts."""
    lag = env.backup.air_gap
    team = MPA_TEAM_ARN.match(lag.mpa_approval_team_arn or "") if lag.enabled else None
    if team and team["partition"] != env.partition:
        raise ValueError(
            f"field '{_LAG}.mpa_approval_team_arn': got {lag.mpa_approval_team_arn!r}, in partition "
            f"{team['partition']}; allowed: partition {env.partition} (region {env.region})"
        )
    if team and team["account"] in env.accounts.all():
        raise ValueError(
            f"field '{_LAG}.mpa_approval_team_arn': got {lag.mpa_approval_team_arn!r}, in LED account "
            f"{team['account']}; allowed: a team of the organisation's management account (an approval "
            "path that falls with an LED account is no independent path)"
        )
