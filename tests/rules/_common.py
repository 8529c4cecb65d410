"""What the rule cases share: the `Case` record and its `@case` decorator, the accounts and
keys of the default environment (prod), and the builders several rules' cases use.

Stacks outside a configured Stage get the settings of the default environment (prod): key custody
111122223333, workload 444455556666, 3 generations, rotation 365 days, EU regions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Aws, Fn
from aws_cdk import aws_backup as backup
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from config import OPERATOR_PARTY, load_config

FB = "111122223333"
WORKLOAD = "444455556666"
BACKUP = "123456789012"
LOG_ARCHIVE = "777788889999"
REGION = "eu-west-1"
FB_KEY = f"arn:aws:kms:{REGION}:{FB}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:{REGION}:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ADMIN = f"arn:aws:iam::{FB}:role/led-fb-key-admin"


@dataclass(frozen=True)
class Case:
    name: str
    rule_id: str
    fails: bool
    build: Callable[[cdk.Stack], None]
    account: str | None = WORKLOAD  # None with region None: an environment-agnostic stack
    region: str | None = REGION
    # Grouped: the case's stack sits in its own construct, where the case may add sibling stacks
    # (e.g. a log archive account); the group is what the rule test validates.
    grouped: bool = False

    @property
    def module(self) -> str:
        """The module the case is written in: tests/rules/<module>.py, beside policies/rules/<module>.py."""
        return self.build.__module__.rsplit(".", 1)[-1]


CASES: list[Case] = []  # filled by @case as tests.rules imports the case modules


def case(
    rule_id: str, fails: bool, *, account: str | None = WORKLOAD, region: str | None = REGION, grouped: bool = False
):
    def register(fn: Callable[[cdk.Stack], None]) -> Callable[[cdk.Stack], None]:
        CASES.append(Case(fn.__name__, rule_id, fails, fn, account, region, grouped))
        return fn

    return register


def tags(classification: str = "personal-data") -> list[cdk.CfnTag]:
    return [cdk.CfnTag(key="led:data-classification", value=classification)]


def key_with(s, statements, **kwargs):
    defaults = dict(enable_key_rotation=True, rotation_period_in_days=365)
    defaults.update(kwargs)
    return kms.CfnKey(s, "K", key_policy={"Version": "2012-10-17", "Statement": statements}, **defaults)


ADMIN_STATEMENT = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": ADMIN},
    "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"],
    "Resource": "*",
}


def database(s, *, classification: str = "personal-data", **overrides) -> rds.CfnDBInstance:
    group = rds.CfnDBParameterGroup(
        s,
        "Params",
        family="postgres17",
        description="p",
        parameters={"rds.force_ssl": "1", "shared_preload_libraries": "pgaudit", "pgaudit.log": "ddl,role,write"},
    )
    props = dict(
        engine="postgres",
        db_instance_class="db.t4g.medium",
        storage_encrypted=True,
        kms_key_id=FB_KEY,
        allocated_storage="50",
        max_allocated_storage=200,
        publicly_accessible=False,
        db_parameter_group_name=group.ref,
        enable_cloudwatch_logs_exports=["postgresql"],
        backup_retention_period=3,
        tags=tags(classification),
    )
    props.update(overrides)
    return rds.CfnDBInstance(s, "Db", **props)


def plan(
    s, *, schedule="cron(0 1 * * ? *)", keep=3, copy_to=f"arn:aws:backup:{REGION}:{BACKUP}:backup-vault:r", copy_keep=14
) -> backup.CfnBackupPlan:
    copies = (
        [
            backup.CfnBackupPlan.CopyActionResourceTypeProperty(
                destination_backup_vault_arn=copy_to,
                lifecycle=backup.CfnBackupPlan.LifecycleResourceTypeProperty(delete_after_days=copy_keep),
            )
        ]
        if copy_to
        else None
    )
    return backup.CfnBackupPlan(
        s,
        "Plan",
        backup_plan=backup.CfnBackupPlan.BackupPlanResourceTypeProperty(
            backup_plan_name="daily",
            backup_plan_rule=[
                backup.CfnBackupPlan.BackupRuleResourceTypeProperty(
                    rule_name="Daily",
                    target_backup_vault="v",
                    schedule_expression=schedule,
                    lifecycle=backup.CfnBackupPlan.LifecycleResourceTypeProperty(delete_after_days=keep)
                    if keep
                    else None,
                    copy_actions=copies,
                )
            ],
        ),
    )


def select(s, the_plan, resources) -> backup.CfnBackupSelection:
    return backup.CfnBackupSelection(
        s,
        "Sel",
        backup_plan_id=the_plan.attr_backup_plan_id,
        backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
            iam_role_arn=f"arn:aws:iam::{WORKLOAD}:role/backup", selection_name="db", resources=resources
        ),
    )


def db_arn(db) -> str:
    return Fn.join("", ["arn:", Aws.PARTITION, ":rds:", Aws.REGION, ":", Aws.ACCOUNT_ID, ":db:", db.ref])


def vpc_with_flow_log(s, *, traffic_type: str = "ALL", flow_log: bool = True) -> tuple[ec2.CfnVPC, logs.CfnLogGroup]:
    vpc = ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    group = logs.CfnLogGroup(s, "FlowLogs", kms_key_id=FB_KEY, retention_in_days=365)
    if flow_log:
        ec2.CfnFlowLog(
            s,
            "FlowLog",
            resource_id=vpc.ref,
            resource_type="VPC",
            traffic_type=traffic_type,
            log_destination_type="cloud-watch-logs",
            log_group_name=group.ref,
            deliver_logs_permission_arn=f"arn:aws:iam::{WORKLOAD}:role/flow-logs",
        )
    return vpc, group


def role(s, **kwargs) -> iam.CfnRole:
    props = dict(
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
        permissions_boundary=f"arn:aws:iam::{WORKLOAD}:policy/led-prod-permissions-boundary",
    )
    props.update(kwargs)
    return iam.CfnRole(s, "Role", **props)


_PROD = load_config().environments["prod"]
DATA_KEY = _PROD.key_arn("data")
ARCHIVE = f"arn:aws:s3:::{_PROD.log_archive_bucket_name}"


def arn_of(service: str, resource: str, *, region: str = REGION, account: str = WORKLOAD) -> str:
    return f"arn:{Aws.PARTITION}:{service}:{region}:{account}:{resource}"


def deny(sid: str, actions: list[str], resources: list[str], conditions: dict | None = None) -> iam.PolicyStatement:
    """A Deny statement of an identity policy."""
    return iam.PolicyStatement(
        sid=sid, effect=iam.Effect.DENY, actions=actions, resources=resources, conditions=conditions
    )


def operator_denies(*, secret=True, data_key=True, login=True, archive=True) -> list[iam.PolicyStatement]:
    """The platform operator's Deny statements, as cdk_constructs/workload_roles.py writes them."""
    statements = [
        (
            secret,
            "DenyReadingTheDatabaseSecret",
            ["secretsmanager:GetSecretValue"],
            [arn_of("secretsmanager", "secret:*")],
        ),
        (login, "DenyDatabaseLogin", ["rds-db:connect"], [arn_of("rds-db", "dbuser:*/*")]),
        (
            data_key,
            "DenyUsingTheDataKey",
            ["kms:Decrypt", "kms:GenerateDataKey*"],
            [DATA_KEY, arn_of("kms", "key/*", region="*", account=FB)],
        ),
        (archive, "DenyWritingToTheLogArchive", ["s3:PutObject", "s3:DeleteObject"], [ARCHIVE, f"{ARCHIVE}/*"]),
    ]
    return [deny(sid, actions, resources) for wanted, sid, actions, resources in statements if wanted]


