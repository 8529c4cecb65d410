"""Where each encryptable resource type keeps its encryption settings (VTC §48).

`key_uses(resource)` lists every key reference a resource holds, with what must be true beside
the key (e.g. `StorageEncrypted`). VTC-ENCRYPT-ALL checks that each is customer-managed;
VTC-KEY-CUSTODY checks that each belongs to the key custody account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policies.graph import is_cluster_member
from policies.model import Resource
from policies.values import as_bool


@dataclass(frozen=True)
class KeyUse:
    label: str  # the property that holds the key, as it reads in the template
    value: Any
    problems: tuple[str, ...] = ()  # settings beside the key that defeat encryption


def _get(props: dict, *path: str) -> Any:
    value: Any = props
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _must_be_true(props: dict, name: str) -> tuple[str, ...]:
    return () if as_bool(props.get(name)) is True else (f"{name} is {props.get(name)!r}, not true",)


def _rds_instance(res: Resource) -> list[KeyUse]:
    p = res.props
    uses = []
    if not is_cluster_member(res):  # Aurora instances are encrypted through their cluster
        uses.append(KeyUse("KmsKeyId", p.get("KmsKeyId"), _must_be_true(p, "StorageEncrypted")))
    if as_bool(p.get("EnablePerformanceInsights")) is True:
        uses.append(KeyUse("PerformanceInsightsKMSKeyId", p.get("PerformanceInsightsKMSKeyId")))
    if as_bool(p.get("ManageMasterUserPassword")) is True:
        uses.append(KeyUse("MasterUserSecret.KmsKeyId", _get(p, "MasterUserSecret", "KmsKeyId")))
    if p.get("AutomaticBackupReplicationRegion"):
        uses.append(KeyUse("AutomaticBackupReplicationKmsKeyId", p.get("AutomaticBackupReplicationKmsKeyId")))
    return uses


def _rds_cluster(res: Resource) -> list[KeyUse]:
    p = res.props
    uses = [KeyUse("KmsKeyId", p.get("KmsKeyId"), _must_be_true(p, "StorageEncrypted"))]
    if as_bool(p.get("PerformanceInsightsEnabled")) is True:
        uses.append(KeyUse("PerformanceInsightsKmsKeyId", p.get("PerformanceInsightsKmsKeyId")))
    if as_bool(p.get("ManageMasterUserPassword")) is True:
        uses.append(KeyUse("MasterUserSecret.KmsKeyId", _get(p, "MasterUserSecret", "KmsKeyId")))
    return uses


def _s3_bucket(res: Resource) -> list[KeyUse]:
    rules = _get(res.props, "BucketEncryption", "ServerSideEncryptionConfiguration")
    if not isinstance(rules, list) or not rules:
        return [KeyUse("BucketEncryption", None, ("no BucketEncryption: S3 uses SSE-S3, an AWS-owned key",))]
    uses = []
    for i, rule in enumerate(rules):
        default = _get(rule, "ServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm") if isinstance(default, dict) else None
        problems = (
            ()
            if algorithm in ("aws:kms", "aws:kms:dsse")
            else (f"SSEAlgorithm is {algorithm!r}: only aws:kms with a customer-managed key is allowed",)
        )
        uses.append(
            KeyUse(
                f"ServerSideEncryptionConfiguration[{i}].KMSMasterKeyID",
                default.get("KMSMasterKeyID") if isinstance(default, dict) else None,
                problems,
            )
        )
    return uses


def _simple(name: str, *must: str) -> Callable[[Resource], list[KeyUse]]:
    def uses(res: Resource) -> list[KeyUse]:
        problems = tuple(p for m in must for p in _must_be_true(res.props, m))
        return [KeyUse(name, res.props.get(name), problems)]

    return uses


def _sqs(res: Resource) -> list[KeyUse]:
    problems = ("SqsManagedSseEnabled uses an SQS-owned key",) if as_bool(res.props.get("SqsManagedSseEnabled")) else ()
    return [KeyUse("KmsMasterKeyId", res.props.get("KmsMasterKeyId"), problems)]


def _kinesis(res: Resource) -> list[KeyUse]:
    enc = res.props.get("StreamEncryption") or {}
    problems = (
        ()
        if isinstance(enc, dict) and enc.get("EncryptionType") == "KMS"
        else ("StreamEncryption.EncryptionType is not KMS",)
    )
    return [KeyUse("StreamEncryption.KeyId", _get(res.props, "StreamEncryption", "KeyId"), problems)]


def _firehose(res: Resource) -> list[KeyUse]:
    enc = res.props.get("DeliveryStreamEncryptionConfigurationInput") or {}
    key_type = enc.get("KeyType") if isinstance(enc, dict) else None
    problems = (
        ()
        if key_type == "CUSTOMER_MANAGED_CMK"
        else (f"DeliveryStreamEncryptionConfigurationInput.KeyType is {key_type!r}, not CUSTOMER_MANAGED_CMK",)
    )
    return [
        KeyUse(
            "DeliveryStreamEncryptionConfigurationInput.KeyARN",
            enc.get("KeyARN") if isinstance(enc, dict) else None,
            problems,
        )
    ]


def _dynamodb(res: Resource) -> list[KeyUse]:
    sse = res.props.get("SSESpecification") or {}
    problems = (
        ()
        if isinstance(sse, dict) and as_bool(sse.get("SSEEnabled")) and sse.get("SSEType", "KMS") == "KMS"
        else ("SSESpecification does not enable SSE-KMS: DynamoDB uses an AWS-owned key",)
    )
    return [KeyUse("SSESpecification.KMSMasterKeyId", _get(res.props, "SSESpecification", "KMSMasterKeyId"), problems)]


def _lambda_function(res: Resource) -> list[KeyUse]:
    # A function's environment variables are stored encrypted; without KmsKeyArn AWS uses its own
    # key (issue #9: function environments under an FB key). No environment, nothing stored.
    if not _get(res.props, "Environment", "Variables"):
        return []
    return [KeyUse("KmsKeyArn", res.props.get("KmsKeyArn"))]


KEY_USES: dict[str, Callable[[Resource], list[KeyUse]]] = {
    "AWS::RDS::DBInstance": _rds_instance,
    "AWS::RDS::DBCluster": _rds_cluster,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::Logs::LogGroup": _simple("KmsKeyId"),
    "AWS::SecretsManager::Secret": _simple("KmsKeyId"),
    "AWS::SNS::Topic": _simple("KmsMasterKeyId"),
    "AWS::SQS::Queue": _sqs,
    "AWS::EC2::Volume": _simple("KmsKeyId", "Encrypted"),
    "AWS::EFS::FileSystem": _simple("KmsKeyId", "Encrypted"),
    "AWS::Backup::BackupVault": _simple("EncryptionKeyArn"),
    "AWS::Backup::LogicallyAirGappedBackupVault": _simple("EncryptionKeyArn"),
    "AWS::CloudTrail::Trail": _simple("KMSKeyId"),
    "AWS::Kinesis::Stream": _kinesis,
    "AWS::KinesisFirehose::DeliveryStream": _firehose,
    "AWS::DynamoDB::Table": _dynamodb,
    "AWS::Lambda::Function": _lambda_function,
}


def key_uses(res: Resource) -> list[KeyUse]:
    reader = KEY_USES.get(res.type)
    return reader(res) if reader else []
