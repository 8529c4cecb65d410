"""The cost estimate (tools/cost, VTC-RIGHT-SIZED §52-54) follows the synthesized landing zone:
every number is recomputed here from the templates, the price table and the assumptions, never
written down; a missing price is a one-line error; the report carries the estimate in every format."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from tools import report as report_tool
from tools.cost import PRICES_FILE, CostError, estimate, load_assumptions, load_prices
from tools.cost.__main__ import main as cost_main
from tools.cost.assembly import StackTemplate, read_templates
from tools.cost.pricers import FREE, NOT_PRICED, PRICERS
from tools.cost.values import runs_per_month
from tools.report import render

HOURS = 730


@pytest.fixture(scope="module")
def envs(synth) -> dict[str, list[StackTemplate]]:
    return read_templates(synth.outdir)


@pytest.fixture(scope="module")
def prices():
    return load_prices()


def run(envs, prices, env: str):
    return estimate(env, envs[env], prices, load_assumptions(env))


def resources(stacks: list[StackTemplate], rtype: str) -> list[tuple[StackTemplate, str, dict]]:
    return [(s, lid, r) for s in stacks for lid, r in s.resources.items() if r["Type"] == rtype]


def lines_by(est, key: str):
    return [line for line in est.lines if line.price_key == key]


def the_database(stacks):
    (found,) = resources(stacks, "AWS::RDS::DBInstance")
    return found


def test_prod_database_hours_are_hours_times_price_times_two_for_multi_az(envs, prices):
    stack, lid, db = the_database(envs["prod"])
    p = db["Properties"]
    assert p["MultiAZ"] is True
    price = prices.price(stack.region, f"rds_instance_hour.{p['DBInstanceClass']}", "test")
    (line,) = [
        li
        for li in lines_by(run(envs, prices, "prod"), f"rds_instance_hour.{p['DBInstanceClass']}")
        if li.service == "RDS"
    ]
    assert line.monthly == pytest.approx(HOURS * price * 2)
    assert line.resources == [f"{stack.name}/{lid}"]


def test_dev_database_is_single_az_and_storage_has_a_configured_and_a_ceiling_amount(envs, prices):
    for env, copies in (("dev", 1), ("prod", 2)):
        stack, _, db = the_database(envs[env])
        p = db["Properties"]
        assert bool(p.get("MultiAZ")) is (copies == 2)
        est = run(envs, prices, env)
        hours = next(li for li in lines_by(est, f"rds_instance_hour.{p['DBInstanceClass']}") if li.service == "RDS")
        assert hours.quantity == HOURS * copies
        gb_price = prices.price(stack.region, f"rds_storage_{p['StorageType']}_gb_month", "test")
        (storage,) = lines_by(est, f"rds_storage_{p['StorageType']}_gb_month")
        assert storage.monthly == pytest.approx(float(p["AllocatedStorage"]) * gb_price * copies)
        assert storage.monthly_at_ceiling == pytest.approx(float(p["MaxAllocatedStorage"]) * gb_price * copies)
        assert storage.monthly_at_ceiling > storage.monthly
        assert est.total_at_ceiling > est.total


def test_interface_endpoints_are_endpoints_times_azs_times_hours_times_price(envs, prices):
    for env in ("dev", "prod"):
        endpoints = [
            (s, r)
            for s, _, r in resources(envs[env], "AWS::EC2::VPCEndpoint")
            if r["Properties"].get("VpcEndpointType") == "Interface"
        ]
        assert len(endpoints) >= 5
        azs = {len(r["Properties"]["SubnetIds"]) for _, r in endpoints}
        assert len(azs) == 1  # every endpoint in every AZ of the endpoint tier
        region = endpoints[0][0].region
        price = prices.price(region, "vpce_interface_az_hour", "test")
        (line,) = lines_by(run(envs, prices, env), "vpce_interface_az_hour")
        assert line.monthly == pytest.approx(len(endpoints) * azs.pop() * HOURS * price)
        assert len(line.resources) == len(endpoints)
    # prod spreads over more AZs than dev (config network.max_azs), so its endpoints cost more.
    dev, prod = (lines_by(run(envs, prices, e), "vpce_interface_az_hour")[0] for e in ("dev", "prod"))
    assert prod.monthly > dev.monthly


def test_backup_generations_and_copies_follow_the_plan_and_the_allocated_storage(envs, prices, synth):
    cfg = synth.config.environments["prod"]
    _, _, db = the_database(envs["prod"])
    size = float(db["Properties"]["AllocatedStorage"]) * load_assumptions("prod")["recovery_point_fraction"]
    ((stack, _, plan),) = resources(envs["prod"], "AWS::Backup::BackupPlan")
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["Lifecycle"]["DeleteAfterDays"] == cfg.backup.generations
    est = run(envs, prices, "prod")
    backup = [li for li in lines_by(est, "backup_rds_gb_month") if li.service == "AWS Backup"]
    here = next(li for li in backup if li.item.startswith("recovery points"))
    assert here.monthly == pytest.approx(
        cfg.backup.generations * size * prices.price(stack.region, "backup_rds_gb_month", "t")
    )
    copies = {li.region: li for li in backup if li.item.startswith("copies")}
    assert set(copies) == {cfg.region, cfg.backup.secondary_region}
    second = copies[cfg.backup.secondary_region]
    assert second.quantity == pytest.approx(cfg.backup.copy_retention_days * size)
    assert second.unit_price == prices.price(cfg.backup.secondary_region, "backup_rds_gb_month", "t")
    (transfer,) = lines_by(est, "transfer_inter_region_gb")
    assert transfer.quantity == pytest.approx(365 / 12 * size)  # one copy a day leaves the region
    # dev has no second region: no transfer line.
    assert lines_by(run(envs, prices, "dev"), "transfer_inter_region_gb") == []


def test_keys_lambda_and_logs_are_counted_from_the_templates(envs, prices):
    stacks = envs["prod"]
    est = run(envs, prices, "prod")
    assumptions = load_assumptions("prod")
    keys = resources(stacks, "AWS::KMS::Key") + resources(stacks, "AWS::KMS::ReplicaKey")
    assert sum(li.quantity for li in lines_by(est, "kms_key_month")) == len(keys) > 0
    functions = resources(stacks, "AWS::Lambda::Function")
    gb_seconds = sum(
        r["Properties"].get("MemorySize", 128)
        / 1024
        * assumptions["lambda_seconds_per_invocation"]
        * assumptions["lambda_invocations_per_month"]
        for _, _, r in functions
    )
    compute = [li for li in est.lines if li.service == "Lambda" and li.unit == "GB-seconds"]
    assert sum(li.quantity for li in compute) == pytest.approx(gb_seconds) and gb_seconds > 0
    groups = resources(stacks, "AWS::Logs::LogGroup")
    ingest = [li for li in lines_by(est, "logs_ingest_gb") if "enhanced monitoring" not in li.item]
    assert sum(len(li.resources) for li in ingest) == len(groups)
    # what RDS creates outside the template: its managed secret and enhanced-monitoring stream
    _, db_lid, db = the_database(stacks)
    assert db["Properties"]["ManageMasterUserPassword"] is True and db["Properties"]["MonitoringInterval"] > 0
    assert any(db_lid in r for li in lines_by(est, "secret_month") for r in li.resources)
    (monitoring,) = [li for li in lines_by(est, "logs_ingest_gb") if "enhanced monitoring" in li.item]
    assert monitoring.quantity == assumptions["enhanced_monitoring_gb_per_month"]
    database_logs = next(li for li in ingest if "database logs" in li.item)
    rds_groups = [r for _, _, r in groups if str(r["Properties"].get("LogGroupName", "")).startswith("/aws/rds/")]
    assert database_logs.quantity == assumptions["database_log_gb_per_month"] * len(rds_groups) > 0
    flow = next(li for li in ingest if "flow logs" in li.item)
    assert flow.quantity == assumptions["flow_log_gb_per_month"] * len(flow.resources)
    assert any("DNS query logs" in li.item for li in ingest)
    assert lines_by(est, "dnsfw_queries_million") and lines_by(est, "dnsfw_domain_month")
    assert lines_by(est, "cloudtrail_data_events_100k") and lines_by(est, "config_rule_evaluation")
    assert lines_by(est, "firehose_ingest_gb")


def test_prod_costs_more_than_acc_and_dev(envs, prices):
    totals = {env: run(envs, prices, env).total for env in envs}
    assert totals["prod"] > totals["acc"] >= totals["dev"] > 0


def test_every_resource_type_of_the_landing_zone_is_priced_free_or_declared(envs, prices):
    for env in envs:
        est = run(envs, prices, env)
        assert set(est.not_priced) <= set(NOT_PRICED), (env, est.not_priced)
    assert not (set(PRICERS) & set(FREE)) and not (set(PRICERS) & set(NOT_PRICED))


def stack_of(name: str, region: str, **resources: dict) -> StackTemplate:
    """A stack of its own beside the landing zone's, holding these resources (by logical id)."""
    return StackTemplate(name=name, account="1", region=region, template={"Resources": resources})


