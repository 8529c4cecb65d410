"""The inventory of one environment for the evaluator: every role of its templates with its
identity policies (AWS::IAM::Policy, AWS::IAM::ManagedPolicy, inline Policies) and its permissions
boundary (the ManagedPolicyArn resolved to the boundary in the templates), every resource-based
policy (KMS key policies, S3 bucket policies, secrets' resource policies, Backup vault access
policies, SNS topic policies), the Lambda functions and their roles, the CDK bootstrap roles
(`policies.access.bootstrap`), the external principals of the parties, the guardrail SCPs and the
data perimeter RCPs.
"""

from __future__ import annotations

from collections.abc import Callable

from config import EnvironmentConfig, LandingZoneConfig
from policies.access.bootstrap import BOOTSTRAP_STACK, BootstrapRole, bootstrap_roles
from policies.access.engine import Doc, Inventory, Principal, ResourcePolicy
from policies.access.evaluator import as_list
from policies.access.perimeter import outsider_arn
from policies.access.templates import Resolver, StackTemplate
from policies.guardrails import guardrails, member_accounts
from policies.rcp import rcps

MFA_KEY = "aws:MultiFactorAuthPresent"
# Vaults whose access policy governs their recovery points: the backup vaults and the logically
# air-gapped vault of the backup account (issue #13), which the workload account restores from.
BACKUP_VAULT_TYPES = ("AWS::Backup::BackupVault", "AWS::Backup::LogicallyAirGappedBackupVault")
BootstrapModel = Callable[[str, str, str], list[BootstrapRole]]


def key_arns_from_config(config: EnvironmentConfig) -> Callable[[StackTemplate, str], str | None]:
    """The key ARNs FB handed over (config `[keys]`), by the key custody stacks' logical ids."""
    purposes = {"DataKey": "data", "BackupKey": "backup", "LogKey": "log", "SecondaryBackupKey": "secondary_backup"}

    def lookup(stack: StackTemplate, logical_id: str) -> str | None:
        purpose = purposes.get(logical_id)
        if purpose is None:
            return None
        if purpose == "backup" and stack.region != config.region:
            purpose = "secondary_backup"
        return config.key_arn(purpose)  # type: ignore[arg-type]  # one of the four purposes above

    return lookup


def stock_bootstrap(partition: str, account: str, region: str) -> list[BootstrapRole]:
    """The default model: stock `cdk bootstrap`, unbounded AdministratorAccess execution role."""
    return bootstrap_roles(partition, account, region)


def _requires_mfa(trust: dict | None) -> bool:
    return trust is not None and any(MFA_KEY in str(s.get("Condition", {})) for s in as_list(trust.get("Statement")))


