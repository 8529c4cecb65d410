"""VTC-PROCESSOR (§14-15, §27, §34): the platform operator (the processor) runs the platform but
can read no personal data, use no key of the Facilitair Bedrijf and alter no log.

A role tagged led:party with the operator party (config OPERATOR_PARTY) must carry, in the
policies attached to it (its inline Policies, the AWS::IAM::ManagedPolicy / AWS::IAM::Policy
resources of the app whose Roles name it, the app's managed policies in its ManagedPolicyArns),
explicit Deny statements, without a Condition, covering:

- secretsmanager:GetSecretValue on every secret of the workload account in the environment's region,
- kms:Decrypt on the configured data key ARN, or on every key of the key custody account,
- rds-db:connect on every database user of the workload account in the environment's region,
- s3:PutObject and s3:DeleteObject on the objects of the log archive bucket.

Wildcards count (`kms:*`, `*`, resource `*`, `...:secret:*`): a Deny covers a target when its
action and resource patterns match the target's, the target's own wildcards taken literally (so
a narrower pattern such as `secret:led-*` does not cover `secret:*`). A Deny with NotResource or
a Condition, or with parts that cannot be read, covers nothing (fails closed).

Only partly checkable: whatever the operator gets outside these roles (other accounts, the
permissions it holds in its own identity account, AWS support access) is out of the template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from contract.operator import (
    OPERATOR_DENIED_ARCHIVE_ACTIONS,
    OPERATOR_DENIED_DATABASE_ACTIONS,
    OPERATOR_DENIED_KEY_ACTIONS,
    OPERATOR_DENIED_SECRET_ACTIONS,
)
from contract.tags import TAG_PARTY
from policies.graph import role_policies
from policies.iam import Statement, statements
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import UNKNOWN, render

RESOURCE_TYPES = ("AWS::IAM::Role",)


def denied_in_contract(action: str, denied: tuple[str, ...]) -> str:
    """One action of the contract's denied list (contract/operator.py): the rule requires it, the
    role denies the whole list. Checked at import, so a rename in the contract cannot leave the
    rule requiring an action the role no longer denies."""
    if action not in denied:
        raise ValueError(f"{action} is not one of the contract's denied actions {denied}")
    return action


# The least the operator's policies must deny, each a part of the contract's list.
SECRET_READ = denied_in_contract("secretsmanager:GetSecretValue", OPERATOR_DENIED_SECRET_ACTIONS)
KEY_USE = denied_in_contract("kms:Decrypt", OPERATOR_DENIED_KEY_ACTIONS)
DATABASE_LOGIN = denied_in_contract("rds-db:connect", OPERATOR_DENIED_DATABASE_ACTIONS)
ARCHIVE_WRITES = tuple(
    denied_in_contract(a, OPERATOR_DENIED_ARCHIVE_ACTIONS) for a in ("s3:PutObject", "s3:DeleteObject")
)


@dataclass(frozen=True)
class Required:
    """One explicit Deny the operator's policies must hold: an action on any one of the targets."""

    what: str
    action: str
    targets: tuple[str, ...]  # alternatives: covering one of them is enough


def required_denies(res: Resource) -> list[Required]:
    s = res.settings
    p, region, workload = s.partition, s.region, s.workload_account
    keys = (s.data_key_arn,) if s.data_key_arn else ()
    archive_objects = f"arn:{p}:s3:::{s.log_archive_bucket}/*"
    return [
        Required("the workload's secrets", SECRET_READ, (f"arn:{p}:secretsmanager:{region}:{workload}:secret:*",)),
        Required("the data key", KEY_USE, (*keys, f"arn:{p}:kms:*:{s.key_custody_account}:key/*")),
        Required("database login", DATABASE_LOGIN, (f"arn:{p}:rds-db:{region}:{workload}:dbuser:*/*",)),
        *(Required("the log archive", a, (archive_objects,)) for a in ARCHIVE_WRITES),
    ]


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """An IAM pattern ('*' any characters, '?' one character) as a regular expression."""
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    return bool(_glob(pattern, ignore_case).match(text))


def names_action(st: Statement, action: str) -> bool:
    """Whether a statement's Action (or NotAction) takes in the action, wildcards included."""
    if st.not_actions:
        return not any(matches(a, action, ignore_case=True) for a in st.not_actions)
    return any(matches(a, action, ignore_case=True) for a in st.actions)


