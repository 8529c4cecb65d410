"""Issue #9: the audit logs cannot be tampered with, and the key custody account is watched.

The templates of the real landing zone: the database and flow logs stream into the Object Lock
archive through the log archive account's destinations and Firehose streams; the key custody
account has its own trail into the archive and forwards key changes to AHOVOKS; every boundary
carries the log-tamper denies. Then the pack on the landing zone changed as a pull request would
(a subscription filter removed, a trail made single-region, ...): it fails."""

from __future__ import annotations

import json

import pytest

from cdk_constructs.audit_protection import AUDIT_PROTECTION_SID, AUDIT_TAMPERING_ACTIONS
from cdk_constructs.key_custody_alarms import key_custody_event_pattern
from tests.test_vtc_means import _drop, _index, _results

# What the boundaries and the guardrail protect (cdk_constructs/audit_protection.py): LED's log groups,
# alarms, event rules and topics, in any region and account.
AUDIT_RESOURCES = {
    "arn:aws:logs:*:*:log-group:/led/*",
    "arn:aws:logs:*:*:log-group:/aws/rds/instance/led-*",
    "arn:aws:logs:*:*:log-group:led-*",
    "arn:aws:cloudwatch:*:*:alarm:led-*",
    "arn:aws:events:*:*:rule/led-*",
    "arn:aws:sns:*:*:led-*",
}

FB = "111122223333"
WORKLOAD = "444455556666"
LOG_ARCHIVE = "777788889999"
ARCHIVE = f"led-prod-log-archive-{LOG_ARCHIVE}-eu-west-1"
PARTITION = {"Ref": "AWS::Partition"}


def _one(synth, stack: str, resource_type: str, starts: str = "") -> tuple[str, dict]:
    found = [(lid, r) for lid, r in synth.resources("prod", stack, resource_type).items() if lid.startswith(starts)]
    assert len(found) == 1, (stack, resource_type, starts, [lid for lid, _ in found])
    return found[0]


def _statements(policy: dict) -> dict[str, dict]:
    return {s["Sid"]: s for s in policy["Statement"] if "Sid" in s}


def _text(value) -> str:
    """Fn::Join of literals and AWS::Partition, as the text CloudFormation makes of it (aws)."""
    if isinstance(value, str):
        return value
    if value == PARTITION:
        return "aws"
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_text(p) for p in parts)
    return json.dumps(value)


# --- the archive path -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stack, starts, source",
    [("Data", "DatabaseArchive", "database"), ("Network", "NetworkFlowLogsToArchive", "flow-logs")],
)
def test_workload_log_groups_subscribe_to_the_archive_destination(synth, stack, starts, source):
    subs = synth.resources("prod", stack, "AWS::Logs::SubscriptionFilter")
    assert subs and all(lid.startswith(starts) for lid in subs)
    for sub in subs.values():
        p = sub["Properties"]
        assert p["FilterPattern"] == ""
        assert "RoleArn" not in p  # a cross-account destination: its own role writes to the stream
        assert _text(p["DestinationArn"]) == (
            f"arn:aws:logs:eu-west-1:{LOG_ARCHIVE}:destination:led-prod-archive-{source}"
        )
        assert list(p["LogGroupName"]) == ["Ref"]
    if stack == "Data":
        groups = synth.resources("prod", "Data", "AWS::Logs::LogGroup")
        rds = {lid for lid, g in groups.items() if str(g["Properties"].get("LogGroupName")).startswith("/aws/rds/")}
        assert {s["Properties"]["LogGroupName"]["Ref"] for s in subs.values()} == rds and len(rds) == 3


