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

Schedules are read conservatively (`at_least_monthly`); anything else fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from policies.backup import same_place
from policies.encryption import key_uses
from policies.kms import classify_key
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.values import as_list, references, render, target_of

RESOURCE_TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
EXPORT_SERVICE = "export.rds.amazonaws.com"
TAG_DRILL, EXIT_EXPORT = "led:drill", "exit-export"  # cdk_constructs/tags.py mark_exit_drill_schedule
_MAX_RATE_DAYS = 28  # the shortest month: rate(n days) with n <= 28 fires in every month

_NUM = r"\d{1,2}"
_DAY_NAME = r"(?:SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])"
_MINUTE_HOUR = re.compile(r"^(\*|\d{1,2}(-\d{1,2})?(/\d{1,2})?|\*/\d{1,2})(,(\d{1,2}(-\d{1,2})?(/\d{1,2})?))*$")


def _dom_every_month(field: str) -> bool:
    """A day-of-month field that matches at least one day in every month (February included)."""
    if field in ("*", "L", "LW") or re.fullmatch(r"\*/\d{1,2}", field):
        return True
    for part in field.split(","):
        m = re.fullmatch(rf"({_NUM})(W|-{_NUM}|/{_NUM})?", part)
        if m and 1 <= int(m[1]) <= 28:
            return True
    return False


def _dow_every_month(field: str) -> bool:
    """A day-of-week field that matches at least one day in every month."""
    if field == "*":
        return True
    parts = field.upper().split(",")
    for part in parts:
        if re.fullmatch(rf"{_DAY_NAME}(-{_DAY_NAME})?", part) or re.fullmatch(rf"{_DAY_NAME}L", part):
            return True
        m = re.fullmatch(rf"{_DAY_NAME}#([1-5])", part)
        if m and int(m[1]) <= 4:  # the fifth weekday of a month does not exist in every month
            return True
    return False


def at_least_monthly(expression: Any) -> tuple[bool, str]:
    """Whether an EventBridge schedule expression fires at least once in every month, and why not."""
    if not isinstance(expression, str):
        return False, f"ScheduleExpression {str(expression)[:80]} cannot be read (fails closed)"
    s = expression.strip()
    rate = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", s)
    if rate:
        n, unit = int(rate[1]), rate[2]
        days = n if unit.startswith("day") else n / 24 if unit.startswith("hour") else n / 1440
        if n < 1 or days > _MAX_RATE_DAYS:
            return False, f"{s} fires less often than monthly (at most every {_MAX_RATE_DAYS} days)"
        return True, ""
    cron = re.fullmatch(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)", s)
    if not cron:
        return False, f"{s!r} is not a rate(...) or cron(...) expression this rule can read (fails closed)"
    minute, hour, dom, month, dow, year = cron.groups()
    if not (_MINUTE_HOUR.match(minute) and _MINUTE_HOUR.match(hour)):
        return False, f"{s}: cannot read the minute or hour field (fails closed)"
    if year != "*":
        return False, f"{s}: the year field {year!r} stops the drill after some years; use '*'"
    if month not in ("*", "*/1", "1-12"):
        return False, f"{s}: month field {month!r} skips months: the drill must run every month"
    if dom == "?" and dow != "?":
        ok = _dow_every_month(dow)
    elif dow == "?" and dom != "?":
        ok = _dom_every_month(dom)
    else:
        return False, f"{s}: exactly one of day-of-month and day-of-week must be '?' (fails closed)"
    if not ok:
        return False, (
            f"{s}: its day field ({dom if dow == '?' else dow}) matches no day in some months "
            "(days 29-31, a fifth weekday) or cannot be read (fails closed)"
        )
    return True, ""


def _in_place(res: Resource, resource_type: str) -> list[Resource]:
    return [r for r in res.app.resources(resource_type, stage=res.stack.stage) if same_place(r, res)]


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


def _role_documents(role: Resource) -> Iterator[tuple[Resource, Any]]:
    """Every identity policy document that applies to a role: inline, attached policies of the app."""
    for inline in as_list(role.props.get("Policies")):
        if isinstance(inline, dict):
            yield role, inline.get("PolicyDocument")
    attached = {
        (t.stack.key, t.logical_id)
        for value in as_list(role.props.get("ManagedPolicyArns"))
        for t in references(value, role.stack, role.app)
    }
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in role.app.resources(kind, stage=role.stack.stage):
            names_role = any(
                role.is_same(t.stack, t.logical_id)
                for value in as_list(policy.props.get("Roles"))
                for t in references(value, policy.stack, policy.app)
            )
            if names_role or (policy.stack.key, policy.logical_id) in attached:
                yield policy, policy.props.get("PolicyDocument")


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
        for holder, document in _role_documents(role):
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
        for holder, document in _role_documents(role):
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
    if res.type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in res.props:
        return NOT_APPLICABLE  # exported through its cluster
    export_roles = [r for r in _in_place(res, "AWS::IAM::Role") if _trusts_export(r)]
    if not export_roles:
        return fail(
            f"no IAM role trusted by {EXPORT_SERVICE} in account {res.stack.account} region "
            f"{res.stack.region}: add the exit drill's export role (cdk_constructs/drills.py ExitDrill)"
        )
    problems: list[str] = []
    buckets, bucket_problems = _exit_buckets(res, export_roles)
    if not buckets:
        problems.extend(
            bucket_problems
            or ["no exit bucket: no S3 bucket of this environment that the export role may s3:PutObject to"]
        )
    schedules: list[str] = []
    for rule in _in_place(res, "AWS::Events::Rule"):
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
