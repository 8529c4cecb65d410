"""VTC-REGULAR-AUDIT and VTC-EXIT on the real landing zone: they pass on what it builds, and fail
on something as soon as one of the means is taken away (the synthesized templates, edited).

Also the schedule reading of VTC-EXIT: at least monthly, read conservatively, closed otherwise."""

from __future__ import annotations

import copy

import pytest

from config import load_config
from policies.model import AppIndex, Resource
from policies.pack import _assembly_stacks
from policies.registry import BY_ID
from policies.schedule import at_least_monthly
from policies.settings import Settings


def _index(synth, edit=None) -> AppIndex:
    config = load_config()
    settings = {name: Settings.of(config, env) for name, env in config.environments.items()}
    app = AppIndex()
    for info, _paths in _assembly_stacks(synth.outdir, settings, settings["prod"]):
        info.template = copy.deepcopy(info.template)
        if edit is not None and info.stage == "prod":
            edit(info)
        app.add(info)
    return app


def _results(app: AppIndex, rule_id: str) -> dict[str, str]:
    """(resource type/logical id) -> result of a rule, over the prod environment."""
    spec = BY_ID[rule_id]
    found = {}
    for stack in app.stacks:
        if stack.stage != "prod":
            continue
        for lid, definition in stack.resources.items():
            if definition.get("Type") in spec.resource_types:
                result = spec.check(Resource(lid, definition, stack, app))
                found[f"{stack.name}/{lid}"] = result.status.value + (f": {result.why}" if result.why else "")
    return found


def _drop(resource_type: str, keep=lambda lid, r: False):
    def edit(info):
        for lid, r in list(info.resources.items()):
            if r.get("Type") == resource_type and not keep(lid, r):
                del info.template["Resources"][lid]

    return edit


@pytest.mark.parametrize("rule_id", ["VTC-REGULAR-AUDIT", "VTC-EXIT"])
def test_the_landing_zone_holds_the_means(synth, rule_id):
    found = _results(_index(synth), rule_id)
    assert found and all(v == "compliant" for v in found.values() if not v.startswith("not_applicable")), found
    assert any("led-prod-data/Database" in k for k in found), found


@pytest.mark.parametrize(
    "rule_id, edit, expected",
    [
        ("VTC-REGULAR-AUDIT", _drop("AWS::Config::ConfigurationRecorder"), "no AWS::Config::ConfigurationRecorder"),
        ("VTC-REGULAR-AUDIT", _drop("AWS::Config::DeliveryChannel"), "no AWS::Config::DeliveryChannel"),
        ("VTC-REGULAR-AUDIT", _drop("AWS::Config::ConfigRule"), "no AWS managed Config rule re-checks"),
        (
            "VTC-REGULAR-AUDIT",
            _drop("AWS::Config::ConfigRule", keep=lambda lid, r: not lid.startswith("RdsNotPublic")),
            "no public database",
        ),
        (
            "VTC-EXIT",
            _drop("AWS::Events::Rule", keep=lambda lid, r: not lid.startswith("ExitDrillSchedule")),
            "no AWS::Events::Rule tagged led:drill=exit-export",
        ),
        ("VTC-EXIT", _drop("AWS::S3::Bucket", keep=lambda lid, r: not lid.startswith("ExitBucket")), "no exit bucket"),
        (
            "VTC-EXIT",
            _drop("AWS::IAM::Role", keep=lambda lid, r: not lid.startswith("ExitDrillExportRole")),
            "no IAM role trusted by export.rds.amazonaws.com",
        ),
    ],
    ids=[
        "no-recorder",
        "no-delivery-channel",
        "no-config-rules",
        "no-rds-public-rule",
        "no-exit-schedule",
        "no-exit-bucket",
        "no-export-role",
    ],
)
def test_taking_a_means_away_fails(synth, rule_id, edit, expected):
    found = _results(_index(synth, edit), rule_id)
    failed = [v for v in found.values() if v.startswith("non_compliant")]
    assert any(expected in v for v in failed), found


def test_a_yearly_exit_drill_fails_on_the_landing_zone(synth):
    def yearly(info):
        for r in info.resources.values():
            props = r.get("Properties", {})
            if r.get("Type") == "AWS::Events::Rule" and props.get("ScheduleExpression") == "cron(0 6 1 * ? *)":
                props["ScheduleExpression"] = "cron(0 6 1 1 ? *)"

    failed = [v for v in _results(_index(synth, yearly), "VTC-EXIT").values() if v.startswith("non_compliant")]
    assert failed and "skips months" in failed[0]


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 6 1 * ? *)",
        "cron(0 6 ? * MON *)",
        "cron(0 6 ? * MON#1 *)",
        "cron(0 6 ? * 6L *)",
        "cron(0 6 L * ? *)",
        "cron(0 6 15W * ? *)",
        "cron(0 6 1,31 * ? *)",
        "cron(0/30 * * * ? *)",
        "cron(0 6 28 * ? *)",
        "rate(1 day)",
        "rate(28 days)",
        "rate(12 hours)",
        "rate(5 minutes)",
        "cron(0 6 1 1-12 ? *)",
    ],
)
def test_at_least_monthly(expression):
    assert at_least_monthly(expression) == (True, "")


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 6 1 1 ? *)",
        "cron(0 6 1 */3 ? *)",
        "cron(0 6 1 JAN,JUL ? *)",
        "cron(0 6 31 * ? *)",
        "cron(0 6 29 * ? *)",
        "cron(0 6 ? * MON#5 *)",
        "cron(0 6 1 * ? 2027)",
        "cron(0 6 1 * MON *)",
        "cron(0 6 ? * ? *)",
        "rate(29 days)",
        "rate(365 days)",
        "rate(1000 hours)",
        "rate(0 days)",
        "rate(1 month)",
        "at(2027-01-01T00:00:00)",
        "cron(0 6 1 * ?)",
        "",
        None,
        {"Ref": "Schedule"},
        "cron(x 6 1 * ? *)",
    ],
)
def test_rarer_than_monthly_or_unreadable(expression):
    ok, why = at_least_monthly(expression)
    assert not ok and why


# --- VTC-PROCESSOR on the landing zone: the operator role is found and passes; a Deny taken away fails.


def _drop_deny(sid: str):
    def edit(info):
        for r in info.resources.values():
            if r.get("Type") == "AWS::IAM::ManagedPolicy":
                document = r["Properties"]["PolicyDocument"]
                document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]

    return edit


def test_the_operator_role_passes_vtc_processor(synth):
    found = _results(_index(synth), "VTC-PROCESSOR")
    checked = {k: v for k, v in found.items() if not v.startswith("not_applicable")}
    assert checked and all(v == "compliant" for v in checked.values()), checked
    assert [k for k in checked if "PlatformOperator" in k] == list(checked), checked


@pytest.mark.parametrize(
    "sid, expected",
    [
        ("DenyReadingTheDatabaseSecret", "secretsmanager:GetSecretValue"),
        ("DenyDatabaseLoginAndPasswordChange", "rds-db:connect"),
        ("DenyUsingTheDataKey", "kms:Decrypt"),
        ("DenyWritingToTheLogArchive", "s3:PutObject"),
    ],
)
def test_taking_an_operator_deny_away_fails(synth, sid, expected):
    found = _results(_index(synth, _drop_deny(sid)), "VTC-PROCESSOR")
    failed = [v for k, v in found.items() if v.startswith("non_compliant") and "PlatformOperator" in k]
    assert failed and all(f"no explicit Deny of {expected}" in v for v in failed), found