class _Builder:
    def __init__(self, stacks: list[StackTemplate], resolver: Resolver, inventory: Inventory) -> None:
        self.stacks, self.resolver, self.inventory = stacks, resolver, inventory
        self.managed: dict[str, Doc] = {}  # policy ARN -> document
        self.role_by_name: dict[tuple[str, str], Principal] = {}

    def doc(self, stack: StackTemplate, logical_id: str, kind: str, document) -> Doc:
        return Doc(stack.stack_name, logical_id, kind, self.resolver.value(stack, document or {}))

    def build(self) -> None:
        for stack in self.stacks:
            for lid, resource in stack.resources.items():
                if resource["Type"] == "AWS::IAM::ManagedPolicy":
                    props = resource.get("Properties", {})
                    self.managed[self.resolver.arn(stack, lid)] = self.doc(
                        stack, lid, "identity", props["PolicyDocument"]
                    )
        for stack in self.stacks:
            for lid, resource in stack.resources.items():
                if resource["Type"] == "AWS::IAM::Role":
                    self._role(stack, lid, resource.get("Properties", {}))
        for stack in self.stacks:
            for lid, resource in stack.resources.items():
                self._attached(stack, lid, resource)
                self._resource_policy(stack, lid, resource)

    def _role(self, stack: StackTemplate, lid: str, props: dict) -> None:
        trust = self.doc(stack, lid, "trust", props.get("AssumeRolePolicyDocument"))
        principal = Principal(
            arn=self.resolver.arn(stack, lid),
            name=self.resolver.name(stack, lid),
            account=stack.account,
            partition=stack.partition,
            kind="role",
            trust=trust,
            human=_requires_mfa(trust.document),
        )
        for inline in props.get("Policies", []):
            principal.identity.append(
                self.doc(stack, f"{lid}/{inline.get('PolicyName')}", "identity", inline["PolicyDocument"])
            )
        notes = []
        for arn in as_list(self.resolver.value(stack, props.get("ManagedPolicyArns"))):
            if arn in self.managed:
                principal.identity.append(self.managed[arn])
            else:
                notes.append(f"managed policy {arn.rsplit(':', 1)[-1]} not in the templates (not evaluated)")
        if "PermissionsBoundary" in props:
            boundary = self.resolver.value(stack, props["PermissionsBoundary"])
            if boundary in self.managed:
                found = self.managed[boundary]
                principal.boundary = Doc(found.stack, found.logical_id, "boundary", found.document)
            else:
                notes.append(f"boundary {boundary} not in the templates: treated as allowing nothing")
                principal.boundary = Doc(stack.stack_name, lid, "boundary", {"Statement": []})
        principal.note = "; ".join(notes)
        self.inventory.principals[principal.arn] = principal
        self.role_by_name[(stack.account, principal.name)] = principal

    def _attach(self, stack: StackTemplate, roles, doc: Doc) -> None:
        for name in as_list(self.resolver.value(stack, roles)):
            role = self.role_by_name.get((stack.account, str(name)))
            if role is not None and doc not in role.identity:
                role.identity.append(doc)

    def _attached(self, stack: StackTemplate, lid: str, resource: dict) -> None:
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Policy":
            self._attach(stack, props.get("Roles"), self.doc(stack, lid, "identity", props["PolicyDocument"]))
        elif resource["Type"] == "AWS::IAM::ManagedPolicy":
            self._attach(stack, props.get("Roles"), self.managed[self.resolver.arn(stack, lid)])
        elif resource["Type"] == "AWS::Lambda::Function":
            self.inventory.functions[self.resolver.arn(stack, lid)] = self.resolver.value(stack, props.get("Role"))

    def _resource_policy(self, stack: StackTemplate, lid: str, resource: dict) -> None:
        props = resource.get("Properties", {})
        p, r, a = stack.partition, stack.region, stack.account
        value = lambda v: self.resolver.value(stack, v)  # noqa: E731
        found: list[tuple[str, tuple[str, ...], dict]] = []
        kind = resource["Type"]
        if kind == "AWS::KMS::Key" and "KeyPolicy" in props:
            found.append(("kms", (self.resolver.arn(stack, lid),), props["KeyPolicy"]))
        elif kind == "AWS::S3::BucketPolicy":
            bucket = value(props["Bucket"])
            found.append(("s3", (f"arn:{p}:s3:::{bucket}", f"arn:{p}:s3:::{bucket}/*"), props["PolicyDocument"]))
        elif kind == "AWS::SecretsManager::ResourcePolicy":
            found.append(("secretsmanager", (str(value(props["SecretId"])),), props["ResourcePolicy"]))
        elif kind in BACKUP_VAULT_TYPES and "AccessPolicy" in props:
            vault = self.resolver.arn(stack, lid)
            found.append(("backup", (vault, f"arn:{p}:backup:{r}:{a}:recovery-point:*"), props["AccessPolicy"]))
        elif kind == "AWS::SNS::TopicPolicy":
            found.append(("sns", tuple(str(t) for t in as_list(value(props["Topics"]))), props["PolicyDocument"]))
        for service, governs, document in found:
            doc = self.doc(stack, lid, "resource", document)
            self.inventory.resource_policies.append(ResourcePolicy(doc, governs, a, service))


def _service_principals(inventory: Inventory) -> set[str]:
    docs = [p.trust for p in inventory.principals.values() if p.trust] + [r.doc for r in inventory.resource_policies]
    return {
        str(service)
        for doc in docs
        for s in doc.statements()
        if s.get("Effect") == "Allow" and isinstance(s.get("Principal"), dict)
        for service in as_list(s["Principal"].get("Service"))
    }


def _bootstrap(inventory: Inventory, stacks: list[StackTemplate], model: BootstrapModel) -> None:
    for partition, account, region in sorted({(s.partition, s.account, s.region) for s in stacks}):
        for role in model(partition, account, region):
            name = role.arn.rsplit("/", 1)[-1]
            boundary = Doc(BOOTSTRAP_STACK, name, "boundary", role.boundary) if role.boundary else None
            inventory.principals[role.arn] = Principal(
                arn=role.arn,
                name=name,
                account=account,
                partition=partition,
                kind="role",
                identity=[Doc(BOOTSTRAP_STACK, name, "identity", role.identity)],
                boundary=boundary,
                trust=Doc(BOOTSTRAP_STACK, name, "trust", role.trust),
                note="" if boundary else "CDK bootstrap role: no permissions boundary",
            )


