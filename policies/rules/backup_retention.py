"""VTC-BACKUP-RETENTION (§38-39): every store holding personal data is backed up daily, keeping
at least the configured number of generations."""

from __future__ import annotations

from contract.tags import PERSONAL_DATA, TAG_CLASSIFICATION
from policies.backup import (
    PROTECTED_TYPES,
    plan_of,
    plan_rules,
    selection_covers,
    selections,
)
from policies.graph import is_cluster_member
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.schedule import is_daily
from policies.spec import RuleSpec
from policies.values import as_int

RESOURCE_TYPES = tuple(PROTECTED_TYPES)


def check(res: Resource) -> Result:
    if is_cluster_member(res):
        return NOT_APPLICABLE  # backed up through its cluster
    if res.tag(TAG_CLASSIFICATION) != PERSONAL_DATA:
        return NOT_APPLICABLE
    generations = res.settings.generations
    seen: list[str] = []
    for selection in selections(res):
        if not selection_covers(selection, res):
            continue
        plan = plan_of(selection)
        if plan is None:
            seen.append(f"selection {selection.logical_id} whose plan cannot be read")
            continue
        for rule in plan_rules(plan):
            days = as_int(rule.delete_after)
            if is_daily(rule.schedule) and (rule.delete_after is None or (days is not None and days >= generations)):
                return verdict([])
            seen.append(f"plan {plan.logical_id} rule {rule.name} ({rule.schedule}, keeps {rule.delete_after} days)")
    if not seen:
        return fail("no AWS Backup selection of this environment selects this personal-data store")
    return fail(f"no daily rule keeping at least {generations} generations selects it; found: {', '.join(seen)}")


RULE = RuleSpec(
    rule_id="VTC-BACKUP-RETENTION",
    condition_id="VTC-BACKUP-RETENTION",
    paragraph="§38-39",
    title="every personal-data store is backed up daily, keeping the configured generations",
    trigger="a store tagged led:data-classification=personal-data that no AWS Backup selection of its "
    "environment puts under a daily rule keeping at least backup.generations recovery points",
    fix="select the store in the environment's DailyBackupPlan (cdk_constructs/backup.py)",
    marks=(
        "AWS::Backup::BackupVault",
        "AWS::Backup::BackupPlan",
        "AWS::Backup::BackupSelection",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
