"""The LED permissions boundary protects itself (issue #9, path 2), and the smaller holes of path 7:
confused-deputy conditions on service trusts and the alarm topic, the second partner's exact
principal and the exit bucket's encryption context on the data key, source identity on human
sessions, the exit drill's DescribeKey, Lambda in the boundary's data key path, PassRole only to
the drill services. All on the synthesized landing zone, every environment."""

from __future__ import annotations

import json

import pytest

from cdk_constructs.boundary import MANAGED_POLICY_MAX_CHARS
from tests.policy_eval import ALLOW, EXPLICIT_DENY, evaluate, resolve
from tests.test_access_roles import _role_documents
from tests.test_audit_access import as_list, env_config, resources

ENVS = ["dev", "acc", "prod"]
ALLOW_ALL = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]


def _boundaries(synth, env: str) -> dict[str, tuple[str, dict, str]]:
    """Every LED boundary of the environment: stack -> (its ARN, its document resolved, its account)."""
    cfg = env_config(synth, env)
    found = {}
    for stack, account in (("Baseline", cfg.accounts.workload), ("LogArchive", cfg.accounts.log_archive)):
        template = synth.template_json(env, stack)
        (policy,) = [
            p
            for p in resources(template, "AWS::IAM::ManagedPolicy").values()
            if (p.get("Metadata") or {}).get("led:permissions-boundary")
        ]
        name = policy["Properties"]["ManagedPolicyName"]
        document = resolve(policy["Properties"]["PolicyDocument"], region=cfg.region, account=account)
        found[stack] = (f"arn:aws:iam::{account}:policy/{name}", document, account)
    return found


@pytest.mark.parametrize("env", ENVS)
def test_the_boundary_protects_itself(synth, env):
    cfg = env_config(synth, env)
    for stack, (arn, boundary, account) in _boundaries(synth, env).items():

        def decision(action, resource="*", boundary=boundary, **context):
            context = {"aws:RequestedRegion": cfg.region, **context}
            return evaluate(action, resource, identity=ALLOW_ALL, boundary=boundary, context=context)

        role = f"arn:aws:iam::{account}:role/led-{env}-app-runtime"
        other = f"arn:aws:iam::{account}:policy/AdministratorAccess"
        # Removing a boundary, from any role or user: never.
        for action in ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"):
            assert decision(action, role) == EXPLICIT_DENY, (stack, action)
        # Replacing it, or creating a role or user, only with this boundary.
        for action in (
            "iam:PutRolePermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
            "iam:CreateRole",
            "iam:CreateUser",
        ):
            assert decision(action, role, **{"iam:PermissionsBoundary": other}) == EXPLICIT_DENY, (stack, action)
            assert decision(action, role) == EXPLICIT_DENY, (stack, action, "without a boundary")
            assert decision(action, role, **{"iam:PermissionsBoundary": arn}) == ALLOW, (stack, action)
        # The boundary policy itself: no new version, no other default, no deletion.
        for action in (
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:DeletePolicy",
        ):
            assert decision(action, arn) == EXPLICIT_DENY, (stack, action)
            assert decision(action, f"arn:aws:iam::{account}:policy/led-{env}-app-runtime-policy") == ALLOW, action
        # Whom an led-* role trusts does not change; other roles are the identity policies' business.
        assert decision("iam:UpdateAssumeRolePolicy", role) == EXPLICIT_DENY, stack
        assert decision("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{account}:role/other") == ALLOW, stack


def _size_without_whitespace(document: dict, *, partition: str, account: str, region: str) -> int:
    resolved = resolve(document, region=region, account=account, partition=partition)
    return len(json.dumps(resolved, separators=(",", ":")))


@pytest.mark.parametrize("env", ENVS)
def test_the_boundary_fits_a_managed_policy(synth, env):
    """IAM refuses a managed policy over 6,144 characters (whitespace not counted): measured with
    the longest partition name the LED allows (aws-eusc), with a margin for what is still to come."""
    cfg = env_config(synth, env)
    for stack in ("Baseline", "LogArchive"):
        template = synth.template_json(env, stack)
        for policy in resources(template, "AWS::IAM::ManagedPolicy").values():
            if not (policy.get("Metadata") or {}).get("led:permissions-boundary"):
                continue
            size = _size_without_whitespace(
                policy["Properties"]["PolicyDocument"], partition="aws-eusc", account="123456789012", region=cfg.region
            )
            assert size <= MANAGED_POLICY_MAX_CHARS - 1024, (stack, size)


@pytest.mark.parametrize("env", ENVS)
def test_the_boundary_lets_lambda_use_the_data_key(synth, env):
    cfg = env_config(synth, env)
    if cfg.key_arn("data") is None or not cfg.key_arn("data").startswith("arn:"):
        pytest.skip("no data key ARN configured: the boundary has no data key statement")
    _, boundary = _role_documents(synth, env, "app-runtime")
    key = cfg.key_arn("data")
    context = {"aws:RequestedRegion": cfg.region}
    for service, expected in (("lambda", ALLOW), ("rds", ALLOW), ("sqs", EXPLICIT_DENY)):
        via = {"kms:ViaService": f"{service}.{cfg.region}.amazonaws.com"}
        decision = evaluate("kms:Decrypt", key, identity=ALLOW_ALL, boundary=boundary, context={**context, **via})
        assert decision == expected, service


