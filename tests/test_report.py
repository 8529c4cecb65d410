"""The compliance report follows the synthesis: each status is checked against the templates.

The landing zone is synthesized once per session, the real VTC pack included. The tests that only
read share one report of it (`written_report`); a test that changes an input works on its own copy
(`cdk_out`) and, when it changes a template, re-runs the real pack on it (`rerun_pack`).
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from policies import PACK_NAME, VtcChecks
from policies.registry import BY_ID
from tests.risk_cases import record_acknowledgement
from tools import report as report_tool
from tools.report.model import GATE, PACK_DID_NOT_RUN, RISK_ACCEPTED

FIXTURES = Path(__file__).parent / "fixtures"
SVG = "{http://www.w3.org/2000/svg}"


def build(cdk_out: Path) -> dict[str, dict]:
    inputs = report_tool.load_inputs(cdk_out)
    return report_tool.write_reports(cdk_out, inputs)


def rerun_pack(cdk_out: Path, *, acknowledge: dict[tuple[str, str], str] | None = None) -> None:
    """The real VTC pack on the (changed) templates of cdk_out: vtc-evaluations.json, and its
    failures as the VTC plugin's findings in validation-report.json, the way CDK writes them.
    Acknowledgements live in the construct tree, which a changed template has no more: those of the
    synthesis are kept, `acknowledge` ((rule id, construct path) -> reason) adds some."""
    evaluations = VtcChecks().evaluate_assembly(cdk_out)
    path = cdk_out / "validation-report.json"
    report = json.loads(path.read_text())
    vtc = next((p for p in report["pluginReports"] if p["pluginName"] == PACK_NAME), None)
    if vtc is None:  # CDK lists a plugin only when it reported something
        vtc = {"pluginName": PACK_NAME, "violations": [], "suppressedViolations": []}
        report["pluginReports"].append(vtc)
    kept = {
        (v["ruleName"], c["constructPath"]): v for v in vtc["suppressedViolations"] for c in v["violatingConstructs"]
    }
    violations, suppressed = [], []
    for e in (e for e in evaluations if e["result"] == "non_compliant"):
        key = (e["rule_id"], e["path"])
        if key in kept:
            suppressed.append(kept[key])
            continue
        finding = {
            "ruleName": e["rule_id"],
            "description": f"{BY_ID[e['rule_id']].message} Here: {e.get('why', '')}.",
            "severity": "error",
            "violatingConstructs": [{"constructPath": e["path"], "stackTraces": []}],
        }
        if key in (acknowledge or {}):
            reason = (acknowledge or {})[key]
            acknowledged = {"acknowledgedId": f"{PACK_NAME}::{e['rule_id']}", "reason": reason}
            suppressed.append({**finding, **acknowledged, "acknowledgedAt": e["path"].rsplit("/", 1)[0]})
        else:
            violations.append(finding)
    vtc.update(
        conclusion="failure" if violations else "success", violations=violations, suppressedViolations=suppressed
    )
    path.write_text(json.dumps(report, indent=1))


def row(report: dict, condition: str) -> dict:
    return next(r for r in report["conditions"] if r["id"] == condition)


def template_path(cdk_out: Path, env: str, stack: str) -> Path:
    return next((cdk_out / f"assembly-{env}").glob(f"{env}{stack}*.template.json"))


def drop_backup_copies(cdk_out: Path, env: str) -> None:
    """The environment's backup plan without its copy actions: VTC-BACKUP-ELSEWHERE fails there."""
    path = template_path(cdk_out, env, "Backup")
    template = json.loads(path.read_text())
    for rule in template["Resources"]["Plan835D6B9C"]["Properties"]["BackupPlan"]["BackupPlanRule"]:
        del rule["CopyActions"]
    path.write_text(json.dumps(template))


def acknowledge_no_copies_in_acc(cdk_out: Path) -> str:
    """acc without backup copies, the finding acknowledged and the pack re-run: the reason given."""
    drop_backup_copies(cdk_out, "acc")
    reason = "Acceptance keeps no copy elsewhere: it is rebuilt from dev data and holds no personal data."
    rerun_pack(cdk_out, acknowledge={("VTC-BACKUP-ELSEWHERE", "acc/Backup/Plan/Plan/Resource"): reason})
    return reason


