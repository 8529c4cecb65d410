"""The validated description of every environment of the LED landing zone.

The configuration is read once, in app.py (or by the led-ops command), and passed down as
these frozen objects; constructs never read files or the environment themselves.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# VTC-OUTSOURCING-2016 (§18-19): only regions inside the EU can ever be allowed. London
# (eu-west-2) and Zurich (eu-central-2) are outside the EU and deliberately absent.
EU_REGIONS: tuple[str, ...] = (
    "eu-west-1",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eusc-de-east-1",
)

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

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

_ACCOUNT = re.compile(r"^\d{12}$")
_KEY_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-eusc):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"key/(?P<key_id>mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_ENV_NAME = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_IAM_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
_ROLE_ARN = re.compile(r"^arn:(?P<partition>aws|aws-eusc):iam::(?P<account>\d{12}):role/[A-Za-z0-9+=,.@_/-]{1,512}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")

# The documentation account ids that stand in for the identity accounts of the parties in the
# embedded default config: AHOVOKS' identity account and the platform operator's (Cronos).
DOCUMENTATION_AHOVOKS_IDENTITY_ACCOUNT = "210987654321"
DOCUMENTATION_OPERATOR_IDENTITY_ACCOUNT = "999999999999"
# AHOVOKS' delivery account, of its own: the controller's pipeline deploys (design.md, "The deployment path").
DOCUMENTATION_PIPELINE_ACCOUNT = "444444444444"

# The platform operator (the processor, VTC §14-15): the value of its roles' led:party tag and of
# the stacks' led:operator tag. One place: the stacks tag with it, VTC-PROCESSOR matches on it.
OPERATOR_PARTY = "Cronos Public Services"
# The CDK bootstrap qualifier the stacks deploy with; `[deployment] qualifier` must match it
# (tools/bootstrap.py refuses another one).
CDK_DEFAULT_QUALIFIER = "hnb659fds"


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to (the European Sovereign Cloud has its own)."""
    return "aws-eusc" if region.startswith("eusc-") else "aws"


def service_domain_of(region: str) -> str:
    """The DNS suffix of service endpoints in a region's partition."""
    return "amazonaws.eu" if region.startswith("eusc-") else "amazonaws.com"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


AccountId = Annotated[str, Field(description="a 12-digit AWS account id")]


class Accounts(_Strict):
    """The four accounts of one environment (see design.md, 'Accounts and trust')."""

    key_custody: AccountId
    workload: AccountId
    log_archive: AccountId
    backup: AccountId

    @field_validator("key_custody", "workload", "log_archive", "backup", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> str:
        if not isinstance(value, str) or not _ACCOUNT.match(value):
            raise ValueError(f"got {value!r}; allowed: a 12-digit AWS account id as a quoted string")
        return value

    @model_validator(mode="after")
    def _separation(self) -> Accounts:
        # VTC-KEY-CUSTODY (§51): the Facilitair Bedrijf keeps the keys, not the department.
        if self.key_custody == self.workload:
            raise ValueError(
                f"field 'accounts.key_custody': got {self.key_custody!r}, the same account as "
                "accounts.workload; allowed: a separate Facilitair Bedrijf account (VTC §51)"
            )
        # VTC-LOGS-DIRECT (§27): the processor must not control the log archive.
        if self.log_archive == self.workload:
            raise ValueError(
                f"field 'accounts.log_archive': got {self.log_archive!r}, the same account as "
                "accounts.workload; allowed: an AHOVOKS account the processor does not run (VTC §27)"
            )
        # VTC-BACKUP-ELSEWHERE (§37): a backup elsewhere.
        if self.backup == self.workload:
            raise ValueError(
                f"field 'accounts.backup': got {self.backup!r}, the same account as "
                "accounts.workload; allowed: a separate backup account (VTC §37)"
            )
        return self

    def all(self) -> tuple[str, ...]:
        return (self.key_custody, self.workload, self.log_archive, self.backup)


class Keys(_Strict):
    """The customer-managed keys the Facilitair Bedrijf holds for this environment."""

    # VTC-KEY-REENCRYPT (§46): rotation with a bounded period; KMS allows 90-2560 days.
    rotation_period_days: int = Field(default=365, ge=90, le=2560)
    # §45: FB's crypto module supplies the key material (Origin EXTERNAL).
    imported_key_material: bool = False
    key_admin_role_name: str = "led-fb-key-admin"
    data_key_arn: str | None = None
    backup_key_arn: str | None = None
    log_key_arn: str | None = None
    secondary_backup_key_arn: str | None = None

    @field_validator("key_admin_role_name")
    @classmethod
    def _role_name(cls, value: str) -> str:
        if not _IAM_NAME.match(value):
            raise ValueError(f"got {value!r}; allowed: an IAM role name (1-64 of A-Za-z0-9+=,.@_-)")
        return value

    @field_validator("data_key_arn", "backup_key_arn", "log_key_arn", "secondary_backup_key_arn")
    @classmethod
    def _key_arn(cls, value: str | None) -> str | None:
        if value is not None and not _KEY_ARN.match(value):
            raise ValueError(
                f"got {value!r}; allowed: a KMS key ARN arn:<partition>:kms:<region>:<12-digit account>:key/<key id>"
            )
        return value


class Network(_Strict):
    vpc_cidr: str = "10.0.0.0/20"
    max_azs: int = Field(default=2, ge=2, le=3)

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        match = re.match(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})$", value)
        if not match or any(int(o) > 255 for o in match.groups()[:4]) or not 16 <= int(match[5]) <= 22:
            raise ValueError(f"got {value!r}; allowed: an IPv4 CIDR block from /16 to /22")
        return value


