"""Reading values out of synthesized CloudFormation, whatever shape they take.

A value in a template is a literal or an intrinsic function, read by `policies.intrinsics` with
what the rules know: the stack's environment (pseudo parameters) and the app's exports
(`Fn::ImportValue` is followed to the exporting stack). Parameters, resource attributes and
functions such as `Fn::If` are only known at deploy time: whatever cannot be decided is reported
as such (UNKNOWN, and why), and the rules fail closed on it, saying why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from policies.intrinsics import Knowledge, Renderer, Unknown, pseudo_parameter, reference_of

if TYPE_CHECKING:
    from policies.model import AppIndex, StackInfo

UNKNOWN = "<?>"


@dataclass(frozen=True)
class Target:
    """A resource a value points at (Ref / Fn::GetAtt), in whichever stack of the app holds it."""

    stack: StackInfo
    logical_id: str
    attribute: str | None
    resource: dict | None  # None: a parameter or something outside the template

    @property
    def type(self) -> str | None:
        return self.resource.get("Type") if self.resource else None


@dataclass
class Rendered:
    """A value as text: unknown parts are UNKNOWN, and `unknowns` says what each one was."""

    text: str
    unknowns: list[str] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return not self.unknowns

    def why(self) -> str:
        return "; ".join(dict.fromkeys(self.unknowns))


class _AppKnowledge(Knowledge["StackInfo"]):
    """What the rules know: each stack's environment and parameters, the app's exports; every
    resource attribute is only known at deploy time."""

    def __init__(self, app: AppIndex) -> None:
        self.app = app

    def pseudo(self, stack: StackInfo, name: str) -> str | None:
        return pseudo_parameter(name, account=stack.account, region=stack.region, stack_name=stack.name)

    def export(self, stack: StackInfo, name: str) -> tuple[Any, StackInfo] | None:
        exported = self.app.exports.get(name)
        return (exported[1], exported[0]) if exported else None

    def parameters(self, stack: StackInfo) -> Collection[str]:
        return stack.parameters

    def unknown(self, part: Unknown) -> str:
        return UNKNOWN


def _renderer(app: AppIndex) -> Renderer[StackInfo]:
    return Renderer(_AppKnowledge(app))


def follow(value: Any, stack: StackInfo, app: AppIndex) -> tuple[Any, StackInfo]:
    """Follow Fn::ImportValue to the value the exporting stack of this app gives it."""
    return _renderer(app).follow(value, stack)


def target_of(value: Any, stack: StackInfo, app: AppIndex) -> Target | None:
    """The resource a Ref / Fn::GetAtt (possibly behind Fn::ImportValue) points at."""
    value, stack = follow(value, stack, app)
    named = reference_of(value)
    if named is None or named[0].startswith("AWS::"):
        return None
    lid, attribute = named
    return Target(stack=stack, logical_id=lid, attribute=attribute, resource=stack.resources.get(lid))


def is_parameter(value: Any, stack: StackInfo) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in stack.parameters:
        return value["Ref"]
    return None


def render(value: Any, stack: StackInfo, app: AppIndex) -> Rendered:
    """The value as text, pseudo parameters filled in from the stack's environment."""
    text, unknowns = _renderer(app).text(value, stack)
    return Rendered(text, [u.reason for u in unknowns])


def references(value: Any, stack: StackInfo, app: AppIndex) -> Iterator[Target]:
    """Every resource a value refers to, anywhere inside it (imports followed)."""
    for holder, lid, attribute in _renderer(app).references(value, stack):
        yield Target(holder, lid, attribute, holder.resources.get(lid))


def as_bool(value: Any) -> bool | None:
    """True/False for literal booleans (CloudFormation also accepts "true"/"false")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def describe(value: Any) -> str:
    """A short, readable description of a value for a finding's message."""
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        return f"{{{fn}: {arg!r}}}"[:160]
    return repr(value)[:160]
