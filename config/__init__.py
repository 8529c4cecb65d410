"""Configuration of the LED landing zone: load, validate, select environments.

Every problem becomes a ConfigError whose text is one line naming the environment, the field,
the bad value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from config.model import (
    CDK_DEFAULT_QUALIFIER,
    DOCUMENTATION_ACCOUNTS,
    EU_REGIONS,
    OPERATOR_PARTY,
    Deployment,
    EnvironmentConfig,
    LandingZoneConfig,
    bootstrap_role_arn,
    execution_role_arn,
    partition_of,
    service_domain_of,
)

DEFAULT_CONFIG_PATH = Path(__file__).with_name("environments.toml")

__all__ = [
    "CDK_DEFAULT_QUALIFIER",
    "DEFAULT_CONFIG_PATH",
    "DOCUMENTATION_ACCOUNTS",
    "EU_REGIONS",
    "ConfigError",
    "Deployment",
    "bootstrap_role_arn",
    "execution_role_arn",
    "EnvironmentConfig",
    "LandingZoneConfig",
    "OPERATOR_PARTY",
    "load_config",
    "partition_of",
    "select_environments",
    "service_domain_of",
]


class ConfigError(Exception):
    """A configuration problem, said in one line."""


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
        raise ConfigError(f"config error: {source}: {_describe(exc)}") from None


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


def _describe(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    where = ""
    if loc[:1] == ["environments"] and len(loc) >= 2:
        where = f"environment {loc[1]!r}, "
        loc = loc[2:]
    if error["type"] == "extra_forbidden":
        return f"{where}field {'.'.join(loc)!r}: unknown field; check its spelling against config/model.py"
    if error["type"] == "missing":
        return f"{where}field {'.'.join(loc)!r}: missing; this field is required"
    if loc:
        if not message.startswith("got "):
            message = f"got {error.get('input')!r}; {message}"
        return f"{where}field {'.'.join(loc)!r}: {message}"
    if message.startswith("field ") or message.startswith("environment "):
        return f"{where}{message}"
    return f"{where}{message}"
