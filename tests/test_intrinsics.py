"""The one intrinsic renderer (policies/intrinsics.py): each function, nesting, unknowns, imports,
and what each caller's knowledge makes of them (the rules, the report, the access model, the cost
estimate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from policies import values
from policies.access.templates import Resolver
from policies.access.templates import StackTemplate as AccessStack
from policies.intrinsics import MAX_DEPTH, Knowledge, Renderer, Unknown, pseudo_parameter, reference_of
from policies.model import AppIndex, StackInfo
from tools.cost import values as cost_values
from tools.cost.assembly import StackTemplate as CostStack
from tools.report.inputs import text

A = "111122223333"


@dataclass
class Stack:
    name: str
    exports: dict[str, Any] = field(default_factory=dict)


class Knows(Knowledge[Stack]):
    """A little knowledge: one region, the Ref and GetAtt of `Bucket`, the exports of stack P."""

    def __init__(self, *stacks: Stack) -> None:
        self.stacks = stacks

    def pseudo(self, stack: Stack, name: str) -> str | None:
        return pseudo_parameter(name, account=A, region="eu-west-1", stack_name=stack.name)

    def ref(self, stack: Stack, name: str) -> Any:
        return "my-bucket" if name == "Bucket" else None

    def attribute(self, stack: Stack, logical_id: str, attribute: str) -> Any:
        return "arn:aws:s3:::my-bucket" if (logical_id, attribute) == ("Bucket", "Arn") else None

    def export(self, stack: Stack, name: str) -> tuple[Any, Stack] | None:
        for s in self.stacks:
            if name in s.exports:
                return s.exports[name], s
        return None

    def parameters(self, stack: Stack) -> list[str]:
        return ["Env"]

    def unknown(self, part: Unknown) -> str:
        return f"<{part.kind}:{part.name}>"


HERE = Stack("led-x-here")
THERE = Stack(
    "led-x-there",
    {"x:Name": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "name"]]}, "x:Again": {"Fn::ImportValue": "x:Name"}},
)
RENDERER = Renderer(Knows(HERE, THERE))


def render(value: Any) -> tuple[str, list[str]]:
    result, unknowns = RENDERER.text(value, HERE)
    return result, [u.reason for u in unknowns]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        (5, "5"),
        (True, "true"),
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        ({"Ref": "AWS::StackName"}, "led-x-here"),
        ({"Ref": "Bucket"}, "my-bucket"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::my-bucket"),
        ({"Fn::GetAtt": "Bucket.Arn"}, "arn:aws:s3:::my-bucket"),
        ({"Fn::Join": [":", ["a", {"Ref": "AWS::AccountId"}]]}, f"a:{A}"),
        (
            {"Fn::Sub": "${AWS::Region}/${Bucket}/${Bucket.Arn}/${!Literal}"},
            "eu-west-1/my-bucket/arn:aws:s3:::my-bucket/${Literal}",
        ),
        ({"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "Bucket"}, "B": "b"}]}, "my-bucket-b"),
        ({"Fn::Select": [1, ["a", {"Ref": "Bucket"}]]}, "my-bucket"),
        ({"Fn::Select": ["0", {"Fn::Split": ["/", {"Fn::Sub": "${Bucket}/key"}]}]}, "my-bucket"),
        ({"Fn::Join": ["+", {"Fn::Split": [",", "a,b"]}]}, "a+b"),
        ({"Fn::ImportValue": "x:Name"}, "led-x-there-name"),  # rendered in the exporting stack
        ({"Fn::ImportValue": "x:Again"}, "led-x-there-name"),  # an export of an import
        ({"Fn::ImportValue": {"Fn::Join": [":", ["x", "Name"]]}}, "led-x-there-name"),
    ],
)
def test_each_function_is_decided_with_what_is_known(value, expected):
    assert render(value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        (None, "<value:>", "no value"),
        (["a"], "<value:>", "a list where one value was expected"),
        ({"A": 1, "B": 2}, "<value:>", "an object where a value was expected"),
        ({"Fn::If": ["C", 1, 2]}, "<function:Fn::If>", "Fn::If (only decided at deploy time)"),
        ({"Ref": "Env"}, "<ref:Env>", "parameter Env (its value is only known at deploy time)"),
        ({"Ref": "Other"}, "<ref:Other>", "Ref Other (a resource attribute only known at deploy time)"),
        (
            {"Ref": "AWS::NotificationARNs"},
            "<ref:AWS::NotificationARNs>",
            "AWS::NotificationARNs of an environment-agnostic stack",
        ),
        (
            {"Fn::GetAtt": ["Db", "Endpoint.Port"]},
            "<attribute:Db.Endpoint.Port>",
            "Fn::GetAtt ['Db', 'Endpoint.Port'] (only known at deploy time)",
        ),
        ({"Fn::Sub": "${Db.Port}"}, "<attribute:Db.Port>", "${Db.Port} (only known at deploy time)"),
        ({"Fn::Sub": 5}, "<function:Fn::Sub>", "an unreadable Fn::Sub"),
        ({"Fn::Join": ["-", {"Ref": "Env"}]}, "<function:Fn::Join>", "Fn::Join over a computed list"),
        (
            {"Fn::ImportValue": "x:Missing"},
            "<import:x:Missing>",
            "Fn::ImportValue x:Missing that no stack of this app exports",
        ),
        ({"Fn::Select": [5, ["a"]]}, "<function:Fn::Select>", "Fn::Select (only decided at deploy time)"),
        ({"Fn::Split": [",", {"Ref": "Env"}]}, "<function:Fn::Split>", "Fn::Split (only decided at deploy time)"),
        ({"Fn::Split": [",", "a,b"]}, "<value:>", "a list where one value was expected"),
    ],
)
def test_what_cannot_be_decided_is_an_unknown_with_a_reason(value, expected, why):
    assert render(value) == (expected, [why])


def test_nesting_keeps_what_is_known_and_every_unknown():
    value = {"Fn::Join": ["/", [{"Ref": "Bucket"}, {"Fn::Sub": "${Env}-${Other}"}, {"Ref": "AWS::Region"}]]}
    assert render(value) == (
        "my-bucket/<ref:Env>-<ref:Other>/eu-west-1",
        [
            "parameter Env (its value is only known at deploy time)",
            "Ref Other (a resource attribute only known at deploy time)",
        ],
    )
    # A function whose arguments are not known is one unknown itself (not one per argument).
    assert render({"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "Env"}]}]}) == (
        "<function:Fn::Select>",
        ["Fn::Select (only decided at deploy time)"],
    )
    assert render({"Fn::ImportValue": {"Ref": "Env"}})[1] == [
        "Fn::ImportValue {'Ref': 'Env'} that no stack of this app exports"
    ]


def test_nesting_deeper_than_any_template_is_not_read():
    value: Any = "x"
    for _ in range(MAX_DEPTH + 1):
        value = {"Fn::Join": ["", [value]]}
    assert render(value) == ("<value:>", ["nested too deeply to read"])


def test_imports_are_followed_and_references_found_through_them():
    assert RENDERER.follow({"Fn::ImportValue": "x:Again"}, HERE) == (THERE.exports["x:Name"], THERE)
    missing = {"Fn::ImportValue": "x:Missing"}
    assert RENDERER.follow(missing, HERE) == (missing, HERE)
    refs = list(RENDERER.references([{"Fn::ImportValue": "x:Name"}, {"Fn::GetAtt": "Db.Arn"}], HERE))
    assert refs == [(HERE, "Db", "Arn")]  # the export's Ref is a pseudo parameter: no reference
    sub = {"Fn::Sub": ["${Bucket}${Db.Arn}${AWS::Region}${!No}${V}", {"V": {"Ref": "Key"}}]}
    assert list(RENDERER.references(sub, HERE)) == [(HERE, "Bucket", None), (HERE, "Db", "Arn"), (HERE, "Key", None)]
    assert reference_of({"Fn::GetAtt": ["A", "B"]}) == ("A", "B") and reference_of({"Fn::Join": []}) is None


def test_structured_knowledge_keeps_lists_and_objects():
    class Structured(Knows):
        structured = True

    renderer = Renderer(Structured(HERE, THERE))
    document = {
        "Statement": [
            {
                "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Ref": "Other"}],
                "If": {"Fn::If": ["C", {"Ref": "Bucket"}, 1]},
            }
        ]
    }
    resolved, unknowns = renderer.resolve(document, HERE)
    assert resolved == {
        "Statement": [{"Resource": ["arn:aws:s3:::my-bucket", "<ref:Other>"], "If": {"Fn::If": ["C", "my-bucket", 1]}}]
    }
    assert [u.kind for u in unknowns] == ["ref"]
    assert renderer.resolve({"Fn::Split": ["/", "a/b"]}, HERE)[0] == ["a", "b"]
    assert renderer.resolve(None, HERE) == (None, [])


def test_the_environment_gives_the_pseudo_parameters_of_its_partition():
    sovereign = dict(account=A, region="eusc-de-east-1", stack_name="s")
    assert pseudo_parameter("AWS::Partition", **sovereign) == "aws-eusc"
    assert pseudo_parameter("AWS::URLSuffix", **sovereign) == "amazonaws.eu"
    assert pseudo_parameter("AWS::Region", account=None, region=None, stack_name=None) is None
    assert pseudo_parameter("AWS::NoValue", **sovereign) is None


# --- each caller's knowledge -----------------------------------------------------------------------


def test_the_rules_know_the_environment_and_the_exports_and_fail_closed_on_the_rest():
    producer = StackInfo(
        "P",
        "led-x-data",
        "x",
        A,
        "eu-west-1",
        {"Outputs": {"O": {"Value": {"Ref": "AWS::Region"}, "Export": {"Name": "e"}}}},
        None,
    )
    consumer = StackInfo(
        "C", "led-x-app", "x", A, "eu-west-1", {"Parameters": {"P": {}}, "Resources": {"R": {"Type": "T"}}}, None
    )
    agnostic = StackInfo("G", "led-x-any", None, None, None, {}, None)
    app = AppIndex()
    for stack in (producer, consumer, agnostic):
        app.add(stack)
    assert values.render({"Fn::Join": ["", [{"Fn::ImportValue": "e"}, "!"]]}, consumer, app) == values.Rendered(
        "eu-west-1!"
    )
    rendered = values.render({"Fn::Sub": "${R.Arn}:${P}"}, consumer, app)
    assert rendered.text == f"{values.UNKNOWN}:{values.UNKNOWN}" and not rendered.decided
    assert (
        rendered.why() == "${R.Arn} (only known at deploy time); parameter P (its value is only known at deploy time)"
    )
    assert values.render({"Ref": "AWS::Region"}, agnostic, app).why() == "AWS::Region of an environment-agnostic stack"
    target = values.target_of({"Fn::GetAtt": ["R", "Arn"]}, consumer, app)
    assert target is not None and (target.stack, target.logical_id, target.attribute, target.type) == (
        consumer,
        "R",
        "Arn",
        "T",
    )
    assert values.target_of({"Ref": "AWS::Region"}, consumer, app) is None
    assert [t.logical_id for t in values.references({"A": [{"Ref": "R"}, {"Ref": "AWS::Region"}]}, consumer, app)] == [
        "R"
    ]


def test_the_report_shows_people_the_references_it_does_not_resolve():
    assert text({"Ref": "AWS::Partition"}) == "${AWS::Partition}"
    assert text({"Fn::GetAtt": ["Key", "Arn"]}) == text({"Fn::GetAtt": "Key.Arn"}) == "${Key.Arn}"
    assert text({"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "s3"]]}) == "arn:${AWS::Partition}:s3"
    assert text({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/x"}) == "arn:${AWS::Partition}:iam::aws:policy/x"
    assert text({"Fn::ImportValue": "led-prod-data:KeyArn"}) == "import(led-prod-data:KeyArn)"
    assert text(["a", {"Ref": "B"}]) == "a, ${B}"
    assert text(False) == "false" and text(None) == "null"
    assert text({"Fn::If": ["C", "a", "b"]}) == '{"Fn::If": ["C", "a", "b"]}'


def test_the_access_model_derives_names_and_arns_and_keeps_documents_whole():
    stack = AccessStack(
        "S",
        "led-x-s",
        "x/S",
        A,
        "eusc-de-east-1",
        "aws-eusc",
        {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r"}}}},
    )
    resolver = Resolver([stack])
    arn = "arn:aws-eusc:iam::111122223333:role/r"
    document = {"Statement": [{"Principal": {"AWS": {"Fn::GetAtt": ["Role", "Arn"]}}, "Resource": [{"Ref": "Nope"}]}]}
    assert resolver.value(stack, document) == {"Statement": [{"Principal": {"AWS": arn}, "Resource": ["${Nope}"]}]}
    assert resolver.value(stack, {"Fn::GetAtt": ["Role", "RoleId"]}) == "${Role.RoleId}"
    assert resolver.value(stack, {"Fn::ImportValue": "gone"}) == "${import:gone}"
    assert resolver.value(stack, {"Ref": "AWS::URLSuffix"}) == "amazonaws.eu"
    assert resolver.value(stack, {"Fn::Sub": "${!Literal}"}) == "${Literal}"
    assert resolver.value(stack, {"Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": ["Role", "Arn"]}]}]}) == "r"


def test_the_cost_estimate_knows_the_environment_only():
    stack = CostStack(name="led-x", account=A, region="eusc-de-east-1", template={})
    vault = {
        "Fn::Join": [
            ":",
            ["arn", {"Ref": "AWS::Partition"}, "backup", {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}],
        ]
    }
    assert cost_values.render(vault, stack) == f"arn:aws-eusc:backup:eusc-de-east-1:{A}"
    assert cost_values.render({"Fn::Sub": "${AWS::Region}:${Vault.Arn}"}, stack) == "eusc-de-east-1:?"
    assert cost_values.render({"Fn::GetAtt": ["Vault", "Arn"]}, stack) == "?"
    assert cost_values.refs([{"Ref": "Group"}, {"Fn::GetAtt": "Other.Arn"}, {"Ref": "AWS::Region"}]) == {
        "Group",
        "Other",
    }
