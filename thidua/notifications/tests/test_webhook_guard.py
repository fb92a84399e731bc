"""A webhook cannot be turned on the server's own network: an internal, local or reserved
address is refused when subscribing and again when sending (its name may lead elsewhere by
then), the connection goes to the address checked, and a redirect is not followed.

No network is needed: the refused addresses are refused before anything is sent, and the
receiver that is reached is a real HTTP server on loopback, allowed as an administrator
allows an internal receiver. The rule on addresses itself, shared with the revocation lists,
is proved in thidua/lib/tests/test_outbound.py."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone

from thidua.api.actions import do_create_token
from thidua.audit.models import AuditEntry
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.notifications import actions
from thidua.notifications.models import FeedEvent, Subscription, WebhookDelivery
from thidua.testing.personas import World

from .conftest import Receiver

# --- when subscribing -------------------------------------------------------------------------


REFUSED_URLS = [
    ("http://127.0.0.1/hook", "dẫn tới 127.0.0.1, thuộc một mạng riêng"),
    ("http://10.0.0.1/hook", "dẫn tới 10.0.0.1"),
    ("http://[::1]/hook", "dẫn tới ::1"),
    ("http://169.254.169.254/latest/meta-data/", "dẫn tới 169.254.169.254"),
    ("http://localhost/hook", "Địa chỉ webhook localhost dẫn tới"),  # a name for loopback
    ("http://2130706433/hook", "dẫn tới 127.0.0.1"),  # 127.0.0.1 as one decimal number
    ("http://0177.0.0.1/hook", "dẫn tới 127.0.0.1"),  # and in octal
    ("http://[::ffff:127.0.0.1]/hook", "dẫn tới ::ffff:7f00:1"),
    ("https://8.8.8.8:8443/hook", "Webhook chỉ được gửi tới các cổng 80, 443."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "said"), REFUSED_URLS)
def test_a_subscription_to_an_internal_address_is_refused(
    world: World, settings: Any, url: str, said: str
) -> None:
    assert settings.THIDUA_WEBHOOK_ALLOWED_NETWORKS == []  # as deployed by default
    with pytest.raises(ActionRefused) as refused:
        actions.do_subscribe(url=url, kinds=["phase.opened"], acting_user=world.lai_chau_officer)
    assert refused.value.status == 400
    assert said in refused.value.message
    assert not Subscription.objects.exists()
    assert not AuditEntry.objects.filter(action="webhook.subscribe").exists()


@pytest.mark.django_db
def test_the_api_refuses_the_metadata_service_with_400_in_vietnamese(
    world: World, client: Client
) -> None:
    _token, key = do_create_token(name="script", acting_user=world.lai_chau_officer)
    answer = client.post(
        "/api/v1/webhooks",
        {"url": "http://169.254.169.254/latest/meta-data/", "kinds": ["phase.opened"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Địa chỉ webhook 169.254.169.254 dẫn tới 169.254.169.254, thuộc một mạng riêng, nội bộ "
        "hoặc dành riêng: webhook chỉ được gửi tới các địa chỉ công khai."
    )
    assert not Subscription.objects.exists()


# --- when sending ---------------------------------------------------------------------------


def open_pledge(world: World) -> FeedEvent:
    world.launch()
    do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.son_la_officer)
    return FeedEvent.objects.get(kind="phase.opened")


@pytest.mark.django_db
def test_a_local_receiver_is_reached_once_the_administrator_allows_it(
    world: World, settings: Any, receiver: Receiver
) -> None:
    url = receiver.url("/ok")
    with pytest.raises(ActionRefused):
        actions.do_subscribe(url=url, kinds=["phase.opened"], acting_user=world.lai_chau_officer)
    receiver.allow(settings)
    actions.do_subscribe(url=url, kinds=["phase.opened"], acting_user=world.lai_chau_officer)
    open_pledge(world)
    assert actions.do_send_webhooks() == {"delivered": 1}
    (got,) = receiver.received
    assert got["headers"]["Host"] == f"127.0.0.1:{receiver.port}"


@pytest.mark.django_db
def test_an_address_that_now_leads_inside_is_refused_when_sending_and_the_record_says_why(
    world: World, settings: Any, receiver: Receiver, as_user: Any
) -> None:
    receiver.allow(settings)
    actions.do_subscribe(
        url=receiver.url("/ok"), kinds=["phase.opened"], acting_user=world.lai_chau_officer
    )
    open_pledge(world)
    # The network is no longer allowed (or the name now leads elsewhere): nothing is sent.
    settings.THIDUA_WEBHOOK_ALLOWED_NETWORKS = []
    assert actions.do_send_webhooks() == {"failed": 1}
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 1, None)
    reason = (
        "Không gửi: Địa chỉ webhook 127.0.0.1 dẫn tới 127.0.0.1, thuộc một mạng riêng, nội bộ "
        "hoặc dành riêng: webhook chỉ được gửi tới các địa chỉ công khai."
    )
    assert delivery.last_error == reason
    # Not tried again on its own; the administrator sees why.
    assert actions.next_webhook_attempt() is None
    page = as_user(world.admin).get("/admin/notifications/webhookdelivery/")
    assert page.status_code == 200 and "Không gửi: Địa chỉ webhook 127.0.0.1" in page.text


@pytest.mark.django_db
def test_the_post_goes_to_the_address_checked_not_to_a_second_lookup(
    world: World, settings: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that answers a loopback address (allowed here) to its first two lookups, and
    another address to any later one (DNS rebinding): a lookup to connect, after the check,
    would reach 10.9.9.9; the POST reaches the address checked, addressed to the name."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.rebind.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        where = "127.0.0.1" if len(lookups) <= 2 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (where, args[0]))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    receiver.allow(settings)
    url = receiver.url("/ok", host="hooks.rebind.test")
    actions.do_subscribe(url=url, kinds=["phase.opened"], acting_user=world.lai_chau_officer)
    open_pledge(world)
    assert actions.do_send_webhooks() == {"delivered": 1}
    assert lookups == ["hooks.rebind.test", "hooks.rebind.test"]  # subscribing, then sending
    (got,) = receiver.received
    assert got["headers"]["Host"] == f"hooks.rebind.test:{receiver.port}"
    # Now that the name leads to 10.9.9.9, the check refuses to send there.
    WebhookDelivery.objects.update(status="pending", attempts=0, next_attempt_at=timezone.now())
    assert actions.do_send_webhooks() == {"failed": 1}
    assert "dẫn tới 10.9.9.9" in WebhookDelivery.objects.get().last_error
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    world: World, settings: Any, receiver: Receiver
) -> None:
    receiver.allow(settings)
    actions.do_subscribe(
        url=receiver.url("/moved"), kinds=["phase.opened"], acting_user=world.lai_chau_officer
    )
    open_pledge(world)
    assert actions.do_send_webhooks() == {"pending": 1}  # tried again later, as any refusal
    assert [got["path"] for got in receiver.received] == ["/moved"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status) == (1, 302)
    assert delivery.last_error == (
        "Bên nhận trả lời bằng một lệnh chuyển hướng (HTTP 302 tới /ok): "
        "webhook không đi theo chuyển hướng."
    )


def self_signed(name: str, folder: Path) -> tuple[Path, Path]:
    """A certificate for `name`, its own authority, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.django_db
def test_https_goes_to_the_address_checked_with_the_name_as_tls_server_name(
    world: World, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real TLS receiver on loopback whose certificate names only hooks.tls.test: reached
    at the address checked, the name is what TLS asks for and what the certificate is
    checked against."""
    cert, key = self_signed("hooks.tls.test", tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    asked: list[str | None] = []
    tls.sni_callback = lambda _socket, name, _context: asked.append(name)
    got: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            got.append(str(self.headers["Host"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = int(server.server_address[1])
    real = socket.getaddrinfo

    def named(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "hooks.tls.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", named)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the receiver's authority is trusted
    settings.THIDUA_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.THIDUA_WEBHOOK_ALLOWED_PORTS = [port]
    try:
        actions.do_subscribe(
            url=f"https://hooks.tls.test:{port}/ok",
            kinds=["phase.opened"],
            acting_user=world.lai_chau_officer,
        )
        open_pledge(world)
        assert actions.do_send_webhooks() == {"delivered": 1}
    finally:
        server.shutdown()
        server.server_close()
    assert asked == ["hooks.tls.test"]
    assert got == [f"hooks.tls.test:{port}"]