def test_an_unknown_type_is_listed_as_not_priced_not_dropped(envs, prices):
    stacks = [*envs["dev"], stack_of("Extra", "eu-west-1", Box={"Type": "AWS::EC2::Instance"})]
    est = estimate("dev", stacks, prices, load_assumptions("dev"))
    assert est.not_priced["AWS::EC2::Instance"]["count"] == 1
    assert "unknown to the estimator" in est.not_priced["AWS::EC2::Instance"]["reason"]


def test_a_missing_price_is_a_one_line_error_naming_price_region_and_resource(envs, tmp_path):
    stack, lid, db = the_database(envs["prod"])
    cls = db["Properties"]["DBInstanceClass"]
    text = PRICES_FILE.read_text()
    pattern = re.compile(
        rf'(\[regions\.{stack.region}\.rds_instance_hour\][^\[]*?)^"{re.escape(cls)}" = [0-9.]+\n', re.M | re.S
    )
    without, n = pattern.subn(r"\1", text)
    assert n == 1
    (tmp_path / "prices.toml").write_text(without)
    table = load_prices(tmp_path / "prices.toml")
    with pytest.raises(CostError) as err:
        estimate("prod", envs["prod"], table, load_assumptions("prod"))
    message = str(err.value)
    assert "\n" not in message
    assert f"rds_instance_hour.{cls}" in message and stack.region in message and f"{stack.name}/{lid}" in message
    # dev's class is still priced: only the environment that needs the price fails.
    assert estimate("dev", envs["dev"], table, load_assumptions("dev")).total > 0


