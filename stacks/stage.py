"""One Stage per environment: every stack of the LED landing zone, in the account it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from aws_cdk import Environment, Stack, Stage
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
S = TypeVar("S", bound=Stack)


@dataclass(frozen=True)
class _Deployment:
    """Where a stack of the stage goes and what its description says: the account (a field of the
    config's [accounts]), its name led-<env>-<role>, what it holds ({region}: its region), its
    owner and the conditions it serves, and whether it is termination-protected."""

    account: str
    role: str
    summary: str
    owner: str
    serves: str
    protected: bool = True


# Every stack of the stage, by construct id, in the order the stage creates them.
DEPLOYMENTS: dict[str, _Deployment] = {
    "KeyCustody": _Deployment(
        "key_custody",
        "key-custody",
        "customer-managed keys held by the Facilitair Bedrijf",
        FB,
        "VTC-KEY-CUSTODY, VTC-KEY-NO-PROVIDER, VTC-KEY-REENCRYPT, VTC-ENCRYPT-ALL",
    ),
    "SecondaryKeyCustody": _Deployment(
        "key_custody",
        "key-custody-secondary",
        "backup key for copies in {region}",
        FB,
        "VTC-KEY-CUSTODY, VTC-BACKUP-ELSEWHERE",
    ),
    "RemoteVault": _Deployment(
        "backup",
        "remote-vault",
        "vault in the backup account receiving every copy",
        AHOVOKS,
        "VTC-BACKUP-ELSEWHERE, VTC-BACKUP-RETENTION, VTC-NO-STALE-BACKUP",
    ),
    "SecondaryRemoteVault": _Deployment(
        "backup",
        "remote-vault-secondary",
        "vault in the backup account, {region}, receiving every copy",
        AHOVOKS,
        "VTC-BACKUP-ELSEWHERE, VTC-OUTSOURCING-2016",
    ),
    "Baseline": _Deployment(
        "workload",
        "baseline",
        "permissions boundary of every LED role",
        AHOVOKS,
        "VTC-LEAST-PRIVILEGE, VTC-PROCESSOR",
    ),
    "Network": _Deployment(
        "workload",
        "network",
        "isolated VPC, endpoints with policies, encrypted flow logs",
        AHOVOKS,
        "VTC-NO-COPY, VTC-SEC-STORAGE",
        protected=False,
    ),
    "Data": _Deployment(
        "workload",
        "data",
        "the LED database (RDS PostgreSQL)",
        AHOVOKS,
        "VTC-ENCRYPT-ALL, VTC-SEC-STORAGE, VTC-AUDIT-TRAIL, VTC-RIGHT-SIZED",
    ),
    "Backup": _Deployment(
        "workload",
        "backup",
        "daily backups, copies elsewhere, restore testing",
        AHOVOKS,
        "VTC-BACKUP-RETENTION, VTC-BACKUP-ELSEWHERE, VTC-NO-STALE-BACKUP, VTC-BACKUP-ENVIRONMENT",
    ),
    "Recovery": _Deployment(
        "workload",
        "recovery",
        "restore-test validation, exit drill, operations topic",
        AHOVOKS,
        "VTC-BACKUP-ENVIRONMENT, VTC-EXIT, VTC-AUDIT-TRAIL",
    ),
    "LogArchive": _Deployment(
        "log_archive",
        "log-archive",
        "immutable log archive (Object Lock) read directly by AHOVOKS auditors",
        AHOVOKS,
        "VTC-LOGS-DIRECT, VTC-AUDIT-TRAIL, VTC-PROCESSOR",
    ),
    "KeyCustodyAudit": _Deployment(
        "key_custody",
        "key-custody-audit",
        "trail of the key custody account and key-change alarms to AHOVOKS",
        FB,
        "VTC-KEY-CUSTODY, VTC-AUDIT-TRAIL, VTC-LOGS-DIRECT",
    ),
    "Audit": _Deployment(
        "workload",
        "audit",
        "CloudTrail, security alarms and AWS Config rules",
        AHOVOKS,
        "VTC-AUDIT-TRAIL, VTC-REGULAR-AUDIT, VTC-LOGS-DIRECT, VTC-OUTSOURCING-2016",
    ),
    "Access": _Deployment(
        "workload",
        "access",
        "one role per party: runtime, platform operator, application manager, auditor, break glass",
        AHOVOKS,
        "VTC-PROCESSOR, VTC-LEAST-PRIVILEGE, VTC-LOGS-DIRECT",
        protected=False,
    ),
}


class LandingZoneStage(Stage):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, landing_zone: LandingZoneConfig
    ) -> None:
        super().__init__(scope, construct_id)
        cfg = config
        self.config = cfg

        self.key_custody = self._deployed(KeyCustodyStack, "KeyCustody")
        self.secondary_key_custody = None
        secondary = cfg.backup.secondary_region
        if secondary is not None:
            self.secondary_key_custody = self._deployed(
                SecondaryKeyCustodyStack, "SecondaryKeyCustody", region=secondary
            )

        self.remote_vault = self._deployed(
            RemoteVaultStack, "RemoteVault", key_arn=cfg.key_arn("backup"), air_gapped=cfg.backup.air_gap.enabled
        )
        remote_arns = [remote_vault_arn(cfg, cfg.region)]
        self.secondary_remote_vault = None
        if secondary is not None:
            self.secondary_remote_vault = self._deployed(
                RemoteVaultStack, "SecondaryRemoteVault", region=secondary, key_arn=cfg.key_arn("secondary_backup")
            )
            remote_arns.append(remote_vault_arn(cfg, secondary))
        # VTC §37: the air-gapped copy, last (the copy actions of the existing vaults keep their ids).
        air_gap = air_gap_arn(cfg) if cfg.backup.air_gap.enabled else None
        if air_gap is not None:
            remote_arns.append(air_gap)

        self.baseline = self._deployed(BaselineStack, "Baseline", allowed_regions=landing_zone.allowed_regions)
        self.network = self._deployed(NetworkStack, "Network")
        self.data = self._deployed(DataStack, "Data", network=self.network.network)
        self.backup = self._deployed(
            BackupStack, "Backup", data=self.data, remote_vault_arns=remote_arns, air_gapped_vault_arn=air_gap
        )
        self.recovery = self._deployed(
            RecoveryStack, "Recovery", network=self.network.network, data=self.data, backup=self.backup
        )
        for stack in (self.network, self.data, self.backup, self.recovery):
            stack.add_stack_dependency(self.baseline)

        self._audit_and_access(landing_zone)

    def _deployed(
        self, stack_class: Callable[..., S], construct_id: str, *, region: str | None = None, **props: Any
    ) -> S:
        """The stack construct_id of DEPLOYMENTS, given the config, its account and region, its name,
        its termination protection and a description naming its owner and the conditions it serves;
        tagged with its owner (and, in the workload account, the operator)."""
        cfg = self.config
        d = DEPLOYMENTS[construct_id]
        stack = stack_class(
            self,
            construct_id,
            config=cfg,
            env=Environment(account=getattr(cfg.accounts, d.account), region=region or cfg.region),
            stack_name=stack_name(cfg, d.role),
            termination_protection=d.protected,
            description=f"LED {cfg.name}: {d.summary.format(region=region)}. Owner: {d.owner}. Serves {d.serves}.",
            **props,
        )
        tag_party(stack, environment=cfg.name, owner=d.owner, operator=OPERATOR if d.account == "workload" else None)
        return stack

    def _audit_and_access(self, landing_zone: LandingZoneConfig) -> None:
        """Issue 4: the log archive (AHOVOKS' account), the trail, alarms, Config and the roles."""
        self.log_archive = self._deployed(LogArchiveStack, "LogArchive", allowed_regions=landing_zone.allowed_regions)
        # FB's trail and key-change alarms, into AHOVOKS' archive and event bus: after both.
        self.key_custody_audit = self._deployed(
            KeyCustodyAuditStack, "KeyCustodyAudit", allowed_regions=landing_zone.allowed_regions
        )
        for dependency in (self.key_custody, self.log_archive):
            self.key_custody_audit.add_stack_dependency(dependency)
        self.audit = self._deployed(
            AuditStack,
            "Audit",
            data_tier_security_group_id=self.network.network.database_security_group.security_group_id,
        )
        self.access = self._deployed(
            AccessStack,
            "Access",
            database_resource_id=cast(str, self.data.database.instance.instance_resource_id),
        )
        # The trail and Config deliver into the archive: it exists first.
        self.audit.add_stack_dependency(self.log_archive)
        # The database and flow logs subscribe to the archive's CloudWatch Logs destinations.
        for producer in (self.network, self.data):
            producer.add_stack_dependency(self.log_archive)
        for stack in (self.audit, self.access):
            stack.add_stack_dependency(self.baseline)
