"""Who may do what, across the accounts of one environment: identity policies, permissions
boundaries, service control policies and resource-based policies combined the way IAM combines
them, and the paths by which one principal becomes another (sts:AssumeRole, iam:PassRole to a
function, a CloudFormation change set run by the execution role, new code in an existing function).

Evaluation of one request (principal, action, resource, context):

1. an explicit Deny in any applicable policy (identity, boundary, SCPs of the principal's
   account, the resource's policy, the RCPs of the resource's account, whoever asks) decides: denied;
2. the SCPs and RCPs must allow (the attached ones deny only; FullAWSAccess and RCPFullAWSAccess
   are assumed), and so must
   the boundary if the principal has one;
3. same account: an identity allow suffices, or a resource policy that names the principal itself;
   other account: the resource policy must allow the principal (or its account) AND its identity
   policies must; a KMS key whose key policy exists is authorised by the key policy alone (IAM
   policies count only where the key policy names the account);
4. a role's trust policy is the resource policy of sts:AssumeRole on it.

Principals of other parties' accounts (the identity accounts of AHOVOKS, Cronos, FB's key admin)
have identity policies this synthesis cannot see: they are modelled as allowing everything, so that
only what the LED accounts grant them counts. AWS services have no identity policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policies.access.evaluator import action_matches, allow_all, as_list, glob_any, matches_beyond_action

UNKNOWN_IDENTITY = allow_all("(identity policies outside the LED accounts)")


@dataclass(frozen=True)
class Origin:
    """Where a deciding statement is: stack (or SCP / bootstrap model), logical id, Sid, effect."""

    stack: str
    logical_id: str
    sid: str
    effect: str
    kind: str  # identity, boundary, scp, rcp, resource, trust

    def label(self) -> str:
        return f"{self.effect} {self.stack}/{self.logical_id} Sid={self.sid} ({self.kind})"


@dataclass(frozen=True)
class Doc:
    stack: str
    logical_id: str
    kind: str
    document: dict

    def statements(self) -> list[dict]:
        return as_list(self.document.get("Statement"))

    def statements_for(self, effect: str, action: str) -> tuple[dict, ...]:
        """The statements of `effect` whose Action (or NotAction) matches `action`, worked out once
        per document and action: a matrix asks the same few actions of every document many times."""
        index = self.__dict__.setdefault("_by_action", {})  # not a field: frozen, and not compared
        key = (effect, action)
        found = index.get(key)
        if found is None:
            found = index[key] = tuple(
                s for s in self.statements() if s.get("Effect") == effect and action_matches(s, action)
            )
        return found

    def origin(self, statement: dict) -> Origin:
        return Origin(
            self.stack, self.logical_id, str(statement.get("Sid", "(no Sid)")), statement["Effect"], self.kind
        )


@dataclass
class Principal:
    arn: str  # the role ARN, or the service principal's name
    name: str
    account: str | None
    partition: str
    kind: str  # role, external, service
    identity: list[Doc] = field(default_factory=list)
    boundary: Doc | None = None
    trust: Doc | None = None
    human: bool = False
    note: str = ""

    @property
    def caller(self) -> dict:
        if self.kind == "service":
            return {"service": self.arn}
        return {"arn": self.arn, "account": self.account, "partition": self.partition}


@dataclass(frozen=True)
class ResourcePolicy:
    doc: Doc
    governs: tuple[str, ...]  # ARN patterns of the resources the policy is attached to
    account: str
    service: str  # kms, s3, secretsmanager, backup, sns


@dataclass(frozen=True)
class Decision:
    verdict: str  # allowed, denied, not granted
    statements: tuple[Origin, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.verdict == ALLOWED


ALLOWED, DENIED, NOT_GRANTED = "allowed", "denied", "not granted"


@dataclass
class Inventory:
    """Everything the evaluation needs of one environment."""

    region: str
    partition: str
    principals: dict[str, Principal] = field(default_factory=dict)
    resource_policies: list[ResourcePolicy] = field(default_factory=list)
    scps: list[Doc] = field(default_factory=list)
    scp_accounts: frozenset[str] = frozenset()
    # The data perimeter RCPs (policies/rcp.py): they govern requests TO resources in these accounts.
    rcps: list[Doc] = field(default_factory=list)
    rcp_accounts: frozenset[str] = frozenset()
    organization_id: str | None = None
    org_accounts: frozenset[str] = frozenset()  # the accounts known to be in the organisation
    functions: dict[str, str] = field(default_factory=dict)  # function ARN -> role ARN
    stacks: dict[str, str] = field(default_factory=dict)  # stack ARN (sample) -> account

    def policies_of(self, resource: str) -> list[ResourcePolicy]:
        return [p for p in self.resource_policies if glob_any(p.governs, resource)]


def arn_account(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def _matches(docs: list[Doc], effect: str, action: str, resource: str, context: dict, caller=None) -> list[Origin]:
    return [
        d.origin(s)
        for d in docs
        for s in d.statements_for(effect, action)
        if matches_beyond_action(s, resource, context, caller)
    ]


def request_context(inventory: Inventory, principal: Principal, resource: str, extra: dict | None) -> dict:
    context = {
        "aws:SecureTransport": "true",
        "s3:TlsVersion": "1.3",
        "aws:RequestedRegion": _region_of(resource) or inventory.region,
    }
    if principal.kind == "service":
        context["aws:PrincipalServiceName"] = principal.arn
    else:
        context.update(
            {
                "aws:PrincipalArn": principal.arn,
                "aws:PrincipalAccount": principal.account or "",
                "kms:CallerAccount": principal.account or "",
            }
        )
    if principal.human:
        # A person signs in with MFA and names themself (sts:SourceIdentity), as the human
        # roles' trust policies require.
        context["aws:MultiFactorAuthPresent"] = "true"
        context["sts:SourceIdentity"] = "a-named-person"
    context.update(extra or {})
    return context


def perimeter_context(inventory: Inventory, principal: Principal, resource_account: str | None, context: dict) -> dict:
    """The keys the RCPs test, as AWS sets them: aws:PrincipalOrgID for a principal of the
    organisation, aws:PrincipalIsAWSService, and for a service the account it acts for (unless the
    request says otherwise: the resource's own account, the organisation's). Only for the RCPs, so
    the verdicts of the other policies stay as they were computed before the RCPs."""
    extra: dict = {"aws:PrincipalIsAWSService": "true" if principal.kind == "service" else "false"}
    if principal.kind != "service" and principal.account in inventory.org_accounts and inventory.organization_id:
        extra["aws:PrincipalOrgID"] = inventory.organization_id
    if principal.kind == "service" and resource_account:
        extra["aws:SourceAccount"] = resource_account
        if resource_account in inventory.org_accounts and inventory.organization_id:
            extra["aws:SourceOrgID"] = inventory.organization_id
    return {**extra, **context}


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 4 and parts[3] else None


def decide(
    inventory: Inventory, principal: Principal, action: str, resource: str, extra: dict | None = None
) -> Decision:
    """One request, evaluated as IAM does (see the module docstring)."""
    context = request_context(inventory, principal, resource, extra)
    caller = principal.caller
    identity = [UNKNOWN_IDENTITY_DOC] if principal.kind == "external" else principal.identity
    boundary = [principal.boundary] if principal.boundary else []
    scps = inventory.scps if principal.kind == "role" and principal.account in inventory.scp_accounts else []
    target = inventory.principals.get(resource) if action.lower() == "sts:assumerole" else None
    if target is not None:
        policies = [target.trust] if target.trust else []
        resource_account, service = target.account, "sts"
    else:
        found = inventory.policies_of(resource)
        policies = [p.doc for p in found]
        resource_account = found[0].account if found else (arn_account(resource) or principal.account)
        service = found[0].service if found else ""
    rcps = inventory.rcps if resource_account in inventory.rcp_accounts else []
    denies = [
        *_matches([*identity, *boundary, *scps], "Deny", action, resource, context),
        *_matches(policies, "Deny", action, resource, context, caller),
        *_matches(
            rcps, "Deny", action, resource, perimeter_context(inventory, principal, resource_account, context), caller
        ),
    ]
    if denies:
        return Decision(DENIED, tuple(denies))
    grants = _matches(policies, "Allow", action, resource, context, caller)
    own = _matches(identity, "Allow", action, resource, context) if principal.kind != "service" else []
    capped = [_matches(boundary, "Allow", action, resource, context)] if boundary else []
    if capped and not capped[0]:
        own = []  # the boundary does not allow it: the identity allow does not count
    capped_origins = tuple(capped[0]) if capped else ()
    names_exactly = [g for g in grants if _names(policies, g, principal)]
    same_account = principal.account is not None and principal.account == resource_account
    if principal.kind == "service":
        return Decision(ALLOWED, tuple(grants)) if grants else Decision(NOT_GRANTED)
    if (service in ("kms", "sts") or not same_account) and policies:
        if names_exactly and (same_account or own):
            return Decision(ALLOWED, tuple(names_exactly) + tuple(own) + capped_origins)
        if grants and own:
            return Decision(ALLOWED, tuple(grants) + tuple(own) + capped_origins)
        return Decision(NOT_GRANTED)
    if same_account and own:
        return Decision(ALLOWED, tuple(own) + capped_origins + tuple(grants))
    if same_account and names_exactly:
        return Decision(ALLOWED, tuple(names_exactly))
    return Decision(NOT_GRANTED)


UNKNOWN_IDENTITY_DOC = Doc("(outside the LED accounts)", "-", "identity", UNKNOWN_IDENTITY)


def _names(policies: list[Doc], origin: Origin, principal: Principal) -> bool:
    """The granting statement names the principal's own ARN (not its account)."""
    for doc in policies:
        for statement in doc.statements():
            if doc.origin(statement) == origin:
                values = [str(v) for v in as_list((statement.get("Principal") or {}).get("AWS"))]
                if principal.arn in values:
                    return True
    return False


