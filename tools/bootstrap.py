"""The project's own CDK bootstrap: one template per account and region the LED stacks deploy to.

    python -m tools.bootstrap [--config PATH] [--assembly cdk.out] [--out cdk.out/bootstrap]

Deploying is a path to the data (design.md, "The deployment path"; VTC-PROCESSOR §14-15, §34):
whoever can run a change set acts as the bootstrap's CloudFormation execution role. The stock
template (shipped with the CDK CLI, ``node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml``)
trusts the account root of the bootstrapped account and, without
``--cloudformation-execution-policies``, gives the execution role AdministratorAccess without a
boundary. This generator takes that template offline and changes exactly this:

- **trust**: the deploy, file-publishing, image-publishing and lookup roles trust only the
  principals of the config's ``[deployment]`` table: the controller's (AHOVOKS') pipeline role
  for the workload, log archive and backup accounts (and the organisation's management account),
  the Facilitair Bedrijf's deployers for the key custody account. Never an account root; no
  ExternalId (no confused deputy);
- **boundary**: the template creates the deployment boundary ``led-<qualifier>-deployment-boundary-<region>``
  (a managed policy) and puts it on the execution role and on every other bootstrap role. Its
  statements are the LED permissions boundary's (``cdk_constructs.boundary.boundary_statements``),
  so the execution role cannot leave the allowed regions, use another custodian's keys, make data
  public or share snapshots, minus only the denied actions that the create and update handlers
  of the resource types deployed to that account must call (e.g. ``kms:CreateKey`` in the key
  custody account, ``cloudtrail:PutEventSelectors`` in the workload account), plus a deny of
  every IAM change to the bootstrap's own roles and policies (``DenyChangingTheBootstrap``): the Baseline
  stack's own boundary cannot be used, because it does not exist before the first deployment,
  lives in the workload account only, and denies what deploying the trail and the keys needs.
  ``--custom-permissions-boundary`` would have the same chicken-and-egg problem;
- **execution policy**: instead of AdministratorAccess, managed policies granting the actions of
  the CloudFormation handlers (create, update, delete, read, list; from the resource provider
  schemas cfn-lint ships) of exactly the resource types in that account's synthesized templates,
  ``lambda:InvokeFunction`` on the account's functions for custom resources, and reading the
  asset staging bucket (Lambda code);
- **no KMS key of its own**: assets are encrypted with the S3 managed key (code, no personal
  data); the LED creates keys only in the key custody account (VTC-KEY-CUSTODY §51).

The templates are checked before they are written (``check_template``): trust, boundary and the
coverage of every resource type; a failing check stops with one line.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import aws_cdk as cdk
import yaml
from aws_cdk import aws_iam as iam

from cdk_constructs.boundary import boundary_statements
from config import ConfigError, LandingZoneConfig, load_config, partition_of
from policies.guardrails import IDENTITY_CHANGING_ACTIONS, deployment_boundary_name

ROOT = Path(__file__).resolve().parent.parent
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
# Types CloudFormation handles itself, with no service handler (the CDK's metadata resource).
NO_HANDLER_TYPES = ("AWS::CDK::Metadata",)
CUSTOM_PREFIXES = ("Custom::", "AWS::CloudFormation::CustomResource")
MANAGED_POLICY_MAX_CHARS = 6144
HANDLERS = ("create", "update", "delete", "read", "list")


class _NoAliases(yaml.SafeDumper):
    """CloudFormation rejects YAML anchors and aliases: write every repeated value out."""

    def ignore_aliases(self, data: object) -> bool:
        return True


class BootstrapError(Exception):
    """A problem with the inputs or a generated template, said in one line."""


@dataclass(frozen=True)
class Target:
    account: str
    region: str
    bootstrapper: str  # "AHOVOKS" or "FB"

    @property
    def name(self) -> str:
        return f"{self.bootstrapper.lower()}-{self.account}-{self.region}"


# --- inputs ------------------------------------------------------------------------------------


def deploy_roles(assembly: Path) -> set[str]:
    """The deploy role every synthesized stack names (its assumeRoleArn), nested assemblies included."""
    found: set[str] = set()
    manifest = json.loads((assembly / "manifest.json").read_text())
    for artifact in manifest.get("artifacts", {}).values():
        props = artifact.get("properties", {})
        if artifact.get("type") == "cdk:cloud-assembly":
            found |= deploy_roles(assembly / props["directoryName"])
        elif artifact.get("type") == "aws:cloudformation:stack" and "assumeRoleArn" in props:
            found.add(props["assumeRoleArn"])
    return found


def check_qualifier(config: LandingZoneConfig, assembly: Path) -> None:
    """The stacks must deploy through the bootstrap these templates create (same qualifier)."""
    expected = f":role/cdk-{config.deployment.qualifier}-deploy-role-"
    other = sorted(r for r in deploy_roles(assembly) if expected not in r)
    if other:
        raise BootstrapError(
            f"bootstrap: config field 'deployment.qualifier': got {config.deployment.qualifier!r}, but the "
            f"synthesized stacks deploy through {other[0]}; allowed: the app's bootstrap qualifier"
        )


def resource_types_by_target(assembly: Path) -> dict[tuple[str, str], set[str]]:
    """The resource types of every synthesized stack, by (account, region), nested assemblies included."""
    manifest_path = assembly / "manifest.json"
    if not manifest_path.exists():
        raise BootstrapError(f"bootstrap: no cloud assembly at {assembly} (run `make synth` first)")
    found: dict[tuple[str, str], set[str]] = {}
    manifest = json.loads(manifest_path.read_text())
    for artifact in manifest.get("artifacts", {}).values():
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "cdk:cloud-assembly":
            for key, types in resource_types_by_target(assembly / props["directoryName"]).items():
                found.setdefault(key, set()).update(types)
        elif kind == "aws:cloudformation:stack":
            account, region = artifact["environment"].removeprefix("aws://").split("/")
            template = json.loads((assembly / props["templateFile"]).read_text())
            types = {r["Type"] for r in template.get("Resources", {}).values()}
            found.setdefault((account, region), set()).update(types)
    return found


@cache
def _schema_index(region: str) -> tuple[Path, dict[str, str]]:
    import cfnlint.data.schemas as schemas

    base = Path(schemas.__file__).parent
    providers = base / "providers" / f"{region}.json"
    if not providers.exists():
        providers = base / "providers" / "us-east-1.json"
    return base / "resources", json.loads(providers.read_text())


def handler_permissions(resource_type: str, region: str, handlers: Iterable[str] = HANDLERS) -> set[str]:
    """The IAM actions CloudFormation's handlers of a resource type call (resource provider schema)."""
    directory, index = _schema_index(region)
    if resource_type not in index:
        raise BootstrapError(
            f"bootstrap: resource type {resource_type} has no provider schema for {region} in cfn-lint; "
            "cannot derive its deployment permissions (update cfn-lint or add the type's actions)"
        )
    schema = json.loads((directory / f"{index[resource_type]}.json").read_text())
    actions: set[str] = set()
    for handler in handlers:
        actions.update(schema.get("handlers", {}).get(handler, {}).get("permissions", []))
    return {a for a in map(_normalise, actions) if is_iam_action(a)}


