"""VTC-BACKUP-ENVIRONMENT (§40): restore tests cover every type of resource that is backed up."""

from __future__ import annotations

from policies.backup import selected_types
from policies.graph import same_place
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import render, target_of

RESOURCE_TYPES = ("AWS::Backup::BackupSelection",)


def _plan_names(res: Resource) -> set[str]:
    names = set()
    for plan in res.app.resources("AWS::Backup::RestoreTestingPlan", stage=res.stack.stage):
        if same_place(plan, res):
            name = plan.props.get("RestoreTestingPlanName")
            if isinstance(name, str):
                names.add(name)
    return names


def check(res: Resource) -> Result:
    types = selected_types(res)
    if not types:
        return fail("cannot tell which resource types this selection protects (fails closed)")
    plans = _plan_names(res)
    if not plans:
        return fail("no AWS::Backup::RestoreTestingPlan in this account of the environment")
    tested: set[str] = set()
    for sel in res.app.resources("AWS::Backup::RestoreTestingSelection", stage=res.stack.stage):
        if not same_place(sel, res):
            continue
        plan_ref = sel.props.get("RestoreTestingPlanName")
        target = target_of(plan_ref, sel.stack, sel.app)
        if target is not None and target.type == "AWS::Backup::RestoreTestingPlan":
            name = target.resource.get("Properties", {}).get("RestoreTestingPlanName") if target.resource else None
        else:
            name = render(plan_ref, sel.stack, sel.app).text
        if name in plans and isinstance(sel.props.get("ProtectedResourceType"), str):
            tested.add(sel.props["ProtectedResourceType"])
    missing = sorted(types - tested)
    return verdict([f"no restore testing selection of an existing plan covers type {t}" for t in missing])


RULE = RuleSpec(
    rule_id="VTC-BACKUP-ENVIRONMENT",
    condition_id="VTC-BACKUP-ENVIRONMENT",
    paragraph="§40",
    title="restore tests cover every protected resource type",
    trigger="a backup selection protecting a resource type that no restore testing selection of an "
    "existing restore testing plan in the same account covers",
    fix="add a RestoreTesting plan and selection for that type (cdk_constructs/backup.py RestoreTesting)",
    marks=(
        "AWS::Backup::RestoreTestingPlan",
        "AWS::Backup::RestoreTestingSelection",
        "AWS::RAM::ResourceShare",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
