"""The IAM evaluator of policies/access on small hand-made policies: deny wins, boundary and SCP
caps, cross-account resource policies, key policies, NotAction/NotResource, condition operators,
AssumeRole chains, PassRole paths, the template resolver and the bootstrap model."""

from __future__ import annotations

import pytest

from policies.access.bootstrap import bootstrap_roles
from policies.access.engine import (
    ALLOWED,
    DENIED,
    NOT_GRANTED,
    Doc,
    Inventory,
    Principal,
    ResourcePolicy,
    decide,
    reachable,
)
from policies.access.evaluator import condition_holds
from policies.access.templates import Resolver, StackTemplate

A, B = "111111111111", "222222222222"


def doc(*statements: dict, kind: str = "identity", name: str = "Policy") -> Doc:
    return Doc("test-stack", name, kind, {"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Sid": f"Allow{len(str(action))}", "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Sid": "Deny", "Effect": "Deny", "Action": action, "Resource": resource, **extra}


def role(
    name: str, account: str = A, *, identity=(), boundary: Doc | None = None, trust: Doc | None = None
) -> Principal:
    return Principal(
        arn=f"arn:aws:iam::{account}:role/{name}",
        name=name,
        account=account,
        partition="aws",
        kind="role",
        identity=list(identity),
        boundary=boundary,
        trust=trust,
    )


def inventory(*principals: Principal, policies=(), scps=(), scp_accounts=(), functions=None, stacks=None) -> Inventory:
    inv = Inventory(region="eu-west-1", partition="aws")
    inv.principals = {p.arn: p for p in principals}
    inv.resource_policies = list(policies)
    inv.scps = list(scps)
    inv.scp_accounts = frozenset(scp_accounts)
    inv.functions = functions or {}
    inv.stacks = stacks or {}
    return inv


def trusting(principal: dict) -> Doc:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}, kind="trust", name="Trust")


def resource_policy(
    account: str,
    service: str,
    governs: tuple[str, ...],
    principal: str,
    action: str,
    resource: str = "*",
    *,
    name: str = "Policy",
    **extra,
) -> ResourcePolicy:
    """A resource policy of `account` (a bucket's, a key's) on `governs`: one statement allowing the AWS
    principal `action` on `resource` (extra: its Sid, Condition)."""
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": resource, **extra}
    return ResourcePolicy(doc(statement, kind="resource", name=name), governs, account, service)


BUCKET = "arn:aws:s3:::data-bucket"


# The evaluator on hand-made policies ------------------------------------------------------------


def test_explicit_deny_wins_over_any_allow():
    r = role("r", identity=[doc(allow("s3:*"), deny("s3:DeleteObject", f"{BUCKET}/*"))])
    inv = inventory(r)
    assert decide(inv, r, "s3:GetObject", f"{BUCKET}/x").verdict == ALLOWED
    decision = decide(inv, r, "s3:DeleteObject", f"{BUCKET}/x")
    assert decision.verdict == DENIED
    assert [(o.sid, o.effect, o.kind) for o in decision.statements] == [("Deny", "Deny", "identity")]


def test_boundary_caps_the_identity_policies():
    boundary = doc(allow("s3:GetObject"), kind="boundary", name="Boundary")
    r = role("r", identity=[doc(allow("s3:*"))], boundary=boundary)
    inv = inventory(r)
    assert decide(inv, r, "s3:GetObject", f"{BUCKET}/x").verdict == ALLOWED
    assert decide(inv, r, "s3:PutObject", f"{BUCKET}/x").verdict == NOT_GRANTED
    # The boundary alone grants nothing.
    bare = role("bare", boundary=boundary)
    assert decide(inventory(bare), bare, "s3:GetObject", f"{BUCKET}/x").verdict == NOT_GRANTED


