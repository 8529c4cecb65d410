"""VTC-LOGS-DIRECT (§27): the audit trail lands in the log archive account, which AHOVOKS reads
directly and where Object Lock keeps the processor from deleting or rewriting it."""

from __future__ import annotations

from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_int, render, target_of

RESOURCE_TYPES = ("AWS::CloudTrail::Trail", "AWS::S3::Bucket")


def _trail(res: Resource) -> Result:
    archive = res.settings.log_archive_account
    value = res.props.get("S3BucketName")
    target = target_of(value, res.stack, res.app)
    if target is not None and target.type == "AWS::S3::Bucket":
        account = target.stack.account
        where = f"bucket {target.logical_id} of stack {target.stack.name}"
    else:
        text = render(value, res.stack, res.app)
        if not text.decided:
            return fail(f"S3BucketName cannot be read ({text.why()}) (fails closed)")
        owners = [
            b.stack.account for b in res.app.resources("AWS::S3::Bucket") if b.props.get("BucketName") == text.text
        ]
        if not owners:
            return fail(
                f"cannot tell which account owns bucket {text.text!r}: define it in the log archive "
                "stack of this app (fails closed)"
            )
        account, where = owners[0], f"bucket {text.text}"
    if account != archive:
        return fail(f"the trail delivers to {where} in account {account}, not the log archive account {archive}")
    return verdict([])


def _archive_bucket(res: Resource) -> Result:
    if res.stack.account != res.settings.log_archive_account:
        return NOT_APPLICABLE
    p = res.props
    problems = []
    if as_bool(p.get("ObjectLockEnabled")) is not True:
        problems.append("ObjectLockEnabled is not true")
    rule = ((p.get("ObjectLockConfiguration") or {}).get("Rule") or {}).get("DefaultRetention") or {}
    if rule.get("Mode") != "COMPLIANCE":
        problems.append(f"default retention mode is {rule.get('Mode')!r}, not COMPLIANCE")
    days = as_int(rule.get("Days")) or 365 * (as_int(rule.get("Years")) or 0)
    if days < res.settings.generations:
        problems.append(f"default retention of {days} days is shorter than the backups' {res.settings.generations}")
    return verdict(problems)


def check(res: Resource) -> Result:
    return _trail(res) if res.type == "AWS::CloudTrail::Trail" else _archive_bucket(res)


RULE = RuleSpec(
    rule_id="VTC-LOGS-DIRECT",
    condition_id="VTC-LOGS-DIRECT",
    paragraph="§27",
    title="the audit trail lands in the log archive account, under Object Lock",
    trigger="a trail delivering to a bucket outside the log archive account (or one the app cannot place); "
    "a bucket of the log archive account without Object Lock in COMPLIANCE mode",
    fix="deliver to the log archive bucket; enable Object Lock with a COMPLIANCE default retention",
    marks=("AWS::CloudTrail::Trail",),
    resource_types=RESOURCE_TYPES,
    check=check,
)
