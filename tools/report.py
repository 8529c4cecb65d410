"""The compliance report of one synthesis (VTC-POLICIES-VISIBLE §55/§58, VTC-RISK-ACCEPTED §56).

    python -m tools.report cdk.out [--config my.toml] [--catalogue path/to/vtc-conditions.md]

Reads what the synthesis actually produced — the templates and manifests of every environment's
assembly, `validation-report.json` (every finding and acknowledgement of every rule pack) and
`vtc-evaluations.json` (every evaluation of the VTC pack) — plus the condition catalogue and the
configuration, and writes for every environment, in `cdk.out/compliance/<env>/`:

    report.md          the tables, for a pull request's job summary and for reviewers
    report.json        the same, for machines
    report.html        one self-contained page an auditor can open offline
    architecture.svg   the picture of the environment, drawn from the templates

Nothing here is a hand-kept list: a condition is "enforced and passing" only when the VTC pack
evaluated resources for it and found them compliant in this very synthesis. Two conditions no
per-resource rule evaluates are computed by the gate's own checks (`policies/gate.py`) on the same
inputs: VTC-RISK-ACCEPTED (every acknowledgement of the environment carries a reason) and VTC-GATE
(no unacknowledged finding, no never-acknowledge rule acknowledged, the VTC pack ran).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdk_constructs.vtc_metadata import METADATA_KEY
from config import ConfigError, EnvironmentConfig, LandingZoneConfig, load_config
from policies import gate
from tools import diagram

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT.parent / "shared" / "vtc-conditions.md"
EVALUATIONS_FILE = "vtc-evaluations.json"
VALIDATION_FILE = "validation-report.json"

ORGANISATIONAL = "organisational"
FAILING = "failing"
ACCEPTED = "accepted-risk"
ENFORCED = "enforced"
NOT_CHECKED = "not-checked"
STATUS_LABELS = {
    ENFORCED: "enforced and passing",
    ACCEPTED: "accepted risk",
    FAILING: "failing",
    ORGANISATIONAL: "organisational",
    NOT_CHECKED: "not checked",
}
PACK_DID_NOT_RUN = "not checked: VTC pack did not run (no vtc-evaluations.json in this cdk.out)"
# The conditions the synthesis and the gate enforce as a whole, not per resource.
GATE = "VTC-GATE"
RISK_ACCEPTED = "VTC-RISK-ACCEPTED"

_VTC_RULE = re.compile(r"(VTC-[A-Z0-9-]+)")


class ReportError(Exception):
    """A problem with the inputs, said in one line."""


# The catalogue ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Condition:
    id: str
    paragraph: str
    paraphrase: str
    checkable: str
    control: str

    @property
    def organisational(self) -> bool:
        return self.checkable.strip().lower().startswith(ORGANISATIONAL)

    @property
    def evidence(self) -> str:
        """For organisational conditions: what an auditor must ask for (the catalogue says it)."""
        return self.control.removeprefix("evidence:").strip()


def read_catalogue(path: Path = CATALOGUE) -> list[Condition]:
    """Every row of the conditions table of vtc-conditions.md, in its order."""
    if not path.is_file():
        raise ReportError(
            f"report error: the VTC condition catalogue {path} is missing "
            "(expected ../shared/vtc-conditions.md next to the project)"
        )
    conditions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| VTC-"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5:
            raise ReportError(f"report error: {path}: a condition row has {len(cells)} cells, expected 5: {line}")
        conditions.append(
            Condition(id=cells[0], paragraph=cells[1], paraphrase=cells[2], checkable=cells[3], control=cells[4])
        )
    if not conditions:
        raise ReportError(f"report error: {path}: no condition rows (lines starting with '| VTC-')")
    return conditions


def _rule_id(rule: str) -> str:
    """`VTC-ENCRYPT-ALL-LOGS` from `VTC-ENCRYPT-ALL-LOGS`, `Pack-VTC-ENCRYPT-ALL-LOGS[x]` and the like."""
    match = _VTC_RULE.search(rule)
    return match[1].rstrip("-") if match else rule


def condition_of(rule: str, condition_ids: list[str], rule_conditions: dict[str, str]) -> str | None:
    """The condition a VTC rule serves: the pack's own mapping first, else the longest condition id
    the rule id starts with (rule ids are condition ids, or a condition id plus a suffix)."""
    if not _VTC_RULE.search(rule):
        return None
    rule_id = _rule_id(rule)
    if rule_id in rule_conditions:
        return rule_conditions[rule_id]
    candidates = [c for c in condition_ids if rule_id == c or rule_id.startswith(c + "-")]
    return max(candidates, key=len) if candidates else None


# The cloud assembly ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class Stack:
    env: str
    artifact_id: str
    display_name: str
    stack_name: str
    account: str
    region: str
    template: dict[str, Any]
    paths: dict[str, str] = field(default_factory=dict)  # logical id -> construct path

    @property
    def description(self) -> str:
        return str(self.template.get("Description", ""))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") == resource_type}


def read_assembly(cdk_out: Path) -> dict[str, list[Stack]]:
    """Every stack of every environment (nested assembly) of a cdk.out directory."""
    manifest_path = cdk_out / "manifest.json"
    if not manifest_path.is_file():
        raise ReportError(f"report error: {manifest_path} is missing: run `cdk synth` first")
    manifest = json.loads(manifest_path.read_text())
    envs: dict[str, list[Stack]] = {}
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "cdk:cloud-assembly":
            continue
        props = artifact["properties"]
        directory = cdk_out / props["directoryName"]
        env = props.get("displayName") or props["directoryName"].removeprefix("assembly-")
        envs[env] = _read_stacks(env, directory)
    return envs


def _read_stacks(env: str, directory: Path) -> list[Stack]:
    nested = json.loads((directory / "manifest.json").read_text())
    stacks = []
    for artifact_id, artifact in nested.get("artifacts", {}).items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties", {})
        template = json.loads((directory / props["templateFile"]).read_text())
        account, region = artifact.get("environment", "aws://unknown/unknown").removeprefix("aws://").split("/")
        stack = Stack(
            env=env,
            artifact_id=artifact_id,
            display_name=artifact.get("displayName", artifact_id),
            stack_name=props.get("stackName", artifact_id),
            account=account,
            region=region,
            template=template,
        )
        metadata = artifact.get("metadata") or {}
        metadata_file = directory / f"{artifact_id}.metadata.json"
        if not metadata and metadata_file.is_file():
            metadata = json.loads(metadata_file.read_text())
        for path, entries in metadata.items():
            for entry in entries:
                if entry.get("type") == "aws:cdk:logicalId":
                    stack.paths[entry["data"]] = path.lstrip("/")
        for logical_id, resource in stack.resources.items():
            path = (resource.get("Metadata") or {}).get("aws:cdk:path")
            if path:
                stack.paths[logical_id] = path
        stacks.append(stack)
    return stacks


# Intrinsics, rendered for people -------------------------------------------------------------


def text(value: Any) -> str:
    """A template value as a reader sees it (Ref AWS::Partition stays a placeholder)."""
    if isinstance(value, str | int | float | bool):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return f"${{{arg}}}"
        if fn == "Fn::GetAtt":
            return f"${{{'.'.join(map(str, arg))}}}"
        if fn == "Fn::Join":
            return str(arg[0]).join(text(v) for v in arg[1])
        if fn == "Fn::ImportValue":
            return f"import({text(arg)})"
    return json.dumps(value, sort_keys=True)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    props = resource.get("Properties", {})
    for key in ("Tags", "BackupVaultTags", "BackupPlanTags"):
        tags = props.get(key)
        if isinstance(tags, dict):
            return {str(k): text(v) for k, v in tags.items()}
        if isinstance(tags, list):
            return {str(t.get("Key")): text(t.get("Value")) for t in tags if isinstance(t, dict)}
    return {}


# Findings and evaluations ------------------------------------------------------------------


@dataclass(kw_only=True)
class Finding:
    pack: str
    rule: str
    description: str
    paths: list[str]
    suppressed: bool
    acknowledged_id: str = ""
    acknowledged_at: str = ""
    reason: str = ""


def read_findings(cdk_out: Path) -> tuple[list[Finding], bool]:
    """Every violation and acknowledged (suppressed) violation of every pack; and whether the
    validation report existed at all."""
    path = cdk_out / VALIDATION_FILE
    if not path.is_file():
        return [], False
    report = json.loads(path.read_text())
    findings = []
    for plugin in report.get("pluginReports", []):
        pack = plugin.get("pluginName", "?")
        for suppressed, key in ((False, "violations"), (True, "suppressedViolations")):
            for v in plugin.get(key) or []:
                findings.append(
                    Finding(
                        pack=pack,
                        rule=v.get("ruleName", "?"),
                        description=v.get("description", ""),
                        paths=[c.get("constructPath", "?") for c in v.get("violatingConstructs", [])],
                        suppressed=suppressed,
                        acknowledged_id=v.get("acknowledgedId", ""),
                        acknowledged_at=v.get("acknowledgedAt", ""),
                        reason=v.get("reason", ""),
                    )
                )
    return findings, True


def read_evaluations(cdk_out: Path) -> dict[str, Any] | None:
    path = cdk_out / EVALUATIONS_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    if data.get("version") != 1:
        raise ReportError(f"report error: {path}: version {data.get('version')!r}, this report reads version 1")
    return data


def in_env(path: str, env: str) -> bool:
    return path == env or path.startswith(f"{env}/")


# The report of one environment -------------------------------------------------------------


@dataclass(kw_only=True)
class Inputs:
    conditions: list[Condition]
    envs: dict[str, list[Stack]]
    findings: list[Finding]
    validation_report_found: bool
    evaluations: dict[str, Any] | None
    config: LandingZoneConfig | None
    validation_report: dict[str, Any] | None = None  # validation-report.json as read (the gate's input)
    cdk_out: Path | None = None


def build_report(inputs: Inputs, env: str) -> dict[str, Any]:
    """The whole report of one environment as plain data (written as JSON, rendered as MD/HTML)."""
    stacks = inputs.envs[env]
    cfg = inputs.config.environments.get(env) if inputs.config else None
    by_path = {path: (s, lid) for s in stacks for lid, path in s.paths.items()}

    def locate(path: str) -> dict[str, str]:
        # Findings name the L1 resource's path; acknowledgements may sit on a parent construct.
        stack, logical_id = by_path.get(path, (None, ""))
        if stack is None:
            owner = next((s for s in stacks if path.startswith(s.display_name + "/")), None)
            return {"stack": owner.stack_name if owner else "", "logical_id": "", "path": path}
        return {"stack": stack.stack_name, "logical_id": logical_id, "path": path}

    ids = [c.id for c in inputs.conditions]
    evaluations = inputs.evaluations
    rule_conditions = {r["rule_id"]: r["condition_id"] for r in (evaluations or {}).get("rules", [])}
    rules_by_condition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rule in (evaluations or {}).get("rules", []):
        rules_by_condition[rule["condition_id"]].append(rule)

    env_findings = [f for f in inputs.findings if any(in_env(p, env) for p in f.paths)]
    vtc_findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in env_findings:
        condition = condition_of(finding.rule, ids, rule_conditions)
        if condition:
            vtc_findings[condition].append(finding)
    # (rule id, construct path) of every VTC finding, acknowledged or not: an evaluation that is
    # non-compliant there is already reported through the finding.
    reported_at = {(_rule_id(f.rule), p) for fs in vtc_findings.values() for f in fs for p in f.paths}

    env_evaluations = [e for e in (evaluations or {}).get("evaluations", []) if e.get("stage") == env]
    evaluations_by_condition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for evaluation in env_evaluations:
        condition = condition_of(evaluation["rule_id"], ids, rule_conditions)
        if condition:
            evaluations_by_condition[condition].append(evaluation)

    implemented_by: dict[str, list[dict[str, str]]] = defaultdict(list)
    described_by: dict[str, list[str]] = defaultdict(list)
    for stack in stacks:
        for cid in _VTC_RULE.findall(stack.description):
            described_by[cid.rstrip(".,")].append(stack.stack_name)
        for lid, resource in stack.resources.items():
            for cid in (resource.get("Metadata") or {}).get(METADATA_KEY, []):
                implemented_by[cid].append(
                    {
                        "stack": stack.stack_name,
                        "logical_id": lid,
                        "type": resource["Type"],
                        "path": stack.paths.get(lid, ""),
                    }
                )

    gate_rows = _gate_rows(inputs, env)
    rows = []
    for condition in inputs.conditions:
        cid = condition.id
        evals = evaluations_by_condition.get(cid, [])
        violations = [f for f in vtc_findings.get(cid, []) if not f.suppressed]
        acknowledged = [f for f in vtc_findings.get(cid, []) if f.suppressed]
        # A non-compliant evaluation without any finding (e.g. a validation report from another
        # run) still fails the condition.
        non_compliant = [
            e for e in evals if e["result"] == "non_compliant" and (e["rule_id"], e.get("path", "")) not in reported_at
        ]
        compliant = [e for e in evals if e["result"] == "compliant"]
        gate_row = gate_rows.get(cid)
        if gate_row is not None:
            status, note = gate_row["status"], gate_row["note"]
        elif condition.organisational:
            status, note = ORGANISATIONAL, f"outside what synthesis can prove; ask for: {condition.evidence}"
        elif violations or non_compliant:
            status, note = FAILING, "the VTC pack found resources that do not meet this condition"
        elif acknowledged:
            status, note = ACCEPTED, "the controller accepted the risk of the findings below (§56)"
        elif compliant:
            status, note = ENFORCED, f"{len(compliant)} resource evaluation(s) compliant"
        elif evaluations is None:
            status, note = NOT_CHECKED, PACK_DID_NOT_RUN
        else:
            status, note = NOT_CHECKED, "not checked: no VTC rule evaluated a resource for this condition here"
        rules = sorted({e["rule_id"] for e in evals} | {r["rule_id"] for r in rules_by_condition.get(cid, [])})
        rows.append(
            {
                "id": cid,
                "paragraph": condition.paragraph,
                "paraphrase": condition.paraphrase,
                "checkable": condition.checkable,
                "expected_control": condition.control,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "note": note,
                "rules": rules,
                "evaluated": {
                    result: sum(1 for e in evals if e["result"] == result)
                    for result in ("compliant", "non_compliant", "not_applicable")
                },
                "compliant_resources": [
                    {
                        "rule": e["rule_id"],
                        "stack": _stack_name(stacks, e.get("stack", "")),
                        "logical_id": e.get("logical_id", ""),
                        "path": e.get("path", ""),
                        "type": e.get("resource_type", ""),
                    }
                    for e in compliant
                ],
                "failures": (gate_row or {}).get("failures", [])
                + [
                    {"rule": f.rule, "description": f.description, **locate(p)}
                    for f in violations
                    for p in f.paths
                    if in_env(p, env)
                ]
                + [
                    {
                        "rule": e["rule_id"],
                        "description": "non-compliant evaluation",
                        "stack": _stack_name(stacks, e.get("stack", "")),
                        "logical_id": e.get("logical_id", ""),
                        "path": e.get("path", ""),
                    }
                    for e in non_compliant
                ],
                "accepted_risks": [
                    {
                        "rule": f.rule,
                        "acknowledged_id": f.acknowledged_id,
                        "acknowledged_at": f.acknowledged_at,
                        "reason": f.reason,
                        **locate(p),
                    }
                    for f in acknowledged
                    for p in f.paths
                    if in_env(p, env)
                ],
                "implemented_by": implemented_by.get(cid, []),
                "stacks_citing": sorted(set(described_by.get(cid, []))),
                **({"gate_checks": gate_row["checks"]} if gate_row is not None else {}),
            }
        )

    register = []
    for f in env_findings:
        if not f.suppressed:
            continue
        for p in f.paths:
            if in_env(p, env):
                mentioned = sorted(set(_VTC_RULE.findall(f.reason)) | set(_VTC_RULE.findall(f.rule)))
                register.append(
                    {
                        "pack": f.pack,
                        "rule": f.rule,
                        "acknowledged_id": f.acknowledged_id,
                        "acknowledged_at": f.acknowledged_at,
                        "reason": f.reason,
                        "conditions": [m.rstrip(".,") for m in mentioned],
                        **locate(p),
                    }
                )
    unacknowledged = [
        {"pack": f.pack, "rule": f.rule, "description": f.description, **locate(p)}
        for f in env_findings
        if not f.suppressed
        for p in f.paths
        if in_env(p, env)
    ]

    counts = {status: sum(1 for r in rows if r["status"] == status) for status in STATUS_LABELS}
    facts = environment_facts(stacks, cfg)
    return {
        "version": 1,
        "environment": env,
        "inputs": {
            "validation_report": inputs.validation_report_found,
            "vtc_evaluations": inputs.evaluations is not None,
            "config": cfg is not None,
        },
        "summary": {
            "conditions": len(rows),
            **counts,
            "acknowledgements": len(register),
            "unacknowledged_findings": len(unacknowledged),
        },
        "environment_config": _config_summary(cfg),
        "stacks": [
            {
                "stack": s.stack_name,
                "display_name": s.display_name,
                "account": s.account,
                "region": s.region,
                "description": s.description,
                "outputs": {
                    k: {"description": o.get("Description", ""), "value": text(o.get("Value"))}
                    for k, o in s.template.get("Outputs", {}).items()
                },
            }
            for s in stacks
        ],
        "conditions": rows,
        "accepted_risks": register,
        "unacknowledged_findings": unacknowledged,
        **facts,
        "diagram": "architecture.svg",
    }


def _gate_rows(inputs: Inputs, env: str) -> dict[str, dict[str, Any]]:
    """VTC-RISK-ACCEPTED and VTC-GATE of one environment, from the gate's own checks on the same
    inputs as `python -m policies.gate` (validation-report.json, vtc-evaluations.json, the config)."""

    def listed(problems: list[str], most: int = 5) -> str:
        more = f"; and {len(problems) - most} more" if len(problems) > most else ""
        return "; ".join(problems[:most]) + more

    def failures(rule: str, problems: list[str]) -> list[dict[str, str]]:
        return [{"rule": rule, "description": p, "stack": "", "logical_id": "", "path": ""} for p in problems]

    if inputs.validation_report is None:
        missing = f"no {VALIDATION_FILE} in this cdk.out (synthesize with @aws-cdk/core:validationReportJson)"
        return {
            RISK_ACCEPTED: {"status": NOT_CHECKED, "note": f"not checked: {missing}", "failures": [], "checks": {}},
            GATE: {
                "status": FAILING,
                "note": f"the gate cannot run: {missing}",
                "failures": failures(GATE, [missing]),
                "checks": {},
            },
        }
    config = inputs.config
    environments = set(config.environments) if config else set(inputs.envs)
    personal = {n for n, e in config.environments.items() if e.holds_personal_data} if config else set()
    checks = gate.check_environment(inputs.validation_report, inputs.cdk_out or Path("."), env, personal, environments)
    by_pack = dict(sorted(Counter(a.pack for a in checks.acknowledgements).items()))
    counted = ", ".join(f"{pack} {n}" for pack, n in by_pack.items()) or "none"
    summary = {
        "holds_personal_data": checks.holds_personal_data,
        "acknowledgements_by_pack": by_pack,
        "acknowledgements_without_reason": len(checks.without_reason),
        "unacknowledged_findings": len(checks.unacknowledged),
        "never_acknowledge_rules_acknowledged": len(checks.never_acknowledged),
        "vtc_pack_ran": not checks.pack_did_not_run,
    }
    rows: dict[str, dict[str, Any]] = {}
    if checks.without_reason:
        rows[RISK_ACCEPTED] = {
            "status": FAILING,
            "failures": failures(RISK_ACCEPTED, checks.without_reason),
            "checks": summary,
            "note": f"{len(checks.without_reason)} of {len(checks.acknowledgements)} acknowledgement(s) in the "
            f"register carry no reason (by pack: {counted}): {listed(checks.without_reason)}",
        }
    else:
        rows[RISK_ACCEPTED] = {
            "status": ENFORCED,
            "failures": [],
            "checks": summary,
            "note": f"every acknowledgement carries a reason: {len(checks.acknowledgements)} in the register "
            f"(by pack: {counted})",
        }
    passing = (
        "no unacknowledged finding, no never-acknowledge rule acknowledged, the VTC pack ran, every "
        "acknowledgement carries a reason"
    )
    if not checks.passes:
        scope = "holds personal data" if checks.holds_personal_data else "holds no personal data"
        rows[GATE] = {
            "status": FAILING,
            "failures": failures(GATE, checks.problems),
            "checks": summary,
            "note": f"the gate (python -m policies.gate) fails for this environment, which {scope}: "
            f"{listed(checks.problems)}",
        }
    elif checks.holds_personal_data:
        rows[GATE] = {
            "status": ENFORCED,
            "failures": [],
            "checks": summary,
            "note": f"the gate passes for this personal-data environment: {passing}",
        }
    else:
        rows[GATE] = {
            "status": ENFORCED,
            "failures": [],
            "checks": summary,
            "note": "the gate applies to environments that hold personal data only, and this one holds "
            f"none; its checks pass all the same ({passing}), and the VTC pack fails "
            "synthesis on any finding here too",
        }
    return rows


def _stack_name(stacks: list[Stack], ref: str) -> str:
    """The pack names a stack by its construct path, artifact id or name: report the stack name."""
    for stack in stacks:
        if ref in (stack.display_name, stack.artifact_id, stack.stack_name, stack.display_name.split("/")[-1]):
            return stack.stack_name
    return ref


def _config_summary(cfg: EnvironmentConfig | None) -> dict[str, Any]:
    if cfg is None:
        return {}
    return {
        "region": cfg.region,
        "holds_personal_data": cfg.holds_personal_data,
        "owner": cfg.owner,
        "accounts": cfg.accounts.model_dump(),
        "uses_documentation_accounts": cfg.uses_documentation_accounts,
    }


# Facts an auditor asks for: keys, backups, logs, personal data --------------------------------

_KEY_PURPOSES = ("data", "backup", "log", "secondary_backup")
_ADMIN_ACTIONS = {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:*"}
_USE_ACTIONS = {"kms:Decrypt", "kms:Decrypt*", "kms:Encrypt", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:*"}


def _principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal", {})
    if principal == "*":
        return ["*"]
    out = []
    for kind, values in principal.items():
        for value in as_list(values):
            out.append(text(value) if kind == "AWS" else f"service {text(value)}")
    return out


def _conditions_text(statement: dict[str, Any]) -> str:
    parts = []
    for operator, pairs in (statement.get("Condition") or {}).items():
        for key, value in pairs.items():
            parts.append(f"{key} {operator} {text(value)}")
    return "; ".join(parts)


def environment_facts(stacks: list[Stack], cfg: EnvironmentConfig | None) -> dict[str, Any]:
    keys = []
    key_by_alias: dict[str, dict[str, Any]] = {}
    for stack in stacks:
        aliases = {
            text(a["Properties"].get("TargetKeyId")).split(".")[0].strip("${}"): a["Properties"]["AliasName"]
            for a in stack.of_type("AWS::KMS::Alias").values()
        }
        for lid, resource in stack.of_type("AWS::KMS::Key").items():
            props = resource.get("Properties", {})
            admins, users = [], []
            for statement in props.get("KeyPolicy", {}).get("Statement", []):
                actions = set(as_list(statement.get("Action")))
                entry = {
                    "sid": statement.get("Sid", ""),
                    "principals": _principals(statement),
                    "conditions": _conditions_text(statement),
                }
                if actions & _ADMIN_ACTIONS:
                    admins.append(entry)
                elif actions & _USE_ACTIONS:
                    users.append(entry)
            alias = aliases.get(lid, "")
            key = {
                "stack": stack.stack_name,
                "logical_id": lid,
                "path": stack.paths.get(lid, ""),
                "custody_account": stack.account,
                "region": stack.region,
                "alias": alias,
                "description": text(props.get("Description", "")),
                "origin": props.get("Origin", "AWS_KMS"),
                "rotation": (
                    f"automatic, every {props.get('RotationPeriodInDays', 365)} days"
                    if props.get("EnableKeyRotation")
                    else "imported key material: FB rotates on demand (see README)"
                    if props.get("Origin") == "EXTERNAL"
                    else "no automatic rotation"
                ),
                "rotation_period_days": props.get("RotationPeriodInDays") if props.get("EnableKeyRotation") else None,
                "administrators": admins,
                "users": users,
                "deletion_policy": resource.get("DeletionPolicy", "Delete"),
            }
            keys.append(key)
            if alias:
                key_by_alias[alias.removeprefix("alias/")] = key
    key_arns: dict[str, str] = {}
    if cfg is not None:
        for purpose in _KEY_PURPOSES:
            if purpose == "secondary_backup" and cfg.backup.secondary_region is None:
                continue
            arn = cfg.key_arn(purpose)  # type: ignore[arg-type]
            key_arns[arn] = purpose
            key = key_by_alias.get(cfg.key_alias_name(purpose))
            if key is not None:
                key["purpose"] = purpose
                key["arn_in_config"] = arn

    def key_label(value: Any) -> str:
        arn = text(value)
        purpose = key_arns.get(arn)
        return f"{purpose} key ({arn})" if purpose else arn

    vaults = []
    for stack in stacks:
        for lid, resource in stack.of_type("AWS::Backup::BackupVault").items():
            props = resource["Properties"]
            lock = props.get("LockConfiguration") or {}
            vaults.append(
                {
                    "stack": stack.stack_name,
                    "logical_id": lid,
                    "path": stack.paths.get(lid, ""),
                    "name": text(props.get("BackupVaultName")),
                    "account": stack.account,
                    "region": stack.region,
                    "key": key_label(props.get("EncryptionKeyArn")),
                    "arn": f"arn:<partition>:backup:{stack.region}:{stack.account}:backup-vault:"
                    f"{text(props.get('BackupVaultName'))}",
                    "lock": {
                        "min_retention_days": lock.get("MinRetentionDays"),
                        "max_retention_days": lock.get("MaxRetentionDays"),
                        "mode": (f"compliance (immutable after {lock['ChangeableForDays']} days)")
                        if "ChangeableForDays" in lock
                        else "governance"
                        if lock
                        else "none",
                    },
                    "classification": tags_of(resource).get("led:data-classification", ""),
                }
            )
    plans = []
    for stack in stacks:
        for lid, resource in stack.of_type("AWS::Backup::BackupPlan").items():
            body = resource["Properties"]["BackupPlan"]
            rules = []
            for rule in body.get("BackupPlanRule", []):
                copies = []
                for action in rule.get("CopyActions", []):
                    arn = text(action.get("DestinationBackupVaultArn"))
                    target = _vault_for_arn(vaults, arn)
                    copies.append(
                        {
                            "destination": arn,
                            "retention_days": (action.get("Lifecycle") or {}).get("DeleteAfterDays"),
                            "account": target["account"] if target else _arn_part(arn, 4),
                            "region": target["region"] if target else _arn_part(arn, 3),
                        }
                    )
                target = rule.get("TargetBackupVault")
                target_id = (
                    (target.get("Ref") or (target.get("Fn::GetAtt") or [""])[0]) if isinstance(target, dict) else ""
                )
                target_vault = stack.resources.get(target_id, {}).get("Properties", {}).get("BackupVaultName", target)
                rules.append(
                    {
                        "name": rule.get("RuleName"),
                        "schedule": rule.get("ScheduleExpression"),
                        "retention_days": (rule.get("Lifecycle") or {}).get("DeleteAfterDays"),
                        "target_vault": text(target_vault),
                        "copies": copies,
                    }
                )
            plans.append(
                {
                    "stack": stack.stack_name,
                    "logical_id": lid,
                    "path": stack.paths.get(lid, ""),
                    "name": body.get("BackupPlanName"),
                    "account": stack.account,
                    "region": stack.region,
                    "rules": rules,
                }
            )
    restore_tests = [
        {"stack": s.stack_name, "logical_id": lid, "schedule": r["Properties"].get("ScheduleExpression")}
        for s in stacks
        for lid, r in s.of_type("AWS::Backup::RestoreTestingPlan").items()
    ]
    databases = []
    for stack in stacks:
        for lid, resource in stack.of_type("AWS::RDS::DBInstance").items():
            props = resource["Properties"]
            databases.append(
                {
                    "stack": stack.stack_name,
                    "logical_id": lid,
                    "path": stack.paths.get(lid, ""),
                    "identifier": text(props.get("DBInstanceIdentifier", lid)),
                    "account": stack.account,
                    "region": stack.region,
                    "engine": f"{props.get('Engine')} {props.get('EngineVersion', '')}".strip(),
                    "instance_class": props.get("DBInstanceClass"),
                    "multi_az": bool(props.get("MultiAZ")),
                    "storage_encrypted": bool(props.get("StorageEncrypted")),
                    "key": key_label(props.get("KmsKeyId")),
                    "automated_backup_retention_days": props.get("BackupRetentionPeriod"),
                    "log_exports": as_list(props.get("EnableCloudwatchLogsExports")),
                    "publicly_accessible": bool(props.get("PubliclyAccessible")),
                    "classification": tags_of(resource).get("led:data-classification", ""),
                }
            )

    log_stores = []
    for stack in stacks:
        for lid, resource in stack.of_type("AWS::Logs::LogGroup").items():
            props = resource.get("Properties", {})
            log_stores.append(
                {
                    "kind": "CloudWatch Logs log group",
                    "stack": stack.stack_name,
                    "logical_id": lid,
                    "name": text(props.get("LogGroupName", f"(generated: {stack.paths.get(lid, lid)})")),
                    "account": stack.account,
                    "region": stack.region,
                    "key": key_label(props.get("KmsKeyId")) if props.get("KmsKeyId") else "none",
                    "retention_days": props.get("RetentionInDays"),
                }
            )
        for lid, resource in stack.of_type("AWS::S3::Bucket").items():
            props = resource.get("Properties", {})
            if "ObjectLockConfiguration" in props or "log" in lid.lower():
                log_stores.append(
                    {
                        "kind": "S3 log archive bucket",
                        "stack": stack.stack_name,
                        "logical_id": lid,
                        "name": text(props.get("BucketName", stack.paths.get(lid, lid))),
                        "account": stack.account,
                        "region": stack.region,
                        "key": text(
                            ((props.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or [{}])[0]
                        ),
                        "object_lock": text(props.get("ObjectLockConfiguration", "none")),
                    }
                )
        for lid, resource in stack.of_type("AWS::CloudTrail::Trail").items():
            props = resource.get("Properties", {})
            log_stores.append(
                {
                    "kind": "CloudTrail trail",
                    "stack": stack.stack_name,
                    "logical_id": lid,
                    "name": text(props.get("TrailName", lid)),
                    "account": stack.account,
                    "region": stack.region,
                    "key": text(props.get("KMSKeyId", "none")),
                    "destination": text(props.get("S3BucketName", "")),
                }
            )
    log_readers = _log_readers(stacks, keys, cfg)
    personal = [
        {"stack": s.stack_name, "logical_id": lid, "type": r["Type"], "path": s.paths.get(lid, "")}
        for s in stacks
        for lid, r in s.resources.items()
        if tags_of(r).get("led:data-classification") in ("personal-data", "personal-data-export")
    ]
    network = _network(stacks)
    return {
        "keys": keys,
        "vaults": vaults,
        "backup_plans": plans,
        "restore_tests": restore_tests,
        "databases": databases,
        "log_stores": log_stores,
        "log_readers": log_readers,
        "personal_data_stores": personal,
        "network": network,
        "backup_summary": _backup_summary(cfg, plans, vaults),
    }


def _arn_part(arn: str, index: int) -> str:
    parts = re.sub(r"\$\{[^}]*\}", "partition", arn).split(":")
    return parts[index] if len(parts) > index else ""


def _vault_for_arn(vaults: list[dict[str, Any]], arn: str) -> dict[str, Any] | None:
    for vault in vaults:
        if (
            arn.endswith(f":backup-vault:{vault['name']}")
            and _arn_part(arn, 4) == vault["account"]
            and _arn_part(arn, 3) == vault["region"]
        ):
            return vault
    return None


def _backup_summary(
    cfg: EnvironmentConfig | None, plans: list[dict[str, Any]], vaults: list[dict[str, Any]]
) -> dict[str, Any]:
    copies = [c for p in plans for r in p["rules"] for c in r["copies"]]
    return {
        "generations_configured": cfg.backup.generations if cfg else None,
        "daily_rules": [
            f"{p['name']}/{r['name']}: {r['schedule']}, kept {r['retention_days']} days"
            for p in plans
            for r in p["rules"]
        ],
        "copies": [
            f"{c['destination']} (account {c['account']}, {c['region']}), kept {c['retention_days']} days"
            for c in copies
        ],
        "copies_to_other_account": sum(
            1
            for p in plans
            for c in (x for r in p["rules"] for x in r["copies"])
            if c["account"] and c["account"] != p["account"]
        ),
        "vaults": len(vaults),
    }


_LOG_READ = re.compile(
    r"^(logs:(\*|Get.*|FilterLogEvents|StartQuery|Describe.*)|s3:(\*|GetObject.*)|"
    r"cloudtrail:LookupEvents)$"
)


def _log_readers(stacks: list[Stack], keys: list[dict[str, Any]], cfg: EnvironmentConfig | None) -> list[dict]:
    """Who can read the logs: the accounts holding them, who may decrypt with the log key, and the
    roles in these templates that are granted log read actions."""
    readers = []
    for key in keys:
        if key.get("purpose") == "log" or "log key" in key["description"]:
            for use in key["users"]:
                readers.append(
                    {
                        "who": ", ".join(use["principals"]),
                        "how": f"decrypt with the log key ({use['sid']})",
                        "condition": use["conditions"],
                    }
                )
    for stack in stacks:
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role"):
            for lid, resource in stack.of_type(kind).items():
                props = resource.get("Properties", {})
                documents = [props.get("PolicyDocument")] + [p.get("PolicyDocument") for p in props.get("Policies", [])]
                for document in filter(None, documents):
                    for statement in as_list(document.get("Statement")):
                        if statement.get("Effect") != "Allow":
                            continue
                        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
                        # The boundary's allow-all ceiling grants nothing (see cdk_constructs/boundary.py).
                        if any(_LOG_READ.match(a) for a in actions) and "PermissionsBoundary" not in stack.paths.get(
                            lid, ""
                        ):
                            readers.append(
                                {
                                    "who": f"{stack.stack_name}/{lid} (account {stack.account})",
                                    "how": ", ".join(a for a in actions if _LOG_READ.match(a)),
                                    "condition": _conditions_text(statement),
                                }
                            )
    if cfg is not None:
        readers.append(
            {
                "who": f"log archive account {cfg.accounts.log_archive} (AHOVOKS)",
                "how": "owns the log archive (VTC-LOGS-DIRECT, §27)",
                "condition": ""
                if any(s.account == cfg.accounts.log_archive for s in stacks)
                else "no stack of this synthesis is deployed to it yet",
            }
        )
    return readers


def _network(stacks: list[Stack]) -> dict[str, Any]:
    vpcs = []
    for stack in stacks:
        for lid, vpc in stack.of_type("AWS::EC2::VPC").items():
            tiers: dict[str, list[dict[str, str]]] = defaultdict(list)
            for _sid, subnet in stack.of_type("AWS::EC2::Subnet").items():
                props = subnet["Properties"]
                if text(props.get("VpcId")) != f"${{{lid}}}":
                    continue
                tags = tags_of(subnet)
                tiers[tags.get("aws-cdk:subnet-name", "?")].append(
                    {
                        "cidr": text(props.get("CidrBlock")),
                        "az": text(props.get("AvailabilityZone")),
                        "type": tags.get("aws-cdk:subnet-type", ""),
                    }
                )
            endpoints = [
                text(e["Properties"].get("ServiceName")).split(".")[-1]
                for e in stack.of_type("AWS::EC2::VPCEndpoint").values()
            ]
            vpcs.append(
                {
                    "stack": stack.stack_name,
                    "logical_id": lid,
                    "account": stack.account,
                    "region": stack.region,
                    "cidr": text(vpc["Properties"].get("CidrBlock")),
                    "tiers": dict(tiers),
                    "endpoints": endpoints,
                    "internet_gateway": bool(stack.of_type("AWS::EC2::InternetGateway")),
                    "nat_gateway": bool(stack.of_type("AWS::EC2::NatGateway")),
                    "flow_logs": len(stack.of_type("AWS::EC2::FlowLog")),
                }
            )
    return {"vpcs": vpcs}


# Rendering --------------------------------------------------------------------------------


def _md(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _where(item: dict[str, Any]) -> str:
    return f"`{item.get('stack', '')}` / `{item.get('logical_id', '') or '-'}` (`{item.get('path', '')}`)"


def compliance_table(report: dict[str, Any]) -> str:
    """The table of conditions alone (the pull request's job summary shows it)."""
    lines = [
        f"### VTC conditions — {report['environment']}",
        "",
        "| id | § | what the advice asks | status | evidence |",
        "|---|---|---|---|---|",
    ]
    for row in report["conditions"]:
        if "gate_checks" in row:
            evidence = row["note"]
        elif row["status"] == ENFORCED:
            evidence = f"rules {', '.join(row['rules'])}: {row['evaluated']['compliant']} compliant"
        elif row["status"] == ACCEPTED:
            evidence = "; ".join(f"{a['rule']} on `{a['path']}`: {a['reason']}" for a in row["accepted_risks"])
        elif row["status"] == FAILING:
            evidence = "; ".join(f"{f['rule']} on `{f['path']}`" for f in row["failures"])
        else:
            evidence = row["note"]
        lines.append(
            f"| {row['id']} | {_md(row['paragraph'])} | {_md(row['paraphrase'])} | "
            f"**{row['status_label']}** | {_md(evidence)} |"
        )
    s = report["summary"]
    lines += [
        "",
        f"{s['enforced']} enforced and passing, {s['accepted-risk']} accepted risk, {s['failing']} failing, "
        f"{s['organisational']} organisational, {s['not-checked']} not checked; "
        f"{s['acknowledgements']} acknowledgements in the accepted-risks register.",
    ]
    return "\n".join(lines) + "\n"


def render_markdown(report: dict[str, Any]) -> str:
    env = report["environment"]
    out = [f"# LED landing zone — compliance report, environment `{env}`", ""]
    out.append(
        "Generated by `python -m tools.report` from this synthesis: the templates, "
        "`validation-report.json`"
        + (
            ", `vtc-evaluations.json`"
            if report["inputs"]["vtc_evaluations"]
            else " (no `vtc-evaluations.json`: the VTC pack did not run)"
        )
        + " and the condition catalogue `vtc-conditions.md`. Picture: [architecture.svg](architecture.svg)."
    )
    out.append("")
    out.append(
        "Statuses: **enforced and passing** — the VTC pack evaluated resources for the condition and all "
        "passed; **accepted risk** — a finding was acknowledged with a reason (§56); **failing** — a VTC "
        "rule found a resource that does not comply; **organisational** — outside what code can prove, "
        "the evidence to ask for is named; **not checked** — no VTC rule evaluated it in this synthesis. "
        "VTC-RISK-ACCEPTED and VTC-GATE come from the gate's checks (`python -m policies.gate`) on this "
        "synthesis, not from per-resource rules."
    )
    out.append("")
    cfg = report["environment_config"]
    if cfg:
        acc = cfg["accounts"]
        out += [
            "## Environment",
            "",
            f"Region `{cfg['region']}`; holds personal data: **{'yes' if cfg['holds_personal_data'] else 'no'}**; "
            f"owner {cfg['owner']}."
            + (
                " Uses AWS documentation account ids: for review, not deployable."
                if cfg["uses_documentation_accounts"]
                else ""
            ),
            "",
            "| account | id |",
            "|---|---|",
        ]
        out += [f"| {name.replace('_', ' ')} | {value} |" for name, value in acc.items()]
        out.append("")
    out.append(compliance_table(report))
    out += ["## Conditions in detail", ""]
    for row in report["conditions"]:
        out.append(f"### {row['id']} (§{row['paragraph']}) — {row['status_label']}")
        out.append("")
        out.append(f"*{row['paraphrase']}* Expected control: {row['expected_control']}.")
        out.append("")
        out.append(f"Status: **{row['status_label']}** — {row['note'].removeprefix(row['status_label'] + ': ')}.")
        if row["rules"]:
            ev = row["evaluated"]
            out.append(
                f"Rules: {', '.join(row['rules'])}; evaluated {ev['compliant']} compliant, "
                f"{ev['non_compliant']} non-compliant, {ev['not_applicable']} not applicable."
            )
        if row["stacks_citing"]:
            out.append(f"Stacks whose description cites it: {', '.join(f'`{s}`' for s in row['stacks_citing'])}.")
        out.append("")
        for title, items, fmt in (
            ("Compliant resources", row["compliant_resources"], lambda i: f"{i['rule']}: {_where(i)}"),
            ("Failing", row["failures"], lambda i: f"{i['rule']}: {_where(i)} — {i['description']}"),
            (
                "Accepted risks",
                row["accepted_risks"],
                lambda i: f"{i['rule']}: {_where(i)}, acknowledged at `{i['acknowledged_at']}` — {i['reason']}",
            ),
            (
                "Resources that carry this id in their metadata",
                row["implemented_by"],
                lambda i: f"{i['type']} {_where(i)}",
            ),
        ):
            if items:
                out.append(f"{title}:")
                out += [f"- {fmt(i)}" for i in items]
                out.append("")
    out += [
        "## Accepted-risks register",
        "",
        "Every acknowledgement of every rule pack in this environment (VTC-RISK-ACCEPTED, §56).",
        "",
        "| pack | rule | resource | acknowledged at | reason | conditions |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["accepted_risks"]:
        out.append(
            f"| {r['pack']} | {_md(r['rule'])} | {_where(r)} | `{r['acknowledged_at']}` | {_md(r['reason'])} "
            f"| {', '.join(r['conditions'])} |"
        )
    if report["unacknowledged_findings"]:
        out += ["", "## Unacknowledged findings", "", "| pack | rule | resource | description |", "|---|---|---|---|"]
        out += [
            f"| {f['pack']} | {_md(f['rule'])} | {_where(f)} | {_md(f['description'])} |"
            for f in report["unacknowledged_findings"]
        ]
    out += [
        "",
        "## Keys",
        "",
        "| alias | purpose | custody account | region | rotation | administered by | used by |",
        "|---|---|---|---|---|---|---|",
    ]
    for k in report["keys"]:
        admins = "; ".join(", ".join(a["principals"]) for a in k["administrators"])
        users = "; ".join(f"{', '.join(u['principals'])} [{u['conditions']}]" for u in k["users"])
        out.append(
            f"| {k['alias']} | {k.get('purpose', '')} | {k['custody_account']} | {k['region']} | "
            f"{k['rotation']} | {_md(admins)} | {_md(users)} |"
        )
    bs = report["backup_summary"]
    out += ["", "## Backups", "", f"Generations configured: {bs['generations_configured']}.", ""]
    out += [f"- rule {r}" for r in bs["daily_rules"]] + [f"- copy to {c}" for c in bs["copies"]]
    out += ["", "| vault | account | region | key | lock (min/max days, mode) |", "|---|---|---|---|---|"]
    out += [
        f"| {v['name']} | {v['account']} | {v['region']} | {_md(v['key'])} | "
        f"{v['lock']['min_retention_days']}/{v['lock']['max_retention_days']}, {v['lock']['mode']} |"
        for v in report["vaults"]
    ]
    for db in report["databases"]:
        out.append("")
        out.append(
            f"Database `{db['identifier']}`: {db['engine']}, {db['instance_class']}, multi-AZ "
            f"{db['multi_az']}, encrypted {db['storage_encrypted']} with {db['key']}; automated backups "
            f"kept {db['automated_backup_retention_days']} days; logs exported: {', '.join(db['log_exports'])}."
        )
    out += [
        "",
        "## Logs and who can read them",
        "",
        "| store | name | account | key | retention |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {s['kind']} | {_md(s['name'])} | {s['account']} | {_md(s['key'])} | {s.get('retention_days', '')} |"
        for s in report["log_stores"]
    ]
    out += ["", "| who | how | condition |", "|---|---|---|"]
    out += [f"| {_md(r['who'])} | {_md(r['how'])} | {_md(r['condition'])} |" for r in report["log_readers"]]
    out += ["", "## Stacks and outputs", "", "| stack | account | region | description |", "|---|---|---|---|"]
    out += [f"| {s['stack']} | {s['account']} | {s['region']} | {_md(s['description'])} |" for s in report["stacks"]]
    out += ["", "| stack | output | description | value |", "|---|---|---|---|"]
    out += [
        f"| {s['stack']} | {name} | {_md(o['description'])} | `{_md(o['value'])}` |"
        for s in report["stacks"]
        for name, o in s["outputs"].items()
    ]
    out += ["", "## Personal-data stores (VTC-PERSONAL-DATA)", ""]
    out += [f"- {p['type']} {_where(p)}" for p in report["personal_data_stores"]] or ["- none in this environment"]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 6px;
vertical-align:top;text-align:left;font-size:13px}th{background:#eee}code{font-size:12px}
.enforced{background:#d9f2d9}.accepted-risk{background:#fff2cc}.failing{background:#f8d0d0}
.organisational{background:#dde6f5}.not-checked{background:#eee}details{margin:.3em 0}
"""


def render_html(report: dict[str, Any], svg: str) -> str:
    """One page, no external resource: the picture is inlined."""
    e = html.escape
    env = report["environment"]

    def table(headers: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join(
            f"<tr class='{classes[i] if classes else ''}'>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
            for i, row in enumerate(rows)
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def where(i: dict[str, Any]) -> str:
        return (
            f"<code>{e(i.get('stack', ''))}</code> / <code>{e(i.get('logical_id', '') or '-')}</code>"
            f"<br><small>{e(i.get('path', ''))}</small>"
        )

    rows, classes = [], []
    for row in report["conditions"]:
        details = []
        for title, items, fmt in (
            ("compliant", row["compliant_resources"], lambda i: f"{e(i['rule'])}: {where(i)}"),
            ("failing", row["failures"], lambda i: f"{e(i['rule'])}: {where(i)} — {e(i['description'])}"),
            ("accepted", row["accepted_risks"], lambda i: f"{e(i['rule'])}: {where(i)} — {e(i['reason'])}"),
            ("in metadata of", row["implemented_by"], lambda i: f"{e(i['type'])} {where(i)}"),
        ):
            if items:
                details.append(
                    f"<details><summary>{e(title)} ({len(items)})</summary><ul>"
                    + "".join(f"<li>{fmt(i)}</li>" for i in items)
                    + "</ul></details>"
                )
        rows.append(
            [
                f"<b>{e(row['id'])}</b>",
                e(row["paragraph"]),
                e(row["paraphrase"]),
                f"<b>{e(row['status_label'])}</b><br><small>{e(row['note'])}</small>",
                e(", ".join(row["rules"])),
                "".join(details),
            ]
        )
        classes.append(row["status"])
    s = report["summary"]
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>LED compliance report — {e(env)}</title>"
        f"<style>{_CSS}</style></head><body>",
        f"<h1>LED landing zone — compliance report, environment <code>{e(env)}</code></h1>",
        f"<p>{s['enforced']} enforced and passing, {s['accepted-risk']} accepted risk, {s['failing']} failing, "
        f"{s['organisational']} organisational, {s['not-checked']} not checked; {s['acknowledgements']} "
        f"acknowledgements.</p>",
        "" if report["inputs"]["vtc_evaluations"] else f"<p><b>{e(PACK_DID_NOT_RUN)}.</b></p>",
        "<h2>VTC conditions</h2>",
        table(["id", "§", "what the advice asks", "status", "rules", "evidence"], rows, classes),
        "<h2>Accepted-risks register</h2>",
        table(
            ["pack", "rule", "resource", "acknowledged at", "reason", "conditions"],
            [
                [
                    e(r["pack"]),
                    e(r["rule"]),
                    where(r),
                    f"<code>{e(r['acknowledged_at'])}</code>",
                    e(r["reason"]),
                    e(", ".join(r["conditions"])),
                ]
                for r in report["accepted_risks"]
            ],
        ),
    ]
    if report["unacknowledged_findings"]:
        parts += [
            "<h2>Unacknowledged findings</h2>",
            table(
                ["pack", "rule", "resource", "description"],
                [
                    [e(f["pack"]), e(f["rule"]), where(f), e(f["description"])]
                    for f in report["unacknowledged_findings"]
                ],
                ["failing"] * len(report["unacknowledged_findings"]),
            ),
        ]
    parts += [
        "<h2>Keys</h2>",
        table(
            ["alias", "purpose", "custody account", "region", "rotation", "administered by", "used by"],
            [
                [
                    e(k["alias"]),
                    e(k.get("purpose", "")),
                    e(k["custody_account"]),
                    e(k["region"]),
                    e(k["rotation"]),
                    "<br>".join(e(", ".join(a["principals"])) for a in k["administrators"]),
                    "<br>".join(
                        f"{e(', '.join(u['principals']))} <small>[{e(u['conditions'])}]</small>" for u in k["users"]
                    ),
                ]
                for k in report["keys"]
            ],
        ),
        "<h2>Backups</h2>",
        f"<p>Generations configured: {e(str(report['backup_summary']['generations_configured']))}.</p><ul>"
        + "".join(f"<li>rule {e(r)}</li>" for r in report["backup_summary"]["daily_rules"])
        + "".join(f"<li>copy to {e(c)}</li>" for c in report["backup_summary"]["copies"])
        + "</ul>",
        table(
            ["vault", "account", "region", "key", "lock"],
            [
                [
                    e(v["name"]),
                    e(v["account"]),
                    e(v["region"]),
                    e(v["key"]),
                    e(f"{v['lock']['min_retention_days']}/{v['lock']['max_retention_days']} days, {v['lock']['mode']}"),
                ]
                for v in report["vaults"]
            ],
        ),
        "<h2>Logs and who can read them</h2>",
        table(
            ["store", "name", "account", "key", "retention"],
            [
                [e(x["kind"]), e(x["name"]), e(x["account"]), e(x["key"]), e(str(x.get("retention_days", "")))]
                for x in report["log_stores"]
            ],
        ),
        table(
            ["who", "how", "condition"], [[e(r["who"]), e(r["how"]), e(r["condition"])] for r in report["log_readers"]]
        ),
        "<h2>Stacks and outputs</h2>",
        table(
            ["stack", "account", "region", "description", "outputs"],
            [
                [
                    e(x["stack"]),
                    e(x["account"]),
                    e(x["region"]),
                    e(x["description"]),
                    "<br>".join(f"<b>{e(n)}</b>: <code>{e(o['value'])}</code>" for n, o in x["outputs"].items()),
                ]
                for x in report["stacks"]
            ],
        ),
        "<h2>Architecture</h2>",
        "<p>Drawn from the synthesized templates (also as <a href='architecture.svg'>architecture.svg</a>).</p>",
        svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg,
        "</body></html>",
    ]
    return "\n".join(parts)


# Entry point ------------------------------------------------------------------------------


def load_inputs(cdk_out: Path, *, config_path: str | None = None, catalogue: Path = CATALOGUE) -> Inputs:
    conditions = read_catalogue(catalogue)
    envs = read_assembly(cdk_out)
    findings, found = read_findings(cdk_out)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise ReportError(f"report error: {exc}") from None
    validation = json.loads((cdk_out / VALIDATION_FILE).read_text()) if found else None
    return Inputs(
        conditions=conditions,
        envs=envs,
        findings=findings,
        validation_report_found=found,
        evaluations=read_evaluations(cdk_out),
        config=config,
        validation_report=validation,
        cdk_out=cdk_out,
    )


def write_reports(cdk_out: Path, inputs: Inputs) -> dict[str, dict[str, Any]]:
    """Write every environment's report and picture; return the reports by environment."""
    reports = {}
    for env in inputs.envs:
        report = build_report(inputs, env)
        svg = diagram.render(report)
        target = cdk_out / "compliance" / env
        target.mkdir(parents=True, exist_ok=True)
        (target / "report.json").write_text(json.dumps(report, indent=2) + "\n")
        (target / "report.md").write_text(render_markdown(report))
        (target / "architecture.svg").write_text(svg)
        (target / "report.html").write_text(render_html(report, svg))
        (target / "summary.md").write_text(compliance_table(report))
        reports[env] = report
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("cdk_out", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--config", default=None, help="the config file the synthesis used (default: embedded)")
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="vtc-conditions.md")
    args = parser.parse_args(argv)
    try:
        inputs = load_inputs(args.cdk_out, config_path=args.config, catalogue=args.catalogue)
        reports = write_reports(args.cdk_out, inputs)
    except ReportError as exc:
        print(exc, file=sys.stderr)
        return 2
    for env, report in reports.items():
        s = report["summary"]
        print(
            f"compliance report {args.cdk_out / 'compliance' / env}/report.html: {s['enforced']} enforced, "
            f"{s['accepted-risk']} accepted risk, {s['failing']} failing, {s['organisational']} organisational, "
            f"{s['not-checked']} not checked",
            file=sys.stderr,
        )
    if inputs.evaluations is None:
        print(f"note: {PACK_DID_NOT_RUN}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
