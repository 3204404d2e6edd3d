"""A real SMTP server for tests (aiosmtpd on a free loopback port) and helpers to read its mail."""

import email
import re
import socket
import threading
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LINK_RE = re.compile(r"https?://\S+/password/set/[A-Z0-9]+")


class _Collector:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Started and stopped by the `mail_server` fixture; `messages` holds what it received."""

    def __init__(self):
        self._collector = _Collector()
        self.port = _free_port()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self._collector.messages)

    def wait_for(self, to: str, timeout: float = 10) -> EmailMessage:
        """The newest message to `to`, waiting (bounded) for it to arrive."""
        with self._collector.arrived:
            self._collector.arrived.wait_for(lambda: self.to(to), timeout=timeout)
        found = self.to(to)
        assert found, f"no mail to {to}; got {[m['To'] for m in self.messages]}"
        return found[-1]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self._collector.messages if address.lower() in m["To"].lower()]


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage) -> str:
    found = LINK_RE.search(body(message))
    assert found, body(message)
    return found.group(0)
