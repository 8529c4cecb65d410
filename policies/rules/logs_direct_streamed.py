"""VTC-LOGS-DIRECT (§27) and VTC-AUDIT-TRAIL (§49): the database's audit logs and the flow logs
reach the log archive, not only the workload account's CloudWatch Logs, where the processor
could delete them or change their retention.

Applies to every log group the database exports to (a name under `/aws/rds/`) and every log
group an AWS::EC2::FlowLog of the app writes to. Compliant when a subscription filter of the
same stack sends every event of it (empty FilterPattern) to a CloudWatch Logs destination in
the environment's log archive account, and that destination (defined in this app) feeds a
Firehose stream that writes, under a KMS key, into a bucket of the log archive account.
Whatever cannot be followed fails closed, saying why.
"""

from __future__ import annotations

from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import render, target_of

RESOURCE_TYPES = ("AWS::Logs::LogGroup",)


def _refers_to(value, res: Resource, rendered_name: str | None, stack) -> bool:
    target = target_of(value, stack, res.app)
    if target is not None:
        return target.stack is res.stack and target.logical_id == res.logical_id
    text = render(value, stack, res.app)
    return rendered_name is not None and text.decided and text.text == rendered_name


def _source(res: Resource, name: str | None) -> str | None:
    if name is not None and name.startswith("/aws/rds/"):
        return "database audit log group"
    for flow_log in res.app.resources("AWS::EC2::FlowLog"):
        p = flow_log.props
        if _refers_to(p.get("LogGroupName"), res, name, flow_log.stack):
            return "flow-log group"
        destination = target_of(p.get("LogDestination"), flow_log.stack, res.app)
        if destination is not None and destination.stack is res.stack and destination.logical_id == res.logical_id:
            return "flow-log group"
    return None


def _destination_arn(destination: Resource) -> str | None:
    name = destination.props.get("DestinationName")
    stack = destination.stack
    if not isinstance(name, str) or not stack.account or not stack.region:
        return None
    return f"arn:{destination.settings.partition}:logs:{stack.region}:{stack.account}:destination:{name}"


def _archive_path(destination: Resource) -> list[str]:
    """What is wrong with the way from the destination to the log archive bucket."""
    s = destination.settings
    stream = target_of(destination.props.get("TargetArn"), destination.stack, destination.app)
    if stream is None or stream.type != "AWS::KinesisFirehose::DeliveryStream" or stream.resource is None:
        return [f"destination {destination.logical_id} does not target a Firehose stream of this app (fails closed)"]
    props = stream.resource.get("Properties") or {}
    s3 = props.get("ExtendedS3DestinationConfiguration") or props.get("S3DestinationConfiguration") or {}
    bucket_arn = render(s3.get("BucketARN"), stream.stack, destination.app)
    if not bucket_arn.decided:
        return [f"stream {stream.logical_id}: BucketARN cannot be read ({bucket_arn.why()}) (fails closed)"]
    bucket = bucket_arn.text.rsplit(":::", 1)[-1]
    owners = [
        b.stack.account for b in destination.app.resources("AWS::S3::Bucket") if b.props.get("BucketName") == bucket
    ]
    problems = []
    if s.log_archive_account not in owners:
        problems.append(
            f"stream {stream.logical_id} writes to bucket {bucket!r}, not a bucket of the log archive account "
            f"{s.log_archive_account} defined in this app"
        )
    if not ((s3.get("EncryptionConfiguration") or {}).get("KMSEncryptionConfig") or {}).get("AWSKMSKeyARN"):
        problems.append(f"stream {stream.logical_id}: its S3 objects are not encrypted with a KMS key")
    return problems


def _subscription(res: Resource, sub: Resource) -> list[str]:
    s = res.settings
    problems = []
    if sub.props.get("FilterPattern") != "":
        problems.append(
            f"subscription {sub.logical_id}: FilterPattern {sub.props.get('FilterPattern')!r} drops events; "
            "'' sends every event"
        )
    arn = render(sub.props.get("DestinationArn"), sub.stack, res.app)
    if not arn.decided:
        return [*problems, f"subscription {sub.logical_id}: DestinationArn cannot be read ({arn.why()}) (fails closed)"]
    prefix = f"arn:{s.partition}:logs:{s.region}:{s.log_archive_account}:destination:"
    if not arn.text.startswith(prefix):
        return [
            *problems,
            f"subscription {sub.logical_id} sends to {arn.text}, not a destination of the log archive account "
            f"{s.log_archive_account}",
        ]
    destinations = [d for d in res.app.resources("AWS::Logs::Destination") if _destination_arn(d) == arn.text]
    if not destinations:
        return [
            *problems,
            f"destination {arn.text} is not defined in this app: its path cannot be checked (fails closed)",
        ]
    return problems + _archive_path(destinations[0])


def check(res: Resource) -> Result:
    rendered = render(res.props.get("LogGroupName"), res.stack, res.app) if "LogGroupName" in res.props else None
    name = rendered.text if rendered is not None and rendered.decided else None
    source = _source(res, name)
    if source is None:
        return NOT_APPLICABLE
    subs = [
        sub
        for sub in res.app.resources("AWS::Logs::SubscriptionFilter")
        if sub.stack is res.stack and _refers_to(sub.props.get("LogGroupName"), res, name, sub.stack)
    ]
    if not subs:
        return fail(f"{source} {name or res.logical_id}: no subscription filter streams it to the log archive")
    problems: list[str] = []
    for sub in subs:
        found = _subscription(res, sub)
        if not found:
            return verdict([])
        problems.extend(found)
    return verdict([f"{source} {name or res.logical_id}: {p}" for p in problems])


RULE = RuleSpec(
    rule_id="VTC-LOGS-DIRECT-STREAMED",
    condition_id="VTC-LOGS-DIRECT",
    paragraph="§27, §49",
    title="the database audit logs and flow logs are streamed into the log archive",
    trigger="a database log group (/aws/rds/...) or flow-log group without a subscription filter sending every "
    "event to a CloudWatch Logs destination of the log archive account whose Firehose stream writes, "
    "KMS-encrypted, into a log archive bucket of this app",
    fix="pass archive_destination_arn to AuditedPostgres / IsolatedNetwork (cdk_constructs/log_stream_archive.py) "
    "and keep the ArchiveLogStream of the log archive stack",
    resource_types=RESOURCE_TYPES,
    check=check,
)
