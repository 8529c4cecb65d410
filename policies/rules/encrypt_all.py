"""VTC-ENCRYPT-ALL (§48): every store that can be encrypted is, under a customer-managed key."""

from __future__ import annotations

from policies.encryption import KEY_USES, key_uses
from policies.kms import classify_key
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = tuple(KEY_USES)
# What a finding adds to why a key reference is not a customer-managed key, by its kind (classify_key).
NOT_CUSTOMER_MANAGED = {
    "absent": "",
    "aws_managed": "; AWS-managed keys are not allowed",
    "undecidable": " (fails closed)",
}


def check(res: Resource) -> Result:
    problems: list[str] = []
    for use in key_uses(res):
        problems.extend(use.problems)
        key = classify_key(use.value, res)
        if key.kind in NOT_CUSTOMER_MANAGED:
            problems.append(f"{use.label}: {key.why}{NOT_CUSTOMER_MANAGED[key.kind]}")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-ENCRYPT-ALL",
    condition_id="VTC-ENCRYPT-ALL",
    paragraph="§48",
    title="every store that can be encrypted is encrypted with a customer-managed key",
    trigger="an RDS instance or cluster (storage, Performance Insights, master secret, backup replication), "
    "S3 bucket, log group, secret, SNS topic, SQS queue, EBS volume, EFS file system, backup vault, "
    "trail, Kinesis or Firehose stream or DynamoDB table without a key, with an AWS-managed key "
    "(alias/aws/...) or with a key reference that cannot be read",
    fix="pass the FB key (kms.Key.from_key_arn with the configured key ARN) as the resource's encryption key",
    marks=(
        "AWS::RDS::DBInstance",
        "AWS::Backup::BackupVault",
        "AWS::Backup::LogicallyAirGappedBackupVault",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::SecretsManager::Secret",
        "AWS::S3::Bucket",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
        "AWS::CloudTrail::Trail",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
