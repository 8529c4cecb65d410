"""VTC-LEAST-PRIVILEGE (conclusion V): no wildcard actions, no `service:*` on data and key
services, no `Resource: *` with write or decrypt actions, no administrator policies."""

from __future__ import annotations

from contract.metadata import METADATA_BOUNDARY
from policies.iam import DATA_SERVICES, STAR_ONLY_WRITES, is_read_only, service_of, statements
from policies.kms import XKS_KEY_TYPE
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_list, render

RESOURCE_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::Group",
    "AWS::IAM::User",
    "AWS::KMS::Key",
    XKS_KEY_TYPE,
)
_ADMIN_POLICIES = ("/AdministratorAccess", "/PowerUserAccess", "/IAMFullAccess", "FullAccess")


def _documents(res: Resource) -> list[tuple[str, object]]:
    if res.type in ("AWS::KMS::Key", XKS_KEY_TYPE):
        return [("KeyPolicy", res.props.get("KeyPolicy"))]
    if res.type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        return [("PolicyDocument", res.props.get("PolicyDocument"))]
    return [
        (f"Policies[{i}]", p.get("PolicyDocument") if isinstance(p, dict) else p)
        for i, p in enumerate(as_list(res.props.get("Policies")))
    ]


def _statement_problems(label: str, doc: object, res: Resource) -> list[str]:
    sts, problems = statements(doc, res)
    out = [f"{label}: {p} (fails closed)" for p in problems]
    for st in sts:
        if st.effect != "Allow":
            continue
        where = f"{label} statement {st.sid}"
        out.extend(f"{where}: {u} (fails closed)" for u in st.unreadable)
        if st.not_actions:
            out.append(f"{where}: Allow with NotAction grants every other action")
        for action in st.actions:
            if action == "*":
                out.append(f"{where}: Action '*'")
            elif action.endswith(":*") and service_of(action) in DATA_SERVICES:
                out.append(f"{where}: Action {action!r} on a data or key service")
        # In a key policy, Resource '*' means "this key".
        if res.type not in ("AWS::KMS::Key", XKS_KEY_TYPE) and ("*" in st.resources or st.not_resources):
            risky = [a for a in st.actions if not is_read_only(a) and a.lower() not in STAR_ONLY_WRITES]
            if risky:
                out.append(f"{where}: Resource '*' with write or decrypt actions {', '.join(risky[:5])}")
    return out


def check(res: Resource) -> Result:
    if res.type == "AWS::IAM::User":
        return fail("an IAM user: people sign in through federated roles, services use roles")
    problems: list[str] = []
    boundary = as_bool(res.metadata.get(METADATA_BOUNDARY)) is True and res.type == "AWS::IAM::ManagedPolicy"
    if boundary:
        # A permissions boundary grants nothing: its allow statements are a ceiling, unless the
        # policy is also attached as an ordinary policy.
        attached = [k for k in ("Roles", "Users", "Groups") if res.props.get(k)]
        if attached:
            problems.append(f"the permissions boundary is attached as a policy through {', '.join(attached)}")
        sts, unreadable = statements(res.props.get("PolicyDocument"), res)
        problems.extend(f"{u} (fails closed)" for u in unreadable)
        if not any(st.effect == "Deny" for st in sts):
            problems.append("the permissions boundary has no Deny statement: it caps nothing")
        return verdict(problems)
    for label, doc in _documents(res):
        problems.extend(_statement_problems(label, doc, res))
    for arn in as_list(res.props.get("ManagedPolicyArns")):
        text = arn if isinstance(arn, str) else render(arn, res.stack, res.app).text
        if text.endswith(_ADMIN_POLICIES) and ":iam::aws:policy/" in text:
            problems.append(f"managed policy {text} grants administrator or full access")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-LEAST-PRIVILEGE",
    condition_id="VTC-LEAST-PRIVILEGE",
    paragraph="conclusion V",
    title="policies grant no wildcard action and no write or decrypt on every resource; no IAM users",
    trigger="an Allow (identity or key policy) with Action '*', NotAction, 'service:*' on a data or key "
    "service; an identity policy with Resource '*' and a write or decrypt action; an AWS "
    "administrator/full-access managed policy; an IAM user",
    fix="name the actions and the resources (use grant_* methods); roles instead of users",
    marks=(
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Policy",
        "AWS::Organizations::Policy",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
