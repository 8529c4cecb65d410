"""Content digests of tables: the same number from PostgreSQL (SQL) and from the exported Parquet (Arrow).

VTC-EXIT (§42-43) asks for the proof that the data, not only its row count, survives the trip. A
table's digest is

    sum over rows of  first 64 bits of md5(canonical row text, UTF-8)   mod 2^64

which depends neither on row order nor on how the rows are spread over files; any changed value,
truncated string or shifted timestamp changes it (with probability 1 - 2^-64 per change).

The canonical row text is every column in column-name order, joined by a tab; a column's text is
its canonical value with backslash and tab escaped (`\\\\`, `\\t`) and NULL as `\\N`, so that no
two rows share a text. Canonical values are chosen so that what an export changes about a type
does not change them:

    timestamptz      UTC wall clock, YYYY-MM-DD HH:MM:SS.ffffff  (an export may drop the zone)
    timestamp        its wall clock, the same format
    date             YYYY-MM-DD
    boolean          true / false
    numeric          PostgreSQL's text (keeps the scale: 15.50); Parquet decimal or string alike
    integers, text   their text (text as UTF-8 bytes, whatever the server encoding)
    double/real      shortest round-trip text, nan / inf / -inf
    bytea            lowercase hex

PostgreSQL computes it in one query per table (`table_digest`), the sum exact in numeric and
reduced mod 2^64 here; Arrow builds the canonical texts with pyarrow.compute kernels per batch and
only the md5 runs per row (pyarrow has no md5 kernel), in C through hashlib.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

MOD = 1 << 64
TS_FORMAT_PG = "YYYY-MM-DD HH24:MI:SS.US"  # what Arrow's cast of a timestamp("us") to string writes


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(key: str) -> str:
    schema, table = key.split(".", 1)
    return f"{quote_ident(schema)}.{quote_ident(table)}"


def hex64(value: int) -> str:
    return f"{value % MOD:016x}"


# --- PostgreSQL ------------------------------------------------------------------------------


def _category(pg_type: str) -> str:
    t = pg_type.lower()
    if t.startswith("timestamp") and "with time zone" in t or t == "timestamptz":
        return "timestamptz"
    if t.startswith("timestamp"):
        return "timestamp"
    if t == "date":
        return "date"
    if t == "boolean":
        return "boolean"
    if t in ("double precision", "real"):
        return "float"
    if t == "bytea":
        return "bytea"
    return "text"


def pg_value_sql(column: str, pg_type: str) -> str:
    """SQL for one column's canonical text (NULL stays NULL)."""
    c = quote_ident(column)
    kind = _category(pg_type)
    if kind == "timestamptz":
        return f"to_char({c} AT TIME ZONE 'UTC', '{TS_FORMAT_PG}')"
    if kind == "timestamp":
        return f"to_char({c}, '{TS_FORMAT_PG}')"
    if kind == "date":
        return f"to_char({c}, 'YYYY-MM-DD')"
    if kind == "boolean":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
    if kind == "float":
        return (
            f"CASE WHEN {c} = 'NaN' THEN 'nan' WHEN {c} = 'Infinity' THEN 'inf' "
            f"WHEN {c} = '-Infinity' THEN '-inf' ELSE {c}::text END"
        )
    if kind == "bytea":
        return f"encode({c}, 'hex')"
    return f"{c}::text"


def pg_field_sql(column: str, pg_type: str) -> str:
    value = pg_value_sql(column, pg_type)
    return f"coalesce(replace(replace({value}, E'\\\\', E'\\\\\\\\'), E'\\t', E'\\\\t'), E'\\\\N')"


def pg_row_sql(columns: Sequence[tuple[str, str]]) -> str:
    """SQL for the canonical row text; `columns` as (name, type) in any order."""
    ordered = sorted(columns)
    if not ordered:
        return "''"
    return " || E'\\t' || ".join(pg_field_sql(name, kind) for name, kind in ordered)


def pg_hash_sql(columns: Sequence[tuple[str, str]]) -> str:
    """SQL for a row's 64-bit hash as a (signed) bigint: the first 16 hex digits of the md5."""
    return f"('x' || substr(md5(convert_to({pg_row_sql(columns)}, 'UTF8')), 1, 16))::bit(64)::bigint"