@pytest.mark.parametrize("source", ["database", "flow-logs"])
def test_the_archive_stream_writes_under_its_prefix_with_the_fb_log_key(synth, source):
    log_key = synth.config.environments["prod"].key_arn("log")
    title = "".join(w.title() for w in source.split("-"))
    _lid, stream = _one(synth, "LogArchive", "AWS::KinesisFirehose::DeliveryStream", f"Archive{title}")
    p = stream["Properties"]
    assert p["DeliveryStreamName"] == f"led-prod-archive-{source}"
    assert p["DeliveryStreamEncryptionConfigurationInput"] == {"KeyARN": log_key, "KeyType": "CUSTOMER_MANAGED_CMK"}
    s3 = p["ExtendedS3DestinationConfiguration"]
    assert _text(s3["BucketARN"]) == f"arn:aws:s3:::{ARCHIVE}"
    assert s3["Prefix"] == f"cloudwatch-logs/prod/{source}/"
    assert s3["ErrorOutputPrefix"].startswith(s3["Prefix"])
    assert s3["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": log_key}}

    _lid, destination = _one(synth, "LogArchive", "AWS::Logs::Destination", f"Archive{title}")
    policy = json.loads(_text(destination["Properties"]["DestinationPolicy"]))
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"AWS": WORKLOAD}
    assert statement["Action"] == "logs:PutSubscriptionFilter"

    roles = synth.resources("prod", "LogArchive", "AWS::IAM::Role")
    firehose = next(
        r for r in roles.values() if r["Properties"].get("RoleName") == f"led-prod-archive-{source}-firehose"
    )
    trust = firehose["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": LOG_ARCHIVE}}
    logs_role = next(r for r in roles.values() if r["Properties"].get("RoleName") == f"led-prod-archive-{source}-logs")
    trust = logs_role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert {_text(a) for a in trust["Condition"]["StringLike"]["aws:SourceArn"]} == {
        f"arn:aws:logs:eu-west-1:{WORKLOAD}:*",
        f"arn:aws:logs:eu-west-1:{LOG_ARCHIVE}:*",
    }
    assert "PermissionsBoundary" in firehose["Properties"] and "PermissionsBoundary" in logs_role["Properties"]


def test_the_archive_bucket_policy_admits_each_writer_under_its_own_prefix_only(synth):
    _lid, policy = _one(synth, "LogArchive", "AWS::S3::BucketPolicy")
    statements = _statements(policy["Properties"]["PolicyDocument"])
    for source, sid in (("database", "ArchiveStreamDatabaseWrite"), ("flow-logs", "ArchiveStreamFlowLogsWrite")):
        s = statements[sid]
        assert s["Effect"] == "Allow"
        assert _text(s["Resource"]).endswith(f"/cloudwatch-logs/prod/{source}/*")
        assert {_text(v) for v in s["Condition"]["ArnEquals"].values()} == {
            f"arn:aws:iam::{LOG_ARCHIVE}:role/led-prod-archive-{source}-firehose"
        }
    write = statements["KeyCustodyTrailWrite"]
    assert _text(write["Resource"]).endswith(f"/AWSLogs/{FB}/*") and "Bucket" in _text(write["Resource"])
    source_arn = f"arn:aws:cloudtrail:eu-west-1:{FB}:trail/led-prod-key-custody-trail"
    assert _text(write["Condition"]["StringEquals"]["aws:SourceArn"]) == source_arn
    assert _text(statements["KeyCustodyTrailAclCheck"]["Condition"]["StringEquals"]["aws:SourceArn"]) == source_arn


def test_the_log_key_admits_the_streams_and_the_key_custody_trail(synth):
    _lid, key = _one(synth, "KeyCustody", "AWS::KMS::Key", "LogKey")
    statements = _statements(key["Properties"]["KeyPolicy"])
    firehose = statements["LogArchiveUseThroughFirehose"]["Condition"]["StringEquals"]
    assert firehose == {"kms:ViaService": ["firehose.eu-west-1.amazonaws.com"], "kms:CallerAccount": [LOG_ARCHIVE]}
    trail = statements["CloudTrailOfWorkloadAndArchive"]["Condition"]
    assert FB in trail["StringEquals"]["aws:SourceAccount"]
    assert any(f":{FB}:trail/*" in _text(a) for a in trail["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"])
    events = statements["EventBridgeKeyCustodyAlarmsOfLogArchive"]
    assert events["Condition"] == {"StringEquals": {"aws:SourceAccount": LOG_ARCHIVE}}


# --- the key custody account is watched ---------------------------------------------------------


