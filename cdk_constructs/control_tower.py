"""Control Tower's proactive controls at synthesis (the cfn-guard plugin `cdklabs.cdk-validator-cfnguard`).

app.py registers the plugin with every bundled Control Tower rule that names a resource type the
templates have (cdk_constructs/control_tower_guard.py); the others cannot find anything. Its findings are
acknowledged like any other pack's (VTC-RISK-ACCEPTED, §56): through accept_risk, per construct (the
narrowest scope the CDK's acknowledgements allow), each with the risk accepted and why. This module
is the one list of them; README "Control Tower proactive controls" mirrors it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from constructs import IConstruct

from cdk_constructs.risk import accept_risk
from policies.risks import RiskRegisterError

GUARD_PACK = "cdk-validator-cfnguard"  # the plugin's name, the namespace of its acknowledgement ids


@dataclass(frozen=True)
class GuardAcknowledgement:
    control: str  # the Control Tower control id
    rule: str  # the cfn-guard rule name the plugin reports
    paths: tuple[str, ...]  # construct paths inside the stage
    reason: str
    single_az_only: bool = False  # only where the config runs the database in one Availability Zone
    risk: str = field(kw_only=True)  # the accepted risk of the register (policies/risks.toml)


_BOUNDARY = (
    "A permissions boundary grants nothing: its allow-all ceiling only bounds the roles' own policies, and its "
    "deny statements are the control (VTC-LEAST-PRIVILEGE)."
)
_ISOLATED_FUNCTION = (
    "The function runs in the isolated app subnets with the app-tier security group of led-<env>-network "
    "(VpcConfig from cross-stack imports, which this rule reads only as literals or same-template references); "
    "VTC-NO-COPY checks the data tier itself."
)
_DEPLOY_TIME_PROVIDER = (
    "CDK's custom resource provider function handles no data and runs only during deployments; it answers "
    "CloudFormation through the pre-signed response URL of an AWS-owned bucket, which the LED VPC's S3 endpoint "
    "policy refuses, so it cannot run in the isolated subnets."
)

ACKNOWLEDGEMENTS: tuple[GuardAcknowledgement, ...] = (
    GuardAcknowledgement(
        "CT.CLOUDTRAIL.PR.3",
        "cloud_trail_cloud_watch_logs_enabled_check",
        ("LogArchive/Default/ArchiveAccessTrail",),
        "The archive-access records stay in the archive itself, where AHOVOKS reads them directly (VTC §27); no "
        "alarm is built on them, so a CloudWatch Logs copy in the archive account would only be one more copy.",
        risk="archive-trail-without-cloudwatch-logs",
    ),
    GuardAcknowledgement(
        "CT.CLOUDTRAIL.PR.3",
        "cloud_trail_cloud_watch_logs_enabled_check",
        ("KeyCustodyAudit/Trail",),
        "The key custody trail delivers into the AHOVOKS archive, and the key changes that matter (policy, grants, "
        "disabling, deletion) reach AHOVOKS through the EventBridge rule to its event bus; a CloudWatch Logs copy in "
        "FB's own account would be a copy FB could delete (VTC §27, §51).",
        risk="key-custody-trail-without-cloudwatch-logs",
    ),
    GuardAcknowledgement(
        "CT.IAM.PR.2",
        "iam_managed_policy_no_statements_with_admin_access_check",
        ("Baseline/PermissionsBoundary", "LogArchive/PermissionsBoundary"),
        _BOUNDARY,
        risk="boundary-allow-all-ceiling",
    ),
    GuardAcknowledgement(
        "CT.IAM.PR.2",
        "iam_managed_policy_no_statements_with_admin_access_check",
        ("KeyCustodyAudit/PermissionsBoundary",),
        _BOUNDARY,
        risk="key-custody-boundary-allow-all-ceiling",
    ),
    GuardAcknowledgement(
        "CT.IAM.PR.3",
        "iam_managed_policy_no_statements_with_full_access_check",
        ("Baseline/PermissionsBoundary", "LogArchive/PermissionsBoundary"),
        _BOUNDARY,
        risk="boundary-allow-all-ceiling",
    ),
    GuardAcknowledgement(
        "CT.IAM.PR.3",
        "iam_managed_policy_no_statements_with_full_access_check",
        ("KeyCustodyAudit/PermissionsBoundary",),
        _BOUNDARY,
        risk="key-custody-boundary-allow-all-ceiling",
    ),
    GuardAcknowledgement(
        "CT.LAMBDA.PR.3",
        "lambda_inside_vpc_check",
        ("Data/AuditSetup/Handler", "Recovery/RestoreValidation/Handler", "Recovery/ExitDrill/Handler"),
        _ISOLATED_FUNCTION,
        risk="vpc-functions-unverified-by-control-tower",
    ),
    GuardAcknowledgement(
        "CT.LAMBDA.PR.3",
        "lambda_inside_vpc_check",
        ("Data/AuditSetup/Provider", "Network/Custom::VpcRestrictDefaultSGCustomResourceProvider"),
        _DEPLOY_TIME_PROVIDER,
        risk="deployment-time-functions",
    ),
    GuardAcknowledgement(
        "CT.RDS.PR.8",
        "rds_instance_backup_enabled_check",
        ("Data/Database",),
        "Automated backups are on, kept backup.generations days (3 by default) rather than the control's 7: "
        "VTC-NO-STALE-BACKUP (§47) and VTC-BACKUP-RETENTION (§38-39) keep exactly the configured generations, "
        "and AWS Backup's daily plan with its remote copies is the backup of record.",
        risk="database-backups-outside-the-defaults",
    ),
    GuardAcknowledgement(
        "CT.RDS.PR.14",
        "rds_instance_logging_enabled_check",
        ("Data/Database",),
        "Every PostgreSQL log type the control lists (postgresql, upgrade) is exported; the instance also exports "
        "iam-db-auth-error (failed IAM logins, VTC-AUDIT-TRAIL §49), which the control's list does not know.",
        risk="database-log-exports-beyond-the-control",
    ),
    GuardAcknowledgement(
        "CT.RDS.PR.20",
        "rds_instance_no_default_ports_check",
        ("Data/Database",),
        "The database keeps PostgreSQL's port 5432: it is reachable only from the app-tier security group in "
        "isolated subnets, over TLS with IAM authentication (VTC-NO-COPY, VTC-SEC-STORAGE); another port would "
        "hide nothing from a client inside the VPC and would change every client and drill.",
        risk="database-default-port",
    ),
    GuardAcknowledgement(
        "CT.RDS.PR.1",
        "rds_instance_multi_az_support_check",
        ("Data/Database",),
        "This environment holds no production data and runs a single-AZ instance by configuration "
        "(database.multi_az, VTC-RIGHT-SIZED §52-54); its recovery path is the daily backup and its remote copies.",
        single_az_only=True,
        risk="single-az-without-personal-data",
    ),
    GuardAcknowledgement(
        "CT.S3.PR.2",
        "s3_bucket_logging_enabled_check",
        ("LogArchive/Default/Bucket", "Recovery/ExitBucket"),
        "Object-level access is recorded by CloudTrail data events (the workload trail for the exit bucket, the "
        "archive-access trail for the archive), KMS-encrypted and validated, instead of S3 server access logs, "
        "which S3 delivers only into an SSE-S3 bucket without default Object Lock (VTC §48, §27).",
        risk="bucket-access-by-cloudtrail-data-events",
    ),
    GuardAcknowledgement(
        "CT.S3.PR.4",
        "s3_event_notifications_enabled_check",
        ("LogArchive/Default/Bucket", "Recovery/ExitBucket"),
        "Nothing consumes events of these buckets: the archive is written only by CloudTrail and Config and read "
        "by auditors, the exit bucket only by the exit drill; every object-level call is in CloudTrail data events.",
        risk="buckets-without-event-notifications",
    ),
    GuardAcknowledgement(
        "CT.S3.PR.9",
        "s3_bucket_object_lock_enabled_check",
        ("Recovery/ExitBucket",),
        "The exit bucket holds transient Parquet exports that must expire after drills.exit_export_expiry_days "
        "(VTC-NO-STALE-BACKUP §47, §49: no lasting copies); Object Lock would keep them; the log archive has it.",
        risk="exit-bucket-without-object-lock",
    ),
)


def _construct(stage: IConstruct, path: str, ack: GuardAcknowledgement) -> IConstruct:
    """The construct at `path` inside the stage. A path that names none is a one-line RiskRegisterError
    (the acknowledgement, the path, the nearest ids that exist there): were it skipped, an
    acknowledgement that stopped matching after a construct was renamed or moved would go unnoticed."""
    node = stage
    parts = path.split("/")
    for depth, part in enumerate(parts):
        child = node.node.try_find_child(part)
        if child is None:
            ids = [c.node.id for c in node.node.children]
            near = difflib.get_close_matches(part, ids, n=3) or ids[:5]
            there = (", ".join(near) + (", ..." if len(ids) > len(near) else "")) if near else "no children"
            where = "/".join([stage.node.path, *parts[:depth]])
            raise RiskRegisterError(
                f"Control Tower acknowledgement {ack.control} ({ack.rule}, risk {ack.risk}): no construct "
                f"{stage.node.path}/{path}: {where} has no {part!r} (it has {there})"
            )
        node = child
    return node


def acknowledgement_targets(
    stage: IConstruct, *, multi_az: bool, acknowledgements: tuple[GuardAcknowledgement, ...] = ACKNOWLEDGEMENTS
) -> list[tuple[GuardAcknowledgement, str, IConstruct]]:
    """Every acknowledgement that applies to the stage, with each of its paths and the construct
    there; every path must name a construct of the stage (else a RiskRegisterError, see _construct)."""
    return [
        (ack, path, _construct(stage, path, ack))
        for ack in acknowledgements
        if not (ack.single_az_only and multi_az)
        for path in ack.paths
    ]


def acknowledge_control_tower(
    stage: IConstruct, *, multi_az: bool, acknowledgements: tuple[GuardAcknowledgement, ...] = ACKNOWLEDGEMENTS
) -> list[str]:
    """Acknowledge every Control Tower finding listed above on the constructs of one stage; returns the
    paths acknowledged. A path that names no construct of the stage stops the synthesis with one line
    before anything is acknowledged."""
    done = []
    for ack, path, construct in acknowledgement_targets(stage, multi_az=multi_az, acknowledgements=acknowledgements):
        accept_risk(construct, f"{GUARD_PACK}::{ack.rule}", f"{ack.control}: {ack.reason}", risk=ack.risk)
        done.append(f"{path} {ack.rule}")
    return done
