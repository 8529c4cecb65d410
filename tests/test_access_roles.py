"""Access (issue 4): one role per party under the boundary, what each may and may not do (the
platform operator, the auditor and the application manager, break glass), and what the boundary
denies, evaluated on the policies of the shared synthesis."""

from __future__ import annotations

import json

import pytest

from stacks.access import role_names
from tests.policy_eval import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, denying_sids, evaluate, resolve
from tests.test_audit_access import (
    AUDIT_STOPPING_ACTIONS,
    ENVS,
    MFA,
    as_list,
    env_config,
    resources,
    statements,
)

WORKLOAD_ROLE_STACKS = ("Access", "Audit", "Baseline", "Network", "Data", "Backup")


@pytest.mark.parametrize("env", ENVS)
def test_every_role_carries_a_boundary_and_there_are_no_users(synth, env):
    for stack in (*WORKLOAD_ROLE_STACKS, "LogArchive"):
        template = synth.template_json(env, stack)
        assert not resources(template, "AWS::IAM::User"), stack
        for lid, role in resources(template, "AWS::IAM::Role").items():
            assert "PermissionsBoundary" in role["Properties"], (stack, lid)


@pytest.mark.parametrize("env", ENVS)
def test_no_wildcard_actions_in_the_policies_the_app_writes(synth, env):
    for stack in (*WORKLOAD_ROLE_STACKS, "LogArchive"):
        template = synth.template_json(env, stack)
        for lid, policy in resources(template, "AWS::IAM::ManagedPolicy").items():
            if policy["Properties"].get("ManagedPolicyName", "").endswith("boundary"):
                continue  # the boundary's ceiling grants nothing by itself
            for statement in statements(policy["Properties"]["PolicyDocument"]):
                if statement["Effect"] == "Allow":
                    for action in as_list(statement["Action"]):
                        assert not action.endswith(":*") and action != "*", (stack, lid, action)


