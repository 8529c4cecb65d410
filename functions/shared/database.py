"""A function's connection to an LED database: pg8000 over TLS, as the parameter group forces
(rds.force_ssl = 1), with the server certificate verified when the RDS CA bundle is bundled.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

# The bundler puts the RDS CA bundle next to this module when the set-up provided it.
CA_BUNDLE_NAME = "rds-ca-bundle.pem"
CA_BUNDLE = Path(__file__).with_name(CA_BUNDLE_NAME)


def ssl_context() -> ssl.SSLContext:
    """TLS verified against the RDS CA bundle when it is in the bundle; TLS in any case, since
    the parameter group forces it (rds.force_ssl = 1)."""
    if CA_BUNDLE.is_file():
        return ssl.create_default_context(cafile=str(CA_BUNDLE))
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(*, host: str, port: int, database: str, user: str, password: str, application_name: str) -> Any:
    """A DB-API connection (pg8000); `password` is the master secret's or an IAM token."""
    import pg8000.dbapi  # bundled; imported here so that the module loads in tests without it

    return pg8000.dbapi.connect(
        user=user,
        password=password,
        host=host,
        port=port,
        database=database,
        ssl_context=ssl_context(),
        timeout=60,
        application_name=application_name,
    )
