"""VTC-REGULAR-AUDIT (§11 4th criterion, §24-27): the means of a regular internal security audit exist.

Anchored twice, so that removing any part of the means fails on something:

- every data-holding store of an environment's workload account (the types AWS Backup protects:
  RDS, S3, DynamoDB, EFS, EBS) needs an AWS Config recorder in its account and region that records
  its type (removing the recorder fails on the stores);
- every configuration recorder must record all supported types (or at least the types the core
  rules evaluate and every data-store type of its account and region), have a delivery channel in
  its account and region delivering at least daily snapshots to a bucket of the log archive account,
  and be accompanied by AWS managed Config rules that re-check the core VTC controls (removing the
  delivery channel or the rules fails on the recorder).

What counts for a core control (CORE_CONTROLS): an AWS managed rule (Source.Owner AWS) whose
SourceIdentifier is one of the listed identifiers, in the recorder's account and region:

- encryption at rest of the database: RDS_STORAGE_ENCRYPTED (instances), RDS_CLUSTER_ENCRYPTED_AT_REST
  (Aurora clusters);
- encryption at rest of the buckets: S3_DEFAULT_ENCRYPTION_KMS only. S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED
  accepts SSE-S3, an AWS-owned key that VTC-ENCRYPT-ALL (§48) refuses, so it does not count;
- backup plan: BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK or RDS_RESOURCES_PROTECTED_BY_BACKUP_PLAN
  (both check a frequency and a retention, §38-39), unless their parameters ask for less than daily.
  RDS_IN_BACKUP_PLAN does not count: any plan satisfies it, a yearly one included;
- RDS public access: RDS_INSTANCE_PUBLIC_ACCESS_CHECK;
- CloudTrail enabled: CLOUD_TRAIL_ENABLED or MULTI_REGION_CLOUD_TRAIL_ENABLED;
- S3 public access: S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED, S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS or
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC (the public access blocks VTC-NO-COPY requires).
  S3_BUCKET_PUBLIC_READ_PROHIBITED / _WRITE_PROHIBITED look at policies and ACLs only: they do not count.

A conformance pack (AWS::Config::ConformancePack) is not read (its rules live in a template body):
declare the rules as AWS::Config::ConfigRule for this rule to see them.
"""

from __future__ import annotations

from policies.backup import PROTECTED_TYPES
from policies.graph import in_place, is_cluster_member
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_int, as_list, render, target_of

_RECORDER = "AWS::Config::ConfigurationRecorder"
_CHANNEL = "AWS::Config::DeliveryChannel"
_CONFIG_RULE = "AWS::Config::ConfigRule"
DATA_TYPES = tuple(PROTECTED_TYPES)
RESOURCE_TYPES = (_RECORDER, *DATA_TYPES)

# control -> the AWS managed rule identifiers that re-check it (see the module doc for why).
CORE_CONTROLS: dict[str, tuple[str, ...]] = {
    "database encryption at rest": ("RDS_STORAGE_ENCRYPTED", "RDS_CLUSTER_ENCRYPTED_AT_REST"),
    "bucket encryption at rest under KMS": ("S3_DEFAULT_ENCRYPTION_KMS",),
    "a daily backup plan": (
        "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
        "RDS_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
    ),
    "no public database": ("RDS_INSTANCE_PUBLIC_ACCESS_CHECK",),
    "CloudTrail enabled": ("CLOUD_TRAIL_ENABLED", "MULTI_REGION_CLOUD_TRAIL_ENABLED"),
    "S3 public access blocked": (
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS",
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
    ),
}
# The types the change-triggered core rules evaluate: a recorder that lists types must list these.
CORE_RULE_TYPES = ("AWS::RDS::DBInstance", "AWS::S3::Bucket", "AWS::Backup::BackupPlan")
# Snapshot delivery frequencies of a delivery channel: at least daily.
DAILY_OR_MORE = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
_BACKUP_FREQUENCY_RULES = CORE_CONTROLS["a daily backup plan"]


