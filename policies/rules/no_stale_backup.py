"""VTC-NO-STALE-BACKUP (§47): no recovery point, copies included, outlives the key rotation period.

A logically air-gapped vault is held to more: its compliance lock can never be lifted and its key
never changed, so its MaxRetentionDays stays below the rotation period (every copy in it is gone
before the key rotates, re-encryption is never blocked) and its key is the FB backup key (an
AWS-owned key is one FB neither rotates nor re-encrypts from, §46)."""

from __future__ import annotations

from policies.backup import AIR_GAPPED, air_gap_key_problems, copy_lifecycle, plan_rules, vault_lock
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_int

RESOURCE_TYPES = (
    "AWS::Backup::BackupPlan",
    "AWS::Backup::BackupVault",
    AIR_GAPPED,
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
)


def _bounded(label: str, value: object, bound: int, problems: list[str]) -> None:
    if value is None:
        problems.append(f"{label}: no DeleteAfterDays, recovery points are kept forever")
        return
    days = as_int(value)
    if days is None:
        problems.append(f"{label}: DeleteAfterDays {value!r} cannot be read (fails closed)")
    elif days > bound:
        problems.append(f"{label}: kept {days} days, longer than the key rotation period ({bound} days)")


def _air_gapped(res: Resource, bound: int) -> list[str]:
    lock = vault_lock(res)
    assert lock is not None  # an air-gapped vault always has one
    problems = air_gap_key_problems(res)
    if lock.max_days is None or lock.max_days >= bound:
        problems.append(
            f"MaxRetentionDays {res.props.get('MaxRetentionDays')!r} of the air-gapped vault is not below the key "
            f"rotation period ({bound} days): copies could outlive the key, and the compliance lock never lifts"
        )
    if lock.min_days is None or (lock.max_days is not None and lock.min_days > lock.max_days):
        problems.append(f"MinRetentionDays {res.props.get('MinRetentionDays')!r} cannot be read or exceeds the maximum")
    return problems


def check(res: Resource) -> Result:
    bound = res.settings.rotation_period_days
    problems: list[str] = []
    if res.type == AIR_GAPPED:
        problems = _air_gapped(res, bound)
    elif res.type == "AWS::Backup::BackupPlan":
        for rule in plan_rules(res):
            _bounded(f"rule {rule.name}", rule.delete_after, bound, problems)
            for i, copy in enumerate(rule.copies):
                _bounded(f"rule {rule.name} copy {i}", copy_lifecycle(copy), bound, problems)
    elif res.type == "AWS::Backup::BackupVault":
        lock = res.props.get("LockConfiguration")
        # A lock whose minimum outlives the key forces recovery points past the rotation (§47).
        for key in ("MinRetentionDays", "MaxRetentionDays"):
            if isinstance(lock, dict) and key in lock:
                days = as_int(lock[key])
                if days is None or days > bound:
                    problems.append(
                        f"LockConfiguration.{key} {lock[key]!r} exceeds the key rotation period ({bound} days)"
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
    "a vault lock allowing or forcing longer retention, an air-gapped vault whose maximum retention is not "
    "below the rotation period or that is not under the FB backup key, or RDS automated backups kept longer",
    fix="set DeleteAfterDays (rule and every copy) and the vault lock's minimum and maximum retention to at "
    "most the rotation period",
    marks=(
        "AWS::Backup::BackupVault",
        "AWS::Backup::LogicallyAirGappedBackupVault",
        "AWS::Backup::BackupPlan",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
