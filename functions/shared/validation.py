"""SQL sanity checks of a (restored) LED database: VTC-BACKUP-ENVIRONMENT (§40).

A backup only counts when it can be restored into a running database that holds the data. These
checks run against the restored instance, both in the landing zone's restore-validation Lambda
(pg8000) and in `led-ops restore-drill` (psycopg 3): `conn` is any DB-API 2 connection whose
paramstyle accepts `%s` placeholders (pg8000, psycopg 3, psycopg2).

Every check is read-only. Table names come from configuration, never from the database, yet they
are still looked up in the catalogue as parameters and quoted as identifiers before being used in
a statement: nothing from the configuration is ever pasted into SQL unquoted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "ValidationResult", "validate_database", "quote_identifier", "split_table_name"]

# Relation kinds that hold or expose rows: tables, partitioned tables, views, materialized views,
# foreign tables.
_ROW_RELKINDS = ("r", "p", "v", "m", "f")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ValidationResult:
    ok: bool
    checks: list[Check] = field(default_factory=list)

    def summary(self) -> str:
        """One line: the verdict, then every failed check (or the number that passed)."""
        failed = [c for c in self.checks if not c.ok]
        if self.ok:
            return f"OK: {len(self.checks)} checks passed"
        if not self.checks:
            return "FAILED: no checks ran"
        reasons = "; ".join(f"{c.name}: {c.detail}" for c in failed)
        return f"FAILED: {len(failed)} of {len(self.checks)} checks failed: {reasons}"


def quote_identifier(name: str) -> str:
    """A PostgreSQL identifier, double-quoted with embedded quotes doubled (no injection)."""
    if not name or "\x00" in name:
        raise ValueError(f"got {name!r}; allowed: a non-empty identifier without NUL characters")
    return '"' + name.replace('"', '""') + '"'


def split_table_name(name: str) -> tuple[str, str]:
    """`schema.table` or `table` (schema public) -> (schema, table), names taken literally."""
    schema, dot, table = name.partition(".")
    if not dot:
        schema, table = "public", name
    if not schema or not table or "." in table:
        raise ValueError(f"got table {name!r}; allowed: 'table' or 'schema.table'")
    return schema, table


def validate_database(
    conn: Any,
    *,
    expected_tables: Sequence[str],
    min_rows: Mapping[str, int],
    max_newest_age_days: int | None,
    newest_column: Mapping[str, str],
) -> ValidationResult:
    """Check that the expected tables exist, hold at least `min_rows[table]` rows, and that the
    newest `newest_column[table]` value is at most `max_newest_age_days` old (skipped if None).

    A failed check does not stop the others: the result lists every check with its outcome.
    """
    if isinstance(expected_tables, str):
        raise ValueError(f"expected_tables: got the string {expected_tables!r}; allowed: a sequence of table names")
    if not expected_tables:
        raise ValueError("expected_tables: got an empty sequence; allowed: at least one table name")
    for table, count in min_rows.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"min_rows[{table!r}]: got {count!r}; allowed: an integer >= 0")
    if max_newest_age_days is not None and (isinstance(max_newest_age_days, bool) or max_newest_age_days < 0):
        raise ValueError(f"max_newest_age_days: got {max_newest_age_days!r}; allowed: an integer >= 0 or None")

    # Every table the checks refer to must be present, in a stable order.
    tables = list(
        dict.fromkeys([*expected_tables, *min_rows, *(newest_column if max_newest_age_days is not None else ())])
    )
    names = {t: split_table_name(t) for t in tables}
    for column in newest_column.values():
        quote_identifier(column)

    checks: list[Check] = []
    present: set[str] = set()
    for table in tables:
        check = _guarded(conn, f"table {table}", lambda t=table: _table_present(conn, *names[t]))
        checks.append(check)
        if check.ok:
            present.add(table)

    for table, minimum in min_rows.items():
        name = f"rows {table}"
        if table not in present:
            checks.append(Check(name, False, "not counted: table missing"))
            continue
        checks.append(_guarded(conn, name, lambda t=table, m=minimum: _row_count(conn, *names[t], m)))

    if max_newest_age_days is not None:
        for table, column in newest_column.items():
            name = f"newest {table}.{column}"
            if table not in present:
                checks.append(Check(name, False, "not checked: table missing"))
                continue
            checks.append(
                _guarded(conn, name, lambda t=table, c=column: _newest(conn, *names[t], c, max_newest_age_days))
            )

    return ValidationResult(ok=all(c.ok for c in checks), checks=checks)


def _guarded(conn: Any, name: str, run: Any) -> Check:
    """Run one check; a database error fails that check only (the transaction is rolled back so
    that the next check can still run)."""
    try:
        ok, detail = run()
    except Exception as exc:  # any driver's error class; reported, not swallowed
        try:
            conn.rollback()
        except Exception:  # the connection may be gone; the check has failed anyway
            pass
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return Check(name, False, f"error: {type(exc).__name__}: {first_line}")
    return Check(name, ok, detail)


def _fetchone(conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    cur = conn.cursor()
    try:
        cur.execute(sql, tuple(params))
        return cur.fetchone()
    finally:
        cur.close()


def _table_present(conn: Any, schema: str, table: str) -> tuple[bool, str]:
    row = _fetchone(
        conn,
        "SELECT c.relkind FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        (schema, table),
    )
    if row is None:
        return False, "missing"
    relkind = row[0].decode() if isinstance(row[0], bytes) else str(row[0])
    if relkind not in _ROW_RELKINDS:
        return False, f"exists but is not a table or view (relkind {relkind!r})"
    return True, "present"


def _qualified(schema: str, table: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def _row_count(conn: Any, schema: str, table: str, minimum: int) -> tuple[bool, str]:
    (count,) = _fetchone(conn, f"SELECT count(*) FROM {_qualified(schema, table)}")
    count = int(count)
    if count < minimum:
        return False, f"{count} rows, expected at least {minimum}"
    return True, f"{count} rows (at least {minimum})"


def _newest(conn: Any, schema: str, table: str, column: str, max_age_days: int) -> tuple[bool, str]:
    exists = _fetchone(
        conn,
        "SELECT 1 FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attname = %s AND a.attnum > 0 AND NOT a.attisdropped",
        (schema, table, column),
    )
    if exists is None:
        return False, f"column {column!r} missing"
    # date - date is a whole number of days, whatever the column's date/time type.
    newest, age = _fetchone(
        conn,
        f"SELECT max({quote_identifier(column)})::text, current_date - max({quote_identifier(column)})::date "
        f"FROM {_qualified(schema, table)}",
    )
    if newest is None:
        return False, "no records (newest value is NULL)"
    age = int(age)
    if age > max_age_days:
        return False, f"newest {newest} is {age} days old, expected at most {max_age_days}"
    return True, f"newest {newest} ({age} days old, at most {max_age_days})"