def test_scp_caps_member_accounts_and_exempts_an_exact_role_arn():
    scp = doc(
        deny(
            "cloudtrail:StopLogging",
            Condition={"ArnNotLike": {"aws:PrincipalArn": [f"arn:aws:iam::{A}:role/deployer"]}},
        ),
        kind="scp",
        name="audit-guardrail",
    )
    admin = role("admin", identity=[doc(allow("*"))])
    deployer = role("deployer", identity=[doc(allow("*"))])
    trail = f"arn:aws:cloudtrail:eu-west-1:{A}:trail/t"
    inv = inventory(admin, deployer, scps=[scp], scp_accounts=[A])
    denied = decide(inv, admin, "cloudtrail:StopLogging", trail)
    assert denied.verdict == DENIED and denied.statements[0].kind == "scp"
    assert decide(inv, deployer, "cloudtrail:StopLogging", trail).verdict == ALLOWED
    # Outside the accounts the SCPs are attached to, they do not apply.
    assert decide(inventory(admin, scps=[scp], scp_accounts=[B]), admin, "cloudtrail:StopLogging", trail).allowed


def test_cross_account_needs_the_resource_policy_and_the_identity_policy():
    reader = role("reader", B, identity=[doc(allow("s3:GetObject", f"{BUCKET}/*"))])
    objects = (BUCKET, f"{BUCKET}/*")
    bucket_policy = resource_policy(
        A, "s3", objects, f"arn:aws:iam::{B}:root", "s3:GetObject", f"{BUCKET}/*", Sid="ReadFromB", name="BucketPolicy"
    )
    other_policy = resource_policy(A, "s3", objects, "arn:aws:iam::333333333333:root", "s3:GetObject", f"{BUCKET}/*")
    assert (
        decide(inventory(reader, policies=[other_policy]), reader, "s3:GetObject", f"{BUCKET}/x").verdict == NOT_GRANTED
    )
    granted = decide(inventory(reader, policies=[bucket_policy]), reader, "s3:GetObject", f"{BUCKET}/x")
    assert granted.verdict == ALLOWED
    assert {(o.kind, o.sid) for o in granted.statements} >= {("resource", "ReadFromB")}
    # The resource policy alone is not enough across accounts.
    bare = role("bare", B)
    assert decide(inventory(bare, policies=[bucket_policy]), bare, "s3:GetObject", f"{BUCKET}/x").verdict == NOT_GRANTED


def test_a_key_policy_decides_even_in_the_same_account():
    key = f"arn:aws:kms:eu-west-1:{A}:key/k"
    user = role("user", identity=[doc(allow("kms:Decrypt", key))])
    via_s3 = {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    key_policy = resource_policy(
        A, "kms", (key,), f"arn:aws:iam::{A}:root", "kms:Decrypt", Sid="UseThroughS3", Condition=via_s3
    )
    inv = inventory(user, policies=[key_policy])
    assert decide(inv, user, "kms:Decrypt", key).verdict == NOT_GRANTED
    assert decide(inv, user, "kms:Decrypt", key, {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}).verdict == ALLOWED


def test_not_action_and_not_resource():
    regions = deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}})
    regions = {**{k: v for k, v in regions.items() if k != "Action"}, "NotAction": ["iam:*", "sts:*"]}
    custodian = {
        "Sid": "OnlyFbKeys",
        "Effect": "Deny",
        "Action": "kms:Decrypt",
        "NotResource": f"arn:aws:kms:*:{B}:key/*",
    }
    r = role("r", identity=[doc(allow("*"), regions, custodian)])
    inv = inventory(r)
    assert decide(inv, r, "ec2:RunInstances", "arn:aws:ec2:us-east-1:111111111111:instance/i").verdict == DENIED
    assert decide(inv, r, "ec2:RunInstances", "arn:aws:ec2:eu-west-1:111111111111:instance/i").verdict == ALLOWED
    assert decide(inv, r, "iam:GetRole", "arn:aws:iam::111111111111:role/x").verdict == ALLOWED
    assert decide(inv, r, "kms:Decrypt", f"arn:aws:kms:eu-west-1:{A}:key/own").verdict == DENIED
    # Outside NotResource the deny does not apply: the FB key is used once its key policy admits account A.
    fb_key = f"arn:aws:kms:eu-west-1:{B}:key/fb"
    assert decide(inv, r, "kms:Decrypt", fb_key).verdict == NOT_GRANTED
    key_policy = resource_policy(B, "kms", (fb_key,), f"arn:aws:iam::{A}:root", "kms:Decrypt")
    assert decide(inventory(r, policies=[key_policy]), r, "kms:Decrypt", fb_key).verdict == ALLOWED


