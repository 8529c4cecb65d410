"""Stacks of the workload account: baseline (boundary), network, data, backup."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from aws_cdk import Aws, CfnOutput, CfnResource, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_constructs.audit_setup import DatabaseAuditSetup
from cdk_constructs.backup import BackupDetection, DailyBackupPlan, LockedVault, RestoreTesting
from cdk_constructs.boundary import PermissionsBoundaryPolicy, apply_boundary
from cdk_constructs.database import AuditedPostgres
from cdk_constructs.log_stream_archive import DATABASE_SOURCE, FLOW_LOGS_SOURCE, archive_destination_arn
from cdk_constructs.network import DnsFirewall, IsolatedNetwork, allowed_dns_domains
from cdk_constructs.placement import Placement
from cdk_constructs.risk import accept_risk
from cdk_constructs.tags import mark_personal_data_store
from config import EnvironmentConfig, service_domain_of

_RETENTION = {
    1: "ONE_DAY",
    3: "THREE_DAYS",
    5: "FIVE_DAYS",
    7: "ONE_WEEK",
    14: "TWO_WEEKS",
    30: "ONE_MONTH",
    60: "TWO_MONTHS",
    90: "THREE_MONTHS",
    120: "FOUR_MONTHS",
    150: "FIVE_MONTHS",
    180: "SIX_MONTHS",
    365: "ONE_YEAR",
    400: "THIRTEEN_MONTHS",
    545: "EIGHTEEN_MONTHS",
    731: "TWO_YEARS",
    1096: "THREE_YEARS",
    1827: "FIVE_YEARS",
    2192: "SIX_YEARS",
    2557: "SEVEN_YEARS",
    2922: "EIGHT_YEARS",
    3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch Logs retention for a number of days (config only admits the values it accepts)."""
    return getattr(logs.RetentionDays, _RETENTION[days])


def data_key_services(config: EnvironmentConfig) -> list[str]:
    """The application path of the data key (kms:ViaService), as the key policy grants it."""
    domain = service_domain_of(config.region)
    # Lambda: the LED functions' environments are encrypted with the data key (the key policy grants it).
    services = ("rds", "secretsmanager", "backup", "s3", "lambda")
    return [f"{service}.{config.region}.{domain}" for service in services]


def boundary_name(config: EnvironmentConfig) -> str:
    return config.resource_name("permissions-boundary")


