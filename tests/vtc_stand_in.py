"""A stand-in for the VTC rule pack's output, for the report's tests until the pack lands.

It evaluates a few rules on the synthesized templates of a cdk.out and writes what the pack's
contract says the pack writes: `vtc-evaluations.json` (version 1: rules and evaluations) and a
plugin report in `validation-report.json` whose violations and acknowledged (suppressed)
violations look like cdk-nag's. It is no rule pack: it only lets the report's tests change a
template and see the report's status follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

PLUGIN = "VTC"

Check = Callable[[dict[str, Any]], str]


def _copy_elsewhere(resource: dict[str, Any]) -> str:
    rules = resource["Properties"]["BackupPlan"]["BackupPlanRule"]
    return "compliant" if all(rule.get("CopyActions") for rule in rules) else "non_compliant"


def _three_generations(resource: dict[str, Any]) -> str:
    rules = resource["Properties"]["BackupPlan"]["BackupPlanRule"]
    ok = any((rule.get("Lifecycle") or {}).get("DeleteAfterDays", 0) >= 3 for rule in rules)
    return "compliant" if ok else "non_compliant"


def _encrypted_with_cmk(resource: dict[str, Any]) -> str:
    return "compliant" if resource.get("Properties", {}).get("KmsKeyId") else "non_compliant"


def _database_encrypted(resource: dict[str, Any]) -> str:
    props = resource["Properties"]
    return "compliant" if props.get("StorageEncrypted") and props.get("KmsKeyId") else "non_compliant"


RULES: dict[str, tuple[str, str, str, dict[str, Check]]] = {
    # rule id: (condition, paragraph, title, {resource type: check})
    "VTC-BACKUP-ELSEWHERE": (
        "VTC-BACKUP-ELSEWHERE",
        "37",
        "Every backup rule copies elsewhere",
        {"AWS::Backup::BackupPlan": _copy_elsewhere},
    ),
    "VTC-BACKUP-RETENTION": (
        "VTC-BACKUP-RETENTION",
        "38-39",
        "Three daily generations",
        {"AWS::Backup::BackupPlan": _three_generations},
    ),
    "VTC-ENCRYPT-ALL-LOGS": (
        "VTC-ENCRYPT-ALL",
        "48",
        "Log groups use a customer-managed key",
        {"AWS::Logs::LogGroup": _encrypted_with_cmk},
    ),
    "VTC-ENCRYPT-ALL-DATABASE": (
        "VTC-ENCRYPT-ALL",
        "48",
        "Databases use a customer-managed key",
        {"AWS::RDS::DBInstance": _database_encrypted},
    ),
}


def run(cdk_out: Path, *, acknowledge: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Evaluate every rule on every template of cdk_out and write the pack's two outputs.

    acknowledge maps (rule id, construct path) to the reason of an acknowledgement.
    """
    acknowledge = acknowledge or {}
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    evaluations, violations, suppressed = [], [], []
    for artifact in manifest["artifacts"].values():
        if artifact["type"] != "cdk:cloud-assembly":
            continue
        directory = cdk_out / artifact["properties"]["directoryName"]
        stage = artifact["properties"]["displayName"]
        nested = json.loads((directory / "manifest.json").read_text())
        for stack in (a for a in nested["artifacts"].values() if a["type"] == "aws:cloudformation:stack"):
            template = json.loads((directory / stack["properties"]["templateFile"]).read_text())
            for logical_id, resource in template["Resources"].items():
                path = resource.get("Metadata", {}).get("aws:cdk:path", "")
                for rule_id, (_c, paragraph, title, checks) in RULES.items():
                    check = checks.get(resource["Type"])
                    if check is None:
                        continue
                    result = check(resource)
                    evaluations.append(
                        {
                            "rule_id": rule_id,
                            "stage": stage,
                            "stack": stack["displayName"],
                            "logical_id": logical_id,
                            "path": path,
                            "resource_type": resource["Type"],
                            "result": result,
                        }
                    )
                    if result != "non_compliant":
                        continue
                    finding = {
                        "ruleName": rule_id,
                        "description": f"{title} (VTC §{paragraph})",
                        "severity": "error",
                        "violatingConstructs": [
                            {
                                "constructPath": path,
                                "constructFqn": "CfnResource",
                                "libraryVersion": "2.275.0",
                                "stackTraces": [],
                            }
                        ],
                    }
                    reason = acknowledge.get((rule_id, path))
                    if reason is None:
                        violations.append(finding)
                    else:
                        suppressed.append(
                            {
                                **finding,
                                "acknowledgedId": f"{PLUGIN}::{rule_id}",
                                "reason": reason,
                                "acknowledgedAt": path.rsplit("/", 1)[0],
                            }
                        )
    data = {
        "version": 1,
        "rules": [
            {
                "rule_id": rule_id,
                "condition_id": c,
                "paragraph": p,
                "title": t,
                "trigger": f"{', '.join(checks)} not meeting: {t}",
                "fix": "see the rule's module",
            }
            for rule_id, (c, p, t, checks) in RULES.items()
        ],
        "evaluations": evaluations,
    }
    (cdk_out / "vtc-evaluations.json").write_text(json.dumps(data, indent=1))
    report_path = cdk_out / "validation-report.json"
    report = json.loads(report_path.read_text())
    report["pluginReports"] = [p for p in report["pluginReports"] if p["pluginName"] != PLUGIN]
    report["pluginReports"].append(
        {
            "pluginName": PLUGIN,
            "conclusion": "failure" if violations else "success",
            "violations": violations,
            "suppressedViolations": suppressed,
        }
    )
    report_path.write_text(json.dumps(report, indent=1))
    return data
