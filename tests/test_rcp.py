"""The data perimeter RCPs (policies/rcp.py, issue #13): valid, within the Organizations quotas,
current as reviewable JSON, denying what they claim and leaving alone what the landing zone needs
(evaluated with policies.access.evaluator), and their one-line errors."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from config import ConfigError, LandingZoneConfig, load_config
from policies.access.evaluator import matching
from policies.guardrail_base import POLICIES_PER_TARGET, RCP_MAX_CHARS, PolicyTooLarge
from policies.guardrails import guardrails, main, member_accounts
from policies.rcp import RCP_DIRECTORY, rcps
from stacks.organization import OrganizationStack

CONFIG = load_config()
DOCS = {r.name: r for r in rcps(CONFIG)}
ORG = "o-exampleorgid"
OUTSIDER = "998877665544"
WORKLOAD, LOG_ARCHIVE, KEY_CUSTODY = "444455556666", "777788889999", "111122223333"
ARCHIVE = f"arn:aws:s3:::led-prod-log-archive-{LOG_ARCHIVE}-eu-west-1"
PROD_EXIT = f"arn:aws:s3:::led-prod-exit-{WORKLOAD}-eu-west-1"
SECRET = f"arn:aws:secretsmanager:eu-west-1:{WORKLOAD}:secret:rds!db-1234-AbCdEf"
KEY = f"arn:aws:kms:eu-west-1:{WORKLOAD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{WORKLOAD}:role/led-prod-platform-operator"


def principal(arn: str, *, org: bool = False, tls: bool = True) -> dict:
    context = {
        "aws:PrincipalArn": arn,
        "aws:PrincipalAccount": arn.split(":")[4],
        "aws:PrincipalIsAWSService": "false",
        "aws:SecureTransport": str(tls).lower(),
        "s3:TlsVersion": "1.3",
    }
    return {**context, "aws:PrincipalOrgID": ORG} if org else context


def service(source_account: str | None, source_org: str | None = None) -> dict:
    context = {"aws:PrincipalIsAWSService": "true", "aws:SecureTransport": "true"}
    if source_account:
        context["aws:SourceAccount"] = source_account
    if source_org:
        context["aws:SourceOrgID"] = source_org
    return context


def denied_by(action: str, resource: str, context: dict) -> list[str]:
    documents = [r.document for r in DOCS.values()]
    return [s["Sid"] for s in matching(documents, "Deny", action, resource, context)]


# --- the documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DOCS))
def test_each_rcp_is_valid_deny_only_and_within_the_rcp_limit(name):
    policy = DOCS[name]
    parsed = json.loads(policy.text())
    assert parsed["Version"] == "2012-10-17"
    assert len(policy.text()) <= RCP_MAX_CHARS
    assert len(policy.reviewable()) <= RCP_MAX_CHARS  # even the indented form pastes into the console
    # RCPs: Deny only (Allow is RCPFullAWSAccess's), Principal "*" (no NotPrincipal), unique Sids.
    assert all(s["Effect"] == "Deny" and s["Principal"] == "*" for s in parsed["Statement"])
    assert len({s["Sid"] for s in parsed["Statement"]}) == len(parsed["Statement"])


def test_rcps_and_scps_each_leave_room_in_the_five_per_target_quota():
    # Five RCPs per target, RCPFullAWSAccess included (and five SCPs, FullAWSAccess included).
    assert POLICIES_PER_TARGET == 5
    assert len(DOCS) <= POLICIES_PER_TARGET - 1 and len(guardrails(CONFIG)) <= POLICIES_PER_TARGET - 1
    assert set(DOCS) == {"led-perimeter-principals", "led-perimeter-requests"}


def test_reviewable_files_are_current():
    for policy in DOCS.values():
        path = RCP_DIRECTORY / f"{policy.name}.json"
        assert path.read_text(encoding="utf-8") == policy.reviewable(), (
            f"{path} is stale: run `python -m policies.guardrails`"
        )
    assert {p.stem for p in RCP_DIRECTORY.glob("*.json")} == set(DOCS)


def test_every_reviewable_file_is_under_the_limit():
    # What reviewers read is what the organisation stack attaches: each file, compacted, fits.
    for path in RCP_DIRECTORY.glob("*.json"):
        compact = json.dumps(json.loads(path.read_text(encoding="utf-8")), separators=(",", ":"))
        assert len(compact) <= RCP_MAX_CHARS, f"{path.name}: {len(compact)} characters"


# --- what they deny ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", f"{ARCHIVE}/AWSLogs/x.json.gz"),
        ("s3:GetObject", f"{PROD_EXIT}/exit-drill/part-0.parquet"),
        ("secretsmanager:GetSecretValue", SECRET),
        ("kms:Decrypt", KEY),
        ("sts:AssumeRole", ROLE),
    ],
)
def test_a_principal_outside_the_organisation_is_denied(action, resource):
    assert denied_by(action, resource, principal(f"arn:aws:iam::{OUTSIDER}:role/theirs"))


def test_principals_of_the_organisation_are_not_denied():
    inside = principal(f"arn:aws:iam::{WORKLOAD}:role/led-prod-app-runtime", org=True)
    for action, resource in (
        ("s3:GetObject", f"{ARCHIVE}/x"),
        ("s3:PutObject", f"{PROD_EXIT}/exit-drill/x"),
        ("secretsmanager:GetSecretValue", SECRET),
        ("kms:Decrypt", KEY),
        ("sts:AssumeRole", ROLE),
    ):
        assert denied_by(action, resource, inside) == [], action


def test_the_second_partner_reads_its_exit_bucket_only_read_only():
    partner = principal("arn:aws:iam::210987654321:role/led-exit-reader")
    assert denied_by("s3:GetObject", f"{PROD_EXIT}/exit-drill/part-0.parquet", partner) == []
    assert denied_by("s3:ListBucket", PROD_EXIT, partner) == []
    assert denied_by("s3:PutObject", f"{PROD_EXIT}/exit-drill/x", partner) == ["ExitBucketsReadOnlyOutsideOrganization"]
    # Another principal of the partner's account is not the partner (prod names a role exactly).
    assert "ExitBucketsOnlyForTheSecondPartner1" in denied_by(
        "s3:GetObject", f"{PROD_EXIT}/x", principal("arn:aws:iam::210987654321:role/someone-else")
    )
    # Its read covers every environment's exit bucket (one partner role here), not the archive.
    acc_exit = f"arn:aws:s3:::led-acc-exit-{WORKLOAD}-eu-west-1/x"
    assert denied_by("s3:GetObject", acc_exit, partner) == []
    assert denied_by("s3:GetObject", acc_exit, principal(f"arn:aws:iam::{OUTSIDER}:role/x"))
    assert denied_by("s3:GetObject", f"{ARCHIVE}/x", partner) == ["EnforceOrgIdentitiesOnData"]


def test_a_partner_named_by_its_account_root_is_that_account_for_its_environment_only():
    data = CONFIG.model_dump(mode="json", exclude={"environments": {"__all__": {"name"}}})
    data["environments"]["dev"]["drills"]["second_partner_principal_arn"] = "arn:aws:iam::210987654321:root"
    (principals,) = [r for r in rcps(LandingZoneConfig.model_validate(data)) if r.name == "led-perimeter-principals"]
    statements = {s["Sid"]: s for s in principals.document["Statement"]}
    by_root = next(s for s in statements.values() if "aws:PrincipalAccount" in json.dumps(s))
    assert by_root["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalAccount"] == "210987654321"
    assert by_root["Resource"] == [
        f"arn:aws:s3:::led-dev-exit-{WORKLOAD}-eu-west-1",
        f"arn:aws:s3:::led-dev-exit-{WORKLOAD}-eu-west-1/*",
    ]
    anyone = principal("arn:aws:iam::210987654321:role/anyone")
    dev_exit = f"arn:aws:s3:::led-dev-exit-{WORKLOAD}-eu-west-1/x"
    assert not matching([principals.document], "Deny", "s3:GetObject", dev_exit, anyone)
    assert matching([principals.document], "Deny", "s3:GetObject", f"{PROD_EXIT}/x", anyone)


def test_the_configured_identities_and_the_pipeline_still_assume_their_roles():
    for arn in (
        "arn:aws:iam::999999999999:role/cronos-led-platform-operator",
        "arn:aws:iam::210987654321:role/ahovoks-led-auditor",
        "arn:aws:iam::210987654321:role/ahovoks-led-break-glass",
        CONFIG.deployment.pipeline_role_arn,
    ):
        assert denied_by("sts:AssumeRole", ROLE, principal(arn)) == [], arn
        # ...but reach no bucket, key or secret with their own identity.
        assert denied_by("secretsmanager:GetSecretValue", SECRET, principal(arn)) == ["EnforceOrgIdentitiesOnData"]


def test_requests_without_tls_are_denied_even_inside_the_organisation():
    plain = principal(f"arn:aws:iam::{WORKLOAD}:role/led-prod-app-runtime", org=True, tls=False)
    for action, resource in (
        ("s3:GetObject", f"{ARCHIVE}/x"),
        ("secretsmanager:GetSecretValue", SECRET),
        ("kms:Decrypt", KEY),
        ("sts:AssumeRole", ROLE),
    ):
        assert denied_by(action, resource, plain) == ["EnforceSecureTransport"], action
    old_tls = {**principal(f"arn:aws:iam::{WORKLOAD}:role/x", org=True), "s3:TlsVersion": "1.1"}
    assert denied_by("s3:GetObject", f"{ARCHIVE}/x", old_tls) == ["EnforceTls12ForS3"]


def test_aws_services_act_only_for_the_organisation_and_fb():
    write = ("s3:PutObject", f"{ARCHIVE}/AWSLogs/x/CloudTrail/y.json.gz")
    # CloudTrail and Config of the workload (in the organisation), FB's key custody trail.
    assert denied_by(*write, service(WORKLOAD, ORG)) == []
    assert denied_by(*write, service(KEY_CUSTODY)) == []
    # A confused deputy: the service acting for somebody else's trail.
    assert denied_by(*write, service(OUTSIDER, "o-outsideorg1")) == ["EnforceConfusedDeputyProtection"]
    assert denied_by(*write, service(OUTSIDER)) == ["EnforceConfusedDeputyProtection"]
    # KMS grants used by services and role assumptions by services carry no source account: untouched.
    assert denied_by("kms:Decrypt", KEY, service(None)) == []
    assert denied_by("sts:AssumeRole", ROLE, service(None)) == []


# --- configuration and quota errors ------------------------------------------------------------------


def _config(**organization) -> LandingZoneConfig:
    data = CONFIG.model_dump(mode="json", exclude={"environments": {"__all__": {"name"}}})
    data["organization"] = {"management_account": "012345678901", **organization}
    return LandingZoneConfig.model_validate(data)


def test_rcps_without_the_organisation_id_are_one_config_line(tmp_path):
    text = (RCP_DIRECTORY.parent.parent / "config" / "environments.toml").read_text()
    path = tmp_path / "c.toml"
    path.write_text(text.replace('organization_id = "o-exampleorgid"\n', ""))
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    message = str(exc.value)
    assert "\n" not in message
    assert "field 'organization.organization_id': missing; required while resource_control_policies is true" in message


def test_rcps_switched_off_leave_the_scps_alone():
    config = _config(resource_control_policies=False)
    assert rcps(config) == [] and len(guardrails(config)) == 4
    stack = OrganizationStack(cdk.App(), "Org", landing_zone=config)
    assert {p.type for p in stack.policies.values()} == {"SERVICE_CONTROL_POLICY"}


def _crowded() -> LandingZoneConfig:
    """Forty operator identities in prod: the exact principals that may assume LED roles outgrow
    one RCP (the SCPs, which do not name them, still fit)."""
    config = _config(organization_id=ORG)
    data = config.model_dump(mode="json", exclude={"environments": {"__all__": {"name"}}})
    data["environments"]["prod"]["access"]["operator_principals"] = [
        f"arn:aws:iam::999999999999:role/cronos-led-platform-operator-{n:02d}" for n in range(40)
    ]
    return LandingZoneConfig.model_validate(data)


def test_a_policy_over_the_limit_is_one_line_at_synthesis():
    config = _crowded()
    with pytest.raises(PolicyTooLarge) as exc:
        OrganizationStack(cdk.App(), "Org", landing_zone=config)
    message = str(exc.value)
    assert "\n" not in message
    assert "resource control policy 'led-perimeter-principals' is " in message
    assert "the AWS Organizations limit is 5,120" in message
    assert len(guardrails(config)) == 4  # the SCPs still fit
    # app.py prints a ConfigError as its one line and synthesizes nothing.
    assert isinstance(exc.value, ConfigError)


def test_the_generating_command_refuses_a_bad_config_in_one_line(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text("allowed_regions = 1\n")
    assert main(["guardrails", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("config error:")


def test_the_rcps_are_attached_to_the_member_accounts_in_the_organisation_stack():
    stack = OrganizationStack(cdk.App(), "Org", landing_zone=CONFIG)
    for name, policy in DOCS.items():
        cfn = stack.policies[name]
        assert cfn.type == "RESOURCE_CONTROL_POLICY"
        assert cfn.target_ids == member_accounts(CONFIG)
        assert cfn.content == policy.document
