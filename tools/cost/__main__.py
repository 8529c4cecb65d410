"""python -m tools.cost cdk.out [--env prod] [--prices p.toml] [--assumptions a.toml]

Prints, per environment, the estimate's lines, its total (as configured and at the storage
ceiling), the assumptions it used and the resource types it did not price."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tools.cost.assembly import read_templates
from tools.cost.estimate import Estimate, estimate_all
from tools.cost.model import number
from tools.cost.tables import ASSUMPTIONS_FILE, PRICES_FILE, CostError, load_assumptions, load_prices


def money(value: float) -> str:
    return f"{value:,.2f}"


def render(est: Estimate, console: Console) -> None:
    cur = est.prices.currency
    table = Table(title=f"{est.env}: monthly estimate ({est.prices.label})", title_justify="left")
    for name, justify in (
        ("service", "left"),
        ("item", "left"),
        ("region", "left"),
        ("quantity", "right"),
        ("unit price", "right"),
        (f"{cur} / month", "right"),
        ("at storage ceiling", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for line in sorted(est.lines, key=lambda li: -li.monthly):
        table.add_row(
            line.service,
            line.item,
            line.region,
            f"{number(round(line.quantity, 4))} {line.unit}",
            number(line.unit_price),
            money(line.monthly),
            money(line.monthly_at_ceiling),
        )
    table.add_section()
    table.add_row("total", "", "", "", "", money(est.total), money(est.total_at_ceiling), style="bold")
    console.print(table)
    used = Table(title=f"{est.env}: usage assumptions ({est.assumptions.path.name})", title_justify="left")
    for name in ("assumption", "value", "unit", "why"):
        used.add_column(name)
    for name in est.used_assumptions():
        a = est.assumptions.values[name]
        used.add_row(name, number(a.value), a.unit, a.note)
    console.print(used)
    if est.not_priced:
        console.print(f"[bold]{est.env}: not priced[/bold]")
        for rtype, entry in sorted(est.not_priced.items()):
            console.print(f"  {rtype} x{entry['count']}: {entry['reason']}")
    console.print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.cost", description=__doc__.splitlines()[0])
    parser.add_argument("cdk_out", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--env", action="append", help="only this environment (repeatable; default: all)")
    parser.add_argument(
        "--prices", type=Path, default=PRICES_FILE, help="the price table (default: tools/cost/prices.toml)"
    )
    parser.add_argument(
        "--assumptions",
        type=Path,
        default=ASSUMPTIONS_FILE,
        help="usage assumptions (default: tools/cost/assumptions.toml)",
    )
    args = parser.parse_args(argv)
    try:
        envs = read_templates(args.cdk_out)
        unknown = [e for e in args.env or [] if e not in envs]
        if unknown:
            raise CostError(
                f"cost error: environment {unknown[0]!r} is not in {args.cdk_out}; synthesized: {', '.join(envs)}"
            )
        prices = load_prices(args.prices)
        estimates = estimate_all(envs, prices, lambda env: load_assumptions(env, args.assumptions), args.env)
    except CostError as exc:
        print(exc, file=sys.stderr)
        return 2
    console = Console(width=160)
    for est in estimates.values():
        render(est, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
