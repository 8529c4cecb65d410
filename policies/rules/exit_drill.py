"""VTC-EXIT (§42-43): the means of an exit exist: a scheduled, at least monthly export of the data
to storage a second partner can take over, under a customer-managed key.

Anchored on the data (every RDS database or Aurora cluster of an environment's workload account),
so that removing the schedule, the export role or the exit bucket fails on the database. In the
database's environment, account and region there must be:

- an export role: an IAM role whose trust policy allows export.rds.amazonaws.com;
- an exit bucket: an S3 bucket (same environment) that an identity policy of an export role allows
  s3:PutObject on, encrypted with a customer-managed KMS key (not SSE-S3, not aws/s3);
- a schedule: an enabled AWS::Events::Rule tagged led:drill=exit-export (the schedule that starts
  the export: the drill function has other schedules, e.g. a daily report, that export nothing and
  must not stand in for it) whose ScheduleExpression fires at least monthly, with a target that is
  a Lambda function whose role may call rds:StartExportTask and pass an export role (iam:PassRole
  on it).

Schedules are read conservatively (`policies.schedule.at_least_monthly`); anything else fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from contract.tags import EXIT_EXPORT, TAG_DRILL
from policies.encryption import key_uses
from policies.graph import in_place, is_cluster_member, role_policies
from policies.kms import classify_key
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.schedule import at_least_monthly
from policies.spec import RuleSpec
from policies.values import as_list, references, render, target_of

RESOURCE_TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
EXPORT_SERVICE = "export.rds.amazonaws.com"


def _statements(document: Any) -> Iterator[dict]:
    if isinstance(document, dict):
        for st in as_list(document.get("Statement")):
            if isinstance(st, dict) and st.get("Effect") == "Allow":
                yield st


def _trusts_export(role: Resource) -> bool:
    for st in _statements(role.props.get("AssumeRolePolicyDocument")):
        principal = st.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if EXPORT_SERVICE in services:
            return True
    return False


def _allows(st: dict, *actions: str) -> bool:
    granted = [a.lower() for a in as_list(st.get("Action")) if isinstance(a, str)]
    for action in actions:
        service = action.split(":", 1)[0]
        if action.lower() in granted or f"{service}:*" in granted or "*" in granted:
            return True
        if any(g.endswith("*") and action.lower().startswith(g[:-1]) for g in granted):
            return True
    return False


def _resource_targets(holder: Resource, st: dict) -> Iterator[tuple[str, str]]:
    for value in as_list(st.get("Resource")):
        for t in references(value, holder.stack, holder.app):
            yield t.stack.key, t.logical_id


def _bucket_names(holder: Resource, st: dict) -> set[str]:
    names = set()
    for value in as_list(st.get("Resource")):
        text = render(value, holder.stack, holder.app)
        m = re.match(r"^arn:[^:]*:s3:::([^/]+)", text.text)
        if text.decided and m:
            names.add(m[1])
    return names


def _exit_buckets(res: Resource, export_roles: list[Resource]) -> tuple[list[Resource], list[str]]:
    writable: set[tuple[str, str]] = set()
    names: set[str] = set()
    for role in export_roles:
        for policy in role_policies(role):
            holder, document = policy.holder, policy.document
            for st in _statements(document):
                if _allows(st, "s3:PutObject"):
                    writable.update(_resource_targets(holder, st))
                    names.update(_bucket_names(holder, st))
    buckets, problems = [], []
    for bucket in res.app.resources("AWS::S3::Bucket", stage=res.stack.stage):
        if (bucket.stack.key, bucket.logical_id) not in writable and bucket.props.get("BucketName") not in names:
            continue
        uses = key_uses(bucket)
        bad = [p for use in uses for p in use.problems]
        for use in uses:
            key = classify_key(use.value, bucket)
            if key.kind != "customer":
                bad.append(key.why + (" (fails closed)" if key.kind == "undecidable" else ""))
        if bad:
            problems.append(
                f"exit bucket {bucket.logical_id} is not encrypted with a customer-managed key: " + "; ".join(bad)
            )
        else:
            buckets.append(bucket)
    return buckets, problems


def _drill_function(rule: Resource, export_roles: list[Resource]) -> bool:
    """Whether a target of an events rule is a Lambda function that starts an export with an export role."""
    for target in as_list(rule.props.get("Targets")):
        if not isinstance(target, dict):
            continue
        fn = target_of(target.get("Arn"), rule.stack, rule.app)
        if fn is None or fn.type != "AWS::Lambda::Function" or fn.resource is None:
            continue
        role_ref = target_of((fn.resource.get("Properties") or {}).get("Role"), fn.stack, rule.app)
        if role_ref is None or role_ref.type != "AWS::IAM::Role" or role_ref.resource is None:
            continue
        role = Resource(role_ref.logical_id, role_ref.resource, role_ref.stack, rule.app)
        starts = passes = False
        for policy in role_policies(role):
            holder, document = policy.holder, policy.document
            for st in _statements(document):
                if _allows(st, "rds:StartExportTask"):
                    starts = True
                if _allows(st, "iam:PassRole") and any(
                    r.is_same(t.stack, t.logical_id)
                    for r in export_roles
                    for t in references(st.get("Resource"), holder.stack, holder.app)
                ):
                    passes = True
        if starts and passes:
            return True
    return False


def check(res: Resource) -> Result:
    if res.stack.account is None or res.stack.account != res.settings.workload_account:
        return NOT_APPLICABLE
    if is_cluster_member(res):
        return NOT_APPLICABLE  # exported through its cluster
    export_roles = [r for r in in_place(res, "AWS::IAM::Role") if _trusts_export(r)]
    if not export_roles:
        return fail(
            f"no IAM role trusted by {EXPORT_SERVICE} in account {res.stack.account} region "
            f"{res.stack.region}: add the exit drill's export role (cdk_constructs/drills/exit.py ExitDrill)"
        )
    problems: list[str] = []
    buckets, bucket_problems = _exit_buckets(res, export_roles)
    if not buckets:
        problems.extend(
            bucket_problems
            or ["no exit bucket: no S3 bucket of this environment that the export role may s3:PutObject to"]
        )
    schedules: list[str] = []
    for rule in in_place(res, "AWS::Events::Rule"):
        if rule.tag(TAG_DRILL) != EXIT_EXPORT or "ScheduleExpression" not in rule.props:
            continue
        if rule.props.get("State") == "DISABLED":
            schedules.append(f"exit drill schedule {rule.logical_id} is DISABLED")
            continue
        if not _drill_function(rule, export_roles):
            schedules.append(
                f"exit drill schedule {rule.logical_id} targets no Lambda function allowed "
                "rds:StartExportTask and iam:PassRole on the export role"
            )
            continue
        ok, why = at_least_monthly(rule.props.get("ScheduleExpression"))
        if ok:
            schedules = []
            break
        schedules.append(f"exit drill schedule {rule.logical_id}: {why}")
    else:
        if not schedules:
            schedules.append(
                f"no AWS::Events::Rule tagged {TAG_DRILL}={EXIT_EXPORT} with a ScheduleExpression starts "
                "the exit drill (mark_exit_drill_schedule, cdk_constructs/tags.py)"
            )
    problems.extend(schedules)
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-EXIT",
    condition_id="VTC-EXIT",
    paragraph="§42-43",
    title="an at least monthly exit drill exports the database to an exit bucket under a customer-managed key",
    trigger="a database of the workload account whose environment lacks, in its account and region, a role "
    "trusted by export.rds.amazonaws.com, an S3 bucket that role may write to encrypted with a "
    "customer-managed key, or an enabled schedule tagged led:drill=exit-export firing at least monthly "
    "(cron/rate read conservatively; days 29-31 and rate over 28 days are not) whose target is a Lambda "
    "function allowed rds:StartExportTask and iam:PassRole on that role",
    fix="build ExitBucket and ExitDrill (stacks/recovery.py) with drills.exit_drill_schedule at least monthly, "
    "e.g. cron(0 6 1 * ? *); mark_exit_drill_schedule on the schedule that starts the export",
    resource_types=RESOURCE_TYPES,
    check=check,
)