def test_one_row_per_catalogue_condition_and_organisational_ones_name_their_evidence(written_report):
    catalogue = report_tool.read_catalogue()
    reports = written_report.reports
    assert set(reports) == {"dev", "acc", "prod"}
    for report in reports.values():
        assert [r["id"] for r in report["conditions"]] == [c.id for c in catalogue]
        assert row(report, "VTC-BACKUP-ELSEWHERE")["paragraph"] == "37"
        plan = row(report, "VTC-SEC-PLAN")
        assert plan["status"] == "organisational"
        assert "approved plan" in plan["note"]
    organisational = {c.id for c in catalogue if c.organisational}
    assert organisational == {"VTC-SEC-PLAN", "VTC-PROVIDER-EVIDENCE", "VTC-GENERAL-GUIDANCE"}


def test_without_the_pack_every_checkable_condition_says_the_pack_did_not_run(cdk_out):
    (cdk_out / "vtc-evaluations.json").unlink()
    report = build(cdk_out)["dev"]
    assert report["inputs"]["vtc_evaluations"] is False
    for r in report["conditions"]:
        if r["status"] != "organisational" and r["id"] not in (GATE, RISK_ACCEPTED):
            assert (r["status"], r["note"]) == ("not-checked", PACK_DID_NOT_RUN)
    # The gate fails when the pack did not run; the reasons of the register are still read.
    gate_row = row(report, "VTC-GATE")
    assert gate_row["status"] == "failing" and gate_row["gate_checks"]["vtc_pack_ran"] is False
    assert any("the VTC pack did not run" in f["description"] for f in gate_row["failures"])
    assert row(report, "VTC-RISK-ACCEPTED")["status"] == "enforced"
    assert "VTC pack did not run" in (cdk_out / "compliance" / "dev" / "report.md").read_text()


def test_compliant_evaluations_make_a_condition_enforced_with_its_resources(written_report, cdk_out):
    reports = written_report.reports
    prod = reports["prod"]
    elsewhere = row(prod, "VTC-BACKUP-ELSEWHERE")
    assert elsewhere["status"] == "enforced"
    assert elsewhere["rules"] == ["VTC-BACKUP-ELSEWHERE"]
    assert elsewhere["compliant_resources"] == [
        {
            "rule": "VTC-BACKUP-ELSEWHERE",
            "stack": "led-prod-backup",
            "logical_id": "Plan835D6B9C",
            "path": "prod/Backup/Plan/Plan/Resource",
            "type": "AWS::Backup::BackupPlan",
        }
    ]
    # Rule ids with a suffix serve their condition: the three key custody rules count for VTC-KEY-CUSTODY.
    custody = row(prod, "VTC-KEY-CUSTODY")
    assert custody["rules"] == ["VTC-KEY-CUSTODY", "VTC-KEY-CUSTODY-ADMIN", "VTC-KEY-CUSTODY-POLICY"]
    encrypt = row(prod, "VTC-ENCRYPT-ALL")
    assert encrypt["status"] == "enforced" and encrypt["evaluated"]["non_compliant"] == 0
    prod_stores = [
        r
        for path in (cdk_out / "assembly-prod").glob("*.template.json")
        for r in json.loads(path.read_text())["Resources"].values()
        if r["Type"] in {"AWS::Logs::LogGroup", "AWS::RDS::DBInstance"}
    ]
    assert encrypt["evaluated"]["compliant"] >= len(prod_stores)  # every log group and the database, and more
    # A condition no rule evaluated is not claimed.
    evaluations = json.loads((cdk_out / "vtc-evaluations.json").read_text())
    evaluations["evaluations"] = [e for e in evaluations["evaluations"] if e["rule_id"] != "VTC-EXIT"]
    (cdk_out / "vtc-evaluations.json").write_text(json.dumps(evaluations))
    prod = build(cdk_out)["prod"]
    assert row(prod, "VTC-EXIT")["status"] == "not-checked"
    assert "no VTC rule evaluated" in row(prod, "VTC-EXIT")["note"]


