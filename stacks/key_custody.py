"""Key custody stack: the Facilitair Bedrijf's keys for one environment (VTC §44-46, §51)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.audit_trail import archive_trail
from cdk_constructs.custody_key import CustodyKey, ServicePrincipalUse, ServiceUse
from cdk_constructs.key_custody_alarms import key_custody_event_pattern
from cdk_constructs.risk import accept_risk
from cdk_constructs.xks_keys import ExternalKeyStore
from config import CDK_DEFAULT_QUALIFIER, EnvironmentConfig, execution_role_arn, service_domain_of
from config.xks import KeyPurpose
from contract.names import key_custody_event_bus_arn, key_custody_trail_name
from stacks.own_boundary import OwnBoundaryStack

# The requests that carry S3's encryption context; kms:DescribeKey carries none, so a statement
# conditioned on the context could never allow it.
S3_CONTEXT_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
# What a service needs to publish to a topic under the key, or deliver to a bucket under it.
PUBLISH_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


@dataclass(frozen=True)
class _RegionKeys:
    """The FB keys of one region: administered by FB's administration path only, rotated as
    configured, of the configured origin (in FB's external key store there, for EXTERNAL_KEY_STORE)."""

    scope: Construct
    config: EnvironmentConfig
    region: str
    external_key_store: ExternalKeyStore | None

    @classmethod
    def of(cls, scope: Construct, config: EnvironmentConfig, region: str) -> _RegionKeys:
        return cls(scope, config, region, _external_key_store(scope, config, region))

    def via(self, *services: str) -> list[str]:
        """The endpoint names of AWS services in this region, as kms:ViaService names them."""
        return [f"{s}.{self.region}.{service_domain_of(self.region)}" for s in services]

    def key(
        self,
        construct_id: str,
        purpose: KeyPurpose,
        what: str,
        *,
        service_uses: Sequence[ServiceUse],
        service_principal_uses: Sequence[ServicePrincipalUse] = (),
    ) -> CustodyKey:
        """The key of that purpose under the alias the config names, described as "LED <env>: what"."""
        cfg = self.config
        return CustodyKey(
            self.scope,
            construct_id,
            purpose=purpose,
            alias_name=cfg.key_alias_name(purpose),
            description=f"LED {cfg.name}: {what}",
            admin_principal_arns=_admins(cfg, self.region),
            service_uses=service_uses,
            service_principal_uses=service_principal_uses,
            rotation_period_days=cfg.keys.rotation_period_days,
            origin=cfg.keys.origin,
            external_key_store=self.external_key_store,
        )

    def backup_key(self, construct_id: str, purpose: KeyPurpose, what: str) -> CustodyKey:
        """A backup vault key: used by AWS Backup (and RDS, for its snapshots) of the workload and
        backup accounts."""
        acc = self.config.accounts
        backup = ServiceUse(
            sid="BackupUseThroughAwsBackup", accounts=[acc.workload, acc.backup], services=self.via("backup", "rds")
        )
        return self.key(construct_id, purpose, what, service_uses=[backup])


class KeyCustodyStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config
        domain = service_domain_of(cfg.region)
        acc = cfg.accounts
        partition = Aws.PARTITION
        keys = _RegionKeys.of(self, cfg, cfg.region)
        via = keys.via

        exit_bucket_arn = f"arn:{partition}:s3:::{cfg.exit_bucket_name}"
        exit_bucket_context = {
            "ArnLike": {"kms:EncryptionContext:aws:s3:arn": [exit_bucket_arn, f"{exit_bucket_arn}/*"]}
        }
        self.data_key = keys.key(
            "DataKey",
            "data",
            "data key (database, snapshots, secrets, Performance Insights)",
            service_uses=[
                # The backup account needs the data key to copy RDS recovery points in (§37).
                # Lambda: the LED functions' environments (drills, audit setup) are under this key.
                ServiceUse(
                    sid="WorkloadUseThroughDataServices",
                    accounts=[acc.workload, acc.backup],
                    services=via("rds", "secretsmanager", "backup", "lambda"),
                ),
                # S3 only for the exit bucket: S3 names the bucket (bucket keys) or the object in the
                # encryption context, so no other bucket of any LED account can use the data key.
                ServiceUse(
                    sid="WorkloadUseThroughS3ForTheExitBucket",
                    accounts=[acc.workload],
                    services=via("s3"),
                    actions=S3_CONTEXT_ACTIONS,
                    grants=False,
                    conditions=exit_bucket_context,
                ),
                # VTC-EXIT (§42-43): the second partner (exactly the principal the config names)
                # reads the exit exports, through S3 only, from the exit bucket only.
                ServiceUse(
                    sid="SecondPartnerReadsExitExports",
                    accounts=[cfg.drills.second_partner_account],
                    principal_arns=[cfg.drills.second_partner_principal_arn],
                    services=via("s3"),
                    actions=("kms:Decrypt",),
                    grants=False,
                    conditions=exit_bucket_context,
                ),
            ],
        )
        self.backup_key = keys.backup_key("BackupKey", "backup", "backup vault key (primary region)")
        log_context_arn = f"arn:{partition}:logs:{cfg.region}:{acc.workload}:log-group:*"
        # The workload's trail, and the log archive's own trail of reads of the archive.
        # And the key custody account's own trail (KeyCustodyAuditStack).
        trail_accounts = [acc.workload, acc.log_archive, acc.key_custody]
        trail_context_arns = [f"arn:{partition}:cloudtrail:*:{a}:trail/*" for a in trail_accounts]
        self.log_key = keys.key(
            "LogKey",
            "log",
            "log key (log groups, trail, log archive, alarms topic)",
            service_uses=[
                # The log archive bucket (SSE-KMS) is written and read through S3 only.
                ServiceUse(sid="LogArchiveUseThroughS3", accounts=[acc.log_archive, acc.workload], services=via("s3")),
                ServiceUse(sid="WorkloadUseThroughSns", accounts=[acc.workload], services=via("sns")),
                # The archive streams (Firehose, log archive account) of the workload's log groups.
                ServiceUse(sid="LogArchiveUseThroughFirehose", accounts=[acc.log_archive], services=via("firehose")),
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
                        "StringEquals": {"aws:SourceAccount": trail_accounts},
                    },
                ),
                ServicePrincipalUse.for_account(
                    "CloudWatchAlarmsOfWorkload", f"cloudwatch.{domain}", acc.workload, PUBLISH_ACTIONS
                ),
                # AWS Config delivers snapshots and history into the log archive bucket (SSE-KMS).
                ServicePrincipalUse.for_account(
                    "ConfigDeliveryOfWorkload", f"config.{domain}", acc.workload, ("kms:Decrypt", "kms:GenerateDataKey")
                ),
                # EventBridge publishes backup and restore-test failures to the alarm topic.
                ServicePrincipalUse.for_account(
                    "EventBridgeAlarmsOfWorkload", f"events.{domain}", acc.workload, PUBLISH_ACTIONS
                ),
                # EventBridge publishes FB's key changes to AHOVOKS' key custody alarm topic.
                ServicePrincipalUse.for_account(
                    "EventBridgeKeyCustodyAlarmsOfLogArchive", f"events.{domain}", acc.log_archive, PUBLISH_ACTIONS
                ),
            ],
        )
        outputs = {"DataKeyArn": self.data_key, "BackupKeyArn": self.backup_key, "LogKeyArn": self.log_key}
        for output, key in outputs.items():
            CfnOutput(
                self,
                output,
                value=key.key_arn,
                description="Put this ARN into the environment's [keys] table of the LED config",
            )


