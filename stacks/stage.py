"""One Stage per environment: every stack of the LED landing zone, in the account it belongs to."""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import Environment, Stage
from constructs import Construct

from cdk_constructs.tags import tag_party
from config import EnvironmentConfig, LandingZoneConfig
from contract.names import stack_name
from contract.parties import AHOVOKS, FB, OPERATOR_PARTY
from stacks.access import AccessStack
from stacks.audit import AuditStack
from stacks.key_custody import KeyCustodyAuditStack, KeyCustodyStack, SecondaryKeyCustodyStack
from stacks.log_archive import LogArchiveStack
from stacks.recovery import RecoveryStack
from stacks.remote_vault import RemoteVaultStack, air_gap_arn, remote_vault_arn
from stacks.workload import BackupStack, BaselineStack, DataStack, NetworkStack

OPERATOR = OPERATOR_PARTY


class LandingZoneStage(Stage):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, landing_zone: LandingZoneConfig
    ) -> None:
        super().__init__(scope, construct_id)
        cfg = config
        acc = cfg.accounts
        self.config = cfg

        self.key_custody = KeyCustodyStack(
            self,
            "KeyCustody",
            **self._deployed(
                acc.key_custody,
                "key-custody",
                "customer-managed keys held by the Facilitair Bedrijf",
                FB,
                "VTC-KEY-CUSTODY, VTC-KEY-NO-PROVIDER, VTC-KEY-REENCRYPT, VTC-ENCRYPT-ALL",
            ),
        )
        tag_party(self.key_custody, environment=cfg.name, owner=FB)
        self.secondary_key_custody = None
        secondary = cfg.backup.secondary_region
        if secondary is not None:
            self.secondary_key_custody = SecondaryKeyCustodyStack(
                self,
                "SecondaryKeyCustody",
                **self._deployed(
                    acc.key_custody,
                    "key-custody-secondary",
                    f"backup key for copies in {secondary}",
                    FB,
                    "VTC-KEY-CUSTODY, VTC-BACKUP-ELSEWHERE",
                    region=secondary,
                ),
            )
            tag_party(self.secondary_key_custody, environment=cfg.name, owner=FB)

        self.remote_vault = RemoteVaultStack(
            self,
            "RemoteVault",
            key_arn=cfg.key_arn("backup"),
            air_gapped=cfg.backup.air_gap.enabled,
            **self._deployed(
                acc.backup,
                "remote-vault",
                "vault in the backup account receiving every copy",
                AHOVOKS,
                "VTC-BACKUP-ELSEWHERE, VTC-BACKUP-RETENTION, VTC-NO-STALE-BACKUP",
            ),
        )
        tag_party(self.remote_vault, environment=cfg.name, owner=AHOVOKS)
        remote_arns = [remote_vault_arn(cfg, cfg.region)]
        self.secondary_remote_vault = None
        if secondary is not None:
            self.secondary_remote_vault = RemoteVaultStack(
                self,
                "SecondaryRemoteVault",
                key_arn=cfg.key_arn("secondary_backup"),
                **self._deployed(
                    acc.backup,
                    "remote-vault-secondary",
                    f"vault in the backup account, {secondary}, receiving every copy",
                    AHOVOKS,
                    "VTC-BACKUP-ELSEWHERE, VTC-OUTSOURCING-2016",
                    region=secondary,
                ),
            )
            tag_party(self.secondary_remote_vault, environment=cfg.name, owner=AHOVOKS)
            remote_arns.append(remote_vault_arn(cfg, secondary))
        # VTC §37: the air-gapped copy, last (the copy actions of the existing vaults keep their ids).
        air_gap = air_gap_arn(cfg) if cfg.backup.air_gap.enabled else None
        if air_gap is not None:
            remote_arns.append(air_gap)

        self.baseline = BaselineStack(
            self,
            "Baseline",
            allowed_regions=landing_zone.allowed_regions,
            **self._deployed(
                acc.workload,
                "baseline",
                "permissions boundary of every LED role",
                AHOVOKS,
                "VTC-LEAST-PRIVILEGE, VTC-PROCESSOR",
            ),
        )
        self.network = NetworkStack(
            self,
            "Network",
            **self._deployed(
                acc.workload,
                "network",
                "isolated VPC, endpoints with policies, encrypted flow logs",
                AHOVOKS,
                "VTC-NO-COPY, VTC-SEC-STORAGE",
                protected=False,
            ),
        )
        self.data = DataStack(
            self,
            "Data",
            network=self.network.network,
            **self._deployed(
                acc.workload,
                "data",
                "the LED database (RDS PostgreSQL)",
                AHOVOKS,
                "VTC-ENCRYPT-ALL, VTC-SEC-STORAGE, VTC-AUDIT-TRAIL, VTC-RIGHT-SIZED",
            ),
        )
        self.backup = BackupStack(
            self,
            "Backup",
            data=self.data,
            remote_vault_arns=remote_arns,
            air_gapped_vault_arn=air_gap,
            **self._deployed(
                acc.workload,
                "backup",
                "daily backups, copies elsewhere, restore testing",
                AHOVOKS,
                "VTC-BACKUP-RETENTION, VTC-BACKUP-ELSEWHERE, VTC-NO-STALE-BACKUP, VTC-BACKUP-ENVIRONMENT",
            ),
        )
        self.recovery = RecoveryStack(
            self,
            "Recovery",
            network=self.network.network,
            data=self.data,
            backup=self.backup,
            **self._deployed(
                acc.workload,
                "recovery",
                "restore-test validation, exit drill, operations topic",
                AHOVOKS,
                "VTC-BACKUP-ENVIRONMENT, VTC-EXIT, VTC-AUDIT-TRAIL",
            ),
        )
        for stack in (self.network, self.data, self.backup, self.recovery):
            stack.add_stack_dependency(self.baseline)
        for workload_stack in (self.baseline, self.network, self.data, self.backup, self.recovery):
            tag_party(workload_stack, environment=cfg.name, owner=AHOVOKS, operator=OPERATOR)

        self._audit_and_access(cfg, landing_zone)

    def _deployed(
        self,
        account: str,
        role: str,
        summary: str,
        owner: str,
        serves: str,
        *,
        region: str | None = None,
        protected: bool = True,
    ) -> dict[str, Any]:
        """What every stack of the stage is given: the config, its account and region, its name, its
        termination protection, and a description naming its owner and the conditions it serves."""
        cfg = self.config
        return {
            "config": cfg,
            "env": Environment(account=account, region=region or cfg.region),
            "stack_name": stack_name(cfg, role),
            "termination_protection": protected,
            "description": f"LED {cfg.name}: {summary}. Owner: {owner}. Serves {serves}.",
        }

    def _audit_and_access(self, cfg: EnvironmentConfig, landing_zone: LandingZoneConfig) -> None:
        """Issue 4: the log archive (AHOVOKS' account), the trail, alarms, Config and the roles."""
        acc = cfg.accounts
        self.log_archive = LogArchiveStack(
            self,
            "LogArchive",
            allowed_regions=landing_zone.allowed_regions,
            **self._deployed(
                acc.log_archive,
                "log-archive",
                "immutable log archive (Object Lock) read directly by AHOVOKS auditors",
                AHOVOKS,
                "VTC-LOGS-DIRECT, VTC-AUDIT-TRAIL, VTC-PROCESSOR",
            ),
        )
        tag_party(self.log_archive, environment=cfg.name, owner=AHOVOKS)
        # FB's trail and key-change alarms, into AHOVOKS' archive and event bus: after both.
        self.key_custody_audit = KeyCustodyAuditStack(
            self,
            "KeyCustodyAudit",
            allowed_regions=landing_zone.allowed_regions,
            **self._deployed(
                acc.key_custody,
                "key-custody-audit",
                "trail of the key custody account and key-change alarms to AHOVOKS",
                FB,
                "VTC-KEY-CUSTODY, VTC-AUDIT-TRAIL, VTC-LOGS-DIRECT",
            ),
        )
        tag_party(self.key_custody_audit, environment=cfg.name, owner=FB)
        for dependency in (self.key_custody, self.log_archive):
            self.key_custody_audit.add_stack_dependency(dependency)
        self.audit = AuditStack(
            self,
            "Audit",
            data_tier_security_group_id=self.network.network.database_security_group.security_group_id,
            **self._deployed(
                acc.workload,
                "audit",
                "CloudTrail, security alarms and AWS Config rules",
                AHOVOKS,
                "VTC-AUDIT-TRAIL, VTC-REGULAR-AUDIT, VTC-LOGS-DIRECT, VTC-OUTSOURCING-2016",
            ),
        )
        self.access = AccessStack(
            self,
            "Access",
            database_resource_id=cast(str, self.data.database.instance.instance_resource_id),
            **self._deployed(
                acc.workload,
                "access",
                "one role per party: runtime, platform operator, application manager, auditor, break glass",
                AHOVOKS,
                "VTC-PROCESSOR, VTC-LEAST-PRIVILEGE, VTC-LOGS-DIRECT",
                protected=False,
            ),
        )
        # The trail and Config deliver into the archive: it exists first.
        self.audit.add_stack_dependency(self.log_archive)
        # The database and flow logs subscribe to the archive's CloudWatch Logs destinations.
        for producer in (self.network, self.data):
            producer.add_stack_dependency(self.log_archive)
        for stack in (self.audit, self.access):
            stack.add_stack_dependency(self.baseline)
            tag_party(stack, environment=cfg.name, owner=AHOVOKS, operator=OPERATOR)
