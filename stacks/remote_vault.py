"""The vault in the backup account that receives every copy ("a backup elsewhere", VTC §37)."""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from cdk_constructs.air_gap import AirGappedVault, air_gapped_vault_arn
from cdk_constructs.backup import LockedVault
from cdk_constructs.tags import mark_personal_data_store
from config import EnvironmentConfig
from contract import names


class RemoteVaultStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        key_arn: str,
        air_gapped: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.vault = LockedVault(
            self,
            "Vault",
            vault_name=names.remote_vault_name(config),
            key=kms.Key.from_key_arn(self, "BackupKey", key_arn),
            # The copies are the detection-and-response window: kept copy_retention_days (issue #9).
            min_retention_days=config.backup.copy_retention_days,
            max_retention_days=config.keys.rotation_period_days,
            compliance_mode=config.backup.vault_lock_mode == "compliance",
            copy_from_accounts=[config.accounts.workload],
        )
        mark_personal_data_store(self.vault, holds_personal_data=config.holds_personal_data)
        CfnOutput(
            self,
            "RemoteVaultArn",
            value=self.vault.vault.backup_vault_arn,
            description="Vault in the backup account receiving the LED copies (VTC §37)",
        )
        self.air_gapped_vault: AirGappedVault | None = None
        if air_gapped:
            self._air_gap(config, key_arn)

    def _air_gap(self, config: EnvironmentConfig, key_arn: str) -> None:
        """VTC §37, §47: the air-gapped copy (backup.air_gap), restore-tested from the workload account."""
        lag = config.backup.air_gap
        self.air_gapped_vault = AirGappedVault(
            self,
            "AirGap",
            vault_name=config.resource_name("air-gapped-vault"),
            key_arn=key_arn,
            min_retention_days=lag.min_retention_days,
            max_retention_days=lag.max_retention_days,
            copy_from_accounts=[config.accounts.workload],
            share_with_accounts=[config.accounts.workload],
            mpa_approval_team_arn=lag.mpa_approval_team_arn,
        )
        mark_personal_data_store(self.air_gapped_vault.vault, holds_personal_data=config.holds_personal_data)
        CfnOutput(
            self,
            "AirGappedVaultArn",
            value=self.air_gapped_vault.vault.attr_backup_vault_arn,
            description="Logically air-gapped vault receiving a copy of every LED recovery point (VTC §37)",
        )


def air_gap_arn(config: EnvironmentConfig) -> str:
    """The air-gapped vault's ARN, as the workload's copy action and restore test name it."""
    return air_gapped_vault_arn(
        Aws.PARTITION, config.region, config.accounts.backup, config.resource_name("air-gapped-vault")
    )


def remote_vault_arn(config: EnvironmentConfig, region: str) -> str:
    """Deterministic: the workload's copy action must know it without a cross-account export."""
    return names.remote_vault_arn(config, region, partition=Aws.PARTITION)
