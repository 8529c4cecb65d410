"""Who may assume the LED roles: one list of identity principals (role ARNs) per party."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from config.accounts import DOCUMENTATION_AHOVOKS_IDENTITY_ACCOUNT, DOCUMENTATION_OPERATOR_IDENTITY_ACCOUNT
from config.base import ROLE_ARN, Strict
from contract.parties import OPERATOR_PARTY

__all__ = ["OPERATOR_PARTY", "Access", "default_access"]

if TYPE_CHECKING:
    import re

    from config.environment import EnvironmentConfig


class Access(Strict):
    """Who may assume the LED roles: one list of identity principals (role ARNs) per party."""

    # AHOVOKS (controller, §27): read the logs directly, without the processor in between.
    auditor_principals: tuple[str, ...]
    # AHOVOKS (controller, §32): deploy and run the application.
    application_manager_principals: tuple[str, ...]
    # Cronos (processor, §31-32): operate the platform, never read data, keys or logs.
    operator_principals: tuple[str, ...]
    # Break glass: MFA, one-hour sessions, every use alarmed.
    break_glass_principals: tuple[str, ...]
    # Maximum session of the human roles (break glass: always one hour).
    session_hours: int = Field(default=4, ge=1, le=12)

    @field_validator(
        "auditor_principals", "application_manager_principals", "operator_principals", "break_glass_principals"
    )
    @classmethod
    def _role_arns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("got an empty list; allowed: at least one IAM role ARN")
        for arn in value:
            if not ROLE_ARN.match(arn):
                raise ValueError(
                    f"got {arn!r}; allowed: IAM role ARNs arn:<partition>:iam::<12-digit account>:role/<name> "
                    "(no users, no account roots, no wildcards: trust names its principals)"
                )
        return value

    def all(self) -> dict[str, tuple[str, ...]]:
        return {
            "auditor_principals": self.auditor_principals,
            "application_manager_principals": self.application_manager_principals,
            "operator_principals": self.operator_principals,
            "break_glass_principals": self.break_glass_principals,
        }


def default_access(partition: str) -> dict[str, list[str]]:
    """Documentation principals (identity accounts of AHOVOKS and Cronos) in the given partition."""
    ahovoks = f"arn:{partition}:iam::{DOCUMENTATION_AHOVOKS_IDENTITY_ACCOUNT}:role"
    cronos = f"arn:{partition}:iam::{DOCUMENTATION_OPERATOR_IDENTITY_ACCOUNT}:role"
    return {
        "auditor_principals": [f"{ahovoks}/ahovoks-led-auditor"],
        "application_manager_principals": [f"{ahovoks}/ahovoks-led-application-manager"],
        "operator_principals": [f"{cronos}/cronos-led-platform-operator"],
        "break_glass_principals": [f"{ahovoks}/ahovoks-led-break-glass"],
    }


# Cross-field rules on access (run by EnvironmentConfig) --------------------------------------------


def _principals(env: EnvironmentConfig) -> list[tuple[str, str, re.Match[str]]]:
    """(field, ARN, its parts) of every configured principal."""
    found = []
    for field, arns in env.access.all().items():
        for arn in arns:
            match = ROLE_ARN.match(arn)
            assert match is not None  # the field validator already refused other shapes
            found.append((field, arn, match))
    return found


def principals_in_partition(env: EnvironmentConfig) -> None:
    """A principal of another partition cannot assume the roles."""
    for field, arn, match in _principals(env):
        if match["partition"] != env.partition:
            raise ValueError(
                f"field 'access.{field}': got {arn!r}, in partition {match['partition']}; allowed: "
                f"partition {env.partition} (region {env.region})"
            )


def operator_outside_keys_and_logs(env: EnvironmentConfig) -> None:
    """VTC-PROCESSOR (§27, §34): the processor's identities live outside the accounts that hold
    the keys and the logs."""
    for arn in env.access.operator_principals:
        account = arn.split(":")[4]
        if account in (env.accounts.key_custody, env.accounts.log_archive):
            raise ValueError(
                f"field 'access.operator_principals': got {arn!r}, in account {account}; allowed: an "
                "identity account of the platform operator, not the key custody or log archive account"
            )


def auditors_outside_workload(env: EnvironmentConfig) -> None:
    """VTC-LOGS-DIRECT (§27): AHOVOKS reads the logs without the processor in between, so its
    auditors are not identities of the account the processor runs."""
    for arn in env.access.auditor_principals:
        if arn.split(":")[4] == env.accounts.workload:
            raise ValueError(
                f"field 'access.auditor_principals': got {arn!r}, in the workload account {env.accounts.workload}; "
                "allowed: an AHOVOKS identity account the platform operator does not run (VTC §27)"
            )