class KeyCustodyAuditStack(OwnBoundaryStack):
    """What AHOVOKS sees of the key custody account (VTC-KEY-CUSTODY §51, VTC-AUDIT-TRAIL §49).

    An FB administrator could otherwise grant itself Decrypt, or change a key policy, unseen by
    the controller. FB's own stack, deployed after the log archive (it writes into it):

    - a trail of every management event (reads included: every Decrypt, by whom), all regions and
      the global services, validated, under the FB log key, into the AHOVOKS archive
      (``AWSLogs/<key custody account>/``, Object Lock);
    - an EventBridge rule that forwards key policy changes, grants, disabling and deletion (and
      changes to this trail and rule) to the log archive account's event bus, where AHOVOKS'
      rule publishes them to its topic (cdk_constructs/key_custody_alarms.py). EventBridge is the one path
      that works across accounts with no manual step: CloudWatch alarms can only notify a topic
      of their own account, and a cross-account bus target needs only this rule's role and the
      bus's resource policy, both deployed by CloudFormation.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        # FB's account: FB accepts the boundary's allow-all ceiling.
        super().__init__(
            scope,
            construct_id,
            config=config,
            boundary="key-custody-boundary",
            boundary_risk="key-custody-boundary-allow-all-ceiling",
            **kwargs,
        )
        cfg = config
        acc = cfg.accounts
        domain = service_domain_of(cfg.region)
        partition = Aws.PARTITION

        self.trail = archive_trail(self, "Trail", cfg, name=key_custody_trail_name(cfg))
        self.trail.apply_removal_policy(RemovalPolicy.RETAIN)
        accept_risk(
            self.trail,
            "NIST.800.53.R5::NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled",
            "The key custody trail is read by AHOVOKS in its archive (VTC §27); the alarms on key changes are "
            "EventBridge rules forwarded to AHOVOKS, so a CloudWatch Logs copy in FB's account would add "
            "nothing AHOVOKS sees.",
            risk="key-custody-trail-without-cloudwatch-logs",
        )

        rule_name = cfg.resource_name("key-custody-changes")
        rule_arn = f"arn:{partition}:events:{cfg.region}:{acc.key_custody}:rule/{rule_name}"
        bus_arn = key_custody_event_bus_arn(cfg, partition)
        forwarder = iam.Role(
            self,
            "ForwarderRole",
            role_name=cfg.resource_name("key-custody-forwarder"),
            assumed_by=iam.ServicePrincipal(
                f"events.{domain}",
                conditions={"StringEquals": {"aws:SourceAccount": acc.key_custody, "aws:SourceArn": rule_arn}},
            ),
            description=f"LED {cfg.name}: EventBridge forwards FB key changes to AHOVOKS' event bus",
        )
        forward = iam.ManagedPolicy(
            self,
            "ForwarderPolicy",
            roles=[forwarder],
            statements=[iam.PolicyStatement(sid="ForwardToAhovoks", actions=["events:PutEvents"], resources=[bus_arn])],
        )
        self.rule = events.CfnRule(
            self,
            "KeyChanges",
            name=rule_name,
            description=f"LED {cfg.name}: key policy, grant, disable or deletion of an FB key, to AHOVOKS (VTC §51)",
            event_pattern=key_custody_event_pattern(cfg),
            state="ENABLED",
            targets=[events.CfnRule.TargetProperty(id="AhovoksEventBus", arn=bus_arn, role_arn=forwarder.role_arn)],
        )
        self.rule.node.add_dependency(forward)
        CfnOutput(self, "KeyCustodyTrailArn", value=self.trail.attr_arn, description="FB's trail, in AHOVOKS' archive")


class SecondaryKeyCustodyStack(Stack):
    """The FB backup key in the secondary region, for the copies kept there (VTC §37)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config
        region = cfg.backup.secondary_region
        assert region is not None, "SecondaryKeyCustodyStack needs backup.secondary_region"
        keys = _RegionKeys.of(self, cfg, region)
        self.backup_key = keys.backup_key(
            "SecondaryBackupKey", "secondary_backup", f"backup vault key ({region}, copies)"
        )
        CfnOutput(
            self,
            "SecondaryBackupKeyArn",
            value=self.backup_key.key_arn,
            description="Put this ARN into keys.secondary_backup_key_arn of the LED config",
        )