@cache
def _iam_actions() -> dict[str, set[str]]:
    """The IAM actions of every service (lower case), as cfn-lint knows them (AWS's service reference)."""
    import cfnlint.data.AdditionalSpecs as specs

    data = json.loads((Path(specs.__file__).parent / "Policies.json").read_text())
    return {service: {a.lower() for a in spec.get("Actions", {})} for service, spec in data.items()}


def is_iam_action(action: str) -> bool:
    """Handler lists name some API operations that are no IAM action (s3:PutBucketReplication is
    authorised as s3:PutReplicationConfiguration), and some prefixes that are no IAM service
    (resolverquerylogging:, for the Route 53 Resolver query logging type): those are left out, the
    real one is listed too."""
    service, _, name = action.partition(":")
    known = _iam_actions().get(service)
    return known is not None and name.lower() in known


def _normalise(action: str) -> str:
    service, _, name = action.partition(":")
    return f"{service.lower()}:{name}"


def is_custom(resource_type: str) -> bool:
    return resource_type.startswith(CUSTOM_PREFIXES)


# --- the template ------------------------------------------------------------------------------


def stock_template(path: Path = STOCK_TEMPLATE) -> dict:
    if not path.exists():
        raise BootstrapError(f"bootstrap: the CDK CLI's bootstrap template is missing at {path} (run `make setup`)")
    return yaml.safe_load(path.read_text())


def trusted_principals(config: LandingZoneConfig, target: Target) -> list[str]:
    dep = config.deployment
    return list(dep.key_custody_deployer_arns) if target.bootstrapper == "FB" else [dep.pipeline_role_arn]


