"""The air-gapped copy (VTC §37, §47): a logically air-gapped vault in the backup account.

AWS Backup keeps its recovery points in a service-owned account, under a compliance-mode lock
that nobody, the backup account's root and AWS included, can lift or shorten: a compromise of
every LED account still leaves the copies. The vault is encrypted with the FB backup key (not the
AWS-owned key AWS Backup would otherwise use), its lock keeps every copy at least the generations
and never up to the key rotation (config/backup.py AirGap), only the deployment role may change or
delete it (the same access policy as every LED vault), and it is shared through AWS RAM with the
workload account, so that restore testing there runs from it (cdk_constructs/backup.py
RestoreTesting with `source_account`).
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_backup as backup
from aws_cdk import aws_ram as ram
from constructs import Construct

from cdk_constructs.backup import vault_access_policy


def air_gapped_vault_arn(partition: str, region: str, account: str, name: str) -> str:
    """Deterministic: the workload's copy action and restore test must know it without a
    cross-account export (the same ARN shape as a standard vault's)."""
    return f"arn:{partition}:backup:{region}:{account}:backup-vault:{name}"


class AirGappedVault(Construct):
    """A logically air-gapped vault under an FB key, shared with the accounts that restore from it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vault_name: str,
        key_arn: str,
        min_retention_days: int,
        max_retention_days: int,
        copy_from_accounts: Sequence[str],
        share_with_accounts: Sequence[str],
        mpa_approval_team_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if max_retention_days < min_retention_days:
            raise ValueError("air-gapped vault: max_retention_days must be at least min_retention_days")
        if ":key/" not in key_arn:
            raise ValueError(f"air-gapped vault: {key_arn!r} is no KMS key ARN; its key is fixed at creation")
        self.vault = backup.CfnLogicallyAirGappedBackupVault(
            self,
            "Vault",
            backup_vault_name=vault_name,
            encryption_key_arn=key_arn,
            min_retention_days=min_retention_days,
            max_retention_days=max_retention_days,
            access_policy=vault_access_policy(self, copy_from_accounts),
            mpa_approval_team_arn=mpa_approval_team_arn,
        )
        # Kept on stack deletion; its logical id is pinned (tests/test_landing_zone.py): a replaced
        # vault is a new, empty one.
        self.vault.apply_removal_policy(RemovalPolicy.RETAIN)
        # Restore (and restore testing) from another account needs the vault shared with it; only
        # accounts of the organisation (no external principals).
        self.share = ram.CfnResourceShare(
            self,
            "Share",
            name=f"{vault_name}-restore",
            resource_arns=[self.vault.attr_backup_vault_arn],
            principals=list(share_with_accounts),
            allow_external_principals=False,
        )