def test_the_key_custody_account_has_a_trail_into_the_archive(synth):
    _lid, trail = _one(synth, "KeyCustodyAudit", "AWS::CloudTrail::Trail")
    p = trail["Properties"]
    assert p["TrailName"] == "led-prod-key-custody-trail"
    assert p["S3BucketName"] == ARCHIVE and "S3KeyPrefix" not in p
    assert p["IsMultiRegionTrail"] is True and p["IncludeGlobalServiceEvents"] is True
    assert p["EnableLogFileValidation"] is True and p["IsLogging"] is True
    assert p["KMSKeyId"] == synth.config.environments["prod"].key_arn("log")
    assert trail["DeletionPolicy"] == "Retain"
    stage = synth.stages["prod"]
    audit = stage.node.find_child("KeyCustodyAudit")
    assert audit.account == FB
    assert {stage.node.find_child("LogArchive"), stage.node.find_child("KeyCustody")} <= set(audit.dependencies)
    for workload in ("Network", "Data"):
        assert stage.node.find_child("LogArchive") in stage.node.find_child(workload).dependencies


def test_key_changes_reach_ahovoks(synth):
    _lid, rule = _one(synth, "KeyCustodyAudit", "AWS::Events::Rule")
    p = rule["Properties"]
    assert p["State"] == "ENABLED"
    pattern = p["EventPattern"]
    assert "aws.kms" in pattern["source"] and pattern["account"] == [FB]
    # Every call the construct watches (cdk_constructs/key_custody_alarms.py), §51's among them:
    # key policy, grant, disable and deletion.
    assert pattern == key_custody_event_pattern(synth.config.environments["prod"])
    assert {"PutKeyPolicy", "CreateGrant", "DisableKey", "ScheduleKeyDeletion"} <= set(pattern["detail"]["eventName"])
    (target,) = p["Targets"]
    bus_arn = f"arn:aws:events:eu-west-1:{LOG_ARCHIVE}:event-bus/led-prod-key-custody-events"
    assert _text(target["Arn"]) == bus_arn
    roles = synth.resources("prod", "KeyCustodyAudit", "AWS::IAM::Role")
    (role,) = roles.values()
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == FB
    assert "PermissionsBoundary" in role["Properties"]

    _lid, bus = _one(synth, "LogArchive", "AWS::Events::EventBus")
    (statement,) = bus["Properties"]["Policy"]["Statement"]
    assert _text(statement["Principal"]["AWS"]) == f"arn:aws:iam::{FB}:root"
    assert statement["Action"] == "events:PutEvents" and _text(statement["Resource"]) == bus_arn
    _lid, ahovoks_rule = _one(synth, "LogArchive", "AWS::Events::Rule")
    assert ahovoks_rule["Properties"]["EventPattern"] == pattern
    (topic_target,) = ahovoks_rule["Properties"]["Targets"]
    topic_lid, topic = _one(synth, "LogArchive", "AWS::SNS::Topic")
    assert topic_target["Arn"] == {"Ref": topic_lid}
    assert topic["Properties"]["TopicName"] == "led-prod-key-custody-alarms"
    assert topic["Properties"]["KmsMasterKeyId"] == synth.config.environments["prod"].key_arn("log")


def test_every_trail_is_multi_region_with_global_service_events(synth):
    trails = 0
    for env in synth.stages:
        for stack in ("Audit", "LogArchive", "KeyCustodyAudit"):
            for trail in synth.resources(env, stack, "AWS::CloudTrail::Trail").values():
                trails += 1
                p = trail["Properties"]
                assert p["IsMultiRegionTrail"] is True and p["IncludeGlobalServiceEvents"] is True, (env, stack)
                assert p["EnableLogFileValidation"] is True and p["IsLogging"] is True, (env, stack)
    assert trails == 3 * len(synth.stages)


# --- the boundaries carry the log-tamper denies -------------------------------------------------


@pytest.mark.parametrize("stack", ["Baseline", "LogArchive", "KeyCustodyAudit"])
def test_every_boundary_denies_tampering_with_audit_logs_and_alarms(synth, stack):
    policies = [
        p
        for p in synth.resources("prod", stack, "AWS::IAM::ManagedPolicy").values()
        if p["Properties"].get("ManagedPolicyName", "").endswith("boundary")
    ]
    assert len(policies) == 1
    s = _statements(policies[0]["Properties"]["PolicyDocument"])[AUDIT_PROTECTION_SID]
    assert s["Effect"] == "Deny" and "Condition" not in s
    assert set(s["Action"]) == set(AUDIT_TAMPERING_ACTIONS)
    assert {_text(r) for r in s["Resource"]} == AUDIT_RESOURCES


# --- the pack on the landing zone changed as a pull request would -------------------------------