def _trust(synth, env: str, stack: str, predicate) -> list[dict]:
    roles = resources(synth.template_json(env, stack), "AWS::IAM::Role")
    found = [r["Properties"]["AssumeRolePolicyDocument"]["Statement"] for lid, r in roles.items() if predicate(lid, r)]
    assert found, (stack, "no role found")
    return [s for statements in found for s in statements]


@pytest.mark.parametrize("env", ENVS)
def test_service_trusts_name_the_source_account(synth, env):
    """Backup (selection, restore testing, on-demand jobs) and flow-log roles: no confused deputy."""
    cfg = env_config(synth, env)
    account = cfg.accounts.workload
    cases = (
        ("Backup", lambda lid, r: lid.startswith("PlanDatabaseSelectionRole"), "backup.amazonaws.com"),
        ("Backup", lambda lid, r: lid.startswith("RestoreTestingRole"), "backup.amazonaws.com"),
        ("Recovery", lambda lid, r: lid.startswith("OnDemandBackupRole"), "backup.amazonaws.com"),
        ("Network", lambda lid, r: lid.startswith("NetworkFlowLogRole"), "vpc-flow-logs.amazonaws.com"),
        ("Data", lambda lid, r: "MonitoringRole" in lid, "monitoring.rds.amazonaws.com"),
    )
    for stack, predicate, service in cases:
        for statement in _trust(synth, env, stack, predicate):
            assert statement["Principal"] == {"Service": service}, stack
            condition = resolve(statement["Condition"], region=cfg.region, account=account)
            assert condition["StringEquals"]["aws:SourceAccount"] == account, (stack, condition)
            if service.startswith("vpc-flow-logs"):
                assert condition["ArnLike"]["aws:SourceArn"] == f"arn:aws:ec2:{cfg.region}:{account}:vpc-flow-log/*"
    # No service principal in these stacks' trusts is left without a condition, Lambda aside (a
    # function's execution role is assumed by Lambda for that function only), the Data stack's
    # RDS enhanced-monitoring role included.
    for stack in ("Backup", "Network", "Recovery", "Audit", "Access", "Data"):
        for lid, role in resources(synth.template_json(env, stack), "AWS::IAM::Role").items():
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                services = as_list((statement.get("Principal") or {}).get("Service", []))
                if services and services != ["lambda.amazonaws.com"]:
                    assert statement.get("Condition"), (stack, lid, services)


@pytest.mark.parametrize("env", ENVS)
def test_alarm_topic_admits_eventbridge_only_for_its_rule(synth, env):
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Audit")
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    services = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "Service" in s.get("Principal", {})]
    assert {s["Principal"]["Service"] for s in services} == {"cloudwatch.amazonaws.com", "events.amazonaws.com"}
    for statement in services:
        assert statement["Effect"] == "Allow" and statement["Action"] == "sns:Publish"
        condition = resolve(statement["Condition"], region=cfg.region, account=cfg.accounts.workload)
        assert condition["StringEquals"]["aws:SourceAccount"] == cfg.accounts.workload
    (events,) = [s for s in services if s["Principal"]["Service"] == "events.amazonaws.com"]
    rule = next(lid for lid in resources(template, "AWS::Events::Rule") if lid.startswith("BackupFailures"))
    assert events["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Fn::GetAtt": [rule, "Arn"]}


@pytest.mark.parametrize("env", ENVS)
def test_human_sessions_carry_a_source_identity(synth, env):
    cfg = env_config(synth, env)
    for stack in ("Access", "LogArchive"):
        for lid, role in resources(synth.template_json(env, stack), "AWS::IAM::Role").items():
            trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            if not any("AWS" in (s.get("Principal") or {}) for s in trust):
                continue
            for statement in trust:
                assert statement["Condition"]["Null"] == {"sts:SourceIdentity": "false"}, (stack, lid)
                assert statement["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}, (stack, lid)
                assert sorted(as_list(statement["Action"])) == ["sts:AssumeRole", "sts:SetSourceIdentity"]
    assert cfg.access.auditor_principals  # there is a human role to check in every environment


@pytest.mark.parametrize("env", ENVS)
def test_exit_drill_can_describe_the_key(synth, env):
    """StartExportTask describes the data key: a DescribeKey request carries no
    kms:GrantIsForAWSResource, so the grant statement's condition could never allow it."""
    cfg = env_config(synth, env)
    template = synth.template_json(env, "Recovery")
    handler_policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for lid, p in resources(template, "AWS::IAM::ManagedPolicy").items()
        if lid.startswith("ExitDrillHandler")
    ]
    (statements,) = handler_policies
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["GrantExportKey"]["Action"] == "kms:CreateGrant"
    assert by_sid["GrantExportKey"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    describe = by_sid["DescribeExportKey"]
    assert describe["Action"] == "kms:DescribeKey" and "Condition" not in describe
    key = cfg.key_arn("data")
    resolved = [resolve(d, region=cfg.region, account=cfg.accounts.workload) for d in [{"Statement": statements}]]
    if isinstance(key, str) and key.startswith("arn:"):
        assert evaluate("kms:DescribeKey", key, identity=resolved, boundary=None) == ALLOW