def _recorded(recorder: Resource) -> tuple[str, object]:
    """What a recorder records: ("all", None), ("only", set of types), ("except", set of types), or
    ("unreadable", why)."""
    group = recorder.props.get("RecordingGroup")
    if group is None:
        return "all", None  # no recording group: Config records every supported type
    if not isinstance(group, dict):
        return "unreadable", f"RecordingGroup {str(group)[:60]} cannot be read"
    strategy = group.get("RecordingStrategy")
    use_only = strategy.get("UseOnly") if isinstance(strategy, dict) else None
    all_supported = as_bool(group.get("AllSupported"))
    if use_only == "EXCLUSION_BY_RESOURCE_TYPES":
        excluded = (group.get("ExclusionByResourceTypes") or {}).get("ResourceTypes")
        if not all(isinstance(t, str) for t in as_list(excluded)):
            return "unreadable", "ExclusionByResourceTypes cannot be read"
        return "except", set(as_list(excluded))
    if use_only in (None, "ALL_SUPPORTED_RESOURCE_TYPES") and all_supported is True:
        return "all", None
    if "AllSupported" in group and all_supported is None:
        return "unreadable", f"AllSupported {group.get('AllSupported')!r} cannot be read"
    types = group.get("ResourceTypes")
    if not all(isinstance(t, str) for t in as_list(types)):
        return "unreadable", "ResourceTypes cannot be read"
    return "only", set(as_list(types))


def _records(recorder: Resource, resource_type: str) -> bool | str:
    kind, detail = _recorded(recorder)
    if kind == "unreadable":
        return str(detail)
    if kind == "all":
        return True
    if kind == "except":
        return resource_type not in detail  # type: ignore[operator]
    return resource_type in detail  # type: ignore[operator]


def _bucket_account(channel: Resource) -> tuple[str | None, str]:
    """The account of the bucket a delivery channel delivers to (a bucket of this app)."""
    value = channel.props.get("S3BucketName")
    target = target_of(value, channel.stack, channel.app)
    if target is not None and target.type == "AWS::S3::Bucket":
        return target.stack.account, f"bucket {target.logical_id} of stack {target.stack.name}"
    text = render(value, channel.stack, channel.app)
    if not text.decided:
        return None, f"S3BucketName cannot be read ({text.why()}) (fails closed)"
    owners = [
        b.stack.account for b in channel.app.resources("AWS::S3::Bucket") if b.props.get("BucketName") == text.text
    ]
    if not owners:
        return None, (
            f"cannot tell which account owns bucket {text.text!r}: define it in the log archive stack "
            "of this app (fails closed)"
        )
    return owners[0], f"bucket {text.text}"


def _channel_problems(res: Resource) -> list[str]:
    channels = in_place(res, _CHANNEL)
    if not channels:
        return [
            f"no AWS::Config::DeliveryChannel in account {res.stack.account} region {res.stack.region}: add one "
            "delivering to the log archive bucket"
        ]
    archive = res.settings.log_archive_account
    found: list[str] = []
    for channel in channels:
        problems = []
        account, where = _bucket_account(channel)
        if account is None:
            problems.append(f"delivery channel {channel.logical_id}: {where}")
        elif account != archive:
            problems.append(
                f"delivery channel {channel.logical_id} delivers to {where} in account {account}, not "
                f"the log archive account {archive}"
            )
        snapshots = channel.props.get("ConfigSnapshotDeliveryProperties")
        frequency = snapshots.get("DeliveryFrequency") if isinstance(snapshots, dict) else None
        if frequency not in DAILY_OR_MORE:
            problems.append(
                f"delivery channel {channel.logical_id}: ConfigSnapshotDeliveryProperties."
                f"DeliveryFrequency is {frequency!r}, not at least daily (TwentyFour_Hours)"
            )
        if not problems:
            return []
        found.extend(problems)
    return found


