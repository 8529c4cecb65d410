"""The IAM actions CloudFormation's handlers of a resource type call, from the resource provider
schemas cfn-lint ships: what the execution role must be allowed, and what its boundary must not deny."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from tools.bootstrap.model import BootstrapError

HANDLERS = ("create", "update", "delete", "read", "list")
# Types CloudFormation handles itself, with no service handler (the CDK's metadata resource).
NO_HANDLER_TYPES = ("AWS::CDK::Metadata",)
CUSTOM_PREFIXES = ("Custom::", "AWS::CloudFormation::CustomResource")


@cache
def _schema_index(region: str) -> tuple[Path, dict[str, str]]:
    import cfnlint.data.schemas as schemas

    base = Path(schemas.__file__).parent
    providers = base / "providers" / f"{region}.json"
    if not providers.exists():
        providers = base / "providers" / "us-east-1.json"
    return base / "resources", json.loads(providers.read_text())


def handler_permissions(resource_type: str, region: str, handlers: Iterable[str] = HANDLERS) -> set[str]:
    """The IAM actions CloudFormation's handlers of a resource type call (resource provider schema)."""
    directory, index = _schema_index(region)
    if resource_type not in index:
        raise BootstrapError(
            f"bootstrap: resource type {resource_type} has no provider schema for {region} in cfn-lint; "
            "cannot derive its deployment permissions (update cfn-lint or add the type's actions)"
        )
    return set(_schema_permissions(directory / f"{index[resource_type]}.json", tuple(handlers)))


@cache
def _schema_permissions(schema_file: Path, handlers: tuple[str, ...]) -> frozenset[str]:
    """Read once per run: the bootstrap model and the report ask for the same types again and again."""
    schema = json.loads(schema_file.read_text())
    actions: set[str] = set()
    for handler in handlers:
        actions.update(schema.get("handlers", {}).get(handler, {}).get("permissions", []))
    return frozenset(a for a in map(_normalise, actions) if is_iam_action(a))


def handler_actions(types: Iterable[str], region: str, handlers: Iterable[str] = HANDLERS) -> set[str]:
    """The handler actions of every type that has a service handler (custom resources call a Lambda)."""
    actions: set[str] = set()
    for t in sorted(types):
        if not is_custom(t) and t not in NO_HANDLER_TYPES:
            actions |= handler_permissions(t, region, handlers)
    return actions


@cache
def _iam_actions() -> dict[str, set[str]]:
    """The IAM actions of every service (lower case), as cfn-lint knows them (AWS's service reference)."""
    import cfnlint.data.AdditionalSpecs as specs

    data = json.loads((Path(specs.__file__).parent / "Policies.json").read_text())
    return {service: {a.lower() for a in spec.get("Actions", {})} for service, spec in data.items()}


def is_iam_action(action: str) -> bool:
    """Handler lists name some API operations that are no IAM action (s3:PutBucketReplication is
    authorised as s3:PutReplicationConfiguration), and some prefixes that are no IAM service
    (resolverquerylogging:, for the Route 53 Resolver query logging type): those are left out, the
    real one is listed too."""
    service, _, name = action.partition(":")
    known = _iam_actions().get(service)
    return known is not None and name.lower() in known


def _normalise(action: str) -> str:
    service, _, name = action.partition(":")
    return f"{service.lower()}:{name}"


def is_custom(resource_type: str) -> bool:
    return resource_type.startswith(CUSTOM_PREFIXES)
