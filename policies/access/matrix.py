"""The "who can do what" table of one environment (issue #9, evidence for auditors): for every
party and every forbidden outcome, the verdict the evaluator computes on the synthesized
templates, the statements that decide it and the path by which the party gets there.

Nothing in it is written by hand: the parties are the roles of stacks/access.py (and the log
archive's auditor role), the external identity principals of the config, the Facilitair Bedrijf's
key administrator and the AWS service principals of the templates; the outcomes are concrete
requests on the environment's own resources (VTC-PROCESSOR §14-15, VTC-LEAST-PRIVILEGE,
VTC-KEY-CUSTODY §44-46, VTC-LOGS-DIRECT §27, VTC-BACKUP-RETENTION §39, VTC-BACKUP-ELSEWHERE §41).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config import EnvironmentConfig, LandingZoneConfig
from contract import names
from policies.access.bootstrap import project_bootstrap
from policies.access.engine import ALLOWED, DENIED, NOT_GRANTED, Inventory, Origin, Step, decide, reachable
from policies.access.inventory import (
    BACKUP_VAULT_TYPES,
    BootstrapModel,
    build_inventory,
    external_principals,
    key_arns_from_config,
)
from policies.access.perimeter import PERIMETER_BY_DESIGN, applies, perimeter_outcomes
from policies.access.templates import Resolver, StackTemplate, stage_templates
from policies.synthesis import AssemblySource

NOT_APPLICABLE = "n/a"
DEPLOYER_SERVICES = ("cloudformation.amazonaws.com",)
RESTORE_VALIDATOR_USER = names.RESTORE_VALIDATOR_ROLE


@dataclass(frozen=True)
class Check:
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()
    own_role: bool = False  # the resource is the acting party's own role (resource is ignored)
    who: str = "any"  # which principals make the request: any, outside, service (policies/access/perimeter.py)


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    checks: tuple[Check, ...]
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class Party:
    id: str
    title: str
    roles: tuple[str, ...]  # the party's own LED roles (ARNs)
    starts: tuple[str, ...]  # where evaluation starts: external identities, services, or the roles


# Who may, by design, reach an outcome: the matrix still shows the verdict, the overclaim rule skips it.
BY_DESIGN: dict[tuple[str, str], str] = {
    ("aws-services", "read-db-secret"): "the pgaudit set-up function (Data stack) reads the RDS-managed master "
    "secret at deployment to create the audit roles (VTC-AUDIT-TRAIL §11, §49)",
    ("aws-services", "db-login"): "the restore-test validation function logs in as the read-only "
    "led_restore_validator (VTC-BACKUP-ENVIRONMENT §40)",
    ("fb-key-admin", "change-key-policy"): "FB administers its keys (VTC-KEY-CUSTODY §51); every key policy "
    "change is recorded by the key custody trail and forwarded to AHOVOKS",
    ("fb-key-admin", "deploy-stack"): "FB deploys the key custody stacks through its own bootstrap (README, Deploying)",
    **PERIMETER_BY_DESIGN,
}


@dataclass(frozen=True)
class Cell:
    party: str
    outcome: str
    verdict: str
    action: str = ""
    resource: str = ""
    principal: str = ""
    path: tuple[str, ...] = ()
    statements: tuple[Origin, ...] = ()
    by_design: str = ""

    def path_text(self, party_title: str) -> str:
        hops = [party_title, *self.path]
        if self.verdict == ALLOWED:
            return " → ".join(hops) + f" ⇒ {self.action}"
        return " → ".join(hops)

    def to_dict(self) -> dict:
        return {
            "party": self.party,
            "outcome": self.outcome,
            "verdict": self.verdict,
            "action": self.action,
            "resource": self.resource,
            "principal": self.principal,
            "path": list(self.path),
            "statements": [o.__dict__ for o in self.statements],
            "by_design": self.by_design,
        }


@dataclass
class Matrix:
    environment: str
    parties: list[Party]
    outcomes: list[Outcome]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def cell(self, party: str, outcome: str) -> Cell:
        return self.cells[(party, outcome)]

    def verdicts(self) -> dict[str, dict[str, str]]:
        return {p.id: {o.id: self.cell(p.id, o.id).verdict for o in self.outcomes} for p in self.parties}

    def to_json(self) -> dict:
        from policies.access.render import matrix_json

        return matrix_json(self)

    def to_markdown(self) -> str:
        from policies.access.render import matrix_markdown

        return matrix_markdown(self)

    def to_html(self) -> str:
        from policies.access.render import matrix_html

        return matrix_html(self)


def _db_instance(stacks: list[StackTemplate]) -> tuple[StackTemplate, str, dict] | None:
    for stack in stacks:
        for lid, resource in stack.resources.items():
            if resource["Type"] == "AWS::RDS::DBInstance" and resource.get("Properties", {}).get(
                "ManageMasterUserPassword"
            ):
                return stack, lid, resource["Properties"]
    return None


def outcomes(
    stacks: list[StackTemplate], resolver: Resolver, inventory: Inventory, cfg: EnvironmentConfig
) -> list[Outcome]:
    """The forbidden outcomes, as concrete requests on this environment's resources."""
    p, r, workload = cfg.partition, cfg.region, cfg.accounts.workload
    found: list[Outcome] = []
    database = _db_instance(stacks)
    secret: str | None = None
    if database:
        stack, lid, props = database
        secret = resolver.attribute(stack, lid, "MasterUserSecret.SecretArn")
        dbi = resolver.attribute(stack, lid, "DbiResourceId")
        found.append(
            Outcome(
                "read-db-secret",
                "read the database master secret",
                (Check("secretsmanager:GetSecretValue", secret),),
                ("VTC-PROCESSOR", "VTC-LEAST-PRIVILEGE"),
            )
        )
        users = [str(props.get("MasterUsername", "postgres")), RESTORE_VALIDATOR_USER]
        found.append(
            Outcome(
                "db-login",
                "log in to the database as a user other than the application's",
                tuple(Check("rds-db:connect", f"arn:{p}:rds-db:{r}:{workload}:dbuser:{dbi}/{u}") for u in users),
                ("VTC-PROCESSOR", "VTC-LEAST-PRIVILEGE"),
            )
        )
    found.append(
        Outcome(
            "decrypt-data-key",
            "decrypt with the FB data key outside the application path (no kms:ViaService)",
            (Check("kms:Decrypt", cfg.key_arn("data")),),
            ("VTC-KEY-CUSTODY", "VTC-PROCESSOR"),
        )
    )
    functions = sorted(inventory.functions)
    found.append(
        Outcome(
            "change-function-code",
            "change the code or configuration of a function that reaches the data",
            tuple(
                Check(a, f)
                for f in functions
                for a in ("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration")
            ),
            ("VTC-PROCESSOR", "VTC-LEAST-PRIVILEGE"),
        )
    )
    archive = f"arn:{p}:s3:::{cfg.log_archive_bucket_name}"
    log = f"{archive}/AWSLogs/{workload}/CloudTrail/{r}/2026/01/01/{workload}_CloudTrail_{r}_example.json.gz"
    found.append(
        Outcome(
            "delete-archived-log",
            "delete or overwrite an archived log",
            tuple(Check(a, log) for a in ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject")),
            ("VTC-LOGS-DIRECT", "VTC-AUDIT-TRAIL"),
        )
    )
    found.append(
        Outcome(
            "change-archive-policy",
            "change the log archive's bucket policy or Object Lock",
            tuple(Check(a, archive) for a in ("s3:PutBucketPolicy", "s3:PutBucketObjectLockConfiguration")),
            ("VTC-LOGS-DIRECT", "VTC-AUDIT-TRAIL"),
        )
    )
    found.append(
        Outcome(
            "delete-backup",
            "delete a recovery point or stop the backup plan",
            _backup_checks(stacks, resolver),
            ("VTC-BACKUP-RETENTION", "VTC-BACKUP-ELSEWHERE"),
        )
    )
    found.append(
        Outcome(
            "remove-own-boundary",
            "remove its own permissions boundary",
            (Check("iam:DeleteRolePermissionsBoundary", "", own_role=True),),
            ("VTC-LEAST-PRIVILEGE",),
        )
    )
    deploy = [Check("cloudformation:ExecuteChangeSet", s) for s in inventory.stacks if f":stack/led-{cfg.name}-" in s]
    deploy += [Check("sts:AssumeRole", s.deploy_role_arn) for s in stacks if s.deploy_role_arn]
    found.append(
        Outcome(
            "deploy-stack",
            "deploy a stack (execute a change set, or assume a CDK deploy role)",
            tuple(dict.fromkeys(deploy)),
            ("VTC-PROCESSOR", "VTC-LEAST-PRIVILEGE"),
        )
    )
    return found + _unseen_outcomes(cfg) + perimeter_outcomes(cfg, secret)


def _unseen_outcomes(cfg: EnvironmentConfig) -> list[Outcome]:
    """Acting unseen (issue #9): silencing the audit logs and alarms, opening a way out of the VPC,
    changing who may use an FB key."""
    p, r, workload, env = cfg.partition, cfg.region, cfg.accounts.workload, cfg.name
    db_logs = f"arn:{p}:logs:{r}:{workload}:log-group:/aws/rds/instance/{cfg.resource_name('db')}/postgresql"
    alarm = f"arn:{p}:cloudwatch:{r}:{workload}:alarm:led-{env}-root-usage"
    rule = f"arn:{p}:events:{r}:{workload}:rule/led-{env}-backup-failures"
    silence = (
        Check("logs:DeleteLogGroup", db_logs),
        Check("logs:PutRetentionPolicy", db_logs),
        Check("logs:DeleteSubscriptionFilter", db_logs),
        Check("cloudwatch:DisableAlarmActions", alarm),
        Check("cloudwatch:DeleteAlarms", alarm),
        Check("events:DisableRule", rule),
    )
    vpc = f"arn:{p}:ec2:{r}:{workload}:vpc/vpc-example"
    egress = (
        Check("ec2:CreateVpnGateway", f"arn:{p}:ec2:{r}:{workload}:vpn-gateway/*"),
        Check("ec2:CreateVpcPeeringConnection", vpc),
        Check("ec2:CreateVpcEndpoint", vpc),
        Check("route53resolver:DisassociateFirewallRuleGroup", f"arn:{p}:route53resolver:{r}:{workload}:*"),
    )
    key = cfg.key_arn("data")
    return [
        Outcome(
            "silence-audit-logs",
            "delete or shorten an audit log group, cut its stream to the archive, or disable an alarm",
            silence,
            ("VTC-AUDIT-TRAIL", "VTC-LOGS-DIRECT"),
        ),
        Outcome(
            "open-egress",
            "open a way out of the VPC (VPN, peering, a new endpoint, the DNS firewall off)",
            egress,
            ("VTC-NO-COPY",),
        ),
        Outcome(
            "change-key-policy",
            "change the FB data key's policy or grant use of it",
            (Check("kms:PutKeyPolicy", key), Check("kms:CreateGrant", key)),
            ("VTC-KEY-CUSTODY", "VTC-KEY-NO-PROVIDER"),
        ),
    ]


def _backup_checks(stacks: list[StackTemplate], resolver: Resolver) -> tuple[Check, ...]:
    checks = []
    for stack in stacks:
        for lid, resource in stack.resources.items():
            if resource["Type"] in BACKUP_VAULT_TYPES:
                point = f"arn:{stack.partition}:backup:{stack.region}:{stack.account}:recovery-point:example"
                checks.append(Check("backup:DeleteRecoveryPoint", point))
            elif resource["Type"] == "AWS::Backup::BackupPlan":
                plan = resolver.arn(stack, lid)
                checks += [Check("backup:DeleteBackupPlan", plan), Check("backup:UpdateBackupPlan", plan)]
    return tuple(checks)


def parties(inventory: Inventory, cfg: EnvironmentConfig) -> list[Party]:
    p, workload = cfg.partition, cfg.accounts.workload

    def role(purpose: str, account: str = workload) -> str:
        return f"arn:{p}:iam::{account}:role/{cfg.resource_name(purpose)}"

    external = external_principals(cfg)
    auditors = (role("auditor"), role("log-auditor", cfg.accounts.log_archive))
    # CloudFormation acts as the execution role only for whoever deploys: that path belongs to the deployer.
    services = tuple(a for a, pr in inventory.principals.items() if pr.kind == "service" and a not in DEPLOYER_SERVICES)
    found = [
        Party("operator", "platform operator (Cronos)", (role("platform-operator"),), tuple(external["operator"])),
        Party(
            "application-manager",
            "application manager (AHOVOKS)",
            (role("application-manager"),),
            tuple(external["application-manager"]),
        ),
        Party("app-runtime", "application runtime", (role("app-runtime"),), (role("app-runtime"),)),
        Party("auditor", "auditor (AHOVOKS)", auditors, tuple(external["auditor"])),
        Party("break-glass", "break glass (AHOVOKS)", (role("break-glass"),), tuple(external["break-glass"])),
        Party("fb-key-admin", "FB key administrator", (), tuple(external["fb-key-admin"])),
        Party("aws-services", "AWS services", (), services),
        Party("exit-partner", "second partner (exit drill)", (), tuple(external["exit-partner"])),
        Party("outsider", "outside the organisation", (), tuple(external["outsider"])),
    ]
    return [
        Party(
            x.id,
            x.title,
            tuple(r for r in x.roles if r in inventory.principals),
            tuple(s for s in x.starts if s in inventory.principals),
        )
        for x in found
    ]


def _at_own_role(arn: str, denial: Cell, party: Party) -> bool:
    """A deny met at the party's own LED role says more than an RCP's on its outside identity."""
    return arn in party.roles and denial.principal not in party.roles and {o.kind for o in denial.statements} == {"rcp"}


def evaluate_cell(inventory: Inventory, party: Party, outcome: Outcome, paths: dict[str, list[Step]]) -> Cell:
    """The verdict of one party for one outcome: allowed if any principal the party reaches may make
    any of the outcome's requests (the shortest path wins); denied if none may and an explicit deny
    stopped at least one (preferably at the party's own role); not granted otherwise."""
    best: Cell | None = None
    denial: Cell | None = None
    tried = False
    for check in outcome.checks:
        resources = party.roles if check.own_role else (check.resource,)
        if not resources:
            continue
        for arn, steps in sorted(paths.items(), key=lambda item: len(item[1])):
            principal = inventory.principals[arn]
            if not applies(check, principal.kind, principal.account, inventory.org_accounts):
                continue
            tried = True
            for resource in resources:
                decision = decide(inventory, principal, check.action, resource, dict(check.context))
                cell = Cell(
                    party.id,
                    outcome.id,
                    decision.verdict,
                    check.action,
                    resource,
                    arn,
                    tuple(step.via for step in steps),
                    decision.statements,
                )
                if decision.verdict == ALLOWED and (best is None or len(cell.path) < len(best.path)):
                    best = cell
                elif decision.verdict == DENIED and (denial is None or _at_own_role(arn, denial, party)):
                    denial = cell
    chosen = best or denial
    if chosen is None:
        return Cell(party.id, outcome.id, NOT_GRANTED if tried else NOT_APPLICABLE)
    by_design = BY_DESIGN.get((party.id, outcome.id), "") if chosen.verdict == ALLOWED else ""
    return Cell(**{**chosen.__dict__, "by_design": by_design})


def who_can(
    env_name: str,
    source: AssemblySource | list[StackTemplate],
    config: LandingZoneConfig,
    *,
    bootstrap: BootstrapModel | None = None,
    execution_role_bounded: bool | None = None,
) -> Matrix:
    """The matrix of `env_name`, from a cloud assembly (cdk.out, or the Assembly read) or the stage's templates.
    The bootstrap roles are the project's own bootstrap (policies.access.bootstrap.project_bootstrap)
    unless another model is given (e.g. `stock_bootstrap`, to see what the stock one would open)."""
    cfg = config.environments[env_name]
    stacks = source if isinstance(source, list) else stage_templates(source, env_name)
    project = bootstrap is None
    if bootstrap is None:
        if not isinstance(source, list):
            from tools.bootstrap import resource_types_by_target

            types = resource_types_by_target(source)
        else:
            types = {}
            for stack in stacks:
                types.setdefault((stack.account, stack.region), set()).update(
                    r["Type"] for r in stack.resources.values()
                )
        bootstrap = project_bootstrap(config, types)
    inventory = build_inventory(stacks, cfg, config, bootstrap=bootstrap, execution_role_bounded=execution_role_bounded)
    resolver = Resolver(stacks, key_arns=key_arns_from_config(cfg))
    matrix = Matrix(env_name, parties(inventory, cfg), outcomes(stacks, resolver, inventory, cfg))
    for party in matrix.parties:
        paths = reachable(inventory, list(party.starts))
        for outcome in matrix.outcomes:
            matrix.cells[(party.id, outcome.id)] = evaluate_cell(inventory, party, outcome, paths)
    notes = sorted(
        {f"{pr.name}: {pr.note}" for pr in inventory.principals.values() if pr.note and not pr.note.startswith("CDK")}
    )
    bounded = any("-cfn-exec-role-" in p.arn and p.boundary for p in inventory.principals.values())
    matrix.notes = [
        (
            "CDK bootstrap roles are the project's own bootstrap (tools/bootstrap/): the deploy, publishing "
            "and lookup roles trust only the configured deployers ([deployment]), the CloudFormation execution "
            "role has the handler actions of the stacks' resource types and the LED deployment boundary."
        )
        if project
        else (
            "CDK bootstrap roles are modelled on the stock bootstrap template (policies/access/bootstrap.py): "
            "the deploy role trusts its own account, the CloudFormation execution role has AdministratorAccess "
            + ("and carries the LED boundary (config)." if bounded else "and no permissions boundary.")
        ),
        *notes,
    ]
    return matrix


def overclaims(matrix: Matrix) -> dict[str, list[Cell]]:
    """Every VTC condition an allowed forbidden outcome breaks, with the cells that break it: the
    report must not show such a condition as "enforced and passing"."""
    broken: dict[str, list[Cell]] = {}
    for outcome in matrix.outcomes:
        for party in matrix.parties:
            cell = matrix.cell(party.id, outcome.id)
            if cell.verdict == ALLOWED and not cell.by_design:
                for condition in outcome.conditions:
                    broken.setdefault(condition, []).append(cell)
    return dict(sorted(broken.items()))


__all__ = ["BY_DESIGN", "Cell", "Check", "Matrix", "Outcome", "Party", "overclaims", "who_can"]
