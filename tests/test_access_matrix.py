"""The who-can-do-what matrix (issue #9) for prod of the default config, computed by
policies/access on the session's synthesis: the pinned verdicts, the deciding statements and paths,
the overclaim rule, changes made the way a pull request would, renderings, speed and the command line."""

from __future__ import annotations

import copy
import json
import time

import pytest

from policies.access import overclaims, who_can
from policies.access.__main__ import main as access_cli
from policies.access.bootstrap import bootstrap_roles
from policies.access.engine import ALLOWED, DENIED, NOT_GRANTED
from policies.access.templates import StackTemplate, stage_templates

# The landing zone: prod of the default config -------------------------------------------------

# The verdicts the evaluator finds on today's synthesis. The platform operator (Cronos, a
# processor) can assume the CDK deploy role (its DeployThroughTheCdkBootstrapRoles statement and the
# stock bootstrap's trust of the whole workload account), execute a change set and so act as the
# unbounded AdministratorAccess execution role: that is how it reaches the secret, a database login,
# the functions' code, the backup plan and its own boundary.
# EXPECTED TO FLIP once the deployment-path fix lands (design.md "The deployment path": the
# processor holds no deployment or role-assumption rights, the bootstrap roles trust only the
# controller's pipeline, the execution role is bounded) — the lead updates these at merge:
#   operator:            read-db-secret -> denied (its own DenyReadingTheDatabaseSecret),
#                        db-login -> denied (DenyDatabaseLoginAndPasswordChange),
#                        change-function-code, delete-backup, remove-own-boundary,
#                        deploy-stack -> not granted
#   application-manager, break-glass: read-db-secret, change-function-code, delete-backup,
#                        remove-own-boundary -> not granted (they reach them only through the same
#                        deploy role); deploy-stack stays allowed only if they remain deployers.
#   application-manager db-login stays ALLOWED: its own ValidateAsTheReadOnlyValidator statement
#   lets it log in as led_restore_validator on dbuser:*/…, the production instance included.
PROD_VERDICTS = {
    "operator": {
        "read-db-secret": ALLOWED,  # flips to denied
        "db-login": ALLOWED,  # flips to denied
        "decrypt-data-key": DENIED,
        "change-function-code": ALLOWED,  # flips
        "delete-archived-log": DENIED,
        "change-archive-policy": DENIED,
        "delete-backup": ALLOWED,  # flips
        "remove-own-boundary": ALLOWED,  # flips
        "deploy-stack": ALLOWED,  # flips
    },
    "application-manager": {
        "read-db-secret": ALLOWED,  # flips
        "db-login": ALLOWED,
        "decrypt-data-key": DENIED,
        "change-function-code": ALLOWED,  # flips
        "delete-archived-log": DENIED,
        "change-archive-policy": DENIED,
        "delete-backup": ALLOWED,  # flips
        "remove-own-boundary": ALLOWED,  # flips
        "deploy-stack": ALLOWED,
    },
    "app-runtime": {
        "read-db-secret": NOT_GRANTED,
        "db-login": NOT_GRANTED,
        "decrypt-data-key": DENIED,
        "change-function-code": NOT_GRANTED,
        "delete-archived-log": DENIED,
        "change-archive-policy": DENIED,
        "delete-backup": DENIED,
        "remove-own-boundary": NOT_GRANTED,
        "deploy-stack": NOT_GRANTED,
    },
    "auditor": {
        "read-db-secret": NOT_GRANTED,
        "db-login": NOT_GRANTED,
        "decrypt-data-key": DENIED,
        "change-function-code": NOT_GRANTED,
        "delete-archived-log": DENIED,
        "change-archive-policy": DENIED,
        "delete-backup": DENIED,
        "remove-own-boundary": NOT_GRANTED,
        "deploy-stack": NOT_GRANTED,
    },
    "break-glass": {
        "read-db-secret": ALLOWED,  # flips
        "db-login": ALLOWED,  # flips
        "decrypt-data-key": DENIED,
        "change-function-code": ALLOWED,  # flips
        "delete-archived-log": DENIED,
        "change-archive-policy": DENIED,
        "delete-backup": ALLOWED,  # flips
        "remove-own-boundary": ALLOWED,  # flips
        "deploy-stack": ALLOWED,
    },
    "fb-key-admin": {
        "read-db-secret": NOT_GRANTED,
        "db-login": NOT_GRANTED,
        "decrypt-data-key": DENIED,
        "change-function-code": NOT_GRANTED,
        "delete-archived-log": NOT_GRANTED,
        "change-archive-policy": NOT_GRANTED,
        "delete-backup": DENIED,
        "remove-own-boundary": "n/a",
        "deploy-stack": ALLOWED,
    },
    "aws-services": {
        "read-db-secret": ALLOWED,
        "db-login": ALLOWED,
        "decrypt-data-key": DENIED,
        "change-function-code": NOT_GRANTED,
        "delete-archived-log": DENIED,
        "change-archive-policy": DENIED,
        "delete-backup": DENIED,
        "remove-own-boundary": "n/a",
        "deploy-stack": NOT_GRANTED,
    },
}


