"""The AWS session of one environment: right credentials, right account, right region, or one line.

Every subcommand that talks to AWS starts here. `sts:GetCallerIdentity` proves the credentials
belong to the environment's workload account before anything else is called; the region comes
from the configuration, and a session that points elsewhere is refused rather than silently
overridden (VTC-OUTSOURCING-2016: the data stays in the configured EU region).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import boto3
import botocore.exceptions
from botocore.config import Config

from config import EnvironmentConfig
from led_ops.errors import AwsAccessError

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})

# ClientError codes that mean "these credentials may not do this": exit code 3, not 4.
ACCESS_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "UnauthorizedOperation",
        "AuthFailure",
        "InvalidAccessKeyId",
        "MissingAuthenticationToken",
    }
)


@dataclass
class Context:
    """What a subcommand needs: the environment, a checked session, and where to write."""

    env: EnvironmentConfig
    session: boto3.Session
    account: str
    out: TextIO | None = None  # None: whatever sys.stdout / sys.stderr are when writing
    err: TextIO | None = None
    # Tests (and a future cross-account reader) can supply clients for (service, region) pairs.
    client_factory: Callable[[str, str], Any] | None = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.env.region)
        if key not in self._clients:
            if self.client_factory is not None:
                self._clients[key] = self.client_factory(*key)
            else:
                self._clients[key] = self.session.client(service, region_name=key[1], config=_RETRIES)
        return self._clients[key]

    def say(self, line: str) -> None:
        print(line, file=self.out or sys.stdout, flush=True)

    def progress(self, line: str) -> None:
        print(line, file=self.err or sys.stderr, flush=True)


def open_session(env: EnvironmentConfig, *, profile: str | None = None) -> boto3.Session:
    try:
        session = boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise AwsAccessError(f"AWS credentials: {exc}") from None
    if session.region_name is not None and session.region_name != env.region:
        raise AwsAccessError(
            f"wrong region: the AWS session points at {session.region_name}, environment {env.name!r} "
            f"runs in {env.region} (unset AWS_REGION/AWS_DEFAULT_REGION or use a profile for {env.region})"
        )
    return boto3.Session(profile_name=profile, region_name=env.region)


def check_account(
    session: boto3.Session, env: EnvironmentConfig, *, expected: str | None = None, role: str = "workload"
) -> str:
    """The caller's account, after proving it is the one the environment names."""
    expected = expected or env.accounts.workload
    try:
        identity = session.client("sts", config=_RETRIES).get_caller_identity()
    except botocore.exceptions.NoCredentialsError:
        raise AwsAccessError(
            "AWS credentials missing: set AWS_PROFILE (or --profile) to a profile for "
            f"account {expected}, or export temporary credentials"
        ) from None
    account = identity["Account"]
    if account != expected:
        raise AwsAccessError(
            f"wrong account: the credentials are for account {account} ({identity['Arn']}), environment "
            f"{env.name!r} needs its {role} account {expected}"
        )
    return account


def connect(
    env: EnvironmentConfig, *, profile: str | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> Context:
    session = open_session(env, profile=profile)
    account = check_account(session, env)
    return Context(env=env, session=session, account=account, out=out, err=err)


def assume(ctx: Context, role_arn: str, *, expected_account: str, role: str) -> boto3.Session:
    """A session for another account of the environment (e.g. the backup account's read role)."""
    creds = ctx.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="led-ops")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=ctx.env.region,
    )
    check_account(session, ctx.env, expected=expected_account, role=role)
    return session


def describe_client_error(exc: botocore.exceptions.ClientError) -> tuple[int, str]:
    """(exit code, one line) for an AWS API error."""
    error = exc.response.get("Error", {})
    code = error.get("Code", "Unknown")
    message = error.get("Message", "").strip().splitlines()[0] if error.get("Message") else ""
    operation = exc.operation_name
    if code in ACCESS_ERROR_CODES:
        return 3, f"AWS access denied in {operation}: {code}: {message}"
    return 4, f"AWS call {operation} failed: {code}: {message}"
