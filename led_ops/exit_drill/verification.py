"""The exit drill's checks of an export folder: its metadata, the Parquet, the snapshot's evidence,
and, given another PostgreSQL, the data loaded there. Each check is a PASS or FAIL line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from led_ops import digest, load
from led_ops.errors import CHECK_FAILED, OK, UsageError
from led_ops.progress import Progress


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows in the Parquet files
    files: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))


def _table_key(target: str) -> tuple[str, str]:
    """'led.public.diploma' -> ('led', 'public.diploma')."""
    parts = target.split(".")
    if len(parts) != 3:
        raise ValueError(target)
    return parts[0], f"{parts[1]}.{parts[2]}"


def verify_dir(root: Path, *, expected: Mapping[str, int] | None) -> Verification:
    """Verify an export folder (the `<export id>/` level) against the export's own metadata."""
    result = Verification()
    if not root.is_dir():
        raise UsageError(f"{root}: no such directory")
    infos = sorted(root.glob("export_info_*.json"))
    if not infos:
        result.add("export info", False, f"no export_info_*.json in {root}")
    for info_path in infos:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        status = str(info.get("status", "?")).upper()
        progress = info.get("percentProgress", 100)
        result.add(
            "export info",
            status == "COMPLETE" and progress == 100,
            f"{info_path.name}: status {status}, {progress}% (task {info.get('exportTaskIdentifier', '?')})",
        )

    statuses: dict[str, str] = {}
    databases: dict[str, str] = {}
    table_infos = sorted(root.glob("export_tables_info_*.json"))
    if not table_infos:
        result.add("tables info", False, f"no export_tables_info_*.json in {root}")
    for path in table_infos:
        for entry in json.loads(path.read_text(encoding="utf-8")).get("perTableStatus", []):
            if "warningMessage" in entry:
                continue  # database-level notes, not tables
            try:
                database, key = _table_key(entry.get("target", ""))
            except ValueError:
                result.add("tables info", False, f"{path.name}: unexpected target {entry.get('target')!r}")
                continue
            statuses[key] = str(entry.get("status", "?")).upper()
            databases[key] = database
    failed = sorted(k for k, s in statuses.items() if s != "COMPLETE")
    result.add(
        "every table exported",
        bool(statuses) and not failed,
        f"{len(statuses)} table(s) in the export metadata"
        + (f"; not COMPLETE: {', '.join(f'{k} ({statuses[k]})' for k in failed)}" if failed else ""),
    )
    if expected is not None:
        missing = sorted(set(expected) - set(statuses))
        result.add(
            "every table of the snapshot exported",
            not missing,
            f"{len(expected)} table(s) in the snapshot" + (f"; missing: {', '.join(missing)}" if missing else ""),
        )

    for key in sorted(statuses):
        folder = root / databases[key] / key
        result.files[key] = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    return result


