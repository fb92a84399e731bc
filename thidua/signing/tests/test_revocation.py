"""Revocation lists fetched from the certificates' addresses: served here by a local HTTP
server from the test authority, one certificate revoked; guarded as the webhooks are."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.sign import signers

from thidua.signing import pdfsign, revocation, rules
from thidua.signing.authority import Credential, issue, new_authority, revocation_list
from thidua.signing.models import FetchedCrl
from thidua.signing.reads import verify_pdf
from thidua.signing.testing import SigningPki, sample_pdf

pytestmark = pytest.mark.django_db


@dataclass
class Served:
    """What the local server answers at each path, and the paths it was asked for."""

    port: int
    bodies: dict[str, bytes] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[Served]:
    served = Served(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.asked.append(self.path)
            if self.path == "/slow.crl":
                time.sleep(1.5)
            if self.path == "/moved.crl":
                self.send_response(302)
                self.send_header("Location", "/root.crl")
                self.end_headers()
                return
            body = served.bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.end_headers()  # no Content-Length: the size limit must hold while reading
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Issued:
    good: Credential
    revoked: Credential


@pytest.fixture
def issued(signing_settings: SigningPki, server: Served, settings: Any) -> Issued:
    """Two certificates of the trusted test authority naming the local server's list, one of
    them revoked in it; thidua configured with no list file and fetching on, the loopback
    network allowed."""
    pki = signing_settings
    url = server.url("/root.crl")
    good = issue(pki.root, pki.root_key, "Nguyễn Văn Còn", "Sở Tài chính", crl_url=url)
    revoked = issue(pki.root, pki.root_key, "Lê Văn Bị Thu", "Sở Tài chính", crl_url=url)
    crl = revocation_list(pki.root, pki.root_key, [revoked.certificate])
    server.bodies["/root.crl"] = crl.public_bytes(serialization.Encoding.DER)
    settings.THIDUA_SIGNING_CRLS = []
    settings.THIDUA_SIGNING_FETCH_CRLS = True
    settings.THIDUA_SIGNING_CRL_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.THIDUA_SIGNING_CRL_ALLOWED_PORTS = [80, 443, server.port]
    settings.THIDUA_SIGNING_CRL_TIMEOUT_SECONDS = 0.5
    return Issued(good, revoked)


def signed_by(credential: Credential) -> bytes:
    signer = signers.SimpleSigner.load_pkcs12_data(
        credential.pkcs12, other_certs=[], passphrase=credential.password.encode()
    )
    return pdfsign.sign(
        sample_pdf(),
        signer,
        role=rules.PERSON,
        field_name="NguoiKy1",
        box=rules.box_for(rules.PERSON),
        lines=[credential.name],
    )


def test_a_certificate_revoked_in_the_list_at_its_address_is_reported(
    issued: Issued, server: Served
) -> None:
    revoked = verify_pdf(signed_by(issued.revoked))
    [signature] = revoked.signatures
    assert signature.revoked and not signature.trusted and not revoked.ok
    assert any("thu hồi" in p or "revoked" in p for p in signature.problems)
    good = verify_pdf(signed_by(issued.good))
    assert good.ok, good.problems
    # One fetch for both verifications: the list is kept until its next update.
    assert server.asked == ["/root.crl"]
    assert FetchedCrl.objects.get().url == server.url("/root.crl")


def test_a_list_kept_is_used_when_the_server_is_gone(
    issued: Issued, server: Served, settings: Any
) -> None:
    verify_pdf(signed_by(issued.good))
    FetchedCrl.objects.update(next_update=None, fetched_at="2000-01-01T00:00:00Z")  # stale
    del server.bodies["/root.crl"]  # the server now answers 404
    [signature] = verify_pdf(signed_by(issued.revoked)).signatures
    assert signature.revoked
    assert signature.notes and "404" in signature.notes[0]
    assert server.asked == ["/root.crl", "/root.crl"]


def test_a_list_on_the_servers_own_network_is_not_fetched_unless_allowed(
    issued: Issued, server: Served, settings: Any
) -> None:
    settings.THIDUA_SIGNING_CRL_ALLOWED_NETWORKS = []
    [signature] = verify_pdf(signed_by(issued.revoked)).signatures
    assert server.asked == []
    assert not signature.revoked  # not checked, as with no list: said in a note
    assert signature.notes and "127.0.0.1" in signature.notes[0]
    assert not FetchedCrl.objects.exists()


def test_a_stranger_s_certificate_makes_nothing_fetched(issued: Issued, server: Served) -> None:
    root, key = new_authority("CA của người lạ")
    stranger = issue(root, key, "Người Lạ", "Cơ quan lạ", crl_url=server.url("/root.crl"))
    [signature] = verify_pdf(signed_by(stranger)).signatures
    assert not signature.trusted
    assert server.asked == []


def test_a_list_too_large_redirected_slow_or_not_http_is_refused(
    issued: Issued, server: Served, settings: Any
) -> None:
    settings.THIDUA_SIGNING_CRL_MAX_MB = 0.01
    server.bodies["/big.crl"] = b"0" * 20_000
    server.bodies["/not-a-list.crl"] = b"<html>not a list</html>"
    refusals = {}
    for path in ("/big.crl", "/moved.crl", "/slow.crl", "/not-a-list.crl"):
        with pytest.raises(revocation.FetchRefused) as refused:
            revocation.fetch(server.url(path))
        refusals[path] = refused.value.message
    assert "MB" in refusals["/big.crl"]
    assert "302" in refusals["/moved.crl"]
    assert "0.5" in refusals["/slow.crl"]
    with pytest.raises(revocation.FetchRefused):
        revocation.fetch(f"ftp://127.0.0.1:{server.port}/root.crl")
    with pytest.raises(revocation.FetchRefused):
        revocation.fetch("http://127.0.0.1:22/root.crl")  # a port not allowed
    assert "/root.crl" not in server.asked
