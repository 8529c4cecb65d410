"""The rules of the VTC pack, as data: id, condition, paragraph, what triggers it, how to fix it.

The pack, the README table (`python -m policies.table`) and the compliance report all read this
list; the rule logic lives in `policies/rules/`, one module per rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from policies.model import Resource, Result
from policies.rules import (
    audit_trail,
    audit_trail_flow_logs,
    audit_trail_retention,
    backup_detect,
    backup_elsewhere,
    backup_environment,
    backup_retention,
    encrypt_all,
    exit_drill,
    key_custody,
    key_custody_admin,
    key_custody_policy,
    key_no_provider,
    key_reencrypt,
    least_privilege,
    least_privilege_boundary,
    least_privilege_boundary_self,
    least_privilege_principals,
    least_privilege_source,
    logs_direct,
    logs_direct_resource_policy,
    logs_direct_streamed,
    no_copy,
    no_copy_dns,
    no_copy_perimeter,
    no_stale_backup,
    outsourcing_2016,
    personal_data,
    policies_visible,
    processor,
    processor_deploy,
    regular_audit,
    right_sized,
    sec_storage,
)

PACK_NAME = "VTC"


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    rule_id: str  # e.g. VTC-ENCRYPT-ALL; several rules of one condition add a suffix
    condition_id: str  # the condition in policies/conditions.toml (a test checks that it is there)
    paragraph: str  # the advice's paragraph, e.g. "§48"
    title: str
    trigger: str  # what makes a resource non-compliant
    fix: str  # what to change
    module: ModuleType

    @property
    def resource_types(self) -> tuple[str, ...]:
        return tuple(self.module.RESOURCE_TYPES)

    @property
    def check(self) -> Callable[[Resource], Result]:
        return self.module.check

    @property
    def suffix(self) -> str:
        return self.rule_id.removeprefix(f"{PACK_NAME}-")

    @property
    def message(self) -> str:
        """What a finding says: the paragraph, what is wrong, what to change."""
        return f"{self.rule_id} (VTC advice 01/2018 {self.paragraph}): {self.title}. Fix: {self.fix}."

    def as_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "condition_id": self.condition_id,
            "paragraph": self.paragraph,
            "title": self.title,
            "trigger": self.trigger,
            "fix": self.fix,
            "resource_types": list(self.resource_types),
        }


RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        rule_id="VTC-ENCRYPT-ALL",
        condition_id="VTC-ENCRYPT-ALL",
        paragraph="§48",
        module=encrypt_all,
        title="every store that can be encrypted is encrypted with a customer-managed key",
        trigger="an RDS instance or cluster (storage, Performance Insights, master secret, backup replication), "
        "S3 bucket, log group, secret, SNS topic, SQS queue, EBS volume, EFS file system, backup vault, "
        "trail, Kinesis or Firehose stream or DynamoDB table without a key, with an AWS-managed key "
        "(alias/aws/...) or with a key reference that cannot be read",
        fix="pass the FB key (kms.Key.from_key_arn with the configured key ARN) as the resource's encryption key",
    ),
    RuleSpec(
        rule_id="VTC-KEY-CUSTODY",
        condition_id="VTC-KEY-CUSTODY",
        paragraph="§51",
        module=key_custody,
        title="keys belong to the key custody account of the Facilitair Bedrijf",
        trigger="a resource encrypted under a key of another account than the key custody account, or an "
        "AWS::KMS::Key created outside the key custody account",
        fix="use the key ARN from the environment's [keys] config (a key in the key custody account); create "
        "keys only in the key custody stack",
    ),
    RuleSpec(
        rule_id="VTC-KEY-CUSTODY-ADMIN",
        condition_id="VTC-KEY-CUSTODY",
        paragraph="§51",
        module=key_custody_admin,
        title="only the FB administration role administers a key",
        trigger="a key policy that allows key administration (PutKeyPolicy, ScheduleKeyDeletion, DisableKey, "
        "ImportKeyMaterial, kms:*, ...) or CreateGrant/RevokeGrant/RetireGrant not limited to AWS resources "
        "(Bool kms:GrantIsForAWSResource true) to any other principal",
        fix="grant administrative actions only to the FB key-administrator role; constrain CreateGrant with "
        "kms:GrantIsForAWSResource",
    ),
    RuleSpec(
        rule_id="VTC-KEY-CUSTODY-POLICY",
        condition_id="VTC-KEY-CUSTODY",
        paragraph="§44, §51",
        module=key_custody_policy,
        title="the LED accounts use a key only through the AWS services named for it",
        trigger="a key policy statement allowing a use of the key (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, "
        "Sign, MAC, kms:*, *) to an account, role or '*' without kms:ViaService and kms:CallerAccount "
        "(StringEquals), or to a principal outside its kms:CallerAccount",
        fix="use the key through ServiceUse (cdk_constructs/custody_key.py): kms:ViaService of the key's services "
        "and kms:CallerAccount of the principals' accounts",
    ),
    RuleSpec(
        rule_id="VTC-KEY-NO-PROVIDER",
        condition_id="VTC-KEY-NO-PROVIDER",
        paragraph="§44",
        module=key_no_provider,
        title="a key policy lets AWS services use the key only on behalf of named accounts",
        trigger="a key policy statement allowing principal '*' or a service principal without a condition on "
        "source account, caller account, kms:ViaService or encryption context",
        fix="add aws:SourceAccount, kms:CallerAccount, kms:ViaService or an encryption-context condition",
    ),
    RuleSpec(
        rule_id="VTC-KEY-REENCRYPT",
        condition_id="VTC-KEY-REENCRYPT",
        paragraph="§46",
        module=key_reencrypt,
        title="keys rotate within the configured period",
        trigger="a KMS key without rotation, with a rotation period longer than keys.rotation_period_days, or "
        "an asymmetric key",
        fix="set EnableKeyRotation and RotationPeriodInDays <= keys.rotation_period_days (imported material: "
        "declare led:rotation-period-days and rotate on demand)",
    ),
    RuleSpec(
        rule_id="VTC-BACKUP-RETENTION",
        condition_id="VTC-BACKUP-RETENTION",
        paragraph="§38-39",
        module=backup_retention,
        title="every personal-data store is backed up daily, keeping the configured generations",
        trigger="a store tagged led:data-classification=personal-data that no AWS Backup selection of its "
        "environment puts under a daily rule keeping at least backup.generations recovery points",
        fix="select the store in the environment's DailyBackupPlan (cdk_constructs/backup.py)",
    ),
    RuleSpec(
        rule_id="VTC-BACKUP-RETENTION-DETECT",
        condition_id="VTC-BACKUP-RETENTION",
        paragraph="§37-39",
        module=backup_detect,
        title="a stopped backup of personal data is noticed within a day, and locked vaults keep what exists",
        trigger="a backup plan selecting a personal-data store without, in its account and region, an alarm "
        "with an action on its vault's AWS/Backup job metric firing within 26 hours (TreatMissingData "
        "breaching), an AWS Backup framework with BACKUP_LAST_RECOVERY_POINT_CREATED at most a day covering "
        "the store's type, or whose target vault or copy destination is no vault of the app or has no vault "
        "lock admitting its retention; a vault tagged personal-data without a vault lock keeping at least "
        "backup.generations days",
        fix="build BackupDetection and LockedVault (cdk_constructs/backup.py) as the backup and remote vault stacks do",
    ),
    RuleSpec(
        rule_id="VTC-NO-STALE-BACKUP",
        condition_id="VTC-NO-STALE-BACKUP",
        paragraph="§47",
        module=no_stale_backup,
        title="no recovery point outlives the key rotation period",
        trigger="a backup rule or copy without DeleteAfterDays or keeping longer than keys.rotation_period_days, "
        "a vault lock allowing or forcing longer retention, or RDS automated backups kept longer",
        fix="set DeleteAfterDays (rule and every copy) and the vault lock's minimum and maximum retention to at "
        "most the rotation period",
    ),
    RuleSpec(
        rule_id="VTC-BACKUP-ELSEWHERE",
        condition_id="VTC-BACKUP-ELSEWHERE",
        paragraph="§37",
        module=backup_elsewhere,
        title="every backup is copied to another account or another allowed region",
        trigger="a backup plan rule without a copy action to a vault in another account or another allowed "
        "region, or whose destination cannot be read; a copy elsewhere kept fewer than "
        "backup.copy_retention_days",
        fix="add a copy action to the remote vault in the backup account (stacks/remote_vault.py), kept "
        "backup.copy_retention_days",
    ),
    RuleSpec(
        rule_id="VTC-BACKUP-ENVIRONMENT",
        condition_id="VTC-BACKUP-ENVIRONMENT",
        paragraph="§40",
        module=backup_environment,
        title="restore tests cover every protected resource type",
        trigger="a backup selection protecting a resource type that no restore testing selection of an "
        "existing restore testing plan in the same account covers",
        fix="add a RestoreTesting plan and selection for that type (cdk_constructs/backup.py RestoreTesting)",
    ),
    RuleSpec(
        rule_id="VTC-EXIT",
        condition_id="VTC-EXIT",
        paragraph="§42-43",
        module=exit_drill,
        title="an at least monthly exit drill exports the database to an exit bucket under a customer-managed key",
        trigger="a database of the workload account whose environment lacks, in its account and region, a role "
        "trusted by export.rds.amazonaws.com, an S3 bucket that role may write to encrypted with a "
        "customer-managed key, or an enabled schedule tagged led:drill=exit-export firing at least monthly "
        "(cron/rate read conservatively; days 29-31 and rate over 28 days are not) whose target is a Lambda "
        "function allowed rds:StartExportTask and iam:PassRole on that role",
        fix="build ExitBucket and ExitDrill (stacks/recovery.py) with drills.exit_drill_schedule at least monthly, "
        "e.g. cron(0 6 1 * ? *); mark_exit_drill_schedule on the schedule that starts the export",
    ),
    RuleSpec(
        rule_id="VTC-REGULAR-AUDIT",
        condition_id="VTC-REGULAR-AUDIT",
        paragraph="§11, §24-27",
        module=regular_audit,
        title="AWS Config records the workload account, delivers to the log archive and re-checks the core controls",
        trigger="a data store of the workload account without a configuration recorder recording its type in its "
        "account and region; a recorder that does not record all supported types (or the core ones), "
        "without a delivery channel delivering at least daily snapshots to a log archive account bucket, "
        "or without AWS managed Config rules for encryption at rest, backup plan, RDS public access, "
        "CloudTrail enabled and S3 public access",
        fix="build the AuditStack's AWS Config (stacks/audit.py): a recorder with all_supported=True, a delivery "
        "channel to the log archive bucket with a TwentyFour_Hours snapshot frequency, and the managed rules "
        "of audit_rules()",
    ),
    RuleSpec(
        rule_id="VTC-NO-COPY",
        condition_id="VTC-NO-COPY",
        paragraph="§49",
        module=no_copy,
        title="nothing makes the data reachable from the internet",
        trigger="an RDS instance not explicitly PubliclyAccessible=false, an S3 bucket without all four public "
        "access blocks, a security group opening a data port (or all traffic) to 0.0.0.0/0 or ::/0 or "
        "allowing egress to them, a route to an internet gateway from a data subnet",
        fix="keep the data tier in isolated subnets: publicly_accessible=False, BlockPublicAccess.BLOCK_ALL, "
        "ingress only from the application tier's security group, allow_all_outbound=False, no internet "
        "gateway",
    ),
    RuleSpec(
        rule_id="VTC-NO-COPY-DNS",
        condition_id="VTC-NO-COPY",
        paragraph="§49",
        module=no_copy_dns,
        title="no data leaves the VPC through DNS queries",
        trigger="a VPC without a Route 53 Resolver DNS Firewall rule group association in its account and region "
        "whose rule group ends (highest priority number) with a BLOCK of '*'; an associated rule group "
        "allowing '*' or an unreadable domain list; a FirewallConfig letting the firewall fail open",
        fix="build DnsFirewall (cdk_constructs/network.py) on the VPC, as the network stack does",
    ),
    RuleSpec(
        rule_id="VTC-NO-COPY-PERIMETER",
        condition_id="VTC-NO-COPY",
        paragraph="§49",
        module=no_copy_perimeter,
        title="the organisation's accounts carry the data perimeter RCPs",
        trigger="an Organizations policy targeting an account whose resource control policies do not deny a "
        "principal outside the organisation, a request without TLS, or an AWS service acting for another "
        "account, on S3, KMS, Secrets Manager and STS; an unreadable target or RCP",
        fix="attach the RCPs of policies/rcp.py (the organisation stack does, with [organization] organization_id)",
    ),
    RuleSpec(
        rule_id="VTC-SEC-STORAGE",
        condition_id="VTC-SEC-STORAGE",
        paragraph="§11",
        module=sec_storage,
        title="TLS is enforced on the way to the data",
        trigger="an S3 bucket without a policy denying requests when aws:SecureTransport is false; an RDS "
        "database whose parameter group does not set rds.force_ssl=1 (require_secure_transport for MySQL)",
        fix="enforce_ssl=True on buckets; a parameter group with rds.force_ssl=1",
    ),
    RuleSpec(
        rule_id="VTC-AUDIT-TRAIL",
        condition_id="VTC-AUDIT-TRAIL",
        paragraph="§11, §49",
        module=audit_trail,
        title="the database audits and exports its logs; every trail validates, encrypts and covers all regions",
        trigger="an RDS database without its log export (postgresql/audit) or, for PostgreSQL, without pgaudit "
        "loaded and pgaudit.log set; a trail without log file validation, logging, a KMS key, "
        "IsMultiRegionTrail or IncludeGlobalServiceEvents",
        fix="use AuditedPostgres (cdk_constructs/database.py); on trails: log file validation, a KMS key, "
        "is_multi_region_trail=True, include_global_service_events=True",
    ),
    RuleSpec(
        rule_id="VTC-AUDIT-TRAIL-FLOW-LOGS",
        condition_id="VTC-AUDIT-TRAIL",
        paragraph="§49",
        module=audit_trail_flow_logs,
        title="every VPC records all its traffic in flow logs",
        trigger="an AWS::EC2::VPC that no AWS::EC2::FlowLog of the app names (ResourceType VPC), or whose flow "
        "logs record less than TrafficType ALL or have no destination",
        fix="use IsolatedNetwork (cdk_constructs/network.py): flow_logs with FlowLogTrafficType.ALL to a log group",
    ),
    RuleSpec(
        rule_id="VTC-AUDIT-TRAIL-RETENTION",
        condition_id="VTC-AUDIT-TRAIL",
        paragraph="§49",
        module=audit_trail_retention,
        title="logs are kept at least as long as any recovery point",
        trigger="a log group whose RetentionInDays is shorter than the longest retention of any backup rule "
        "or copy of its environment (at least backup.generations days)",
        fix="set the log group's retention to logs.retention_days (at least the backup retention)",
    ),
    RuleSpec(
        rule_id="VTC-LOGS-DIRECT",
        condition_id="VTC-LOGS-DIRECT",
        paragraph="§27",
        module=logs_direct,
        title="the audit trail lands in the log archive account, under Object Lock",
        trigger="a trail delivering to a bucket outside the log archive account (or one the app cannot place); "
        "a bucket of the log archive account without Object Lock in COMPLIANCE mode",
        fix="deliver to the log archive bucket; enable Object Lock with a COMPLIANCE default retention",
    ),
    RuleSpec(
        rule_id="VTC-LOGS-DIRECT-RESOURCE-POLICY",
        condition_id="VTC-LOGS-DIRECT",
        paragraph="§27, §37, §42-43",
        module=logs_direct_resource_policy,
        title="no other party may delete, overwrite or unlock the archive, the vaults, the exports or the topics",
        trigger="a bucket policy, backup vault access policy or SNS topic policy allowing a principal of another "
        "account (or '*' not narrowed by aws:PrincipalAccount to the owner) to delete or overwrite objects or "
        "recovery points, or change the policy, lock, lifecycle, versioning, ACLs or topic attributes",
        fix="grant other parties only reads (s3:GetObject, s3:ListBucket) or backup:CopyIntoBackupVault; keep "
        "deletes and policy or lock changes with the owner's deployment",
    ),
    RuleSpec(
        rule_id="VTC-LOGS-DIRECT-STREAMED",
        condition_id="VTC-LOGS-DIRECT",
        paragraph="§27, §49",
        module=logs_direct_streamed,
        title="the database audit logs and flow logs are streamed into the log archive",
        trigger="a database log group (/aws/rds/...) or flow-log group without a subscription filter sending every "
        "event to a CloudWatch Logs destination of the log archive account whose Firehose stream writes, "
        "KMS-encrypted, into a log archive bucket of this app",
        fix="pass archive_destination_arn to AuditedPostgres / IsolatedNetwork (cdk_constructs/log_stream_archive.py) "
        "and keep the ArchiveLogStream of the log archive stack",
    ),
    RuleSpec(
        rule_id="VTC-PROCESSOR",
        condition_id="VTC-PROCESSOR",
        paragraph="§14-15, §27, §34",
        module=processor,
        title="the platform operator (processor) can read no personal data, use no key and alter no log",
        trigger="an IAM role tagged led:party with the operator party whose attached policies (inline, managed "
        "or AWS::IAM::Policy naming the role) lack an unconditional explicit Deny of "
        "secretsmanager:GetSecretValue on the workload account's secrets, kms:Decrypt on the configured "
        "data key or on every key of the key custody account, rds-db:connect on the workload account's "
        "database users, or s3:PutObject / s3:DeleteObject on the log archive bucket's objects "
        "(wildcards count; a Deny with a Condition, NotResource or an unreadable part does not)",
        fix="build the operator role as stacks/access.py does: the Deny statements DenyReadingTheDatabaseSecret, "
        "DenyDatabaseLoginAndPasswordChange, DenyUsingTheDataKey and DenyWritingToTheLogArchive "
        "(OPERATOR_DENIED_* actions) in its policy",
    ),
    RuleSpec(
        rule_id="VTC-PROCESSOR-DEPLOY",
        condition_id="VTC-PROCESSOR",
        paragraph="§14-15, §34",
        module=processor_deploy,
        title="the platform operator (processor) cannot deploy: deploying is a path to the data",
        trigger="an IAM role tagged led:party with the operator party whose attached policies lack an "
        "unconditional explicit Deny of sts:AssumeRole on the CDK bootstrap roles (arn:<partition>:iam::*:role/cdk-*) "
        "or of the CloudFormation write actions (CreateChangeSet, ExecuteChangeSet, CreateStack, UpdateStack, "
        "DeleteStack, ...) on every resource, or that Allow sts:AssumeRole on any role or a CloudFormation write "
        "action such a Deny does not cover",
        fix="no deployment rights for the operator: the controller's pipeline deploys ([deployment] in the config, "
        "tools/bootstrap.py); keep the Deny statements DenyAssumingTheCdkBootstrapRoles and DenyChangingStacks "
        "(stacks/access.py deployment_denies) in its policy and propose changes by pull request",
    ),
    RuleSpec(
        rule_id="VTC-LEAST-PRIVILEGE",
        condition_id="VTC-LEAST-PRIVILEGE",
        paragraph="conclusion V",
        module=least_privilege,
        title="policies grant no wildcard action and no write or decrypt on every resource; no IAM users",
        trigger="an Allow (identity or key policy) with Action '*', NotAction, 'service:*' on a data or key "
        "service; an identity policy with Resource '*' and a write or decrypt action; an AWS "
        "administrator/full-access managed policy; an IAM user",
        fix="name the actions and the resources (use grant_* methods); roles instead of users",
    ),
    RuleSpec(
        rule_id="VTC-LEAST-PRIVILEGE-BOUNDARY",
        condition_id="VTC-LEAST-PRIVILEGE",
        paragraph="conclusion V",
        module=least_privilege_boundary,
        title="every role carries a permissions boundary",
        trigger="an IAM role without PermissionsBoundary",
        fix="create roles in a workload stack (apply_boundary in stacks/workload.py applies the LED boundary)",
    ),
    RuleSpec(
        rule_id="VTC-LEAST-PRIVILEGE-BOUNDARY-SELF",
        condition_id="VTC-LEAST-PRIVILEGE",
        paragraph="conclusion V",
        module=least_privilege_boundary_self,
        title="the permissions boundary protects itself",
        trigger="an LED permissions boundary (led:permissions-boundary) without an explicit Deny of removing a "
        "boundary (Delete*PermissionsBoundary), replacing it or creating a role or user without it "
        "(Put*PermissionsBoundary, CreateRole, CreateUser unless iam:PermissionsBoundary is this boundary), "
        "editing or deleting the boundary policy (CreatePolicyVersion, SetDefaultPolicyVersion, "
        "DeletePolicyVersion, DeletePolicy) or changing the trust of led-* roles (UpdateAssumeRolePolicy)",
        fix="build the boundary with PermissionsBoundaryPolicy (cdk_constructs/boundary.py), which adds "
        "self_protection_statements",
    ),
    RuleSpec(
        rule_id="VTC-LEAST-PRIVILEGE-PRINCIPALS",
        condition_id="VTC-LEAST-PRIVILEGE",
        paragraph="conclusion V",
        module=least_privilege_principals,
        title="trust and resource policies name their principals",
        trigger="an Allow to principal '*' without a narrowing condition, or with NotPrincipal, in a trust, "
        "key, bucket, vault, topic, queue, secret, endpoint or log resource policy",
        fix="name the principals, or add a condition such as aws:PrincipalAccount / aws:SourceAccount",
    ),
    RuleSpec(
        rule_id="VTC-LEAST-PRIVILEGE-SOURCE",
        condition_id="VTC-LEAST-PRIVILEGE",
        paragraph="conclusion V",
        module=least_privilege_source,
        title="AWS services act on LED resources only for the LED's own sources",
        trigger="a bucket policy, backup vault access policy or SNS topic policy allowing an AWS service principal "
        "without an aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition",
        fix="add aws:SourceAccount (and aws:SourceArn where the service sets it) to the statement",
    ),
    RuleSpec(
        rule_id="VTC-OUTSOURCING-2016",
        condition_id="VTC-OUTSOURCING-2016",
        paragraph="§18-19",
        module=outsourcing_2016,
        title="every stack and every copy of the data stays in an allowed EU region",
        trigger="a resource of a stack outside allowed_regions or of an environment-agnostic stack; a backup "
        "copy, RDS backup replication, S3 replication or DynamoDB replica in another region",
        fix="deploy to and copy to regions listed in allowed_regions only",
    ),
    RuleSpec(
        rule_id="VTC-PERSONAL-DATA",
        condition_id="VTC-PERSONAL-DATA",
        paragraph="§20",
        module=personal_data,
        title="every data store says whether it holds personal data",
        trigger="a data store without the led:data-classification tag (personal-data, personal-data-export for "
        "transient exports, or no-personal-data), or tagged as personal data in an environment "
        "configured without personal data",
        fix="mark_personal_data_store(...) (or mark_personal_data_export for exports; cdk_constructs/tags.py) "
        "on every store",
    ),
    RuleSpec(
        rule_id="VTC-POLICIES-VISIBLE",
        condition_id="VTC-POLICIES-VISIBLE",
        paragraph="§55, §58",
        module=policies_visible,
        title="every stack's description cites the VTC conditions it serves",
        trigger="a resource of a stack whose Description names no VTC condition id",
        fix="describe the stack as stacks/stage.py does: role, owner, and the VTC-... ids it serves",
    ),
    RuleSpec(
        rule_id="VTC-RIGHT-SIZED",
        condition_id="VTC-RIGHT-SIZED",
        paragraph="§52-54",
        module=right_sized,
        title="the database is small, with a storage ceiling",
        trigger="an RDS instance of a class outside the small families and sizes, or without MaxAllocatedStorage "
        "above AllocatedStorage",
        fix="database.instance_class and database.max_allocated_storage_gib in the config",
    ),
)

# VTC-GATE: these may never be acknowledged in an environment that holds personal data.
NEVER_ACKNOWLEDGE: tuple[str, ...] = (
    "VTC-ENCRYPT-ALL",
    "VTC-KEY-CUSTODY",
    "VTC-KEY-CUSTODY-ADMIN",
    "VTC-KEY-CUSTODY-POLICY",
    "VTC-KEY-NO-PROVIDER",
    "VTC-NO-COPY",
    "VTC-NO-COPY-DNS",
    "VTC-LEAST-PRIVILEGE",
    "VTC-LEAST-PRIVILEGE-BOUNDARY",
    "VTC-LEAST-PRIVILEGE-BOUNDARY-SELF",
    "VTC-LEAST-PRIVILEGE-PRINCIPALS",
    "VTC-BACKUP-RETENTION",
    "VTC-BACKUP-RETENTION-DETECT",
    "VTC-NO-STALE-BACKUP",
    "VTC-PROCESSOR",
    "VTC-PROCESSOR-DEPLOY",
)

BY_ID: dict[str, RuleSpec] = {r.rule_id: r for r in RULES}


def rules_for(resource_type: str) -> tuple[RuleSpec, ...]:
    return tuple(r for r in RULES if resource_type in r.resource_types or "*" in r.resource_types)
