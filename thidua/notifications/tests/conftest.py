"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, a real webhook
receiver (HTTP, on loopback too), and the small cluster's people with e-mail addresses."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from thidua.testing.personas import World

SITE = "https://thidua.example.gov.vn"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Mailbox:
    """What the server took, and the addresses it refuses (550 at RCPT, as a bounce does)."""

    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """An SMTP server on a free loopback port, which Django's e-mail goes to for the test."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "thidua@example.gov.vn"
    settings.THIDUA_SITE_URL = SITE
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def people(world: World) -> World:
    """The small cluster, every account with an address of its own."""
    for user in (
        world.supervisor,
        world.son_la_officer,
        world.son_la_leader,
        world.cao_bang_officer,
        world.cao_bang_leader,
        world.lai_chau_officer,
        world.lai_chau_leader,
        world.outsider,
    ):
        user.email = f"{user.username}@example.gov.vn"
        user.save(update_fields=["email"])
    return world


@dataclass
class Receiver:
    """A webhook receiver on loopback: what it got, and its address.

    /ok answers 200, /moved a redirect to /ok, anything else 500. Webhooks may reach it only
    where a test allows loopback and its port (`allow`), as an administrator allows an
    internal receiver.
    """

    port: int
    received: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def allow(self, settings: Any) -> None:
        settings.THIDUA_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
        settings.THIDUA_WEBHOOK_ALLOWED_PORTS = [80, 443, self.port]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = {"/ok": 200, "/moved": 302}.get(self.path, 500)
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Receiver(int(server.server_address[1]), got)
    finally:
        server.shutdown()
        server.server_close()
