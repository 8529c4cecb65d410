"""The who-can-do-what matrix (issue #9) for prod of the default config, computed by
policies/access on the session's synthesis: the pinned verdicts, the deciding statements and paths,
the overclaim rule, changes made the way a pull request would, renderings, speed and the command line."""

from __future__ import annotations

import json
import time

from policies.access import overclaims, who_can
from policies.access.__main__ import main as access_cli
from policies.access.engine import ALLOWED, DENIED, NOT_GRANTED
from policies.access.inventory import stock_bootstrap
from tests.pull_request import changed_copy, policy_statements, statements_with

pytest_plugins = ("tests.access_prod",)  # the prod_stacks and prod_matrix fixtures

# The landing zone: prod of the default config -------------------------------------------------

# The verdicts on the prod stage of the default config, with the project's own bootstrap
# (tools/bootstrap/: the deploy roles trust only AHOVOKS' pipeline). No human role deploys: the
# operator, the application manager, the auditor and break glass are denied the CDK roles and every
# CloudFormation write by their own statements (cdk_constructs/workload_roles.py deployment_denies). The allowed
# cells are by design: FB deploys its key custody stacks and administers its keys (watched by the key
# custody trail); the pgaudit set-up function reads the master secret at deployment; the
# restore-test function logs in as the read-only validator. Silencing the audit logs and alarms and
# opening a way out of the VPC are denied to every party.
# The data perimeter RCPs (issue #13, policies/rcp.py) add the columns outside-reads-*, without-tls
# and confused-deputy and the parties exit-partner and outsider, and made six cells stricter (not
# granted -> denied by EnforceOrgIdentitiesOnData, whoever else grants): the application manager's,
# the auditor's, break glass's and FB's own identities reading the secret, FB's on the log archive.
# One row per party, one column per request (_REQUESTS, in order): D denied, A ALLOWED,
# . not granted, x not applicable (the party has no such path, e.g. no boundary of its own).
_REQUESTS = (
    "read-db-secret",
    "db-login",
    "decrypt-data-key",
    "change-function-code",
    "delete-archived-log",
    "change-archive-policy",
    "delete-backup",
    "remove-own-boundary",
    "deploy-stack",
    "silence-audit-logs",
    "open-egress",
    "change-key-policy",
    "outside-reads-exports",
    "outside-reads-data",
    "without-tls",
    "confused-deputy",
)
_VERDICT = {"D": DENIED, "A": ALLOWED, ".": NOT_GRANTED, "x": "n/a"}
# fmt: off
_PROD_GRID = {  # aligned: a column reads down
    "operator":            "D D D D D D D D D D D D D D D x",
    "application-manager": "D D D D D D D D D D D D D D D x",
    "app-runtime":         ". . D D D D D D . D D D x x D x",
    "auditor":             "D . D D D D D D D D D D D D D x",
    "break-glass":         "D . D D D D D D D D D D D D D x",
    "fb-key-admin":        "D . D . D D D x A D . A D D D x",
    "aws-services":        "A A D D D D D x . D D D x x D D",
    "exit-partner":        "D . . . D D D x D . . D A D D x",
    "outsider":            "D . . . D D D x D . . D D D D x",
}
# fmt: on
PROD_VERDICTS = {
    party: dict(zip(_REQUESTS, (_VERDICT[v] for v in row.split()), strict=True)) for party, row in _PROD_GRID.items()
}


def test_prod_verdicts_are_pinned(prod_matrix):
    assert prod_matrix.verdicts() == PROD_VERDICTS


def test_no_human_role_deploys_and_the_operator_is_denied_the_secret(prod_matrix, synth):
    for party in ("operator", "application-manager", "auditor", "break-glass"):
        cell = prod_matrix.cell(party, "deploy-stack")
        assert cell.verdict == DENIED, party
        assert {o.sid for o in cell.statements} & {"DenyAssumingTheCdkBootstrapRoles", "DenyChangingStacks"}, party
    secret = prod_matrix.cell("operator", "read-db-secret")
    assert secret.verdict == DENIED and "DenyReadingTheDatabaseSecret" in [o.sid for o in secret.statements]
    assert "project's own bootstrap" in prod_matrix.notes[0]


# The deployment denies of the human roles, and a statement each party's policy has and the others' not.
_DEPLOYMENT_DENIES = ("DenyAssumingTheCdkBootstrapRoles", "DenyChangingStacks")
_POLICY_OF = {"operator": "DenyReadingTheDatabaseSecret", "application-manager": "PassTheDrillRoles"}


def _reopen_deployment(prod_stacks, party: str):
    """A pull request that drops the deployment denies and gives the party the deploy role back."""
    changed, access = changed_copy(prod_stacks, "led-prod-access")
    for statements in policy_statements(access, "AWS::IAM::ManagedPolicy"):
        statements[:] = [st for st in statements if st.get("Sid") not in _DEPLOYMENT_DENIES]
        if any(st.get("Sid") == _POLICY_OF[party] for st in statements):
            statements.append(
                {
                    "Sid": "DeployAgain",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": "arn:aws:iam::*:role/cdk-*",
                }
            )
    return changed


def test_a_pull_request_reopening_deployment_is_seen_with_the_stock_bootstrap(prod_stacks, synth):
    changed = _reopen_deployment(prod_stacks, "operator")
    matrix = who_can("prod", changed, synth.config, bootstrap=stock_bootstrap)
    cell = matrix.cell("operator", "change-function-code")
    assert cell.verdict == ALLOWED
    assert any(hop.startswith("sts:AssumeRole cdk-hnb659fds-deploy-role-") for hop in cell.path)
    assert ("operator", "change-function-code") in {(c.party, c.outcome) for c in overclaims(matrix)["VTC-PROCESSOR"]}


