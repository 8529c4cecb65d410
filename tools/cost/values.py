"""Reading template values for the pricers: literal numbers, references, ARNs with pseudo
parameters, schedules; and the one way a pricer makes a priced line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from policies.intrinsics import Knowledge, Renderer, pseudo_parameter
from tools.cost.assembly import StackTemplate
from tools.cost.model import Line, PriceContext
from tools.cost.tables import CostError

DAYS_PER_MONTH = 365 / 12
Pricer = Callable[[PriceContext, StackTemplate, str, dict[str, Any]], list[Line]]


def where(stack: StackTemplate, lid: str) -> str:
    return f"{stack.name}/{lid}"


def num(value: Any, what: str, stack: StackTemplate, lid: str) -> float:
    """A literal number of a template (CloudFormation writes some as strings)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise CostError(f"cost error: {what} of {where(stack, lid)} is {value!r}, not a literal number") from None


class _Environment(Knowledge[StackTemplate]):
    """The estimate knows a stack's environment and nothing else; "?" stands for the rest."""

    def pseudo(self, stack: StackTemplate, name: str) -> str | None:
        return pseudo_parameter(name, account=stack.account, region=stack.region, stack_name=stack.name)


_RENDERER = Renderer(_Environment())
_SYNTAX: Renderer[None] = Renderer(Knowledge())  # references are read from the value alone


def refs(value: Any) -> set[str]:
    """The logical ids a template value refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    return {lid for _, lid, _ in _SYNTAX.references(value, None)}


def render(value: Any, stack: StackTemplate) -> str:
    """A string value with the pseudo parameters filled in ("?" for anything else)."""
    return _RENDERER.text(value, stack)[0]


_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")


def runs_per_month(expression: Any, stack: StackTemplate, lid: str) -> float:
    """How often a schedule runs a month: rate(...), or a cron that is daily, weekly or monthly."""
    text = str(expression)
    if rate := _RATE.match(text):
        per_day = {"minute": 1440, "hour": 24, "day": 1}[rate.group(2).rstrip("s")]
        return per_day / int(rate.group(1)) * DAYS_PER_MONTH
    if cron := _CRON.match(text):
        minutes, hours, dom, month, dow, _ = cron.groups()
        per_day = len(minutes.split(",")) * len(hours.split(","))
        if month in ("*", "?") and "/" not in minutes + hours and "*" not in minutes + hours:
            if dom in ("*", "?") and dow in ("*", "?"):
                return per_day * DAYS_PER_MONTH
            if dom == "?" and re.fullmatch(r"[A-Z0-9,]+", dow):
                return per_day * len(dow.split(",")) * 52 / 12
            if dow == "?" and re.fullmatch(r"[0-9,]+", dom):
                return per_day * len(dom.split(","))
    raise CostError(
        f"cost error: schedule {text!r} of {where(stack, lid)}: the estimate counts rate(...) "
        "and daily, weekly or monthly cron expressions"
    )


def priced(ctx: PriceContext, stack: StackTemplate, lid: str, key: str, region: str | None = None, **kw: Any) -> Line:
    region = region or stack.region
    return Line(
        region=region,
        unit_price=ctx.price(stack, key, lid, region),
        price_key=key,
        resources=[where(stack, lid)],
        **kw,
    )


def assumed(
    ctx: PriceContext, stack: StackTemplate, lid: str, key: str, assumption: str, per: float = 1, **kw: Any
) -> Line:
    """A line of one assumed volume, counted in the price's unit (`per`: 10k requests, a million
    queries), with the assumption named beside it."""
    return priced(ctx, stack, lid, key, quantity=ctx.assumptions[assumption] / per, assumptions=(assumption,), **kw)
