"""Every configuration problem is a ConfigError of one line: environment, field, value, allowed."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

# The module that holds the schema of each top-level table of an environment (named in the
# "unknown field" error, so that the reader knows where to check the spelling).
_SCHEMA_MODULE = {
    "accounts": "accounts",
    "keys": "keys",
    "network": "network",
    "database": "database",
    "backup": "backup",
    "logs": "logs",
    "drills": "drills",
    "audit": "audit",
    "access": "access",
}


class ConfigError(Exception):
    """A configuration problem, said in one line."""


class EnvError(ValueError):
    """A problem found above the environment (in LandingZoneConfig) that names the environment."""

    def __init__(self, env: str, field: str, message: str) -> None:
        super().__init__(f"environment {env!r}, field {field!r}: {message}")


def describe(exc: ValidationError) -> str:
    """The first error of a validation, as one line."""
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    where = ""
    schema = "landing_zone"
    if loc[:1] == ["environments"] and len(loc) >= 2:
        where = f"environment {loc[1]!r}, "
        loc = loc[2:]
        schema = _SCHEMA_MODULE.get(loc[0], "environment") if len(loc) > 1 else "environment"
    elif loc[:1] in (["deployment"], ["organization"]):
        schema = loc[0]
    if error["type"] == "extra_forbidden":
        module = Path("config") / f"{schema}.py"
        return f"{where}field {'.'.join(loc)!r}: unknown field; check its spelling against {module.as_posix()}"
    if error["type"] == "missing":
        return f"{where}field {'.'.join(loc)!r}: missing; this field is required"
    if loc:
        if not message.startswith("got "):
            message = f"got {error.get('input')!r}; {message}"
        return f"{where}field {'.'.join(loc)!r}: {message}"
    return f"{where}{message}"
