"""VTC-OUTSOURCING-2016 (§18-19): every stack and every copy of the data in an allowed EU region."""

from __future__ import annotations

from policies.backup import plan_rules, vault_location
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_list, render, target_of

RESOURCE_TYPES = ("*",)


def _copies(res: Resource) -> list[tuple[str, str | None, str]]:
    """(what, region or None when unknown, why) of every copy destination the resource names."""
    out: list[tuple[str, str | None, str]] = []
    p = res.props
    if res.type == "AWS::Backup::BackupPlan":
        for rule in plan_rules(res):
            for copy in rule.copies:
                where = vault_location(copy.get("DestinationBackupVaultArn"), res)
                out.append((f"rule {rule.name} copy destination", where.region, where.why))
    elif res.type in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") and p.get("AutomaticBackupReplicationRegion"):
        region = p["AutomaticBackupReplicationRegion"]
        out.append(("AutomaticBackupReplicationRegion", region if isinstance(region, str) else None, str(region)))
    elif res.type == "AWS::S3::Bucket":
        rules = (p.get("ReplicationConfiguration") or {}).get("Rules")
        for i, rule in enumerate(as_list(rules)):
            dest = (rule.get("Destination") or {}).get("Bucket") if isinstance(rule, dict) else None
            target = target_of(dest, res.stack, res.app)
            if target is not None and target.type == "AWS::S3::Bucket":
                out.append((f"replication rule {i}", target.stack.region, target.stack.name))
            else:
                out.append(
                    (
                        f"replication rule {i}",
                        None,
                        f"bucket {render(dest, res.stack, res.app).text} is not a bucket of this app",
                    )
                )
    elif res.type == "AWS::DynamoDB::GlobalTable":
        for replica in as_list(p.get("Replicas")):
            region = replica.get("Region") if isinstance(replica, dict) else None
            out.append(("replica", region if isinstance(region, str) else None, str(region)))
    return out


def check(res: Resource) -> Result:
    allowed = res.settings.allowed_regions
    region = res.stack.region
    if region is None:
        return fail("the stack is environment-agnostic: its region is only known at deploy time (fails closed)")
    problems = []
    if region not in allowed:
        problems.append(f"stack {res.stack.name} is in region {region}, outside the allowed {', '.join(allowed)}")
    for what, copy_region, why in _copies(res):
        if copy_region is None:
            problems.append(f"{what}: cannot tell its region ({why}) (fails closed)")
        elif copy_region not in allowed:
            problems.append(f"{what} is in region {copy_region}, outside the allowed regions")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-OUTSOURCING-2016",
    condition_id="VTC-OUTSOURCING-2016",
    paragraph="§18-19",
    title="every stack and every copy of the data stays in an allowed EU region",
    trigger="a resource of a stack outside allowed_regions or of an environment-agnostic stack; a backup "
    "copy, RDS backup replication, S3 replication or DynamoDB replica in another region",
    fix="deploy to and copy to regions listed in allowed_regions only",
    marks=(
        "AWS::KMS::Key",
        "AWS::Organizations::Policy",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
