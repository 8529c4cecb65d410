"""FB's external key store and the KMS keys in it, as CloudFormation custom resources (VTC §45, §51).

CloudFormation cannot create an external key store or a KMS key in one, so this function does,
in the key custody account, idempotently on every Create and Update:

- ``Custom::LedExternalKeyStore``: finds the store by name or creates it (CustomKeyStoreType
  EXTERNAL_KEY_STORE, the proxy's endpoint or VPC endpoint service, path, and the proxy credential
  read from Secrets Manager), brings changed settings in line (disconnecting first only for the
  settings KMS changes only while disconnected), connects it and waits until it is CONNECTED; a
  FAILED connection is reported with KMS's ConnectionErrorCode and what it means.
- ``Custom::LedXksKey``: finds the key by its alias, else by its external key in that store (each
  external key backs at most one KMS key), else creates it (Origin EXTERNAL_KEY_STORE, XksKeyId);
  then sets the key policy synthesized by the stack, the description, the alias and the tags.

Delete never deletes: a key is the only way to read every backup under it, and a store holds
keys. Nothing is scheduled for deletion; FB retires a key or store by hand, deliberately.
The function answers CloudFormation itself (the pre-signed ResponseURL), without the CDK provider
framework, so that no further function and no environment variables are needed.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STORE_TYPE = "Custom::LedExternalKeyStore"
KEY_TYPE = "Custom::LedXksKey"
# KMS changes these only while the store is DISCONNECTED; the path and the credential it changes
# while connected (AWS KMS Developer Guide, "Edit external key store properties").
_NEEDS_DISCONNECT = ("XksProxyConnectivity", "XksProxyUriEndpoint", "XksProxyVpcEndpointServiceName")
_CONFIG_FIELDS = {
    "XksProxyConnectivity": "Connectivity",
    "XksProxyUriEndpoint": "UriEndpoint",
    "XksProxyUriPath": "UriPath",
    "XksProxyVpcEndpointServiceName": "VpcEndpointServiceName",
}
# What a FAILED connection means (CustomKeyStoresListEntry.ConnectionErrorCode, AWS KMS API Reference).
CONNECTION_ERRORS = {
    "INTERNAL_ERROR": "KMS could not complete the request; try connecting again",
    "INVALID_CREDENTIALS": "the proxy rejected the authentication credential: update the secret and the store",
    "NETWORK_ERRORS": "KMS could not reach the proxy (network, DNS, firewall, TLS)",
    "XKS_PROXY_ACCESS_DENIED": "the proxy's authorization refused KMS",
    "XKS_PROXY_INVALID_CONFIGURATION": "the proxy's configuration is invalid (e.g. the path)",
    "XKS_PROXY_INVALID_RESPONSE": "the proxy answered with something KMS cannot read",
    "XKS_PROXY_INVALID_TLS_CONFIGURATION": "the proxy's TLS certificate does not match the endpoint or is not trusted",
    "XKS_PROXY_NOT_REACHABLE": "KMS cannot reach the proxy at its endpoint",
    "XKS_PROXY_TIMED_OUT": "the proxy did not answer within KMS's timeout",
    "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION": "the VPC endpoint service is misconfigured",
    "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND": "KMS cannot find the VPC endpoint service",
    "USER_LOCKED_OUT": "CloudHSM only",
}


class XksError(RuntimeError):
    """A failure said in one line; CloudFormation shows it as the resource's status reason."""


@dataclass
class Waiting:
    """How long to wait for a connection (the function's timeout is 15 minutes)."""

    interval: float = 15.0
    timeout: float = 13 * 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


@dataclass
class Clients:
    kms: Any
    secrets: Callable[[str], Any]  # region -> Secrets Manager client
    waiting: Waiting = field(default_factory=Waiting)


# The store --------------------------------------------------------------------------------------


def _store_by_name(kms: Any, name: str) -> dict[str, Any] | None:
    try:
        stores = kms.describe_custom_key_stores(CustomKeyStoreName=name)["CustomKeyStores"]
    except kms.exceptions.CustomKeyStoreNotFoundException:
        return None
    return stores[0] if stores else None


def _store_by_id(kms: Any, store_id: str) -> dict[str, Any]:
    return kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]


