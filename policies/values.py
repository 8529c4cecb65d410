"""Reading values out of synthesized CloudFormation, whatever shape they take.

A value in a template is a literal, a `Ref` (to a resource, a parameter or a pseudo parameter),
an `Fn::GetAtt`, an `Fn::ImportValue` (a cross-stack reference: followed to the exporting stack
of the same app), an `Fn::Join` / `Fn::Sub` (rendered with what is known), or something only
known at deploy time (parameters, `Fn::If`, `Fn::Select`...). Whatever cannot be decided is
reported as such, and the rules fail closed on it, saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from config import partition_of

if TYPE_CHECKING:
    from policies.model import AppIndex, StackInfo

UNKNOWN = "<?>"
_MAX_DEPTH = 12


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


def follow(value: Any, stack: StackInfo, app: AppIndex, depth: int = 0) -> tuple[Any, StackInfo]:
    """Follow Fn::ImportValue to the value the exporting stack of this app gives it."""
    while isinstance(value, dict) and set(value) == {"Fn::ImportValue"} and depth < _MAX_DEPTH:
        name = value["Fn::ImportValue"]
        if not isinstance(name, str):
            rendered = render(name, stack, app, depth + 1)
            if not rendered.decided:
                return value, stack
            name = rendered.text
        export = app.exports.get(name)
        if export is None:
            return value, stack
        stack, value = export
        depth += 1
    return value, stack


def target_of(value: Any, stack: StackInfo, app: AppIndex) -> Target | None:
    """The resource a Ref / Fn::GetAtt (possibly behind Fn::ImportValue) points at."""
    value, stack = follow(value, stack, app)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if "Ref" in value and isinstance(value["Ref"], str):
        lid, attribute = value["Ref"], None
    elif "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        if isinstance(att, str):
            att = att.split(".", 1)
        if not isinstance(att, list) or len(att) != 2 or not isinstance(att[0], str):
            return None
        lid, attribute = att[0], att[1] if isinstance(att[1], str) else None
    else:
        return None
    if lid.startswith("AWS::"):
        return None
    return Target(stack=stack, logical_id=lid, attribute=attribute, resource=stack.resources.get(lid))


def is_parameter(value: Any, stack: StackInfo) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in stack.parameters:
        return value["Ref"]
    return None


def _pseudo(name: str, stack: StackInfo) -> str | None:
    if name == "AWS::AccountId":
        return stack.account
    if name == "AWS::Region":
        return stack.region
    if name == "AWS::Partition":
        return partition_of(stack.region) if stack.region else None
    if name == "AWS::URLSuffix":
        return ("amazonaws.eu" if stack.region.startswith("eusc-") else "amazonaws.com") if stack.region else None
    if name == "AWS::StackName":
        return stack.name
    return None


def render(value: Any, stack: StackInfo, app: AppIndex, depth: int = 0) -> Rendered:  # noqa: C901 - one branch per intrinsic
    """The value as text, pseudo parameters filled in from the stack's environment."""
    if depth > _MAX_DEPTH:
        return Rendered(UNKNOWN, ["nested too deeply to read"])
    if isinstance(value, bool):
        return Rendered("true" if value else "false")
    if isinstance(value, (str, int, float)):
        return Rendered(str(value))
    if value is None:
        return Rendered(UNKNOWN, ["no value"])
    if isinstance(value, list):
        return Rendered(UNKNOWN, ["a list where one value was expected"])
    if not isinstance(value, dict) or len(value) != 1:
        return Rendered(UNKNOWN, ["an object where a value was expected"])
    ((fn, arg),) = value.items()
    if fn == "Ref":
        if isinstance(arg, str) and arg.startswith("AWS::"):
            known = _pseudo(arg, stack)
            if known is not None:
                return Rendered(known)
            return Rendered(UNKNOWN, [f"{arg} of an environment-agnostic stack"])
        if isinstance(arg, str) and arg in stack.parameters:
            return Rendered(UNKNOWN, [f"parameter {arg} (its value is only known at deploy time)"])
        return Rendered(UNKNOWN, [f"Ref {arg} (a resource attribute only known at deploy time)"])
    if fn == "Fn::GetAtt":
        return Rendered(UNKNOWN, [f"Fn::GetAtt {arg} (only known at deploy time)"])
    if fn == "Fn::ImportValue":
        followed, producer = follow(value, stack, app, depth)
        if followed is value:
            return Rendered(UNKNOWN, [f"Fn::ImportValue {arg} that no stack of this app exports"])
        return render(followed, producer, app, depth + 1)
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        parts = arg[1]
        if not isinstance(parts, list):
            return Rendered(UNKNOWN, ["Fn::Join over a computed list"])
        pieces = [render(p, stack, app, depth + 1) for p in parts]
        return Rendered(arg[0].join(p.text for p in pieces), [u for p in pieces for u in p.unknowns])
    if fn == "Fn::Sub":
        template, variables = (
            (arg, {})
            if isinstance(arg, str)
            else (arg[0], arg[1])
            if (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict))
            else (None, None)
        )
        if template is None:
            return Rendered(UNKNOWN, ["an unreadable Fn::Sub"])
        sub_variables: dict[Any, Any] = variables or {}
        unknowns: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            name = match[1]
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in sub_variables:
                piece = render(sub_variables[name], stack, app, depth + 1)
            elif "." in name:
                piece = Rendered(UNKNOWN, [f"${{{name}}} (only known at deploy time)"])
            else:
                piece = render({"Ref": name}, stack, app, depth + 1)
            unknowns.extend(piece.unknowns)
            return piece.text

        return Rendered(re.sub(r"\$\{([^}]+)\}", substitute, template), unknowns)
    return Rendered(UNKNOWN, [f"{fn} (only decided at deploy time)"])


def references(value: Any, stack: StackInfo, app: AppIndex, depth: int = 0) -> Iterator[Target]:
    """Every resource a value refers to, anywhere inside it (imports followed)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from references(item, stack, app, depth + 1)
    elif isinstance(value, dict):
        target = target_of(value, stack, app) if len(value) == 1 else None
        if target is not None:
            yield target
            return
        if set(value) == {"Fn::ImportValue"}:
            followed, producer = follow(value, stack, app)
            if followed is not value:
                yield from references(followed, producer, app, depth + 1)
            return
        if set(value) == {"Fn::Sub"}:
            arg = value["Fn::Sub"]
            template = arg if isinstance(arg, str) else arg[0] if isinstance(arg, list) and arg else ""
            for name in re.findall(r"\$\{([^}!][^}]*)\}", template if isinstance(template, str) else ""):
                lid = name.split(".", 1)[0]
                if lid in stack.resources:
                    yield Target(stack, lid, name.split(".", 1)[1] if "." in name else None, stack.resources[lid])
            if isinstance(arg, list) and len(arg) == 2:
                yield from references(arg[1], stack, app, depth + 1)
            return
        for item in value.values():
            yield from references(item, stack, app, depth + 1)


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