def _expected_rows(expected: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    return {k: int(v["rows"]) for k, v in expected.items()}


def _key_label(columns: Sequence[str], text: str) -> str:
    return f"{'/'.join(sorted(columns))}={text}" if columns else text


def _batches(files: Sequence[Path]):
    """The rows of a table's Parquet files, batch by batch (read lazily: a table may not fit in memory)."""
    for file in files:
        yield from pq.ParquetFile(file).iter_batches(batch_size=load.BATCH_ROWS)


def _sample_keys(
    dsn: str, key: str, files: Sequence[Path], key_columns: Sequence[str], source_types: Mapping[str, str]
) -> list[str]:
    """Keys of rows that differ between the Parquet and the target (only run when a digest differs)."""
    import psycopg

    with psycopg.connect(dsn, connect_timeout=30) as conn:
        if not key_columns:
            key_columns = digest.pg_primary_key(conn, key)
        if not key_columns and files:
            key_columns = pq.read_schema(files[0]).names[:1]  # no key known: the first column names the row
        target = digest.pg_row_hashes(conn, key, key_columns)
    parquet = digest.arrow_row_hashes(_batches(files), key_columns, source_types)
    return [_key_label(key_columns, k) for k in digest.differing_keys(parquet, target)]


def _snapshot_rows(key: str, files: Sequence[Path], evidence: Mapping[str, Any], types: Mapping[str, str]) -> str:
    """Where the evidence has key-bucket digests: the rows of the differing buckets, as key samples."""
    if not evidence.get("buckets") or not evidence.get("key") or not files:
        return ""

    try:
        parquet, seen = digest.arrow_buckets(_batches(files), evidence["key"], types)
    except (pa.ArrowException, OSError, KeyError):
        return ""
    snapshot = evidence["buckets"]
    differing = sorted(b for b in set(parquet) | set(snapshot) if parquet.get(b) != snapshot.get(b))
    rows = sum(seen.get(b, (0, []))[0] for b in differing)
    keys = [_key_label(evidence["key"], k) for b in differing for k in seen.get(b, (0, []))[1]][:5]
    missing = sum(1 for b in differing if b not in parquet)
    return (
        f"; {len(differing)} key bucket(s) differ, {rows} row(s) of the export in them"
        + (f": {', '.join(keys)}" if keys else "")
        + (f"; {missing} bucket(s) with rows missing from the export" if missing else "")
    )


def verify_and_load(
    out: Callable[[str], None],
    progress: Progress | Callable[[str], None],
    root: Path,
    *,
    expected: Mapping[str, Mapping[str, Any]] | None,
    to_postgres: str | None,
    quiet: bool = False,
) -> int:
    if not isinstance(progress, Progress):
        progress = Progress.auto(quiet=quiet)
    if expected is not None and expected and all(isinstance(v, int) for v in expected.values()):
        expected = {k: {"rows": v, "digest": None, "columns": {}, "key": []} for k, v in expected.items()}
    verification = verify_dir(root, expected=_expected_rows(expected) if expected is not None else None)
    expected = expected or {}
    source_types = {k: v.get("columns") or {} for k, v in expected.items()}
    totals: dict[str, int] = {}
    for key, files in verification.files.items():
        try:
            totals[key] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        except (pa.ArrowException, OSError):
            totals[key] = 0
    scans = load.scan_all(
        verification.files,
        root,
        dsn=to_postgres,
        with_digest=True,
        progress=progress,
        source_types=source_types,
        totals=totals,
    )
    verification.rows = {k: s.rows for k, s in scans.items()}
    unreadable = [u for s in scans.values() for u in s.unreadable]
    verification.add(
        "files readable as Parquet",
        not unreadable,
        f"{sum(len(f) for f in verification.files.values())} file(s)"
        + (f"; unreadable: {', '.join(unreadable)}" if unreadable else ""),
    )
    _check_against_snapshot(verification, scans, expected, source_types, out)
    if to_postgres and verification.files:
        _check_loaded(verification, scans, expected, source_types, to_postgres)
    for check in verification.checks:
        if not quiet or not check.ok:
            out(f"{'PASS' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    out(f"exit drill {'PASSED' if verification.ok else 'FAILED'} (VTC-EXIT)")
    return OK if verification.ok else CHECK_FAILED


def _check_against_snapshot(
    verification: Verification,
    scans: Mapping[str, load.TableScan],
    expected: Mapping[str, Mapping[str, Any]],
    source_types: Mapping[str, Mapping[str, str]],
    out: Callable[[str], None],
) -> None:
    """The Parquet's row counts and digests against the snapshot's evidence."""
    if not expected:
        verification.add(
            "row counts equal to the snapshot's",
            False,
            "no snapshot counts to compare with (restore the recovery point, or --expected-counts FILE)",
        )
        return
    wrong = [
        f"{k}: exported {verification.rows.get(k, 0)}, snapshot {e['rows']}"
        for k, e in sorted(expected.items())
        if verification.rows.get(k, 0) != e["rows"] and k in verification.files
    ]
    verification.add(
        "row counts equal to the snapshot's",
        not wrong,
        f"{sum(verification.rows.values())} row(s) exported" + (f"; differ: {'; '.join(wrong)}" if wrong else ""),
    )
    with_digest = {k: e for k, e in expected.items() if e.get("digest") and k in scans}
    if not with_digest:
        out(
            "NOTE content not compared with the snapshot: the expected counts file has no digests "
            "(write it with restore-drill --counts-out)"
        )
        return
    differ = [
        f"{k}: Parquet {scans[k].digest or 'unreadable'}, snapshot {e['digest']}"
        + _snapshot_rows(k, verification.files[k], e, source_types.get(k, {}))
        for k, e in sorted(with_digest.items())
        if scans[k].digest != e["digest"]
    ]
    verification.add(
        "content equal to the snapshot's (digests)",
        not differ,
        f"{len(with_digest)} table(s) compared" + (f"; differ: {'; '.join(differ)}" if differ else ""),
    )


def _check_loaded(
    verification: Verification,
    scans: Mapping[str, load.TableScan],
    expected: Mapping[str, Mapping[str, Any]],
    source_types: Mapping[str, Mapping[str, str]],
    to_postgres: str,
) -> None:
    """What the other PostgreSQL holds after the load: every table, its count, its digest."""
    refused = [f"{k}: {s.load_error}" for k, s in sorted(scans.items()) if s.load_error]
    verification.add(
        "every table loaded into the other PostgreSQL",
        not refused,
        f"{len(scans) - len(refused)} of {len(scans)} table(s) loaded" + (f"; {'; '.join(refused)}" if refused else ""),
    )
    loaded = {k: s.target for k, s in scans.items() if s.target is not None and not s.load_error}
    reference = _expected_rows(expected) if expected else verification.rows
    wrong = [
        f"{k}: PostgreSQL {loaded[k].rows}, expected {n}"
        for k, n in sorted(reference.items())
        if k in loaded and loaded[k].rows != n
    ]
    verification.add(
        "loaded into another PostgreSQL, counts equal",
        not wrong and not refused,
        f"{len(loaded)} table(s), {sum(t.rows for t in loaded.values())} row(s)"
        + (f"; differ: {'; '.join(wrong)}" if wrong else ""),
    )
    differ = []
    for k in sorted(loaded):
        if scans[k].digest is None or loaded[k].digest == scans[k].digest:
            continue
        line = f"{k}: PostgreSQL {loaded[k].digest}, Parquet {scans[k].digest}"
        try:
            keys = _sample_keys(
                to_postgres, k, verification.files[k], expected.get(k, {}).get("key") or [], source_types.get(k, {})
            )
        except Exception as exc:  # noqa: BLE001 - the sample is a help; the failure stands without it
            keys, line = (
                [],
                line + f" (rows not located: {load._first_line(exc)})",
            )
        if keys:
            line += f", rows differ at {', '.join(keys)}"
        differ.append(line)
    verification.add(
        "loaded content equal to the Parquet (digests)",
        not differ and not refused,
        f"{len(loaded)} table(s) compared" + (f"; differ: {'; '.join(differ)}" if differ else ""),
    )