def _counts(rule: Resource, identifier: str) -> bool:
    """A backup rule whose parameters ask for less than a daily backup does not re-check §38-39."""
    if identifier not in _BACKUP_FREQUENCY_RULES:
        return True
    params = rule.props.get("InputParameters")
    if params is None:
        return True  # the defaults: daily (requiredFrequencyValue 1, requiredFrequencyUnit days)
    if not isinstance(params, dict):
        return False
    unit = params.get("requiredFrequencyUnit", "days")
    value = as_int(params.get("requiredFrequencyValue", 1))
    if value is None or unit not in ("hours", "days"):
        return False
    return unit == "hours" and value <= 24 or unit == "days" and value <= 1


def _rules_problems(res: Resource) -> list[str]:
    present: set[str] = set()
    unreadable: list[str] = []
    for rule in in_place(res, _CONFIG_RULE):
        source = rule.props.get("Source")
        if not isinstance(source, dict) or source.get("Owner") != "AWS":
            continue
        identifier = source.get("SourceIdentifier")
        if not isinstance(identifier, str):
            unreadable.append(f"config rule {rule.logical_id}: SourceIdentifier cannot be read (fails closed)")
        elif _counts(rule, identifier):
            present.add(identifier)
    missing = [
        f"no AWS managed Config rule re-checks {control} (one of {', '.join(ids)})"
        for control, ids in CORE_CONTROLS.items()
        if not present.intersection(ids)
    ]
    return (unreadable + missing) if missing else []


def _recorder(res: Resource) -> Result:
    problems: list[str] = []
    stores = {s.type for t in DATA_TYPES for s in in_place(res, t)}
    for resource_type in sorted(set(CORE_RULE_TYPES) | stores):
        records = _records(res, resource_type)
        if isinstance(records, str):
            problems.append(f"{records} (fails closed)")
            break
        if not records:
            problems.append(f"the recorder does not record {resource_type}: record all supported types")
    problems.extend(_channel_problems(res))
    problems.extend(_rules_problems(res))
    return verdict(problems)


def _store(res: Resource) -> Result:
    if res.stack.account is None or res.stack.account != res.settings.workload_account:
        return NOT_APPLICABLE
    if is_cluster_member(res):
        return NOT_APPLICABLE  # audited through its cluster
    recorders = in_place(res, _RECORDER)
    if not recorders:
        return fail(
            f"no AWS::Config::ConfigurationRecorder in account {res.stack.account} region "
            f"{res.stack.region} of environment {res.settings.environment}: add one recording all "
            "supported types (cdk_constructs/config_audit.py)"
        )
    why = []
    for recorder in recorders:
        records = _records(recorder, res.type)
        if records is True:
            return verdict([])
        why.append(
            f"recorder {recorder.logical_id}: "
            + (f"{records} (fails closed)" if isinstance(records, str) else f"does not record {res.type}")
        )
    return fail(*why)


def check(res: Resource) -> Result:
    return _recorder(res) if res.type == _RECORDER else _store(res)


RULE = RuleSpec(
    rule_id="VTC-REGULAR-AUDIT",
    condition_id="VTC-REGULAR-AUDIT",
    paragraph="§11, §24-27",
    title="AWS Config records the workload account, delivers to the log archive and re-checks the core controls",
    trigger="a data store of the workload account without a configuration recorder recording its type in its "
    "account and region; a recorder that does not record all supported types (or the core ones), "
    "without a delivery channel delivering at least daily snapshots to a log archive account bucket, "
    "or without AWS managed Config rules for encryption at rest, backup plan, RDS public access, "
    "CloudTrail enabled and S3 public access",
    fix="build the AuditStack's AWS Config (cdk_constructs/config_audit.py): a recorder with all_supported=True, "
    "a delivery channel to the log archive bucket with a TwentyFour_Hours snapshot frequency, and the managed "
    "rules of audit_rules() (cdk_constructs/audit_rules.py)",
    marks=(
        "AWS::Config::ConfigRule",
        "AWS::Config::ConformancePack",
        "AWS::Config::ConfigurationRecorder",
        "AWS::Config::DeliveryChannel",
        "AWS::SecurityHub::Hub",
        "AWS::SecurityHub::Standard",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
