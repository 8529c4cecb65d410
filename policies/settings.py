"""What the VTC pack needs to know about an environment, taken from the validated config.

The pack maps a resource to its environment by the name of its enclosing Stage (stage name ==
environment name in config/environments.toml); constructs never look anything up themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import CDK_DEFAULT_QUALIFIER, OPERATOR_PARTY, EnvironmentConfig, LandingZoneConfig
from config.xks import XKS_HANDLER_ROLE_PREFIX


@dataclass(frozen=True, kw_only=True)
class Settings:
    environment: str
    holds_personal_data: bool
    allowed_regions: tuple[str, ...]
    rotation_period_days: int  # VTC-KEY-REENCRYPT bound (§46), also the bound of every retention (§47)
    generations: int  # daily recovery points kept (§39)
    copy_retention_days: int  # days the copies elsewhere are kept: the detection-and-response window (§37)
    key_custody_account: str
    key_admin_role_name: str
    workload_account: str
    log_archive_account: str
    region: str
    partition: str
    operator_party: str  # the led:party tag value of the platform operator's roles (VTC-PROCESSOR)
    data_key_arn: str | None  # the configured data key ARN (None until FB hands it over)
    backup_key_arn: str | None  # the configured backup key ARN of the primary region (None likewise)
    log_archive_bucket: str

    @classmethod
    def of(cls, landing_zone: LandingZoneConfig, env: EnvironmentConfig) -> Settings:
        return cls(
            environment=env.name,
            holds_personal_data=env.holds_personal_data,
            allowed_regions=tuple(landing_zone.allowed_regions),
            rotation_period_days=env.keys.rotation_period_days,
            generations=env.backup.generations,
            copy_retention_days=env.backup.copy_retention_days,
            key_custody_account=env.accounts.key_custody,
            key_admin_role_name=env.keys.key_admin_role_name,
            workload_account=env.accounts.workload,
            log_archive_account=env.accounts.log_archive,
            region=env.region,
            partition=env.partition,
            operator_party=OPERATOR_PARTY,
            data_key_arn=env.keys.data_key_arn,
            backup_key_arn=env.keys.backup_key_arn,
            log_archive_bucket=env.log_archive_bucket_name,
        )

    def is_key_admin(self, principal: str) -> bool:
        """The FB administration path: FB's key-administrator role, the CloudFormation execution
        role that deploys the key stacks and, for keys in FB's external key store, the role of the
        custom resource that creates them (cdk_constructs/xks_keys.py), all in the key custody
        account (§51)."""
        prefix = f":iam::{self.key_custody_account}:role/"
        if not principal.startswith("arn:") or prefix not in principal:
            return False
        name = principal.split(prefix, 1)[1]
        return (
            name == self.key_admin_role_name
            or name.startswith(f"cdk-{CDK_DEFAULT_QUALIFIER}-cfn-exec-role-{self.key_custody_account}-")
            or name.startswith(f"{XKS_HANDLER_ROLE_PREFIX}{self.environment}-")
        )