def _credential(clients: Clients, secret_arn: str) -> dict[str, str]:
    region = secret_arn.split(":")[3]
    raw = clients.secrets(region).get_secret_value(SecretId=secret_arn)["SecretString"]
    try:
        value = json.loads(raw)
        return {"AccessKeyId": value["AccessKeyId"], "RawSecretAccessKey": value["RawSecretAccessKey"]}
    except (ValueError, KeyError, TypeError):
        raise XksError(
            f"secret {secret_arn}: not JSON with AccessKeyId and RawSecretAccessKey (the XKS proxy credential)"
        ) from None


def _proxy_settings(props: dict[str, Any]) -> dict[str, str]:
    settings = {k: props[k] for k in _CONFIG_FIELDS if props.get(k)}
    if props.get("XksProxyConnectivity") not in ("PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"):
        raise XksError(
            f"XksProxyConnectivity {props.get('XksProxyConnectivity')!r}: PUBLIC_ENDPOINT or VPC_ENDPOINT_SERVICE"
        )
    return settings


def wait_for_state(kms: Any, store_id: str, wanted: str, waiting: Waiting) -> dict[str, Any]:
    """Poll until the store reaches `wanted`; FAILED (or a deadline) says why, in one line."""
    deadline = waiting.clock() + waiting.timeout
    while True:
        store = _store_by_id(kms, store_id)
        state = store.get("ConnectionState")
        if state == wanted:
            return store
        if state == "FAILED":
            code = store.get("ConnectionErrorCode", "no ConnectionErrorCode")
            raise XksError(
                f"external key store {store_id} failed to connect: {code} "
                f"({CONNECTION_ERRORS.get(code, 'see the KMS API Reference, CustomKeyStoresListEntry')})"
            )
        if waiting.clock() >= deadline:
            raise XksError(
                f"external key store {store_id} still {state} after {waiting.timeout:.0f} s (wanted {wanted}); "
                "deploy again to keep waiting"
            )
        waiting.sleep(waiting.interval)


def ensure_store(clients: Clients, props: dict[str, Any], *, update: bool) -> dict[str, Any]:
    kms = clients.kms
    name = props["CustomKeyStoreName"]
    wanted = _proxy_settings(props)
    credential = _credential(clients, props["CredentialSecretArn"])
    store = _store_by_name(kms, name)
    if store is None:
        store_id = kms.create_custom_key_store(
            CustomKeyStoreName=name,
            CustomKeyStoreType="EXTERNAL_KEY_STORE",
            XksProxyAuthenticationCredential=credential,
            **wanted,
        )["CustomKeyStoreId"]
        store = _store_by_id(kms, store_id)
    else:
        store_id = store["CustomKeyStoreId"]
        if store.get("CustomKeyStoreType") != "EXTERNAL_KEY_STORE":
            raise XksError(
                f"custom key store {name} ({store_id}) is {store.get('CustomKeyStoreType')}, not an external key store"
            )
        current = store.get("XksProxyConfiguration", {})
        changed = {k: v for k, v in wanted.items() if current.get(_CONFIG_FIELDS[k]) != v}
        if update or changed or current.get("AccessKeyId") != credential["AccessKeyId"]:
            if any(k in changed for k in _NEEDS_DISCONNECT) and store.get("ConnectionState") != "DISCONNECTED":
                kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
                wait_for_state(kms, store_id, "DISCONNECTED", clients.waiting)
            kms.update_custom_key_store(
                CustomKeyStoreId=store_id, XksProxyAuthenticationCredential=credential, **changed
            )
            store = _store_by_id(kms, store_id)
    if store.get("ConnectionState") != "CONNECTED":
        if store.get("ConnectionState") != "CONNECTING":
            kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        wait_for_state(kms, store_id, "CONNECTED", clients.waiting)
    return {"PhysicalResourceId": store_id, "Data": {"CustomKeyStoreId": store_id}}


# The keys ---------------------------------------------------------------------------------------


def _key_by_alias(kms: Any, alias: str) -> dict[str, Any] | None:
    try:
        meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except kms.exceptions.NotFoundException:
        return None
    return meta


def _key_by_external_key(kms: Any, store_id: str, xks_key_id: str) -> dict[str, Any] | None:
    for page in kms.get_paginator("list_keys").paginate():
        for entry in page["Keys"]:
            meta = kms.describe_key(KeyId=entry["KeyId"])["KeyMetadata"]
            if (
                meta.get("CustomKeyStoreId") == store_id
                and meta.get("XksKeyConfiguration", {}).get("Id") == xks_key_id
                and meta.get("KeyState") != "PendingDeletion"
            ):
                return meta
    return None


