"""The checks a generated template passes before it is written: trust, boundary and the coverage of
every resource type deployed to its account."""

from __future__ import annotations

import json

from config import LandingZoneConfig
from policies.guardrails import deployment_boundary_name
from tools.bootstrap.handlers import NO_HANDLER_TYPES, handler_permissions, is_custom
from tools.bootstrap.model import BootstrapError, Target
from tools.bootstrap.roles import MANAGED_POLICY_MAX_CHARS, trusted_principals
from tools.bootstrap.template import BOUNDARY, EXECUTION_ROLE, TRUSTING_ROLES


def allowed_actions(template: dict) -> tuple[set[str], list[dict]]:
    """The actions the execution role's managed policies allow (lower case), and their statements."""
    resources = template["Resources"]
    statements: list[dict] = []
    for ref in resources[EXECUTION_ROLE]["Properties"].get("ManagedPolicyArns", []):
        if not isinstance(ref, dict) or "Ref" not in ref:
            raise BootstrapError(f"bootstrap: execution role policy {ref!r} is not one of the template's policies")
        statements += resources[ref["Ref"]]["Properties"]["PolicyDocument"]["Statement"]
    actions: set[str] = set()
    for st in statements:
        if st["Effect"] == "Allow":
            for a in st["Action"] if isinstance(st["Action"], list) else [st["Action"]]:
                actions.add(a.lower())
    return actions, statements


def _trust_problems(config: LandingZoneConfig, target: Target, resources: dict) -> list[str]:
    problems = []
    expected = sorted(trusted_principals(config, target))
    for name in TRUSTING_ROLES:
        props = resources[name]["Properties"]
        for st in props["AssumeRolePolicyDocument"]["Statement"]:
            principal = (
                st.get("Principal", {}).get("AWS") if isinstance(st.get("Principal"), dict) else st.get("Principal")
            )
            listed = sorted(principal if isinstance(principal, list) else [principal])
            if listed != expected:
                problems.append(f"{name} trusts {listed}, not only {expected}")
        if props.get("PermissionsBoundary") != {"Ref": BOUNDARY}:
            problems.append(f"{name} does not carry the LED deployment boundary")
    return problems


def _boundary_problems(config: LandingZoneConfig, target: Target, resources: dict) -> list[str]:
    problems = []
    if resources[EXECUTION_ROLE]["Properties"].get("PermissionsBoundary") != {"Ref": BOUNDARY}:
        problems.append(f"{EXECUTION_ROLE} does not carry the LED deployment boundary")
    boundary = resources.get(BOUNDARY, {}).get("Properties", {})
    if boundary.get("ManagedPolicyName") != deployment_boundary_name(config, target.region):
        problems.append(f"the deployment boundary is not named {deployment_boundary_name(config, target.region)}")
    sids = {st.get("Sid") for st in boundary.get("PolicyDocument", {}).get("Statement", [])}
    for sid in (
        "DenyOutsideAllowedRegions",
        "DenyOtherKeyCustodians",
        "DenyMakingDataPublic",
        "DenyChangingTheBootstrap",
    ):
        if sid not in sids:
            problems.append(f"the deployment boundary lacks the LED boundary's {sid}")
    return problems


def _coverage_problems(target: Target, template: dict, types: set[str]) -> list[str]:
    problems = []
    resources = template["Resources"]
    execution = resources[EXECUTION_ROLE]["Properties"]
    actions, _ = allowed_actions(template)
    if "*" in actions or any(a.endswith(":*") for a in actions):
        problems.append("the execution policy allows a wildcard action")
    if "AdministratorAccess" in json.dumps(execution):
        problems.append("the execution role has AdministratorAccess")
    for t in sorted(types - set(NO_HANDLER_TYPES)):
        if is_custom(t):
            if "lambda:invokefunction" not in actions:
                problems.append(f"{t}: the execution role may not invoke the custom resource's provider")
            continue
        missing = sorted(a for a in handler_permissions(t, target.region) if a.lower() not in actions)
        if missing:
            problems.append(f"{t}: the execution policy lacks {', '.join(missing[:5])}")
    for i, ref in enumerate(execution.get("ManagedPolicyArns", [])):
        document = resources[ref["Ref"]]["Properties"]["PolicyDocument"]
        if len(json.dumps(document, separators=(",", ":"))) > MANAGED_POLICY_MAX_CHARS:
            problems.append(f"execution policy {i + 1} is over the {MANAGED_POLICY_MAX_CHARS}-character limit")
    return problems


def check_template(config: LandingZoneConfig, target: Target, template: dict, types: set[str]) -> list[str]:
    """What is wrong with a bootstrap template: trust, boundary, coverage (empty when nothing)."""
    resources = template["Resources"]
    return [
        *_trust_problems(config, target, resources),
        *_boundary_problems(config, target, resources),
        *_coverage_problems(target, template, types),
    ]