def pg_columns(conn: Any, key: str) -> list[tuple[str, str]]:
    """(name, type) of a table's columns, from the catalogue (DB-API: psycopg or pg8000)."""
    cur = conn.cursor()
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (qualified(key),),
    )
    return [(str(n), str(t)) for n, t in cur.fetchall()]


def pg_primary_key(conn: Any, key: str) -> list[str]:
    cur = conn.cursor()
    cur.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        (qualified(key),),
    )
    return [str(r[0]) for r in cur.fetchall()]


@dataclass(frozen=True)
class TableDigest:
    rows: int
    digest: str  # 16 hex digits
    columns: tuple[tuple[str, str], ...] = ()  # (name, type) as the side that computed it saw them
    key: tuple[str, ...] = ()  # primary key columns, where known
    buckets: Mapping[int, str] = field(default_factory=dict)  # key bucket -> digest of its rows

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": self.rows, "digest": self.digest}
        if self.columns:
            out["columns"] = {n: t for n, t in self.columns}
        if self.key:
            out["key"] = list(self.key)
        if self.buckets:
            out["buckets"] = {str(b): d for b, d in sorted(self.buckets.items())}
        return out


def table_digest(conn: Any, key: str) -> TableDigest:
    columns = pg_columns(conn, key)
    cur = conn.cursor()
    cur.execute(f"SELECT count(*), coalesce(sum({pg_hash_sql(columns)}), 0) FROM {qualified(key)}")
    rows, total = cur.fetchone()
    return TableDigest(int(rows), hex64(int(total)), tuple(columns), tuple(pg_primary_key(conn, key)))


# Key buckets: the first 12 bits of the md5 of a row's key text. The evidence keeps the digest of
# each bucket's rows, so that an export that differs from the snapshot can be narrowed to the rows
# of the differing buckets (one row each in a small table) without the snapshot at hand.
BUCKET_BITS = 12


def pg_bucket_digests(conn: Any, key: str, key_columns: Sequence[str]) -> dict[int, str]:
    columns = pg_columns(conn, key)
    types = dict(columns)
    key_text = pg_row_sql([(k, types[k]) for k in key_columns])
    bucket = f"('x' || substr(md5(convert_to({key_text}, 'UTF8')), 1, {BUCKET_BITS // 4}))::bit({BUCKET_BITS})::int"
    cur = conn.cursor()
    cur.execute(f"SELECT {bucket}, sum({pg_hash_sql(columns)}) FROM {qualified(key)} GROUP BY 1")
    return {int(b): hex64(int(total)) for b, total in cur.fetchall()}


def key_bucket(text: bytes) -> int:
    d = hashlib.md5(text).digest()
    return int.from_bytes(d[:2], "big") >> (16 - BUCKET_BITS)


def arrow_buckets(
    batches: Iterable[pa.RecordBatch], key_columns: Sequence[str], source_types: Mapping[str, str], *, keep: int = 5
) -> tuple[dict[int, str], dict[int, tuple[int, list[str]]]]:
    """Per key bucket: the digest of its rows, and (rows, up to `keep` key texts)."""
    sums: dict[int, int] = {}
    seen: dict[int, tuple[int, list[str]]] = {}
    for batch in batches:
        keys = arrow_rows(batch, key_columns, source_types).cast(pa.binary()).to_pylist()
        hashes = row_hashes(arrow_rows(batch, batch.schema.names, source_types))
        for k, h in zip(keys, hashes, strict=True):
            b = key_bucket(k)
            sums[b] = (sums.get(b, 0) + h) % MOD
            n, sample = seen.get(b, (0, []))
            if len(sample) < keep:
                sample.append(k.decode("utf-8"))
            seen[b] = (n + 1, sample)
    return {b: hex64(v) for b, v in sums.items()}, seen


def pg_row_hashes(conn: Any, key: str, key_columns: Sequence[str]) -> dict[str, list[int]]:
    """Key text -> the hashes of the rows with that key (for naming differing rows)."""
    columns = pg_columns(conn, key)
    types = dict(columns)
    key_sql = pg_row_sql([(k, types[k]) for k in key_columns]) if key_columns else "''"
    cur = conn.cursor()
    cur.execute(f"SELECT {key_sql}, {pg_hash_sql(columns)} FROM {qualified(key)}")
    out: dict[str, list[int]] = {}
    for k, h in cur.fetchall():
        out.setdefault(str(k), []).append(int(h) % MOD)
    return out


# --- Arrow -----------------------------------------------------------------------------------