def config_says_execution_role_bounded(config: EnvironmentConfig) -> bool:
    """Whether the config says the bootstrap's execution role carries the LED boundary (the
    `[deployment]` table another change adds; absent: the stock, unbounded execution role)."""
    deployment = getattr(config, "deployment", None)
    return bool(getattr(deployment, "execution_role_boundary", False))


def _bound_execution_roles(inventory: Inventory) -> None:
    """Give every bootstrap execution role the LED boundary of its account (the one its LED roles carry)."""
    boundaries = {
        p.account: p.boundary
        for p in inventory.principals.values()
        if p.kind == "role" and p.boundary and p.boundary.stack != BOOTSTRAP_STACK
    }
    for principal in inventory.principals.values():
        if "-cfn-exec-role-" in principal.arn and principal.boundary is None and principal.account in boundaries:
            principal.boundary = boundaries[principal.account]
            principal.note = "CDK execution role: carries the LED boundary (config)"


def external_principals(config: EnvironmentConfig) -> dict[str, list[str]]:
    """The identity principals of each party outside the LED accounts (config `[access]`, `[keys]`)."""
    access = config.access
    fb = f"arn:{config.partition}:iam::{config.accounts.key_custody}:role/{config.keys.key_admin_role_name}"
    return {
        "operator": list(access.operator_principals),
        "application-manager": list(access.application_manager_principals),
        "auditor": list(access.auditor_principals),
        "break-glass": list(access.break_glass_principals),
        "fb-key-admin": [fb],
        # Outside the organisation (policies/access/perimeter.py): the exit drill's second partner, an outsider.
        "exit-partner": [config.drills.second_partner_principal_arn],
        "outsider": [outsider_arn(config)],
    }


def build_inventory(
    stacks: list[StackTemplate],
    config: EnvironmentConfig,
    landing_zone: LandingZoneConfig | None = None,
    *,
    bootstrap: BootstrapModel = stock_bootstrap,
    execution_role_bounded: bool | None = None,
) -> Inventory:
    """`execution_role_bounded` None: as the config says (`config_says_execution_role_bounded`)."""
    resolver = Resolver(stacks, key_arns=key_arns_from_config(config))
    inventory = Inventory(region=config.region, partition=config.partition)
    _Builder(stacks, resolver, inventory).build()
    _bootstrap(inventory, stacks, bootstrap)
    if config_says_execution_role_bounded(config) if execution_role_bounded is None else execution_role_bounded:
        _bound_execution_roles(inventory)
    for stack in stacks:
        arn = f"arn:{stack.partition}:cloudformation:{stack.region}:{stack.account}:stack/{stack.stack_name}/id"
        inventory.stacks[arn] = stack.account
    for party, arns in external_principals(config).items():
        for arn in arns:
            account = arn.split(":")[4]
            inventory.principals.setdefault(
                arn,
                Principal(
                    arn, arn.rsplit("/", 1)[-1], account, config.partition, "external", human=party != "fb-key-admin"
                ),
            )
    for service in sorted(_service_principals(inventory)):
        inventory.principals[service] = Principal(service, service, None, config.partition, "service")
    if landing_zone is not None and landing_zone.organization is not None:
        inventory.scps = [Doc("SCP", g.name, "scp", g.document) for g in guardrails(landing_zone)]
        inventory.scp_accounts = frozenset(member_accounts(landing_zone))
        # The RCPs govern the member accounts' resources; the organisation is known to hold those
        # accounts and the management account (the others are modelled as outside it).
        inventory.rcps = [Doc("RCP", r.name, "rcp", r.document) for r in rcps(landing_zone)]
        inventory.rcp_accounts = frozenset(member_accounts(landing_zone)) if inventory.rcps else frozenset()
        inventory.organization_id = landing_zone.organization.organization_id
        inventory.org_accounts = frozenset(
            [*member_accounts(landing_zone), landing_zone.organization.management_account]
        )
    return inventory


__all__ = [
    "BootstrapModel",
    "build_inventory",
    "config_says_execution_role_bounded",
    "external_principals",
    "key_arns_from_config",
    "stock_bootstrap",
]
