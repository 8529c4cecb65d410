"""The Control Tower acknowledgements (cdk_constructs/control_tower.py) name construct paths: every
path must name a construct of the stage, or synthesis stops with one line."""

from __future__ import annotations

import dataclasses

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from cdk_constructs.control_tower import (
    ACKNOWLEDGEMENTS,
    GuardAcknowledgement,
    acknowledge_control_tower,
    acknowledgement_targets,
)
from contract.metadata import METADATA_ACCEPTED_RISK
from policies.risks import RiskRegisterError

_OBJECT_LOCK = GuardAcknowledgement(
    "CT.S3.PR.9",
    "s3_bucket_object_lock_enabled_check",
    ("Recovery/ExitBuckett",),  # a typo, or a bucket since renamed
    "The exit bucket holds transient exports that expire after the drill; Object Lock would keep them.",
    risk="exit-bucket-without-object-lock",
)


def _stage() -> cdk.Stage:
    stage = cdk.Stage(cdk.App(), "dev")
    recovery = cdk.Stack(stage, "Recovery")
    s3.Bucket(recovery, "ExitBucket")
    s3.Bucket(recovery, "Other")
    return stage


def test_an_acknowledgement_of_a_path_that_names_no_construct_stops_with_one_line():
    stage = _stage()
    with pytest.raises(RiskRegisterError) as raised:
        acknowledge_control_tower(stage, multi_az=False, acknowledgements=(_OBJECT_LOCK,))
    message = str(raised.value)
    assert "\n" not in message
    assert message == (
        "Control Tower acknowledgement CT.S3.PR.9 (s3_bucket_object_lock_enabled_check, risk "
        "exit-bucket-without-object-lock): no construct dev/Recovery/ExitBuckett: dev/Recovery has no "
        "'ExitBuckett' (it has ExitBucket, ...)"
    )


def test_a_missing_stack_is_named_with_what_the_stage_has():
    with pytest.raises(RiskRegisterError, match=r"no construct dev/LogArchive/Default/ArchiveAccessTrail: dev has no "):
        acknowledge_control_tower(_stage(), multi_az=False)


def test_nothing_is_acknowledged_when_a_path_names_no_construct():
    stage = _stage()
    valid = dataclasses.replace(_OBJECT_LOCK, paths=("Recovery/ExitBucket",))
    with pytest.raises(RiskRegisterError, match="ExitBuckett"):
        acknowledge_control_tower(stage, multi_az=False, acknowledgements=(valid, _OBJECT_LOCK))
    bucket = stage.node.find_child("Recovery").node.find_child("ExitBucket")
    assert not [m for c in bucket.node.find_all() for m in c.node.metadata if m.type == METADATA_ACCEPTED_RISK]
    assert acknowledge_control_tower(stage, multi_az=False, acknowledgements=(valid,)) == [
        "Recovery/ExitBucket s3_bucket_object_lock_enabled_check"
    ]
    assert [m for c in bucket.node.find_all() for m in c.node.metadata if m.type == METADATA_ACCEPTED_RISK]


def test_every_acknowledgement_names_constructs_of_every_environment_of_the_landing_zone(synth):
    for name, stage in synth.stages.items():
        multi_az = synth.config.environments[name].database.multi_az
        targets = acknowledgement_targets(stage, multi_az=multi_az)
        expected = [(a, p) for a in ACKNOWLEDGEMENTS if not (a.single_az_only and multi_az) for p in a.paths]
        assert [(a, p) for a, p, _ in targets] == expected
        assert all(c.node.path == f"{name}/{p}" for _, p, c in targets)
