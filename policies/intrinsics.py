"""The one reader of CloudFormation's intrinsic functions, for every tool that reads a template.

A value in a template is a literal or an intrinsic function: `Ref` (a resource, a parameter or a
pseudo parameter), `Fn::GetAtt`, `Fn::ImportValue` (another stack's export), `Fn::Join`,
`Fn::Sub`, `Fn::Select`, `Fn::Split`. `Renderer` walks them; what it can fill in comes from its
caller's `Knowledge` (the rules know the stack's environment and the app's exports, the access
model also the names and ARNs CloudFormation would give, the report nothing), and every part it
cannot decide is an `Unknown` the caller turns into its own placeholder: UNKNOWN and a reason for
the rules, ${X} for people, "?" for the cost estimate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from config import partition_of, service_domain_of

S = TypeVar("S")  # the caller's stack: whatever its knowledge reads a stack's facts from
MAX_DEPTH = 12  # nested intrinsics deeper than this are not read (no template nests them so)
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Unknown:
    """A part of a value that cannot be decided: what kind of part (ref, attribute, import,
    function, value), the name a reader recognises it by, why (a rule's finding says it), and the
    template's value itself."""

    kind: str
    name: str
    reason: str
    value: Any = None


class Knowledge(Generic[S]):
    """What a caller knows; each hook answers None for "not known here". The defaults know nothing."""

    # Lists and objects are resolved item by item and kept (a policy document), instead of each
    # being a value of its own that is unknown where one value is expected.
    structured = False
    # Where one value is expected, a list's items joined with this (None: the list is unknown).
    list_separator: str | None = None

    def pseudo(self, stack: S, name: str) -> str | None:
        """A pseudo parameter (AWS::Region, ...)."""
        return None

    def ref(self, stack: S, name: str) -> Any:
        """What Ref gives for a resource or parameter."""
        return None

    def attribute(self, stack: S, logical_id: str, attribute: str) -> Any:
        """What Fn::GetAtt gives."""
        return None

    def export(self, stack: S, name: str) -> tuple[Any, S] | None:
        """The value an export of that name has, and the stack that exports it."""
        return None

    def parameters(self, stack: S) -> Collection[str]:
        """The stack's parameters (a Ref to one is only known at deploy time)."""
        return ()

    def unknown(self, part: Unknown) -> Any:
        """What to put in place of a part that cannot be decided."""
        return "?"


def pseudo_parameter(name: str, *, account: str | None, region: str | None, stack_name: str | None) -> str | None:
    """A pseudo parameter of a stack deployed to that account and region (None: not known)."""
    if name == "AWS::AccountId":
        return account
    if name == "AWS::Region":
        return region
    if name == "AWS::Partition":
        return partition_of(region) if region else None
    if name == "AWS::URLSuffix":
        return service_domain_of(region) if region else None
    if name == "AWS::StackName":
        return stack_name
    return None


def reference_of(value: Any) -> tuple[str, str | None] | None:
    """The logical id (and attribute) a Ref / Fn::GetAtt names; None for anything else."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if isinstance(value.get("Ref"), str):
        return value["Ref"], None
    if "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        if isinstance(att, str):
            att = att.split(".", 1)
        if isinstance(att, list) and len(att) == 2 and isinstance(att[0], str):
            return att[0], att[1] if isinstance(att[1], str) else None
    return None


def sub_template(arg: Any) -> tuple[str, dict] | None:
    """An Fn::Sub's template string and its variables (None when it is neither form)."""
    if isinstance(arg, str):
        return arg, {}
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
        return arg[0], arg[1]
    return None


class Renderer(Generic[S]):
    """Walks a template value's intrinsics with what `knows` knows."""

    def __init__(self, knows: Knowledge[S]) -> None:
        self.knows = knows

    def resolve(self, value: Any, stack: S) -> tuple[Any, list[Unknown]]:
        """The value with everything known filled in, and the parts that are not."""
        walk = _Walk(self.knows)
        return walk.value(value, stack, 0), walk.unknowns

    def text(self, value: Any, stack: S) -> tuple[str, list[Unknown]]:
        """The value as one text (CloudFormation's string), and the parts that are not known."""
        walk = _Walk(self.knows)
        return walk.text(value, stack, 0), walk.unknowns

    def follow(self, value: Any, stack: S) -> tuple[Any, S]:
        """Fn::ImportValue followed to the value the exporting stack gives it (as far as known)."""
        walk = _Walk(self.knows)
        depth = 0
        while isinstance(value, dict) and set(value) == {"Fn::ImportValue"} and depth < MAX_DEPTH:
            exported = walk.export_of(value["Fn::ImportValue"], stack, depth)
            if exported is None:
                break
            value, stack = exported
            depth += 1
        return value, stack

    def references(self, value: Any, stack: S, depth: int = 0) -> Iterator[tuple[S, str, str | None]]:
        """Every (stack, logical id, attribute) a value refers to anywhere inside it: Ref and
        Fn::GetAtt, the ${...} of Fn::Sub, and what a known export refers to. Pseudo parameters
        are no references."""
        if depth > MAX_DEPTH:
            return
        if isinstance(value, list):
            for item in value:
                yield from self.references(item, stack, depth + 1)
            return
        if not isinstance(value, dict):
            return
        if set(value) == {"Fn::ImportValue"}:
            followed, producer = self.follow(value, stack)
            if followed is not value:
                yield from self.references(followed, producer, depth + 1)
            return
        named = reference_of(value)
        if named is not None:
            if not named[0].startswith("AWS::"):
                yield stack, named[0], named[1]
            return
        if set(value) == {"Fn::Sub"}:
            yield from self._sub_references(value["Fn::Sub"], stack, depth)
            return
        for item in value.values():
            yield from self.references(item, stack, depth + 1)

    def _sub_references(self, arg: Any, stack: S, depth: int) -> Iterator[tuple[S, str, str | None]]:
        parsed = sub_template(arg)
        if parsed is None:
            return
        template, variables = parsed
        for name in _PLACEHOLDER.findall(template):
            if name.startswith("!") or name in variables or name.startswith("AWS::"):
                continue
            lid, _, attribute = name.partition(".")
            yield stack, lid, attribute or None
        yield from self.references(variables, stack, depth + 1)


class _Walk(Generic[S]):
    """One walk of a value: its knowledge, and the unknowns met on the way."""

    def __init__(self, knows: Knowledge[S]) -> None:
        self.knows = knows
        self.unknowns: list[Unknown] = []

    def unknown(self, kind: str, name: str, reason: str, value: Any = None) -> Any:
        part = Unknown(kind, name, reason, value)
        self.unknowns.append(part)
        return self.knows.unknown(part)

    def value(self, value: Any, stack: S, depth: int) -> Any:
        """A value where any shape may be (structured knowledge keeps lists and objects)."""
        if depth > MAX_DEPTH:
            return self.unknown("value", "", "nested too deeply to read", value)
        function = _function(value)
        if function is not None:
            return function(self, value, stack, depth)
        if not self.knows.structured:
            return self.text(value, stack, depth)
        if isinstance(value, list):
            return [self.value(v, stack, depth) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v, stack, depth) for k, v in value.items()}
        return value

    def text(self, value: Any, stack: S, depth: int) -> str:
        """A value where one string is expected (a part of Fn::Join or Fn::Sub, a name)."""
        if depth > MAX_DEPTH:
            return self.unknown("value", "", "nested too deeply to read", value)
        function = _function(value)
        if function is not None:
            value = function(self, value, stack, depth)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        if value is None:
            return self.unknown("value", "", "no value", value)
        if isinstance(value, list):
            if self.knows.list_separator is not None:
                return self.knows.list_separator.join(self.text(v, stack, depth) for v in value)
            return self.unknown("value", "", "a list where one value was expected", value)
        if isinstance(value, dict) and len(value) == 1:
            ((fn, _),) = value.items()
            return self.unknown("function", fn, f"{fn} (only decided at deploy time)", value)
        return self.unknown("value", "", "an object where a value was expected", value)

    def decided_text(self, value: Any, stack: S, depth: int) -> str | None:
        """The text of a value, or None (and no unknowns kept) when part of it is not known."""
        mark = len(self.unknowns)
        text = self.text(value, stack, depth)
        if len(self.unknowns) == mark:
            return text
        del self.unknowns[mark:]
        return None

    def export_of(self, name: Any, stack: S, depth: int) -> tuple[Any, S] | None:
        text = name if isinstance(name, str) else self.decided_text(name, stack, depth + 1)
        return self.knows.export(stack, text) if text is not None else None

    # The functions -------------------------------------------------------------------------

    def ref(self, value: dict, stack: S, depth: int) -> Any:
        name = value["Ref"]
        if not isinstance(name, str):
            return self.unknown("function", "Ref", "Ref (only decided at deploy time)", value)
        if name.startswith("AWS::"):
            known = self.knows.pseudo(stack, name)
            return known if known is not None else self.unknown("ref", name, f"{name} of an environment-agnostic stack")
        known = self.knows.ref(stack, name)
        if known is not None:
            return known
        if name in self.knows.parameters(stack):
            return self.unknown("ref", name, f"parameter {name} (its value is only known at deploy time)")
        return self.unknown("ref", name, f"Ref {name} (a resource attribute only known at deploy time)")

    def get_att(self, value: dict, stack: S, depth: int) -> Any:
        arg = value["Fn::GetAtt"]
        named = reference_of(value)
        label = ".".join(map(str, arg)) if isinstance(arg, list) else str(arg)
        return self.attribute(named, stack, label, f"Fn::GetAtt {arg} (only known at deploy time)")

    def attribute(self, named: tuple[str, str | None] | None, stack: S, label: str, reason: str) -> Any:
        if named is not None and named[1] is not None:
            known = self.knows.attribute(stack, named[0], named[1])
            if known is not None:
                return known
        return self.unknown("attribute", label, reason)

    def import_value(self, value: dict, stack: S, depth: int) -> Any:
        arg = value["Fn::ImportValue"]
        exported = self.export_of(arg, stack, depth)
        if exported is not None:
            return self.value(exported[0], exported[1], depth + 1)
        mark = len(self.unknowns)
        name = self.text(arg, stack, depth + 1)
        del self.unknowns[mark:]
        return self.unknown("import", name, f"Fn::ImportValue {arg} that no stack of this app exports")

    def join(self, value: dict, stack: S, depth: int) -> Any:
        arg = value["Fn::Join"]
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return self.unknown("function", "Fn::Join", "Fn::Join (only decided at deploy time)", value)
        parts = arg[1] if isinstance(arg[1], list) else self.listed(arg[1], stack, depth + 1)
        if parts is None:
            return self.unknown("function", "Fn::Join", "Fn::Join over a computed list", value)
        return arg[0].join(self.text(p, stack, depth + 1) for p in parts)

    def sub(self, value: dict, stack: S, depth: int) -> Any:
        parsed = sub_template(value["Fn::Sub"])
        if parsed is None:
            return self.unknown("function", "Fn::Sub", "an unreadable Fn::Sub", value)
        template, variables = parsed

        def substitute(match: re.Match[str]) -> str:
            name = match[1]
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self.text(variables[name], stack, depth + 1)
            if "." in name:
                lid, attribute = name.split(".", 1)
                return str(self.attribute((lid, attribute), stack, name, f"${{{name}}} (only known at deploy time)"))
            return self.text({"Ref": name}, stack, depth + 1)

        return _PLACEHOLDER.sub(substitute, template)

    def select(self, value: dict, stack: S, depth: int) -> Any:
        arg = value["Fn::Select"]
        if isinstance(arg, list) and len(arg) == 2:
            mark = len(self.unknowns)
            index = self.decided_text(arg[0], stack, depth + 1)
            items = self.listed(arg[1], stack, depth + 1)
            if len(self.unknowns) == mark and index is not None and index.isdigit() and items is not None:
                if int(index) < len(items):
                    return items[int(index)]
            del self.unknowns[mark:]
        return self.unknown("function", "Fn::Select", "Fn::Select (only decided at deploy time)", value)

    def split(self, value: dict, stack: S, depth: int) -> Any:
        arg = value["Fn::Split"]
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0]:
            source = self.decided_text(arg[1], stack, depth + 1)
            if source is not None:
                return source.split(arg[0])
        return self.unknown("function", "Fn::Split", "Fn::Split (only decided at deploy time)", value)

    def listed(self, value: Any, stack: S, depth: int) -> list | None:
        """A value where a list is expected: a literal list (items resolved) or a function that
        gives one; None when it is not known to be a list."""
        if isinstance(value, list):
            return [self.value(v, stack, depth) for v in value]
        function = _function(value)
        if function is None:
            return None
        mark = len(self.unknowns)
        result = function(self, value, stack, depth)
        if isinstance(result, list) and len(self.unknowns) == mark:
            return result
        del self.unknowns[mark:]
        return None


_FUNCTIONS = {
    "Ref": _Walk.ref,
    "Fn::GetAtt": _Walk.get_att,
    "Fn::ImportValue": _Walk.import_value,
    "Fn::Join": _Walk.join,
    "Fn::Sub": _Walk.sub,
    "Fn::Select": _Walk.select,
    "Fn::Split": _Walk.split,
}


def _function(value: Any) -> Any:
    """The walker of an intrinsic function the renderer knows, or None."""
    if isinstance(value, dict) and len(value) == 1:
        return _FUNCTIONS.get(next(iter(value)))
    return None


def as_json(value: Any) -> str:
    """A value as JSON, for a reader when nothing better can be said of it."""
    return json.dumps(value, sort_keys=True)