class Database(_Strict):
    # A current PostgreSQL major; pgaudit and rds.force_ssl exist for all of them.
    engine_major: Literal["16", "17", "18"] = "17"
    # §52-54: a small, stable application: small instance classes only.
    instance_class: str = "t4g.medium"
    allocated_storage_gib: int = Field(default=50, ge=20, le=2000)
    max_allocated_storage_gib: int = Field(default=200, ge=21, le=4000)
    multi_az: bool = False
    database_name: str = "led"

    @field_validator("instance_class")
    @classmethod
    def _small(cls, value: str) -> str:
        match = re.match(r"^(t4g|t3|m6g|m7g|m8g|r6g|r7g|r8g)\.(medium|large|xlarge|2xlarge)$", value)
        if not match:
            raise ValueError(
                f"got {value!r}; allowed: a small class such as t4g.medium, m7g.large or "
                "r7g.xlarge (families t3/t4g/m6g-m8g/r6g-r8g, sizes medium-2xlarge; VTC §52-54)"
            )
        return value

    @model_validator(mode="after")
    def _ceiling(self) -> Database:
        if self.max_allocated_storage_gib <= self.allocated_storage_gib:
            raise ValueError(
                f"field 'database.max_allocated_storage_gib': got {self.max_allocated_storage_gib}; "
                f"allowed: more than database.allocated_storage_gib ({self.allocated_storage_gib})"
            )
        return self


