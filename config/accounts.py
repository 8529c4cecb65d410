"""The four accounts of one environment, and the documentation accounts that stand in for them."""

from __future__ import annotations

from pydantic import field_validator, model_validator

from config.base import AccountId, Strict, run_rules, twelve_digits

# The account ids that AWS uses in its documentation: a configuration still holding them can
# be synthesized but not deployed.
DOCUMENTATION_ACCOUNTS: frozenset[str] = frozenset(
    {
        "111122223333",
        "444455556666",
        "777788889999",
        "123456789012",
        "210987654321",
        "999999999999",
        "012345678901",
        "000000000000",
        "444444444444",
    }
)

# The documentation account ids that stand in for the identity accounts of the parties in the
# embedded default config: AHOVOKS' identity account and the platform operator's (Cronos).
DOCUMENTATION_AHOVOKS_IDENTITY_ACCOUNT = "210987654321"
DOCUMENTATION_OPERATOR_IDENTITY_ACCOUNT = "999999999999"
# AHOVOKS' delivery account, of its own: the controller's pipeline deploys (design.md, "The deployment path").
DOCUMENTATION_PIPELINE_ACCOUNT = "444444444444"


class Accounts(Strict):
    """The four accounts of one environment (see design.md, 'Accounts and trust')."""

    key_custody: AccountId
    workload: AccountId
    log_archive: AccountId
    backup: AccountId

    @field_validator("key_custody", "workload", "log_archive", "backup", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> str:
        return twelve_digits(value)

    @model_validator(mode="after")
    def _rules(self) -> Accounts:
        return run_rules(self, ACCOUNTS_RULES)

    def all(self) -> tuple[str, ...]:
        return (self.key_custody, self.workload, self.log_archive, self.backup)


# Cross-field rules of Accounts -------------------------------------------------------------------


def key_custody_apart_from_workload(acc: Accounts) -> None:
    """VTC-KEY-CUSTODY (§51): the Facilitair Bedrijf keeps the keys, not the department."""
    if acc.key_custody == acc.workload:
        raise ValueError(
            f"field 'accounts.key_custody': got {acc.key_custody!r}, the same account as "
            "accounts.workload; allowed: a separate Facilitair Bedrijf account (VTC §51)"
        )


def log_archive_apart_from_workload(acc: Accounts) -> None:
    """VTC-LOGS-DIRECT (§27): the processor must not control the log archive."""
    if acc.log_archive == acc.workload:
        raise ValueError(
            f"field 'accounts.log_archive': got {acc.log_archive!r}, the same account as "
            "accounts.workload; allowed: an AHOVOKS account the processor does not run (VTC §27)"
        )


def backup_apart_from_workload(acc: Accounts) -> None:
    """VTC-BACKUP-ELSEWHERE (§37): a backup elsewhere."""
    if acc.backup == acc.workload:
        raise ValueError(
            f"field 'accounts.backup': got {acc.backup!r}, the same account as "
            "accounts.workload; allowed: a separate backup account (VTC §37)"
        )


ACCOUNTS_RULES = (
    key_custody_apart_from_workload,
    log_archive_apart_from_workload,
    backup_apart_from_workload,
)
