"""VTC-AUDIT-TRAIL (§11, §49): the database audits and exports its logs; CloudTrail validates and
encrypts its log files, is logging, and covers every region and the global services (IAM, STS)."""

from __future__ import annotations

from policies.graph import is_cluster_member, parameter_group
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_list

RESOURCE_TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::CloudTrail::Trail")

_EXPORTS = {"postgres": "postgresql", "mysql": "audit", "mariadb": "audit", "sqlserver": "error", "oracle": "audit"}


def _database(res: Resource) -> Result:
    p = res.props
    engine = p.get("Engine")
    if not isinstance(engine, str):
        return fail(f"Engine {engine!r} cannot be read (fails closed)")
    family = next((k for k in _EXPORTS if k in engine.lower()), None)
    if family is None:
        return fail(f"engine {engine}: no known audit log export (fails closed)")
    problems = []
    exports = as_list(p.get("EnableCloudwatchLogsExports"))
    if _EXPORTS[family] not in exports:
        problems.append(f"EnableCloudwatchLogsExports {exports} lacks {_EXPORTS[family]!r}")
    if family == "postgres":
        group = parameter_group(res)
        if group.logical_id is None:
            problems.append(
                f"{group.prop} is not a parameter group of this app: cannot check that pgaudit is loaded (fails closed)"
            )
        else:
            params = group.parameters
            if "pgaudit" not in str(params.get("shared_preload_libraries", "")):
                problems.append(f"parameter group {group.logical_id}: shared_preload_libraries does not load pgaudit")
            if str(params.get("pgaudit.log", "none")).lower() in ("", "none"):
                problems.append(f"parameter group {group.logical_id}: pgaudit.log is not set")
    return verdict(problems)


def _trail(res: Resource) -> Result:
    p = res.props
    problems = []
    if as_bool(p.get("EnableLogFileValidation")) is not True:
        problems.append("EnableLogFileValidation is not true")
    if as_bool(p.get("IsLogging")) is not True:
        problems.append("IsLogging is not true")
    if as_bool(p.get("IsMultiRegionTrail")) is not True:
        problems.append("IsMultiRegionTrail is not true: calls made in another region are not recorded")
    if as_bool(p.get("IncludeGlobalServiceEvents")) is not True:
        problems.append("IncludeGlobalServiceEvents is not true: IAM and STS calls are not recorded")
    if not p.get("KMSKeyId"):
        problems.append("no KMSKeyId: log files are not encrypted with a customer-managed key")
    return verdict(problems)


def check(res: Resource) -> Result:
    if res.type == "AWS::CloudTrail::Trail":
        return _trail(res)
    if is_cluster_member(res):
        return NOT_APPLICABLE
    return _database(res)


RULE = RuleSpec(
    rule_id="VTC-AUDIT-TRAIL",
    condition_id="VTC-AUDIT-TRAIL",
    paragraph="§11, §49",
    title="the database audits and exports its logs; every trail validates, encrypts and covers all regions",
    trigger="an RDS database without its log export (postgresql/audit) or, for PostgreSQL, without pgaudit "
    "loaded and pgaudit.log set; a trail without log file validation, logging, a KMS key, "
    "IsMultiRegionTrail or IncludeGlobalServiceEvents",
    fix="use AuditedPostgres (cdk_constructs/database.py); on trails: log file validation, a KMS key, "
    "is_multi_region_trail=True, include_global_service_events=True",
    marks=(
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBParameterGroup",
        "AWS::Logs::LogGroup",
        "AWS::EC2::FlowLog",
        "AWS::CloudTrail::Trail",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
