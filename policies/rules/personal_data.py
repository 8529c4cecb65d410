"""VTC-PERSONAL-DATA (§20): every data store says whether it holds personal data."""

from __future__ import annotations

from contract.tags import NO_PERSONAL_DATA, PERSONAL_DATA, PERSONAL_DATA_EXPORT, TAG_CLASSIFICATION
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = (
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::S3::Bucket",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::DynamoDB::Table",
    "AWS::EFS::FileSystem",
    "AWS::EC2::Volume",
    "AWS::Kinesis::Stream",
)
# personal-data-export: a transient export of personal data (the exit drill's), which expires and is
# not itself backed up; every other rule treats it as personal data.
VALUES = (PERSONAL_DATA, PERSONAL_DATA_EXPORT, NO_PERSONAL_DATA)


def check(res: Resource) -> Result:
    value = res.tag(TAG_CLASSIFICATION)
    if value is None:
        return fail(f"no {TAG_CLASSIFICATION} tag")
    if value not in VALUES:
        return fail(f"{TAG_CLASSIFICATION} is {value!r}; allowed: {', '.join(VALUES)} (fails closed on tokens)")
    if value != NO_PERSONAL_DATA and not res.settings.holds_personal_data:
        return fail(
            f"a personal-data store in environment {res.settings.environment!r}, which is configured with "
            "holds_personal_data = false"
        )
    return verdict([])


RULE = RuleSpec(
    rule_id="VTC-PERSONAL-DATA",
    condition_id="VTC-PERSONAL-DATA",
    paragraph="§20",
    title="every data store says whether it holds personal data",
    trigger="a data store without the led:data-classification tag (personal-data, personal-data-export for "
    "transient exports, or no-personal-data), or tagged as personal data in an environment "
    "configured without personal data",
    fix="mark_personal_data_store(...) (or mark_personal_data_export for exports; cdk_constructs/tags.py) "
    "on every store",
    marks=(
        "AWS::RDS::DBInstance",
        "AWS::Backup::BackupVault",
        "AWS::Backup::LogicallyAirGappedBackupVault",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