def trust_policy(principals: list[str]) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustOnlyTheConfiguredDeployers",
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Condition": {"Null": {"sts:ExternalId": "true"}},
            },
            {
                "Sid": "TagSessionOfTheConfiguredDeployers",
                "Action": "sts:TagSession",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
            },
        ],
    }


def _resolved(statements: list[iam.PolicyStatement]) -> list[dict]:
    stack = cdk.Stack(cdk.App(), "Render")
    return stack.resolve(iam.PolicyDocument(statements=statements).to_json())["Statement"]


def deployment_boundary(config: LandingZoneConfig, target: Target, types: set[str]) -> tuple[list[dict], list[str]]:
    """The LED boundary's statements for the execution role, and the denied actions it had to give up."""
    custodians = sorted(
        {e.accounts.key_custody for e in config.environments.values() if target.account in e.accounts.all()}
        or {target.account}
    )
    statements = _resolved(
        boundary_statements(allowed_regions=config.allowed_regions, key_custody_account=custodians[0])
    )
    needed = set()
    for t in types:
        if not is_custom(t) and t not in NO_HANDLER_TYPES:
            needed |= {a.lower() for a in handler_permissions(t, target.region, ("create", "update"))}
    released: list[str] = []
    kept = []
    for st in statements:
        if st.get("Sid") == "DenyOtherKeyCustodians":
            first = st["NotResource"]
            st["NotResource"] = (
                [json.loads(json.dumps(first).replace(custodians[0], c)) for c in custodians]
                if len(custodians) > 1
                else first
            )
        # Only the account-wide denies (Resource "*") give way; a deny scoped by NotResource (other
        # custodians' keys) or NotAction (other regions) stays whole.
        if st["Effect"] == "Deny" and "Action" in st and st.get("Resource") == "*":
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            keep = [a for a in actions if a.lower() not in needed]
            released += [a for a in actions if a.lower() in needed]
            if not keep:
                continue
            st["Action"] = keep
        kept.append(st)
    # The execution role deploys the LED stacks, never the bootstrap itself: it cannot change the
    # bootstrap's roles, their boundary or its own policies (only whoever deploys this template can).
    q = config.deployment.qualifier
    boundary_name = deployment_boundary_name(config, target.region)
    own = [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/cdk-{q}-*"},
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{boundary_name}"},
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/cdk-{q}-led-execution-*"},
    ]
    kept.append(
        {
            "Sid": "DenyChangingTheBootstrap",
            "Effect": "Deny",
            "Action": list(IDENTITY_CHANGING_ACTIONS),
            "Resource": own,
        }
    )
    return kept, sorted(released)


