"""The cost section (VTC-RIGHT-SIZED, §52-54): the environment's monthly estimate from tools/cost,
its five biggest lines and its total, with the price table's date. `make cost` prints every line."""

from __future__ import annotations

from html import escape as e
from typing import Any

from tools.cost import CostError, estimate, load_assumptions, load_prices
from tools.cost.assembly import StackTemplate
from tools.cost.model import number
from tools.report.html import table
from tools.report.markdown import cell
from tools.report.model import Context, Report

KEY = "cost_estimate"
BIGGEST = 5


def collect_cost(ctx: Context) -> dict[str, Any]:
    """The estimate in brief; a missing price is shown as the estimate's one-line error."""
    stacks = [
        StackTemplate(name=s.stack_name, account=s.account, region=s.region, template=s.template) for s in ctx.stacks
    ]
    try:
        prices = load_prices()
        est = estimate(ctx.env, stacks, prices, load_assumptions(ctx.env))
    except CostError as exc:
        return {KEY: {"error": str(exc)}}
    full = est.as_dict()
    return {
        KEY: {
            "currency": full["currency"],
            "prices": full["prices"],
            "total_monthly": full["total_monthly"],
            "total_monthly_at_storage_ceiling": full["total_monthly_at_storage_ceiling"],
            "lines": len(est.lines),
            "biggest_lines": [line.as_dict() for line in est.biggest(BIGGEST)],
            "assumptions": full["assumptions"],
            "not_priced": full["not_priced"],
        }
    }


def _summary(c: dict[str, Any]) -> str:
    p = c["prices"]
    return (
        f"Estimated {c['currency']} {c['total_monthly']:,.2f} a month ({c['total_monthly_at_storage_ceiling']:,.2f} "
        f"with every database at its storage ceiling), {c['lines']} lines, from this synthesis' templates, "
        f"{p['kind']} as of {p['as_of']} ({p['file']}) and the usage assumptions below. "
        f"The five biggest lines; `make cost` prints them all."
    )


def markdown(report: Report) -> list[str]:
    c = report.parts.get(KEY, {})
    out = ["## Cost estimate (VTC-RIGHT-SIZED)", ""]
    if "error" in c:
        return [*out, f"Not estimated: {c['error']}", ""]
    out += [
        _summary(c),
        "",
        "| service | item | region | quantity | unit price | per month |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {li['service']} | {cell(li['item'])} | {li['region']} | {number(round(li['quantity'], 4))} {li['unit']} | "
        f"{number(li['unit_price'])} | {li['monthly']:,.2f} |"
        for li in c["biggest_lines"]
    ]
    out += [f"| **total** | | | | | **{c['total_monthly']:,.2f}** |", ""]
    out += [f"- assumption `{name}` = {number(a['value'])} {a['unit']}" for name, a in c["assumptions"].items()]
    out += [f"- not priced: `{t}` x{n['count']}: {n['reason']}" for t, n in c["not_priced"].items()]
    return [*out, ""]


def html(report: Report, svg: str) -> str:
    c = report.parts.get(KEY, {})
    head = "<section><h2>Cost estimate (VTC-RIGHT-SIZED)</h2>"
    if "error" in c:
        return f"{head}<p>Not estimated: {e(c['error'])}</p></section>"
    rows = [
        [
            e(li["service"]),
            e(li["item"]),
            e(li["region"]),
            e(f"{number(round(li['quantity'], 4))} {li['unit']}"),
            e(f"{number(li['unit_price'])}"),
            e(f"{li['monthly']:,.2f}"),
        ]
        for li in c["biggest_lines"]
    ]
    rows.append(["<b>total</b>", "", "", "", "", f"<b>{c['total_monthly']:,.2f}</b>"])
    notes = [
        f"<li>assumption <code>{e(n)}</code> = {number(a['value'])} {e(a['unit'])}</li>"
        for n, a in c["assumptions"].items()
    ]
    notes += [
        f"<li>not priced: <code>{e(t)}</code> x{n['count']}: {e(n['reason'])}</li>" for t, n in c["not_priced"].items()
    ]
    return (
        f"{head}<p>{e(_summary(c))}</p>"
        + table(["service", "item", "region", "quantity", "unit price", "per month"], rows)
        + f"<ul>{''.join(notes)}</ul></section>"
    )
