"""Audit and access (issue 4): the log archive, the trail, alarms, Config, the keys, the stacks and
the organisation's guardrails, asserted on the templates of the shared synthesis. The roles per
party and the boundary: tests/test_access_roles.py."""

from __future__ import annotations

import json

import pytest

from policies.guardrails import guardrails, member_accounts
from policies.rcp import rcps
from tests.policy_eval import ALLOW, denying_sids, evaluate, resolve

ENVS = ("dev", "acc", "prod")
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "Null": {"sts:SourceIdentity": "false"}}
HUMAN_ACTIONS = ["sts:AssumeRole", "sts:SetSourceIdentity"]
# Stopping the audit as the issue lists it: the trail, the Config recorder and its delivery channel.
AUDIT_STOPPING_ACTIONS = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "config:StopConfigurationRecorder",
    "config:DeleteDeliveryChannel",
)


def env_config(synth, env):
    return synth.config.environments[env]


def resources(template: dict, resource_type: str) -> dict[str, dict]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}


def one(template: dict, resource_type: str) -> tuple[str, dict]:
    found = resources(template, resource_type)
    assert len(found) == 1, (resource_type, list(found))
    return next(iter(found.items()))


def statements(document: dict) -> list[dict]:
    return document["Statement"]


def by_sid(document: dict, sid: str) -> dict:
    found = [s for s in statements(document) if s.get("Sid") == sid]
    assert len(found) == 1, sid
    return found[0]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# Log archive -----------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_log_archive_bucket_is_locked_encrypted_private_and_logged(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "LogArchive")
    bucket = template["Resources"]["Bucket83908E77"]  # pinned: replacing it would lose the archive
    assert bucket["Type"] == "AWS::S3::Bucket"
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["BucketName"] == cfg.log_archive_bucket_name == f"led-{env}-log-archive-777788889999-eu-west-1"
    assert props["ObjectLockEnabled"] is True
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": cfg.audit.object_lock_days}},
    }
    assert cfg.audit.object_lock_days >= cfg.backup_retention_days
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": cfg.key_arn("log")}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    # Reads of the archive: a trail of the log archive account, into the archive, validated, under the FB key.
    assert "LoggingConfiguration" not in props
    trail = template["Resources"]["ArchiveAccessTrail"]["Properties"]  # pinned
    assert trail["S3BucketName"] == cfg.log_archive_bucket_name and trail["KMSKeyId"] == cfg.key_arn("log")
    assert trail["EnableLogFileValidation"] is True and trail["IsLogging"] is True
    reads = next(s for s in trail["AdvancedEventSelectors"] if s["Name"] == "Every read of an archived log")
    assert {"Field": "readOnly", "Equals": ["true"]} in reads["FieldSelectors"]
    for rule in props["LifecycleConfiguration"]["Rules"]:
        assert rule["ExpirationInDays"] >= cfg.audit.object_lock_days
        assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] >= cfg.audit.object_lock_days


def _archive_policy_document(cfg, template: dict, resource_type: str, attached) -> dict:
    """The document of the log archive's one policy of that type whose properties `attached` accepts,
    resolved in the log archive account (the archive bucket's Arn known)."""
    found = [p for p in resources(template, resource_type).values() if attached(p["Properties"])]
    assert len(found) == 1, resource_type
    return resolve(
        found[0]["Properties"]["PolicyDocument"],
        region=cfg.region,
        account=cfg.accounts.log_archive,
        attributes={"Bucket83908E77.Arn": f"arn:aws:s3:::{cfg.log_archive_bucket_name}"},
    )


