"""A rule is one file: its module in policies/rules/ declares it (RULE = RuleSpec(...)), the registry
discovers it, and its cases sit beside it in tests/rules/<module>.py."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from policies.registry import NEVER_ACKNOWLEDGE, RULES, RegistryError, discover
from tests.rules import CASES, MODULES

ROOT = Path(__file__).resolve().parents[1]


def test_every_rule_module_has_a_case_module_and_the_reverse():
    rule_modules = {r.module for r in RULES}
    assert rule_modules == set(MODULES)
    assert rule_modules == {p.stem for p in (ROOT / "policies" / "rules").glob("[!_]*.py")}


def test_every_case_sits_beside_its_rule():
    by_id = {r.rule_id: r for r in RULES}
    for c in CASES:
        assert c.rule_id in by_id, f"{c.name}: no rule {c.rule_id}"
        assert c.module == by_id[c.rule_id].module, f"{c.name} ({c.rule_id}) belongs in tests/rules/{c.module}.py"


def test_every_discovered_rule_has_a_compliant_and_a_non_compliant_case():
    for rule in discover():
        outcomes = {c.fails for c in CASES if c.rule_id == rule.rule_id}
        assert outcomes == {True, False}, rule.rule_id


def test_the_pack_order_groups_a_condition_and_starts_with_its_own_rule():
    ids = [r.rule_id for r in RULES]
    assert len(ids) == len(set(ids))
    conditions = list(dict.fromkeys(r.condition_id for r in RULES))
    assert [r.condition_id for r in RULES] == sorted((r.condition_id for r in RULES), key=conditions.index)
    assert ids[:3] == ["VTC-ENCRYPT-ALL", "VTC-KEY-CUSTODY", "VTC-KEY-CUSTODY-ADMIN"]
    assert set(NEVER_ACKNOWLEDGE) <= set(ids) and "VTC-PROCESSOR-DEPLOY" in NEVER_ACKNOWLEDGE


_RULE = """
from policies.model import NOT_APPLICABLE
from policies.spec import RuleSpec

def check(res):
    return NOT_APPLICABLE

RULE = RuleSpec(rule_id={rule_id!r}, condition_id={condition!r}, paragraph="§1", title="t", trigger="t", fix="f",
                resource_types=("AWS::S3::Bucket",), check=check)
"""


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throw-away rules package on sys.path: write modules into it, then discover it."""
    name = f"fake_rules_{tmp_path.name.replace('-', '_')}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, root
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def _write(root: Path, module: str, text: str) -> None:
    (root / f"{module}.py").write_text(textwrap.dedent(text))
    importlib.invalidate_caches()


def test_discovery_reads_every_module(package):
    name, root = package
    _write(root, "b", _RULE.format(rule_id="VTC-EXIT-B", condition="VTC-EXIT"))
    _write(root, "a", _RULE.format(rule_id="VTC-ENCRYPT-ALL-A", condition="VTC-ENCRYPT-ALL"))
    _write(root, "_helpers", "X = 1\n")
    found = discover(name)
    assert [r.rule_id for r in found] == ["VTC-ENCRYPT-ALL-A", "VTC-EXIT-B"]  # the pack's order, not the files'
    assert [r.module for r in found] == ["a", "b"]


def test_a_module_without_a_rule_fails_in_one_line(package):
    name, root = package
    _write(root, "empty", "X = 1\n")
    with pytest.raises(RegistryError, match=r"empty\.py: no rule: declare RULE = RuleSpec") as error:
        discover(name)
    assert "\n" not in str(error.value)


def test_a_rule_declared_twice_fails_in_one_line(package):
    name, root = package
    _write(root, "one", _RULE.format(rule_id="VTC-EXIT-X", condition="VTC-EXIT"))
    _write(root, "two", _RULE.format(rule_id="VTC-EXIT-X", condition="VTC-EXIT"))
    with pytest.raises(RegistryError, match=r"two\.py: rule VTC-EXIT-X is already declared in .*one\.py$"):
        discover(name)


def test_a_rule_of_an_unknown_condition_fails_in_one_line(package):
    name, root = package
    _write(root, "odd", _RULE.format(rule_id="VTC-NOPE", condition="VTC-NOPE"))
    with pytest.raises(
        RegistryError, match=r"odd\.py: rule VTC-NOPE: condition VTC-NOPE is not in policies/conditions"
    ):
        discover(name)
