"""Where the logs of one environment go and who can read them; the network; the personal-data
stores. All from the templates."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from contract.tags import PERSONAL_DATA, PERSONAL_DATA_EXPORT, TAG_CLASSIFICATION
from tools.report.inputs import Stack, as_list, tags_of, text
from tools.report.keys import conditions_text, key_label
from tools.report.model import Context

_LOG_READ = re.compile(
    r"^(logs:(\*|Get.*|FilterLogEvents|StartQuery|Describe.*)|s3:(\*|GetObject.*)|"
    r"cloudtrail:LookupEvents)$"
)
PERSONAL = (PERSONAL_DATA, PERSONAL_DATA_EXPORT)


def _store(kind: str, stack: Stack, lid: str, name: Any, key: str, **more: Any) -> dict[str, Any]:
    """One place logs are kept: what every kind of store says, then what only its kind has."""
    return {
        "kind": kind,
        "stack": stack.stack_name,
        "logical_id": lid,
        "name": text(name),
        "account": stack.account,
        "region": stack.region,
        "key": key,
        **more,
    }


def _log_groups(ctx: Context, stack: Stack) -> Iterator[dict[str, Any]]:
    for lid, resource in stack.of_type("AWS::Logs::LogGroup").items():
        props = resource.get("Properties", {})
        yield _store(
            "CloudWatch Logs log group",
            stack,
            lid,
            props.get("LogGroupName", f"(generated: {stack.paths.get(lid, lid)})"),
            key_label(ctx.cfg, props.get("KmsKeyId")) if props.get("KmsKeyId") else "none",
            retention_days=props.get("RetentionInDays"),
        )


def _log_buckets(stack: Stack) -> Iterator[dict[str, Any]]:
    for lid, resource in stack.of_type("AWS::S3::Bucket").items():
        props = resource.get("Properties", {})
        if "ObjectLockConfiguration" not in props and "log" not in lid.lower():
            continue
        encryption = (props.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or [{}]
        yield _store(
            "S3 log archive bucket",
            stack,
            lid,
            props.get("BucketName", stack.paths.get(lid, lid)),
            text(encryption[0]),
            object_lock=text(props.get("ObjectLockConfiguration", "none")),
        )


def _trails(stack: Stack) -> Iterator[dict[str, Any]]:
    for lid, resource in stack.of_type("AWS::CloudTrail::Trail").items():
        props = resource.get("Properties", {})
        yield _store(
            "CloudTrail trail",
            stack,
            lid,
            props.get("TrailName", lid),
            text(props.get("KMSKeyId", "none")),
            destination=text(props.get("S3BucketName", "")),
        )


def _policy_readers(stack: Stack) -> Iterator[dict[str, Any]]:
    """The roles and policies of a stack granted log read actions."""
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role"):
        for lid, resource in stack.of_type(kind).items():
            # The boundary's allow-all ceiling grants nothing (see cdk_constructs/boundary.py).
            if "PermissionsBoundary" in stack.paths.get(lid, ""):
                continue
            props = resource.get("Properties", {})
            documents = [props.get("PolicyDocument")] + [p.get("PolicyDocument") for p in props.get("Policies", [])]
            statements = [s for d in filter(None, documents) for s in as_list(d.get("Statement"))]
            for statement in statements:
                actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
                reads = [a for a in actions if _LOG_READ.match(a)]
                if statement.get("Effect") == "Allow" and reads:
                    yield {
                        "who": f"{stack.stack_name}/{lid} (account {stack.account})",
                        "how": ", ".join(reads),
                        "condition": conditions_text(statement),
                    }


def _log_readers(ctx: Context, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who can read the logs: the accounts holding them, who may decrypt with the log key, and the
    roles in these templates that are granted log read actions."""
    readers = [
        {
            "who": ", ".join(use["principals"]),
            "how": f"decrypt with the log key ({use['sid']})",
            "condition": use["conditions"],
        }
        for key in keys
        if key.get("purpose") == "log" or "log key" in key["description"]
        for use in key["users"]
    ]
    readers += [r for stack in ctx.stacks for r in _policy_readers(stack)]
    if ctx.cfg is not None:
        archive = ctx.cfg.accounts.log_archive
        readers.append(
            {
                "who": f"log archive account {archive} (AHOVOKS)",
                "how": "owns the log archive (VTC-LOGS-DIRECT, §27)",
                "condition": ""
                if any(s.account == archive for s in ctx.stacks)
                else "no stack of this synthesis is deployed to it yet",
            }
        )
    return readers


def collect_logs(ctx: Context) -> dict[str, Any]:
    stores = [
        store for stack in ctx.stacks for store in [*_log_groups(ctx, stack), *_log_buckets(stack), *_trails(stack)]
    ]
    return {"log_stores": stores, "log_readers": _log_readers(ctx, ctx.parts.get("keys", []))}


def _tiers(stack: Stack, vpc_id: str) -> dict[str, list[dict[str, str]]]:
    tiers: dict[str, list[dict[str, str]]] = defaultdict(list)
    for subnet in stack.of_type("AWS::EC2::Subnet").values():
        props = subnet["Properties"]
        if text(props.get("VpcId")) != f"${{{vpc_id}}}":
            continue
        tags = tags_of(subnet)
        tiers[tags.get("aws-cdk:subnet-name", "?")].append(
            {
                "cidr": text(props.get("CidrBlock")),
                "az": text(props.get("AvailabilityZone")),
                "type": tags.get("aws-cdk:subnet-type", ""),
            }
        )
    return dict(tiers)


def collect_network(ctx: Context) -> dict[str, Any]:
    vpcs = [
        {
            "stack": stack.stack_name,
            "logical_id": lid,
            "account": stack.account,
            "region": stack.region,
            "cidr": text(vpc["Properties"].get("CidrBlock")),
            "tiers": _tiers(stack, lid),
            "endpoints": [
                text(e["Properties"].get("ServiceName")).split(".")[-1]
                for e in stack.of_type("AWS::EC2::VPCEndpoint").values()
            ],
            "internet_gateway": bool(stack.of_type("AWS::EC2::InternetGateway")),
            "nat_gateway": bool(stack.of_type("AWS::EC2::NatGateway")),
            "flow_logs": len(stack.of_type("AWS::EC2::FlowLog")),
        }
        for stack in ctx.stacks
        for lid, vpc in stack.of_type("AWS::EC2::VPC").items()
    ]
    return {"network": {"vpcs": vpcs}}


def collect_personal_data(ctx: Context) -> dict[str, Any]:
    return {
        "personal_data_stores": [
            {"stack": s.stack_name, "logical_id": lid, "type": r["Type"], "path": s.paths.get(lid, "")}
            for s in ctx.stacks
            for lid, r in s.resources.items()
            if tags_of(r).get(TAG_CLASSIFICATION) in PERSONAL
        ]
    }
