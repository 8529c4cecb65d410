"""Keys in an AWS KMS external key store (XKS) backed by FB's key manager (VTC §45, §51).

With `keys.origin = "EXTERNAL_KEY_STORE"` every FB key is a KMS key whose key material stays in
the Facilitair Bedrijf's own key manager, reached through FB's XKS proxy: AWS cannot decrypt
without FB. CloudFormation cannot create external key stores or keys in them, so the key custody
stack creates them with a custom resource (cdk_constructs/xks_keys.py).

`XKS_FACTS` is the one table of what AWS documents about external key stores, with the page each
fact comes from; `origin_problem` refuses a configuration that AWS does not support, in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import field_validator, model_validator

from config.base import Strict, matching

Origin = Literal["AWS_KMS", "EXTERNAL", "EXTERNAL_KEY_STORE"]
KeyPurpose = Literal["data", "backup", "log", "secondary_backup"]
KEY_PURPOSES: tuple[KeyPurpose, ...] = ("data", "backup", "log", "secondary_backup")

# AWS KMS Developer Guide pages (docs.aws.amazon.com/kms/latest/developerguide/...).
_GUIDE_XKS = "AWS KMS Developer Guide, 'External key stores' (keystore-external)"
_GUIDE_MANAGE = "AWS KMS Developer Guide, 'Managing KMS keys in an external key store' (keystore-external-key-manage)"
_GUIDE_CREATE = "AWS KMS Developer Guide, 'Create an external key store' (create-xks-keystore)"
_API_ROTATION = "AWS KMS API Reference, 'EnableKeyRotation'"


@dataclass(frozen=True)
class Fact:
    subject: str
    supported: bool
    detail: str
    source: str


XKS_FACTS: tuple[Fact, ...] = (
    # The services the LED uses the FB keys with. The guide's rule: AWS services that integrate with
    # KMS and support customer managed (symmetric) keys use keys in an external key store; AWS lists
    # the exceptions on aws.amazon.com/kms/features ('AWS Service Integration'), which none of the
    # LED's services is known to be on. Re-check that list before the first production deployment.
    *(
        Fact(
            f"service:{service}", True, "customer managed symmetric keys; uses XKS keys like any KMS key", _GUIDE_MANAGE
        )
        for service in (
            "rds",  # database storage, snapshots, export to S3 (exit drill)
            "pi",  # Performance Insights (through RDS)
            "secretsmanager",  # the RDS-managed master secret
            "backup",  # vaults, cross-account and cross-region copies
            "s3",  # exit bucket, log archive
            "logs",  # CloudWatch Logs log groups
            "cloudtrail",  # the trails
            "sns",  # operations and alarm topics
            "firehose",  # the archive streams
            "lambda",  # function environments
        )
    ),
    Fact("feature:symmetric", True, "only symmetric encryption KMS keys (SYMMETRIC_DEFAULT)", _GUIDE_MANAGE),
    Fact("feature:asymmetric", False, "no asymmetric KMS keys or asymmetric data key pairs", _GUIDE_MANAGE),
    Fact("feature:hmac", False, "no HMAC KMS keys", _GUIDE_MANAGE),
    Fact("feature:multi-region", False, "multi-Region keys are not supported in an external key store", _GUIDE_MANAGE),
    Fact("feature:imported-material", False, "no keys with imported key material in a custom key store", _GUIDE_XKS),
    Fact(
        "feature:cloudformation",
        False,
        "AWS::KMS::Key cannot create an external key store or a key in one",
        _GUIDE_MANAGE,
    ),
    Fact("feature:automatic-rotation", False, "no automatic rotation of keys in a custom key store", _API_ROTATION),
    Fact(
        "feature:vpc-endpoint-service",
        True,
        "the VPC endpoint service must be in the same account and Region as the external key store",
        _GUIDE_CREATE,
    ),
    # Regions: every KMS Region except Asia Pacific (Hyderabad), China, Europe (Spain), Europe (Zurich),
    # Middle East (UAE) and GovCloud. The European Sovereign Cloud is not named either way: not assumed.
    *(
        Fact(f"region:{r}", True, "external key stores are supported", _GUIDE_XKS)
        for r in ("eu-west-1", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1")
    ),
    Fact("region:eu-south-2", False, "Europe (Spain) is one of the Regions without external key stores", _GUIDE_XKS),
    Fact(
        "region:eusc-de-east-1",
        False,
        "the European Sovereign Cloud is not documented to support external key stores",
        _GUIDE_XKS,
    ),
)
_FACTS = {f.subject: f for f in XKS_FACTS}

_ENDPOINT = re.compile(r"^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_PATH = re.compile(r"^/([A-Za-z0-9._~-]+/)*kms/xks/v1$")
_VPCE_SERVICE = re.compile(r"^com\.amazonaws\.vpce\.(?P<region>[a-z0-9-]+)\.vpce-svc-[0-9a-f]{17}$")
_SECRET_ARN = re.compile(
    r"^arn:(aws|aws-eusc):secretsmanager:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):secret:[A-Za-z0-9/_+=.@-]+$"
)
_XKS_KEY_ID = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")


class ExternalKeyStore(Strict):
    """FB's XKS proxy and its external keys: `[environments.<env>.keys.external_key_store]`."""

    connectivity: Literal["PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"]
    uri_endpoint: str  # https://<host>, no port (KMS uses 443), no path
    uri_path: str = "/kms/xks/v1"
    vpc_endpoint_service_name: str | None = None
    # The secondary region's key store (backup.secondary_region): a VPC endpoint service is regional.
    secondary_uri_endpoint: str | None = None
    secondary_vpc_endpoint_service_name: str | None = None
    # Secrets Manager secret in the key custody account: {"AccessKeyId": ..., "RawSecretAccessKey": ...}
    credential_secret_arn: str
    # FB's external key id (XksKeyId) per key purpose.
    external_key_ids: dict[KeyPurpose, str]

    @field_validator("uri_endpoint", "secondary_uri_endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return matching(value, _ENDPOINT, f"https://<DNS name> without port or path ({_GUIDE_CREATE})")

    @field_validator("uri_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return matching(value, _PATH, f"a path that starts with / and ends with /kms/xks/v1 ({_GUIDE_CREATE})")

    @field_validator("vpc_endpoint_service_name", "secondary_vpc_endpoint_service_name")
    @classmethod
    def _service(cls, value: str | None) -> str | None:
        return matching(
            value, _VPCE_SERVICE, "a VPC endpoint service name com.amazonaws.vpce.<region>.vpce-svc-<17 hex>"
        )

    @field_validator("credential_secret_arn")
    @classmethod
    def _secret(cls, value: str) -> str:
        return matching(
            value,
            _SECRET_ARN,
            "a Secrets Manager secret ARN arn:<partition>:secretsmanager:<region>:<account>:secret:<name>",
        )

    @field_validator("external_key_ids")
    @classmethod
    def _key_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for purpose, key_id in value.items():
            if not _XKS_KEY_ID.match(key_id):
                raise ValueError(
                    f"{purpose}: got {key_id!r}; allowed: 1-128 of a-zA-Z0-9-_. (the XksKeyId of FB's key manager)"
                )
        if len(set(value.values())) != len(value):
            raise ValueError(
                "got the same external key for two purposes; allowed: one external key per KMS key (create-xks-keys)"
            )
        return value

    @model_validator(mode="after")
    def _connectivity(self) -> ExternalKeyStore:
        vpc = self.connectivity == "VPC_ENDPOINT_SERVICE"
        if vpc != (self.vpc_endpoint_service_name is not None):
            raise ValueError(
                f"field 'keys.external_key_store.vpc_endpoint_service_name': {'missing' if vpc else 'set'} with "
                f"connectivity {self.connectivity}; allowed: a service name exactly with VPC_ENDPOINT_SERVICE"
            )
        return self


def xks_handler_role_name(environment: str, region: str) -> str:
    """The role of the XKS custom resource's function: it creates the keys and sets their policies,
    so it is an FB administration path of those keys (policies/settings.py recognises it)."""
    return f"{XKS_HANDLER_ROLE_PREFIX}{environment}-{region}"


XKS_HANDLER_ROLE_PREFIX = "led-xks-keys-"


def origin_problem(
    *,
    origin: Origin,
    store: ExternalKeyStore | None,
    region: str,
    secondary_region: str | None,
    key_custody_account: str,
    key_arns: dict[str, str | None],
) -> str | None:
    """Why AWS cannot hold this environment's keys with this origin (one line), or None."""
    if origin != "EXTERNAL_KEY_STORE":
        if store is not None:
            return (
                f"field 'keys.external_key_store': set with keys.origin {origin!r}; "
                "allowed: only with origin EXTERNAL_KEY_STORE"
            )
        return None
    if store is None:
        return (
            "field 'keys.external_key_store': missing; allowed: FB's XKS proxy and external key ids "
            "(required with origin EXTERNAL_KEY_STORE)"
        )
    for field, where in (("region", region), ("backup.secondary_region", secondary_region)):
        fact = _FACTS.get(f"region:{where}") if where else None
        if where and (fact is None or not fact.supported):
            why = fact.detail if fact else "not listed as supported"
            return f"field '{field}': got {where!r} with keys.origin EXTERNAL_KEY_STORE; {why} ({_GUIDE_XKS})"
    needed = [p for p in KEY_PURPOSES if p != "secondary_backup" or secondary_region]
    missing = [p for p in needed if p not in store.external_key_ids]
    if missing:
        return (
            f"field 'keys.external_key_store.external_key_ids': no {missing[0]!r}; "
            f"allowed: an external key id for each of {', '.join(needed)}"
        )
    for purpose, arn in key_arns.items():
        if arn is not None and ":key/mrk-" in arn:
            fact = _FACTS["feature:multi-region"]
            return f"field 'keys.{purpose}': got {arn!r}, a multi-Region key; {fact.detail} ({fact.source})"
    secret = _SECRET_ARN.match(store.credential_secret_arn)
    assert secret is not None  # the field validator refused other shapes
    if secret["account"] != key_custody_account:
        return (
            f"field 'keys.external_key_store.credential_secret_arn': in account {secret['account']}; allowed: a secret "
            f"of the key custody account {key_custody_account} (only FB holds the proxy credential, VTC §51)"
        )
    return _vpc_problem(store, region, secondary_region)


def _vpc_problem(store: ExternalKeyStore, region: str, secondary_region: str | None) -> str | None:
    if store.connectivity != "VPC_ENDPOINT_SERVICE":
        return None
    fact = _FACTS["feature:vpc-endpoint-service"]
    for field, name, where in (
        ("vpc_endpoint_service_name", store.vpc_endpoint_service_name, region),
        ("secondary_vpc_endpoint_service_name", store.secondary_vpc_endpoint_service_name, secondary_region),
    ):
        if where is None:
            continue
        match = _VPCE_SERVICE.match(name or "")
        if match is None or match["region"] != where:
            got = f"got {name!r}" if name else "missing"
            return (
                f"field 'keys.external_key_store.{field}': {got}; allowed: an endpoint service in {where}: "
                f"{fact.detail} ({fact.source})"
            )
    return None
