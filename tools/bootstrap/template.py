"""The bootstrap template of one target: the CDK CLI's stock template with the LED trust, the
deployment boundary and the execution policies in place of the stock ones."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from config import LandingZoneConfig
from policies.guardrails import deployment_boundary_name
from tools.bootstrap.model import BootstrapError, Target
from tools.bootstrap.roles import deployment_boundary, execution_policies, trust_policy, trusted_principals

ROOT = Path(__file__).resolve().parents[2]
STOCK_TEMPLATE = ROOT / "node_modules" / "aws-cdk" / "lib" / "api" / "bootstrap" / "bootstrap-template.yaml"
TRUSTING_ROLES = ("FilePublishingRole", "ImagePublishingRole", "LookupRole", "DeploymentActionRole")
EXECUTION_ROLE = "CloudFormationExecutionRole"
BOUNDARY = "LedDeploymentBoundary"
VARIANT = "LED: controller-only trust, bounded execution role"
# The stock parameters this template no longer reads (trust and policies come from the config).
DROPPED_PARAMETERS = (
    "TrustedAccounts",
    "TrustedAccountsForLookup",
    "CloudFormationExecutionPolicies",
    "InputPermissionsBoundary",
    "UseExamplePermissionsBoundary",
    "ApplyPermissionsBoundaryToAllRoles",
)


def stock_template(path: Path = STOCK_TEMPLATE) -> dict:
    if not path.exists():
        raise BootstrapError(f"bootstrap: the CDK CLI's bootstrap template is missing at {path} (run `make setup`)")
    return yaml.safe_load(path.read_text())


def _references(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Condition", "Fn::If") and isinstance(value, str):
                found.add(value)
            if key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
                found.add(value[0])
            if key == "Condition" and isinstance(value, dict):
                found |= _references(value)
                continue
            found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return found


def _parameter_refs(node: object) -> set[str]:
    if isinstance(node, dict):
        refs = {node["Ref"]} if isinstance(node.get("Ref"), str) else set()
        for key, value in node.items():
            if key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                refs |= {part.split("}")[0] for part in text.split("${")[1:]}
            refs |= _parameter_refs(value)
        return refs
    if isinstance(node, list):
        return set().union(*(_parameter_refs(i) for i in node)) if node else set()
    return set()


def _set_parameters(params: dict, qualifier: str) -> None:
    for name in DROPPED_PARAMETERS:
        params.pop(name, None)
    params["Qualifier"]["Default"] = qualifier
    params["Qualifier"]["AllowedValues"] = [qualifier]
    params["BootstrapVariant"]["Default"] = VARIANT
    # Assets under the S3 managed key: no KMS key outside the key custody account (§51).
    params["FileAssetsBucketKmsKeyId"]["Default"] = "AWS_MANAGED_KEY"


def _set_roles(config: LandingZoneConfig, target: Target, types: set[str], resources: dict) -> list[str]:
    """Trust, boundary and execution policies of the bootstrap roles; the boundary denies released."""
    resources.pop("CdkBoostrapPermissionsBoundaryPolicy", None)
    # Legacy ACL property (cfn-lint W3045); buckets are private by default and public access is blocked.
    resources["StagingBucket"]["Properties"].pop("AccessControl", None)
    boundary_ref = {"Ref": BOUNDARY}
    for name in TRUSTING_ROLES:
        props = resources[name]["Properties"]
        props["AssumeRolePolicyDocument"] = trust_policy(trusted_principals(config, target))
        props["PermissionsBoundary"] = boundary_ref
    boundary, released = deployment_boundary(config, target, types)
    resources[BOUNDARY] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "ManagedPolicyName": deployment_boundary_name(config, target.region),
            "Description": "LED deployment boundary: the LED permissions boundary on the CDK bootstrap roles",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": boundary},
        },
    }
    policy_ids = []
    for i, document in enumerate(execution_policies(config, target, types), start=1):
        logical_id = f"LedExecutionPolicy{i}"
        policy_ids.append(logical_id)
        resources[logical_id] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "ManagedPolicyName": {"Fn::Sub": f"cdk-${{Qualifier}}-led-execution-{i}-${{AWS::Region}}"},
                "Description": "LED: what CloudFormation needs to deploy the LED stacks of this account",
                "PolicyDocument": document,
            },
        }
    execution = resources[EXECUTION_ROLE]["Properties"]
    execution["ManagedPolicyArns"] = [{"Ref": p} for p in policy_ids]
    execution["PermissionsBoundary"] = boundary_ref
    return released


def _drop_unused(template: dict) -> None:
    """Conditions and parameters nothing reads any more go (cfn-lint refuses unused ones)."""
    while True:
        used = _references(template["Resources"]) | _references(template.get("Outputs", {}))
        conditions = template.get("Conditions", {})
        used |= _references(conditions)
        unused = [c for c in conditions if c not in used]
        if not unused:
            break
        for c in unused:
            conditions.pop(c)
    params = template["Parameters"]
    refs = _parameter_refs({k: v for k, v in template.items() if k != "Parameters"})
    for name in [p for p in params if p not in refs]:
        params.pop(name)


def generate(config: LandingZoneConfig, target: Target, types: set[str], stock: dict) -> tuple[dict, dict]:
    """The bootstrap template of one target, and what it was made from (for the manifest)."""
    template = copy.deepcopy(stock)
    dep = config.deployment
    _set_parameters(template["Parameters"], dep.qualifier)
    released = _set_roles(config, target, types, template["Resources"])
    principals = trusted_principals(config, target)
    template["Description"] = (
        f"LED CDK bootstrap of account {target.account} in {target.region}, bootstrapped by "
        f"{'the Facilitair Bedrijf' if target.bootstrapper == 'FB' else 'AHOVOKS'}: trusts only "
        f"{', '.join(principals)}; bounded execution role (tools/bootstrap/)"
    )
    _drop_unused(template)
    made_from = {
        "account": target.account,
        "region": target.region,
        "bootstrapper": target.bootstrapper,
        "trusted_principals": principals,
        "qualifier": dep.qualifier,
        "boundary": deployment_boundary_name(config, target.region),
        "boundary_denies_released_for_the_handlers": released,
        "resource_types": sorted(types),
    }
    return template, made_from
