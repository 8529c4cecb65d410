"""The two data files of the estimate, read and checked: the price table (prices.toml) and the
usage assumptions (assumptions.toml). Both are data, not literals in code, so that updating a
price or an assumption is one edit in one place."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PRICES_FILE = HERE / "prices.toml"
ASSUMPTIONS_FILE = HERE / "assumptions.toml"


class CostError(Exception):
    """A problem of the estimate (a missing price, a bad table), said in one line."""


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CostError(f"cost error: {path}: no such file ({what})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CostError(f"cost error: {path}: not valid TOML: {exc}") from None


@dataclass(frozen=True, kw_only=True)
class PriceTable:
    """Prices by region and key (USD); `rds_instance_hour` is keyed by the DB instance class."""

    path: Path
    as_of: datetime.date
    currency: str
    kind: str
    regions: dict[str, dict[str, Any]]

    def price(self, region: str, key: str, resource: str) -> float:
        """The price, or a one-line error naming the price, the region and the resource that needs it."""
        table = self.regions.get(region)
        if table is None:
            raise CostError(
                f"cost error: no price {key!r} for region {region} ({resource}): the price table "
                f"{self.path.name} has no [regions.{region}]; priced regions: {', '.join(sorted(self.regions))}"
            )
        group, _, member = key.partition(".")
        value = table.get(group, {}).get(member) if member else table.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise CostError(
                f"cost error: no price {key!r} for region {region} ({resource}): add it to "
                f"[regions.{region}{'.' + group if member else ''}] of {self.path.name}"
            )
        return float(value)

    @property
    def label(self) -> str:
        return f"{self.kind} in {self.currency} as of {self.as_of.isoformat()} ({self.path.name})"


def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    raw = _read_toml(path, "the price table")
    meta = raw.get("meta", {})
    as_of = meta.get("as_of")
    if not isinstance(as_of, datetime.date):
        raise CostError(f"cost error: {path}: [meta] as_of must be a date (YYYY-MM-DD), the date of the list prices")
    regions = raw.get("regions")
    if not isinstance(regions, dict) or not regions:
        raise CostError(f"cost error: {path}: no [regions.<region>] tables")
    return PriceTable(
        path=path,
        as_of=as_of,
        currency=str(meta.get("currency", "USD")),
        kind=str(meta.get("kind", "on-demand list prices")),
        regions=regions,
    )


@dataclass(frozen=True, kw_only=True)
class Assumption:
    name: str
    value: float
    unit: str
    note: str


@dataclass(frozen=True, kw_only=True)
class Assumptions:
    """The usage volumes of one environment: the defaults with that environment's overrides."""

    path: Path
    env: str
    values: dict[str, Assumption] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        if name not in self.values:
            raise CostError(f"cost error: {self.path.name}: no assumption [{name}] (the estimate needs it)")
        return self.values[name].value


def load_assumptions(env: str, path: Path = ASSUMPTIONS_FILE) -> Assumptions:
    """Every assumption's `default`, or the value under the environment's name where there is one."""
    raw = _read_toml(path, "the usage assumptions")
    values = {}
    for name, table in raw.items():
        if not isinstance(table, dict) or "default" not in table:
            raise CostError(f"cost error: {path}: [{name}] needs default = <number>, unit and note")
        value = table.get(env, table["default"])
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise CostError(
                f"cost error: {path}: [{name}] {env if env in table else 'default'}: got {value!r}, a number >= 0"
            )
        values[name] = Assumption(
            name=name, value=float(value), unit=str(table.get("unit", "")), note=str(table.get("note", ""))
        )
    return Assumptions(path=path, env=env, values=values)
