"""Real TLS servers on 127.0.0.1 with their own CA (made with `cryptography`), for the probes.

Certificates are dated around the wall clock: OpenSSL judges them by it, whatever the test's
clock says. Each server counts the TCP connections it accepts.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write(self, path: Path) -> str:
        path.write_bytes(self.pem)
        return str(path)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.pem.decode())


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


@cache
def authority() -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(_name("Probe Test CA"))
            .issuer_name(_name("Probe Test CA")).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=30)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return Authority(key, cert)


def leaf(host: str, *, valid_days: float = 365, expired: bool = False) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for `host`, signed by the test CA."""
    ca = authority()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    start, end = ((now - timedelta(days=60), now - timedelta(days=1)) if expired
                  else (now - timedelta(days=1), now + timedelta(days=valid_days)))
    cert = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca.key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


@dataclass
class Server:
    port: int
    connections: list[str] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)


def _handler(server: Server, status: int, location: str | None) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append({"path": self.path, **dict(self.headers.items())})
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Set-Cookie", "session=secret; Secure")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def tls_server(host: str, *, status: int = 200, location: str | None = None,
               valid_days: float = 365, expired: bool = False,
               tmp: Path) -> Iterator[Server]:
    """An HTTPS server on 127.0.0.1 with a certificate for `host`."""
    cert, key = leaf(host, valid_days=valid_days, expired=expired)
    (tmp / f"{host}.crt").write_bytes(cert)
    (tmp / f"{host}.key").write_bytes(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp / f"{host}.crt", tmp / f"{host}.key")
    server = Server(port=0)

    class HTTPS(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[socket.socket, object]:
            conn, addr = self.socket.accept()
            server.connections.append(str(addr))
            # The handshake happens in the handler's thread, on first read.
            return context.wrap_socket(conn, server_side=True,
                                       do_handshake_on_connect=False), addr

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that refuses the certificate is what some tests are about

    httpd = HTTPS(("127.0.0.1", 0), _handler(server, status, location))
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextmanager
def silent_server() -> Iterator[Server]:
    """A TCP server on 127.0.0.1 that accepts and never says a word (a TLS handshake hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    server = Server(port=listener.getsockname()[1])
    held: list[socket.socket] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, addr = listener.accept()
            except OSError:
                continue
            server.connections.append(str(addr))
            held.append(conn)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()
