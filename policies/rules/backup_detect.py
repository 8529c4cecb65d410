"""VTC-BACKUP-RETENTION-DETECT (§37-39): the backups of personal data cannot stop unnoticed.

A plan that silently stops (deleted, its selection removed, its schedule changed) raises no
failed-job event; three days later every generation has expired. So every plan that backs up a
personal-data store needs, in its account and region:

- a CloudWatch alarm on the AWS/Backup job metrics of its vault (NumberOfBackupJobsCompleted or
  NumberOfRecoveryPointsCompleted, dimension BackupVaultName) that alarms, with an action, when
  nothing completed for at most 26 hours, missing data counting as breaching;
- an AWS Backup Audit Manager framework with the control BACKUP_LAST_RECOVERY_POINT_CREATED (a
  recovery point at most a day old) covering the store's type (the audit evidence, §11);
- a vault lock on its target vault and on every copy destination (workload and backup account),
  whose minimum retention keeps the generations and admits the copies' lifecycle.

And every vault tagged as holding personal data has a vault lock keeping at least the generations.
"""

from __future__ import annotations

from contract.tags import PERSONAL_DATA, TAG_CLASSIFICATION
from policies.backup import (
    PROTECTED_TYPES,
    copy_lifecycle,
    find_vault,
    plan_rules,
    plan_selects_personal_data,
    vault_lock,
    vault_name,
)
from policies.graph import in_place
from policies.model import NOT_APPLICABLE, Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_int, as_list, render

RESOURCE_TYPES = ("AWS::Backup::BackupPlan", "AWS::Backup::BackupVault")

MAX_SILENCE_SECONDS = 26 * 3600
JOB_METRICS = ("NumberOfBackupJobsCompleted", "NumberOfRecoveryPointsCompleted")
_HOURS = {"hours": 1, "days": 24}


def _lock_problems(label: str, vault: Resource, generations: int, keeps: list[int]) -> list[str]:
    lock = vault_lock(vault)
    where = f"{label} {vault.logical_id} of {vault.stack.name}"
    if lock is None:
        return [f"{where} has no vault lock: its recovery points can be deleted before they expire"]
    problems = []
    if lock.min_days is None or lock.min_days < generations:
        problems.append(f"{where}: vault lock MinRetentionDays {lock.min_days} keeps fewer than {generations} days")
    if lock.max_days is None:
        problems.append(f"{where}: vault lock without a readable MaxRetentionDays")
    for days in keeps:
        if (lock.min_days is not None and days < lock.min_days) or (lock.max_days is not None and days > lock.max_days):
            problems.append(
                f"{where}: recovery points kept {days} days fall outside the lock's {lock.min_days}-{lock.max_days} "
                "days, the jobs would fail"
            )
    return problems


def _alarm_watches(alarm: Resource, vault: str) -> bool:
    p = alarm.props
    if p.get("Namespace") != "AWS/Backup" or p.get("MetricName") not in JOB_METRICS:
        return False
    dims = {
        d.get("Name"): render(d.get("Value"), alarm.stack, alarm.app).text
        for d in as_list(p.get("Dimensions"))
        if isinstance(d, dict)
    }
    if dims.get("BackupVaultName") != vault:
        return False
    period, periods = as_int(p.get("Period")), as_int(p.get("EvaluationPeriods"))
    datapoints = as_int(p.get("DatapointsToAlarm", p.get("EvaluationPeriods")))
    if period is None or periods is None or datapoints != periods or period * periods > MAX_SILENCE_SECONDS:
        return False
    threshold = p.get("Threshold")
    threshold = float(threshold) if isinstance(threshold, (int, float)) else None
    operator = p.get("ComparisonOperator")
    below_one = (operator == "LessThanThreshold" and threshold is not None and 0 < threshold <= 1) or (
        operator == "LessThanOrEqualToThreshold" and threshold is not None and 0 <= threshold < 1
    )
    return (
        below_one
        and p.get("TreatMissingData") == "breaching"
        and p.get("ActionsEnabled", True) is not False
        and bool(as_list(p.get("AlarmActions")))
    )


