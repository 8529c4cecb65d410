"""What each resource type costs a month (the pricers in database.py and services.py), and the
types that cost nothing themselves (FREE) or that are not priced (NOT_PRICED, with the reason). A
type in none of them is listed as "unknown to the estimator" beside the estimate, and
tests/test_cost.py fails on it in the landing zone: every new type must be priced or declared."""

from __future__ import annotations

from tools.cost import database, services
from tools.cost.services import fixed
from tools.cost.values import Pricer

PRICERS: dict[str, Pricer] = {
    "AWS::RDS::DBInstance": database.rds_instance,
    "AWS::Backup::BackupPlan": database.backup_plan,
    "AWS::Backup::RestoreTestingPlan": database.restore_testing,
    "AWS::KMS::Key": services.kms_key,
    "AWS::KMS::ReplicaKey": services.kms_key,
    "AWS::EC2::VPCEndpoint": services.vpc_endpoint,
    "AWS::CloudTrail::Trail": services.cloudtrail,
    "AWS::Config::ConfigurationRecorder": fixed(
        "Config", "configuration items", "config_item", "items", "config_items_per_month"
    ),
    "AWS::Config::ConfigRule": fixed(
        "Config", "rule evaluations", "config_rule_evaluation", "evaluations", "config_evaluations_per_rule"
    ),
    "AWS::Lambda::Function": services.lambda_function,
    "AWS::Logs::LogGroup": services.log_group,
    "AWS::Route53Resolver::FirewallDomainList": services.dns_domain_list,
    "AWS::Route53Resolver::FirewallRuleGroupAssociation": services.dns_firewall_association,
    "AWS::KinesisFirehose::DeliveryStream": fixed(
        "Firehose", "ingestion", "firehose_ingest_gb", "GB", "firehose_gb_per_month"
    ),
    "AWS::S3::Bucket": fixed("S3", "Standard storage", "s3_standard_gb_month", "GB-months", "s3_gb_per_bucket"),
    "AWS::CloudWatch::Alarm": fixed("CloudWatch", "alarms", "alarm_month", "alarm-months"),
    "AWS::SecretsManager::Secret": fixed("Secrets Manager", "secrets", "secret_month", "secret-months"),
}

# AWS charges nothing for these resources themselves (what they hold or cause is priced where it
# is billed: a log group's volume, a vault's recovery points, a rule's Lambda).
FREE: dict[str, str] = {
    t: "no charge for the resource itself"
    for t in (
        "AWS::CDK::Metadata",
        "AWS::CloudFormation::CustomResource",
        "AWS::CloudFormation::WaitConditionHandle",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::InstanceProfile",
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::NetworkAclEntry",
        "AWS::EC2::SubnetNetworkAclAssociation",
        "AWS::EC2::FlowLog",
        "AWS::KMS::Alias",
        "AWS::S3::BucketPolicy",
        "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::Destination",
        "AWS::Logs::MetricFilter",
        "AWS::Logs::ResourcePolicy",
        "AWS::Lambda::Permission",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Events::Rule",
        "AWS::Events::EventBusPolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
        "AWS::Backup::BackupVault",
        "AWS::Backup::BackupSelection",
        "AWS::Backup::RestoreTestingSelection",
        "AWS::RDS::DBSubnetGroup",
        "AWS::RDS::DBParameterGroup",
        "AWS::SecretsManager::SecretTargetAttachment",
        "AWS::Config::DeliveryChannel",
        "AWS::Route53Resolver::FirewallRuleGroup",
        "AWS::Route53Resolver::ResolverQueryLoggingConfig",
        "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation",
        "AWS::Organizations::Policy",
        "AWS::SSM::Parameter",
        "AWS::RAM::ResourceShare",
    )
}
# A vault costs nothing itself: what it holds is priced with the plan's copy actions (backup_plan).
FREE["AWS::Backup::LogicallyAirGappedBackupVault"] = (
    "the vault itself; the copies it holds are priced as the backup plan's copies in its region"
)

# Billed per use, at volumes this landing zone keeps far below a cent a month: listed beside the
# estimate with the reason, not priced.
NOT_PRICED: dict[str, str] = {
    "AWS::SNS::Topic": (
        "per publish and delivery: alarm and drill notifications, a few a month (first million requests free)"
    ),
    "AWS::Events::EventBus": "custom events at USD 1 per million: a few events a month",
    "AWS::Backup::Framework": "AWS Backup Audit Manager, per control evaluation: a handful of controls a day",
}
