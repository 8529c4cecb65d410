"""One environment of the LED landing zone: its tables, its cross-field rules, its derived values.

Each table's schema lives in the module of that name (config/keys.py for `keys`, ...), with the
rules that end in an error on one of its fields; ENVIRONMENT_RULES lists them all, in the order
they are checked (the first that fails is the error reported).
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from config import access, audit, backup, drills, keys, logs
from config.access import Access, default_access
from config.accounts import DOCUMENTATION_ACCOUNTS, Accounts
from config.audit import Audit
from config.backup import Backup
from config.base import Strict, run_rules
from config.database import Database
from config.drills import Drills
from config.keys import Keys
from config.logs import Logs
from config.network import Network
from config.regions import eu_region, partition_of
from contract import names


class EnvironmentConfig(Strict):
    """One environment: its accounts, region, sizes and keys."""

    name: str
    region: str
    holds_personal_data: bool = False
    owner: str = "AHOVOKS"
    accounts: Accounts
    keys: Keys = Keys()
    network: Network = Network()
    database: Database = Database()
    backup: Backup = Backup()
    logs: Logs = Logs()
    drills: Drills = Drills()
    audit: Audit = Audit()
    access: Access

    @field_validator("region")
    @classmethod
    def _in_eu(cls, value: str) -> str:
        return eu_region(value)

    @model_validator(mode="before")
    @classmethod
    def _default_access(cls, data: object) -> object:
        # Unset principal lists default to documentation principals in the environment's partition.
        if isinstance(data, dict) and isinstance(data.get("region"), str):
            given = data.get("access", {})
            if isinstance(given, dict):
                data = {**data, "access": {**default_access(partition_of(data["region"])), **given}}
        return data

    @model_validator(mode="after")
    def _rules(self) -> EnvironmentConfig:
        return run_rules(self, ENVIRONMENT_RULES)

    # Derived values -------------------------------------------------------------------------

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def availability_zones(self) -> list[str]:
        """Named, not looked up: synthesis stays offline and deterministic."""
        return [f"{self.region}{letter}" for letter in "abc"[: self.network.max_azs]]

    @property
    def uses_documentation_accounts(self) -> bool:
        principals = [arn.split(":")[4] for arns in self.access.all().values() for arn in arns]
        return any(a in DOCUMENTATION_ACCOUNTS for a in (*self.accounts.all(), *principals))

    @property
    def backup_retention_days(self) -> int:
        """A daily rule that keeps N generations deletes each recovery point after N days."""
        return self.backup.generations

    @property
    def longest_backup_retention_days(self) -> int:
        """The longest any recovery point is kept: the copies in the backup account (VTC §49: the
        logs outlive every backup)."""
        return max(self.backup.generations, self.backup.copy_retention_days)

    def key_arn(self, purpose: Literal["data", "backup", "log", "secondary_backup"]) -> str:
        """The ARN the workload uses for a key: the configured key ARN, or, where the environment
        holds no personal data and FB has not handed the ARN over yet, the alias ARN that the key
        custody stack creates (KMS accepts alias ARNs across accounts)."""
        arn = getattr(self.keys, f"{purpose}_key_arn")
        if arn is not None:
            return arn
        region = self.backup.secondary_region if purpose == "secondary_backup" else self.region
        return f"arn:{self.partition}:kms:{region}:{self.accounts.key_custody}:alias/{self.key_alias_name(purpose)}"

    @property
    def log_archive_bucket_name(self) -> str:
        """Deterministic: the workload's trail and Config (and the operator's deny, VTC-PROCESSOR)
        must know it without a cross-account export."""
        return names.log_archive_bucket_name(self.name, self.accounts.log_archive, self.region)

    def key_alias_name(self, purpose: str) -> str:
        return names.key_alias_name(self.name, purpose)

    @property
    def exit_bucket_name(self) -> str:
        """Deterministic: the second partner and led-ops must know it before anything is exported."""
        return names.exit_bucket_name(self.name, self.accounts.workload, self.region)

    def resource_name(self, role: str) -> str:
        """The deterministic name of a resource another account must know in advance."""
        return names.resource_name(self.name, role)


# The cross-field rules of an environment, in the order they are checked. Each is a function of
# the environment in the module of the table whose field its error names; add a new one here.
ENVIRONMENT_RULES = (
    backup.secondary_region_not_primary,
    backup.secondary_region_in_partition,
    keys.personal_data_needs_keys,
    keys.keys_in_key_custody_account,
    keys.keys_in_their_region,
    keys.keys_in_partition,
    keys.origin_supported,
    backup.generations_below_rotation,
    backup.copies_outlive_generations,
    backup.copies_expire_before_rotation,
    drills.exit_partner_outside_led_accounts,
    drills.exit_partner_in_partition,
    drills.export_expiry_below_rotation,
    logs.logs_outlive_backups,
    audit.object_lock_outlives_backups,
    backup.air_gap_window_ordered,
    backup.air_gap_lock_keeps_generations,
    backup.air_gap_lock_fits_copies,
    backup.air_gap_expires_before_rotation,
    backup.air_gap_key_is_an_arn,
    backup.air_gap_team_independent,
    access.principals_in_partition,
    access.operator_outside_keys_and_logs,
    access.auditors_outside_workload,
)
