"""Registers of accepted risks for tests that acknowledge findings outside the landing zone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from contract.metadata import METADATA_ACCEPTED_RISK
from policies.risks import Owner, Register, Risk, metadata

OFFICER = Owner("ahovoks-security-officer", "AHOVOKS", "information security officer (the controller's)")


def register_of(**entries: dict[str, Any]) -> Register:
    """A register with the controller's security officer and the given risks (id -> fields); every
    field not given is valid: accepted 2026-12-02, review by 2027-06-01."""
    defaults = {"title": "A risk accepted for a test", "owner": OFFICER.id, "accepted": date(2026, 12, 2)}
    defaults["review_by"] = date(2027, 6, 1)
    return Register(
        Path("test-risks.toml"),
        {OFFICER.id: OFFICER},
        {rid: {**defaults, **fields} for rid, fields in entries.items()},
    )


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def record_acknowledgement(
    cdk_out: Path,
    path: str,
    rule: str,
    reason: str,
    *,
    risk: str = "test-risk",
    accepted: str = "2026-12-02",
    review_by: str = "2027-06-01",
) -> None:
    """Record an acknowledgement in a cloud assembly as accept_risk does (METADATA_ACCEPTED_RISK construct
    metadata of the stack that holds `path`), for tests that add a suppressed finding to
    validation-report.json by hand. An outdir without a manifest gets a one-stack manifest."""
    data = metadata(
        Risk(
            risk,
            "A risk accepted for a test",
            OFFICER,
            date.fromisoformat(accepted),
            date.fromisoformat("2099-01-01"),
            (),
        ),
        rule,
        reason,
    )
    data.update(accepted=accepted, review_by=review_by)
    entry = {"type": METADATA_ACCEPTED_RISK, "data": data}
    manifests = [cdk_out / "manifest.json"]
    while manifests:
        manifest_path = manifests.pop(0)
        manifest = _json(manifest_path)
        for artifact in manifest.get("artifacts", {}).values():
            if artifact.get("type") == "cdk:cloud-assembly":
                manifests.append(manifest_path.parent / artifact["properties"]["directoryName"] / "manifest.json")
            name = artifact.get("displayName", "")
            if artifact.get("type") != "aws:cloudformation:stack" or not (path + "/").startswith(name + "/"):
                continue
            if artifact.get("additionalMetadataFile"):
                file = manifest_path.parent / artifact["additionalMetadataFile"]
                extra = _json(file)
                extra.setdefault(f"/{path}", []).append(entry)
                file.write_text(json.dumps(extra))
            else:
                artifact.setdefault("metadata", {}).setdefault(f"/{path}", []).append(entry)
                manifest_path.write_text(json.dumps(manifest))
            return
    stack = "/".join(path.split("/", 2)[:2])  # no stack holds it: a bare one, as in a hand-made outdir
    manifest = _json(cdk_out / "manifest.json")
    artifact_id = stack.replace("/", "")
    template_file = f"{artifact_id}.template.json"
    (cdk_out / template_file).write_text(json.dumps({"Resources": {}}))
    artifact = {
        "type": "aws:cloudformation:stack",
        "displayName": stack,
        "properties": {"templateFile": template_file},
        "metadata": {f"/{path}": [entry]},
    }
    manifest.setdefault("artifacts", {})[artifact_id] = artifact
    (cdk_out / "manifest.json").write_text(json.dumps(manifest))
