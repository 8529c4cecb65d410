"""The whole landing zone: every environment, the organisation, who deploys; and how it is loaded."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError, field_validator, model_validator

from config import deployment, organization
from config.base import Strict, run_rules
from config.deployment import Deployment, default_deployment, execution_role_arn
from config.environment import EnvironmentConfig
from config.errors import ConfigError, EnvError, describe
from config.organization import OrganizationConfig
from config.regions import EU_REGIONS, partition_of

DEFAULT_CONFIG_PATH = Path(__file__).with_name("environments.toml")

_ENV_NAME = re.compile(r"^[a-z][a-z0-9]{1,9}$")


class LandingZoneConfig(Strict):
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

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: object) -> object:
        # The table key is the environment's name; copy it into the environment itself.
        # (Pydantic runs "before" validators last-defined first: this one runs before the one above.)
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

    @field_validator("allowed_regions")
    @classmethod
    def _eu_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        outside = [r for r in value if r not in EU_REGIONS]
        if outside:
            raise ValueError(f"got {outside[0]!r}; allowed: EU regions only: {', '.join(EU_REGIONS)} (VTC §18-19)")
        if not value:
            raise ValueError("got an empty list; allowed: at least one of " + ", ".join(EU_REGIONS))
        return value

    @model_validator(mode="after")
    def _rules(self) -> LandingZoneConfig:
        return run_rules(self, LANDING_ZONE_RULES)

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


# Cross-field rules of the landing zone -----------------------------------------------------------


def at_least_one_environment(lz: LandingZoneConfig) -> None:
    """First: the other rules say nothing useful about an empty table."""
    if not lz.environments:
        raise ValueError("no environments: allowed: at least one [environments.<name>] table")


def regions_allowed(lz: LandingZoneConfig) -> None:
    """VTC §18-19: every region an environment uses is one of allowed_regions."""
    for env in lz.environments.values():
        for field, region in (("region", env.region), ("backup.secondary_region", env.backup.secondary_region)):
            if region is not None and region not in lz.allowed_regions:
                raise EnvError(
                    env.name,
                    field,
                    f"got {region!r}; allowed: {', '.join(lz.allowed_regions)} (VTC §18-19: EU only)",
                )


def organization_one_partition(lz: LandingZoneConfig) -> None:
    """An organisation lives in one partition."""
    partitions = sorted({env.partition for env in lz.environments.values()})
    if lz.organization is not None and len(partitions) > 1:
        raise ValueError(
            f"field 'organization': environments in partitions {', '.join(partitions)}; allowed: the "
            "environments of one organisation share one partition (configure one file per partition)"
        )


# The cross-field rules of the landing zone, in the order they are checked (the deployment's live
# in config/deployment.py); add a new one here.
LANDING_ZONE_RULES = (
    at_least_one_environment,
    deployment.pipeline_outside_led_accounts,
    deployment.pipeline_outside_operator_accounts,
    deployment.key_custody_deployers_apart,
    deployment.deployers_in_partition,
    regions_allowed,
    organization.perimeter_names_the_organization,
    organization_one_partition,
)


def load_config(path: str | Path | None = None) -> LandingZoneConfig:
    source = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config error: {source}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config error: {source}: not valid TOML: {exc}") from None
    try:
        return LandingZoneConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"config error: {source}: {describe(exc)}") from None


def select_environments(config: LandingZoneConfig, names: str | Iterable[str] | None) -> list[EnvironmentConfig]:
    """The environments asked for (comma-separated or a list); all of them when none is asked."""
    if names is None or names == "" or names == "all":
        return list(config.environments.values())
    wanted = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    unknown = [n for n in wanted if n not in config.environments]
    if unknown:
        raise ConfigError(
            f"config error: environment {unknown[0]!r} asked on the command line is not configured; "
            f"allowed: {', '.join(sorted(config.environments))} (or 'all')"
        )
    return [config.environments[n] for n in wanted]