def _framework_watches(framework: Resource, kinds: set[str]) -> bool:
    for control in as_list(framework.props.get("FrameworkControls")):
        if not isinstance(control, dict) or control.get("ControlName") != "BACKUP_LAST_RECOVERY_POINT_CREATED":
            continue
        params = {
            c.get("ParameterName"): c.get("ParameterValue")
            for c in as_list(control.get("ControlInputParameters"))
            if isinstance(c, dict)
        }
        unit = str(params.get("recoveryPointAgeUnit", "days"))
        value = as_int(params.get("recoveryPointAgeValue", 1))
        if unit not in _HOURS or value is None or value * _HOURS[unit] * 3600 > MAX_SILENCE_SECONDS:
            continue
        scope = control.get("ControlScope") or {}
        types = set(as_list(scope.get("ComplianceResourceTypes"))) if isinstance(scope, dict) else set()
        ids = as_list(scope.get("ComplianceResourceIds")) if isinstance(scope, dict) else []
        if not ids and (not types or kinds <= types):
            return True
    return False


def _check_plan(res: Resource) -> Result:
    stores = plan_selects_personal_data(res)
    if not stores:
        return NOT_APPLICABLE
    generations = res.settings.generations
    problems: list[str] = []
    watched_vaults: set[str] = set()
    body = res.props.get("BackupPlan") or {}
    raw_rules = [
        r for r in as_list(body.get("BackupPlanRule") if isinstance(body, dict) else None) if isinstance(r, dict)
    ]
    for rule, raw in zip(plan_rules(res), raw_rules, strict=True):
        target = find_vault(raw.get("TargetBackupVault"), res)
        if target is None:
            problems.append(f"rule {rule.name}: its target vault is no vault of this app, its lock cannot be checked")
        else:
            keep = as_int(rule.delete_after)
            problems += _lock_problems("target vault", target, generations, [keep] if keep is not None else [])
            name = vault_name(target)
            if name is not None:
                watched_vaults.add(name)
        for i, copy in enumerate(rule.copies):
            destination = find_vault(copy.get("DestinationBackupVaultArn"), res)
            if destination is None:
                problems.append(
                    f"rule {rule.name} copy {i}: the destination is no vault of this app, its lock cannot be checked"
                )
                continue
            keep = as_int(copy_lifecycle(copy))
            problems += _lock_problems("copy destination", destination, generations, [keep] if keep else [])
    alarms = in_place(res, "AWS::CloudWatch::Alarm")
    for name in sorted(watched_vaults):
        if not any(_alarm_watches(a, name) for a in alarms):
            problems.append(
                f"no alarm with an action fires within 26 hours without a completed job in vault {name} "
                "(AWS/Backup job metric, TreatMissingData breaching)"
            )
    kinds = {PROTECTED_TYPES[s.type] for s in stores}
    frameworks = in_place(res, "AWS::Backup::Framework")
    if not any(_framework_watches(f, kinds) for f in frameworks):
        problems.append(
            f"no AWS Backup framework checks that the last recovery point of {', '.join(sorted(kinds))} is at most "
            "a day old (BACKUP_LAST_RECOVERY_POINT_CREATED)"
        )
    return verdict(problems)


def check(res: Resource) -> Result:
    if res.type == "AWS::Backup::BackupPlan":
        return _check_plan(res)
    if res.tag(TAG_CLASSIFICATION) != PERSONAL_DATA:
        return NOT_APPLICABLE
    return verdict(_lock_problems("vault", res, res.settings.generations, []))


RULE = RuleSpec(
    rule_id="VTC-BACKUP-RETENTION-DETECT",
    condition_id="VTC-BACKUP-RETENTION",
    paragraph="§37-39",
    title="a stopped backup of personal data is noticed within a day, and locked vaults keep what exists",
    trigger="a backup plan selecting a personal-data store without, in its account and region, an alarm "
    "with an action on its vault's AWS/Backup job metric firing within 26 hours (TreatMissingData "
    "breaching), an AWS Backup framework with BACKUP_LAST_RECOVERY_POINT_CREATED at most a day covering "
    "the store's type, or whose target vault or copy destination is no vault of the app or has no vault "
    "lock admitting its retention; a vault tagged personal-data without a vault lock keeping at least "
    "backup.generations days",
    fix="build BackupDetection and LockedVault (cdk_constructs/backup.py) as the backup and remote vault stacks do",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
