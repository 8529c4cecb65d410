"""VTC-AUDIT-TRAIL-RETENTION (§49): logs are kept at least as long as any backup of the environment."""

from __future__ import annotations

from policies.backup import max_retention_days
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_int

RESOURCE_TYPES = ("AWS::Logs::LogGroup",)


def check(res: Resource) -> Result:
    value = res.props.get("RetentionInDays")
    if value is None:
        return verdict([])  # never expires
    days = as_int(value)
    if days is None:
        return fail(f"RetentionInDays {value!r} cannot be read (fails closed)")
    longest = max_retention_days(res)
    if days < longest:
        return fail(f"RetentionInDays is {days}, shorter than the {longest} days recovery points are kept")
    return verdict([])


RULE = RuleSpec(
    rule_id="VTC-AUDIT-TRAIL-RETENTION",
    condition_id="VTC-AUDIT-TRAIL",
    paragraph="§49",
    title="logs are kept at least as long as any recovery point",
    trigger="a log group whose RetentionInDays is shorter than the longest retention of any backup rule "
    "or copy of its environment (at least backup.generations days)",
    fix="set the log group's retention to logs.retention_days (at least the backup retention)",
    resource_types=RESOURCE_TYPES,
    check=check,
)