# Paths -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One hop of a path: `via` (the request that makes the hop) turns the principal into `to`."""

    via: str
    to: str
    statements: tuple[Origin, ...]

    def label(self) -> str:
        return f"{self.via} → {self.to}"


def successors(inventory: Inventory, principal: Principal) -> list[Step]:
    """The principals `principal` can become in one hop."""
    steps: list[Step] = []
    for target in inventory.principals.values():
        if target.kind != "role" or target.arn == principal.arn:
            continue
        assume = decide(inventory, principal, "sts:AssumeRole", target.arn)
        if assume.allowed:
            steps.append(Step(f"sts:AssumeRole {target.name}", target.arn, assume.statements))
            continue
        step = _through_a_service(inventory, principal, target)
        if step:
            steps.append(step)
    return steps


def _trusts(target: Principal, service: str) -> bool:
    return target.trust is not None and any(
        s.get("Effect") == "Allow" and service in [str(v) for v in as_list((s.get("Principal") or {}).get("Service"))]
        for s in target.trust.statements()
    )


def _through_a_service(inventory: Inventory, principal: Principal, target: Principal) -> Step | None:
    """A service that runs with a role the principal hands it or whose code the principal changes."""
    if principal.kind == "service":
        return None
    if _trusts(target, "lambda.amazonaws.com"):
        for function, role in inventory.functions.items():
            if role == target.arn:
                update = decide(inventory, principal, "lambda:UpdateFunctionCode", function)
                if update.allowed:
                    return Step(
                        f"lambda:UpdateFunctionCode {function.rsplit(':', 1)[-1]}", target.arn, update.statements
                    )
        passed = decide(
            inventory, principal, "iam:PassRole", target.arn, {"iam:PassedToService": "lambda.amazonaws.com"}
        )
        if passed.allowed:
            sample = f"arn:{inventory.partition}:lambda:{inventory.region}:{target.account}:function:new-function"
            create = decide(inventory, principal, "lambda:CreateFunction", sample)
            if create.allowed:
                return Step("iam:PassRole + lambda:CreateFunction", target.arn, passed.statements + create.statements)
    if _trusts(target, "cloudformation.amazonaws.com"):
        passed = decide(
            inventory, principal, "iam:PassRole", target.arn, {"iam:PassedToService": "cloudformation.amazonaws.com"}
        )
        if passed.allowed:
            for stack, account in inventory.stacks.items():
                if account != target.account:
                    continue
                execute = decide(inventory, principal, "cloudformation:ExecuteChangeSet", stack)
                if execute.allowed:
                    name = stack.split(":stack/", 1)[-1].split("/", 1)[0]
                    return Step(
                        f"cloudformation:ExecuteChangeSet {name} (iam:PassRole)",
                        target.arn,
                        passed.statements + execute.statements,
                    )
    return None


def reachable(inventory: Inventory, starts: list[str]) -> dict[str, list[Step]]:
    """Every principal reachable from `starts`, with the shortest path to it (breadth first)."""
    paths: dict[str, list[Step]] = {s: [] for s in starts}
    queue = list(starts)
    while queue:
        current = queue.pop(0)
        for step in successors(inventory, inventory.principals[current]):
            if step.to not in paths:
                paths[step.to] = [*paths[current], step]
                queue.append(step.to)
    return paths


__all__ = [
    "ALLOWED",
    "DENIED",
    "NOT_GRANTED",
    "Decision",
    "Doc",
    "Inventory",
    "Origin",
    "Principal",
    "ResourcePolicy",
    "Step",
    "decide",
    "reachable",
]
