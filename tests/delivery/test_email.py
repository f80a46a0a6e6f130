"""Email to a real SMTP server (aiosmtpd) on loopback: the message's parts, login, STARTTLS
required or not, and how refusals and absences are judged."""

from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd import smtp as aiosmtp
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from tests.delivery.support import T0, drift_alert, notification, null_alert
from tests.support import free_port

from smokejumper.delivery.registry import send

EXTERNAL = "https://sj.example"
USER, PASSWORD = "alerts", "smtp-pa55word"


@dataclass
class Mailbox:
    """What the server received, and how it answers RCPT (None: accept)."""

    messages: list[tuple[Envelope, EmailMessage]] = field(default_factory=list)
    rcpt_reply: str | None = None
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: aiosmtp.SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: aiosmtp.SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope, parsed))
        return "250 Message accepted"

    def authenticate(
        self,
        server: aiosmtp.SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (USER, PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int


def start(mailbox: Mailbox, **params: Any) -> Controller:
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=mailbox.authenticate,
        auth_require_tls=False,
        **params,
    )
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = start(mailbox)
    yield SmtpServer(mailbox, controller.port)
    controller.stop()


def settings(port: int, **more: Any) -> dict[str, Any]:
    return {
        "to": "ml@example.com, lead@example.com",
        "from": "smokejumper@example.com",
        "smarthost": f"127.0.0.1:{port}",
        "require_tls": False,
        **more,
    }


def test_email_has_plain_and_html_parts(smtp: SmtpServer) -> None:
    n = notification(drift_alert(3), null_alert())
    outcome = send("email_configs", settings(smtp.port), n, EXTERNAL)
    assert outcome.ok, outcome
    [(envelope, msg)] = smtp.mailbox.messages
    assert envelope.mail_from == "smokejumper@example.com"
    assert envelope.rcpt_tos == ["ml@example.com", "lead@example.com"]
    assert msg["Subject"] == "[FIRING:2] churn"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None
    assert html is not None
    text = plain.get_content()
    assert "FIRING: feature_drift monitor drift of model churn is unhealthy" in text
    assert "feature_0: wasserstein 0.9" in text
    assert "Null share of age: 37.5%" in text
    assert f"Model churn: {EXTERNAL}/api/v1/models/churn/observations" in text
    page = html.get_content()
    assert f'<a href="{EXTERNAL}/api/v1/models/churn/observations">Model churn</a>' in page
    assert "<li>feature_1: wasserstein 0.85</li>" in page


def test_resend_carries_the_same_message_id(smtp: SmtpServer) -> None:
    n = notification(drift_alert())
    assert send("email", settings(smtp.port), n, "").ok
    assert send("email", settings(smtp.port), n, "").ok
    ids = [msg["Message-ID"] for _, msg in smtp.mailbox.messages]
    assert len(ids) == 2
    assert ids[0] == ids[1]


def test_login_without_tls(smtp: SmtpServer) -> None:
    ok = settings(smtp.port, auth_username=USER, auth_password=PASSWORD)
    assert send("email", ok, notification(drift_alert()), "").ok
    assert smtp.mailbox.logins == [USER]
    wrong = settings(smtp.port, auth_username=USER, auth_password="not-it")
    outcome = send("email", wrong, notification(drift_alert()), "")
    assert outcome.status == "dead"
    assert "login refused (535" in outcome.error
    assert "not-it" not in outcome.error
    assert len(smtp.mailbox.messages) == 1


def test_password_from_file(smtp: SmtpServer, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    item = settings(smtp.port, auth_username=USER, auth_password_file=str(tmp_path / "pw"))
    assert send("email", item, notification(drift_alert()), "").ok
    assert smtp.mailbox.logins == [USER]


def test_require_tls_against_a_server_without_starttls_is_dead(smtp: SmtpServer) -> None:
    outcome = send("email", settings(smtp.port, require_tls=True), notification(drift_alert()), "")
    assert outcome.status == "dead"
    assert "does not offer STARTTLS and require_tls is true" in outcome.error
    assert smtp.mailbox.messages == []


@pytest.mark.parametrize(
    ("reply", "status"),
    [("550 5.1.1 No such user", "dead"), ("451 4.3.0 Try again later", "retry")],
)
def test_refused_recipients(smtp: SmtpServer, reply: str, status: str) -> None:
    smtp.mailbox.rcpt_reply = reply
    outcome = send("email", settings(smtp.port), notification(drift_alert()), "")
    assert outcome.status == status
    assert "refused every recipient" in outcome.error
    assert reply.split()[0] in outcome.error


def test_connection_refused_is_retried() -> None:
    outcome = send("email", settings(free_port()), notification(drift_alert()), "")
    assert outcome.status == "retry"
    assert outcome.error.startswith("SMTP 127.0.0.1:")


def test_only_resolved_and_send_resolved_false_sends_nothing(smtp: SmtpServer) -> None:
    n = notification(resolved=(drift_alert().resolve(T0),))
    outcome = send("email", settings(smtp.port, send_resolved=False), n, "")
    assert outcome.ok
    assert smtp.mailbox.messages == []


# --------------------------------------------------------------------------- STARTTLS


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_then_login(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    controller = start(mailbox, tls_context=context, require_starttls=True)
    try:
        item = settings(
            controller.port,
            require_tls=True,
            auth_username=USER,
            auth_password=PASSWORD,
            tls_config={"ca_file": str(cert)},
        )
        assert send("email", item, notification(drift_alert()), "").ok
        assert mailbox.logins == [USER]
        assert len(mailbox.messages) == 1
        # The same server, its certificate not trusted: dead, saying what to set.
        untrusted = {**item, "tls_config": {}}
        outcome = send("email", untrusted, notification(drift_alert()), "")
        assert outcome.status == "dead"
        assert "tls_config.ca_file" in outcome.error
    finally:
        controller.stop()