@pytest.mark.parametrize(
    ("conditions", "context", "holds"),
    [
        (
            {"StringEquals": {"kms:ViaService": ["rds.eu-west-1.amazonaws.com"]}},
            {"kms:ViaService": "rds.eu-west-1.amazonaws.com"},
            True,
        ),
        ({"StringEquals": {"kms:ViaService": ["rds.eu-west-1.amazonaws.com"]}}, {}, False),
        ({"StringNotEquals": {"kms:ViaService": ["rds.eu-west-1.amazonaws.com"]}}, {}, True),
        (
            {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/led-*"}},
            {"aws:PrincipalArn": "arn:aws:iam::1:role/led-x"},
            True,
        ),
        (
            {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::1:role/cdk-*"]}},
            {"aws:PrincipalArn": "arn:aws:iam::1:role/cdk-x"},
            False,
        ),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": "true"}, True),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}, False),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, {}, True),
        ({"NumericLessThan": {"s3:TlsVersion": 1.2}}, {"s3:TlsVersion": "1.3"}, False),
        ({"NumericLessThan": {"s3:TlsVersion": 1.2}}, {"s3:TlsVersion": "1.0"}, True),
        ({"Null": {"aws:SourceArn": "true"}}, {}, True),
        ({"Null": {"aws:SourceArn": "false"}}, {}, False),
        ({"StringNotEqualsIfExists": {"aws:ResourceOrgID": "o-1"}}, {"aws:ResourceOrgID": "o-2"}, True),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a"]}, True),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "c"]}, False),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["c"]}}, {"aws:TagKeys": ["a", "c"]}, True),
    ],
)
def test_condition_operators(conditions, context, holds):
    assert condition_holds(conditions, context) is holds


def test_assume_role_chain_needs_identity_and_trust_at_every_hop():
    first = role("first", identity=[doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/second"))])
    second = role(
        "second",
        identity=[doc(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/third"))],
        trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}),
    )
    third = role(
        "third", B, identity=[doc(allow("secretsmanager:GetSecretValue"))], trust=trusting({"AWS": second.arn})
    )
    untrusting = role("untrusting", identity=[doc(allow("*"))], trust=trusting({"AWS": f"arn:aws:iam::{B}:root"}))
    inv = inventory(first, second, third, untrusting)
    paths = reachable(inv, [first.arn])
    assert [s.via for s in paths[third.arn]] == ["sts:AssumeRole second", "sts:AssumeRole third"]
    assert untrusting.arn not in paths
    # A trust that admits the account still needs the caller's identity allow.
    assert second.arn not in reachable(inventory(role("idle"), second), [f"arn:aws:iam::{A}:role/idle"])


def test_pass_role_to_a_new_function_and_new_code_in_an_existing_one():
    lambda_trust = trusting({"Service": "lambda.amazonaws.com"})
    powerful = role("powerful", identity=[doc(allow("secretsmanager:GetSecretValue"))], trust=lambda_trust)
    other = role("other", identity=[doc(allow("s3:*"))], trust=lambda_trust)
    function = f"arn:aws:lambda:eu-west-1:{A}:function:reader"
    passer = role(
        "passer",
        identity=[
            doc(
                allow(
                    "iam:PassRole",
                    powerful.arn,
                    Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
                ),
                allow("lambda:CreateFunction"),
            )
        ],
    )
    updater = role("updater", identity=[doc(allow("lambda:UpdateFunctionCode", function))])
    pass_only = role("pass-only", identity=[doc(allow("iam:PassRole", powerful.arn))])
    inv = inventory(powerful, other, passer, updater, pass_only, functions={function: other.arn})
    assert [s.via for s in reachable(inv, [passer.arn])[powerful.arn]] == ["iam:PassRole + lambda:CreateFunction"]
    assert [s.via for s in reachable(inv, [updater.arn])[other.arn]] == ["lambda:UpdateFunctionCode reader"]
    assert set(reachable(inv, [pass_only.arn])) == {pass_only.arn}


def test_a_change_set_with_a_passed_execution_role_gains_its_permissions():
    execution = role("exec", identity=[doc(allow("*"))], trust=trusting({"Service": "cloudformation.amazonaws.com"}))
    stack = f"arn:aws:cloudformation:eu-west-1:{A}:stack/led-prod-data/id"
    deployer = role(
        "deployer",
        identity=[doc(allow("iam:PassRole", execution.arn), allow("cloudformation:ExecuteChangeSet", stack))],
    )
    no_pass = role("no-pass", identity=[doc(allow("cloudformation:ExecuteChangeSet", stack))])
    inv = inventory(execution, deployer, no_pass, stacks={stack: A})
    assert [s.via for s in reachable(inv, [deployer.arn])[execution.arn]] == [
        "cloudformation:ExecuteChangeSet led-prod-data (iam:PassRole)"
    ]
    assert execution.arn not in reachable(inv, [no_pass.arn])


def test_resolver_derives_names_arns_imports_and_subs():
    producer = StackTemplate(
        "P",
        "led-x-data",
        "x/Data",
        A,
        "eu-west-1",
        "aws",
        {
            "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "led-x-db"}}},
            "Outputs": {
                "Id": {"Value": {"Fn::GetAtt": ["Db", "DbiResourceId"]}, "Export": {"Name": "led-x-data:DbId"}}
            },
        },
    )
    consumer = StackTemplate(
        "C",
        "led-x-access",
        "x/Access",
        A,
        "eu-west-1",
        "aws",
        {
            "Resources": {
                "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "led-x-role"}},
                "Gen": {"Type": "AWS::IAM::Role"},
            }
        },
    )
    resolver = Resolver([producer, consumer])
    assert resolver.value(consumer, {"Fn::GetAtt": ["Role", "Arn"]}) == f"arn:aws:iam::{A}:role/led-x-role"
    assert resolver.value(consumer, {"Fn::GetAtt": ["Gen", "Arn"]}) == f"arn:aws:iam::{A}:role/led-x-access-Gen"
    assert resolver.value(
        consumer,
        {
            "Fn::Sub": "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:*/${User}",
        },
    ).endswith("dbuser:*/${User}")
    assert (
        resolver.value(consumer, {"Fn::Sub": ["${Role.Arn}/${X}", {"X": "y"}]}) == f"arn:aws:iam::{A}:role/led-x-role/y"
    )
    joined = {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":rds-db:::dbuser:", {"Fn::ImportValue": "led-x-data:DbId"}, "/u"],
        ]
    }
    assert resolver.value(consumer, joined) == "arn:aws:rds-db:::dbuser:db-LEDXDB/u"


def test_the_bootstrap_model_is_one_separate_function():
    roles = {r.kind: r for r in bootstrap_roles("aws", A, "eu-west-1")}
    assert roles["cfn-exec"].arn == f"arn:aws:iam::{A}:role/cdk-hnb659fds-cfn-exec-role-{A}-eu-west-1"
    assert roles["cfn-exec"].boundary is None and roles["cfn-exec"].identity["Statement"][0]["Action"] == "*"
    assert roles["deploy"].trust["Statement"][0]["Principal"] == {"AWS": [f"arn:aws:iam::{A}:root"]}
    bounded = {r.kind: r for r in bootstrap_roles("aws", A, "eu-west-1", execution_boundary={"Statement": []})}
    assert bounded["cfn-exec"].boundary == {"Statement": []}