def test_removing_the_copy_action_turns_backup_elsewhere_to_failing(cdk_out):
    drop_backup_copies(cdk_out, "dev")
    rerun_pack(cdk_out)

    reports = build(cdk_out)
    failing = row(reports["dev"], "VTC-BACKUP-ELSEWHERE")
    assert failing["status"] == "failing"
    assert failing["failures"][0]["logical_id"] == "Plan835D6B9C"
    assert failing["failures"][0]["stack"] == "led-dev-backup"
    assert reports["dev"]["summary"]["unacknowledged_findings"] == 1
    # Only dev changed: the other environments still copy elsewhere.
    assert row(reports["acc"], "VTC-BACKUP-ELSEWHERE")["status"] == "enforced"
    assert "**failing**" in (cdk_out / "compliance" / "dev" / "summary.md").read_text()


def test_an_acknowledged_vtc_finding_is_an_accepted_risk_with_its_reason(cdk_out):
    reason = acknowledge_no_copies_in_acc(cdk_out)

    report = build(cdk_out)["acc"]
    accepted = row(report, "VTC-BACKUP-ELSEWHERE")
    assert accepted["status"] == "accepted-risk"
    assert accepted["accepted_risks"][0]["reason"] == reason
    assert accepted["accepted_risks"][0]["acknowledged_at"] == "acc/Backup/Plan/Plan"
    register = [r for r in report["accepted_risks"] if r["pack"] == "VTC"]
    assert register == [
        {
            **register[0],
            "rule": "VTC-BACKUP-ELSEWHERE",
            "reason": reason,
            "logical_id": "Plan835D6B9C",
            "conditions": ["VTC-BACKUP-ELSEWHERE"],
        }
    ]


def test_the_register_lists_every_acknowledgement_of_every_pack(written_report, synth):
    reports = written_report.reports
    validation = synth.validation_report()
    for env, report in reports.items():
        expected = sum(
            1
            for plugin in validation["pluginReports"]
            for v in plugin["suppressedViolations"]
            for c in v["violatingConstructs"]
            if c["constructPath"].startswith(f"{env}/")
        )
        assert len(report["accepted_risks"]) == expected > 0
    rds11 = [r for r in reports["dev"]["accepted_risks"] if r["rule"] == "AwsSolutions-RDS11"]
    assert rds11[0]["pack"] == "AwsSolutions"
    assert rds11[0]["logical_id"] == "DatabaseInstanceAA8A5FDE"
    assert rds11[0]["stack"] == "led-dev-data"
    assert "default PostgreSQL port" in rds11[0]["reason"]
    boundary = [r for r in reports["dev"]["accepted_risks"] if "PermissionsBoundary" in r["path"]]
    assert boundary and all(r["conditions"] == ["VTC-LEAST-PRIVILEGE"] for r in boundary)


def test_the_fixture_evaluations_file_follows_the_pack_contract(cdk_out):
    shutil.copy(FIXTURES / "vtc-evaluations.json", cdk_out / "vtc-evaluations.json")
    report = build(cdk_out)["dev"]
    assert row(report, "VTC-KEY-CUSTODY")["status"] == "enforced"
    encrypt = row(report, "VTC-ENCRYPT-ALL")
    assert encrypt["evaluated"] == {"compliant": 2, "non_compliant": 0, "not_applicable": 1}
    assert {r["stack"] for r in encrypt["compliant_resources"]} == {"led-dev-network", "led-dev-data"}
    # The fixture only speaks of dev.
    assert row(build(cdk_out)["prod"], "VTC-KEY-CUSTODY")["status"] == "not-checked"