def test_a_region_without_a_table_is_an_error_not_a_zero(envs, prices):
    stacks = [stack_of("Eusc", "eusc-de-east-1", Key={"Type": "AWS::KMS::Key", "Properties": {}})]
    with pytest.raises(CostError, match=r"no price 'kms_key_month' for region eusc-de-east-1 \(Eusc/Key\)"):
        estimate("dev", stacks, prices, load_assumptions("dev"))


def test_the_table_is_dated_and_prices_every_region_the_config_uses(synth, prices):
    raw = tomllib.loads(PRICES_FILE.read_text())
    assert raw["meta"]["as_of"] == prices.as_of
    assert "list prices" in PRICES_FILE.read_text() and prices.currency == "USD"
    used = {e.region for e in synth.config.environments.values()}
    used |= {e.backup.secondary_region for e in synth.config.environments.values() if e.backup.secondary_region}
    assert used <= set(prices.regions) <= set(synth.config.allowed_regions)
    # every priced region has every price (a missing one would only surface when a resource needs it)
    keys = {
        region: set(table) | {f"rds.{c}" for c in table["rds_instance_hour"]}
        for region, table in prices.regions.items()
    }
    assert len({frozenset(k - {"name"}) for k in keys.values()}) == 1


def test_environment_overrides_of_the_assumptions_apply(tmp_path):
    assert load_assumptions("prod")["kms_requests_per_key"] > load_assumptions("dev")["kms_requests_per_key"]
    bad = tmp_path / "a.toml"
    bad.write_text('[x]\ndefault = "many"\n')
    with pytest.raises(CostError, match=r"a.toml: \[x\] default: got 'many', a number >= 0"):
        load_assumptions("dev", bad)


