"""VTC-NO-COPY-PERIMETER (issue #13): its compliant and non-compliant cases (tests/rules/no_copy_perimeter.py),
and the real organisation stack: compliant as synthesized, failing once an RCP loses a statement."""

from __future__ import annotations

import copy
import json

import aws_cdk as cdk
import pytest

from config import load_config
from policies import VtcChecks
from stacks.organization import OrganizationStack
from tests.rules import CASES, Case
from tests.rules.no_copy_perimeter import RULE_ID as RULE

PERIMETER_CASES = [c for c in CASES if c.rule_id == RULE]


@pytest.fixture(scope="module")
def pack() -> VtcChecks:
    return VtcChecks()


@pytest.fixture(scope="module")
def stacks(tmp_path_factory) -> dict[str, cdk.Stack]:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("vtc-perimeter")))
    built = {}
    for c in PERIMETER_CASES:
        stack = cdk.Stack(app, c.name.replace("_", "-"), env=cdk.Environment(account=c.account, region=c.region))
        c.build(stack)
        built[c.name] = stack
    app.synth()
    return built


def findings(pack: VtcChecks, scope) -> dict[str, str]:
    return {v.rule_name: v.description for v in pack.validate_scope(scope).violations}


def test_the_rule_has_compliant_and_non_compliant_cases():
    assert {c.fails for c in PERIMETER_CASES} == {True, False}


@pytest.mark.parametrize("c", PERIMETER_CASES, ids=[c.name for c in PERIMETER_CASES])
def test_perimeter_case(c: Case, stacks, pack):
    found = findings(pack, stacks[c.name])
    if c.fails:
        assert RULE in found, found
        assert found[RULE].startswith(f"{RULE} (VTC advice 01/2018 §49)") and "Fix:" in found[RULE]
    else:
        assert RULE not in found, found.get(RULE)


def test_the_rule_says_which_probe_no_rcp_denies(stacks, pack):
    without_tls = findings(pack, stacks["perimeter_rcps_without_tls"])[RULE]
    assert "account 444455556666: no RCP denies s3:GetObject by a request without TLS" in without_tls
    assert "outside the organisation" not in without_tls and "another account" not in without_tls
    missing = findings(pack, stacks["perimeter_rcps_miss_an_account"])[RULE]
    assert "account 123456789012 has no resource control policy" in missing
    assert "fails closed" in findings(pack, stacks["perimeter_targets_unreadable"])[RULE]


def test_the_synthesized_organisation_stack_is_compliant(synth):
    evaluations = json.loads((synth.outdir / "vtc-evaluations.json").read_text())["evaluations"]
    ours = [e for e in evaluations if e["rule_id"] == RULE]
    assert {e["logical_id"] for e in ours} == {
        "LedRegionGuardrail",
        "LedAuditGuardrail",
        "LedDataGuardrail",
        "LedIdentityGuardrail",
        "LedPerimeterPrincipals",
        "LedPerimeterRequests",
    }
    assert {e["result"] for e in ours} == {"compliant"}


def _organization_stack(tmp_path, *, drop: str | None = None) -> OrganizationStack:
    app = cdk.App(outdir=str(tmp_path))
    stack = OrganizationStack(
        app, "Organization", landing_zone=load_config(), env=cdk.Environment(account="012345678901", region="eu-west-1")
    )
    if drop:
        requests = stack.policies["led-perimeter-requests"]
        content = copy.deepcopy(requests.content)
        content["Statement"] = [s for s in content["Statement"] if s["Sid"] != drop]
        requests.content = content
    app.synth()
    return stack


@pytest.mark.parametrize("sid", ["EnforceSecureTransport", "EnforceConfusedDeputyProtection"])
def test_the_real_organisation_stack_fails_without_a_perimeter_statement(tmp_path, pack, sid):
    assert RULE not in findings(pack, _organization_stack(tmp_path / "as-built"))
    found = findings(pack, _organization_stack(tmp_path / "changed", drop=sid))
    assert RULE in found