def test_keys_backups_and_log_readers_come_from_the_templates(written_report, synth):
    reports = written_report.reports
    for env, report in reports.items():
        cfg = synth.config.environments[env]
        purposes = {k.get("purpose") for k in report["keys"]}
        assert {"data", "backup", "log"} <= purposes
        for key in report["keys"]:
            assert key["custody_account"] == cfg.accounts.key_custody
            assert key["rotation"] == f"automatic, every {cfg.keys.rotation_period_days} days"
            assert key["administrators"] and key["users"]
        summary = report["backup_summary"]
        assert summary["generations_configured"] == cfg.backup.generations
        copies = [c for p in report["backup_plans"] for r in p["rules"] for c in r["copies"]]
        assert copies and all(c["account"] == cfg.accounts.backup for c in copies)
        # The remote vaults (one per region) and, where configured, the air-gapped vault.
        expected = (2 if cfg.backup.secondary_region else 1) + (1 if cfg.backup.air_gap.enabled else 0)
        assert summary["copies_to_other_account"] == len(copies) == expected
        air_gapped = [c for c in copies if c["air_gapped"]]
        assert len(air_gapped) == (1 if cfg.backup.air_gap.enabled else 0)
        assert summary["air_gapped_vaults"] == ([f"led-{env}-air-gapped-vault"] if cfg.backup.air_gap.enabled else [])
        assert all(c["retention_days"] == cfg.backup.copy_retention_days for c in copies)
        assert report["databases"][0]["key"].startswith("data key (")
        readers = " ".join(r["who"] for r in report["log_readers"])
        assert cfg.accounts.log_archive in readers
    prod = reports["prod"]
    assert {v["region"] for v in prod["vaults"]} == {"eu-west-1", "eu-central-1"}
    assert {p["type"] for p in prod["personal_data_stores"]} >= {"AWS::RDS::DBInstance", "AWS::Backup::BackupVault"}
    assert reports["dev"]["personal_data_stores"] == []
    outputs = {name for s in prod["stacks"] for name in s["outputs"]}
    assert {"DataKeyArn", "BackupKeyArn", "LogKeyArn", "VaultArn", "RemoteVaultArn", "CopyDestination0"} <= outputs


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        if tag == "link":
            self.external.append(str(attrs))


def test_the_html_page_is_self_contained_and_links_the_picture(written_report):
    cdk_out = written_report.cdk_out
    page = (cdk_out / "compliance" / "prod" / "report.html").read_text()
    parser = _Html()
    parser.feed(page)
    assert parser.external == []
    assert "svg" in parser.tags and "script" not in parser.tags
    assert "href='architecture.svg'" in page
    assert page.count("<tr class='") >= 25
    md = (cdk_out / "compliance" / "prod" / "report.md").read_text()
    assert "[architecture.svg](architecture.svg)" in md
    assert "## Accepted-risks register" in md


def test_the_architecture_picture_parses_and_draws_every_part(written_report, synth):
    for env, report in written_report.reports.items():
        svg_path = written_report.cdk_out / "compliance" / env / "architecture.svg"
        root = ElementTree.parse(svg_path).getroot()
        assert root.tag == f"{SVG}svg"
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        accounts = {g.get("data-account") for g in root.iter(f"{SVG}g") if g.get("class") == "account"}
        assert set(synth.config.environments[env].accounts.all()) <= accounts
        assert f"Database led-{env}-db" in texts
        for vault in report["vaults"]:
            assert f"Vault {vault['name']}" in texts
        for key in report["keys"]:
            assert key["alias"] in texts
        assert "app:" in texts and "data:" in texts and "endpoints:" in texts
        edges = [p for p in root.iter(f"{SVG}path") if "edge" in (p.get("class") or "")]
        kinds = {p.get("class").split()[1] for p in edges}
        assert {"copy", "log", "key-data", "key-backup", "key-log"} <= kinds
        copies = [p for p in edges if p.get("class") == "edge copy"]
        # database -> primary vault, then one copy per destination
        assert len(copies) == 1 + len(report["backup_summary"]["copies"])


