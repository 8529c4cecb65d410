"""The report package: one list of sections drives every format, the pack's own facts (condition
ids, key-administration actions) are used rather than re-derived, and the code stays small."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from policies.registry import RULES
from policies.rules import key_custody_admin
from tools import report as report_tool
from tools.report import conditions, render
from tools.report.model import Section

ROOT = Path(__file__).resolve().parent.parent


def test_every_section_appears_in_every_format(cdk_out):
    inputs = report_tool.load_inputs(cdk_out)
    report = render.build(inputs, "prod")
    md = render.render_markdown(report)
    page = render.render_html(report, "<svg/>")
    for section in report_tool.SECTIONS:
        part_md, part_html = "\n".join(section.markdown(report)).strip(), section.html(report, "<svg/>")
        assert part_md and part_md in md, section.name
        assert part_html and part_html in page, section.name
        assert section.title in part_md and section.title in part_html, section.name
    # report.json holds what every section collected.
    data = report.as_dict()
    for key in ("conditions", "accepted_risks", "keys", "vaults", "log_stores", "stacks", "network"):
        assert key in data


def test_a_registered_section_reaches_json_markdown_and_html(cdk_out):
    def collect(ctx):
        return {"extra": {"stacks": len(ctx.stacks), "conditions": len(ctx.parts["conditions"])}}

    extra = Section(
        name="extra",
        title="Extra part",
        collect=collect,
        markdown=lambda r: ["## Extra part", "", f"{r.parts['extra']['stacks']} stacks", ""],
        html=lambda r, svg: f"<h2>Extra part</h2><p>{r.parts['extra']['stacks']} stacks</p>",
    )
    inputs = report_tool.load_inputs(cdk_out)
    sections = [*report_tool.SECTIONS, extra]
    report = render.build(inputs, "dev", sections)
    n = len(inputs.envs["dev"])
    assert report.as_dict()["extra"] == {"stacks": n, "conditions": 25}
    assert f"## Extra part\n\n{n} stacks" in render.render_markdown(report, sections)
    assert f"<h2>Extra part</h2><p>{n} stacks</p>" in render.render_html(report, "", sections)


def test_key_administrators_are_found_with_the_rules_own_actions(cdk_out):
    """Any action of VTC-KEY-CUSTODY-ADMIN's list makes a statement administrative in the report,
    not only the few the report once kept itself."""
    assert {"kms:disablekey", "kms:importkeymaterial", "kms:putkeypolicy"} <= key_custody_admin.ADMIN_ACTIONS
    path = next((cdk_out / "assembly-prod").glob("prod*KeyCustody*.template.json"))
    template = json.loads(path.read_text())
    lid, key = next((lid, r) for lid, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key")
    key["Properties"]["KeyPolicy"]["Statement"].append(
        {
            "Sid": "SomebodyMayDisableTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:role/somebody"},
            "Action": "kms:DisableKey",
            "Resource": "*",
        }
    )
    key["Properties"]["KeyPolicy"]["Statement"].append(
        {
            "Sid": "SomebodyMayGrantFreely",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:role/other"},
            "Action": ["kms:CreateGrant", "kms:Decrypt"],
            "Resource": "*",
        }
    )
    path.write_text(json.dumps(template))
    prod = report_tool.write_reports(cdk_out, report_tool.load_inputs(cdk_out))["prod"]
    reported = next(k for k in prod["keys"] if k["logical_id"] == lid)
    admins = {a["sid"] for a in reported["administrators"]}
    assert {"SomebodyMayDisableTheKey", "SomebodyMayGrantFreely"} <= admins
    assert "SomebodyMayDisableTheKey" not in {u["sid"] for u in reported["users"]}


def test_conditions_come_from_the_registry_never_from_a_rule_name(cdk_out):
    mapping = conditions.rule_conditions(None)
    assert mapping == {r.rule_id: r.condition_id for r in RULES}
    # A rule the pack does not know is not attributed to a condition by its name ...
    path = cdk_out / "validation-report.json"
    validation = json.loads(path.read_text())
    validation["pluginReports"].append(
        {
            "pluginName": "VTC",
            "summary": {"pluginName": "VTC", "status": "failure"},
            "violations": [
                {
                    "ruleName": "VTC-EXIT-UNKNOWN",
                    "description": "from a rule the registry does not have",
                    "violatingConstructs": [{"constructPath": "prod/Data/Database/Instance/Resource"}],
                }
            ],
        }
    )
    path.write_text(json.dumps(validation))
    prod = report_tool.write_reports(cdk_out, report_tool.load_inputs(cdk_out))["prod"]
    exit_row = next(r for r in prod["conditions"] if r["id"] == "VTC-EXIT")
    assert exit_row["status"] == "enforced" and exit_row["failures"] == []
    # ... but it is listed, and the gate fails on it.
    assert [f["rule"] for f in prod["unacknowledged_findings"]] == ["VTC-EXIT-UNKNOWN"]
    assert next(r for r in prod["conditions"] if r["id"] == "VTC-GATE")["status"] == "failing"


def test_the_report_package_stays_small():
    sources = sorted((ROOT / "tools" / "report").glob("*.py"))
    assert len(sources) >= 8
    too_long = {p.name: n for p in sources if (n := len(p.read_text().splitlines())) > 450}
    assert too_long == {}
    ruff = ROOT / ".venv" / "bin" / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed in .venv")
    done = subprocess.run(
        [str(ruff), "check", "--select", "C901", "--config", "lint.mccabe.max-complexity=15", "tools/", "policies/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
