"""Real servers for the notification channels: an SMTP server (aiosmtpd) and a group-robot HTTP server.

Nothing of the sending code is mocked: e-mails go through Django's SMTP backend to a server listening
on 127.0.0.1, robot posts through urllib to an HTTP server in a thread.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.world import world  # noqa: F401  (a fixture)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    """aiosmtpd handler keeping every message it is given, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@dataclass
class SMTPServer:
    handler: _Collector
    host: str
    port: int

    @property
    def messages(self) -> list:
        return self.handler.messages

    def recipients(self) -> list[str]:
        return sorted(address for envelope in self.handler.envelopes for address in envelope.rcpt_tos)

    def to(self, address: str) -> list:
        return [m for m, e in zip(self.handler.messages, self.handler.envelopes, strict=True) if address in e.rcpt_tos]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and the settings that make Django send to it."""
    handler = _Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield SMTPServer(handler, "127.0.0.1", port)
    finally:
        controller.stop()


@dataclass
class RobotServer:
    """A group-robot webhook: records each JSON body posted, answers as `status` / `errcode` say."""

    host: str
    port: int
    bodies: list = field(default_factory=list)
    paths: list = field(default_factory=list)
    headers: list = field(default_factory=list)
    status: int = 200
    errcode: int = 0

    def url(self, path: str = "/cgi-bin/webhook/send?key=test") -> str:
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture
def robot_server():
    """A real HTTP server on 127.0.0.1 in a thread; set `.status = 500` or `.errcode = 93000` to refuse."""
    robot = RobotServer("127.0.0.1", 0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            robot.paths.append(self.path)
            robot.headers.append(dict(self.headers))
            robot.bodies.append(json.loads(raw.decode("utf-8")))
            answer = json.dumps({"errcode": robot.errcode, "errmsg": "ok" if not robot.errcode else "refused"})
            self.send_response(robot.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer.encode())

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robot.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