def test_the_architecture_picture_rasterizes(written_report):
    resvg = pytest.importorskip("resvg_py")
    png = bytes(resvg.svg_to_bytes(svg_path=str(written_report.cdk_out / "compliance" / "prod" / "architecture.svg")))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_a_missing_catalogue_fails_with_one_line(cdk_out, tmp_path, capsys):
    code = report_tool.main([str(cdk_out), "--catalogue", str(tmp_path / "nowhere.md")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "nowhere.md" in err and "catalogue" in err
    assert not (cdk_out / "compliance").exists()


def test_the_command_line_writes_all_four_files(cdk_out, capsys):
    assert report_tool.main([str(cdk_out)]) == 0
    for env in ("dev", "acc", "prod"):
        names = {p.name for p in (cdk_out / "compliance" / env).iterdir()}
        assert {"report.md", "report.json", "report.html", "architecture.svg"} <= names
        data = json.loads((cdk_out / "compliance" / env / "report.json").read_text())
        assert data["environment"] == env and data["diagram"] == "architecture.svg"
    assert "VTC pack did not run" not in capsys.readouterr().err


def test_with_the_real_pack_every_checkable_condition_of_prod_is_enforced_or_named(written_report):
    """The report of the real synthesis (the VTC pack ran): nothing fails, and what is enforced is
    backed by compliant evaluations of the pack, listed by stack and logical id."""
    prod = written_report.reports["prod"]
    assert prod["inputs"]["vtc_evaluations"] is True
    statuses = {r["id"]: r["status"] for r in prod["conditions"]}
    assert "failing" not in statuses.values()
    assert "accepted-risk" not in statuses.values(), "no VTC acknowledgement in prod"
    for condition in (
        "VTC-ENCRYPT-ALL",
        "VTC-KEY-CUSTODY",
        "VTC-BACKUP-ELSEWHERE",
        "VTC-LEAST-PRIVILEGE",
        "VTC-NO-COPY",
        "VTC-LOGS-DIRECT",
    ):
        assert statuses[condition] == "enforced", condition
        assert row(prod, condition)["compliant_resources"], condition
    assert statuses["VTC-SEC-PLAN"] == "organisational"


# --- VTC-RISK-ACCEPTED and VTC-GATE: the gate's checks on the same inputs -----------------------


def _edit_validation_report(cdk_out: Path, edit) -> None:
    path = cdk_out / "validation-report.json"
    report = json.loads(path.read_text())
    edit(report)
    path.write_text(json.dumps(report))


def _vtc_plugin(report: dict) -> dict:
    """The VTC plugin's report (cdk writes none when the pack found nothing at all)."""
    found = next((p for p in report["pluginReports"] if p["pluginName"] == "VTC"), None)
    if found is None:
        found = {"pluginName": "VTC", "summary": {"pluginName": "VTC", "status": "success"}, "violations": []}
        report["pluginReports"].append(found)
    return found


def _acknowledge(report: dict, rule: str, path: str, reason: str) -> None:
    vtc = _vtc_plugin(report)
    vtc.setdefault("suppressedViolations", []).append(
        {
            "ruleName": rule,
            "description": f"{rule} finding",
            "acknowledgedId": f"VTC::{rule}",
            "acknowledgedAt": path,
            "reason": reason,
            "violatingConstructs": [{"constructPath": path}],
        }
    )


def test_default_synthesis_enforces_the_gate_and_the_risk_register(written_report, synth):
    reports = written_report.reports
    prod = reports["prod"]
    risk, gate_row = row(prod, "VTC-RISK-ACCEPTED"), row(prod, "VTC-GATE")
    assert risk["status"] == gate_row["status"] == "enforced"
    checks = gate_row["gate_checks"]
    assert checks["holds_personal_data"] is True and checks["vtc_pack_ran"] is True
    assert checks["unacknowledged_findings"] == checks["never_acknowledge_rules_acknowledged"] == 0
    # The evidence counts the register by pack, as the register lists it.
    assert sum(checks["acknowledgements_by_pack"].values()) == len(prod["accepted_risks"]) > 0
    assert "AwsSolutions" in checks["acknowledgements_by_pack"]
    assert "personal-data environment" in gate_row["note"]
    assert f"{len(prod['accepted_risks'])} in the register" in risk["note"]
    summary = (written_report.cdk_out / "compliance" / "prod" / "summary.md").read_text()
    assert "| VTC-GATE |" in summary and "the gate passes" in summary
    # An environment without personal data says the gate applies to personal-data environments only.
    for env, report in reports.items():
        if not synth.config.environments[env].holds_personal_data:
            assert row(report, "VTC-GATE")["status"] == "enforced"
            assert "hold personal data only" in row(report, "VTC-GATE")["note"]


def test_an_acknowledgement_without_a_reason_fails_both_rows(cdk_out):
    path = "prod/Backup/Plan/Plan/Resource"
    _edit_validation_report(cdk_out, lambda r: _acknowledge(r, "VTC-BACKUP-ELSEWHERE", path, "   "))
    record_acknowledgement(cdk_out, path, "VTC::VTC-BACKUP-ELSEWHERE", "   ")
    prod = build(cdk_out)["prod"]
    risk = row(prod, "VTC-RISK-ACCEPTED")
    assert risk["status"] == "failing"
    assert risk["gate_checks"]["acknowledgements_without_reason"] == 1
    assert any(path in f["description"] and "without a reason" in f["description"] for f in risk["failures"])
    assert row(prod, "VTC-GATE")["status"] == "failing"
    # Only prod changed.
    assert row(build(cdk_out)["acc"], "VTC-RISK-ACCEPTED")["status"] == "enforced"


@pytest.mark.parametrize("rule", ["VTC-ENCRYPT-ALL", "VTC-LEAST-PRIVILEGE-BOUNDARY"])
def test_a_never_acknowledge_rule_acknowledged_in_prod_fails_the_gate(cdk_out, rule):
    path = "prod/Data/Database/Instance/Resource"
    _edit_validation_report(cdk_out, lambda r: _acknowledge(r, rule, path, "A reason that states the accepted risk."))
    record_acknowledgement(cdk_out, path, f"VTC::{rule}", "A reason that states the accepted risk.")
    reports = build(cdk_out)
    gate_row = row(reports["prod"], "VTC-GATE")
    assert gate_row["status"] == "failing"
    assert gate_row["gate_checks"]["never_acknowledge_rules_acknowledged"] == 1
    assert any(f"{rule} may never be acknowledged in prod" in f["description"] for f in gate_row["failures"])
    # The reason is there: the register itself is fine.
    assert row(reports["prod"], "VTC-RISK-ACCEPTED")["status"] == "enforced"
    assert "**failing**" in (cdk_out / "compliance" / "prod" / "summary.md").read_text()


def test_a_never_acknowledge_rule_may_be_acknowledged_without_personal_data(cdk_out, synth):
    env = next(n for n, e in synth.config.environments.items() if not e.holds_personal_data)
    _edit_validation_report(
        cdk_out,
        lambda r: _acknowledge(
            r, "VTC-ENCRYPT-ALL", f"{env}/Data/Database/Instance/Resource", "Test data only, no personal data."
        ),
    )
    record_acknowledgement(
        cdk_out, f"{env}/Data/Database/Instance/Resource", "VTC::VTC-ENCRYPT-ALL", "Test data only, no personal data."
    )
    assert row(build(cdk_out)[env], "VTC-GATE")["status"] == "enforced"


def test_an_unacknowledged_finding_in_the_report_fails_the_gate(cdk_out):
    def add(report):
        vtc = _vtc_plugin(report)
        vtc.setdefault("violations", []).append(
            {
                "ruleName": "VTC-NO-COPY",
                "description": "public",
                "violatingConstructs": [{"constructPath": "prod/Data/Database/Instance/Resource"}],
            }
        )

    _edit_validation_report(cdk_out, add)
    reports = build(cdk_out)
    assert row(reports["prod"], "VTC-GATE")["status"] == "failing"
    assert row(reports["prod"], "VTC-GATE")["gate_checks"]["unacknowledged_findings"] == 1
    assert row(reports["acc"], "VTC-GATE")["status"] == "enforced"
