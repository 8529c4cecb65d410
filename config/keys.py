"""The customer-managed keys the Facilitair Bedrijf holds for an environment (VTC §45-46, §51).

A new `[environments.<env>.keys]` field goes in `Keys`; a check of that field alone is a
field_validator there; a check against other tables is a rule function below, added to
ENVIRONMENT_RULES in config/environment.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from config.base import IAM_NAME, Strict, matching
from config.regions import partition_of
from config.xks import ExternalKeyStore, Origin, origin_problem

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig

KEY_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-eusc):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"key/(?P<key_id>mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


class Keys(Strict):
    """The customer-managed keys the Facilitair Bedrijf holds for this environment."""

    # VTC-KEY-REENCRYPT (§46): rotation with a bounded period; KMS allows 90-2560 days.
    rotation_period_days: int = Field(default=365, ge=90, le=2560)
    # §45: who holds the key material. AWS_KMS: KMS; EXTERNAL: FB imports it from its crypto module;
    # EXTERNAL_KEY_STORE: it never leaves FB's key manager, reached through FB's XKS proxy (config/xks.py).
    origin: Origin = "AWS_KMS"
    external_key_store: ExternalKeyStore | None = None
    imported_key_material: bool | None = None  # replaced by origin: refused with a pointer to it
    key_admin_role_name: str = "led-fb-key-admin"
    data_key_arn: str | None = None
    backup_key_arn: str | None = None
    log_key_arn: str | None = None
    secondary_backup_key_arn: str | None = None

    @field_validator("imported_key_material")
    @classmethod
    def _renamed(cls, value: object) -> None:
        if value is None:  # absent (or a model dump of a valid config)
            return None
        raise ValueError(
            f"got {value!r}: the field is replaced; allowed: keys.origin = 'EXTERNAL' (imported material), "
            "'EXTERNAL_KEY_STORE' (FB's key manager through XKS) or 'AWS_KMS' (the default)"
        )

    @field_validator("key_admin_role_name")
    @classmethod
    def _role_name(cls, value: str) -> str:
        return matching(value, IAM_NAME, "an IAM role name (1-64 of A-Za-z0-9+=,.@_-)")

    @field_validator("data_key_arn", "backup_key_arn", "log_key_arn", "secondary_backup_key_arn")
    @classmethod
    def _key_arn(cls, value: str | None) -> str | None:
        return matching(value, KEY_ARN, "a KMS key ARN arn:<partition>:kms:<region>:<12-digit account>:key/<key id>")


# Cross-field rules on keys (run by EnvironmentConfig) ----------------------------------------------


def _configured_keys(env: EnvironmentConfig) -> dict[str, tuple[str | None, str]]:
    """Each key ARN field with the region its key must be in."""
    keys = {
        "data_key_arn": (env.keys.data_key_arn, env.region),
        "backup_key_arn": (env.keys.backup_key_arn, env.region),
        "log_key_arn": (env.keys.log_key_arn, env.region),
    }
    if env.backup.secondary_region is not None:
        keys["secondary_backup_key_arn"] = (env.keys.secondary_backup_key_arn, env.backup.secondary_region)
    return keys


def _given_keys(env: EnvironmentConfig) -> list[tuple[str, str, re.Match[str], str]]:
    """(field, ARN, its parts, the region it must be in) of every configured key ARN."""
    given = []
    for field, (arn, region) in _configured_keys(env).items():
        if arn is not None:
            match = KEY_ARN.match(arn)
            assert match is not None  # the field validator already refused other shapes
            given.append((field, arn, match, region))
    return given


def personal_data_needs_keys(env: EnvironmentConfig) -> None:
    """VTC-GATE: personal data never lands before FB's keys are known."""
    if not env.holds_personal_data:
        return
    for field, (arn, region) in _configured_keys(env).items():
        if arn is None:
            raise ValueError(
                f"field 'keys.{field}': missing; allowed: the ARN of the key the Facilitair "
                f"Bedrijf created in account {env.accounts.key_custody}, region {region} "
                "(required because holds_personal_data = true)"
            )


def keys_in_key_custody_account(env: EnvironmentConfig) -> None:
    """VTC-KEY-CUSTODY (§51): every key lives in FB's account."""
    for field, arn, match, _ in _given_keys(env):
        if match["account"] != env.accounts.key_custody:
            raise ValueError(
                f"field 'keys.{field}': got {arn!r}, in account {match['account']}; allowed: a key "
                f"in the key custody account {env.accounts.key_custody} (VTC §51)"
            )


def keys_in_their_region(env: EnvironmentConfig) -> None:
    """A key encrypts in its own region only: the primary one, the secondary backup's for that key."""
    for field, arn, match, region in _given_keys(env):
        if match["region"] != region:
            raise ValueError(
                f"field 'keys.{field}': got {arn!r}, in region {match['region']}; allowed: a key in region {region}"
            )


def keys_in_partition(env: EnvironmentConfig) -> None:
    """A key of another partition cannot be used at all."""
    partition = partition_of(env.region)
    for field, arn, match, region in _given_keys(env):
        if match["partition"] != partition:
            raise ValueError(
                f"field 'keys.{field}': got {arn!r}, in partition {match['partition']}; allowed: "
                f"partition {partition} (region {region})"
            )


def expires_before_rotation(env: EnvironmentConfig, field: str, days: int, unit: str = "") -> None:
    """VTC-NO-STALE-BACKUP (§47): nothing kept under a key may outlive the key's rotation period
    (the backup, copy and export rules)."""
    if days >= env.keys.rotation_period_days:
        raise ValueError(
            f"field '{field}': got {days}{unit}; allowed: fewer days than keys.rotation_period_days "
            f"({env.keys.rotation_period_days}) (VTC §47)"
        )


def origin_supported(env: EnvironmentConfig) -> None:
    """§45: the origin AWS can hold in this region, with these services (config/xks.py)."""
    problem = origin_problem(
        origin=env.keys.origin,
        store=env.keys.external_key_store,
        region=env.region,
        secondary_region=env.backup.secondary_region,
        key_custody_account=env.accounts.key_custody,
        key_arns={field: arn for field, (arn, _) in _configured_keys(env).items()},
    )
    if problem:
        raise ValueError(problem)
