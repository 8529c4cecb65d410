"""IAM Access Analyzer custom policy checks of the processor's roles (VTC-PROCESSOR, §14-15, §27, §34).

    python -m tools.access_checks cdk.out [--config led.toml] [--dry-run]

For every environment of the cloud assembly, writes a template holding only the roles of the
processor (tag led:party = the configured operator party) and the policies attached to them
(cdk.out/access-checks/<env>-processor.template.json), then runs, per forbidden access,
`cfn-policy-validator check-access-not-granted --template-path ... --region ... --actions ...
[--resources ...]` (IAM Access Analyzer's CheckAccessNotGranted: needs AWS credentials, so the
pull-request workflow runs it only when they are configured). Exit code 1 when any check fails.
--dry-run prints the commands without running them.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from config import OPERATOR_PARTY, bootstrap_role_arn, load_config
from contract.operator import DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS
from contract.tags import TAG_PARTY
from policies.rules.processor import DATABASE_LOGIN, KEY_USE, SECRET_READ, denied_in_contract
from policies.rules.processor_deploy import ASSUME

# The validator installed next to this Python (requirements-dev.txt), else the one on PATH.
_NEXT_TO_PYTHON = Path(sys.executable).parent / "cfn-policy-validator"
_VALIDATOR = str(_NEXT_TO_PYTHON) if _NEXT_TO_PYTHON.exists() else "cfn-policy-validator"


@dataclass(frozen=True)
class ForbiddenAccess:
    what: str
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()  # none: the action on any resource


def forbidden_accesses(partition: str, region: str, accounts: list[str]) -> list[ForbiddenAccess]:
    """What no processor role may be granted, the actions VTC-PROCESSOR(-DEPLOY) require denied; the
    account ids are those the environment deploys to."""
    deploy_roles = tuple(bootstrap_role_arn(partition, account, region, "deploy") for account in accounts)
    execute = denied_in_contract("cloudformation:ExecuteChangeSet", DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS)
    return [
        ForbiddenAccess("reading the database secret", (SECRET_READ,)),
        ForbiddenAccess("decrypting with the FB keys", (KEY_USE,)),
        ForbiddenAccess("logging in to the database", (DATABASE_LOGIN,)),
        ForbiddenAccess("assuming the CDK deployment roles", (ASSUME,), deploy_roles),
        ForbiddenAccess("executing CloudFormation change sets", (execute,)),
    ]


def _refs(value: object) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            return {value["Ref"]}
        return set().union(*(_refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


def processor_template(template: dict, operator: str = OPERATOR_PARTY) -> dict:
    """The processor's roles of one template and every policy attached to them; nothing else."""
    resources = template.get("Resources", {})
    roles = {
        lid
        for lid, r in resources.items()
        if r.get("Type") == "AWS::IAM::Role"
        and any(t.get("Key") == TAG_PARTY and t.get("Value") == operator for t in r["Properties"].get("Tags", []))
    }
    keep = dict.fromkeys(sorted(roles))
    for lid, r in resources.items():
        if r.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            if _refs(r.get("Properties", {}).get("Roles", [])) & roles:
                keep[lid] = None
    # The roles' own references to managed policies of the same template stay resolvable.
    out = {lid: resources[lid] for lid in keep}
    for lid in list(out):
        for ref in _refs(out[lid].get("Properties", {}).get("ManagedPolicyArns", [])):
            if ref in resources and ref not in out:
                out[ref] = resources[ref]
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": out}


def commands(outdir: Path, config_path: str | None = None) -> list[tuple[str, list[str]]]:
    """(description, command) of every check, after writing the processor templates."""
    config = load_config(config_path)
    checks_dir = outdir / "access-checks"
    checks_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for env in config.environments.values():
        assembly = outdir / f"assembly-{env.name}"
        if not assembly.is_dir():
            continue
        merged: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}
        for path in sorted(assembly.glob("*.template.json")):
            merged["Resources"].update(processor_template(json.loads(path.read_text()))["Resources"])
        if not merged["Resources"]:
            continue
        template = checks_dir / f"{env.name}-processor.template.json"
        template.write_text(json.dumps(merged, indent=1, sort_keys=True))
        accounts = sorted({env.accounts.workload, env.accounts.log_archive, env.accounts.backup})
        for forbidden in forbidden_accesses(env.partition, env.region, accounts):
            command = [
                _VALIDATOR,
                "check-access-not-granted",
                "--template-path",
                str(template),
                "--region",
                env.region,
                "--actions",
                ",".join(forbidden.actions),
            ]
            if forbidden.resources:
                command += ["--resources", ",".join(forbidden.resources)]
            out.append((f"{env.name}: the processor is not granted {forbidden.what}", command))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.access_checks", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="the cloud assembly (cdk.out)")
    parser.add_argument("--config", help="the config file synthesized (default: the embedded one)")
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    checks = commands(args.outdir, args.config)
    if not checks:
        print(f"access checks: no processor role in {args.outdir}", file=sys.stderr)
        return 1
    failed = 0
    for what, command in checks:
        print(f"== {what}\n$ {shlex.join(command)}", flush=True)
        if args.dry_run:
            continue
        done = subprocess.run(command, capture_output=True, text=True)
        print(done.stdout.strip() or done.stderr.strip())
        if done.returncode != 0:
            failed += 1
            print(f"FAILED: {what}", file=sys.stderr)
    if not args.dry_run:
        print(f"access checks: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
