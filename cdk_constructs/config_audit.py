"""AWS Config in the workload account (VTC-REGULAR-AUDIT §11, §24-27; VTC-LOGS-DIRECT §27).

It records every resource, delivers its snapshots and history to the locked log archive of
AHOVOKS under the FB log key, and re-checks every day what the VTC pack checks at synthesis
(cdk_constructs/audit_rules.py), plus that every role carries the LED permissions boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws
from aws_cdk import aws_config as config_
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.audit_rules import audit_rules
from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig, service_domain_of
from contract.names import CONFIG_PREFIX, audit_rule_name, config_recorder_role_name

DAILY = config_.MaximumExecutionFrequency.TWENTY_FOUR_HOURS


@dataclass(frozen=True)
class ConfigAuditProps:
    config: EnvironmentConfig
    # The LED permissions boundary every role of the account must carry (stacks/workload.py).
    boundary_name: str


class ConfigAudit(Construct):
    def __init__(self, scope: Construct, construct_id: str, props: ConfigAuditProps) -> None:
        super().__init__(scope, construct_id)
        cfg = props.config
        self.recorder, self.delivery_channel = self._recorder(cfg)
        self.rules: dict[str, config_.ManagedRule] = {}
        for rule in audit_rules(cfg):
            managed = config_.ManagedRule(
                self,
                rule.construct_id,
                config_rule_name=audit_rule_name(cfg, rule.construct_id),
                identifier=rule.identifier,
                description=f"LED {cfg.name}: {rule.vtc}",
                input_parameters=rule.parameters,
                maximum_execution_frequency=DAILY if rule.periodic else None,
            )
            managed.node.add_dependency(self.recorder)
            self.rules[rule.construct_id] = managed
        # VTC-LEAST-PRIVILEGE and VTC-OUTSOURCING-2016: every role carries the boundary that keeps
        # it in the allowed regions (service-linked roles, made by AWS, cannot carry one).
        boundary_arn = f"arn:{Aws.PARTITION}:iam::{cfg.accounts.workload}:policy/{props.boundary_name}"
        self.boundary_rule = config_.CustomPolicy(
            self,
            "EveryRoleBounded",
            config_rule_name=audit_rule_name(cfg, "EveryRoleBounded"),
            description=f"LED {cfg.name}: every role carries the LED permissions boundary (regions, keys, audit)",
            rule_scope=config_.RuleScope.from_resources([config_.ResourceType.IAM_ROLE]),
            policy_text=(
                'rule led_permissions_boundary when configuration.path != "/aws-service-role/" {\n'
                f'    configuration.permissionsBoundary.permissionsBoundaryArn == "{boundary_arn}"\n'
                "}\n"
            ),
        )
        self.boundary_rule.node.add_dependency(self.recorder)

    def _recorder(self, cfg: EnvironmentConfig) -> tuple[config_.CfnConfigurationRecorder, config_.CfnDeliveryChannel]:
        """The recorder of every resource, and its delivery channel into the log archive."""
        domain = service_domain_of(cfg.region)
        bucket_name = cfg.log_archive_bucket_name
        bucket_arn = f"arn:{Aws.PARTITION}:s3:::{bucket_name}"
        config_objects = f"{CONFIG_PREFIX}/AWSLogs/{cfg.accounts.workload}/Config/*"
        recorder_role = iam.Role(
            self,
            "ConfigRecorderRole",
            role_name=config_recorder_role_name(cfg),
            assumed_by=iam.ServicePrincipal(
                f"config.{domain}", conditions={"StringEquals": {"aws:SourceAccount": cfg.accounts.workload}}
            ),
            description="AWS Config records the LED workload account and delivers to the log archive",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWS_ConfigRole")],
        )
        accept_risk(
            recorder_role,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]",
            "AWS Config's own service-role policy is the documented way to let the recorder describe every "
            "resource type; AWS keeps it current as types are added, and the role carries the LED boundary.",
            risk="aws-managed-service-role-policies",
        )
        delivery = iam.ManagedPolicy(
            self,
            "ConfigDeliveryPolicy",
            roles=[recorder_role],
            statements=[
                iam.PolicyStatement(
                    sid="CheckTheArchive", actions=["s3:GetBucketAcl", "s3:ListBucket"], resources=[bucket_arn]
                ),
                iam.PolicyStatement(
                    sid="DeliverToTheArchive",
                    actions=["s3:PutObject"],
                    resources=[f"{bucket_arn}/{config_objects}"],
                    conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                ),
                iam.PolicyStatement(
                    sid="EncryptWithTheLogKeyThroughS3",
                    actions=["kms:GenerateDataKey"],
                    resources=[cfg.key_arn("log")],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{cfg.region}.{domain}"}},
                ),
            ],
        )
        accept_risk(
            delivery,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket_name}/{config_objects}]",
            "AWS Config names its snapshot and history objects per region and date under its fixed prefix "
            "in the log archive; the role may only add objects there (Object Lock keeps them).",
            risk="iam-aws-generated-names",
        )
        recorder = config_.CfnConfigurationRecorder(
            self,
            "Recorder",
            name=cfg.resource_name("recorder"),
            role_arn=recorder_role.role_arn,
            recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
                all_supported=True,
                include_global_resource_types=True,
            ),
        )
        channel = config_.CfnDeliveryChannel(
            self,
            "DeliveryChannel",
            name=cfg.resource_name("delivery"),
            s3_bucket_name=bucket_name,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=cfg.key_arn("log"),
            config_snapshot_delivery_properties=config_.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                delivery_frequency="TwentyFour_Hours",
            ),
        )
        channel.node.add_dependency(delivery)
        return recorder, channel
