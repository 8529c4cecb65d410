"""Key custody stack: the Facilitair Bedrijf's keys for one environment (VTC §44-46, §51)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Stack
from constructs import Construct

from cdk_constructs.custody_key import CustodyKey, ServicePrincipalUse, ServiceUse
from config import EnvironmentConfig, service_domain_of


class KeyCustodyStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config
        domain = service_domain_of(cfg.region)
        acc = cfg.accounts
        partition = Aws.PARTITION

        def via(*services: str, region: str = cfg.region) -> list[str]:
            return [f"{s}.{region}.{domain}" for s in services]

        common: dict[str, Any] = dict(
            admin_principal_arns=_admins(cfg, cfg.region),
            rotation_period_days=cfg.keys.rotation_period_days,
            imported_key_material=cfg.keys.imported_key_material,
        )

        self.data_key = CustodyKey(
            self,
            "DataKey",
            alias_name=cfg.key_alias_name("data"),
            description=f"LED {cfg.name}: data key (database, snapshots, secrets, Performance Insights)",
            service_uses=[
                # The backup account needs the data key to copy RDS recovery points in (§37).
                # Lambda: the LED functions' environments (drills, audit setup) are under this key.
                ServiceUse(
                    sid="WorkloadUseThroughDataServices",
                    accounts=[acc.workload, acc.backup],
                    services=via("rds", "secretsmanager", "backup", "s3", "lambda"),
                ),
                # VTC-EXIT (§42-43): the second partner reads the exit exports, through S3 only.
                ServiceUse(
                    sid="SecondPartnerReadsExitExports",
                    accounts=[cfg.drills.second_partner_account],
                    services=via("s3"),
                    actions=("kms:Decrypt", "kms:DescribeKey"),
                    grants=False,
                ),
            ],
            **common,
        )
        self.backup_key = CustodyKey(
            self,
            "BackupKey",
            alias_name=cfg.key_alias_name("backup"),
            description=f"LED {cfg.name}: backup vault key (primary region)",
            service_uses=[
                ServiceUse(
                    sid="BackupUseThroughAwsBackup", accounts=[acc.workload, acc.backup], services=via("backup", "rds")
                ),
            ],
            **common,
        )
        log_context_arn = f"arn:{partition}:logs:{cfg.region}:{acc.workload}:log-group:*"
        # The workload's trail, and the log archive's own trail of reads of the archive.
        trail_context_arns = [f"arn:{partition}:cloudtrail:*:{a}:trail/*" for a in (acc.workload, acc.log_archive)]
        self.log_key = CustodyKey(
            self,
            "LogKey",
            alias_name=cfg.key_alias_name("log"),
            description=f"LED {cfg.name}: log key (log groups, trail, log archive, alarms topic)",
            service_uses=[
                # The log archive bucket (SSE-KMS) is written and read through S3 only.
                ServiceUse(sid="LogArchiveUseThroughS3", accounts=[acc.log_archive, acc.workload], services=via("s3")),
                ServiceUse(sid="WorkloadUseThroughSns", accounts=[acc.workload], services=via("sns")),
            ],
            service_principal_uses=[
                ServicePrincipalUse(
                    sid="CloudWatchLogsOfWorkload",
                    principal=f"logs.{cfg.region}.{domain}",
                    actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_context_arn}},
                ),
                ServicePrincipalUse(
                    sid="CloudTrailOfWorkloadAndArchive",
                    principal=f"cloudtrail.{domain}",
                    actions=["kms:GenerateDataKey*", "kms:DescribeKey"],
                    conditions={
                        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trail_context_arns},
                        "StringEquals": {"aws:SourceAccount": [acc.workload, acc.log_archive]},
                    },
                ),
                ServicePrincipalUse(
                    sid="CloudWatchAlarmsOfWorkload",
                    principal=f"cloudwatch.{domain}",
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    conditions={"StringEquals": {"aws:SourceAccount": acc.workload}},
                ),
                # AWS Config delivers snapshots and history into the log archive bucket (SSE-KMS).
                ServicePrincipalUse(
                    sid="ConfigDeliveryOfWorkload",
                    principal=f"config.{domain}",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    conditions={"StringEquals": {"aws:SourceAccount": acc.workload}},
                ),
                # EventBridge publishes backup and restore-test failures to the alarm topic.
                ServicePrincipalUse(
                    sid="EventBridgeAlarmsOfWorkload",
                    principal=f"events.{domain}",
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    conditions={"StringEquals": {"aws:SourceAccount": acc.workload}},
                ),
            ],
            **common,
        )
        keys = {"DataKeyArn": self.data_key, "BackupKeyArn": self.backup_key, "LogKeyArn": self.log_key}
        for output, key in keys.items():
            CfnOutput(
                self,
                output,
                value=key.key_arn,
                description="Put this ARN into the environment's [keys] table of the LED config",
            )


class SecondaryKeyCustodyStack(Stack):
    """The FB backup key in the secondary region, for the copies kept there (VTC §37)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config
        region = cfg.backup.secondary_region
        assert region is not None, "SecondaryKeyCustodyStack needs backup.secondary_region"
        acc = cfg.accounts
        domain = service_domain_of(region)
        self.backup_key = CustodyKey(
            self,
            "SecondaryBackupKey",
            alias_name=cfg.key_alias_name("secondary_backup"),
            description=f"LED {cfg.name}: backup vault key ({region}, copies)",
            admin_principal_arns=_admins(cfg, region),
            service_uses=[
                ServiceUse(
                    sid="BackupUseThroughAwsBackup",
                    accounts=[acc.workload, acc.backup],
                    services=[f"backup.{region}.{domain}", f"rds.{region}.{domain}"],
                ),
            ],
            rotation_period_days=cfg.keys.rotation_period_days,
            imported_key_material=cfg.keys.imported_key_material,
        )
        CfnOutput(
            self,
            "SecondaryBackupKeyArn",
            value=self.backup_key.key_arn,
            description="Put this ARN into keys.secondary_backup_key_arn of the LED config",
        )


def _admins(cfg: EnvironmentConfig, region: str) -> list[str]:
    """The FB administration path: FB's key-administrator role, and the CloudFormation execution
    role that deploys the key stacks in FB's account (without it CloudFormation could not update
    the key policy it created)."""
    acc = cfg.accounts.key_custody
    return [
        f"arn:{Aws.PARTITION}:iam::{acc}:role/{cfg.keys.key_admin_role_name}",
        f"arn:{Aws.PARTITION}:iam::{acc}:role/cdk-hnb659fds-cfn-exec-role-{acc}-{region}",
    ]
