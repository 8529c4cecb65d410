"""The snapshot's evidence: row counts and content digests per table, the file that carries them.

`restore-drill --counts-out` writes it from the restored recovery point; `exit-drill` reads it
(`--expected-counts FILE`) instead of restoring the snapshot a second time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from led_ops.errors import DrillError, UsageError

EVIDENCE_FORMAT = "led-ops-evidence/1"


def read_counts(path: str | Path) -> dict[str, dict[str, Any]]:
    """The snapshot's evidence: `schema.table` -> {"rows": n, "digest": hex or None, "columns", "key"}.

    Reads the evidence file of `restore-drill --counts-out` (format led-ops-evidence/1) and the
    older counts-only file ({"schema.table": rows}); from the latter only counts are compared.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"expected counts {path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"expected counts {path}: not valid JSON: {exc}") from None
    allowed = (
        f'allowed: the evidence file of restore-drill --counts-out ("format": "{EVIDENCE_FORMAT}") '
        'or a JSON object {"schema.table": rows, ...}'
    )
    if isinstance(raw, dict) and "format" in raw:
        if raw.get("format") != EVIDENCE_FORMAT or not isinstance(raw.get("tables"), dict):
            raise UsageError(f"expected counts {path}: format {raw.get('format')!r} unknown; {allowed}")
        out = {}
        for key, entry in raw["tables"].items():
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("rows"), int)
                or not isinstance(entry.get("digest"), str)
            ):
                raise UsageError(f"expected counts {path}: table {key!r} needs rows (integer) and digest; {allowed}")
            out[key] = {
                "rows": entry["rows"],
                "digest": entry["digest"],
                "columns": dict(entry.get("columns") or {}),
                "key": list(entry.get("key") or []),
                "buckets": {int(b): str(d) for b, d in (entry.get("buckets") or {}).items()},
            }
        return out
    if not isinstance(raw, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
        raise UsageError(f"expected counts {path}: {allowed}")
    return {k: {"rows": v, "digest": None, "columns": {}, "key": []} for k, v in raw.items()}


def write_evidence(path: str | Path, digests: Mapping[str, Any], *, recovery_point: str | None = None) -> None:
    """The restore drill's evidence for the recovery point: counts and content digests per table."""
    body: dict[str, Any] = {"format": EVIDENCE_FORMAT}
    if recovery_point:
        body["recovery_point"] = recovery_point
    body["tables"] = {k: d.as_json() for k, d in sorted(digests.items())}
    try:
        Path(path).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DrillError(f"cannot write the evidence file {path}: {exc.strerror or exc}") from None
