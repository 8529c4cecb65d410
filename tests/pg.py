"""Helpers around the session's real PostgreSQL server (the `postgres_dsn` fixture of conftest.py):
every test that needs a clean slate asks `new_database` for a database of its own."""

from __future__ import annotations

import uuid

import psycopg


def new_database(admin_dsn: str, prefix: str = "t") -> str:
    """Create an empty database on the server of `admin_dsn`; its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(admin_dsn)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)
