"""The SQL half of database auditing (VTC-AUDIT-TRAIL, §11 and §49), run at deployment.

The parameter group loads pgaudit and sets its session classes; what only SQL can do is done
here, idempotently, on every create and update of the custom resource:

- `CREATE EXTENSION pgaudit` in the LED database;
- the object-audit role (`pgaudit.role`, NOLOGIN): every table it may SELECT is a table whose
  reads are logged. It gets SELECT on the existing tables of the audited schemas and, through
  default privileges, on the tables the master user creates later;
- the master user's sessions are logged in full (`pgaudit.log = all`): it is the platform
  operator's account (VTC-PROCESSOR), so whatever it reads or changes is traceable;
- the read-only `led_restore_validator` role that the restore-test validation logs in as with
  IAM authentication (`rds_iam`): SELECT on the expected tables only, read-only transactions.

Deleting the resource changes nothing in the database: an audit set-up is never undone by a
stack operation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from functions.shared import database
from functions.shared.validation import quote_identifier, split_table_name


def _exists(conn: Any, sql: str, params: Sequence[Any]) -> bool:
    cur = conn.cursor()
    try:
        cur.execute(sql, tuple(params))
        return cur.fetchone() is not None
    finally:
        cur.close()


def _role_exists(conn: Any, role: str) -> bool:
    return _exists(conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (role,))


def _run(conn: Any, statements: list[str], sql: str) -> None:
    cur = conn.cursor()
    try:
        cur.execute(sql)
    finally:
        cur.close()
    statements.append(sql)


def setup_audit(
    conn: Any,
    *,
    admin_role: str,
    object_role: str,
    validator_role: str,
    audited_schemas: Sequence[str],
    validator_tables: Sequence[str],
) -> list[str]:
    """Bring the database to the audited state; returns the statements it ran. Safe to repeat."""
    done: list[str] = []
    q = quote_identifier
    _run(conn, done, "CREATE EXTENSION IF NOT EXISTS pgaudit")

    if not _role_exists(conn, object_role):
        _run(conn, done, f"CREATE ROLE {q(object_role)} NOLOGIN")
    _run(conn, done, f"ALTER ROLE {q(object_role)} NOLOGIN NOINHERIT")
    for schema in audited_schemas:
        if _exists(conn, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,)):
            _run(conn, done, f"GRANT SELECT ON ALL TABLES IN SCHEMA {q(schema)} TO {q(object_role)}")
            _run(
                conn, done, f"ALTER DEFAULT PRIVILEGES IN SCHEMA {q(schema)} GRANT SELECT ON TABLES TO {q(object_role)}"
            )

    _run(conn, done, f"ALTER ROLE {q(admin_role)} SET pgaudit.log = 'all'")

    if not _role_exists(conn, validator_role):
        _run(conn, done, f"CREATE ROLE {q(validator_role)} LOGIN")
    _run(conn, done, f"ALTER ROLE {q(validator_role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 2")
    _run(conn, done, f"ALTER ROLE {q(validator_role)} SET default_transaction_read_only = on")
    if _role_exists(conn, "rds_iam"):  # only on RDS: log in with IAM tokens, never a password
        _run(conn, done, f"GRANT rds_iam TO {q(validator_role)}")
    for table in validator_tables:
        schema, name = split_table_name(table)
        if _exists(conn, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,)):
            _run(conn, done, f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(validator_role)}")
        if _exists(
            conn,
            "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            (schema, name),
        ):
            _run(conn, done, f"GRANT SELECT ON {q(schema)}.{q(name)} TO {q(validator_role)}")
    conn.commit()
    return done


def on_event(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    props = event["ResourceProperties"]
    physical_id = f"led-pgaudit-{props['DatabaseName']}"
    if event["RequestType"] == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", physical_id)}

    import boto3

    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=props["SecretArn"])["SecretString"])
    conn = database.connect(
        user=secret["username"],
        password=secret["password"],
        host=props["Host"],
        port=int(props["Port"]),
        database=props["DatabaseName"],
        application_name="led-pgaudit-setup",
    )
    try:
        done = setup_audit(
            conn,
            admin_role=secret["username"],
            object_role=props["ObjectRole"],
            validator_role=props["ValidatorRole"],
            audited_schemas=props["AuditedSchemas"],
            validator_tables=props["ValidatorTables"],
        )
    finally:
        conn.close()
    fingerprint = hashlib.sha256("\n".join(done).encode()).hexdigest()[:16]
    print(json.dumps({"statements": len(done), "fingerprint": fingerprint}))
    return {"PhysicalResourceId": physical_id, "Data": {"Statements": str(len(done))}}