@pytest.mark.parametrize("env", ENVS)
def test_log_archive_policy_tls_only_services_scoped_workload_cannot_tamper(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "LogArchive")
    document = _archive_policy_document(
        cfg, template, "AWS::S3::BucketPolicy", lambda p: p["Bucket"] == {"Ref": "Bucket83908E77"}
    )
    bucket = f"arn:aws:s3:::{cfg.log_archive_bucket_name}"
    tls = [s for s in statements(document) if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert tls and tls[0]["Effect"] == "Deny" and tls[0]["Action"] == "s3:*"
    trail_arn = f"arn:aws:cloudtrail:eu-west-1:444455556666:trail/led-{env}-trail"
    assert by_sid(document, "CloudTrailWrite")["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn
    deny = by_sid(document, "DenyWorkloadTampering")
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert deny["Condition"] == {"StringEquals": {"aws:PrincipalAccount": cfg.accounts.workload}}
    for action, resource in (
        ("s3:DeleteObject", f"{bucket}/AWSLogs/x.json.gz"),
        ("s3:DeleteObjectVersion", f"{bucket}/AWSLogs/x.json.gz"),
        ("s3:PutBucketPolicy", bucket),
        ("s3:PutBucketObjectLockConfiguration", bucket),
        ("s3:PutObjectRetention", f"{bucket}/k"),
        ("s3:BypassGovernanceRetention", f"{bucket}/k"),
        ("s3:PutLifecycleConfiguration", bucket),
    ):
        assert "DenyWorkloadTampering" in denying_sids(
            action, resource, [document], {"aws:PrincipalAccount": cfg.accounts.workload}
        )
    # No workload principal is granted anything but Config's delivery by its recorder role.
    # (The log archive account's own Firehose roles write under their prefixes: test_audit_logs.py.)
    workload_grants = [
        s
        for s in statements(document)
        if s["Effect"] == "Allow" and cfg.accounts.workload in json.dumps(s.get("Principal", {}).get("AWS", ""))
    ]
    assert [s["Sid"] for s in workload_grants] == ["ConfigRecorderRoleWrite"]
    assert set(workload_grants[0]["Action"]) == {"s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"}


@pytest.mark.parametrize("env", ENVS)
def test_ahovoks_log_auditor_reads_only_with_mfa(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "LogArchive")
    roles = resources(template, "AWS::IAM::Role")
    # Beside the auditor: the service roles of the archive streams (Firehose, CloudWatch Logs).
    services = {
        r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"].get("Service") for r in roles.values()
    }
    assert services == {None, "firehose.amazonaws.com", "logs.amazonaws.com"} and len(roles) == 5
    roles = {
        lid: r
        for lid, r in roles.items()
        if "AWS" in r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    }
    assert len(roles) == 1
    role_id, role = next(iter(roles.items()))
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert {p for s in trust for p in as_list(s["Principal"]["AWS"])} == set(cfg.access.auditor_principals)
    # MFA and a source identity (the person) on every session; setting it is allowed, nothing else.
    assert all(s["Condition"] == MFA and sorted(as_list(s["Action"])) == HUMAN_ACTIONS for s in trust)
    assert role["Properties"]["PermissionsBoundary"] == {"Ref": "PermissionsBoundary2D0B48CC"}
    document = _archive_policy_document(
        cfg, template, "AWS::IAM::ManagedPolicy", lambda p: p.get("Roles") == [{"Ref": role_id}]
    )
    bucket = f"arn:aws:s3:::{cfg.log_archive_bucket_name}"
    actions = {a for s in statements(document) for a in as_list(s["Action"])}
    assert all(a.startswith(("s3:Get", "s3:List")) or a == "kms:Decrypt" for a in actions), actions
    assert by_sid(document, "DecryptThroughS3Only")["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    }
    boundary = resolve(
        template["Resources"]["PermissionsBoundary2D0B48CC"]["Properties"]["PolicyDocument"],
        region=cfg.region,
        account=cfg.accounts.log_archive,
    )
    context = {"aws:RequestedRegion": cfg.region}
    assert (
        evaluate("s3:GetObject", f"{bucket}/AWSLogs/x", identity=[document], boundary=boundary, context=context)
        == ALLOW
    )
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy"):
        assert evaluate(action, f"{bucket}/AWSLogs/x", identity=[document], boundary=boundary, context=context) != ALLOW


# Trail, alarms, Config ---------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_trail_all_regions_validated_encrypted_to_the_archive(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Audit")
    trail = template["Resources"]["Trail"]  # pinned
    assert trail["Type"] == "AWS::CloudTrail::Trail" and trail["DeletionPolicy"] == "Retain"
    props = trail["Properties"]
    assert props["IsMultiRegionTrail"] and props["IncludeGlobalServiceEvents"] and props["IsLogging"]
    assert props["EnableLogFileValidation"] is True
    assert props["KMSKeyId"] == cfg.key_arn("log")
    assert props["S3BucketName"] == cfg.log_archive_bucket_name
    assert props["CloudWatchLogsLogGroupArn"] == {"Fn::GetAtt": ["TrailLogs3B05809D", "Arn"]}
    assert "EventSelectors" not in props
    selectors = resolve(props["AdvancedEventSelectors"], region=cfg.region, account=cfg.accounts.workload)
    fields = [{f["Field"]: f for f in s["FieldSelectors"]} for s in selectors]
    management = [f for f in fields if f["eventCategory"]["Equals"] == ["Management"]]
    assert management and set(management[0]) == {"eventCategory"}  # reads and writes
    s3_data = [f for f in fields if f.get("resources.type", {}).get("Equals") == ["AWS::S3::Object"]]
    assert s3_data[0]["resources.ARN"]["StartsWith"] == [f"arn:aws:s3:::led-{env}-"]
    assert s3_data[0]["resources.ARN"]["NotStartsWith"] == [f"arn:aws:s3:::{cfg.log_archive_bucket_name}/"]
    log_group = template["Resources"]["TrailLogs3B05809D"]  # pinned
    assert log_group["DeletionPolicy"] == "Retain"
    assert log_group["Properties"]["RetentionInDays"] == cfg.logs.retention_days
    assert log_group["Properties"]["KmsKeyId"] == cfg.key_arn("log")


@pytest.mark.parametrize("env", ENVS)
def test_alarms_cover_each_event_and_go_to_an_encrypted_topic(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Audit")
    topic_id, topic = one(template, "AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"] == cfg.key_arn("log")
    filters = {
        r["Properties"]["MetricTransformations"][0]["MetricName"]: r["Properties"]["FilterPattern"]
        for r in resources(template, "AWS::Logs::MetricFilter").values()
    }
    expected = {
        "KeyPolicyOrDeletion": ["PutKeyPolicy", "ScheduleKeyDeletion", "DisableKey"],
        "AuditStopped": ["StopLogging", "DeleteTrail", "StopConfigurationRecorder", "DeleteDeliveryChannel"],
        "RootActivity": ["userIdentity.type", "Root", "invokedBy NOT EXISTS"],
        "BreakGlassUsed": ["AssumeRole", f'\\"arn:aws:iam::444455556666:role/led-{env}-break-glass\\"'],
        "IamPolicyChanges": ["CreatePolicyVersion", "AttachRolePolicy", "PutRolePermissionsBoundary"],
        "DataTierSecurityGroupChanges": ["AuthorizeSecurityGroupIngress", "groupId"],
    }
    for name, needles in expected.items():
        pattern = json.dumps(resolve(filters[f"{env}-{name}"], region=cfg.region, account=cfg.accounts.workload))
        for needle in needles:
            assert needle in pattern, (name, needle)
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    assert len(alarms) == len(expected)
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["Threshold"] == 1
    sg_filter = next(
        r
        for r in resources(template, "AWS::Logs::MetricFilter").values()
        if "DataTier" in r["Properties"]["MetricTransformations"][0]["MetricName"]
    )
    assert "Fn::ImportValue" in json.dumps(sg_filter["Properties"]["FilterPattern"])  # the data tier's group
    _, rule = one(template, "AWS::Events::Rule")
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.backup"] and "FAILED" in pattern["detail"]["state"]
    assert "Restore Job State Change" in pattern["detail-type"]
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": topic_id}


@pytest.mark.parametrize("env", ENVS)
def test_config_records_everything_into_the_archive_and_rechecks_the_vtc_rules(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Audit")
    recorder = template["Resources"]["Recorder"]  # pinned
    assert recorder["Properties"]["RecordingGroup"] == {"AllSupported": True, "IncludeGlobalResourceTypes": True}
    channel = template["Resources"]["DeliveryChannel"]["Properties"]  # pinned
    assert channel["S3BucketName"] == cfg.log_archive_bucket_name
    assert channel["S3KmsKeyArn"] == cfg.key_arn("log")
    assert channel["ConfigSnapshotDeliveryProperties"] == {"DeliveryFrequency": "TwentyFour_Hours"}
    rules = {
        r["Properties"]["Source"].get("SourceIdentifier"): r["Properties"]
        for r in resources(template, "AWS::Config::ConfigRule").values()
    }
    for identifier in (
        "CLOUD_TRAIL_ENABLED",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "RDS_STORAGE_ENCRYPTED",
        "S3_DEFAULT_ENCRYPTION_KMS",
        "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
        "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
        "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "SNS_ENCRYPTED_KMS",
    ):
        assert identifier in rules, identifier
    assert rules["CLOUD_TRAIL_ENABLED"]["MaximumExecutionFrequency"] == "TwentyFour_Hours"
    backup = rules["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"]["InputParameters"]
    assert backup == {
        "requiredFrequencyValue": 1,
        "requiredFrequencyUnit": "days",
        "requiredRetentionDays": cfg.backup_retention_days,
    }
    assert rules["IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"]["InputParameters"] == {
        "excludePermissionBoundaryPolicy": True
    }
    guard = [r for r in rules.values() if r["Source"]["Owner"] == "CUSTOM_POLICY"]
    assert len(guard) == 1
    text = resolve(
        guard[0]["Source"]["CustomPolicyDetails"]["PolicyText"], region=cfg.region, account=cfg.accounts.workload
    )
    assert f"arn:aws:iam::444455556666:policy/led-{env}-permissions-boundary" in text


# Keys, stacks, organisation ---------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_log_key_lets_trail_config_alarms_and_the_archive_use_it_and_nobody_kms_star(synth, env):
    template = synth.template_json(env, "KeyCustody")
    assert '"kms:*"' not in json.dumps(template)
    log_key = next(r for lid, r in resources(template, "AWS::KMS::Key").items() if lid.startswith("LogKey"))
    policy = log_key["Properties"]["KeyPolicy"]
    for sid in (
        "LogArchiveUseThroughS3",
        "CloudTrailOfWorkloadAndArchive",
        "ConfigDeliveryOfWorkload",
        "CloudWatchAlarmsOfWorkload",
        "EventBridgeAlarmsOfWorkload",
        "WorkloadUseThroughSns",
    ):
        statement = by_sid(policy, sid)
        assert statement.get("Condition"), sid
    for sid in ("ConfigDeliveryOfWorkload", "EventBridgeAlarmsOfWorkload"):
        assert by_sid(policy, sid)["Condition"] == {"StringEquals": {"aws:SourceAccount": "444455556666"}}


@pytest.mark.parametrize("env", ENVS)
def test_stacks_named_described_protected(synth, env):
    stage = synth.stages[env]
    expectations = {
        "LogArchive": ("log-archive", "777788889999", True),
        "Audit": ("audit", "444455556666", True),
        "Access": ("access", "444455556666", False),
    }
    for stack_id, (role, account, protected) in expectations.items():
        stack = stage.node.find_child(stack_id)
        assert stack.stack_name == f"led-{env}-{role}"
        assert stack.account == account
        assert stack.termination_protection is protected
        assert (
            stack.template_options.description.startswith(f"LED {env}:")
            and "VTC-" in stack.template_options.description
        )
    baseline = stage.node.find_child("Baseline")
    for stack_id in ("Audit", "Access"):
        assert baseline in stage.node.find_child(stack_id).dependencies


def _organization_template(synth) -> dict:
    return synth.assembly.get_stack_by_name("led-organization").template


def test_organization_stack_attaches_the_guardrails_to_the_member_accounts(synth):
    template = _organization_template(synth)
    policies = resources(template, "AWS::Organizations::Policy")
    documents = {g.name: g for g in guardrails(synth.config)}
    kinds = dict.fromkeys(documents, "SERVICE_CONTROL_POLICY")
    # The data perimeter RCPs (policies/rcp.py) beside them, on the same accounts.
    documents.update({r.name: r for r in rcps(synth.config)})
    kinds.update(dict.fromkeys((r.name for r in rcps(synth.config)), "RESOURCE_CONTROL_POLICY"))
    assert {p["Properties"]["Name"] for p in policies.values()} == set(documents)
    for policy in policies.values():
        props = policy["Properties"]
        assert props["Type"] == kinds[props["Name"]]
        assert props["Content"] == documents[props["Name"]].document
        assert props["TargetIds"] == member_accounts(synth.config)
    artifact = synth.assembly.get_stack_by_name("led-organization")
    assert artifact.environment.account == synth.config.organization.management_account


@pytest.mark.parametrize("env", ENVS)
def test_outputs_name_the_log_archive_and_the_trails(synth, env):
    cfg = env_config(synth, env)
    archive = synth.template_json(env, "LogArchive")["Outputs"]
    assert archive["LogArchiveBucketName"]["Value"] == {"Ref": "Bucket83908E77"}
    assert archive["ArchiveAccessTrailArn"]["Value"] == {"Fn::GetAtt": ["ArchiveAccessTrail", "Arn"]}
    trail = synth.template_json(env, "Audit")["Outputs"]["TrailArn"]
    assert cfg.log_archive_bucket_name in trail["Description"]
