"""Reading an export's Parquet once per table: decode, digest and (optionally) COPY into PostgreSQL.

One pass per table, tables in parallel (a thread and a connection each; Arrow's decoding and CSV
writing and libpq's sending run outside the GIL). Memory is bounded by a batch (`iter_batches`),
never by a table. Each batch becomes CSV with `pyarrow.csv.write_csv` and goes into
`COPY ... FROM STDIN (FORMAT csv)`: no Python per row.

A table is created and filled in ONE transaction: a load that fails (a file that cannot be read,
a type or a value the target refuses, the target's disk full) is rolled back and leaves no table,
so a failed drill never leaves a half-loaded table behind.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from led_ops import digest as dg
from led_ops.errors import UsageError
from led_ops.progress import Progress

BATCH_ROWS = 65_536
_CSV = pacsv.WriteOptions(include_header=False, batch_size=BATCH_ROWS)


@dataclass
class TableScan:
    key: str
    rows: int = 0  # rows decoded from the Parquet
    digest: str | None = None  # of the Parquet
    unreadable: list[str] = field(default_factory=list)
    load_error: str | None = None  # the target refused the table (rolled back)
    target: dg.TableDigest | None = None  # the loaded table, as the target holds it


def pg_type(t: pa.DataType) -> str:
    """A PostgreSQL column type for an Arrow type (the export's Parquet types)."""
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t):
        return "smallint"
    if pa.types.is_int32(t) or pa.types.is_uint16(t):
        return "integer"
    if pa.types.is_integer(t):
        return "bigint" if not pa.types.is_uint64(t) else "numeric(20,0)"
    if pa.types.is_float32(t):
        return "real"
    if pa.types.is_floating(t):
        return "double precision"
    if pa.types.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "bytea"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    if pa.types.is_time(t):
        return "time"
    return "text"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_target(dsn: str) -> None:
    """Connect once before anything else: a wrong DSN is one line, exit code 2."""
    import psycopg

    try:
        psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error as exc:
        raise UsageError(f"--to-postgres: not a valid PostgreSQL DSN: {_first_line(exc)}") from None
    try:
        with psycopg.connect(dsn, connect_timeout=30):
            pass
    except psycopg.Error as exc:
        raise UsageError(f"--to-postgres: cannot connect: {_first_line(exc)}") from None


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """bytea as PostgreSQL hex text; everything else Arrow's CSV writer renders as COPY reads it."""
    columns, changed = [], False
    for column in batch.columns:
        t = column.type
        if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
            column = pa.array([None if v is None else "\\x" + v.hex() for v in column.to_pylist()], pa.string())
            changed = True
        elif pa.types.is_dictionary(t):
            column = column.cast(t.value_type)
            changed = True
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names) if changed else batch


def _batches(files: Sequence[Path], root: Path, names: Sequence[str] | None, scan: TableScan):
    for file in files:
        try:
            reader = pq.ParquetFile(file)
            for batch in reader.iter_batches(batch_size=BATCH_ROWS, columns=list(names) if names else None):
                yield batch
        except (pa.ArrowException, OSError) as exc:
            scan.unreadable.append(f"{file.relative_to(root)} ({_first_line(exc)})")
            raise _Unreadable() from None


class _Unreadable(Exception):
    pass


def scan_table(
    key: str,
    files: Sequence[Path],
    root: Path,
    *,
    dsn: str | None,
    with_digest: bool,
    progress: Progress,
    source_types: Mapping[str, str] | None = None,
    total: int | None = None,
) -> TableScan:
    scan = TableScan(key)
    source_types = dict(source_types or {})
    accumulator = dg.ArrowDigest(source_types) if with_digest else None
    try:
        schema = pq.read_schema(files[0]) if files else None
    except (pa.ArrowException, OSError) as exc:
        scan.unreadable.append(f"{files[0].relative_to(root)} ({_first_line(exc)})")
        return scan
    names = schema.names if schema is not None else []
    verb = "load" if dsn else "read"
    with progress.task(f"{verb} {key}", total=total) as task:

        def each_batch():
            for batch in _batches(files, root, names, scan):
                if accumulator is not None:
                    accumulator.add(batch)
                scan.rows += batch.num_rows
                task.advance(batch.num_rows)
                yield batch

        if dsn is None:
            try:
                for _ in each_batch():
                    pass
            except _Unreadable:
                pass
        else:
            _load(dsn, key, schema, source_types, each_batch, scan, with_digest)
    if accumulator is not None and not scan.unreadable:
        scan.digest = accumulator.digest
    return scan


def _load(
    dsn: str,
    key: str,
    schema: pa.Schema | None,
    source_types: Mapping[str, str],
    each_batch: Callable[[], Any],
    scan: TableScan,
    with_digest: bool,
) -> None:
    import psycopg

    table = dg.qualified(key)
    try:
        with psycopg.connect(dsn, connect_timeout=30, application_name="led-ops exit-drill") as conn:
            if schema is not None:
                with conn.transaction():
                    columns = ", ".join(
                        f"{dg.quote_ident(f.name)} {source_types.get(f.name) or pg_type(f.type)}" for f in schema
                    )
                    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
                    names = ", ".join(dg.quote_ident(f.name) for f in schema)
                    with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
                        for batch in each_batch():
                            sink = io.BytesIO()
                            pacsv.write_csv(_csv_ready(batch), sink, _CSV)
                            copy.write(sink.getbuffer())
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
            exists = bool(row and row[0])
            if exists:
                scan.target = (
                    dg.table_digest(conn, key)
                    if with_digest
                    else dg.TableDigest(int((conn.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,))[0]), "")
                )
            else:
                scan.target = dg.TableDigest(0, dg.hex64(0))
    except _Unreadable:
        scan.load_error = f"not loaded (rolled back): {scan.unreadable[-1]}"
    except psycopg.Error as exc:
        scan.load_error = f"not loaded (rolled back): {_first_line(exc)}"


def scan_all(
    files: Mapping[str, Sequence[Path]],
    root: Path,
    *,
    dsn: str | None,
    with_digest: bool,
    progress: Progress,
    source_types: Mapping[str, Mapping[str, str]] | None = None,
    totals: Mapping[str, int] | None = None,
    workers: int | None = None,
) -> dict[str, TableScan]:
    """Every table once: decoded, digested, loaded (with `dsn`); tables in parallel."""
    import psycopg

    source_types = source_types or {}
    totals = totals or {}
    if dsn is not None:
        check_target(dsn)
        with psycopg.connect(dsn, connect_timeout=30, autocommit=True) as conn:
            for schema_name in sorted({k.split(".", 1)[0] for k in files}):
                try:
                    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {dg.quote_ident(schema_name)}")
                except psycopg.Error as exc:
                    raise UsageError(f"--to-postgres: cannot create schema {schema_name}: {_first_line(exc)}") from None
    workers = workers or max(1, min(len(files), os.cpu_count() or 1, 8))
    keys = sorted(files, key=lambda k: -totals.get(k, 0))  # biggest first
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="led-exit") as pool:
        futures = {
            k: pool.submit(
                scan_table,
                k,
                list(files[k]),
                root,
                dsn=dsn,
                with_digest=with_digest,
                progress=progress,
                source_types=source_types.get(k),
                total=totals.get(k),
            )
            for k in keys
        }
        return {k: futures[k].result() for k in sorted(files)}