def _set(resource_type: str, prop: str, value, where=lambda info, lid: True):
    def edit(info):
        for lid, r in info.resources.items():
            if r.get("Type") == resource_type and where(info, lid):
                r["Properties"][prop] = value

    return edit


@pytest.mark.parametrize("rule_id", ["VTC-LOGS-DIRECT-STREAMED", "VTC-AUDIT-TRAIL-FLOW-LOGS", "VTC-AUDIT-TRAIL"])
def test_the_landing_zone_passes(synth, rule_id):
    found = _results(_index(synth), rule_id)
    compliant = [k for k, v in found.items() if v == "compliant"]
    assert compliant and all(v == "compliant" or v.startswith("not_applicable") for v in found.values()), found
    if rule_id == "VTC-LOGS-DIRECT-STREAMED":
        assert sum(k.startswith("led-prod-data/DatabaseLog") for k in compliant) == 3
        assert "led-prod-network/NetworkFlowLogs2BEC3212" in compliant


@pytest.mark.parametrize(
    "rule_id, edit, where, expected",
    [
        (
            "VTC-LOGS-DIRECT-STREAMED",
            _drop("AWS::Logs::SubscriptionFilter", keep=lambda lid, r: not lid.startswith("DatabaseArchivePostgresql")),
            "led-prod-data/DatabaseLogPostgresql",
            "no subscription filter streams it to the log archive",
        ),
        (
            "VTC-LOGS-DIRECT-STREAMED",
            _drop("AWS::Logs::SubscriptionFilter", keep=lambda lid, r: not lid.startswith("NetworkFlowLogsToArchive")),
            "led-prod-network/NetworkFlowLogs",
            "flow-log group",
        ),
        (
            "VTC-LOGS-DIRECT-STREAMED",
            _set("AWS::Logs::SubscriptionFilter", "FilterPattern", "ERROR"),
            "led-prod-data/DatabaseLogUpgrade",
            "drops events",
        ),
        (
            "VTC-LOGS-DIRECT-STREAMED",
            _drop("AWS::Logs::Destination"),
            "led-prod-network/NetworkFlowLogs",
            "is not defined in this app",
        ),
        (
            "VTC-LOGS-DIRECT-STREAMED",
            _set(
                "AWS::Logs::SubscriptionFilter",
                "DestinationArn",
                f"arn:aws:logs:eu-west-1:{WORKLOAD}:destination:led-prod-archive-database",
            ),
            "led-prod-data/DatabaseLogIamDbAuthError",
            "not a destination of the log archive account",
        ),
        (
            "VTC-AUDIT-TRAIL",
            _set(
                "AWS::CloudTrail::Trail", "IsMultiRegionTrail", False, where=lambda i, lid: i.name == "led-prod-audit"
            ),
            "led-prod-audit/Trail",
            "IsMultiRegionTrail is not true",
        ),
        (
            "VTC-AUDIT-TRAIL",
            _set(
                "AWS::CloudTrail::Trail",
                "IsMultiRegionTrail",
                "false",
                where=lambda i, lid: i.name == "led-prod-key-custody-audit",
            ),
            "led-prod-key-custody-audit/Trail",
            "IsMultiRegionTrail is not true",
        ),
        (
            "VTC-AUDIT-TRAIL",
            _set("AWS::CloudTrail::Trail", "IncludeGlobalServiceEvents", False, where=lambda i, lid: "Archive" in lid),
            "led-prod-log-archive/ArchiveAccessTrail",
            "IncludeGlobalServiceEvents is not true",
        ),
        (
            "VTC-AUDIT-TRAIL-FLOW-LOGS",
            _drop("AWS::EC2::FlowLog"),
            "led-prod-network/NetworkVpc",
            "no AWS::EC2::FlowLog",
        ),
        (
            "VTC-AUDIT-TRAIL-FLOW-LOGS",
            _set("AWS::EC2::FlowLog", "TrafficType", "ACCEPT"),
            "led-prod-network/NetworkVpc",
            "records only part of the traffic",
        ),
    ],
)
def test_the_pack_fails_the_changed_landing_zone(synth, rule_id, edit, where, expected):
    found = _results(_index(synth, edit), rule_id)
    failing = {k: v for k, v in found.items() if v.startswith("non_compliant")}
    hits = [v for k, v in failing.items() if k.startswith(where)]
    assert hits and all(expected in v for v in hits), failing
