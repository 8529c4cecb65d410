"""The synthesized templates of one environment, read from the cloud assembly, and their
CloudFormation intrinsics resolved with the stage's account, region and partition.

A resource's name or ARN is derived the way CloudFormation derives it where the template says so
(a Role's Arn is arn:<partition>:iam::<account>:role/<RoleName>); names CloudFormation generates
are shown as `<stack name>-<logical id>` (stable, recognisable, never a real name). The RDS-managed
master secret's ARN ends in `rds!db-<instance identifier>` (the real one has a generated id).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config import partition_of
from contract.artefacts import MANIFEST_FILE
from policies.intrinsics import Knowledge, Renderer, Unknown, pseudo_parameter
from policies.synthesis import AssemblySource, assembly_of, directory_of


@dataclass(frozen=True)
class StackTemplate:
    artifact_id: str
    stack_name: str
    display_name: str
    account: str
    region: str
    partition: str
    template: dict
    deploy_role_arn: str | None = None
    execution_role_arn: str | None = None

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.get("Resources", {})


def stage_templates(source: AssemblySource, env_name: str) -> list[StackTemplate]:
    """Every stack of the stage `env_name` (the nested assembly `assembly-<env>`), with the
    account and region of its manifest and the bootstrap roles it deploys with."""
    root = directory_of(source)
    directory = root / f"assembly-{env_name}"
    if not (directory / MANIFEST_FILE).is_file():
        raise FileNotFoundError(f"{root}: no stage '{env_name}' (no {directory.name}/{MANIFEST_FILE})")
    found = []
    for stack in assembly_of(source).stacks:
        if stack.directory != directory:
            continue
        account, region = stack.account_text, stack.region_text
        partition = partition_of(region)

        def role(value: str | None, partition=partition) -> str | None:
            return value.replace("${AWS::Partition}", partition) if value else None

        found.append(
            StackTemplate(
                artifact_id=stack.artifact_id,
                stack_name=stack.stack_name,
                display_name=stack.display_name,
                account=account,
                region=region,
                partition=partition,
                template=stack.template,
                deploy_role_arn=role(stack.properties.get("assumeRoleArn")),
                execution_role_arn=role(stack.properties.get("cloudFormationExecutionRoleArn")),
            )
        )
    return found


KeyArns = Callable[[StackTemplate, str], str | None]

_NAME_PROPERTY = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::Backup::LogicallyAirGappedBackupVault": "BackupVaultName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::CloudTrail::Trail": "TrailName",
    "AWS::Backup::BackupPlan": None,
}


@dataclass
class Resolver:
    """Resolves intrinsics in the templates of one stage; `exports` are the stage's Outputs with an
    Export name (Fn::ImportValue), `key_arns` gives the ARN of a KMS key the config knows."""

    stacks: list[StackTemplate]
    key_arns: KeyArns | None = None
    exports: dict[str, tuple[StackTemplate, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._renderer = Renderer(_StageKnowledge(self))
        for stack in self.stacks:
            for output in stack.template.get("Outputs", {}).values():
                name = output.get("Export", {}).get("Name")
                if isinstance(name, str):
                    self.exports[name] = (stack, output.get("Value"))

    # Names and ARNs -------------------------------------------------------------------------

    def name(self, stack: StackTemplate, logical_id: str) -> str:
        resource = stack.resources.get(logical_id, {})
        prop = _NAME_PROPERTY.get(resource.get("Type", ""))
        given = resource.get("Properties", {}).get(prop) if prop else None
        if given is not None:
            return str(self.value(stack, given))
        generated = f"{stack.stack_name}-{logical_id}"
        return generated.lower() if resource.get("Type") == "AWS::S3::Bucket" else generated

    def arn(self, stack: StackTemplate, logical_id: str) -> str:
        """The ARN CloudFormation gives the resource (Fn::GetAtt Arn / Ref where that is the ARN)."""
        resource = stack.resources.get(logical_id, {})
        kind = resource.get("Type", "")
        p, r, a = stack.partition, stack.region, stack.account
        name = self.name(stack, logical_id)
        builders = {
            "AWS::IAM::Role": lambda: f"arn:{p}:iam::{a}:role{resource.get('Properties', {}).get('Path', '/')}{name}",
            "AWS::IAM::ManagedPolicy": lambda: f"arn:{p}:iam::{a}:policy/{name}",
            "AWS::S3::Bucket": lambda: f"arn:{p}:s3:::{name}",
            "AWS::SNS::Topic": lambda: f"arn:{p}:sns:{r}:{a}:{name}",
            "AWS::Lambda::Function": lambda: f"arn:{p}:lambda:{r}:{a}:function:{name}",
            "AWS::Backup::BackupVault": lambda: f"arn:{p}:backup:{r}:{a}:backup-vault:{name}",
            "AWS::Backup::LogicallyAirGappedBackupVault": lambda: f"arn:{p}:backup:{r}:{a}:backup-vault:{name}",
            "AWS::Backup::BackupPlan": lambda: f"arn:{p}:backup:{r}:{a}:backup-plan:{name}",
            "AWS::Logs::LogGroup": lambda: f"arn:{p}:logs:{r}:{a}:log-group:{name}:*",
            "AWS::RDS::DBInstance": lambda: f"arn:{p}:rds:{r}:{a}:db:{name}",
            "AWS::CloudTrail::Trail": lambda: f"arn:{p}:cloudtrail:{r}:{a}:trail/{name}",
            "AWS::SecretsManager::Secret": lambda: f"arn:{p}:secretsmanager:{r}:{a}:secret:{name}",
            "AWS::KMS::Key": lambda: self._key_arn(stack, logical_id),
        }
        builder = builders.get(kind)
        return builder() if builder else "${" + logical_id + ".Arn}"

    def _key_arn(self, stack: StackTemplate, logical_id: str) -> str:
        known = self.key_arns(stack, logical_id) if self.key_arns else None
        return known or f"arn:{stack.partition}:kms:{stack.region}:{stack.account}:key/{stack.stack_name}-{logical_id}"

    def known_ref(self, stack: StackTemplate, name: str) -> str | None:
        """What Ref gives for a resource whose name or ARN is derived (None: not derived)."""
        kind = stack.resources.get(name, {}).get("Type")
        if kind in ("AWS::SNS::Topic", "AWS::IAM::ManagedPolicy"):
            return self.arn(stack, name)
        if kind == "AWS::KMS::Key":
            return self._key_arn(stack, name).rsplit("/", 1)[-1]
        if kind in _NAME_PROPERTY:
            return self.name(stack, name)
        return None

    def known_attribute(self, stack: StackTemplate, logical_id: str, attribute: str) -> str | None:
        """What Fn::GetAtt gives where it is derived (None: not derived)."""
        resource = stack.resources.get(logical_id, {})
        if attribute in ("Arn", "BackupVaultArn", "BackupPlanArn") or (
            attribute == "TopicArn" and resource.get("Type") == "AWS::SNS::Topic"
        ):
            return self.arn(stack, logical_id)
        if resource.get("Type") == "AWS::RDS::DBInstance":
            identifier = self.name(stack, logical_id)
            if attribute == "MasterUserSecret.SecretArn":
                return f"arn:{stack.partition}:secretsmanager:{stack.region}:{stack.account}:secret:rds!db-{identifier}"
            if attribute == "DbiResourceId":
                return "db-" + re.sub(r"[^A-Z0-9]", "", identifier.upper())
        return None

    def attribute(self, stack: StackTemplate, logical_id: str, attribute: str) -> str:
        known = self.known_attribute(stack, logical_id, attribute)
        return known if known is not None else "${" + f"{logical_id}.{attribute}" + "}"

    # Values -----------------------------------------------------------------------------------

    def value(self, stack: StackTemplate, value):
        """The value with every intrinsic the stage can resolve resolved."""
        return self._renderer.resolve(value, stack)[0]


class _StageKnowledge(Knowledge[StackTemplate]):
    """What the access model knows of a stage: its environment, the names and ARNs the resolver
    derives, its exports. Policy documents keep their shape; what stays unknown is symbolic
    (`${Ref}`, `${Logical.Attr}`, `${import:name}`), as the evaluator expects."""

    structured = True

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def pseudo(self, stack: StackTemplate, name: str) -> str | None:
        return pseudo_parameter(name, account=stack.account, region=stack.region, stack_name=stack.stack_name)

    def ref(self, stack: StackTemplate, name: str) -> str | None:
        return self.resolver.known_ref(stack, name)

    def attribute(self, stack: StackTemplate, logical_id: str, attribute: str) -> str | None:
        return self.resolver.known_attribute(stack, logical_id, attribute)

    def export(self, stack: StackTemplate, name: str) -> tuple[Any, StackTemplate] | None:
        exported = self.resolver.exports.get(name)
        return (exported[1], exported[0]) if exported else None

    def unknown(self, part: Unknown) -> str:
        if part.kind == "import":
            return "${import:" + part.name + "}"
        return "${" + (part.name or "?") + "}"


__all__ = ["KeyArns", "Resolver", "StackTemplate", "stage_templates"]
