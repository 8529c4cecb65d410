"""CloudFormation an auditor can read (VTC-POLICIES-VISIBLE, §55 and §58): stack descriptions,
condition ids in resource metadata, and the outputs an auditor needs."""

from __future__ import annotations

import re

import pytest

from cdk_constructs.vtc_metadata import BY_PATH, BY_TYPE
from contract.metadata import METADATA_CONDITIONS
from stacks.stage import AHOVOKS, FB
from tools.report import read_catalogue

OWNERS = {
    "KeyCustody": FB,
    "SecondaryKeyCustody": FB,
    "RemoteVault": AHOVOKS,
    "SecondaryRemoteVault": AHOVOKS,
    "Baseline": AHOVOKS,
    "Network": AHOVOKS,
    "Data": AHOVOKS,
    "Backup": AHOVOKS,
}


@pytest.fixture(scope="module")
def condition_ids() -> set[str]:
    return {c.id for c in read_catalogue()}


def stacks_of(synth):
    for env, stage in synth.stages.items():
        for stack_id in OWNERS:
            if stage.node.try_find_child(stack_id) is not None:
                yield env, stack_id


def conditions(template: dict, logical_id: str) -> list[str]:
    return template["Resources"][logical_id].get("Metadata", {}).get(METADATA_CONDITIONS, [])


def test_the_mapping_table_names_only_catalogue_conditions(condition_ids):
    named = {c for ids in BY_TYPE.values() for c in ids} | {c for _p, _t, ids in BY_PATH for c in ids}
    assert named <= condition_ids, named - condition_ids


def test_every_stack_says_its_environment_owner_and_conditions(synth, condition_ids):
    seen = 0
    for env, stack_id in stacks_of(synth):
        description = synth.template_json(env, stack_id)["Description"]
        assert description.startswith(f"LED {env}: "), description
        assert f"Owner: {OWNERS[stack_id]}." in description
        cited = re.findall(r"VTC-[A-Z0-9-]*[A-Z0-9]", description)
        assert cited and set(cited) <= condition_ids, description
        seen += 1
    assert seen == 3 * 6 + 2  # prod has the secondary-region stacks


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_resources_that_implement_a_condition_name_it(synth, env):
    data = synth.template_json(env, "Data")
    database = next(lid for lid, r in data["Resources"].items() if r["Type"] == "AWS::RDS::DBInstance")
    assert database == "DatabaseInstanceAA8A5FDE"  # logical ids are unchanged by the metadata
    assert {"VTC-SEC-STORAGE", "VTC-ENCRYPT-ALL", "VTC-AUDIT-TRAIL", "VTC-PERSONAL-DATA"} <= set(
        conditions(data, database)
    )
    backup = synth.template_json(env, "Backup")
    assert {"VTC-BACKUP-ELSEWHERE", "VTC-BACKUP-RETENTION", "VTC-NO-STALE-BACKUP"} <= set(
        conditions(backup, "Plan835D6B9C")
    )
    assert "VTC-BACKUP-ELSEWHERE" not in conditions(backup, "Vault645BC77C")
    assert {"VTC-ENCRYPT-ALL", "VTC-NO-STALE-BACKUP"} <= set(conditions(backup, "Vault645BC77C"))
    remote = synth.template_json(env, "RemoteVault")
    (vault,) = (lid for lid, r in remote["Resources"].items() if r["Type"] == "AWS::Backup::BackupVault")
    assert "VTC-BACKUP-ELSEWHERE" in conditions(remote, vault)
    keys = synth.template_json(env, "KeyCustody")
    for key in ("DataKey", "BackupKey", "LogKey"):
        assert {"VTC-KEY-CUSTODY", "VTC-KEY-NO-PROVIDER", "VTC-KEY-REENCRYPT"} <= set(conditions(keys, key))
    baseline = synth.template_json(env, "Baseline")
    (boundary,) = (lid for lid, r in baseline["Resources"].items() if r["Type"] == "AWS::IAM::ManagedPolicy")
    assert set(conditions(baseline, boundary)) == {"VTC-LEAST-PRIVILEGE", "VTC-PROCESSOR"}


def test_every_resource_of_a_mapped_type_carries_the_metadata(synth):
    for env, stack_id in stacks_of(synth):
        for lid, resource in synth.template_json(env, stack_id)["Resources"].items():
            if resource["Type"] in BY_TYPE:
                assert set(BY_TYPE[resource["Type"]]) <= set(conditions({"Resources": {lid: resource}}, lid)), lid


def test_outputs_name_the_keys_and_vaults_an_auditor_looks_at(synth):
    for env in synth.stages:
        keys = synth.template_json(env, "KeyCustody")["Outputs"]
        assert {"DataKeyArn", "BackupKeyArn", "LogKeyArn"} <= set(keys)
        assert keys["DataKeyArn"]["Value"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        backup = synth.template_json(env, "Backup")["Outputs"]
        assert {"VaultArn", "CopyDestination0"} <= set(backup)
        assert "RemoteVaultArn" in synth.template_json(env, "RemoteVault")["Outputs"]
        assert "DatabaseArn" in synth.template_json(env, "Data")["Outputs"]
    assert "SecondaryBackupKeyArn" in synth.template_json("prod", "SecondaryKeyCustody")["Outputs"]
