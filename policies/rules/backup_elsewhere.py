"""VTC-BACKUP-ELSEWHERE (§37): every backup rule copies to another account or another allowed region,
and keeps that copy at least backup.copy_retention_days: the copies elsewhere are what is left to
restore from when the plan stops (the detection-and-response window, issue #9).

A logically air-gapped vault of the app counts as elsewhere like any vault of another account, once
it can take the copy: under the FB backup key (not an AWS-owned key), and with the copy's lifecycle
inside its compliance lock (AWS Backup fails a copy job outside it: nothing would arrive)."""

from __future__ import annotations

from policies.backup import AIR_GAPPED, air_gap_key_problems, copy_lifecycle, find_vault, plan_rules, vault_location
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_int


def _air_gap_problems(res: Resource, label: str, copy: dict) -> list[str]:
    vault = find_vault(copy.get("DestinationBackupVaultArn"), res)
    if vault is None or vault.type != AIR_GAPPED:
        return []
    where = f"{label}: air-gapped vault {vault.logical_id} of {vault.stack.name}"
    problems = [f"{where}: {p}" for p in air_gap_key_problems(vault)]
    low, high = as_int(vault.props.get("MinRetentionDays")), as_int(vault.props.get("MaxRetentionDays"))
    kept = as_int(copy_lifecycle(copy))
    if kept is None or low is None or high is None or not low <= kept <= high:
        kept_for = "forever" if kept is None else f"{kept} days"
        problems.append(f"{where}: the copy kept {kept_for} falls outside its lock ({low}-{high} days), the job fails")
    return problems


RESOURCE_TYPES = ("AWS::Backup::BackupPlan",)


def check(res: Resource) -> Result:
    allowed = res.settings.allowed_regions
    window = res.settings.copy_retention_days
    problems: list[str] = []
    rules = plan_rules(res)
    if not rules:
        problems.append("the plan has no readable rule")
    for rule in rules:
        elsewhere = False
        for copy in rule.copies:
            where = vault_location(copy.get("DestinationBackupVaultArn"), res)
            if where.account is None or where.region is None:
                problems.append(f"rule {rule.name}: cannot tell where copy destination {where.why} is (fails closed)")
                continue
            other_account = where.account != res.stack.account
            other_region = where.region != res.stack.region and where.region in allowed
            if other_account or other_region:
                lag = _air_gap_problems(res, f"rule {rule.name}", copy)
                problems.extend(lag)
                elsewhere = elsewhere or not lag
                days = copy_lifecycle(copy)
                # No DeleteAfterDays keeps it forever: VTC-NO-STALE-BACKUP refuses that, not this rule.
                kept = as_int(days) if days is not None else None
                if days is not None and (kept is None or kept < window):
                    problems.append(
                        f"rule {rule.name}: the copy to {where.why} is kept {days!r} days, fewer than "
                        f"backup.copy_retention_days ({window})"
                    )
        if not elsewhere and not any(p.startswith(f"rule {rule.name}:") for p in problems):
            problems.append(f"rule {rule.name} copies to no vault in another account or another allowed region")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-BACKUP-ELSEWHERE",
    condition_id="VTC-BACKUP-ELSEWHERE",
    paragraph="§37",
    title="every backup is copied to another account or another allowed region",
    trigger="a backup plan rule without a copy action to a vault in another account or another allowed "
    "region, or whose destination cannot be read; a copy elsewhere kept fewer than "
    "backup.copy_retention_days; a copy into an air-gapped vault not under the FB backup key or outside "
    "its retention lock",
    fix="add a copy action to the remote vault in the backup account (stacks/remote_vault.py), kept "
    "backup.copy_retention_days",
    marks=(
        "AWS::Backup::BackupPlan",
        "AWS::Backup::LogicallyAirGappedBackupVault",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
