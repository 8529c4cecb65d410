"""VTC-RIGHT-SIZED (§52-54): a small, stable application runs on small instances with a storage ceiling."""

from __future__ import annotations

import re

from policies.graph import is_cluster_member
from policies.model import NOT_APPLICABLE, Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_int

RESOURCE_TYPES = ("AWS::RDS::DBInstance",)
_SMALL = re.compile(r"^db\.(t4g|t3|m6g|m7g|m8g|r6g|r7g|r8g)\.(micro|small|medium|large|xlarge|2xlarge)$")


def check(res: Resource) -> Result:
    p = res.props
    if is_cluster_member(res):
        return NOT_APPLICABLE
    problems = []
    klass = p.get("DBInstanceClass")
    if not isinstance(klass, str) or not _SMALL.match(klass):
        problems.append(f"DBInstanceClass {klass!r} is not a small class (t3/t4g/m6g-m8g/r6g-r8g up to 2xlarge)")
    allocated, ceiling = as_int(p.get("AllocatedStorage")), as_int(p.get("MaxAllocatedStorage"))
    if ceiling is None or allocated is None or ceiling <= allocated:
        problems.append(
            f"MaxAllocatedStorage {p.get('MaxAllocatedStorage')!r}: storage autoscaling needs a ceiling "
            f"above AllocatedStorage {p.get('AllocatedStorage')!r}"
        )
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-RIGHT-SIZED",
    condition_id="VTC-RIGHT-SIZED",
    paragraph="§52-54",
    title="the database is small, with a storage ceiling",
    trigger="an RDS instance of a class outside the small families and sizes, or without MaxAllocatedStorage "
    "above AllocatedStorage",
    fix="database.instance_class and database.max_allocated_storage_gib in the config",
    marks=("AWS::RDS::DBInstance",),
    resource_types=RESOURCE_TYPES,
    check=check,
)