def test_make_cost_prints_every_environment_and_its_total(synth, capsys):
    assert cost_main([str(synth.outdir)]) == 0
    out = capsys.readouterr().out
    for env in ("dev", "acc", "prod"):
        assert f"{env}: monthly estimate" in out and f"{env}: usage assumptions" in out
    assert "total" in out and load_prices().as_of.isoformat() in out


def test_the_cli_reports_bad_input_in_one_line(synth, tmp_path, capsys):
    assert cost_main([str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert cost_main([str(synth.outdir), "--env", "nope"]) == 2
    err = capsys.readouterr().err
    assert "environment 'nope'" in err and err.strip().count("\n") == 0


def test_an_unreadable_assembly_is_one_line_too(tmp_path, capsys):
    nested = {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-prod"}}
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {"assembly-prod": nested}}))
    (tmp_path / "assembly-prod").mkdir()
    (tmp_path / "assembly-prod" / "manifest.json").write_text("{not json")
    assert cost_main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("cost error: ") and "manifest.json: not JSON" in err


def test_the_report_shows_the_five_biggest_lines_and_the_total_in_every_format(cdk_out):
    inputs = report_tool.load_inputs(cdk_out)
    report = render.build(inputs, "prod")
    data = report.as_dict()["cost_estimate"]
    expected = run(read_templates(cdk_out), load_prices(), "prod")
    assert data["total_monthly"] == round(expected.total, 2)
    assert [li["monthly"] for li in data["biggest_lines"]] == [round(li.monthly, 2) for li in expected.biggest(5)]
    assert len(data["biggest_lines"]) == 5 and data["prices"]["as_of"] == expected.prices.as_of.isoformat()
    md, page = render.render_markdown(report), render.render_html(report, "<svg/>")
    total = f"{expected.total:,.2f}"
    for text in (md, page):
        assert "Cost estimate (VTC-RIGHT-SIZED)" in text and total in text and data["prices"]["as_of"] in text
        assert expected.biggest(1)[0].item in text


def test_the_cost_package_stays_small():
    sources = sorted((Path(__file__).resolve().parent.parent / "tools" / "cost").glob("*.py"))
    assert {p.name: n for p in sources if (n := len(p.read_text().splitlines())) > 450} == {}


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("cron(0 1 * * ? *)", 365 / 12),  # the backup plan's daily rule
        ("cron(0 6 1 * ? *)", 1),  # the monthly exit drill
        ("cron(0 3 ? * SUN *)", 52 / 12),
        ("cron(0 3 ? * MON,THU *)", 2 * 52 / 12),
        ("rate(12 hours)", 2 * 365 / 12),
    ],
)
def test_schedules_are_counted_per_month(schedule, runs):
    stack = StackTemplate(name="S", account="1", region="eu-west-1", template={})
    assert runs_per_month(schedule, stack, "Plan") == pytest.approx(runs)


def test_a_schedule_the_estimate_cannot_count_is_an_error():
    stack = StackTemplate(name="S", account="1", region="eu-west-1", template={})
    with pytest.raises(CostError, match=r"schedule 'cron\(0/5 \* L \* \? \*\)' of S/Plan"):
        runs_per_month("cron(0/5 * L * ? *)", stack, "Plan")
