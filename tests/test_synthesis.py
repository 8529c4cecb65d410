"""One reader of the synthesis (policies/synthesis.py): the pack, the gate, the access model and the
report see the same stacks, and a broken synthesis says so in one line."""

from __future__ import annotations

import json

import pytest

from policies.access.templates import stage_templates
from policies.synthesis import SynthesisError, read_assembly, read_evaluations, read_validation_report
from tools.report import ReportError, load_inputs


def test_every_stack_of_every_stage_with_its_environment_and_paths(synth):
    assembly = read_assembly(synth.outdir)
    assert assembly.stages() == list(synth.stages)
    for name, stage in synth.stages.items():
        expected = {s.stack_name for s in synth.assembly.get_nested_assembly(stage.artifact_id).stacks}
        assert {s.stack_name for s in assembly.of_stage(name)} == expected
    for stack in assembly.stacks:
        if stack.stage is not None:
            assert stack.account and stack.region and stack.account_text == stack.account
        assert set(stack.resources) - set(stack.paths) <= {"CDKMetadata"}
    assert read_validation_report(synth.outdir)["pluginReports"]
    assert read_evaluations(synth.outdir)["evaluations"]


def test_the_readers_agree(synth):
    assembly = read_assembly(synth.outdir)
    report = load_inputs(synth.outdir)
    for env, stacks in report.envs.items():
        ours = {(s.stack_name, s.account, s.region) for s in assembly.of_stage(env)}
        assert {(s.stack_name, s.account, s.region) for s in stacks} == ours
        assert {(s.stack_name, s.account, s.region) for s in stage_templates(synth.outdir, env)} == ours


def test_a_broken_synthesis_is_one_line(synth, tmp_path):
    with pytest.raises(SynthesisError, match=r"manifest.json is missing: synthesize first") as error:
        read_assembly(tmp_path)
    assert "\n" not in str(error.value)
    out = synth.copy_to(tmp_path / "cdk.out")
    (out / "vtc-evaluations.json").write_text(json.dumps({"version": 2}))
    with pytest.raises(SynthesisError, match=r"version 2, this reader reads version 1"):
        read_evaluations(out)
    with pytest.raises(ReportError, match=r"^report error: .*version 2"):
        load_inputs(out)
    (out / "validation-report.json").write_text("{not json")
    with pytest.raises(SynthesisError, match=r"validation-report.json: not JSON"):
        read_validation_report(out)
