"""Schedule expressions (AWS Backup rules, EventBridge rules), read once and conservatively:
`rate(n unit)` and the six-field `cron(minute hour day-of-month month day-of-week year)`.
Anything else is unreadable, and the rules fail closed on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_RATE_DAYS = 28  # the shortest month: rate(n days) with n <= 28 fires in every month

_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_NUM = r"\d{1,2}"
_DAY_NAME = r"(?:SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])"
_MINUTE_HOUR = re.compile(r"^(\*|\d{1,2}(-\d{1,2})?(/\d{1,2})?|\*/\d{1,2})(,(\d{1,2}(-\d{1,2})?(/\d{1,2})?))*$")


@dataclass(frozen=True)
class Rate:
    n: int
    unit: str  # minute(s), hour(s), day(s)

    @property
    def days(self) -> float:
        return self.n if self.unit.startswith("day") else self.n / 24 if self.unit.startswith("hour") else self.n / 1440


@dataclass(frozen=True)
class Cron:
    minute: str
    hour: str
    day_of_month: str
    month: str
    day_of_week: str
    year: str


def parse(expression: Any) -> Rate | Cron | None:
    """The expression's fields, or None when it is no rate(...) or cron(...) this module reads."""
    if not isinstance(expression, str):
        return None
    s = expression.strip()
    rate = _RATE.fullmatch(s)
    if rate:
        return Rate(int(rate[1]), rate[2])
    cron = _CRON.fullmatch(s)
    return Cron(*cron.groups()) if cron else None


def is_daily(schedule: Any) -> bool:
    """At least once a day: a cron expression firing every day, or rate(1 day) or shorter."""
    parsed = parse(schedule)
    if isinstance(parsed, Rate):
        n, unit = parsed.n, parsed.unit
        return unit.startswith("minute") or (unit.startswith("hour") and n <= 24) or n == 1
    if isinstance(parsed, Cron):
        return parsed.day_of_month in ("*", "?") and parsed.month == "*" and parsed.day_of_week in ("*", "?")
    return False


def _dom_every_month(field: str) -> bool:
    """A day-of-month field that matches at least one day in every month (February included)."""
    if field in ("*", "L", "LW") or re.fullmatch(r"\*/\d{1,2}", field):
        return True
    for part in field.split(","):
        m = re.fullmatch(rf"({_NUM})(W|-{_NUM}|/{_NUM})?", part)
        if m and 1 <= int(m[1]) <= 28:
            return True
    return False


def _dow_every_month(field: str) -> bool:
    """A day-of-week field that matches at least one day in every month."""
    if field == "*":
        return True
    parts = field.upper().split(",")
    for part in parts:
        if re.fullmatch(rf"{_DAY_NAME}(-{_DAY_NAME})?", part) or re.fullmatch(rf"{_DAY_NAME}L", part):
            return True
        m = re.fullmatch(rf"{_DAY_NAME}#([1-5])", part)
        if m and int(m[1]) <= 4:  # the fifth weekday of a month does not exist in every month
            return True
    return False


def at_least_monthly(expression: Any) -> tuple[bool, str]:
    """Whether an EventBridge schedule expression fires at least once in every month, and why not."""
    if not isinstance(expression, str):
        return False, f"ScheduleExpression {str(expression)[:80]} cannot be read (fails closed)"
    s = expression.strip()
    parsed = parse(s)
    if isinstance(parsed, Rate):
        if parsed.n < 1 or parsed.days > MAX_RATE_DAYS:
            return False, f"{s} fires less often than monthly (at most every {MAX_RATE_DAYS} days)"
        return True, ""
    if parsed is None:
        return False, f"{s!r} is not a rate(...) or cron(...) expression this rule can read (fails closed)"
    minute, hour, dom, month, dow, year = (
        parsed.minute,
        parsed.hour,
        parsed.day_of_month,
        parsed.month,
        parsed.day_of_week,
        parsed.year,
    )
    if not (_MINUTE_HOUR.match(minute) and _MINUTE_HOUR.match(hour)):
        return False, f"{s}: cannot read the minute or hour field (fails closed)"
    if year != "*":
        return False, f"{s}: the year field {year!r} stops the drill after some years; use '*'"
    if month not in ("*", "*/1", "1-12"):
        return False, f"{s}: month field {month!r} skips months: the drill must run every month"
    if dom == "?" and dow != "?":
        ok = _dow_every_month(dow)
    elif dow == "?" and dom != "?":
        ok = _dom_every_month(dom)
    else:
        return False, f"{s}: exactly one of day-of-month and day-of-week must be '?' (fails closed)"
    if not ok:
        return False, (
            f"{s}: its day field ({dom if dow == '?' else dow}) matches no day in some months "
            "(days 29-31, a fifth weekday) or cannot be read (fails closed)"
        )
    return True, ""