def arrow_value(column: pa.Array, source_type: str | None = None) -> pa.Array:
    """A column's canonical text (nulls stay null), by its Arrow type; `source_type`, the
    PostgreSQL type the column had before the export, says how to read a string column (RDS
    exports some types as strings)."""
    t = column.type
    kind = _category(source_type) if source_type else None
    if (pa.types.is_string(t) or pa.types.is_large_string(t)) and kind in ("timestamptz", "timestamp", "date"):
        target = {
            "timestamptz": pa.timestamp("us", tz="UTC"),
            "timestamp": pa.timestamp("us"),
            "date": pa.date32(),
        }[kind]
        column = pc.cast(column, target)
        t = column.type
    if pa.types.is_timestamp(t):
        # Microseconds (PostgreSQL's precision); a zoned value as its UTC wall clock: the instants
        # are UTC already, so reading them as naive is exact (and far faster than strftime).
        column = pc.cast(column, pa.timestamp("us", tz="UTC" if t.tz else None), safe=False)
        if t.tz:
            column = pc.cast(column.cast(pa.int64()), pa.timestamp("us"))
        return pc.cast(column, pa.string())
    if pa.types.is_date(t):
        return pc.cast(pc.cast(column, pa.date32()), pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return pa.array([None if v is None else v.hex() for v in column.to_pylist()], pa.string())
    if pa.types.is_dictionary(t):
        return arrow_value(pc.cast(column, t.value_type), source_type)
    if pa.types.is_string(t):
        return column
    return pc.cast(column, pa.string())


def arrow_field(column: pa.Array, source_type: str | None = None) -> pa.Array:
    value = arrow_value(column, source_type)
    t = column.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
        # Only text can hold a backslash or a tab; numbers, dates, booleans and hex never do.
        value = pc.replace_substring(pc.replace_substring(value, "\\", "\\\\"), "\t", "\\t")
    return pc.fill_null(value, "\\N")


def arrow_rows(batch: pa.RecordBatch | pa.Table, names: Sequence[str], types: Mapping[str, str]) -> pa.Array:
    """Canonical row texts of `names` (sorted here) as one string array."""
    ordered = sorted(names)
    if not ordered:
        return pa.array([""] * batch.num_rows, pa.string())
    fields = [arrow_field(_array(batch.column(n)), types.get(n)) for n in ordered]
    if len(fields) == 1:
        return fields[0]
    return pc.binary_join_element_wise(*fields, "\t")


def _array(column: Any) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def row_hashes(texts: pa.Array) -> Iterable[int]:
    """Each row's 64-bit hash (unsigned): the first 8 bytes of its md5, big-endian as PostgreSQL's
    bit(64) reads the first 16 hex digits. The only per-row Python: md5 in C, unpacking in C."""
    md5 = hashlib.md5
    joined = b"".join([md5(v).digest()[:8] for v in texts.cast(pa.binary()).to_pylist()])
    return (h for (h,) in struct.iter_unpack(">Q", joined))


@dataclass
class ArrowDigest:
    """Accumulates a table's digest batch by batch."""

    source_types: Mapping[str, str] = field(default_factory=dict)
    rows: int = 0
    total: int = 0

    def add(self, batch: pa.RecordBatch) -> None:
        texts = arrow_rows(batch, batch.schema.names, self.source_types)
        self.total = (self.total + sum(row_hashes(texts))) % MOD
        self.rows += batch.num_rows

    @property
    def digest(self) -> str:
        return hex64(self.total)


def arrow_row_hashes(
    batches: Iterable[pa.RecordBatch], key_columns: Sequence[str], source_types: Mapping[str, str]
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for batch in batches:
        keys = arrow_rows(batch, key_columns, source_types).to_pylist() if key_columns else [""] * batch.num_rows
        hashes = row_hashes(arrow_rows(batch, batch.schema.names, source_types))
        for k, h in zip(keys, hashes, strict=True):
            out.setdefault(k, []).append(h)
    return out


def differing_keys(left: Mapping[str, list[int]], right: Mapping[str, list[int]], limit: int = 5) -> list[str]:
    """Keys whose rows differ between the two sides (a sample of at most `limit`, sorted)."""
    found = []
    for k in sorted(set(left) | set(right)):
        if sorted(left.get(k, [])) != sorted(right.get(k, [])):
            found.append(k)
            if len(found) >= limit:
                break
    return found
