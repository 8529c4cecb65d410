"""The building blocks of the Organizations policies (the guardrail SCPs of policies/guardrails.py
and the data perimeter RCPs of policies/rcp.py): a named document, its stored and reviewable text
(and the reviewable files), the size check against the Organizations quota, and the accounts and
roles the documents name.

Quotas (AWS Organizations, "Quotas and service limits", and "Managing policies"): an SCP and an RCP
each hold at most 5,120 characters (every character counts, so the stored text is the compact
JSON); at most five SCPs and five RCPs are attached to one root, OU or account, FullAWSAccess and
RCPFullAWSAccess (attached by AWS, not detachable) included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from config import ConfigError, LandingZoneConfig, partition_of

SCP_MAX_CHARS = 5120
RCP_MAX_CHARS = 5120
# Five per target, each type: four of ours beside FullAWSAccess / RCPFullAWSAccess.
POLICIES_PER_TARGET = 5


class PolicyTooLarge(ConfigError):
    """A policy over an Organizations quota: said in one line at synthesis (app.py prints it)."""


@dataclass(frozen=True, kw_only=True)
class Guardrail:
    name: str
    description: str
    document: dict

    def text(self) -> str:
        """The text the Organizations API stores (and counts against the 5,120-character limit)."""
        return json.dumps(self.document, separators=(",", ":"))

    def reviewable(self) -> str:
        return json.dumps(self.document, indent=2) + "\n"


def _document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _deny(
    sid: str, actions: tuple[str, ...] | list[str], resources: list[str] | str = "*", condition: dict | None = None
) -> dict:
    statement: dict = {"Sid": sid, "Effect": "Deny", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def organization_partition(config: LandingZoneConfig) -> str:
    """The partition of the environments' accounts (one organisation never spans two partitions;
    the config refuses an [organization] whose environments do)."""
    return partition_of(next(iter(config.environments.values())).region)


def member_accounts(config: LandingZoneConfig) -> list[str]:
    """The accounts the guardrails are attached to: workload, log archive, backup of every environment."""
    accounts = {
        a
        for env in config.environments.values()
        for a in (env.accounts.workload, env.accounts.log_archive, env.accounts.backup)
    }
    return sorted(accounts)


def _deployment_roles(config: LandingZoneConfig, accounts: list[str]) -> list[str]:
    # The CloudFormation execution role of the CDK bootstrap: the only path that may change the
    # audit configuration, so every change is a reviewed, recorded deployment. Exact ARNs, one per
    # account and region the stacks deploy to: no wildcard in aws:PrincipalArn.
    return config.execution_role_arns(bootstrapper="AHOVOKS", accounts=set(accounts))


def _not_principals(arns: list[str]) -> dict:
    return {"ArnNotEquals": {"aws:PrincipalArn": arns}}


def check_quota(policies: list[Guardrail], *, kind: str, max_chars: int) -> list[Guardrail]:
    """The documents unchanged, or PolicyTooLarge naming the policy, its size and the limit."""
    for policy in policies:
        size = len(policy.text())
        if size > max_chars:
            raise PolicyTooLarge(
                f"policy error: {kind} {policy.name!r} is {size:,} characters; the AWS Organizations limit is "
                f"{max_chars:,} (fewer environments or accounts per organisation stack, or split the document)"
            )
    if len(policies) > POLICIES_PER_TARGET - 1:
        raise PolicyTooLarge(
            f"policy error: {len(policies)} {kind}s per account; the AWS Organizations limit is "
            f"{POLICIES_PER_TARGET} per target, the AWS-managed full-access policy included"
        )
    return policies


def write_reviewable_files(policies: list[Guardrail], directory: Path) -> list[Path]:
    """Each document's reviewable text as <name>.json in the directory (the SCPs' and the RCPs' alike)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for policy in policies:
        path = directory / f"{policy.name}.json"
        path.write_text(policy.reviewable(), encoding="utf-8")
        written.append(path)
    return written