def party_role(s, statements, *, party: str = OPERATOR_PARTY, inline: bool = False) -> iam.Role:
    role = iam.Role(s, "Role", assumed_by=iam.ArnPrincipal("arn:aws:iam::999999999999:role/operator"))
    allow = iam.PolicyStatement(
        sid="RestartTheDatabase", actions=["rds:RebootDBInstance"], resources=[arn_of("rds", "db:led-prod-db")]
    )
    document = iam.PolicyDocument(statements=[allow, *statements])
    if inline:
        cdk.Tags.of(role).add("led:party", party)
        role.node.default_child.policies = [
            iam.CfnRole.PolicyProperty(  # type: ignore[union-attr]
                policy_name="Operator", policy_document=document
            )
        ]
    else:
        iam.ManagedPolicy(s, "Policy", document=document, roles=[role])
        cdk.Tags.of(role).add("led:party", party)
    return role


def bucket_policy(s, statements, *, object_lock=False) -> None:
    bucket = s3.CfnBucket(s, "B", object_lock_enabled=True if object_lock else None)
    s3.CfnBucketPolicy(
        s, "P", bucket=bucket.ref, policy_document={"Version": "2012-10-17", "Statement": list(statements)}
    )


def vault_policy(s, statements) -> None:
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        access_policy={"Version": "2012-10-17", "Statement": list(statements)},
    )


def topic_policy(s, statements) -> None:
    topic = sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
    sns.CfnTopicPolicy(
        s, "P", topics=[topic.ref], policy_document={"Version": "2012-10-17", "Statement": list(statements)}
    )


def allow_statement(principal, actions, resource="*", condition=None, sid="S") -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return statement
