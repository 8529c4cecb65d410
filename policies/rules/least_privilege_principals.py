"""VTC-LEAST-PRIVILEGE-PRINCIPALS (conclusion V): trust and resource policies name their
principals; a wildcard principal is allowed only with a condition that narrows it."""

from __future__ import annotations

import json

from policies.iam import is_wildcard_principal, statements
from policies.kms import XKS_KEY_TYPE
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec

POLICY_PROPERTIES = {
    "AWS::IAM::Role": "AssumeRolePolicyDocument",
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
    XKS_KEY_TYPE: "KeyPolicy",
    "AWS::Backup::BackupVault": "AccessPolicy",
    "AWS::Backup::LogicallyAirGappedBackupVault": "AccessPolicy",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
    "AWS::EC2::VPCEndpoint": "PolicyDocument",
    "AWS::Logs::ResourcePolicy": "PolicyDocument",
}
RESOURCE_TYPES = tuple(POLICY_PROPERTIES)


def check(res: Resource) -> Result:
    doc = res.props.get(POLICY_PROPERTIES[res.type])
    if doc is None:
        return verdict([])
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return fail("the policy is a string that is not JSON (fails closed)")
    sts, problems = statements(doc, res)
    out = [f"{p} (fails closed)" for p in problems]
    for st in sts:
        if st.effect != "Allow":
            continue
        if st.not_principal:
            out.append(f"statement {st.sid}: Allow with NotPrincipal grants everybody else")
        elif is_wildcard_principal(st.principal) and not st.condition:
            out.append(f"statement {st.sid}: Allow to principal '*' without a narrowing condition")
    return verdict(out)


RULE = RuleSpec(
    rule_id="VTC-LEAST-PRIVILEGE-PRINCIPALS",
    condition_id="VTC-LEAST-PRIVILEGE",
    paragraph="conclusion V",
    title="trust and resource policies name their principals",
    trigger="an Allow to principal '*' without a narrowing condition, or with NotPrincipal, in a trust, "
    "key, bucket, vault, topic, queue, secret, endpoint or log resource policy",
    fix="name the principals, or add a condition such as aws:PrincipalAccount / aws:SourceAccount",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