@pytest.fixture(scope="module")
def prod_stacks(synth) -> list[StackTemplate]:
    return stage_templates(synth.outdir, "prod")


@pytest.fixture(scope="module")
def prod_matrix(synth, prod_stacks):
    return who_can("prod", prod_stacks, synth.config)


def test_prod_verdicts_are_pinned(prod_matrix):
    assert prod_matrix.verdicts() == PROD_VERDICTS


def test_the_operator_reaches_the_secret_through_the_deployment_path(prod_matrix, synth):
    cell = prod_matrix.cell("operator", "read-db-secret")
    account, region = synth.config.environments["prod"].accounts.workload, "eu-west-1"
    assert cell.path == (
        "sts:AssumeRole led-prod-platform-operator",
        f"sts:AssumeRole cdk-hnb659fds-deploy-role-{account}-{region}",
        "cloudformation:ExecuteChangeSet led-prod-baseline (iam:PassRole)",
    )
    assert cell.principal == f"arn:aws:iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{region}"
    assert cell.resource == f"arn:aws:secretsmanager:{region}:{account}:secret:rds!db-led-prod-db"
    assert [o.sid for o in cell.statements] == ["AdministratorAccess (stock execution policy)"]
    text = cell.path_text("platform operator")
    assert text.startswith("platform operator → sts:AssumeRole led-prod-platform-operator → sts:AssumeRole cdk-")
    assert text.endswith("⇒ secretsmanager:GetSecretValue")


def test_denied_cells_name_the_deciding_statements(prod_matrix):
    operator_decrypt = prod_matrix.cell("operator", "decrypt-data-key")
    sids = {(o.stack, o.sid, o.kind) for o in operator_decrypt.statements}
    assert ("led-prod-access", "DenyUsingTheDataKey", "identity") in sids
    assert ("led-prod-baseline", "DenyDataKeyOutsideTheApplicationPath", "boundary") in sids
    archive = prod_matrix.cell("application-manager", "delete-archived-log")
    assert {(o.sid, o.kind) for o in archive.statements} >= {
        ("DenyDeletingArchivedLogs", "scp"),
        ("DenyWorkloadTampering", "resource"),
    }
    recovery = prod_matrix.cell("auditor", "delete-backup")
    assert [o.sid for o in recovery.statements] == ["DenyManualRecoveryPointDeletion"]


def test_application_manager_may_log_in_as_the_validator_on_the_production_instance(prod_matrix):
    cell = prod_matrix.cell("application-manager", "db-login")
    assert cell.path == ("sts:AssumeRole led-prod-application-manager",)
    assert cell.resource.endswith("/led_restore_validator")
    assert "ValidateAsTheReadOnlyValidator" in [o.sid for o in cell.statements]


def test_overclaims_map_allowed_outcomes_to_the_conditions_they_break(prod_matrix):
    broken = overclaims(prod_matrix)
    pairs = {k: {(c.party, c.outcome) for c in v} for k, v in broken.items()}
    assert ("operator", "read-db-secret") in pairs["VTC-PROCESSOR"]
    assert ("operator", "remove-own-boundary") in pairs["VTC-LEAST-PRIVILEGE"]
    assert ("operator", "delete-backup") in pairs["VTC-BACKUP-RETENTION"]
    assert ("operator", "delete-backup") in pairs["VTC-BACKUP-ELSEWHERE"]
    # By design and therefore not an overclaim: the pgaudit function reads the secret, AHOVOKS deploys.
    assert ("aws-services", "read-db-secret") not in pairs["VTC-PROCESSOR"]
    assert ("application-manager", "deploy-stack") not in pairs["VTC-PROCESSOR"]
    # Denied outcomes never appear.
    assert "VTC-LOGS-DIRECT" not in broken and "VTC-KEY-CUSTODY" not in broken


