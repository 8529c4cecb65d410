"""VTC-NO-STALE-BACKUP (§47): no recovery point, copies included, outlives the key rotation period."""

from __future__ import annotations

from policies.backup import copy_lifecycle, plan_rules
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_int

RESOURCE_TYPES = ("AWS::Backup::BackupPlan", "AWS::Backup::BackupVault", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def _bounded(label: str, value: object, bound: int, problems: list[str]) -> None:
    if value is None:
        problems.append(f"{label}: no DeleteAfterDays, recovery points are kept forever")
        return
    days = as_int(value)
    if days is None:
        problems.append(f"{label}: DeleteAfterDays {value!r} cannot be read (fails closed)")
    elif days > bound:
        problems.append(f"{label}: kept {days} days, longer than the key rotation period ({bound} days)")


def check(res: Resource) -> Result:
    bound = res.settings.rotation_period_days
    problems: list[str] = []
    if res.type == "AWS::Backup::BackupPlan":
        for rule in plan_rules(res):
            _bounded(f"rule {rule.name}", rule.delete_after, bound, problems)
            for i, copy in enumerate(rule.copies):
                _bounded(f"rule {rule.name} copy {i}", copy_lifecycle(copy), bound, problems)
    elif res.type == "AWS::Backup::BackupVault":
        lock = res.props.get("LockConfiguration")
        # A lock whose minimum outlives the key forces recovery points past the rotation (§47).
        if isinstance(lock, dict) and "MinRetentionDays" in lock:
            days = as_int(lock["MinRetentionDays"])
            if days is None or days > bound:
                problems.append(
                    f"LockConfiguration.MinRetentionDays {lock['MinRetentionDays']!r} exceeds the key "
                    f"rotation period ({bound} days)"
                )
        if isinstance(lock, dict) and "MaxRetentionDays" in lock:
            days = as_int(lock["MaxRetentionDays"])
            if days is None or days > bound:
                problems.append(
                    f"LockConfiguration.MaxRetentionDays {lock['MaxRetentionDays']!r} exceeds the key "
                    f"rotation period ({bound} days)"
                )
    else:
        period = res.props.get("BackupRetentionPeriod")
        days = as_int(period) if period is not None else 1
        if days is None or days > bound:
            problems.append(f"BackupRetentionPeriod {period!r} exceeds the key rotation period ({bound} days)")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-NO-STALE-BACKUP",
    condition_id="VTC-NO-STALE-BACKUP",
    paragraph="§47",
    title="no recovery point outlives the key rotation period",
    trigger="a backup rule or copy without DeleteAfterDays or keeping longer than keys.rotation_period_days, "
    "a vault lock allowing or forcing longer retention, or RDS automated backups kept longer",
    fix="set DeleteAfterDays (rule and every copy) and the vault lock's minimum and maximum retention to at "
    "most the rotation period",
    marks=(
        "AWS::Backup::BackupVault",
        "AWS::Backup::BackupPlan",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