def _check_key(meta: dict[str, Any], store_id: str, xks_key_id: str, alias: str) -> None:
    found = (meta.get("Origin"), meta.get("CustomKeyStoreId"), meta.get("XksKeyConfiguration", {}).get("Id"))
    if found != ("EXTERNAL_KEY_STORE", store_id, xks_key_id):
        raise XksError(
            f"{alias} names key {meta.get('Arn')} (origin {found[0]}, store {found[1]}, external key {found[2]}), "
            f"not a key of external key {xks_key_id} in store {store_id}: move or delete the alias deliberately"
        )
    if meta.get("KeyState") == "PendingDeletion":
        raise XksError(f"{alias} names key {meta.get('Arn')}, which is pending deletion: cancel the deletion first")


def ensure_key(clients: Clients, props: dict[str, Any]) -> dict[str, Any]:
    kms = clients.kms
    store_id, xks_key_id = props["CustomKeyStoreId"], props["XksKeyId"]
    alias = props["AliasName"]
    policy = props["KeyPolicy"] if isinstance(props["KeyPolicy"], str) else json.dumps(props["KeyPolicy"])
    tags = [{"TagKey": k, "TagValue": v} for k, v in sorted((props.get("Tags") or {}).items())]
    meta = _key_by_alias(kms, alias)
    if meta is not None and meta.get("XksKeyConfiguration", {}).get("Id") != xks_key_id and props.get("_replacing"):
        meta = None  # a new external key: a new KMS key; the alias moves to it below
    if meta is None:
        meta = _key_by_external_key(kms, store_id, xks_key_id)
    if meta is None:
        meta = kms.create_key(
            Description=props["Description"],
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Origin="EXTERNAL_KEY_STORE",
            CustomKeyStoreId=store_id,
            XksKeyId=xks_key_id,
            Policy=policy,
            Tags=tags,
        )["KeyMetadata"]
    else:
        _check_key(meta, store_id, xks_key_id, alias)
        kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=policy)
        if meta.get("Description") != props["Description"]:
            kms.update_key_description(KeyId=meta["KeyId"], Description=props["Description"])
        if tags:
            kms.tag_resource(KeyId=meta["KeyId"], Tags=tags)
    current = _key_by_alias(kms, alias)
    if current is None:
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    elif current["KeyId"] != meta["KeyId"]:
        kms.update_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    return {"PhysicalResourceId": meta["Arn"], "Data": {"Arn": meta["Arn"], "KeyId": meta["KeyId"]}}


# CloudFormation ---------------------------------------------------------------------------------


def handle(event: dict[str, Any], clients: Clients) -> dict[str, Any]:
    """The outcome of one CloudFormation request (raises XksError on failure)."""
    kind, request = event["ResourceType"], event["RequestType"]
    props = {k: v for k, v in event.get("ResourceProperties", {}).items() if k != "ServiceToken"}
    if request == "Delete":
        # Kept: a key is the only way to read what it encrypted; a store holds keys (see the docstring).
        return {"PhysicalResourceId": event["PhysicalResourceId"], "Data": {}}
    if kind == STORE_TYPE:
        return ensure_store(clients, props, update=request == "Update")
    if kind == KEY_TYPE:
        old = event.get("OldResourceProperties", {})
        props["_replacing"] = request == "Update" and old.get("XksKeyId") not in (None, props["XksKeyId"])
        return ensure_key(clients, props)
    raise XksError(f"unknown resource type {kind!r}; this function handles {STORE_TYPE} and {KEY_TYPE}")


def respond(event: dict[str, Any], status: str, outcome: dict[str, Any], reason: str = "") -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000] or "see the function's log",
            "PhysicalResourceId": outcome.get("PhysicalResourceId")
            or event.get("PhysicalResourceId")
            or event["LogicalResourceId"],
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": outcome.get("Data", {}),
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - CloudFormation's pre-signed https URL
        pass


def on_event(event: dict[str, Any], context: object) -> None:
    import boto3  # the Lambda runtime's; imported here so that the tests need none

    clients = Clients(
        kms=boto3.client("kms"), secrets=lambda region: boto3.client("secretsmanager", region_name=region)
    )
    try:
        outcome = handle(event, clients)
    except Exception as exc:  # every failure reaches CloudFormation, or the stack would hang for an hour
        print(f"FAILED {event.get('RequestType')} {event.get('LogicalResourceId')}: {exc}")
        respond(event, "FAILED", {}, f"{type(exc).__name__}: {exc}")
        return
    print(f"SUCCESS {event['RequestType']} {event['LogicalResourceId']}: {outcome['PhysicalResourceId']}")
    respond(event, "SUCCESS", outcome)
