"""Keys in FB's external key store (keys.origin = EXTERNAL_KEY_STORE): the custom resource's handler,
the config's refusals, the synthesized landing zone (every pack), the key rules, the guardrail.

moto (5.2) implements no custom key store API (CreateCustomKeyStore, ConnectCustomKeyStore,
DescribeCustomKeyStores, ...) and drops CustomKeyStoreId and XksKeyId from CreateKey, so the
handler is tested against botocore's Stubber with the recorded response shapes of the KMS API;
the proxy credential comes from moto's Secrets Manager.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import aws_cdk as cdk
import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from config import ConfigError, load_config
from config.xks import XKS_FACTS, xks_handler_role_name
from contract.metadata import METADATA_ROTATION_PERIOD
from functions.xks_keys import handler as xks
from led_ops.wait import Waiting
from tests.led_ops_aws import clear_aws_environment, fake_credentials

FIXTURE = Path(__file__).parent / "fixtures" / "xks.toml"
FAST = Waiting(interval=0.001, timeout=5)
FB = "111122223333"
REGION = "eu-west-1"
STORE_ID = "cks-1234567890abcdef0"
SECRET = f"arn:aws:secretsmanager:{REGION}:{FB}:secret:led/prod/xks-proxy-credential"
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "FbKeyAdministration", "Effect": "Allow"}]}
STORE_PROPS = {
    "CustomKeyStoreName": "led-prod-fb",
    "XksProxyConnectivity": "PUBLIC_ENDPOINT",
    "XksProxyUriEndpoint": "https://xks.led.fb.example.org",
    "XksProxyUriPath": "/kms/xks/v1",
    "CredentialSecretArn": SECRET,
}
KEY_PROPS = {
    "CustomKeyStoreId": STORE_ID,
    "XksKeyId": "led-prod-data-2026",
    "AliasName": "alias/led-prod-data",
    "Description": "LED prod: data key",
    "KeyPolicy": POLICY,
}
KEY_ARN = f"arn:aws:kms:{REGION}:{FB}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


# --- the handler (Stubber) --------------------------------------------------------------------


@pytest.fixture
def aws(monkeypatch, tmp_path):
    clear_aws_environment(monkeypatch, tmp_path)
    fake_credentials(monkeypatch)
    with mock_aws():
        secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="led/prod/xks-proxy-credential",
            SecretString=json.dumps({"AccessKeyId": "AKIAXKSPROXY00000001", "RawSecretAccessKey": "s" * 43}),
        )
        monkeypatch.setitem(STORE_PROPS, "CredentialSecretArn", secret["ARN"])
        yield


@pytest.fixture
def kms():
    client = boto3.client("kms", region_name=REGION)
    stub = Stubber(client)
    with stub:
        yield client, stub
    stub.assert_no_pending_responses()


def clients(kms_client, **waiting) -> xks.Clients:
    ticks = iter(range(10_000))
    return xks.Clients(
        kms=kms_client,
        secrets=lambda region: boto3.client("secretsmanager", region_name=region),
        waiting=xks.Waiting(
            interval=1, timeout=waiting.get("timeout", 5), sleep=lambda _: None, clock=lambda: next(ticks)
        ),
    )


def store(state: str, **proxy: str) -> dict:
    config = {
        "AccessKeyId": "AKIAXKSPROXY00000001",
        "Connectivity": "PUBLIC_ENDPOINT",
        "UriEndpoint": "https://xks.led.fb.example.org",
        "UriPath": "/kms/xks/v1",
        **proxy,
    }
    entry = {
        "CustomKeyStoreId": STORE_ID,
        "CustomKeyStoreName": "led-prod-fb",
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "ConnectionState": state,
        "XksProxyConfiguration": config,
    }
    if state == "FAILED":
        entry["ConnectionErrorCode"] = "XKS_PROXY_NOT_REACHABLE"
    return {"CustomKeyStores": [entry]}


def event(request: str, kind: str = xks.STORE_TYPE, props: dict | None = None, **extra) -> dict:
    return {
        "RequestType": request,
        "ResourceType": kind,
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:x",
            **(props or STORE_PROPS),
        },
        "LogicalResourceId": "ExternalKeyStore",
        "StackId": "arn:aws:cloudformation:eu-west-1:111122223333:stack/led-prod-key-custody/1",
        "RequestId": "r-1",
        "ResponseURL": "https://cloudformation-custom-resource-response.s3.amazonaws.com/x",
        **extra,
    }


def by_id(state: str, **proxy: str) -> tuple[str, dict, dict]:
    return ("describe_custom_key_stores", store(state, **proxy), {"CustomKeyStoreId": STORE_ID})


def expect(stub: Stubber, *calls: tuple[str, dict, dict | None]) -> None:
    for name, response, params in calls:
        stub.add_response(name, response, params)


def test_create_makes_the_store_connects_it_and_waits_until_connected(aws, kms):
    client, stub = kms
    c = clients(client)
    stub.add_client_error(
        "describe_custom_key_stores",
        "CustomKeyStoreNotFoundException",
        expected_params={"CustomKeyStoreName": "led-prod-fb"},
    )
    expect(
        stub,
        (
            "create_custom_key_store",
            {"CustomKeyStoreId": STORE_ID},
            {
                "CustomKeyStoreName": "led-prod-fb",
                "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
                "XksProxyConnectivity": "PUBLIC_ENDPOINT",
                "XksProxyUriEndpoint": "https://xks.led.fb.example.org",
                "XksProxyUriPath": "/kms/xks/v1",
                "XksProxyAuthenticationCredential": {
                    "AccessKeyId": "AKIAXKSPROXY00000001",
                    "RawSecretAccessKey": "s" * 43,
                },
            },
        ),
        by_id("DISCONNECTED"),
        ("connect_custom_key_store", {}, {"CustomKeyStoreId": STORE_ID}),
        by_id("CONNECTING"),
        by_id("CONNECTING"),
        by_id("CONNECTED"),
    )
    outcome = xks.handle(event("Create"), c)
    assert outcome == {"PhysicalResourceId": STORE_ID, "Data": {"CustomKeyStoreId": STORE_ID}}


def test_a_second_create_finds_the_connected_store_and_changes_nothing(aws, kms):
    client, stub = kms
    stub.add_response("describe_custom_key_stores", store("CONNECTED"), {"CustomKeyStoreName": "led-prod-fb"})
    assert xks.handle(event("Create"), clients(client))["PhysicalResourceId"] == STORE_ID


def test_update_of_the_endpoint_disconnects_updates_and_reconnects(aws, kms):
    client, stub = kms
    c = clients(client)
    props = {**STORE_PROPS, "XksProxyUriEndpoint": "https://xks2.led.fb.example.org"}
    expect(
        stub,
        ("describe_custom_key_stores", store("CONNECTED"), {"CustomKeyStoreName": "led-prod-fb"}),
        ("disconnect_custom_key_store", {}, {"CustomKeyStoreId": STORE_ID}),
        by_id("DISCONNECTING"),
        by_id("DISCONNECTED"),
        (
            "update_custom_key_store",
            {},
            {
                "CustomKeyStoreId": STORE_ID,
                "XksProxyUriEndpoint": "https://xks2.led.fb.example.org",
                "XksProxyAuthenticationCredential": ANY,
            },
        ),
        by_id("DISCONNECTED", UriEndpoint="https://xks2.led.fb.example.org"),
        ("connect_custom_key_store", {}, {"CustomKeyStoreId": STORE_ID}),
        by_id("CONNECTED", UriEndpoint="https://xks2.led.fb.example.org"),
    )
    assert xks.handle(event("Update", props=props), c)["PhysicalResourceId"] == STORE_ID


def test_a_failed_connection_says_which_error_and_what_it_means(aws, kms):
    client, stub = kms
    expect(
        stub,
        ("describe_custom_key_stores", store("DISCONNECTED"), {"CustomKeyStoreName": "led-prod-fb"}),
        ("connect_custom_key_store", {}, {"CustomKeyStoreId": STORE_ID}),
        by_id("FAILED"),
    )
    with pytest.raises(xks.XksError, match="failed to connect: XKS_PROXY_NOT_REACHABLE .KMS cannot reach the proxy"):
        xks.handle(event("Create"), clients(client))


def test_a_connection_that_takes_too_long_stops_with_the_state_it_is_in(aws, kms):
    client, stub = kms
    stub.add_response("describe_custom_key_stores", store("CONNECTING"), {"CustomKeyStoreName": "led-prod-fb"})
    for _ in range(2):
        stub.add_response(*by_id("CONNECTING"))
    with pytest.raises(xks.XksError, match="still CONNECTING after 2 s .wanted CONNECTED"):
        xks.handle(event("Create"), clients(client, timeout=2))


def meta(**extra) -> dict:
    """A DescribeKey answer; a field given as None is absent (as KMS leaves it out)."""
    found = {
        "KeyId": KEY_ARN.rsplit("/", 1)[1],
        "Arn": KEY_ARN,
        "Description": "LED prod: data key",
        "KeyState": "Enabled",
        "Origin": "EXTERNAL_KEY_STORE",
        "CustomKeyStoreId": STORE_ID,
        "XksKeyConfiguration": {"Id": "led-prod-data-2026"},
        **extra,
    }
    return {"KeyMetadata": {k: v for k, v in found.items() if v is not None}}


def test_key_create_makes_the_key_in_the_store_over_the_external_key(aws, kms):
    client, stub = kms
    stub.add_client_error("describe_key", "NotFoundException", expected_params={"KeyId": "alias/led-prod-data"})
    expect(
        stub,
        ("list_keys", {"Keys": [{"KeyId": "other", "KeyArn": "arn:aws:kms:eu-west-1:111122223333:key/other"}]}, {}),
        ("describe_key", meta(KeyId="other", CustomKeyStoreId=None, XksKeyConfiguration=None), {"KeyId": "other"}),
        (
            "create_key",
            meta(),
            {
                "Description": "LED prod: data key",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "Origin": "EXTERNAL_KEY_STORE",
                "CustomKeyStoreId": STORE_ID,
                "XksKeyId": "led-prod-data-2026",
                "Policy": json.dumps(POLICY),
                "Tags": [],
            },
        ),
    )
    stub.add_client_error("describe_key", "NotFoundException", expected_params={"KeyId": "alias/led-prod-data"})
    stub.add_response(
        "create_alias", {}, {"AliasName": "alias/led-prod-data", "TargetKeyId": meta()["KeyMetadata"]["KeyId"]}
    )
    outcome = xks.handle(event("Create", xks.KEY_TYPE, KEY_PROPS), clients(client))
    assert outcome["PhysicalResourceId"] == KEY_ARN and outcome["Data"]["Arn"] == KEY_ARN


def test_a_second_create_finds_the_key_by_its_alias_and_only_sets_its_policy(aws, kms):
    client, stub = kms
    key_id = meta()["KeyMetadata"]["KeyId"]
    expect(
        stub,
        ("describe_key", meta(), {"KeyId": "alias/led-prod-data"}),
        ("put_key_policy", {}, {"KeyId": key_id, "PolicyName": "default", "Policy": json.dumps(POLICY)}),
        ("describe_key", meta(), {"KeyId": "alias/led-prod-data"}),
    )
    assert xks.handle(event("Create", xks.KEY_TYPE, KEY_PROPS), clients(client))["PhysicalResourceId"] == KEY_ARN


def test_an_alias_on_another_key_is_not_taken_over(aws, kms):
    client, stub = kms
    stub.add_response(
        "describe_key",
        meta(Origin="AWS_KMS", CustomKeyStoreId=None, XksKeyConfiguration=None),
        {"KeyId": "alias/led-prod-data"},
    )
    with pytest.raises(xks.XksError, match="names key .*origin AWS_KMS.*move or delete the alias deliberately"):
        xks.handle(event("Create", xks.KEY_TYPE, KEY_PROPS), clients(client))


def test_delete_keeps_the_store_and_the_keys(aws, kms):
    client, _ = kms  # the Stubber refuses any call: Delete makes none
    for kind, props in ((xks.STORE_TYPE, STORE_PROPS), (xks.KEY_TYPE, KEY_PROPS)):
        outcome = xks.handle(event("Delete", kind, props, PhysicalResourceId=KEY_ARN), clients(client))
        assert outcome["PhysicalResourceId"] == KEY_ARN


def test_the_function_answers_cloudformation_with_the_one_line_reason(monkeypatch):
    sent = []

    class Answer(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(xks.urllib.request, "urlopen", lambda request, timeout: sent.append(request) or Answer())
    xks.respond(event("Create"), "FAILED", {}, "XksError: external key store cks-1 failed to connect")
    body = json.loads(sent[0].data)
    assert sent[0].method == "PUT" and body["Status"] == "FAILED"
    assert (
        body["Reason"].startswith("XksError: external key store") and body["PhysicalResourceId"] == "ExternalKeyStore"
    )


# --- config ---------------------------------------------------------------------------------


def xks_config(tmp_path: Path, *replacements: tuple[str, str]):
    text = FIXTURE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "led.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_example_config_is_valid(tmp_path):
    env = xks_config(tmp_path).environments["prod"]
    assert env.keys.origin == "EXTERNAL_KEY_STORE" and env.keys.external_key_store is not None


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        (
            [
                ('secondary_region = "eu-central-1"', 'secondary_region = "eu-south-2"'),
                ("arn:aws:kms:eu-central-1:", "arn:aws:kms:eu-south-2:"),
            ],
            "field 'backup.secondary_region': got 'eu-south-2' with keys.origin EXTERNAL_KEY_STORE; Europe .Spain.",
        ),
        (
            ("key/7234abcd-12ab-34cd-56ef-1234567890ab", "key/mrk-1234567890abcdef1234567890abcdef"),
            "field 'keys.data_key_arn': got .*mrk-.*multi-Region keys are not supported in an external key store",
        ),
        (
            (', secondary_backup = "led-prod-backup-fra-2026"', ""),
            "external_key_ids': no 'secondary_backup'",
        ),
        (
            ("vpce.eu-central-1.vpce-svc-0fedcba9876543210", "vpce.eu-west-1.vpce-svc-0fedcba9876543210"),
            "secondary_vpc_endpoint_service_name': got .*; allowed: an endpoint service in eu-central-1: the VPC "
            "endpoint service must be in the same account and Region",
        ),
        (
            ("secretsmanager:eu-west-1:111122223333", "secretsmanager:eu-west-1:444455556666"),
            "credential_secret_arn': in account 444455556666; allowed: a secret of the key custody account",
        ),
        (
            ('origin = "EXTERNAL_KEY_STORE"', 'origin = "AWS_KMS"'),
            "keys.external_key_store': set with keys.origin 'AWS_KMS'",
        ),
        (
            ('uri_path = "/led-prod/kms/xks/v1"', 'uri_path = "/led-prod/xks"'),
            "uri_path': got '/led-prod/xks'; allowed: a path that starts with / and ends with /kms/xks/v1",
        ),
        (
            ('origin = "EXTERNAL_KEY_STORE"', "imported_key_material = true"),
            "keys.imported_key_material': got True: the field is replaced; allowed: keys.origin = 'EXTERNAL'",
        ),
    ],
)
def test_the_config_refuses_what_aws_does_not_support_in_one_line(tmp_path, replacement, message):
    replacements = replacement if isinstance(replacement, list) else [replacement]
    with pytest.raises(ConfigError, match=message) as raised:
        xks_config(tmp_path, *replacements)
    assert "\n" not in str(raised.value) and "environment 'prod'" in str(raised.value)


def test_every_fact_names_its_aws_page():
    assert all(f.source.startswith("AWS KMS ") for f in XKS_FACTS)
    refused = {f.subject for f in XKS_FACTS if not f.supported}
    assert {
        "feature:multi-region",
        "feature:automatic-rotation",
        "feature:cloudformation",
        "region:eu-south-2",
    } <= refused


# --- the synthesized landing zone, every pack -------------------------------------------------


@pytest.fixture(scope="module")
def xks_out(tmp_path_factory) -> Path:
    """Where the XKS example is synthesized (once, by `synthesized`)."""
    return tmp_path_factory.mktemp("xks.out")


@pytest.fixture(scope="module")
def synthesized(xks_out):
    import app as led_app
    from tests.conftest import new_app

    config = load_config(FIXTURE)
    app = new_app(xks_out)
    stages = led_app.build(app, config, list(config.environments.values()))
    assembly = app.synth()  # fails on any pack's error (failSynthOnValidationErrors)
    stage = stages[0]

    def template(stack: str) -> dict:
        return assembly.get_stack_artifact(stage.node.find_child(stack).artifact_id).template

    return config.environments["prod"], template


def test_the_gate_passes_the_external_key_store_in_prod(synthesized, xks_out):
    """prod holds personal data: nothing of the store may need a never-acknowledge rule acknowledged
    (the handler has no log group, and its boundary is its grant), and every acknowledgement is registered."""
    from policies.gate import main as gate

    outdir = xks_out
    assert gate([str(outdir), "--config", str(FIXTURE), "--today", "2026-12-02"]) == 0
    key_custody = [t for t in outdir.glob("assembly-prod/prodKeyCustody*.template.json") if "Audit" not in t.name]
    for path in key_custody:
        resources = json.loads(path.read_text())["Resources"].values()
        assert not [r for r in resources if r["Type"] == "AWS::Logs::LogGroup"]
        roles = [r for r in resources if r["Type"] == "AWS::IAM::Role"]
        assert roles and all(r["Properties"].get("PermissionsBoundary") for r in roles)


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == kind}


def test_key_custody_has_the_custom_resource_and_no_cloudformation_key(synthesized):
    env, template = synthesized
    for stack, purposes in (("KeyCustody", 3), ("SecondaryKeyCustody", 1)):
        t = template(stack)
        assert not of_type(t, "AWS::KMS::Key") and not of_type(t, "AWS::KMS::Alias")
        assert len(of_type(t, "Custom::LedExternalKeyStore")) == 1
        keys = of_type(t, "Custom::LedXksKey")
        assert len(keys) == purposes
        for key in keys.values():
            assert key["DeletionPolicy"] == "Retain" and key["UpdateReplacePolicy"] == "Retain"
            assert key["Metadata"][METADATA_ROTATION_PERIOD] == env.keys.rotation_period_days
            assert key["Properties"]["XksKeyId"] in env.keys.external_key_store.external_key_ids.values()
    store = next(iter(of_type(template("KeyCustody"), "Custom::LedExternalKeyStore").values()))["Properties"]
    assert store["XksProxyConnectivity"] == "VPC_ENDPOINT_SERVICE"
    assert store["XksProxyVpcEndpointServiceName"].startswith("com.amazonaws.vpce.eu-west-1.")
    secondary = next(iter(of_type(template("SecondaryKeyCustody"), "Custom::LedExternalKeyStore").values()))
    assert secondary["Properties"]["XksProxyUriEndpoint"] == "https://xks-fra.led.fb.example.org"


def test_the_key_policy_is_the_other_origins_plus_the_handler_as_administration_path(synthesized):
    env, template = synthesized
    key = next(
        r for lid, r in of_type(template("KeyCustody"), "Custom::LedXksKey").items() if lid.startswith("DataKey")
    )
    statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    assert {"FbKeyAdministration", "WorkloadUseThroughDataServices", "DenyGrantsNotForAwsResources"} <= set(statements)
    admins = json.dumps(statements["FbKeyAdministration"]["Principal"])
    assert f"role/{env.keys.key_admin_role_name}" in admins
    assert f"role/{xks_handler_role_name('prod', REGION)}" in admins
    assert "kms:Decrypt" not in statements["FbKeyAdministration"]["Action"]


def test_the_handler_may_create_keys_only_in_the_external_key_store(synthesized):
    _, template = synthesized
    policies = of_type(template("KeyCustody"), "AWS::IAM::ManagedPolicy").values()
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    create = next(s for s in statements if s.get("Sid") == "CreateKeysInTheExternalKeyStoreOnly")
    assert create["Condition"] == {"StringEquals": {"kms:KeyOrigin": "EXTERNAL_KEY_STORE"}}
    function = next(iter(of_type(template("KeyCustody"), "AWS::Lambda::Function").values()))["Properties"]
    assert function["Timeout"] == 900 and "Environment" not in function


def test_the_workload_uses_the_keys_by_arn_as_for_the_other_origins(synthesized):
    env, template = synthesized
    database = next(iter(of_type(template("Data"), "AWS::RDS::DBInstance").values()))["Properties"]
    assert database["KmsKeyId"] == env.keys.data_key_arn


def test_the_compliance_report_lists_the_external_key_store_keys(synthesized, xks_out):
    from tools.report.inputs import read_assembly
    from tools.report.keys import collect_keys
    from tools.report.model import Context

    env, _ = synthesized
    stacks = [s for s in read_assembly(xks_out)["prod"] if s.display_name == "prod/KeyCustody"]
    assert [(s.stack_name, s.account, s.region) for s in stacks] == [("led-prod-key-custody", FB, REGION)]
    ctx = Context(inputs=None, env="prod", stacks=stacks, cfg=env, parts={})  # type: ignore[arg-type]
    keys = {k["alias"]: k for k in collect_keys(ctx)["keys"]}
    data = keys["alias/led-prod-data"]
    assert data["origin"] == "EXTERNAL_KEY_STORE" and data["purpose"] == "data"
    assert "re-encrypted to a new key" in data["rotation"] and data["deletion_policy"] == "Retain"
    assert any("FbKeyAdministration" == a["sid"] for a in data["administrators"])


# --- the key rules on the custom resource's keys ----------------------------------------------


def _key_stack(app: cdk.App, name: str, account: str, *, admin: str | None = None) -> cdk.Stack:
    from cdk_constructs.custody_key import CustodyKey
    from stacks.key_custody import _external_key_store

    env = load_config(FIXTURE).environments["prod"]
    stack = cdk.Stack(
        app, name, env=cdk.Environment(account=account, region=REGION), description="FB keys (VTC-KEY-CUSTODY)"
    )
    CustodyKey(
        stack,
        "DataKey",
        alias_name="led-prod-data",
        description="test",
        admin_principal_arns=[admin or f"arn:aws:iam::{FB}:role/led-fb-key-admin"],
        rotation_period_days=365,
        origin="EXTERNAL_KEY_STORE",
        external_key_store=_external_key_store(stack, env, REGION),
        purpose="data",
    )
    return stack


@pytest.fixture(scope="module")
def rule_stacks(tmp_path_factory):
    from tests.conftest import new_app

    app = new_app(tmp_path_factory.mktemp("xks-rules"))
    stacks = {
        "fb": _key_stack(app, "XksFb", FB),
        "workload": _key_stack(app, "XksWorkload", "444455556666"),
        "foreign_admin": _key_stack(app, "XksForeignAdmin", FB, admin="arn:aws:iam::444455556666:role/someone"),
    }
    app.synth()
    return stacks


def key_findings(stack: cdk.Stack) -> dict[str, set[str]]:
    """Rule -> the logical ids it flags (validate_scope reports acknowledged findings too)."""
    from policies import VtcChecks

    return {
        v.rule_name: {r.resource_logical_id for r in v.violating_resources}
        for v in VtcChecks().validate_scope(stack).violations
    }


def test_the_key_rules_accept_the_custom_resources_keys_in_the_key_custody_account(rule_stacks):
    found = key_findings(rule_stacks["fb"])
    flagged = {rule: ids for rule, ids in found.items() if any(i.startswith("DataKeyXks") for i in ids)}
    assert not flagged, flagged
    assert "VTC-LEAST-PRIVILEGE" not in found, found  # the handler's '*' actions are KMS's star-only ones


def test_the_key_rules_flag_a_custom_resource_key_elsewhere_or_administered_by_another(rule_stacks):
    def on_key(stack: str, rule: str) -> bool:
        return any(i.startswith("DataKeyXks") for i in key_findings(rule_stacks[stack]).get(rule, ()))

    assert on_key("workload", "VTC-KEY-CUSTODY")
    assert on_key("foreign_admin", "VTC-KEY-CUSTODY-ADMIN")
    assert not on_key("foreign_admin", "VTC-KEY-CUSTODY")


# --- the guardrail ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [None, FIXTURE])
def test_keys_are_created_only_in_key_custody_and_with_the_configured_origin(path):
    from policies.guardrails import data_guardrail

    config = load_config(path)
    guardrail = data_guardrail(config)
    statements = {s["Sid"]: s for s in guardrail.document["Statement"]}
    outside = statements["DenyKeysOutsideKeyCustody"]
    assert {"kms:CreateKey", "kms:CreateCustomKeyStore"} <= set(outside["Action"])
    assert outside["Condition"] == {"StringNotEquals": {"aws:PrincipalAccount": [FB]}}
    origins = {o for env in config.environments.values() for o in [env.keys.origin]}
    origin = statements["DenyKeysOfAnotherOrigin"]
    assert origin["Action"] == ["kms:CreateKey"]
    assert set(origin["Condition"]["StringNotEquals"]["kms:KeyOrigin"]) == origins
    assert len(guardrail.text()) <= 5120


# --- re-encryption follows the origin (moto) -----------------------------------------------------


@pytest.fixture
def xks_keys(monkeypatch, tmp_path):
    from tests.led_ops_aws import KEY_CUSTODY, as_account, create_database, create_fb_key

    clear_aws_environment(monkeypatch, tmp_path)
    fake_credentials(monkeypatch)
    with mock_aws():
        with as_account(KEY_CUSTODY):
            kms = boto3.client("kms", region_name=REGION)
            old, new = (
                kms.create_key(
                    Description=f"LED prod data {n}",
                    KeyUsage="ENCRYPT_DECRYPT",
                    KeySpec="SYMMETRIC_DEFAULT",
                    Origin="EXTERNAL_KEY_STORE",
                )["KeyMetadata"]["Arn"]
                for n in (1, 2)
            )
        create_database(old, env="prod")
        yield old, new, create_fb_key()


def test_reencrypt_refuses_a_new_key_of_another_origin(xks_keys):
    from led_ops import reencrypt
    from led_ops.errors import UsageError
    from tests.led_ops_aws import context

    _, _, standard = xks_keys
    ctx = context("prod", config=load_config(FIXTURE))
    with pytest.raises(UsageError, match="origin AWS_KMS, not keys.origin EXTERNAL_KEY_STORE"):
        reencrypt.run(ctx, new_key=standard, execute=False, waiting=FAST, plan_only=True, stamp="20261202010203")


def test_reencrypt_moves_the_data_to_a_key_over_a_new_external_key(xks_keys):
    from led_ops import reencrypt
    from tests.led_ops_aws import Backup, context

    _, new, _ = xks_keys
    with Backup() as backup:
        vault = f"led-prod-vault-{new.rsplit('/', 1)[-1][:8]}"
        backup.stub.add_client_error(
            "describe_backup_vault", "ResourceNotFoundException", expected_params={"BackupVaultName": vault}
        )
        backup.expect_vault("led-prod-vault", [])
        ctx = context("prod", backup=backup, config=load_config(FIXTURE))
        assert reencrypt.run(ctx, new_key=new, execute=False, waiting=FAST, plan_only=True, stamp="20261202010203") == 0
        backup.assert_done()
    out = ctx.out.getvalue()
    assert "origin EXTERNAL_KEY_STORE: KMS cannot rotate keys in FB's external key store" in out
    assert "copy led-prod-reencrypt-20261202010203 as led-prod-reencrypted-20261202010203 under the new key" in out