def _external_key_store(scope: Construct, cfg: EnvironmentConfig, region: str) -> ExternalKeyStore | None:
    """FB's external key store in this region (origin EXTERNAL_KEY_STORE), else None."""
    store = cfg.keys.external_key_store
    if cfg.keys.origin != "EXTERNAL_KEY_STORE" or store is None:
        return None
    primary = region == cfg.region
    return ExternalKeyStore(
        scope,
        "ExternalKeyStore",
        environment=cfg.name,
        region=region,
        store=store,
        uri_endpoint=store.uri_endpoint if primary else store.secondary_uri_endpoint or store.uri_endpoint,
        vpc_endpoint_service_name=store.vpc_endpoint_service_name
        if primary
        else store.secondary_vpc_endpoint_service_name,
    )


def _admins(cfg: EnvironmentConfig, region: str) -> list[str]:
    """The FB administration path: FB's key-administrator role, and the CloudFormation execution
    role that deploys the key stacks in FB's account (without it CloudFormation could not update
    the key policy it created)."""
    acc = cfg.accounts.key_custody
    return [
        f"arn:{Aws.PARTITION}:iam::{acc}:role/{cfg.keys.key_admin_role_name}",
        execution_role_arn(Aws.PARTITION, CDK_DEFAULT_QUALIFIER, acc, region),
    ]