# AWS Backup's floor for a logically air-gapped vault's MinRetentionDays.
AIR_GAP_MIN_RETENTION_FLOOR = 7
_MPA_TEAM_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-eusc):mpa:[a-z0-9-]{1,20}:(?P<account>\d{12}):approval-team/[a-zA-Z0-9._-]+$"
)
_CRON = re.compile(r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$")


class AirGap(_Strict):
    """A logically air-gapped vault in the backup account that receives a copy of every recovery point
    (VTC §37) under the FB backup key, in compliance mode (AWS Backup allows no other), and from which
    restore testing runs (§40). MinRetentionDays, MaxRetentionDays and the key cannot change once the
    vault exists (CloudFormation replaces it), hence a roomy default maximum: the copy window can grow
    to 60 days without a new vault, and 60 stays below the shortest rotation period KMS allows (90).
    Checked against the generations, the copy window and the key rotation in EnvironmentConfig."""

    enabled: bool = False
    min_retention_days: int = AIR_GAP_MIN_RETENTION_FLOOR
    max_retention_days: int = 60
    # Optional: the Multi-party approval team (in the organisation's management account) that can
    # grant access to the vault when the backup account itself is lost or compromised.
    mpa_approval_team_arn: str | None = None
    # Weekly, two days after the primary vault's restore test (backup.restore_test_schedule).
    restore_test_schedule: str = "cron(0 5 ? * WED *)"

    @field_validator("min_retention_days")
    @classmethod
    def _floor(cls, value: int) -> int:
        if value < AIR_GAP_MIN_RETENTION_FLOOR:
            raise ValueError(
                f"got {value}; allowed: at least {AIR_GAP_MIN_RETENTION_FLOOR} (AWS Backup's minimum for a "
                "logically air-gapped vault)"
            )
        return value

    @field_validator("mpa_approval_team_arn")
    @classmethod
    def _team_arn(cls, value: str | None) -> str | None:
        if value is not None and not _MPA_TEAM_ARN.match(value):
            raise ValueError(
                f"got {value!r}; allowed: a Multi-party approval team ARN "
                "arn:<partition>:mpa:<region>:<12-digit account>:approval-team/<id>"
            )
        return value

    @field_validator("restore_test_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if not _CRON.match(value):
            raise ValueError(f"got {value!r}; allowed: an EventBridge cron expression cron(m h dom mon dow y)")
        return value

    def problems(self, env: EnvironmentConfig) -> str | None:
        """The first way this vault contradicts the environment, as one error line (None: consistent)."""
        if not self.enabled:
            return None
        b, rotation, lag = env.backup, env.keys.rotation_period_days, "backup.air_gap"
        checks = (
            (
                self.max_retention_days >= self.min_retention_days,
                f"{lag}.max_retention_days",
                self.max_retention_days,
                f"at least {lag}.min_retention_days ({self.min_retention_days})",
            ),
            # The compliance lock guarantees every copy at least the generations (§39).
            (
                self.min_retention_days >= b.generations,
                f"{lag}.min_retention_days",
                self.min_retention_days,
                f"at least backup.generations ({b.generations}) (VTC §39)",
            ),
            # AWS Backup refuses a copy whose lifecycle falls outside the lock (the copy job fails).
            (
                self.min_retention_days <= b.copy_retention_days,
                f"{lag}.min_retention_days",
                self.min_retention_days,
                f"at most backup.copy_retention_days ({b.copy_retention_days}): the copies must fit the lock",
            ),
            (
                self.max_retention_days >= b.copy_retention_days,
                f"{lag}.max_retention_days",
                self.max_retention_days,
                f"at least backup.copy_retention_days ({b.copy_retention_days}): the copies must fit the lock",
            ),
            # Nothing in the vault may still exist when the key rotates, so re-encryption is never blocked (§47).
            (
                self.max_retention_days < rotation,
                f"{lag}.max_retention_days",
                self.max_retention_days,
                f"fewer days than keys.rotation_period_days ({rotation}) (VTC §47)",
            ),
        )
        for ok, field, value, allowed in checks:
            if not ok:
                return f"field {field!r}: got {value}; allowed: {allowed}"
        # The vault's key is fixed at creation: the key ARN FB handed over, never the alias.
        if env.keys.backup_key_arn is None:
            return (
                "field 'keys.backup_key_arn': missing; allowed: the ARN of the FB backup key in account "
                f"{env.accounts.key_custody}, region {env.region} (required by {lag}.enabled: a logically "
                "air-gapped vault's key cannot change)"
            )
        team = _MPA_TEAM_ARN.match(self.mpa_approval_team_arn or "")
        if team and team["partition"] != env.partition:
            return (
                f"field '{lag}.mpa_approval_team_arn': got {self.mpa_approval_team_arn!r}, in partition "
                f"{team['partition']}; allowed: partition {env.partition} (region {env.region})"
            )
        if team and team["account"] in env.accounts.all():
            return (
                f"field '{lag}.mpa_approval_team_arn': got {self.mpa_approval_team_arn!r}, in LED account "
                f"{team['account']}; allowed: a team of the organisation's management account (an approval "
                "path that falls with an LED account is no independent path)"
            )
        return None


class Backup(_Strict):
    # §38-39: daily backups, three generations.
    generations: int = Field(default=3, ge=3, le=35)
    secondary_region: str | None = None
    # governance: the vault lock can still be removed by a privileged principal (dev, acc);
    # compliance: after the grace period nobody can, AWS included.
    vault_lock_mode: Literal["governance", "compliance"] = "governance"
    restore_test_schedule: str = "cron(0 5 ? * MON *)"
    # VTC-BACKUP-ELSEWHERE (§37) / VTC-NO-STALE-BACKUP (§47): how long the copies in the backup
    # account are kept, the detection-and-response window after a silent stop of the plan: at
    # least `generations`, fewer days than keys.rotation_period_days (checked below).
    copy_retention_days: int = 14
    air_gap: AirGap = AirGap()

    @field_validator("generations", mode="before")
    @classmethod
    def _generations(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and value < 3:
            raise ValueError(f"got {value}; allowed: at least 3 (VTC §39: three generations)")
        return value

    @field_validator("secondary_region")
    @classmethod
    def _secondary_in_eu(cls, value: str | None) -> str | None:
        if value is not None and value not in EU_REGIONS:
            raise ValueError(f"got {value!r}; allowed: {', '.join(EU_REGIONS)} (VTC §18-19: EU only)")
        return value

    @field_validator("restore_test_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if not _CRON.match(value):
            raise ValueError(f"got {value!r}; allowed: an EventBridge cron expression cron(m h dom mon dow y)")
        return value


class Logs(_Strict):
    # VTC-AUDIT-TRAIL: logs outlive the backups (checked below against backup.generations).
    retention_days: int = 365

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"got {value}; allowed: one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return value


_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$")
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_PRINCIPAL_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-eusc):iam::(?P<account>\d{12}):(root|role/[A-Za-z0-9+=,.@_/-]{1,512})$"
)


class Drills(_Strict):
    """Recovery and exit drills: restore-test validation (§40) and the exit export (§42-43)."""

    # VTC-EXIT (§42-43): a regular exercise; monthly by default (06:00 UTC on the 1st).
    exit_drill_schedule: str = "cron(0 6 1 * ? *)"
    # The second partner who could take the data over: a role or account root in another account.
    # Default: an AWS documentation account, so the default config synthesizes but is not deployed.
    second_partner_principal_arn: str = "arn:aws:iam::210987654321:root"
    # Exports are full copies of the data: they expire (VTC-NO-STALE-BACKUP, checked below).
    exit_export_expiry_days: int = Field(default=35, ge=1)
    # Restore-test validation (VTC-BACKUP-ENVIRONMENT, §40): what a sound restore holds.
    expected_tables: tuple[str, ...] = ("public.qualifications",)
    min_rows: dict[str, int] = Field(default_factory=dict)
    newest_column: dict[str, str] = Field(default_factory=dict)
    max_newest_age_days: int | None = Field(default=7, ge=0)

    @field_validator("exit_drill_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if not re.match(r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$", value):
            raise ValueError(f"got {value!r}; allowed: an EventBridge cron expression cron(m h dom mon dow y)")
        return value

    @field_validator("second_partner_principal_arn")
    @classmethod
    def _principal(cls, value: str) -> str:
        if not _PRINCIPAL_ARN.match(value):
            raise ValueError(
                f"got {value!r}; allowed: arn:<partition>:iam::<12-digit account>:root or "
                "arn:<partition>:iam::<12-digit account>:role/<name>"
            )
        return value

    @field_validator("expected_tables")
    @classmethod
    def _tables(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("got an empty list; allowed: at least one table name ('table' or 'schema.table')")
        for table in value:
            if not _TABLE_NAME.match(table):
                raise ValueError(f"got {table!r}; allowed: 'table' or 'schema.table' (letters, digits, _ and $)")
        return value

    @field_validator("min_rows")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        for table, count in value.items():
            if count < 0:
                raise ValueError(f"got {count} for {table!r}; allowed: a row count >= 0")
        return value

    @field_validator("newest_column")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        for table, column in value.items():
            if not _COLUMN_NAME.match(column):
                raise ValueError(f"got {column!r} for {table!r}; allowed: a column name (letters, digits, _ and $)")
        return value

    @model_validator(mode="after")
    def _known_tables(self) -> Drills:
        for field, tables in (("min_rows", self.min_rows), ("newest_column", self.newest_column)):
            unknown = [t for t in tables if t not in self.expected_tables]
            if unknown:
                raise ValueError(
                    f"got table {unknown[0]!r} in drills.{field}; allowed: one of drills.expected_tables "
                    f"({', '.join(self.expected_tables)})"
                )
        return self

    @property
    def second_partner_account(self) -> str:
        match = _PRINCIPAL_ARN.match(self.second_partner_principal_arn)
        assert match is not None  # the field validator refused other shapes
        return match["account"]


class Audit(_Strict):
    """The log archive and the continuous audit (VTC-AUDIT-TRAIL, VTC-LOGS-DIRECT, VTC-REGULAR-AUDIT)."""

    # S3 Object Lock in compliance mode: nobody, the processor and AWS included, can delete or
    # overwrite a log before this many days; checked below against the backup retention.
    object_lock_days: int = Field(default=365, ge=1, le=3650)
    # Where the security alarms go (an SNS e-mail subscription); None: subscribe out of band.
    alarm_email: str | None = None

    @field_validator("alarm_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"got {value!r}; allowed: an e-mail address such as security@example.org")
        return value


class Access(_Strict):
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
            if not _ROLE_ARN.match(arn):
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


class EnvironmentConfig(_Strict):
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

    @field_validator("region")
    @classmethod
    def _in_eu(cls, value: str) -> str:
        if value not in EU_REGIONS:
            raise ValueError(f"got {value!r}; allowed: {', '.join(EU_REGIONS)} (VTC §18-19: EU only)")
        return value

    audit: Audit = Audit()
    access: Access

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
    def _consistent(self) -> EnvironmentConfig:  # noqa: C901 - one check after another, each with its own error line
        partition = partition_of(self.region)
        keys = {
            "data_key_arn": (self.keys.data_key_arn, self.region),
            "backup_key_arn": (self.keys.backup_key_arn, self.region),
            "log_key_arn": (self.keys.log_key_arn, self.region),
        }
        if self.backup.secondary_region is not None:
            if self.backup.secondary_region == self.region:
                raise ValueError(
                    f"field 'backup.secondary_region': got {self.backup.secondary_region!r}, the "
                    "primary region; allowed: another allowed region, or leave it out"
                )
            if partition_of(self.backup.secondary_region) != partition:
                raise ValueError(
                    f"field 'backup.secondary_region': got {self.backup.secondary_region!r}, in "
                    f"another partition than {self.region!r}; allowed: a region of partition {partition}"
                )
            keys["secondary_backup_key_arn"] = (self.keys.secondary_backup_key_arn, self.backup.secondary_region)
        for field, (arn, region) in keys.items():
            if arn is None:
                # VTC-GATE: personal data never lands before FB's keys are known.
                if self.holds_personal_data:
                    raise ValueError(
                        f"field 'keys.{field}': missing; allowed: the ARN of the key the Facilitair "
                        f"Bedrijf created in account {self.accounts.key_custody}, region {region} "
                        "(required because holds_personal_data = true)"
                    )
                continue
            match = _KEY_ARN.match(arn)
            assert match is not None  # the field validator already refused other shapes
            if match["account"] != self.accounts.key_custody:
                raise ValueError(
                    f"field 'keys.{field}': got {arn!r}, in account {match['account']}; allowed: a key "
                    f"in the key custody account {self.accounts.key_custody} (VTC §51)"
                )
            if match["region"] != region:
                raise ValueError(
                    f"field 'keys.{field}': got {arn!r}, in region {match['region']}; allowed: a key in region {region}"
                )
            if match["partition"] != partition:
                raise ValueError(
                    f"field 'keys.{field}': got {arn!r}, in partition {match['partition']}; allowed: "
                    f"partition {partition} (region {region})"
                )
        # VTC-NO-STALE-BACKUP (§47): no recovery point may outlive the key it is encrypted under.
        if self.backup.generations >= self.keys.rotation_period_days:
            raise ValueError(
                f"field 'backup.generations': got {self.backup.generations} daily generations; allowed: "
                f"fewer days than keys.rotation_period_days ({self.keys.rotation_period_days}) (VTC §47)"
            )
        # VTC-BACKUP-ELSEWHERE (§37, §39): the copies outlive the source's generations, so a stopped
        # plan leaves copies to restore from for copy_retention_days; never past the key (§47).
        if self.backup.copy_retention_days < self.backup.generations:
            raise ValueError(
                f"field 'backup.copy_retention_days': got {self.backup.copy_retention_days}; allowed: at least "
                f"backup.generations ({self.backup.generations}) (VTC §37, §39)"
            )
        if self.backup.copy_retention_days >= self.keys.rotation_period_days:
            raise ValueError(
                f"field 'backup.copy_retention_days': got {self.backup.copy_retention_days}; allowed: fewer days "
                f"than keys.rotation_period_days ({self.keys.rotation_period_days}) (VTC §47)"
            )
        # VTC-EXIT (§42-43): the exit export is for a second partner, not for the LED itself.
        partner = self.drills.second_partner_account
        if partner in (self.accounts.workload, self.accounts.key_custody):
            raise ValueError(
                f"field 'drills.second_partner_principal_arn': got {self.drills.second_partner_principal_arn!r}, "
                f"in LED account {partner}; allowed: a principal of the second partner's own account (VTC §42-43)"
            )
        if partition_of(self.region) != self.drills.second_partner_principal_arn.split(":")[1]:
            raise ValueError(
                f"field 'drills.second_partner_principal_arn': got {self.drills.second_partner_principal_arn!r}; "
                f"allowed: a principal of partition {partition_of(self.region)} (region {self.region})"
            )
        # VTC-NO-STALE-BACKUP (§47): an export is a copy of the data; it expires before the key rotates.
        if self.drills.exit_export_expiry_days >= self.keys.rotation_period_days:
            raise ValueError(
                f"field 'drills.exit_export_expiry_days': got {self.drills.exit_export_expiry_days}; allowed: "
                f"fewer days than keys.rotation_period_days ({self.keys.rotation_period_days}) (VTC §47)"
            )
        # VTC-AUDIT-TRAIL (§49): the audit trail outlives every backup.
        if self.logs.retention_days < self.longest_backup_retention_days:
            raise ValueError(
                f"field 'logs.retention_days': got {self.logs.retention_days}; allowed: at least the "
                f"backup retention ({self.longest_backup_retention_days} days, copies included)"
            )
        # VTC-AUDIT-TRAIL (§49): the locked archive outlives every backup too.
        if self.audit.object_lock_days < self.longest_backup_retention_days:
            raise ValueError(
                f"field 'audit.object_lock_days': got {self.audit.object_lock_days}; allowed: at least the "
                f"backup retention ({self.longest_backup_retention_days} days, copies included)"
            )
        # VTC-BACKUP-ELSEWHERE (§37) / VTC-NO-STALE-BACKUP (§47): the air-gapped copy (AirGap.problems).
        air_gap = self.backup.air_gap.problems(self)
        if air_gap is not None:
            raise ValueError(air_gap)
        self._check_access()
        return self

    def _check_access(self) -> None:
        acc = self.accounts
        for field, arns in self.access.all().items():
            for arn in arns:
                match = _ROLE_ARN.match(arn)
                assert match is not None  # the field validator already refused other shapes
                if match["partition"] != self.partition:
                    raise ValueError(
                        f"field 'access.{field}': got {arn!r}, in partition {match['partition']}; allowed: "
                        f"partition {self.partition} (region {self.region})"
                    )
                # VTC-PROCESSOR (§27, §34): the processor's identities live outside the accounts
                # that hold the keys and the logs.
                if field == "operator_principals" and match["account"] in (acc.key_custody, acc.log_archive):
                    raise ValueError(
                        f"field 'access.{field}': got {arn!r}, in account {match['account']}; allowed: an "
                        "identity account of the platform operator, not the key custody or log archive account"
                    )
                # VTC-LOGS-DIRECT (§27): AHOVOKS reads the logs without the processor in between,
                # so its auditors are not identities of the account the processor runs.
                if field == "auditor_principals" and match["account"] == acc.workload:
                    raise ValueError(
                        f"field 'access.{field}': got {arn!r}, in the workload account {acc.workload}; "
                        "allowed: an AHOVOKS identity account the platform operator does not run (VTC §27)"
                    )

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
        return f"{self.resource_name('log-archive')}-{self.accounts.log_archive}-{self.region}"

    def key_alias_name(self, purpose: str) -> str:
        return f"led-{self.name}-{purpose.replace('_', '-')}"

    @property
    def exit_bucket_name(self) -> str:
        """Deterministic: the second partner and led-ops must know it before anything is exported."""
        return f"led-{self.name}-exit-{self.accounts.workload}-{self.region}"

    def resource_name(self, role: str) -> str:
        """The deterministic name of a resource another account must know in advance."""
        return f"led-{self.name}-{role}"


class OrganizationConfig(_Strict):
    management_account: AccountId
    # The organisation id (o-...), for aws:PrincipalOrgID / aws:ResourceOrgID conditions.
    organization_id: str | None = None

    @field_validator("organization_id")
    @classmethod
    def _org_id(cls, value: str | None) -> str | None:
        if value is not None and not _ORG_ID.match(value):
            raise ValueError(f"got {value!r}; allowed: an AWS Organizations id o-<10 to 32 lowercase letters/digits>")
        return value

    @field_validator("management_account", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> str:
        if not isinstance(value, str) or not _ACCOUNT.match(value):
            raise ValueError(f"got {value!r}; allowed: a 12-digit AWS account id as a quoted string")
        return value


_QUALIFIER = re.compile(r"^[a-z0-9-]{1,10}$")


class Deployment(_Strict):
    """Who deploys (design.md, "The deployment path"; issue: deployment is a path to the data).

    One table for every environment: the CDK bootstrap is per account and region, and environments
    may share accounts, so the principals the bootstrap roles trust are the same for all of them.
    The workload, log archive and backup accounts are bootstrapped by AHOVOKS and trust only the
    controller's delivery pipeline; the key custody account is bootstrapped by the Facilitair
    Bedrijf and trusts only FB's own deploying principals (tools/bootstrap.py).
    """

    # AHOVOKS' delivery pipeline: a role in an AHOVOKS account of its own (not one of the LED accounts).
    pipeline_role_arn: str
    # The CDK bootstrap qualifier (cdk-<qualifier>-* roles, /cdk-bootstrap/<qualifier>/version).
    qualifier: str = CDK_DEFAULT_QUALIFIER
    # FB's own principals that deploy the key custody stacks (the only ones its bootstrap trusts).
    key_custody_deployer_arns: tuple[str, ...]

    @field_validator("pipeline_role_arn")
    @classmethod
    def _pipeline(cls, value: str) -> str:
        if not _ROLE_ARN.match(value) or "*" in value:
            raise ValueError(
                f"got {value!r}; allowed: one IAM role ARN arn:<partition>:iam::<12-digit account>:role/<name> "
                "(the controller's pipeline role; no account root, no wildcard)"
            )
        return value

    @field_validator("key_custody_deployer_arns")
    @classmethod
    def _deployers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("got an empty list; allowed: at least one IAM role ARN of the Facilitair Bedrijf")
        for arn in value:
            if not _ROLE_ARN.match(arn) or "*" in arn:
                raise ValueError(
                    f"got {arn!r}; allowed: IAM role ARNs arn:<partition>:iam::<12-digit account>:role/<name> "
                    "(no account root, no wildcard)"
                )
        return value

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        if not _QUALIFIER.match(value):
            raise ValueError(
                f"got {value!r}; allowed: 1-10 lowercase letters, digits or '-' (it is part of the "
                "bootstrap bucket's and roles' names)"
            )
        return value

    @property
    def pipeline_account(self) -> str:
        return self.pipeline_role_arn.split(":")[4]


def default_deployment(partition: str, key_custody_accounts: list[str]) -> dict[str, object]:
    """Documentation principals: AHOVOKS' pipeline account, FB's deployer role in its accounts."""
    pipeline = f"arn:{partition}:iam::{DOCUMENTATION_PIPELINE_ACCOUNT}:role/ahovoks-led-delivery-pipeline"
    return {
        "pipeline_role_arn": pipeline,
        "key_custody_deployer_arns": [f"arn:{partition}:iam::{a}:role/fb-led-deployer" for a in key_custody_accounts],
    }


def bootstrap_role_arn(
    partition: str, account: str, region: str, kind: str, qualifier: str = CDK_DEFAULT_QUALIFIER
) -> str:
    """A role of the CDK bootstrap (`kind`: deploy, cfn-exec, file-publishing, image-publishing, lookup)."""
    return f"arn:{partition}:iam::{account}:role/cdk-{qualifier}-{kind}-role-{account}-{region}"


def execution_role_arn(partition: str, qualifier: str, account: str, region: str) -> str:
    """The CloudFormation execution role of the CDK bootstrap: the deployment role."""
    return bootstrap_role_arn(partition, account, region, "cfn-exec", qualifier)


class LandingZoneConfig(_Strict):
    allowed_regions: tuple[str, ...] = EU_REGIONS
    organization: OrganizationConfig | None = None
    deployment: Deployment
    environments: dict[str, EnvironmentConfig]

    @model_validator(mode="before")
    @classmethod
    def _default_deployment(cls, data: object) -> object:
        # Unset deployment fields default to documentation principals in the environments' partition.
        if not isinstance(data, dict) or not isinstance(data.get("environments"), dict):
            return data
        envs = [e for e in data["environments"].values() if isinstance(e, dict)]
        regions = [e["region"] for e in envs if isinstance(e.get("region"), str)]
        if not regions:
            return data
        custody = sorted(
            {
                e["accounts"]["key_custody"]
                for e in envs
                if isinstance(e.get("accounts"), dict) and isinstance(e["accounts"].get("key_custody"), str)
            }
        )
        given = data.get("deployment", {})
        if isinstance(given, dict):
            data = {**data, "deployment": {**default_deployment(partition_of(regions[0]), custody), **given}}
        return data

    @model_validator(mode="after")
    def _deployment_apart(self) -> LandingZoneConfig:
        dep = self.deployment
        led = {a: env.name for env in self.environments.values() for a in env.accounts.all()}
        operators = {arn.split(":")[4] for env in self.environments.values() for arn in env.access.operator_principals}
        partitions = {env.partition for env in self.environments.values()}
        # The controller deploys (design.md): its pipeline lives in an AHOVOKS account of its own,
        # never one the processor runs or holds identities in, never an LED account.
        if dep.pipeline_account in led:
            raise ValueError(
                f"field 'deployment.pipeline_role_arn': got {dep.pipeline_role_arn!r}, in account "
                f"{dep.pipeline_account} of environment {led[dep.pipeline_account]!r}; allowed: a role in an "
                "AHOVOKS delivery account of its own, none of the key custody, workload, log archive or backup accounts"
            )
        if dep.pipeline_account in operators:
            raise ValueError(
                f"field 'deployment.pipeline_role_arn': got {dep.pipeline_role_arn!r}, in the platform operator's "
                "identity account; allowed: a role in an AHOVOKS delivery account the processor does not run"
            )
        runs = {
            a
            for env in self.environments.values()
            for a in (env.accounts.workload, env.accounts.log_archive, env.accounts.backup)
        }
        for arn in dep.key_custody_deployer_arns:
            account = arn.split(":")[4]
            if account in runs or account in operators:
                raise ValueError(
                    f"field 'deployment.key_custody_deployer_arns': got {arn!r}, in account {account}; allowed: "
                    "a principal of the Facilitair Bedrijf, not in a workload, log archive, backup or operator account"
                )
        for field, arns in (
            ("pipeline_role_arn", (dep.pipeline_role_arn,)),
            ("key_custody_deployer_arns", dep.key_custody_deployer_arns),
        ):
            for arn in arns:
                if arn.split(":")[1] not in partitions:
                    raise ValueError(
                        f"field 'deployment.{field}': got {arn!r}, in partition {arn.split(':')[1]}; allowed: "
                        f"partition {', '.join(sorted(partitions))} (the environments' regions)"
                    )
        return self

    def bootstrap_targets(self) -> list[tuple[str, str, str]]:
        """Every (account, region, bootstrapper) the stacks deploy to: AHOVOKS bootstraps the
        workload, log archive and backup accounts (and the organisation's management account),
        the Facilitair Bedrijf its key custody account."""
        targets: dict[tuple[str, str], str] = {}
        for env in self.environments.values():
            regions = [env.region, *([env.backup.secondary_region] if env.backup.secondary_region else [])]
            for region in regions:
                targets[(env.accounts.key_custody, region)] = "FB"
                targets[(env.accounts.backup, region)] = "AHOVOKS"
            for account in (env.accounts.workload, env.accounts.log_archive):
                targets[(account, env.region)] = "AHOVOKS"
        if self.organization is not None:
            targets[(self.organization.management_account, self.allowed_regions[0])] = "AHOVOKS"
        return [(a, r, who) for (a, r), who in sorted(targets.items())]

    def execution_role_arns(self, *, bootstrapper: str, accounts: set[str] | None = None) -> list[str]:
        """The exact ARNs of the bootstrap execution roles (the deployment roles) of the targets."""
        partition = partition_of(next(iter(self.environments.values())).region)
        return sorted(
            execution_role_arn(partition, self.deployment.qualifier, account, region)
            for account, region, who in self.bootstrap_targets()
            if who == bootstrapper and (accounts is None or account in accounts)
        )

    @field_validator("allowed_regions")
    @classmethod
    def _eu_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        outside = [r for r in value if r not in EU_REGIONS]
        if outside:
            raise ValueError(f"got {outside[0]!r}; allowed: EU regions only: {', '.join(EU_REGIONS)} (VTC §18-19)")
        if not value:
            raise ValueError("got an empty list; allowed: at least one of " + ", ".join(EU_REGIONS))
        return value

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: object) -> object:
        # The table key is the environment's name; copy it into the environment itself.
        if isinstance(data, dict) and isinstance(data.get("environments"), dict):
            envs = {}
            for name, env in data["environments"].items():
                if not _ENV_NAME.match(name):
                    raise ValueError(
                        f"environment {name!r}: allowed names are 2-10 lowercase letters or digits, "
                        "starting with a letter"
                    )
                envs[name] = {**env, "name": name} if isinstance(env, dict) else env
            data = {**data, "environments": envs}
        return data

    @model_validator(mode="after")
    def _regions(self) -> LandingZoneConfig:
        if not self.environments:
            raise ValueError("no environments: allowed: at least one [environments.<name>] table")
        for env in self.environments.values():
            for field, region in (("region", env.region), ("backup.secondary_region", env.backup.secondary_region)):
                if region is not None and region not in self.allowed_regions:
                    raise _EnvError(
                        env.name,
                        field,
                        f"got {region!r}; allowed: {', '.join(self.allowed_regions)} (VTC §18-19: EU only)",
                    )
        partitions = sorted({env.partition for env in self.environments.values()})
        if self.organization is not None and len(partitions) > 1:
            raise ValueError(
                f"field 'organization': environments in partitions {', '.join(partitions)}; allowed: the "
                "environments of one organisation share one partition (configure one file per partition)"
            )
        return self


class _EnvError(ValueError):
    def __init__(self, env: str, field: str, message: str) -> None:
        super().__init__(f"environment {env!r}, field {field!r}: {message}")
