"""The landing zone passes the VTC pack in every environment; the evaluations file, the gate and
the README table are what the compliance report and CI rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdk_constructs.boundary import SELF_PROTECTION_SIDS
from contract.artefacts import VALIDATION_FILE
from policies import EVALUATIONS_FILE, NEVER_ACKNOWLEDGE, RULES, gate, table
from policies.catalogue import catalogue
from tests.risk_cases import record_acknowledgement
from tests.test_vtc_means import _index, _results

ROOT = Path(__file__).resolve().parent.parent


def vtc_report(synth) -> dict:
    reports = [p for p in synth.validation_report()["pluginReports"] if p["pluginName"] == "VTC"]
    return reports[0] if reports else {"violations": [], "suppressedViolations": []}


def evaluations(synth) -> dict:
    return json.loads((synth.outdir / EVALUATIONS_FILE).read_text())


def test_landing_zone_passes_the_pack_in_every_environment(synth):
    assert vtc_report(synth)["violations"] == []
    stages = {e["stage"] for e in evaluations(synth)["evaluations"]}
    # '' is the app itself: the organisation stack, in the management account, belongs to no stage.
    assert stages - {""} == set(synth.stages)
    assert {e["stack"] for e in evaluations(synth)["evaluations"] if e["stage"] == ""} <= {"led-organization"}


def test_no_vtc_acknowledgement_in_prod(synth):
    suppressed = vtc_report(synth).get("suppressedViolations", [])
    in_prod = [s for s in suppressed for c in s["violatingConstructs"] if c["constructPath"].startswith("prod/")]
    assert in_prod == []


def test_evaluations_file_has_the_agreed_shape(synth):
    doc = evaluations(synth)
    assert doc["version"] == 1
    assert [r["rule_id"] for r in doc["rules"]] == [r.rule_id for r in RULES]
    assert set(doc["rules"][0]) == {"rule_id", "condition_id", "paragraph", "title", "trigger", "fix"}
    for e in doc["evaluations"]:
        assert {"rule_id", "stage", "stack", "logical_id", "path", "resource_type", "result"} <= set(e)
        assert e["result"] in ("compliant", "non_compliant", "not_applicable")
    stacks = {e["stack"] for e in doc["evaluations"]}
    assert {"led-prod-data", "led-prod-backup", "led-prod-key-custody"} <= stacks


def test_prod_database_is_found_behind_the_cross_stack_import(synth):
    # The backup selection (led-prod-backup) names the database (led-prod-data) through
    # Fn::ImportValue: the pack follows it, so the database is compliant, not undecidable.
    found = [
        e
        for e in evaluations(synth)["evaluations"]
        if e["rule_id"] == "VTC-BACKUP-RETENTION" and e["stack"] == "led-prod-data"
    ]
    assert [e["result"] for e in found] == ["compliant"]
    template = json.dumps(synth.template_json("prod", "Backup"))
    assert "Fn::ImportValue" in template


def test_gate_passes_the_landing_zone_and_lists_accepted_risks(synth, capsys):
    assert gate.main([str(synth.outdir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Accepted risks") and "prod:" in out


def _report(violations=(), suppressed=()) -> dict:
    return {
        "pluginReports": [
            {"pluginName": "VTC", "violations": list(violations), "suppressedViolations": list(suppressed)}
        ]
    }


def _ack(rule: str, path: str, reason: str = "A reason long enough to state the accepted risk.") -> dict:
    return {
        "ruleName": rule,
        "acknowledgedId": f"VTC::{rule}",
        "reason": reason,
        "violatingConstructs": [{"constructPath": path}],
    }


@pytest.fixture
def outdir(tmp_path) -> Path:
    (tmp_path / EVALUATIONS_FILE).write_text("{}")
    return tmp_path


def run_gate(outdir: Path, report: dict) -> int:
    """The gate on a hand-made report whose acknowledgements accept_risk made (recorded in the register)."""
    (outdir / VALIDATION_FILE).write_text(json.dumps(report))
    for plugin in report["pluginReports"]:
        for v in plugin["suppressedViolations"]:
            path = v["violatingConstructs"][0]["constructPath"]
            record_acknowledgement(outdir, path, v["acknowledgedId"], v["reason"])
    return gate.main([str(outdir), "--today", "2026-12-02"])


def test_gate_fails_on_unacknowledged_violation(outdir, capsys):
    report = _report(violations=[{"ruleName": "VTC-NO-COPY", "violatingConstructs": [{"constructPath": "dev/X"}]}])
    assert run_gate(outdir, report) == 1
    assert "VTC-NO-COPY unacknowledged at dev/X" in capsys.readouterr().err


@pytest.mark.parametrize("rule", NEVER_ACKNOWLEDGE)
def test_gate_fails_on_never_acknowledge_rule_in_personal_data_environment(rule, outdir, capsys):
    assert run_gate(outdir, _report(suppressed=[_ack(rule, "prod/Data/Db/Resource")])) == 1
    assert f"{rule} may never be acknowledged in prod" in capsys.readouterr().err


def test_gate_accepts_a_reasoned_acknowledgement_elsewhere(outdir, capsys):
    assert run_gate(outdir, _report(suppressed=[_ack("VTC-ENCRYPT-ALL", "dev/Data/Db/Resource")])) == 0
    out = capsys.readouterr().out
    assert "dev:\n  VTC::VTC-ENCRYPT-ALL at dev/Data/Db/Resource: A reason" in out
    assert (
        "[risk test-risk, owner AHOVOKS information security officer (the controller's), accepted 2026-12-02, " in out
    )
    assert "review by 2027-06-01, 181 day(s) left]" in out


def test_gate_fails_on_acknowledgement_without_reason(outdir, capsys):
    assert run_gate(outdir, _report(suppressed=[_ack("VTC-RIGHT-SIZED", "dev/X", reason="")])) == 1
    assert "without a reason" in capsys.readouterr().err


def test_gate_fails_when_the_pack_did_not_run(tmp_path, capsys):
    assert run_gate(tmp_path, _report()) == 1
    assert "did not run" in capsys.readouterr().err


def test_readme_rules_table_is_current():
    readme = (ROOT / "README.md").read_text()
    assert table.replace(readme) == readme, "run: python -m policies.table --write README.md"
    for rule in NEVER_ACKNOWLEDGE:
        assert rule in readme.split("Never acknowledged", 1)[1].split("**The gate", 1)[0]


def test_every_catalogue_condition_marked_yes_has_a_rule_or_a_documented_mechanism():
    covered = {r.condition_id for r in RULES} | {"VTC-GATE", "VTC-RISK-ACCEPTED"}
    yes = {c.id for c in catalogue().conditions if c.checkable.startswith("yes")}
    missing = yes - covered
    assert missing == set()
    assert {"VTC-REGULAR-AUDIT", "VTC-EXIT"} <= covered


# --- Resource-based policies and the boundary's self-protection, on the real landing zone ---------
# The prod stage of the default config, changed the way a pull request would (a statement added to
# a key, bucket, vault or topic policy, a condition or a deny taken away), fails the pack. The
# synthesized templates are edited, as tests/test_vtc_means.py does.

WORKLOAD_ROOT = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::444455556666:root"]]}


def _add_statement(stack_name: str, resource_type: str, prefix: str, statement: dict):
    def edit(info):
        if info.name != stack_name:
            return
        for lid, r in info.resources.items():
            if r.get("Type") == resource_type and lid.startswith(prefix):
                props = r["Properties"]
                key = next(k for k in ("KeyPolicy", "PolicyDocument", "AccessPolicy") if k in props)
                props[key]["Statement"].append(statement)

    return edit


def _failures(synth, rule_id: str, edit) -> list[str]:
    return [v for v in _results(_index(synth, edit), rule_id).values() if v.startswith("non_compliant")]


@pytest.mark.parametrize(
    "rule_id",
    [
        "VTC-KEY-CUSTODY-POLICY",
        "VTC-KEY-CUSTODY-ADMIN",
        "VTC-LOGS-DIRECT-RESOURCE-POLICY",
        "VTC-LEAST-PRIVILEGE-SOURCE",
        "VTC-LEAST-PRIVILEGE-BOUNDARY-SELF",
    ],
)
def test_the_landing_zone_passes_the_resource_policy_rules(synth, rule_id):
    found = _results(_index(synth), rule_id)
    checked = {k: v for k, v in found.items() if not v.startswith("not_applicable")}
    assert checked and all(v == "compliant" for v in checked.values()), checked


@pytest.mark.parametrize(
    "rule_id, edit, expected",
    [
        (
            "VTC-KEY-CUSTODY-POLICY",
            _add_statement(
                "led-prod-key-custody",
                "AWS::KMS::Key",
                "DataKey",
                {
                    "Sid": "DirectDecrypt",
                    "Effect": "Allow",
                    "Principal": {"AWS": WORKLOAD_ROOT},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}},
                },
            ),
            "statement DirectDecrypt allows kms:Decrypt without kms:ViaService",
        ),
        (
            "VTC-KEY-CUSTODY-ADMIN",
            _add_statement(
                "led-prod-key-custody",
                "AWS::KMS::Key",
                "DataKey",
                {
                    "Sid": "DecryptGrants",
                    "Effect": "Allow",
                    "Principal": {"AWS": WORKLOAD_ROOT},
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}},
                },
            ),
            "statement DecryptGrants grants kms:CreateGrant to arn:aws:iam::444455556666:root",
        ),
        (
            "VTC-LOGS-DIRECT-RESOURCE-POLICY",
            _add_statement(
                "led-prod-log-archive",
                "AWS::S3::BucketPolicy",
                "BucketPolicy",
                {
                    "Sid": "OperatorCleansUp",
                    "Effect": "Allow",
                    "Principal": {"AWS": WORKLOAD_ROOT},
                    "Action": ["s3:DeleteObject", "s3:PutLifecycleConfiguration"],
                    "Resource": "*",
                },
            ),
            "statement OperatorCleansUp allows s3:DeleteObject, s3:PutLifecycleConfiguration to "
            "arn:aws:iam::444455556666:root",
        ),
        (
            "VTC-LOGS-DIRECT-RESOURCE-POLICY",
            _add_statement(
                "led-prod-remote-vault",
                "AWS::Backup::BackupVault",
                "Vault",
                {
                    "Sid": "WorkloadUnlocks",
                    "Effect": "Allow",
                    "Principal": {"AWS": WORKLOAD_ROOT},
                    "Action": "backup:DeleteBackupVaultLockConfiguration",
                    "Resource": "*",
                },
            ),
            "statement WorkloadUnlocks allows backup:DeleteBackupVaultLockConfiguration",
        ),
        (
            "VTC-LOGS-DIRECT-RESOURCE-POLICY",
            _add_statement(
                "led-prod-recovery",
                "AWS::S3::BucketPolicy",
                "ExitBucketPolicy",
                {
                    "Sid": "PartnerRewrites",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::210987654321:role/led-exit-reader"},
                    "Action": "s3:PutObject",
                    "Resource": "*",
                },
            ),
            "statement PartnerRewrites allows s3:PutObject to arn:aws:iam::210987654321:role/led-exit-reader",
        ),
        (
            "VTC-LEAST-PRIVILEGE-SOURCE",
            _add_statement(
                "led-prod-audit",
                "AWS::SNS::TopicPolicy",
                "AlarmsPolicy",
                {
                    "Sid": "AnyRule",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": "*",
                },
            ),
            "statement AnyRule: service principal events.amazonaws.com without aws:SourceAccount",
        ),
    ],
    ids=[
        "key-direct-decrypt",
        "key-free-grant",
        "archive-deleted-by-workload",
        "vault-unlocked-by-workload",
        "exit-bucket-rewritten-by-partner",
        "topic-any-rule",
    ],
)
def test_a_resource_policy_change_fails_the_pack(synth, rule_id, edit, expected):
    failed = _failures(synth, rule_id, edit)
    assert any(expected in v for v in failed), failed


def test_the_alarm_topic_without_its_source_condition_fails(synth):
    def unpin(info):
        for lid, r in info.resources.items():
            if r.get("Type") == "AWS::SNS::TopicPolicy" and lid.startswith("AlarmsPolicy"):
                for statement in r["Properties"]["PolicyDocument"]["Statement"]:
                    if statement.get("Sid") == "EventBridgeRuleOfThisAccount":
                        del statement["Condition"]

    failed = _failures(synth, "VTC-LEAST-PRIVILEGE-SOURCE", unpin)
    assert any("EventBridgeRuleOfThisAccount" in v for v in failed), failed


BOUNDARY_STACKS = ("led-prod-baseline", "led-prod-log-archive", "led-prod-key-custody-audit")


@pytest.mark.parametrize("sid", SELF_PROTECTION_SIDS)
def test_taking_a_boundary_self_protection_away_fails(synth, sid):
    def drop(info):
        for r in info.resources.values():
            if r.get("Type") == "AWS::IAM::ManagedPolicy" and (r.get("Metadata") or {}).get("led:permissions-boundary"):
                document = r["Properties"]["PolicyDocument"]
                document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]

    found = _results(_index(synth, drop), "VTC-LEAST-PRIVILEGE-BOUNDARY-SELF")
    failed = {k: v for k, v in found.items() if v.startswith("non_compliant")}
    # Every boundary of prod: the workload's, the log archive's and the key custody audit stack's.
    assert {k.split("/")[0] for k in failed} == set(BOUNDARY_STACKS), found
    assert all("no Deny of iam:" in v for v in failed.values()), failed


def test_a_boundary_that_lets_roles_pick_another_boundary_fails(synth):
    def loosen(info):
        for r in info.resources.values():
            if r.get("Type") == "AWS::IAM::ManagedPolicy" and (r.get("Metadata") or {}).get("led:permissions-boundary"):
                for statement in r["Properties"]["PolicyDocument"]["Statement"]:
                    if statement.get("Sid") == "DenyRolesAndUsersWithoutTheBoundary":
                        statement["Condition"] = {"StringNotLike": {"iam:PermissionsBoundary": "*"}}

    failed = _failures(synth, "VTC-LEAST-PRIVILEGE-BOUNDARY-SELF", loosen)
    assert len(failed) == len(BOUNDARY_STACKS) and all("no Deny of iam:CreateRole" in v for v in failed), failed


def test_a_function_environment_without_the_fb_key_fails(synth):
    """Issue #9: function environments under an FB key. A pull request dropping the restore-test
    function's KmsKeyArn (AWS would then use its own key) fails VTC-ENCRYPT-ALL."""

    def edit(info):
        if info.name != "led-prod-recovery":
            return
        for lid, r in info.resources.items():
            if r.get("Type") == "AWS::Lambda::Function" and lid.startswith("RestoreValidationHandler"):
                r["Properties"].pop("KmsKeyArn")

    assert not [v for v in _results(_index(synth), "VTC-ENCRYPT-ALL").values() if v.startswith("non_compliant")]
    failed = _failures(synth, "VTC-ENCRYPT-ALL", edit)
    assert any("KmsKeyArn" in v for v in failed), failed
