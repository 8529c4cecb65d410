"""Reading template values for the pricers: literal numbers, references, ARNs with pseudo
parameters, schedules; and the one way a pricer makes a priced line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

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


def refs(value: Any) -> set[str]:
    """The logical ids a template value refers to (Ref, Fn::GetAtt)."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return {str(value["Ref"])}
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            return {str(target[0] if isinstance(target, list) else str(target).split(".")[0])}
        return set().union(*(refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(refs(v) for v in value)) if value else set()
    return set()


def render(value: Any, stack: StackTemplate) -> str:
    """A string value with the pseudo parameters filled in ("?" for anything else)."""
    pseudo = {"AWS::Region": stack.region, "AWS::AccountId": stack.account, "AWS::Partition": "aws"}
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return pseudo.get(value["Ref"], "?")
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        sep, parts = value["Fn::Join"]
        return str(sep).join(render(p, stack) for p in parts)
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: pseudo.get(m.group(1), "?"), value["Fn::Sub"])
    return "?"


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
