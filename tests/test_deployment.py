"""The deployment path (design.md; issue: deployment is a path to the data): no human role
deploys, the [deployment] config, the project's own bootstrap templates, and the pack seeing an
operator role that could deploy again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_iam as iam

import app as led_app
from config import ConfigError, LandingZoneConfig, load_config
from contract.operator import DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS
from policies.guardrails import deployment_boundary_name, guardrails
from stacks.access import role_names
from tests.conftest import ROOT, new_app
from tests.policy_eval import EXPLICIT_DENY, evaluate, resolve
from tools import bootstrap

CONFIG = load_config()
HUMAN_ROLES = ("platform-operator", "application-manager", "break-glass", "auditor")
DEPLOY_ROLE = "arn:aws:iam::444455556666:role/cdk-hnb659fds-deploy-role-444455556666-eu-west-1"


# --- the human roles ---------------------------------------------------------------------------


def _identity(synth, env: str, purpose: str) -> list[dict]:
    cfg = synth.config.environments[env]
    template = synth.template_json(env, "Access")
    name = role_names(cfg)[purpose]
    role_id = next(
        lid
        for lid, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Role" and r["Properties"]["RoleName"] == name
    )
    return [
        resolve(p["Properties"]["PolicyDocument"], region=cfg.region, account=cfg.accounts.workload)
        for p in template["Resources"].values()
        if p["Type"] == "AWS::IAM::ManagedPolicy" and {"Ref": role_id} in p["Properties"].get("Roles", [])
    ]


@pytest.mark.parametrize("purpose", HUMAN_ROLES)
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_no_human_role_can_deploy_even_with_a_later_allow(synth, env, purpose):
    identity = _identity(synth, env, purpose)
    allow_all = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    stack = f"arn:aws:cloudformation:eu-west-1:444455556666:stack/led-{env}-data/0a1b2c3d-0000"
    requests = [("sts:AssumeRole", DEPLOY_ROLE)]
    requests += [(a, stack) for a in DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS]
    for kind in ("cfn-exec", "file-publishing", "lookup"):
        requests.append(("sts:AssumeRole", DEPLOY_ROLE.replace("deploy-role", f"{kind}-role")))
    for action, resource in requests:
        assert (
            evaluate(action, resource, identity=[*identity, allow_all], boundary=None, context={}) == EXPLICIT_DENY
        ), action
    text = json.dumps(identity)
    assert "cloudformation:DescribeStacks" in text or purpose == "auditor"


# --- the config --------------------------------------------------------------------------------


def _with(deployment: dict) -> dict:
    raw = {
        "environments": {
            "x1": {
                "region": "eu-west-1",
                "accounts": {
                    "key_custody": "111122223333",
                    "workload": "444455556666",
                    "log_archive": "777788889999",
                    "backup": "123456789012",
                },
            }
        },
    }
    if deployment:
        raw["deployment"] = deployment
    return raw


def test_default_deployment_is_ahovoks_pipeline_in_an_account_of_its_own():
    dep = CONFIG.deployment
    assert dep.qualifier == "hnb659fds"
    led = {a for env in CONFIG.environments.values() for a in env.accounts.all()}
    assert dep.pipeline_account not in led
    assert dep.pipeline_role_arn == "arn:aws:iam::444444444444:role/ahovoks-led-delivery-pipeline"
    assert LandingZoneConfig.model_validate(_with({})).deployment.pipeline_account == "444444444444"


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        ({"pipeline_role_arn": "arn:aws:iam::444455556666:role/p"}, "in account 444455556666 of environment"),
        ({"pipeline_role_arn": "arn:aws:iam::444444444444:root"}, "allowed: one IAM role ARN"),
        ({"pipeline_role_arn": "arn:aws:iam::444444444444:role/*"}, "no wildcard"),
        ({"pipeline_role_arn": "arn:aws:iam::999999999999:role/p"}, "platform operator's identity account"),
        ({"qualifier": "Has_Upper"}, "1-10 lowercase letters"),
        ({"key_custody_deployer_arns": []}, "at least one IAM role ARN"),
        ({"key_custody_deployer_arns": ["arn:aws:iam::444455556666:role/fb"]}, "not in a workload"),
        ({"pipeline_role_arn": "arn:aws-eusc:iam::444444444444:role/p"}, "in partition aws-eusc"),
    ],
)
def test_bad_deployment_config_is_one_line(tmp_path, deployment, expected):
    text = (ROOT / "config" / "environments.toml").read_text()
    head, rest = text.split("[environments.dev]\n", 1)
    head = head.split("[deployment]")[0]
    lines = [f"{k} = {json.dumps(v)}" for k, v in deployment.items()]
    path = tmp_path / "led.toml"
    path.write_text(head + "[deployment]\n" + "\n".join(lines) + "\n\n[environments.dev]\n" + rest)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    message = str(exc.value)
    assert "\n" not in message and "field 'deployment." in message and expected in message, message


# --- the bootstrap templates -------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(synth, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bootstrap")
    bootstrap.write(synth.config, synth.outdir, out)
    return out


def _templates(out: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted(out.glob("*.yaml"))}


def test_one_template_per_account_and_region_with_the_right_bootstrapper(generated):
    names = set(_templates(generated))
    assert names == {
        "ahovoks-444455556666-eu-west-1",
        "ahovoks-777788889999-eu-west-1",
        "ahovoks-123456789012-eu-west-1",
        "ahovoks-123456789012-eu-central-1",
        "ahovoks-012345678901-eu-west-1",
        "fb-111122223333-eu-west-1",
        "fb-111122223333-eu-central-1",
    }
    manifest = json.loads((generated / "bootstrap.json").read_text())
    assert {t["template"] for t in manifest["targets"]} == {f"{n}.yaml" for n in names}


def test_bootstrap_roles_trust_only_the_deployment_principals(generated):
    for name, template in _templates(generated).items():
        expected = (
            list(CONFIG.deployment.key_custody_deployer_arns)
            if name.startswith("fb-")
            else [CONFIG.deployment.pipeline_role_arn]
        )
        for role in bootstrap.TRUSTING_ROLES:
            trust = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]
            for st in trust["Statement"]:
                assert st["Principal"] == {"AWS": expected}, (name, role)
            assert "AWS::AccountId" not in json.dumps(trust), (name, role)  # never the account root
        assert "TrustedAccounts" not in json.dumps(template)


def test_execution_role_carries_the_led_deployment_boundary(generated):
    for name, template in _templates(generated).items():
        region = name.rsplit("-", 3)[-3:]
        region = "-".join(region)
        resources = template["Resources"]
        execution = resources["CloudFormationExecutionRole"]["Properties"]
        assert execution["PermissionsBoundary"] == {"Ref": bootstrap.BOUNDARY}, name
        boundary = resources[bootstrap.BOUNDARY]["Properties"]
        assert boundary["ManagedPolicyName"] == deployment_boundary_name(CONFIG, region)
        sids = {s["Sid"] for s in boundary["PolicyDocument"]["Statement"]}
        assert {"DenyOutsideAllowedRegions", "DenyOtherKeyCustodians", "DenyMakingDataPublic"} <= sids, name
        # The execution role cannot rewrite the bootstrap (the deploy role's trust, its own boundary).
        own = next(s for s in boundary["PolicyDocument"]["Statement"] if s["Sid"] == "DenyChangingTheBootstrap")
        assert {"iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary"} <= set(own["Action"])
        assert "role/cdk-hnb659fds-*" in json.dumps(own["Resource"])
        assert "AdministratorAccess" not in json.dumps(execution)
        for role in bootstrap.TRUSTING_ROLES:
            assert resources[role]["Properties"]["PermissionsBoundary"] == {"Ref": bootstrap.BOUNDARY}


def test_workload_boundary_keeps_the_key_administration_deny(generated):
    workload = _templates(generated)["ahovoks-444455556666-eu-west-1"]
    statements = workload["Resources"][bootstrap.BOUNDARY]["Properties"]["PolicyDocument"]["Statement"]
    keys = next(s for s in statements if s["Sid"] == "DenyKeyAdministration")
    assert {"kms:CreateKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"} <= set(keys["Action"])
    custody = _templates(generated)["fb-111122223333-eu-west-1"]
    statements = custody["Resources"][bootstrap.BOUNDARY]["Properties"]["PolicyDocument"]["Statement"]
    keys = next(s for s in statements if s["Sid"] == "DenyKeyAdministration")
    # FB's own deployment creates the keys: what its handlers need gives way, deletion does not.
    assert "kms:CreateKey" not in keys["Action"] and "kms:ScheduleKeyDeletion" in keys["Action"]


def test_execution_policy_covers_every_resource_type_of_the_account(synth, generated):
    types = bootstrap.resource_types_by_target(synth.outdir)
    templates = _templates(generated)
    for name, template in templates.items():
        _, account, *region = name.split("-")
        region = "-".join(region)
        actions, _ = bootstrap.allowed_actions(template)
        assert not [a for a in actions if a == "*" or a.endswith(":*")], name
        for resource_type in types[(account, region)]:
            if resource_type in bootstrap.NO_HANDLER_TYPES:
                continue
            if bootstrap.is_custom(resource_type):
                assert "lambda:invokefunction" in actions, (name, resource_type)
                continue
            needed = bootstrap.handler_permissions(resource_type, region)
            assert needed, resource_type
            assert {a.lower() for a in needed} <= actions, (name, resource_type)
    # The workload account deploys the database and the functions; nothing beyond its types.
    workload, _ = bootstrap.allowed_actions(templates["ahovoks-444455556666-eu-west-1"])
    assert {"rds:createdbinstance", "lambda:createfunction", "iam:createrole"} <= workload
    management, _ = bootstrap.allowed_actions(templates["ahovoks-012345678901-eu-west-1"])
    assert "rds:createdbinstance" not in management


def test_check_refuses_a_template_trusting_the_account_root(synth, generated):
    target = bootstrap.Target("444455556666", "eu-west-1", "AHOVOKS")
    template = _templates(generated)[target.name]
    types = bootstrap.resource_types_by_target(synth.outdir)[("444455556666", "eu-west-1")]
    assert bootstrap.check_template(CONFIG, target, template, types) == []
    template["Resources"]["DeploymentActionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0][
        "Principal"
    ] = {"AWS": {"Ref": "AWS::AccountId"}}
    del template["Resources"]["CloudFormationExecutionRole"]["Properties"]["PermissionsBoundary"]
    problems = bootstrap.check_template(CONFIG, target, template, types)
    assert any("DeploymentActionRole trusts" in p for p in problems)
    assert any("CloudFormationExecutionRole does not carry" in p for p in problems)


def test_generated_templates_pass_cfn_lint(generated):
    # No .cfnlintrc here: the bootstrap templates pass every rule, warnings included.
    templates = sorted(str(p) for p in generated.glob("*.yaml"))
    assert len(templates) == 7
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "json", "--", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [] and result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_generator_refuses_a_qualifier_the_app_does_not_deploy_with(synth, tmp_path):
    other = synth.config.model_copy(
        update={"deployment": synth.config.deployment.model_copy(update={"qualifier": "other"})}
    )
    with pytest.raises(bootstrap.BootstrapError) as exc:
        bootstrap.write(other, synth.outdir, tmp_path)
    assert "field 'deployment.qualifier': got 'other'" in str(exc.value)


def test_generator_without_assembly_says_so_in_one_line(tmp_path, capsys):
    assert bootstrap.main(["--assembly", str(tmp_path / "none"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "run `make synth` first" in err


def test_generator_with_an_unreadable_assembly_says_so_in_one_line(tmp_path, capsys):
    nested = {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-prod"}}
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {"assembly-prod": nested}}))
    (tmp_path / "assembly-prod").mkdir()
    (tmp_path / "assembly-prod" / "manifest.json").write_text("{not json")
    assert bootstrap.main(["--assembly", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("bootstrap: ") and "manifest.json: not JSON" in err
    assert not (tmp_path / "out").exists()


# --- guardrails --------------------------------------------------------------------------------


def _principal_arns(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "aws:PrincipalArn":
                found += value if isinstance(value, list) else [value]
            else:
                found += _principal_arns(value)
    elif isinstance(node, list):
        for item in node:
            found += _principal_arns(item)
    return found


def test_scp_exemptions_name_exact_role_arns():
    for guardrail in guardrails(CONFIG):
        arns = _principal_arns(guardrail.document)
        assert not [a for a in arns if "*" in a or "?" in a], guardrail.name
        assert "ArnNotLike" not in guardrail.text(), guardrail.name
    identity = {g.name: g for g in guardrails(CONFIG)}["led-identity-guardrail"].document
    exec_roles = set(_principal_arns(identity))
    assert "arn:aws:iam::444455556666:role/cdk-hnb659fds-cfn-exec-role-444455556666-eu-west-1" in exec_roles
    assert "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-central-1" in exec_roles


def test_identity_guardrail_protects_bootstrap_and_led_roles_and_boundaries():
    doc = {g.name: g for g in guardrails(CONFIG)}["led-identity-guardrail"].document
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    change = by_sid["DenyChangingDeploymentAndLedIdentities"]
    assert {
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicy",
        "iam:TagRole",
        "iam:UntagRole",
    } <= set(change["Action"])
    assert set(change["Resource"]) == {
        "arn:aws:iam::*:role/cdk-hnb659fds-*",
        "arn:aws:iam::*:role/led-*",
        "arn:aws:iam::*:policy/led-*",
    }
    remove = by_sid["DenyRemovingPermissionsBoundaries"]
    assert set(remove["Action"]) == {"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"}
    foreign = by_sid["DenyIdentitiesWithoutTheLedBoundary"]
    assert {"iam:CreateRole", "iam:CreateUser", "iam:PutRolePermissionsBoundary"} <= set(foreign["Action"])
    boundaries = foreign["Condition"]["StringNotEquals"]["iam:PermissionsBoundary"]
    assert "arn:aws:iam::444455556666:policy/led-prod-permissions-boundary" in boundaries
    assert "arn:aws:iam::444455556666:policy/led-hnb659fds-deployment-boundary-eu-west-1" in boundaries
    assert "ArnNotEquals" in foreign["Condition"]


# --- the pack inside the real landing zone -----------------------------------------------------


def _prod_under_the_pack(tmp_path):
    """prod alone, in an app whose synthesis runs the VTC pack."""
    app = new_app(tmp_path / "cdk.out", packs="vtc")
    config = load_config()
    return app, led_app.build(app, config, [config.environments["prod"]])[0]


def _synthesis_error(app) -> str:
    with pytest.raises(Exception) as exc:
        app.synth()
    return str(exc.value)


def _operator_may_assume(prod, sid: str, role_arn: str) -> None:
    prod.access.platform_operator.policy.add_statements(
        iam.PolicyStatement(sid=sid, actions=["sts:AssumeRole"], resources=[role_arn])
    )


def test_pack_fails_prod_when_a_pull_request_gives_the_operator_the_deploy_role(tmp_path):
    app, prod = _prod_under_the_pack(tmp_path)
    # What a pull request would add back: the operator may assume the CDK deploy role again.
    deploy_roles = f"arn:{cdk.Aws.PARTITION}:iam::444455556666:role/cdk-hnb659fds-deploy-role-*"
    _operator_may_assume(prod, "DeployThroughTheCdkBootstrapRoles", deploy_roles)
    assert "VTC-PROCESSOR-DEPLOY" in _synthesis_error(app)


def test_pack_sees_the_deny_taken_out_by_a_property_override(tmp_path):
    app, prod = _prod_under_the_pack(tmp_path)
    document = prod.access.platform_operator.policy.node.default_child
    statements = prod.access.resolve(document.policy_document)["Statement"]
    kept = [s for s in statements if s.get("Sid") != "DenyAssumingTheCdkBootstrapRoles"]
    document.add_property_override("PolicyDocument.Statement", kept)
    message = _synthesis_error(app)
    assert "VTC-PROCESSOR-DEPLOY" in message and "no explicit Deny of sts:AssumeRole" in message


def test_pack_sees_an_added_allow_on_another_role(tmp_path):
    app, prod = _prod_under_the_pack(tmp_path)
    _operator_may_assume(prod, "AssumeTheToolsRole", f"arn:{cdk.Aws.PARTITION}:iam::444455556666:role/led-prod-tools")
    message = _synthesis_error(app)
    assert "VTC-PROCESSOR-DEPLOY" in message and "AssumeTheToolsRole allows sts:AssumeRole" in message
