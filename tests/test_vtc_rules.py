"""Every VTC rule: compliant and non-compliant cases (tests/rules/<rule module>.py), and a case per value
shape it reads. All cases are small stacks of one app, synthesized once; each case is checked on
its own with `VtcChecks.validate_scope`."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_constructs.risk import accept_risk
from policies import EVALUATIONS_FILE, RULES, VtcChecks
from tests.risk_cases import register_of
from tests.rules import ADMIN_STATEMENT, BACKUP, CASES, CASES_BY_NAME, FB, FB_KEY, REGION, WORKLOAD, Case, database

# --- the checks ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, cdk.Stack]:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("vtc-rules")))
    stacks = {}
    for c in CASES:
        env = cdk.Environment(account=c.account, region=c.region) if c.account else None
        if c.grouped:
            group = Construct(app, c.name.replace("_", "-"))
            c.build(cdk.Stack(group, "Main", env=env))
            stacks[c.name] = group
            continue
        stack = cdk.Stack(app, c.name.replace("_", "-"), env=env)
        c.build(stack)
        stacks[c.name] = stack
    # The cross-stack shapes: a key exported by one stack and imported by another.
    producer = cdk.Stack(app, "XProducer", env=cdk.Environment(account=FB, region=REGION))
    key = kms.CfnKey(
        producer, "K", enable_key_rotation=True, key_policy={"Version": "2012-10-17", "Statement": [ADMIN_STATEMENT]}
    )
    consumer = cdk.Stack(app, "XConsumer", env=cdk.Environment(account=FB, region=REGION))
    logs.CfnLogGroup(consumer, "L", kms_key_id=key.attr_arn, retention_in_days=365)
    stacks["cross_stack"] = consumer
    # A tag-based selection in another account does not back up the workload's database.
    store = cdk.Stack(app, "XStore", env=cdk.Environment(account=WORKLOAD, region="eu-central-1"))
    database(store)
    elsewhere = cdk.Stack(app, "XSelectsElsewhere", env=cdk.Environment(account=BACKUP, region="eu-central-1"))
    CASES_BY_NAME["retention_selected_by_tag"].build(elsewhere)
    app.synth()
    return stacks


@pytest.fixture(scope="module")
def pack() -> VtcChecks:
    return VtcChecks()


def findings(pack: VtcChecks, scope) -> dict[str, str]:
    report = pack.validate_scope(scope)
    return {v.rule_name: v.description for v in report.violations}


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_rule_case(c: Case, cases, pack):
    found = findings(pack, cases[c.name])
    if c.fails:
        assert c.rule_id in found, f"{c.rule_id} should fail on {c.name}; found {found}"
        assert found[c.rule_id].startswith(c.rule_id)
        assert "§" in found[c.rule_id] or "conclusion V" in found[c.rule_id]
        assert "Fix:" in found[c.rule_id]
    else:
        assert c.rule_id not in found, found.get(c.rule_id)


def test_every_rule_has_a_compliant_and_a_non_compliant_case():
    for rule in RULES:
        outcomes = {c.fails for c in CASES if c.rule_id == rule.rule_id}
        assert outcomes == {True, False}, rule.rule_id


@pytest.fixture(scope="module")
def whole_app(cases) -> tuple[dict[str, str], list[dict]]:
    """The findings and every evaluation of the pack over the whole app of cases (all stacks at once,
    so that cross-stack references resolve), validated once: it takes about 8 s."""
    pack = VtcChecks()
    found = findings(pack, cases["cross_stack"].node.root)
    return found, list(pack.evaluations)


def test_import_value_is_followed_to_the_exporting_stack(whole_app):
    # Validated as a whole app: the consumer reads the key through Fn::ImportValue.
    found, evaluations = whole_app
    consumer = [
        e for e in evaluations if e["stack"] == "XConsumer" and e["rule_id"] in ("VTC-ENCRYPT-ALL", "VTC-KEY-CUSTODY")
    ]
    assert {e["result"] for e in consumer} == {"compliant"}, consumer
    assert found  # the whole app holds the non-compliant cases too


def test_backup_selections_act_only_in_their_own_account_and_region(whole_app):
    _, evaluations = whole_app
    found = [e["result"] for e in evaluations if e["stack"] == "XStore" and e["rule_id"] == "VTC-BACKUP-RETENTION"]
    assert found == ["non_compliant"]


def test_undecidable_values_say_why(cases, pack):
    found = findings(pack, cases["encrypt_key_from_parameter"])
    assert "parameter KeyArn" in found["VTC-ENCRYPT-ALL"] and "fails closed" in found["VTC-ENCRYPT-ALL"]
    found = findings(pack, cases["encrypt_key_by_unknown_import"])
    assert "nobody-exports-this" in found["VTC-ENCRYPT-ALL"]


def test_real_synthesis_fails_reports_and_acknowledges(tmp_path):
    """Through CDK's validation (the cloud-assembly path of the pack): the unacknowledged finding
    fails synthesis, the `VTC::` acknowledgement lands in suppressedViolations with its reason."""
    app = cdk.App(outdir=str(tmp_path), post_cli_context={"@aws-cdk/core:failSynthOnValidationErrors": True})
    stack = cdk.Stack(
        app,
        "Synth",
        env=cdk.Environment(account=WORKLOAD, region=REGION),
        description="LED test: log groups. Serves VTC-AUDIT-TRAIL.",
    )
    accepted = logs.CfnLogGroup(stack, "Accepted", kms_key_id=FB_KEY, retention_in_days=1)
    logs.CfnLogGroup(stack, "Refused", kms_key_id=FB_KEY, retention_in_days=1)
    accept_risk(
        accepted,
        "VTC::VTC-AUDIT-TRAIL-RETENTION",
        "A test log group whose short retention is the accepted risk under test.",
        risk="short-retention",
        register=register_of(**{"short-retention": {"rules": ["VTC::VTC-AUDIT-TRAIL-RETENTION"]}}),
    )
    cdk.Validations.of(app).add_plugins(VtcChecks(app))
    with pytest.raises(Exception, match="VTC-AUDIT-TRAIL-RETENTION"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    vtc = next(p for p in report["pluginReports"] if p["pluginName"] == "VTC")
    assert [(v["ruleName"], [c["constructPath"] for c in v["violatingConstructs"]]) for v in vtc["violations"]] == [
        ("VTC-AUDIT-TRAIL-RETENTION", ["Synth/Refused"])
    ]
    description = vtc["violations"][0]["description"]
    assert "§49" in description and "RetentionInDays is 1" in description
    suppressed = [(v["acknowledgedId"], v["reason"][:6]) for v in vtc["suppressedViolations"]]
    assert suppressed == [("VTC::VTC-AUDIT-TRAIL-RETENTION", "A test")]
    evaluations = json.loads((tmp_path / EVALUATIONS_FILE).read_text())["evaluations"]
    assert {(e["logical_id"], e["result"]) for e in evaluations if e["rule_id"] == "VTC-AUDIT-TRAIL-RETENTION"} == {
        ("Accepted", "non_compliant"),
        ("Refused", "non_compliant"),
    }


def test_acknowledged_as_pack_rule(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Ack", env=cdk.Environment(account=WORKLOAD, region=REGION))
    group = logs.CfnLogGroup(stack, "L", kms_key_id=FB_KEY, retention_in_days=1)
    cdk.Validations.of(group).acknowledge(
        cdk.Acknowledgment(id="VTC-AUDIT-TRAIL-RETENTION", reason="A test: the bare form is dropped by cdk-nag itself.")
    )
    pack = VtcChecks()
    app.synth()
    assert "VTC-AUDIT-TRAIL-RETENTION" not in findings(pack, stack)


@pytest.mark.parametrize(
    "c", [c for c in CASES if "from_parameter" in c.name or "agnostic" in c.name], ids=lambda c: c.name
)
def test_values_known_only_at_deploy_time_fail_closed_and_say_so(c: Case, cases, pack):
    found = findings(pack, cases[c.name])
    assert "fails closed" in found[c.rule_id] or "tokens" in found[c.rule_id], found[c.rule_id]
