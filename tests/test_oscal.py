"""OSCAL for auditors (tools/oscal/): the component definition and the assessment results written
beside each compliance report, built from the real synthesized landing zone and read back with
compliance-trestle's own models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from trestle.common import const
from trestle.core.control_interface import ControlInterface
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.component import ComponentDefinition

from policies import gate
from policies import risks as register
from policies.catalogue import catalogue
from policies.registry import RULES
from tests.conftest import REPORT_TIME
from tests.test_report import acknowledge_no_copies_in_acc, drop_backup_copies, rerun_pack
from tools import oscal
from tools.oscal import risks
from tools.oscal.common import Uuids
from tools.report.__main__ import main as report_main

ROOT = Path(__file__).resolve().parent.parent
WHEN = REPORT_TIME.isoformat()  # the time of the session's report (tests/conftest.py)


@pytest.fixture
def written(written_report) -> Path:
    """The real synthesis with its report and OSCAL files (at WHEN), written once for the tests that only read."""
    return written_report.cdk_out


def run(cdk_out: Path, when: str = WHEN) -> None:
    assert report_main([str(cdk_out), "--oscal-timestamp", when]) == 0


def component_definition(cdk_out: Path, env: str) -> ComponentDefinition:
    cd = ComponentDefinition.oscal_read(cdk_out / "compliance" / env / oscal.COMPONENT_DEFINITION_FILE)
    assert cd is not None
    return cd


def results(cdk_out: Path, env: str):
    ar = AssessmentResults.oscal_read(cdk_out / "compliance" / env / oscal.ASSESSMENT_RESULTS_FILE)
    assert ar is not None
    assert len(ar.results) == 1
    return ar.results[0]


def report_of(cdk_out: Path, env: str) -> dict:
    return json.loads((cdk_out / "compliance" / env / "report.json").read_text())


def props(item) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in item.props or []:
        out.setdefault(p.name, []).append(p.value)
    return out


def text(value) -> str:
    """An OSCAL token as read back (an enum, or a root model of one, depending on the union)."""
    while hasattr(value, "root"):
        value = value.root
    return str(getattr(value, "value", value))


def finding(result, condition: str):
    return next(f for f in result.findings if f.target.target_id == condition)


def observations_of(result, item) -> list:
    by_uuid = {o.uuid: o for o in result.observations or []}
    return [by_uuid[r.observation_uuid] for r in item.related_observations or []]


def test_every_catalogue_condition_is_an_implemented_requirement_with_the_pack_rules(written):
    cat = catalogue()
    for env in ("dev", "acc", "prod"):
        cd = component_definition(written, env)
        (component,) = cd.components
        assert component.title == f"LED landing zone, environment {env}"
        (implementation,) = component.control_implementations
        requirements = implementation.implemented_requirements
        assert [r.control_id for r in requirements] == list(cat.ids)
        # The source is the advice, a back-matter resource of the same document.
        resources = {f"#{r.uuid}": r for r in cd.back_matter.resources}
        assert resources[implementation.source].title == cat.advice.title
        # Every rule of the pack is a rule set on the component, as trestle reads rules.
        rule_sets, _ = ControlInterface.get_rules_dict_from_item(component)
        assert sorted(r["name"] for r in rule_sets.values()) == sorted(r.rule_id for r in RULES)
        for requirement in requirements:
            condition = cat.by_id[requirement.control_id]
            named, _ = ControlInterface.get_rule_list_for_item(requirement)
            assert named == [r.rule_id for r in RULES if r.condition_id == condition.id], condition.id
            p = props(requirement)
            assert p["paragraphs"] == [condition.citation]
            assert p["checkable"] == [condition.checkable]
            for quote in condition.quotes:
                assert quote.text in requirement.remarks
            if condition.organisational:
                assert p["implementation"] == ["organisational"]
                assert condition.evidence in requirement.description and not named
    prod_component = component_definition(written, "prod").components[0]
    prod = {r.control_id: r for r in prod_component.control_implementations[0].implemented_requirements}
    assert {c for c, r in prod.items() if props(r)["implementation"] == ["organisational"]} == {
        "VTC-SEC-PLAN",
        "VTC-PROVIDER-EVIDENCE",
        "VTC-GENERAL-GUIDANCE",
    }
    assert props(prod["VTC-GATE"])["implementation"] == ["gate"]
    # The § of each rule is the registry's.
    rule_sets, _ = ControlInterface.get_rules_dict_from_item(prod_component)
    paragraphs = {p.remarks: p.value for p in prod_component.props if p.name == "Rule_Paragraph"}
    assert {rule_sets[rs]["name"]: paragraphs[rs] for rs in rule_sets} == {r.rule_id: r.paragraph for r in RULES}


def test_the_results_are_the_reports_statuses_with_the_evaluated_resources(written):
    report = report_of(written, "prod")
    result = results(written, "prod")
    rows = {r["id"]: r for r in report["conditions"]}
    assert [f.target.target_id for f in result.findings] == list(catalogue().ids)
    selected = result.reviewed_controls.control_selections[0].include_controls
    assert [c.control_id for c in selected] == list(catalogue().ids)
    for f in result.findings:
        row = rows[f.target.target_id]
        assert props(f)["report-status"] == [row["status"]]
        state = text(f.target.status.state)
        assert state == ("satisfied" if row["status"] == "enforced" else "not-satisfied"), row["id"]
    # The real synthesis: every checkable condition of prod is enforced and satisfied; the
    # organisational ones are not claimed.
    assert text(finding(result, "VTC-ENCRYPT-ALL").target.status.state) == "satisfied"
    plan = finding(result, "VTC-SEC-PLAN").target.status
    assert (text(plan.state), text(plan.reason)) == ("not-satisfied", "other")
    assert "approved plan" in plan.remarks
    # The evidence lists every compliant resource the pack evaluated, by construct path.
    (evaluated,) = observations_of(result, finding(result, "VTC-ENCRYPT-ALL"))
    paths = [props(e)["construct-path"][0] for e in evaluated.relevant_evidence if e.props]
    assert paths == [r["path"] for r in rows["VTC-ENCRYPT-ALL"]["compliant_resources"]]
    assert any(p.startswith("prod/Data/") for p in paths)
    assert props(evaluated)["evaluated-compliant"] == [str(rows["VTC-ENCRYPT-ALL"]["evaluated"]["compliant"])]
    # The landing zone of the results is the component of the component definition.
    cd = component_definition(written, "prod")
    assert cd.components[0].uuid in {c.uuid for c in result.local_definitions.components}
    assert {s.subject_uuid for s in evaluated.subjects} == {cd.components[0].uuid}


def test_every_acknowledgement_of_the_gate_is_an_approved_deviation(written, synth):
    acks = [
        a
        for a in gate.acknowledgements(synth.validation_report(), set(synth.config.environments))
        if a.environment == "prod"
    ]
    assert acks, "the real synthesis acknowledges findings in prod"
    result = results(written, "prod")
    found = {(props(r)["pack"][0], props(r)["rule"][0], props(r)["construct-path"][0]): r for r in result.risks}
    assert set(found) == {(a.pack, a.rule, a.path) for a in acks}
    for ack in acks:
        risk = found[(ack.pack, ack.rule, ack.path)]
        assert text(risk.status) == "deviation-approved"
        assert risk.description == ack.reason and ack.reason in risk.statement
        (observed,) = observations_of(result, risk)
        assert ack.path in observed.description
    # VTC-RISK-ACCEPTED is the register: its finding names every risk.
    register = finding(result, "VTC-RISK-ACCEPTED")
    assert {r.risk_uuid for r in register.related_risks} == {r.uuid for r in result.risks}


def test_a_failing_rule_is_a_not_satisfied_finding_with_its_construct_path(cdk_out):
    drop_backup_copies(cdk_out, "dev")
    rerun_pack(cdk_out)
    run(cdk_out)

    dev = results(cdk_out, "dev")
    failing = finding(dev, "VTC-BACKUP-ELSEWHERE")
    assert (text(failing.target.status.state), text(failing.target.status.reason)) == ("not-satisfied", "fail")
    assert props(failing)["report-status"] == ["failing"]
    failures = [o for o in observations_of(dev, failing) if o.types and text(o.types[0]) == "finding"]
    assert failures and props(failures[0])["construct-path"] == ["dev/Backup/Plan/Plan/Resource"]
    assert props(failures[0])["logical-id"] == ["Plan835D6B9C"]
    assert props(failures[0])["rule"] == ["VTC-BACKUP-ELSEWHERE"]
    # The gate fails on the finding, too; the other environments still copy elsewhere.
    assert text(finding(dev, "VTC-GATE").target.status.state) == "not-satisfied"
    acc = finding(results(cdk_out, "acc"), "VTC-BACKUP-ELSEWHERE")
    assert text(acc.target.status.state) == "satisfied"


def test_an_acknowledged_vtc_finding_links_the_condition_to_its_risk(cdk_out):
    reason = acknowledge_no_copies_in_acc(cdk_out)
    run(cdk_out)

    acc = results(cdk_out, "acc")
    accepted = finding(acc, "VTC-BACKUP-ELSEWHERE")
    assert props(accepted)["report-status"] == ["accepted-risk"]
    assert (text(accepted.target.status.state), text(accepted.target.status.reason)) == ("not-satisfied", "other")
    by_uuid = {r.uuid: r for r in acc.risks}
    (risk,) = [by_uuid[r.risk_uuid] for r in accepted.related_risks]
    assert risk.description == reason and text(risk.status) == "deviation-approved"
    assert props(risk)["construct-path"] == ["acc/Backup/Plan/Plan/Resource"]


def test_an_acknowledgement_without_a_reason_stays_an_open_risk(cdk_out):
    report_path = cdk_out / "validation-report.json"
    validation = json.loads(report_path.read_text())
    where = "prod/Backup/Plan/Plan/Resource"
    validation["pluginReports"].append(
        {
            "pluginName": "VTC",
            "summary": {"pluginName": "VTC", "status": "success"},
            "violations": [],
            "suppressedViolations": [
                {
                    "ruleName": "VTC-BACKUP-ELSEWHERE",
                    "description": "no copy",
                    "acknowledgedId": "VTC::VTC-BACKUP-ELSEWHERE",
                    "reason": "  ",
                    "violatingConstructs": [{"constructPath": where}],
                }
            ],
        }
    )
    report_path.write_text(json.dumps(validation))
    run(cdk_out)
    prod = results(cdk_out, "prod")
    (risk,) = [r for r in prod.risks if props(r)["construct-path"] == [where]]
    assert text(risk.status) == "open" and "No reason given" in risk.description
    register = finding(prod, "VTC-RISK-ACCEPTED").target.status
    assert (text(register.state), text(register.reason)) == ("not-satisfied", "fail")


def test_owner_acceptance_and_review_dates_go_into_the_risk():
    when = dt.datetime(2026, 12, 2, 1, tzinfo=dt.UTC)
    reason = "Test data only: the acceptance environment holds no personal data and is rebuilt nightly."
    ack = gate.Acknowledgement("acc", "VTC", "VTC-BACKUP-ELSEWHERE", "acc/Backup/Plan/Plan/Resource", reason)
    bare = risks.accepted_risk(Uuids("acc"), ack, when, []).risk
    assert bare.deadline is None and bare.risk_log is None and "risk-owner" not in props(bare)

    record = register.AcceptedRisk(
        environment="acc",
        path="acc/Backup/Plan",  # made on the construct above the finding's resource
        rule="VTC::VTC-BACKUP-ELSEWHERE",
        reason=reason,
        risk="acc-without-copies",
        title="Acceptance keeps no copy elsewhere",
        owner=register.Owner("dpo", "AHOVOKS", "data protection officer"),
        accepted=dt.date(2026, 11, 20),
        review_by=dt.date(2027, 5, 20),
    )
    other = dataclasses.replace(record, rule="VTC::VTC-BACKUP-RETENTION", owner=register.Owner("x", "FB", "other"))
    risk = risks.accepted_risk(Uuids("acc"), ack, when, [], [other, record]).risk
    p = props(risk)
    assert p["risk-owner"] == ["AHOVOKS data protection officer"]
    assert (p["accepted-on"], p["review-by"]) == (["2026-11-20"], ["2027-05-20"])
    assert risk.deadline == dt.datetime(2027, 5, 20, tzinfo=dt.UTC)
    (entry,) = risk.risk_log.entries
    assert entry.start == dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    assert text(entry.status_change) == "deviation-approved" and "AHOVOKS" in entry.description
    assert risk.uuid == bare.uuid  # the same acknowledgement keeps its UUID when the record arrives


def test_the_real_synthesis_gives_every_risk_its_owner_and_review_date(written):
    prod = results(written, "prod")
    assert prod.risks
    for risk in prod.risks:
        p = props(risk)
        assert p["risk-owner"][0] in {
            "AHOVOKS information security officer (the controller's)",
            "Facilitair Bedrijf key custodian (custody of the LED keys)",
        }, p
        assert risk.deadline is not None and p["review-by"] and p["accepted-on"]


def test_the_same_synthesis_gives_the_same_bytes_and_only_the_time_changes(written, cdk_out):
    names = (oscal.COMPONENT_DEFINITION_FILE, oscal.ASSESSMENT_RESULTS_FILE)
    files = [f"compliance/{env}/{name}" for env in ("dev", "prod") for name in names]
    first = {f: (written / f).read_text() for f in files}  # the session's report, written at WHEN
    run(cdk_out)
    assert {f: (cdk_out / f).read_text() for f in files} == first
    run(cdk_out, "2027-01-15T09:30:00Z")
    later = {f: (cdk_out / f).read_text() for f in files}
    for f in files:
        assert later[f] != first[f]
        assert later[f].replace("2027-01-15T09:30:00+00:00", WHEN) == first[f], f
    assert WHEN in first["compliance/prod/assessment-results.json"]


@pytest.mark.parametrize("when", ["yesterday", "2026-12-02T01:00:00", "2026-13-02T01:00:00Z"])
def test_a_bad_timestamp_fails_with_one_line_and_writes_nothing(cdk_out, capsys, when):
    assert report_main([str(cdk_out), "--oscal-timestamp", when]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("oscal error: --oscal-timestamp") and "\n" not in err
    assert "allowed:" in err
    assert not (cdk_out / "compliance").exists()


def test_a_missing_cloud_assembly_fails_with_one_line_and_writes_nothing(tmp_path, capsys):
    assert report_main([str(tmp_path / "cdk.out"), "--oscal-timestamp", WHEN]) == 2
    err = capsys.readouterr().err.strip()
    assert "manifest.json is missing" in err and "\n" not in err
    assert not (tmp_path / "cdk.out").exists()


def test_a_report_without_a_catalogue_condition_fails_with_one_line(cdk_out, synth):
    from tools import report as report_tool

    inputs = report_tool.load_inputs(cdk_out)
    report = report_tool.build_report(inputs, "prod")
    report["conditions"] = [r for r in report["conditions"] if r["id"] != "VTC-EXIT"]
    with pytest.raises(oscal.OscalError, match=r"^oscal error: the compliance report of prod has no row for VTC-EXIT$"):
        oscal.write_oscal(cdk_out, inputs, {"prod": report}, dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    assert not (cdk_out / "compliance" / "prod" / oscal.COMPONENT_DEFINITION_FILE).exists()


def test_the_oscal_package_stays_small():
    sources = sorted((ROOT / "tools" / "oscal").glob("*.py"))
    assert len(sources) >= 4
    assert {p.name: n for p in sources if (n := len(p.read_text().splitlines())) > 450} == {}
    assert const.RULE_ID == "Rule_Id"  # the rule property trestle's tools read