@pytest.mark.parametrize("env", ENVS)
def test_one_role_per_party_with_named_principals_and_mfa(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Access")
    roles = {r["Properties"]["RoleName"]: r["Properties"] for r in resources(template, "AWS::IAM::Role").values()}
    names = role_names(cfg)
    assert set(roles) == set(names.values())
    humans = {
        "platform-operator": cfg.access.operator_principals,
        "application-manager": cfg.access.application_manager_principals,
        "auditor": cfg.access.auditor_principals,
        "break-glass": cfg.access.break_glass_principals,
    }
    for purpose, principals in humans.items():
        trust = roles[names[purpose]]["AssumeRolePolicyDocument"]["Statement"]
        assert {p for s in trust for p in as_list(s["Principal"]["AWS"])} == set(principals), purpose
        assert all(s["Condition"] == MFA for s in trust), purpose
        assert roles[names[purpose]]["PermissionsBoundary"]
    assert roles[names["break-glass"]]["MaxSessionDuration"] == 3600
    assert roles[names["auditor"]]["MaxSessionDuration"] == 3600 * cfg.access.session_hours
    runtime = roles[names["app-runtime"]]["AssumeRolePolicyDocument"]["Statement"][0]
    assert runtime["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert runtime["Condition"] == {"StringEquals": {"aws:SourceAccount": cfg.accounts.workload}}


def _role_documents(synth, env: str, purpose: str) -> tuple[list[dict], dict]:
    """The identity policies of one Access role and the baseline boundary, intrinsics resolved."""
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Access")
    name = role_names(cfg)[purpose]
    role_id = next(
        lid for lid, r in resources(template, "AWS::IAM::Role").items() if r["Properties"]["RoleName"] == name
    )
    identity = [
        p["Properties"]["PolicyDocument"]
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if {"Ref": role_id} in p["Properties"].get("Roles", [])
    ]
    baseline = synth.template_json(env, "Baseline")
    boundary = next(
        p["Properties"]["PolicyDocument"]
        for p in resources(baseline, "AWS::IAM::ManagedPolicy").values()
        if p["Properties"]["ManagedPolicyName"] == f"led-{env}-permissions-boundary"
    )
    return (
        [resolve(d, region=cfg.region, account=cfg.accounts.workload) for d in identity],
        resolve(boundary, region=cfg.region, account=cfg.accounts.workload),
    )


def _role_decision(synth, env: str, purpose: str):
    """How one Access role, under the boundary, decides a request in its region (extra: more context keys)."""
    cfg = env_config(synth, env)
    identity, boundary = _role_documents(synth, env, purpose)

    def decision(action: str, resource: str = "*", **extra: str) -> str:
        context = {"aws:RequestedRegion": cfg.region, **extra}
        return evaluate(action, resource, identity=identity, boundary=boundary, context=context)

    return decision


def _assert_decides(decision, *, allowed, refused, refusal=(IMPLICIT_DENY, EXPLICIT_DENY)) -> None:
    """`decision` allows each (action, resource) of `allowed` and gives each of `refused` a verdict of `refusal`."""
    for action, resource in allowed:
        assert decision(action, resource) == ALLOW, action
    for action, resource in refused:
        assert decision(action, resource) in refusal, action


def _db(env: str) -> str:
    return f"arn:aws:rds:eu-west-1:444455556666:db:led-{env}-db"


def _data_stack(env: str) -> str:
    return f"arn:aws:cloudformation:eu-west-1:444455556666:stack/led-{env}-data/0a1b2c3d-0000-0000-0000-000000000000"


@pytest.mark.parametrize("env", ENVS)
def test_platform_operator_can_operate(synth, env):
    decision = _role_decision(synth, env, "platform-operator")
    db, stack = _db(env), _data_stack(env)
    deploy_role = "arn:aws:iam::444455556666:role/cdk-hnb659fds-deploy-role-444455556666-eu-west-1"
    _assert_decides(
        decision,
        allowed=[
            ("rds:RebootDBInstance", db),
            ("rds:StartDBInstance", db),
            ("cloudformation:DescribeStacks", stack),
            ("cloudwatch:GetMetricData", "*"),
        ],
        # Deploying is a path to the data: the controller's pipeline deploys, the operator proposes.
        refused=[
            ("cloudformation:CreateChangeSet", stack),
            ("cloudformation:ExecuteChangeSet", stack),
            ("sts:AssumeRole", deploy_role),
        ],
        refusal=(EXPLICIT_DENY,),
    )


@pytest.mark.parametrize("env", ENVS)
def test_platform_operator_denies_are_present_and_effective(synth, env):
    cfg = env_config(synth, env)
    identity, boundary = _role_documents(synth, env, "platform-operator")
    context = {"aws:RequestedRegion": cfg.region}
    secret = f"arn:aws:secretsmanager:eu-west-1:444455556666:secret:rds!db-{'0' * 8}-AbCdEf"
    data_key = cfg.key_arn("data")
    archive = f"arn:aws:s3:::{cfg.log_archive_bucket_name}"
    cases = {
        "DenyReadingTheDatabaseSecret": [("secretsmanager:GetSecretValue", secret)],
        "DenyUsingTheDataKey": [
            ("kms:Decrypt", data_key),
            ("kms:GenerateDataKey", data_key),
            ("kms:ReEncryptFrom", data_key),
            ("kms:CreateGrant", data_key),
        ],
        "DenyWritingToTheLogArchive": [
            ("s3:PutObject", f"{archive}/AWSLogs/forged.json.gz"),
            ("s3:DeleteObject", f"{archive}/AWSLogs/x.json.gz"),
            ("s3:DeleteObjectVersion", f"{archive}/AWSLogs/x.json.gz"),
            ("s3:PutBucketPolicy", archive),
            ("s3:PutBucketObjectLockConfiguration", archive),
        ],
        "DenyDatabaseLoginAndPasswordChange": [
            ("rds-db:connect", "arn:aws:rds-db:eu-west-1:444455556666:dbuser:db-ABC/led_app"),
            ("rds:ModifyDBInstance", _db(env)),
        ],
    }
    for sid, requests in cases.items():
        for action, resource in requests:
            # The deny is in the operator's own policy ...
            assert sid in denying_sids(action, resource, identity, context), (sid, action)
            # ... and effective: even with an allow-all added to the operator's policies.
            allow_all = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            assert (
                evaluate(action, resource, identity=[*identity, allow_all], boundary=boundary, context=context)
                == EXPLICIT_DENY
            ), (sid, action)


@pytest.mark.parametrize("env", ENVS)
def test_boundary_denies_what_the_issue_lists(synth, env):
    cfg = env_config(synth, env)
    _, boundary = _role_documents(synth, env, "app-runtime")
    allow_all = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    context = {"aws:RequestedRegion": cfg.region}
    fb_key = cfg.key_arn("data")

    def decision(action, resource="*", **extra):
        return evaluate(action, resource, identity=allow_all, boundary=boundary, context={**context, **extra})

    for action in ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateKey"):
        assert decision(action, fb_key) == EXPLICIT_DENY
    # The data key decrypts only through the services of the application path.
    assert decision("kms:Decrypt", fb_key) == EXPLICIT_DENY
    assert decision("kms:Decrypt", fb_key, **{"kms:ViaService": "rds.eu-west-1.amazonaws.com"}) == ALLOW
    for action in (
        *AUDIT_STOPPING_ACTIONS,
        "ec2:DeleteFlowLogs",
        "logs:DeleteLogGroup",
        "s3:PutBucketPublicAccessBlock",
        "rds:ModifyDBSnapshotAttribute",
        "ec2:ModifySnapshotAttribute",
    ):
        assert decision(action) == EXPLICIT_DENY, action
    assert (
        evaluate(
            "rds:DescribeDBInstances",
            "*",
            identity=allow_all,
            boundary=boundary,
            context={"aws:RequestedRegion": "us-east-1"},
        )
        == EXPLICIT_DENY
    )
    assert (
        evaluate(
            "iam:GetRole", "*", identity=allow_all, boundary=boundary, context={"aws:RequestedRegion": "us-east-1"}
        )
        == ALLOW
    )


@pytest.mark.parametrize("env", ENVS)
def test_auditor_and_application_manager_cannot_touch_keys_or_logs(synth, env):
    cfg = env_config(synth, env)
    for purpose in ("auditor", "application-manager", "app-runtime"):
        decision = _role_decision(synth, env, purpose)
        for action, resource in (
            ("kms:Decrypt", cfg.key_arn("data")),
            ("kms:PutKeyPolicy", cfg.key_arn("data")),
            ("logs:DeleteLogGroup", f"arn:aws:logs:eu-west-1:444455556666:log-group:/led/{env}/x"),
            ("cloudtrail:StopLogging", "*"),
            ("secretsmanager:GetSecretValue", "*"),
        ):
            assert decision(action, resource) in (IMPLICIT_DENY, EXPLICIT_DENY), (purpose, action)
    assert _role_decision(synth, env, "auditor")("cloudtrail:LookupEvents") == ALLOW


@pytest.mark.parametrize("env", ENVS)
def test_break_glass_has_named_emergency_powers_not_administrator_access(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Access")
    role = next(
        r
        for r in resources(template, "AWS::IAM::Role").values()
        if r["Properties"]["RoleName"] == role_names(cfg)["break-glass"]
    )
    assert "ManagedPolicyArns" not in role["Properties"] or not any(
        "AdministratorAccess" in json.dumps(a) for a in role["Properties"]["ManagedPolicyArns"]
    )
    decision = _role_decision(synth, env, "break-glass")
    db, stack = _db(env), _data_stack(env)
    _assert_decides(
        decision,
        allowed=[
            ("rds:ModifyDBInstance", db),
            ("rds:RebootDBInstance", db),
            ("backup:StartRestoreJob", "arn:aws:backup:eu-west-1:444455556666:recovery-point:x"),
        ],
        refused=[
            ("cloudformation:ContinueUpdateRollback", stack),
            ("iam:CreateUser", "*"),
            ("kms:Decrypt", cfg.key_arn("data")),
            ("s3:DeleteObject", f"arn:aws:s3:::{cfg.log_archive_bucket_name}/x"),
            ("cloudtrail:StopLogging", "*"),
        ],
    )


@pytest.mark.parametrize("env", ENVS)
def test_application_manager_runs_the_drills_and_nothing_beyond_them(synth, env):
    """AHOVOKS (the controller) runs led-ops restore-drill and exit-drill (VTC §40, §42-43)."""
    decision = _role_decision(synth, env, "application-manager")
    rds = "arn:aws:rds:eu-west-1:444455556666"
    allowed = (
        ("backup:StartRestoreJob", "arn:aws:backup:eu-west-1:444455556666:recovery-point:x"),
        ("iam:PassRole", f"arn:aws:iam::444455556666:role/led-{env}-ops-backup"),
        ("iam:PassRole", f"arn:aws:iam::444455556666:role/led-{env}-exit-export"),
        ("rds:DeleteDBInstance", f"{rds}:db:led-drill-{env}-20261129"),
        ("rds-db:connect", "arn:aws:rds-db:eu-west-1:444455556666:dbuser:db-ABC/led_restore_validator"),
        ("rds:StartExportTask", f"{rds}:export-task:led-{env}-exit-20261129"),
        ("s3:GetObject", f"arn:aws:s3:::led-{env}-exit-444455556666-eu-west-1/exit-drill/x.parquet"),
    )
    passed_to = {"ops-backup": "backup.amazonaws.com", "exit-export": "export.rds.amazonaws.com"}
    for action, resource in allowed:
        extra = {"iam:PassedToService": passed_to[resource.rsplit(f"led-{env}-", 1)[1]]} if "PassRole" in action else {}
        assert decision(action, resource, **extra) == ALLOW, action
    # The drill roles go only to the services that assume them (iam:PassedToService).
    for role in passed_to:
        for service in ("lambda.amazonaws.com", "ec2.amazonaws.com", None):
            extra = {"iam:PassedToService": service} if service else {}
            resource = f"arn:aws:iam::444455556666:role/led-{env}-{role}"
            assert decision("iam:PassRole", resource, **extra) != ALLOW, (role, service)
    denied = (
        ("rds:DeleteDBInstance", _db(env)),
        ("rds-db:connect", "arn:aws:rds-db:eu-west-1:444455556666:dbuser:db-ABC/led_admin"),
        ("iam:PassRole", f"arn:aws:iam::444455556666:role/led-{env}-break-glass"),
        ("backup:DeleteRecoveryPoint", "arn:aws:backup:eu-west-1:444455556666:recovery-point:x"),
    )
    for action, resource in denied:
        assert decision(action, resource) != ALLOW, action
