"""A function's connection to an LED database: pg8000 over TLS, as the parameter group forces
(rds.force_ssl = 1), with the server's certificate verified against the RDS CA bundle and its
name checked, so that nobody between the function and the database can take the password or the
IAM token.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

# The bundler (cdk_constructs/lambda_bundle.py) puts the RDS CA bundle next to this module in
# every bundle that holds it; `make setup` writes it (.wheelhouse/rds-ca-bundle.pem).
CA_BUNDLE_NAME = "rds-ca-bundle.pem"
CA_BUNDLE = Path(__file__).with_name(CA_BUNDLE_NAME)


class CaBundleMissing(RuntimeError):
    """The RDS CA bundle is not next to this module: said in one line. There is no unverified
    fallback."""


def ssl_context() -> ssl.SSLContext:
    """TLS that trusts the RDS CAs of the bundle only, requires the server's certificate and
    checks that it names the host connected to."""
    if not CA_BUNDLE.is_file():
        raise CaBundleMissing(
            f"the RDS CA bundle {CA_BUNDLE} is missing, so the database's certificate cannot be verified; "
            "the bundler adds it to every function that connects (run `make setup` to write it)"
        )
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(CA_BUNDLE))
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
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
