"""A test PKI and a PostgreSQL server stand-in that speaks just enough of the protocol to answer a
client's SSLRequest and finish the TLS handshake: what the database clients' certificate checks
are tested against (the session's real PostgreSQL listens on a Unix socket only, without TLS)."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# What the stand-in answers once the handshake is done: a client that reports it has verified the
# server's certificate (a refused one never gets this far).
ANSWER = "test server: the TLS handshake succeeded"
_SSL_REQUEST, _GSSENC_REQUEST = 80877103, 80877104


@dataclass(frozen=True)
class Issued:
    """A PEM file holding a certificate (a CA's, or a server's with its key)."""

    cert: Path
    key: Path


class TestCa:
    """A self-signed root CA that issues server certificates, like an RDS root CA (with the extensions
    that Python 3.13+'s strict verification, the Lambda runtime's, asks for)."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self._cert = (
            self._builder(subject, self._key.public_key())
            .issuer_name(subject)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(*[False] * 5, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.pem = self._write(f"{name}.pem", self._cert.public_bytes(serialization.Encoding.PEM))

    @staticmethod
    def _builder(subject: x509.Name, public_key) -> x509.CertificateBuilder:
        now = datetime.now(UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
        )

    def _write(self, name: str, data: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(data)
        return path

    def issue(self, host: str) -> Issued:
        """A server certificate for `host` (its only DNS name) and its key."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]), key.public_key())
            .issuer_name(self._cert.subject)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        stem = f"{self.name}-{host}"
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return Issued(
            cert=self._write(f"{stem}.pem", cert.public_bytes(serialization.Encoding.PEM)),
            key=self._write(f"{stem}.key", key_pem),
        )


@dataclass
class Served:
    """What the stand-in saw, in order: "handshake" when the TLS handshake completed (else
    "refused: <error>"), then "startup" when the client went on with its startup message (the
    step before it would send a password or token)."""

    port: int
    events: list[str] = field(default_factory=list)


def _answer_startup(conn: socket.socket, served: Served) -> None:
    """Read the client's startup message and refuse it with ANSWER (a FATAL ErrorResponse)."""
    (length,) = struct.unpack("!i", _read(conn, 4))
    _read(conn, length - 4)
    served.events.append("startup")
    fields = b"SFATAL\0C28000\0M" + ANSWER.encode() + b"\0\0"
    conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)


def _read(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data


def _serve_one(listener: socket.socket, context: ssl.SSLContext, served: Served) -> None:
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(10)
        while True:  # libpq may first ask for GSSAPI encryption: refused, then it asks for TLS
            _, code = struct.unpack("!ii", _read(conn, 8))
            if code != _GSSENC_REQUEST:
                break
            conn.sendall(b"N")
        assert code == _SSL_REQUEST, f"expected an SSLRequest, got code {code}"
        conn.sendall(b"S")
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except OSError as exc:  # ssl.SSLError too: the client refused the certificate
            served.events.append(f"refused: {exc}")
            return
        served.events.append("handshake")
        with tls:
            try:
                _answer_startup(tls, served)
            except OSError:  # ConnectionError too: a client that stops after the handshake (libpq checks the name then)
                pass


@contextmanager
def postgres_tls_server(issued: Issued) -> Iterator[Served]:
    """A stand-in on 127.0.0.1 that presents `issued` to one client, in a thread."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(issued.cert, issued.key)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(30)
        served = Served(port=listener.getsockname()[1])
        thread = threading.Thread(target=_serve_one, args=(listener, context, served), daemon=True)
        thread.start()
        yield served
        thread.join(timeout=30)


def ssl_request(sock: socket.socket) -> None:
    """What a PostgreSQL client sends before the handshake (pg8000 and libpq alike)."""
    sock.sendall(struct.pack("!ii", 8, _SSL_REQUEST))
    assert _read(sock, 1) == b"S"
