"""What AWS Config re-checks every day in the workload account: the VTC pack's checks, repeated
in production (the regular internal security audit of VTC-REGULAR-AUDIT §11, §24-27).

Data only; cdk_constructs/config_audit.py turns each entry into a managed rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_config as config_

from config import EnvironmentConfig


@dataclass(frozen=True)
class AuditRule:
    """One AWS Config managed rule and the VTC check it repeats in production."""

    construct_id: str
    identifier: str
    vtc: str
    periodic: bool = False
    parameters: dict | None = None


def audit_rules(cfg: EnvironmentConfig) -> list[AuditRule]:
    ids = config_.ManagedRuleIdentifiers
    no_boundary = {"excludePermissionBoundaryPolicy": True}
    return [
        AuditRule("CloudTrailEnabled", ids.CLOUD_TRAIL_ENABLED, "VTC-AUDIT-TRAIL: CloudTrail is on", periodic=True),
        AuditRule(
            "CloudTrailMultiRegion",
            ids.CLOUDTRAIL_MULTI_REGION_ENABLED,
            "VTC-AUDIT-TRAIL: a trail covers every region",
            periodic=True,
        ),
        AuditRule(
            "CloudTrailValidation",
            ids.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED,
            "VTC-AUDIT-TRAIL: log file validation",
            periodic=True,
        ),
        AuditRule(
            "CloudTrailEncryption",
            ids.CLOUD_TRAIL_ENCRYPTION_ENABLED,
            "VTC-ENCRYPT-ALL: the trail is encrypted with KMS",
            periodic=True,
        ),
        AuditRule(
            "CloudTrailCloudWatch",
            ids.CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED,
            "VTC-AUDIT-TRAIL: the trail feeds the alarms",
            periodic=True,
        ),
        AuditRule(
            "LogGroupsEncrypted",
            ids.CLOUDWATCH_LOG_GROUP_ENCRYPTED,
            "VTC-ENCRYPT-ALL: every log group under a KMS key",
            periodic=True,
        ),
        AuditRule("RdsEncrypted", ids.RDS_STORAGE_ENCRYPTED, "VTC-ENCRYPT-ALL: database storage encrypted"),
        AuditRule("RdsSnapshotsEncrypted", ids.RDS_SNAPSHOT_ENCRYPTED, "VTC-ENCRYPT-ALL: snapshots encrypted"),
        AuditRule("RdsNotPublic", ids.RDS_INSTANCE_PUBLIC_ACCESS_CHECK, "VTC-NO-COPY: no public database"),
        AuditRule("RdsSnapshotsNotPublic", ids.RDS_SNAPSHOTS_PUBLIC_PROHIBITED, "VTC-NO-COPY: no public snapshot"),
        AuditRule("S3EncryptedKms", ids.S3_DEFAULT_ENCRYPTION_KMS, "VTC-ENCRYPT-ALL: buckets under KMS"),
        AuditRule(
            "S3BucketsNotPublic",
            ids.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED,
            "VTC-NO-COPY: bucket public access blocked",
        ),
        AuditRule(
            "S3AccountNotPublic",
            ids.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC,
            "VTC-NO-COPY: account public access blocked",
            periodic=True,
        ),
        AuditRule("SnsEncrypted", ids.SNS_ENCRYPTED_KMS, "VTC-ENCRYPT-ALL: topics under KMS"),
        AuditRule(
            "BackupPlanDailyRetention",
            ids.BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK,
            "VTC-BACKUP-RETENTION: a daily backup kept for the configured generations (§38-39)",
            parameters={
                "requiredFrequencyValue": 1,
                "requiredFrequencyUnit": "days",
                "requiredRetentionDays": cfg.backup_retention_days,
            },
        ),
        AuditRule(
            "RecoveryPointsEncrypted", ids.BACKUP_RECOVERY_POINT_ENCRYPTED, "VTC-ENCRYPT-ALL: recovery points encrypted"
        ),
        AuditRule(
            "RecoveryPointsLocked",
            ids.BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED,
            "VTC-BACKUP-RETENTION: recovery points cannot be deleted by hand",
        ),
        AuditRule(
            "NoAdminPolicies",
            ids.IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS,
            "VTC-LEAST-PRIVILEGE: no customer policy grants *:*",
            parameters=no_boundary,
        ),
        AuditRule(
            "NoWildcardServicePolicies",
            ids.IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS,
            "VTC-LEAST-PRIVILEGE: no customer policy grants service:*",
            parameters=no_boundary,
        ),
        AuditRule(
            "NoRootAccessKey",
            ids.IAM_ROOT_ACCESS_KEY_CHECK,
            "VTC-LEAST-PRIVILEGE: the root user has no access key",
            periodic=True,
        ),
    ]