class BaselineStack(Stack):
    """What every other workload stack relies on: the permissions boundary."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        allowed_regions: tuple[str, ...],
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.boundary = PermissionsBoundaryPolicy(
            self,
            "PermissionsBoundary",
            policy_name=boundary_name(config),
            allowed_regions=allowed_regions,
            key_custody_account=config.accounts.key_custody,
            data_key_arn=config.key_arn("data"),
            data_key_services=data_key_services(config),
        )


class _WorkloadStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        apply_boundary(self, iam.ManagedPolicy.from_managed_policy_name(self, "Boundary", boundary_name(config)))

    def fb_key(self, construct_id: str, arn: str) -> kms.IKey:
        # The FB key lives in another account: referenced by ARN, never created or administered here.
        return kms.Key.from_key_arn(self, construct_id, arn)

    def app_tier(self, config: EnvironmentConfig, network: IsolatedNetwork) -> Placement:
        """The network's app tier, where the LED functions run, under the FB data and log keys and
        the configured log retention."""
        return Placement(
            vpc=network.vpc,
            subnets=network.app_subnets,
            security_group=network.app_security_group,
            data_key=self.fb_key("DataKey", config.key_arn("data")),
            log_key=self.fb_key("LogKey", config.key_arn("log")),
            log_retention=retention(config.logs.retention_days),
        )


class NetworkStack(_WorkloadStack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        acc = config.accounts
        self.network = IsolatedNetwork(
            self,
            "Network",
            cidr=config.network.vpc_cidr,
            availability_zones=config.availability_zones,
            log_key=self.fb_key("LogKey", config.key_arn("log")),
            log_retention=retention(config.logs.retention_days),
            workload_account=acc.workload,
            key_custody_account=acc.key_custody,
            data_accounts=[acc.workload, acc.log_archive, acc.backup],
            archive_destination_arn=archive_destination_arn(config, FLOW_LOGS_SOURCE),
        )
        # The CDK acknowledges cfn-lint's W3010 on the stack itself; made here too, so that it has an
        # owner and a review date like every other acknowledgement (the gate refuses one without).
        accept_risk(
            self,
            "CloudFormation-Validate::W3010",
            "The subnets name literal Availability Zones: app.py pins them from the config (no lookup at "
            "synthesis), so a zone the account lacks fails the deployment rather than moving a subnet.",
            risk="subnets-in-literal-availability-zones",
        )
        # Issue #9: no DNS tunnelling through the VPC resolver (VTC-NO-COPY-DNS).
        self.dns_firewall = DnsFirewall(
            self,
            "DnsFirewall",
            vpc=self.network.vpc,
            name_prefix=config.resource_name("vpc"),
            allowed_domains=allowed_dns_domains(config.region, service_domain_of(config.region)),
            log_key=self.fb_key("DnsLogKey", config.key_arn("log")),
            log_retention=retention(config.logs.retention_days),
            query_log_group_name=f"/led/{config.name}/dns-queries",
        )


class DataStack(_WorkloadStack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, network: IsolatedNetwork, **kwargs
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        app_tier = self.app_tier(config, network)
        self.database = AuditedPostgres(
            self,
            "Database",
            # The data tier, under the same keys.
            placement=replace(app_tier, subnets=network.data_subnets, security_group=network.database_security_group),
            settings=config.database,
            instance_identifier=config.resource_name("db"),
            backup_retention_days=config.backup_retention_days,
            archive_destination_arn=archive_destination_arn(config, DATABASE_SOURCE),
        )
        mark_personal_data_store(self.database, holds_personal_data=config.holds_personal_data)
        # A new construct beside the database: the database's own logical ids stay as they are.
        self.audit_setup = DatabaseAuditSetup(
            self,
            "AuditSetup",
            database=self.database,
            placement=app_tier,
            database_name=config.database.database_name,
            validator_tables=config.drills.expected_tables,
        )
        CfnOutput(
            self,
            "DatabaseArn",
            value=self.database.instance.instance_arn,
            description="The LED database (encrypted with the FB data key)",
        )


class BackupStack(_WorkloadStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        remote_vault_arns: list[str],
        air_gapped_vault_arn: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        self.vault = LockedVault(
            self,
            "Vault",
            vault_name=config.resource_name("vault"),
            key=self.fb_key("BackupKey", config.key_arn("backup")),
            min_retention_days=config.backup_retention_days,
            max_retention_days=config.keys.rotation_period_days,
            compliance_mode=config.backup.vault_lock_mode == "compliance",
        )
        mark_personal_data_store(self.vault, holds_personal_data=config.holds_personal_data)
        database = data.database
        self.plan = DailyBackupPlan(
            self,
            "Plan",
            plan_name=config.resource_name("daily"),
            vault=self.vault.vault,
            generations=config.backup.generations,
            copy_vault_arns=remote_vault_arns,
            database=database.instance,
            copy_retention_days=config.backup.copy_retention_days,
        )
        # Issue #9: a stopped plan is noticed within a day, on the audit stack's alarm topic.
        self.detection = BackupDetection(
            self,
            "Detection",
            framework_name=f"led_{config.name}_backup_detection",
            alarm_prefix=config.resource_name("alarm"),
            vault_name=config.resource_name("vault"),
            alarm_topic_arn=(
                f"arn:{Aws.PARTITION}:sns:{config.region}:{config.accounts.workload}:"
                f"{config.resource_name('security-alarms')}"
            ),
            generations=config.backup.generations,
            max_retention_days=config.keys.rotation_period_days,
        )
        tier = {
            "database": database.instance,
            "subnet_group_name": cast(
                CfnResource, database.instance.node.find_child("SubnetGroup").node.default_child
            ).ref,
            "security_group_id": database.security_group.security_group_id,
        }
        self.restore_testing = RestoreTesting(
            self,
            "RestoreTesting",
            plan_name=f"led_{config.name}_restore_test",
            schedule=config.backup.restore_test_schedule,
            vault_arn=self.vault.vault.backup_vault_arn,
            **tier,
        )
        # VTC §40 from the air-gapped copy (§37): its recovery points restore too, tested on their own
        # schedule from the vault the backup account shares with this account (AWS RAM).
        self.air_gap_restore_testing: RestoreTesting | None = None
        if air_gapped_vault_arn is not None:
            self.air_gap_restore_testing = RestoreTesting(
                self,
                "AirGapRestoreTesting",
                plan_name=f"led_{config.name}_air_gap_restore_test",
                schedule=config.backup.air_gap.restore_test_schedule,
                vault_arn=air_gapped_vault_arn,
                source_account=config.accounts.backup,
                **tier,
            )
        CfnOutput(
            self,
            "VaultArn",
            value=self.vault.vault.backup_vault_arn,
            description="Primary backup vault (FB backup key, vault lock)",
        )
        for i, arn in enumerate(remote_vault_arns):
            CfnOutput(self, f"CopyDestination{i}", value=arn, description="Vault that receives every copy (VTC §37)")
