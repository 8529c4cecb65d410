"""VTC-LEAST-PRIVILEGE-SOURCE (conclusion V): an AWS service acts on an LED resource only on behalf
of the LED's own resources (no confused deputy).

A bucket policy, backup vault access policy or SNS topic policy that allows an AWS service
principal (cloudtrail.amazonaws.com, events.amazonaws.com, ...) without `aws:SourceAccount`,
`aws:SourceArn` or `aws:SourceOrgID` lets that service act for any AWS customer: anybody's trail,
rule or alarm could write to the archive or publish to the alarm topic.
"""

from __future__ import annotations

from policies.model import Resource, Result, verdict
from policies.resource_policies import POLICY_PROPERTIES, condition_keys, policy_allows, service_principals
from policies.spec import RuleSpec

RESOURCE_TYPES = tuple(POLICY_PROPERTIES)
SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")


def check(res: Resource) -> Result:
    allows = policy_allows(res)
    if isinstance(allows, Result):
        return allows
    out: list[str] = []
    for st in allows:
        services = service_principals(st)
        if services and not condition_keys(st.condition) & set(SOURCE_KEYS):
            out.append(
                f"statement {st.sid}: service principal {', '.join(services)} without aws:SourceAccount, "
                "aws:SourceArn or aws:SourceOrgID: it acts for any AWS account"
            )
    return verdict(out)


RULE = RuleSpec(
    rule_id="VTC-LEAST-PRIVILEGE-SOURCE",
    condition_id="VTC-LEAST-PRIVILEGE",
    paragraph="conclusion V",
    title="AWS services act on LED resources only for the LED's own sources",
    trigger="a bucket policy, backup vault access policy or SNS topic policy allowing an AWS service principal "
    "without an aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition",
    fix="add aws:SourceAccount (and aws:SourceArn where the service sets it) to the statement",
    resource_types=RESOURCE_TYPES,
    check=check,
)
