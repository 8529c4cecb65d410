"""The AWS European Sovereign Cloud (eusc-de-east-1, partition aws-eusc) synthesizes."""

from __future__ import annotations

import json
import re
import tomllib

import aws_cdk as cdk

import app as led_app
from config import DEFAULT_CONFIG_PATH, LandingZoneConfig
from tests.conftest import new_app
from tests.test_config import to_eusc


def test_an_environment_in_eusc_de_east_1_synthesizes_with_the_aws_eusc_partition(tmp_path):
    raw = tomllib.loads(DEFAULT_CONFIG_PATH.read_text())
    raw.pop("organization")
    raw.pop("deployment")  # global, like the organisation: its default follows the partition
    raw["environments"] = {"dev": to_eusc(raw["environments"]["dev"])}
    config = LandingZoneConfig.model_validate(raw)
    app = new_app(tmp_path / "cdk.out")
    [stage] = led_app.build(app, config, [config.environments["dev"]])
    assembly = app.synth()
    templates = [
        assembly.get_stack_artifact(s.artifact_id).template for s in stage.node.children if isinstance(s, cdk.Stack)
    ]
    text = json.dumps(templates)
    assert set(re.findall(r'"arn:([a-z-]+):', text)) == {"aws-eusc"}
    assert "arn:aws:" not in text
    assert all(s.region == "eusc-de-east-1" for s in stage.node.children if isinstance(s, cdk.Stack))