def test_a_pull_request_granting_the_auditor_the_secret_shows_up(prod_stacks, synth):
    changed = copy.deepcopy(prod_stacks)
    access = next(s for s in changed if s.stack_name == "led-prod-access")
    policy = next(
        r
        for r in access.resources.values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
        and any(s.get("Sid") == "ReadTheTrail" for s in r["Properties"]["PolicyDocument"]["Statement"])
    )
    policy["Properties"]["PolicyDocument"]["Statement"].append(
        {"Sid": "ReadEverySecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    )
    matrix = who_can("prod", changed, synth.config)
    cell = matrix.cell("auditor", "read-db-secret")
    assert cell.verdict == ALLOWED and "ReadEverySecret" in [o.sid for o in cell.statements]
    assert ("auditor", "read-db-secret") in {(c.party, c.outcome) for c in overclaims(matrix)["VTC-PROCESSOR"]}


def test_removing_the_bucket_policy_deny_still_leaves_the_scp_deny(prod_stacks, synth):
    changed = copy.deepcopy(prod_stacks)
    archive = next(s for s in changed if s.stack_name == "led-prod-log-archive")
    for resource in archive.resources.values():
        if resource["Type"] == "AWS::S3::BucketPolicy":
            statements = resource["Properties"]["PolicyDocument"]["Statement"]
            statements[:] = [s for s in statements if s.get("Sid") != "DenyWorkloadTampering"]
    cell = who_can("prod", changed, synth.config).cell("operator", "delete-archived-log")
    assert cell.verdict == DENIED
    assert "DenyWorkloadTampering" not in [o.sid for o in cell.statements]
    assert "DenyDeletingArchivedLogs" in [o.sid for o in cell.statements]


def test_a_narrow_execution_policy_takes_the_secret_off_the_deployment_path(prod_stacks, synth):
    narrow = [
        {"Statement": [{"Sid": "OnlyCloudFormation", "Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}]}
    ]

    def bootstrap(partition, account, region):
        return bootstrap_roles(partition, account, region, execution_policies=narrow)

    matrix = who_can("prod", prod_stacks, synth.config, bootstrap=bootstrap)
    assert matrix.cell("operator", "read-db-secret").verdict == DENIED  # its own explicit deny remains
    assert matrix.cell("operator", "change-function-code").verdict == NOT_GRANTED
    assert matrix.cell("operator", "deploy-stack").verdict == ALLOWED  # it still holds the deploy rights


def test_an_execution_role_with_the_led_boundary_is_evaluated_under_it(prod_stacks, synth):
    matrix = who_can("prod", prod_stacks, synth.config, execution_role_bounded=True)
    cell = matrix.cell("operator", "read-db-secret")
    # The LED boundary does not deny reading secrets: bounding the execution role alone does not
    # take the secret off the deployment path (the deploy role's trust and the execution policy must).
    assert cell.verdict == ALLOWED
    assert ("led-prod-baseline", "BoundaryCeiling", "boundary") in {(o.stack, o.sid, o.kind) for o in cell.statements}
    assert "carries the LED boundary" in matrix.notes[0]


def test_renderings(prod_matrix):
    markdown = prod_matrix.to_markdown()
    assert "| platform operator (Cronos) | ALLOWED |" in markdown
    assert "DenyUsingTheDataKey" in markdown and "Conditions a forbidden outcome breaks" in markdown
    html = prod_matrix.to_html()
    assert html.startswith('<section class="who-can">') and "http" not in html.replace("https://", "")
    data = json.loads(json.dumps(prod_matrix.to_json()))
    assert {c["party"] for c in data["cells"]} == set(PROD_VERDICTS)
    assert "operator:read-db-secret" in data["overclaims"]["VTC-PROCESSOR"]


def test_every_environment_evaluates_well_under_five_seconds(synth):
    for env in synth.config.environments:
        started = time.perf_counter()
        matrix = who_can(env, synth.outdir, synth.config)
        assert time.perf_counter() - started < 5, env
        assert matrix.cell("app-runtime", "decrypt-data-key").verdict == DENIED


def test_cli_prints_the_table_and_refuses_an_unknown_environment(synth, capsys):
    assert access_cli([str(synth.outdir), "--env", "prod"]) == 0
    assert "## Who can do what — prod" in capsys.readouterr().out
    assert access_cli([str(synth.outdir), "--env", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: environment 'nope' is not in the config; allowed: dev, acc, prod"]