def execution_policies(config: LandingZoneConfig, target: Target, types: set[str]) -> list[dict]:
    """The execution role's statements: the handler actions of the account's resource types."""
    actions: set[str] = set()
    for t in sorted(types):
        if not is_custom(t) and t not in NO_HANDLER_TYPES:
            actions |= handler_permissions(t, target.region)
    partition = partition_of(target.region)
    documents: list[list[dict]] = []
    chunk: list[str] = []
    for action in sorted(actions):
        if len(json.dumps(chunk + [action])) > MANAGED_POLICY_MAX_CHARS - 400:
            documents.append(
                [{"Sid": "HandlersOfTheLedResourceTypes", "Effect": "Allow", "Action": chunk, "Resource": "*"}]
            )
            chunk = []
        chunk.append(action)
    documents.append([{"Sid": "HandlersOfTheLedResourceTypes", "Effect": "Allow", "Action": chunk, "Resource": "*"}])
    extra = [
        {
            "Sid": "ReadTheAssetStagingBucket",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": [{"Fn::Sub": "${StagingBucket.Arn}"}, {"Fn::Sub": "${StagingBucket.Arn}/*"}],
        }
    ]
    if any(is_custom(t) for t in types):
        extra.append(
            {
                "Sid": "InvokeTheCustomResourceProviders",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": f"arn:{partition}:lambda:{target.region}:{target.account}:function:*",
            }
        )
    documents[-1].extend(extra)
    return [{"Version": "2012-10-17", "Statement": d} for d in documents]


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


def generate(config: LandingZoneConfig, target: Target, types: set[str], stock: dict) -> tuple[dict, dict]:
    """The bootstrap template of one target, and what it was made from (for the manifest)."""
    template = copy.deepcopy(stock)
    dep = config.deployment
    params = template["Parameters"]
    for name in DROPPED_PARAMETERS:
        params.pop(name, None)
    params["Qualifier"]["Default"] = dep.qualifier
    params["Qualifier"]["AllowedValues"] = [dep.qualifier]
    params["BootstrapVariant"]["Default"] = VARIANT
    # Assets under the S3 managed key: no KMS key outside the key custody account (§51).
    params["FileAssetsBucketKmsKeyId"]["Default"] = "AWS_MANAGED_KEY"
    resources = template["Resources"]
    resources.pop("CdkBoostrapPermissionsBoundaryPolicy", None)
    # Legacy ACL property (cfn-lint W3045); buckets are private by default and public access is blocked.
    resources["StagingBucket"]["Properties"].pop("AccessControl", None)
    principals = trusted_principals(config, target)
    boundary_ref = {"Ref": BOUNDARY}
    for name in TRUSTING_ROLES:
        props = resources[name]["Properties"]
        props["AssumeRolePolicyDocument"] = trust_policy(principals)
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
    template["Description"] = (
        f"LED CDK bootstrap of account {target.account} in {target.region}, bootstrapped by "
        f"{'the Facilitair Bedrijf' if target.bootstrapper == 'FB' else 'AHOVOKS'}: trusts only "
        f"{', '.join(principals)}; bounded execution role (tools/bootstrap.py)"
    )
    # Conditions and parameters nothing reads any more go (cfn-lint refuses unused ones).
    while True:
        used = _references(template["Resources"]) | _references(template.get("Outputs", {}))
        conditions = template.get("Conditions", {})
        used |= _references(conditions)
        unused = [c for c in conditions if c not in used]
        if not unused:
            break
        for c in unused:
            conditions.pop(c)
    refs = _parameter_refs({k: v for k, v in template.items() if k != "Parameters"})
    for name in [p for p in params if p not in refs]:
        params.pop(name)
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


# --- checks ------------------------------------------------------------------------------------


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


# --- writing -----------------------------------------------------------------------------------


def targets_of(config: LandingZoneConfig) -> list[Target]:
    return [Target(a, r, who) for a, r, who in config.bootstrap_targets()]


def write(config: LandingZoneConfig, assembly: Path, out: Path, stock_path: Path = STOCK_TEMPLATE) -> list[Path]:
    stock = stock_template(stock_path)
    types_by_target = resource_types_by_target(assembly)
    check_qualifier(config, assembly)
    targets = targets_of(config)
    known = {(t.account, t.region) for t in targets}
    stray = sorted(k for k in types_by_target if k not in known)
    if stray:
        raise BootstrapError(f"bootstrap: stacks target {stray[0][0]}/{stray[0][1]}, which the config does not place")
    out.mkdir(parents=True, exist_ok=True)
    written, manifest = [], []
    for target in targets:
        types = types_by_target.get((target.account, target.region))
        if not types:
            continue  # not synthesized (e.g. -c envs=prod): nothing to deploy there from this assembly
        template, made_from = generate(config, target, types, stock)
        problems = check_template(config, target, template, types)
        if problems:
            raise BootstrapError(f"bootstrap: {target.name}: {problems[0]}")
        path = out / f"{target.name}.yaml"
        path.write_text(
            "# Generated by tools/bootstrap.py from the CDK CLI's bootstrap template; do not edit.\n"
            + yaml.dump(template, Dumper=_NoAliases, sort_keys=False, width=120),
            encoding="utf-8",
        )
        made_from["template"] = path.name
        made_from["command"] = (
            f"aws cloudformation deploy --stack-name CDKToolkit --region {target.region} "
            f"--template-file {path.name} --capabilities CAPABILITY_NAMED_IAM"
        )
        manifest.append(made_from)
        written.append(path)
    (out / "bootstrap.json").write_text(json.dumps({"version": 1, "targets": manifest}, indent=2) + "\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="the LED config file (default: the embedded config/environments.toml)")
    parser.add_argument("--assembly", default="cdk.out", help="the synthesized cloud assembly (default cdk.out)")
    parser.add_argument("--out", default="cdk.out/bootstrap", help="where to write (default cdk.out/bootstrap)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        paths = write(config, Path(args.assembly), Path(args.out))
    except (ConfigError, BootstrapError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
