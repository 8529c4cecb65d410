"""What every config model shares: the strict base, the shared patterns, the rule runner.

A cross-field rule is a named function of a model that raises ValueError with one line (field,
got, allowed); each model lists its rules in one tuple and its validator runs them in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

ACCOUNT = re.compile(r"^\d{12}$")
IAM_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
ROLE_ARN = re.compile(r"^arn:(?P<partition>aws|aws-eusc):iam::(?P<account>\d{12}):role/[A-Za-z0-9+=,.@_/-]{1,512}$")
CRON = re.compile(r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$")

AccountId = Annotated[str, Field(description="a 12-digit AWS account id")]


class Strict(BaseModel):
    """Unknown fields are errors, objects are frozen, strings are stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


M = TypeVar("M", bound=BaseModel)
V = TypeVar("V", str, str | None)
Rule = Callable[[M], None]


def run_rules(model: M, rules: Iterable[Callable[[M], None]]) -> M:
    """Run a model's cross-field rules in order; the first that fails raises its one-line error."""
    for rule in rules:
        rule(model)
    return model


def twelve_digits(value: object) -> str:
    """An account id as a quoted 12-digit string (a TOML integer would lose leading zeros)."""
    if not isinstance(value, str) or not ACCOUNT.match(value):
        raise ValueError(f"got {value!r}; allowed: a 12-digit AWS account id as a quoted string")
    return value


def matching(value: V, pattern: re.Pattern[str], allowed: str) -> V:
    """A field's value if it is absent or has the pattern's shape; else its one-line error."""
    if value is not None and not pattern.match(value):
        raise ValueError(f"got {value!r}; allowed: {allowed}")
    return value


def cron(value: str) -> str:
    return matching(value, CRON, "an EventBridge cron expression cron(m h dom mon dow y)")
