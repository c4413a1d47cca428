"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the email notifier's tests.

It records what it accepts and can be told to answer like a server in
trouble: 421 on connect, a given reply to RCPT or DATA (451, 550…), or a
slow answer to QUIT.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Recorder:
    """aiosmtpd handler: keeps accepted messages; ``rcpt_reply``/``data_reply`` override the answers."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each accepted message's bytes, as received
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_reply: str | None = None
        self.refuse: dict[str, str] = {}  # recipient -> reply, for that recipient only
        self.data_reply: str | None = None
        self.connections = 0
        self.quit_delay = 0.0  # seconds before answering QUIT

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_reply or address in self.refuse:
            return self.rcpt_reply or self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.data_reply:
            return self.data_reply
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.raw.append(content)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 2.0.0 Message accepted"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        await asyncio.sleep(self.quit_delay)
        return "221 Bye"


class EchoingAuth(Recorder):
    """Refuses every login quoting what the client sent, as some servers do: the AUTH blob, in base64."""

    async def handle_AUTH(self, server: SMTP, session: Session, envelope: Envelope, args: list[str]) -> str:  # noqa: N802
        if args[0].upper() == "LOGIN":
            password = await server.challenge_auth("Password:")
            assert isinstance(password, bytes)
            args = [*args, base64.b64encode(password).decode()]
        return f"535 5.7.8 Authentication failed: {' '.join(args)}"


class _RefusingSMTP(SMTP):
    """Answers 421 to the greeting and hangs up, like a server shedding load."""

    async def _handle_client(self) -> None:
        await self.push("421 4.3.2 Service not available, try later")
        assert self.transport is not None
        self.transport.close()


class _Controller(Controller):
    def __init__(self, handler: Recorder, refuse: bool, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.refuse = refuse

    def factory(self) -> SMTP:
        cls = _RefusingSMTP if self.refuse else SMTP
        return cls(self.handler, **self.SMTP_kwargs)


@contextmanager
def smtp_server(
    *, refuse_connections: bool = False, handler: Recorder | None = None, **options: Any
) -> Iterator[tuple[Recorder, int]]:
    """A running server: (its recorder, its port); ``options`` go to aiosmtpd's SMTP."""
    recorder = handler or Recorder()
    port = free_port()
    controller = _Controller(recorder, refuse_connections, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
