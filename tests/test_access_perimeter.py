"""The data perimeter in the who-can-do-what matrix (issue #13): on prod of the session's synthesis,
the RCPs of policies/rcp.py deny what they claim (from outside the organisation, without TLS, a
confused deputy), the parties still reach their LED roles through them, and a pull request that
opens a bucket to everybody is still closed by the RCPs (and would be seen without them)."""

from __future__ import annotations

from config import LandingZoneConfig
from policies.access import overclaims, who_can
from policies.access.bootstrap import project_bootstrap
from policies.access.engine import ALLOWED, DENIED, NOT_GRANTED, Principal, decide, reachable
from policies.access.inventory import build_inventory
from policies.access.templates import StackTemplate
from tests.pull_request import changed_copy, statements_with

pytest_plugins = ("tests.access_prod",)  # the prod_stacks and prod_matrix fixtures


def without_rcps(config: LandingZoneConfig) -> LandingZoneConfig:
    assert config.organization is not None
    organization = config.organization.model_copy(update={"resource_control_policies": False})
    return config.model_copy(update={"organization": organization})


def rcp_sids(cell) -> set[str]:
    return {o.sid for o in cell.statements if o.kind == "rcp"}


def test_a_principal_outside_the_organisation_is_denied_by_the_rcps(prod_matrix):
    for outcome, sid in (
        ("read-db-secret", "EnforceOrgIdentitiesOnData"),
        ("outside-reads-data", "EnforceOrgIdentitiesOnData"),
        ("outside-reads-exports", "ExitBucketsOnlyForTheSecondPartner1"),
        ("deploy-stack", "EnforceOrgIdentitiesOnRoles"),
    ):
        cell = prod_matrix.cell("outsider", outcome)
        assert cell.verdict == DENIED and sid in rcp_sids(cell), (outcome, cell)
    # The data key lives in FB's key custody account, which carries no RCP: its key policy decides.
    decrypt = prod_matrix.cell("outsider", "decrypt-data-key")
    assert decrypt.verdict == NOT_GRANTED and not rcp_sids(decrypt)


def test_the_second_partner_reads_the_exports_by_design_and_nothing_else(prod_matrix):
    exports = prod_matrix.cell("exit-partner", "outside-reads-exports")
    assert exports.verdict == ALLOWED and exports.action == "s3:GetObject"
    assert "SecondPartnerReadsExports" in {o.sid for o in exports.statements}
    assert exports.by_design.startswith("the second partner reads the exit exports")
    assert prod_matrix.cell("exit-partner", "outside-reads-data").verdict == DENIED
    allowed = [o for o, v in prod_matrix.verdicts()["exit-partner"].items() if v == ALLOWED]
    assert allowed == ["outside-reads-exports"]
    assert overclaims(prod_matrix) == {}


def test_no_party_reaches_the_data_without_tls(prod_matrix):
    for party, row in prod_matrix.verdicts().items():
        assert row["without-tls"] == DENIED, party
        assert "EnforceSecureTransport" in rcp_sids(prod_matrix.cell(party, "without-tls")), party


def test_aws_services_do_not_act_for_an_account_outside_the_organisation(prod_matrix):
    cell = prod_matrix.cell("aws-services", "confused-deputy")
    assert cell.verdict == DENIED and rcp_sids(cell) == {"EnforceConfusedDeputyProtection"}
    # Only services make that request: the other parties' cells are not applicable.
    assert {p for p, row in prod_matrix.verdicts().items() if row["confused-deputy"] != "n/a"} == {"aws-services"}


def test_the_parties_still_reach_their_roles_through_the_rcps(synth, prod_stacks):
    """The RCP on sts:AssumeRole names the configured identities and the pipeline exactly: nobody
    the landing zone needs is shut out of the roles it assumes."""
    cfg = synth.config.environments["prod"]
    types: dict = {}
    for stack in prod_stacks:
        types.setdefault((stack.account, stack.region), set()).update(r["Type"] for r in stack.resources.values())
    inventory = build_inventory(prod_stacks, cfg, synth.config, bootstrap=project_bootstrap(synth.config, types))
    assert inventory.rcps and inventory.rcp_accounts
    role = lambda purpose, account=cfg.accounts.workload: f"arn:aws:iam::{account}:role/led-prod-{purpose}"  # noqa: E731
    for starts, wanted in (
        (cfg.access.operator_principals, role("platform-operator")),
        (cfg.access.application_manager_principals, role("application-manager")),
        (cfg.access.auditor_principals, role("auditor")),
        (cfg.access.auditor_principals, role("log-auditor", cfg.accounts.log_archive)),
        (cfg.access.break_glass_principals, role("break-glass")),
    ):
        assert wanted in reachable(inventory, list(starts)), wanted
    # AHOVOKS' pipeline (outside the organisation here) assumes the CDK deploy role of each member account.
    pipeline_arn = synth.config.deployment.pipeline_role_arn
    pipeline = Principal(pipeline_arn, "pipeline", pipeline_arn.split(":")[4], "aws", "external")
    members = {cfg.accounts.workload, cfg.accounts.log_archive, cfg.accounts.backup}
    deploy = [p for p in inventory.principals if "-deploy-role-" in p and p.split(":")[4] in members]
    assert members == {p.split(":")[4] for p in deploy}
    for role_arn in deploy:
        assert decide(inventory, pipeline, "sts:AssumeRole", role_arn).allowed, role_arn
    # The outsider and the partner become nobody.
    outsider = next(p for p in inventory.principals if ":role/outside-the-organisation" in p)
    assert list(reachable(inventory, [outsider])) == [outsider]


def test_without_the_rcps_the_outsiders_cells_are_only_not_granted(synth, prod_stacks, prod_matrix):
    """What the RCPs add: an explicit deny where, before, only the absence of a grant stood."""
    matrix = who_can("prod", prod_stacks, without_rcps(synth.config))
    for outcome in ("read-db-secret", "outside-reads-data"):
        assert matrix.cell("outsider", outcome).verdict == NOT_GRANTED, outcome
        assert prod_matrix.cell("outsider", outcome).verdict == DENIED, outcome
    assert matrix.cell("aws-services", "confused-deputy").verdict != DENIED


def _exit_bucket_open_to_everybody(prod_stacks: list[StackTemplate]) -> list[StackTemplate]:
    """A pull request that adds `Principal: *` reads to the exit bucket's policy."""
    changed, recovery = changed_copy(prod_stacks, "led-prod-recovery")
    statements = statements_with(recovery, "AWS::S3::BucketPolicy", "SecondPartnerReadsExports")
    partner = next(s for s in statements if s.get("Sid") == "SecondPartnerReadsExports")
    statements.append({**partner, "Sid": "EverybodyReadsExports", "Principal": {"AWS": "*"}})
    return changed


def test_a_bucket_opened_to_everybody_is_still_closed_by_the_rcps(synth, prod_stacks):
    changed = _exit_bucket_open_to_everybody(prod_stacks)
    with_rcps = who_can("prod", changed, synth.config).cell("outsider", "outside-reads-exports")
    assert with_rcps.verdict == DENIED and "ExitBucketsOnlyForTheSecondPartner1" in rcp_sids(with_rcps)
    # Without them the outsider reads the exports, and the overclaim rule says which conditions break.
    matrix = who_can("prod", changed, without_rcps(synth.config))
    assert matrix.cell("outsider", "outside-reads-exports").verdict == ALLOWED
    assert ("outsider", "outside-reads-exports") in {(c.party, c.outcome) for c in overclaims(matrix)["VTC-NO-COPY"]}