def covers(st: Statement, action: str, target: str) -> bool:
    """Whether one statement is an unconditional Deny of the action on (at least) the target."""
    if st.effect != "Deny" or st.condition or st.unreadable or st.not_resources or not names_action(st, action):
        return False
    return any(UNKNOWN not in r and matches(r, target) for r in st.resources)


def _party(res: Resource) -> tuple[str | None, str]:
    value = res.tag(TAG_PARTY)
    if value is None or isinstance(value, str):
        return value, ""
    rendered = render(value, res.stack, res.app)
    return (rendered.text, "") if rendered.decided else (None, rendered.why())


@dataclass(frozen=True)
class _Read:
    label: str  # RolePolicy.label
    statements: list[Statement]
    unreadable: list[str]


@dataclass(frozen=True)
class OperatorRole:
    """A role of the platform operator, with the statements of every policy attached to it (role_policies)."""

    party: str
    policies: list[_Read]

    @property
    def statements(self) -> list[Statement]:
        return [st for policy in self.policies for st in policy.statements]

    def verdict(
        self, problems: list[str], *, what: str = "", about: Callable[[Statement], Iterable[str]] = lambda st: ()
    ) -> Result:
        """Compliant without problems; else the problems, the first naming the role (and `what` it may
        do), then what keeps parts of its policies from counting, policy by policy: the unreadable
        parts, then what `about` says of each statement (fails closed)."""
        if not problems:
            return verdict([])
        notes: list[str] = []
        for policy in self.policies:
            notes.extend(f"{policy.label}: {u} (fails closed)" for u in policy.unreadable)
            notes.extend(f"{policy.label} statement {st.sid}: {n}" for st in policy.statements for n in about(st))
        return verdict([f"operator role (led:party={self.party}){what}: " + problems[0], *problems[1:], *notes])


def operator_role(res: Resource) -> OperatorRole | Result:
    """The role with its policies read when its led:party tag names the operator, or the verdict
    already: not applicable to another party's role, non-compliant when the tag cannot be read."""
    party, why = _party(res)
    if why:
        return fail(
            f"the {TAG_PARTY} tag cannot be read ({why}): cannot tell whether this is a role of the "
            "platform operator (fails closed)"
        )
    if party is None or party.strip().casefold() != res.settings.operator_party.casefold():
        return NOT_APPLICABLE
    return OperatorRole(
        party, [_Read(policy.label, *statements(policy.document, policy.holder)) for policy in role_policies(res)]
    )


def _uncounted_deny(st: Statement) -> Iterator[str]:
    """Why a Deny statement covers nothing (covers)."""
    if st.effect != "Deny":
        return
    if st.condition:
        yield "a Deny with a Condition does not count"
    if st.not_resources:
        yield "a Deny with NotResource does not count (fails closed)"
    yield from (f"{u} (fails closed)" for u in st.unreadable)
    for r in st.resources:
        if UNKNOWN in r:
            yield f"Resource {r} is only known at deploy time and covers nothing (fails closed)"


def check(res: Resource) -> Result:
    role = operator_role(res)
    if isinstance(role, Result):
        return role
    sts = role.statements
    problems = []
    for req in required_denies(res):
        if not any(covers(st, req.action, target) for st in sts for target in req.targets):
            problems.append(f"no explicit Deny of {req.action} on {req.what} ({' or '.join(req.targets)})")
    return role.verdict(problems, about=_uncounted_deny)


RULE = RuleSpec(
    rule_id="VTC-PROCESSOR",
    condition_id="VTC-PROCESSOR",
    paragraph="§14-15, §27, §34",
    title="the platform operator (processor) can read no personal data, use no key and alter no log",
    trigger="an IAM role tagged led:party with the operator party whose attached policies (inline, managed "
    "or AWS::IAM::Policy naming the role) lack an unconditional explicit Deny of "
    "secretsmanager:GetSecretValue on the workload account's secrets, kms:Decrypt on the configured "
    "data key or on every key of the key custody account, rds-db:connect on the workload account's "
    "database users, or s3:PutObject / s3:DeleteObject on the log archive bucket's objects "
    "(wildcards count; a Deny with a Condition, NotResource or an unreadable part does not)",
    fix="build the operator role as cdk_constructs/workload_roles.py PlatformOperatorRole does: the Deny "
    "statements DenyReadingTheDatabaseSecret, DenyDatabaseLoginAndPasswordChange, DenyUsingTheDataKey and "
    "DenyWritingToTheLogArchive (contract/operator.py OPERATOR_DENIED_* actions) in its policy",
    marks=("AWS::Organizations::Policy",),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
