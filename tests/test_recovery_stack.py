"""Template assertions on the recovery stack, the pgaudit custom resource and what they rely on
(endpoints, key policy), read from the session's one synthesis of the whole landing zone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdk_constructs.audit_setup import handler_sha256
from cdk_constructs.lambda_bundle import RUNTIME

ENVS = ("dev", "acc", "prod")
# The Data stack's logical ids before the audit setup was added: a change would replace them.
DATA_PINNED = {
    "DatabaseInstanceAA8A5FDE": "AWS::RDS::DBInstance",
    "DatabaseInstanceMonitoringRoleA080FAE7": "AWS::IAM::Role",
    "DatabaseInstanceSubnetGroupDE121BB6": "AWS::RDS::DBSubnetGroup",
    "DatabaseLogIamDbAuthError8FA80886": "AWS::Logs::LogGroup",
    "DatabaseLogPostgresql074561DA": "AWS::Logs::LogGroup",
    "DatabaseLogUpgrade29A8AA2B": "AWS::Logs::LogGroup",
    "DatabaseParametersB8AC9B07": "AWS::RDS::DBParameterGroup",
}


def _one(resources: dict[str, dict], fragment: str) -> tuple[str, dict]:
    matches = [(lid, r) for lid, r in resources.items() if fragment in lid]
    assert len(matches) == 1, (fragment, list(resources))
    return matches[0]


def _ref_or_import(value: object) -> str:
    return json.dumps(value)


@pytest.mark.parametrize("env", ENVS)
def test_data_stack_logical_ids_are_unchanged(synth, env: str) -> None:
    resources = synth.template_json(env, "Data")["Resources"]
    for lid, kind in DATA_PINNED.items():
        assert resources[lid]["Type"] == kind


@pytest.mark.parametrize(("env", "stack"), [(e, s) for e in ENVS for s in ("Recovery", "Data")])
def test_functions_run_isolated_with_encrypted_logs_and_environment(synth, env: str, stack: str) -> None:
    config = synth.config.environments[env]
    template = synth.template_json(env, stack)
    resources = template["Resources"]
    functions = {
        lid: r for lid, r in resources.items() if r["Type"] == "AWS::Lambda::Function" and "framework" not in lid
    }
    assert len(functions) == (2 if stack == "Recovery" else 1)
    for lid, function in functions.items():
        props = function["Properties"]
        assert props["Runtime"] == RUNTIME.name == "python3.14"
        assert props["Architectures"] == ["arm64"]
        assert props["KmsKeyArn"] == config.key_arn("data")
        assert props["ReservedConcurrentExecutions"] == 1
        subnets = json.dumps(props["VpcConfig"]["SubnetIds"])
        assert "appSubnet" in subnets and "dataSubnet" not in subnets, lid
        assert props["VpcConfig"]["SecurityGroupIds"], lid
        log_group = resources[props["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["KmsKeyId"] == config.key_arn("log")
        assert log_group["Properties"]["RetentionInDays"] == config.logs.retention_days
        assert log_group["DeletionPolicy"] == "Retain"
        role = resources[props["Role"]["Fn::GetAtt"][0]]["Properties"]
        assert "led-" in json.dumps(role["PermissionsBoundary"])
        assert "ManagedPolicyArns" not in role and "Policies" not in role  # only the construct's policy
    assert not [r for r in resources.values() if r["Type"] == "AWS::IAM::Policy"], "no inline policies"


@pytest.mark.parametrize("env", ENVS)
def test_exit_bucket(synth, env: str) -> None:
    config = synth.config.environments[env]
    buckets = synth.resources(env, "Recovery", "AWS::S3::Bucket")
    lid, bucket = next((lid, b) for lid, b in buckets.items() if "BucketName" in b["Properties"])
    props = bucket["Properties"]
    assert props["BucketName"] == f"led-{env}-exit-{config.accounts.workload}-{config.region}"
    encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert encryption == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": config.key_arn("data")}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    # Object-level access is in the workload trail's S3 data events, which cover led-<env>-* buckets.
    assert "LoggingConfiguration" not in props
    trail = next(iter(synth.resources(env, "Audit", "AWS::CloudTrail::Trail").values()))["Properties"]
    objects = next(
        s for s in trail["AdvancedEventSelectors"] if s["Name"] == "Object reads and writes in the LED buckets"
    )
    arn_selector = next(f for f in objects["FieldSelectors"] if f["Field"] == "resources.ARN")
    assert f":s3:::led-{env}-" in json.dumps(arn_selector["StartsWith"])
    assert props["BucketName"].startswith(f"led-{env}-")
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == config.drills.exit_export_expiry_days
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    tags = {t["Key"]: t["Value"] for t in props["Tags"]}
    # Personal data, but a transient export: not a store to back up (VTC §49: no more copies).
    expected = "personal-data-export" if config.holds_personal_data else "no-personal-data"
    assert tags["led:data-classification"] == expected

    (policy,) = [
        p
        for p in synth.resources(env, "Recovery", "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": lid}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    tls = [s for s in statements if s["Effect"] == "Deny"]
    assert tls and tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    partner = [s for s in statements if s.get("Principal", {}).get("AWS") == config.drills.second_partner_principal_arn]
    actions = sorted(a for s in partner for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert actions == ["s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    assert "exit-drill/*" in json.dumps(partner)


@pytest.mark.parametrize("env", ENVS)
def test_export_role_is_scoped_to_the_exit_prefix_and_key(synth, env: str) -> None:
    config = synth.config.environments[env]
    roles = synth.resources(env, "Recovery", "AWS::IAM::Role")
    name = f"led-{env}-exit-export"
    lid, role = next((lid, r) for lid, r in roles.items() if r["Properties"].get("RoleName") == name)
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "export.rds.amazonaws.com"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":export-task:led-{env}-exit-*")
    policies = [
        p
        for p in synth.resources(env, "Recovery", "AWS::IAM::ManagedPolicy").values()
        if {"Ref": lid} in p["Properties"].get("Roles", [])
    ]
    (policy,) = policies
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert set(statements) == {"WriteExportUnderExitPrefix", "ListExitBucket", "EncryptExport"}
    assert json.dumps(statements["WriteExportUnderExitPrefix"]["Resource"]).endswith('"/exit-drill/*"]]}')
    assert statements["EncryptExport"]["Resource"] == config.key_arn("data")
    assert "*" not in json.dumps([s["Action"] for s in statements.values()])


@pytest.mark.parametrize("env", ENVS)
def test_schedules_and_restore_rule(synth, env: str) -> None:
    config = synth.config.environments[env]
    rules = synth.resources(env, "Recovery", "AWS::Events::Rule")
    _, start = _one(rules, "ExitDrillSchedule")
    assert start["Properties"]["ScheduleExpression"] == config.drills.exit_drill_schedule
    assert json.loads(start["Properties"]["Targets"][0]["Input"]) == {"action": "start"}
    assert start["Properties"]["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] == 0
    _, report = _one(rules, "ExitDrillDailyReport")
    assert json.loads(report["Properties"]["Targets"][0]["Input"]) == {"action": "report"}
    _, restore = _one(rules, "OnRestoreTestJob")
    pattern = restore["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.backup"] and pattern["detail-type"] == ["Restore Job State Change"]
    assert "RestoreTestingPlan" in _ref_or_import(pattern["detail"]["restoreTestingPlanArn"])
    assert pattern["detail"]["status"] == ["COMPLETED", "FAILED", "ABORTED"]


@pytest.mark.parametrize("env", ENVS)
def test_restore_alarm_and_topic(synth, env: str) -> None:
    config = synth.config.environments[env]
    ((topic_id, topic),) = synth.resources(env, "Recovery", "AWS::SNS::Topic").items()
    assert topic["Properties"]["KmsMasterKeyId"] == config.key_arn("log")
    assert topic["Properties"]["TopicName"] == f"led-{env}-operations"
    _, alarm = _one(synth.resources(env, "Recovery", "AWS::CloudWatch::Alarm"), "RestoreTestAlarm")
    assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
    metrics = json.dumps(alarm["Properties"]["Metrics"])
    assert "RestoreValidationFailures" in metrics and '"Errors"' in metrics
    functions = synth.resources(env, "Recovery", "AWS::Lambda::Function")
    _, validation = _one(functions, "RestoreValidationHandler")
    variables = validation["Properties"]["Environment"]["Variables"]
    assert json.loads(variables["EXPECTED_TABLES"]) == list(config.drills.expected_tables)
    assert json.loads(variables["MIN_ROWS"]) == config.drills.min_rows
    assert validation["Properties"]["DeadLetterConfig"]["TargetArn"] == {"Ref": topic_id}


@pytest.mark.parametrize("env", ENVS)
def test_pgaudit_custom_resource(synth, env: str) -> None:
    resources = synth.template_json(env, "Data")["Resources"]
    (custom,) = [r for r in resources.values() if r["Type"] == "Custom::LedPgauditSetup"]
    props = custom["Properties"]
    assert props["ObjectRole"] == "led_auditor" and props["ValidatorRole"] == "led_restore_validator"
    assert props["AuditedSchemas"] == ["public"]
    assert props["HandlerSha256"] == handler_sha256()
    assert props["Host"] == {"Fn::GetAtt": ["DatabaseInstanceAA8A5FDE", "Endpoint.Address"]}
    assert props["SecretArn"] == {"Fn::GetAtt": ["DatabaseInstanceAA8A5FDE", "MasterUserSecret.SecretArn"]}
    framework = [r for lid, r in resources.items() if r["Type"] == "AWS::Lambda::Function" and "framework" in lid]
    (framework,) = framework
    log_group = resources[framework["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
    assert log_group["Properties"]["KmsKeyId"] == synth.config.environments[env].key_arn("log")


def test_the_setup_reruns_when_its_handler_or_a_shared_module_it_imports_changes(tmp_path: Path) -> None:
    handler = tmp_path / "functions" / "pgaudit_setup" / "handler.py"
    shared = tmp_path / "functions" / "shared"
    for path, text in {
        handler: "from functions.shared import database\n",
        tmp_path / "functions" / "__init__.py": "",
        shared / "__init__.py": "",
        shared / "database.py": "PORT = 5432\n",
        shared / "validation.py": "MAX_NAME = 63\n",
    }.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    first = handler_sha256(handler, tmp_path)
    # A shared module the handler does not import is not in its bundle.
    (shared / "validation.py").write_text("MAX_NAME = 64\n")
    assert handler_sha256(handler, tmp_path) == first
    (shared / "database.py").write_text("PORT = 5433\n")
    second = handler_sha256(handler, tmp_path)
    assert second != first
    handler.write_text("from functions.shared import database  # changed\n")
    assert handler_sha256(handler, tmp_path) not in (first, second)


@pytest.mark.parametrize("env", ENVS)
def test_endpoints_for_the_drills_are_limited_to_the_workload(synth, env: str) -> None:
    config = synth.config.environments[env]
    endpoints = synth.resources(env, "Network", "AWS::EC2::VPCEndpoint")
    for name in ("Backup", "Rds", "Sns"):
        _, endpoint = _one(endpoints, f"NetworkVpc{name}")
        (statement,) = endpoint["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": config.accounts.workload}}
        assert endpoint["Properties"]["VpcEndpointType"] == "Interface"


@pytest.mark.parametrize("env", ENVS)
def test_data_key_allows_lambda_and_the_partners_reads(synth, env: str) -> None:
    config = synth.config.environments[env]
    keys = synth.resources(env, "KeyCustody", "AWS::KMS::Key")
    _, key = _one(keys, "DataKey")
    statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    via = statements["WorkloadUseThroughDataServices"]["Condition"]["StringEquals"]["kms:ViaService"]
    assert f"lambda.{config.region}.amazonaws.com" in via
    partner = statements["SecondPartnerReadsExitExports"]
    # Exactly the principal the config names (a role in prod), not its account's root.
    assert partner["Principal"] == {"AWS": config.drills.second_partner_principal_arn}
    assert partner["Action"] == "kms:Decrypt"
    assert partner["Condition"]["StringEquals"]["kms:ViaService"] == [f"s3.{config.region}.amazonaws.com"]
    assert partner["Condition"]["StringEquals"]["kms:CallerAccount"] == [config.drills.second_partner_account]
    assert "SecondPartnerReadsExitExportsGrants" not in statements
    # S3 uses the data key for the exit bucket only (encryption context), for the LED and the partner.
    bucket = f"{config.exit_bucket_name}"
    s3_use = statements["WorkloadUseThroughS3ForTheExitBucket"]
    assert "s3." not in json.dumps(statements["WorkloadUseThroughDataServices"])
    assert "WorkloadUseThroughS3ForTheExitBucketGrants" not in statements
    for statement in (s3_use, partner):
        context = statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:s3:arn"]
        assert [json.dumps(c) for c in context] and all(bucket in json.dumps(c) for c in context), context
        assert "kms:DescribeKey" not in json.dumps(statement["Action"])
