"""VTC-BACKUP-ELSEWHERE (§37): every backup rule copies to another account or another allowed region."""

from __future__ import annotations

from policies.backup import plan_rules, vault_location
from policies.model import Resource, Result, verdict

RESOURCE_TYPES = ("AWS::Backup::BackupPlan",)


def check(res: Resource) -> Result:
    allowed = res.settings.allowed_regions
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
                elsewhere = True
        if not elsewhere and not any(p.startswith(f"rule {rule.name}:") for p in problems):
            problems.append(f"rule {rule.name} copies to no vault in another account or another allowed region")
    return verdict(problems)