def test_the_project_bootstrap_still_refuses_the_operator_after_such_a_pull_request(prod_stacks, synth):
    # Defence in depth: the project's deploy roles trust only AHOVOKS' pipeline, so the operator's
    # new allow reaches nothing.
    matrix = who_can("prod", _reopen_deployment(prod_stacks, "operator"), synth.config)
    assert matrix.cell("operator", "deploy-stack").verdict != ALLOWED
    assert matrix.cell("operator", "change-function-code").verdict != ALLOWED


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
    # Every vault's access policy denies it: the remote vault's and the air-gapped vault's (issue #13).
    assert {o.sid for o in recovery.statements} == {"DenyManualRecoveryPointDeletion"}
    assert len(recovery.statements) == 2, recovery.statements


def test_application_manager_may_not_log_in_to_the_live_database(prod_matrix):
    # Its validator login (dbuser:*, restored drill instances get their resource id only when they
    # exist) stops at the live database: DenyLoginToTheLiveDatabase.
    cell = prod_matrix.cell("application-manager", "db-login")
    assert cell.verdict == DENIED
    assert "DenyLoginToTheLiveDatabase" in [o.sid for o in cell.statements]


def test_prod_has_no_overclaim_and_by_design_cells_are_not_overclaims(prod_matrix):
    assert overclaims(prod_matrix) == {}
    by_design = {(c.party, c.outcome) for c in prod_matrix.cells.values() if c.by_design}
    assert ("aws-services", "read-db-secret") in by_design and ("fb-key-admin", "deploy-stack") in by_design


def test_a_pull_request_granting_the_auditor_the_secret_shows_up(prod_stacks, synth):
    changed, access = changed_copy(prod_stacks, "led-prod-access")
    statements_with(access, "AWS::IAM::ManagedPolicy", "ReadTheTrail").append(
        {"Sid": "ReadEverySecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    )
    matrix = who_can("prod", changed, synth.config)
    cell = matrix.cell("auditor", "read-db-secret")
    assert cell.verdict == ALLOWED and "ReadEverySecret" in [o.sid for o in cell.statements]
    assert ("auditor", "read-db-secret") in {(c.party, c.outcome) for c in overclaims(matrix)["VTC-PROCESSOR"]}


def test_removing_the_bucket_policy_deny_still_leaves_the_scp_deny(prod_stacks, synth):
    changed, archive = changed_copy(prod_stacks, "led-prod-log-archive")
    for statements in policy_statements(archive, "AWS::S3::BucketPolicy"):
        statements[:] = [s for s in statements if s.get("Sid") != "DenyWorkloadTampering"]
    cell = who_can("prod", changed, synth.config).cell("operator", "delete-archived-log")
    assert cell.verdict == DENIED
    assert "DenyWorkloadTampering" not in [o.sid for o in cell.statements]
    assert "DenyDeletingArchivedLogs" in [o.sid for o in cell.statements]


def test_an_execution_role_with_the_led_boundary_is_evaluated_under_it(prod_stacks, synth):
    changed = _reopen_deployment(prod_stacks, "operator")
    matrix = who_can("prod", changed, synth.config, bootstrap=stock_bootstrap, execution_role_bounded=True)
    cell = matrix.cell("operator", "read-db-secret")
    # The LED boundary does not deny reading secrets: bounding the stock execution role alone does
    # not close the path; the project's deploy-role trust (only AHOVOKS' pipeline) does.
    assert cell.verdict == ALLOWED
    assert ("led-prod-baseline", "BoundaryCeiling", "boundary") in {(o.stack, o.sid, o.kind) for o in cell.statements}
    assert "carries the LED boundary" in matrix.notes[0]


def test_renderings(prod_matrix):
    markdown = prod_matrix.to_markdown()
    assert "| platform operator (Cronos) | denied |" in markdown
    assert "DenyUsingTheDataKey" in markdown and "Conditions a forbidden outcome breaks" in markdown
    html = prod_matrix.to_html()
    assert html.startswith('<section class="who-can">') and "http" not in html.replace("https://", "")
    data = json.loads(json.dumps(prod_matrix.to_json()))
    assert {c["party"] for c in data["cells"]} == set(PROD_VERDICTS)
    assert data["overclaims"] == {}


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


def test_acting_unseen_is_denied_by_the_guardrails_and_the_boundary(prod_matrix):
    silence = prod_matrix.cell("operator", "silence-audit-logs")
    assert silence.verdict == DENIED
    assert {"DenyTamperingWithAuditLogsAndAlarms"} <= {o.sid for o in silence.statements}
    egress = prod_matrix.cell("break-glass", "open-egress")
    assert egress.verdict == DENIED and any(o.kind == "scp" for o in egress.statements)
    key = prod_matrix.cell("fb-key-admin", "change-key-policy")
    assert key.verdict == ALLOWED and key.by_design.startswith("FB administers its keys")


def test_a_deployer_role_given_back_is_an_overclaim_not_a_design(prod_stacks, synth):
    # The application manager and break glass no longer deploy: nothing marks it as by design.
    changed = _reopen_deployment(prod_stacks, "application-manager")
    matrix = who_can("prod", changed, synth.config, bootstrap=stock_bootstrap)
    cell = matrix.cell("application-manager", "deploy-stack")
    assert cell.verdict == ALLOWED and not cell.by_design
    assert ("application-manager", "deploy-stack") in {
        (c.party, c.outcome) for c in overclaims(matrix)["VTC-PROCESSOR"]
    }
