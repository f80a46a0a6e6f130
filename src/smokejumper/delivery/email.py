"""Email over SMTP: the message of :mod:`smokejumper.alerting.payloads.email` (plain text and
HTML), sent to the smarthost with STARTTLS and login as configured.

Settings, as Alertmanager names them: ``to`` (required; addresses separated by commas),
``from`` (required), ``smarthost`` (required, ``host:port``; port 465 speaks TLS from the
start), ``hello`` (default ``localhost``), ``require_tls`` (default ``true``: the server must
offer STARTTLS and the session is encrypted before login; ``false`` sends in clear, for a
relay on a trusted network), ``auth_username``, ``auth_password`` (secret; or
``auth_password_file``, or ``${ENV}``), ``tls_config`` (``ca_file``, ``insecure_skip_verify``),
``headers``, ``timeout``, ``send_resolved``.

What failures mean: no connection, a dropped connection, a timeout or a 4xx reply is
temporary (retry); a 5xx reply (recipient or sender refused, login refused), a server without
STARTTLS when it is required, a certificate that does not verify, or a missing setting is dead.

>>> smarthost("mail.example.com:587", "team.email_configs[0]")
('mail.example.com', 587)
>>> smarthost("[::1]:25", "team.email_configs[0]")
('::1', 25)
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import wanted
from smokejumper.alerting.payloads.email import email_message, recipients
from smokejumper.delivery.base import Item, nothing_to_send
from smokejumper.delivery.outcome import Outcome
from smokejumper.errors import ReceiverSettingsError, SmokejumperError


@dataclass(frozen=True)
class Mail:
    """One message to send, and how: the settings checked."""

    host: str
    port: int
    hello: str
    require_tls: bool
    username: str | None
    password: str | None
    context: ssl.SSLContext
    timeout: float
    sender: str
    to: Sequence[str]
    message: EmailMessage


@dataclass(frozen=True)
class EmailIntegration:
    """One ``email_configs`` item."""

    item: Item

    @property
    def kind(self) -> str:
        """``email_configs``."""
        return self.item.kind

    def send(self, notification: Notification) -> Outcome:
        """Send the notification's email once."""
        try:
            settings = self.item.resolved()
            if notification.message is None and not wanted(notification, settings):
                return nothing_to_send()
            mail = self._mail(notification, settings)
        except SmokejumperError as e:
            return Outcome.dead(str(e))
        return send_mail(mail).scrubbed(self.item.secrets(settings))

    def _mail(self, notification: Notification, settings: dict[str, Any]) -> Mail:
        where = self.item.where
        self.item.check_required(settings)
        to = recipients(settings)
        if not to:
            raise ReceiverSettingsError(f"{where}.to", "missing; give one address or more")
        sender = self.item.required(settings, "from")
        host, port = smarthost(self.item.required(settings, "smarthost"), where)
        require_tls = settings.get("require_tls", True)
        if not isinstance(require_tls, bool):
            raise ReceiverSettingsError(f"{where}.require_tls", "must be true or false")
        username = settings.get("auth_username") or None
        return Mail(
            host=host,
            port=port,
            hello=str(settings.get("hello") or "localhost"),
            require_tls=require_tls,
            username=str(username) if username else None,
            password=str(settings["auth_password"]) if settings.get("auth_password") else None,
            context=tls_context(settings.get("tls_config"), where),
            timeout=self.item.timeout(settings),
            sender=sender,
            to=to,
            message=email_message(notification, settings, self.item.external_url),
        )


def smarthost(value: str, where: str) -> tuple[str, int]:
    """``host`` and ``port`` of a ``host:port`` setting (``[v6]:port`` for IPv6)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ReceiverSettingsError(
            f"{where}.smarthost", f"{value!r} is not host:port (e.g. smtp.example.com:587)"
        )
    return host.removeprefix("[").removesuffix("]"), int(port)


def tls_context(config: object, where: str) -> ssl.SSLContext:
    """The TLS context of an item's ``tls_config`` (``ca_file``, ``insecure_skip_verify``)."""
    context = ssl.create_default_context()
    if config is None:
        return context
    if not isinstance(config, Mapping):
        raise ReceiverSettingsError(f"{where}.tls_config", "must be a mapping")
    if config.get("ca_file"):
        try:
            context.load_verify_locations(cafile=str(config["ca_file"]))
        except (OSError, ssl.SSLError) as e:
            raise ReceiverSettingsError(
                f"{where}.tls_config.ca_file", f"cannot load certificates: {e}"
            ) from None
    if config.get("insecure_skip_verify") is True:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send_mail(mail: Mail) -> Outcome:
    """Connect, secure, log in and send ``mail`` once; judge what happened."""
    where = f"SMTP {mail.host}:{mail.port}"
    try:
        refused = _session(mail)
    except smtplib.SMTPNotSupportedError as e:
        return Outcome.dead(f"{where}: {e}")
    except smtplib.SMTPAuthenticationError as e:
        return Outcome.dead(
            f"{where}: login refused ({_reply(e.smtp_code, e.smtp_error)}); "
            "check auth_username and auth_password"
        )
    except smtplib.SMTPRecipientsRefused as e:
        return _refused(where, e.recipients)
    except smtplib.SMTPResponseException as e:
        said = f"{where} answered {_reply(e.smtp_code, e.smtp_error)}"
        return Outcome.retry(said) if 400 <= e.smtp_code < 500 else Outcome.dead(said)
    except smtplib.SMTPServerDisconnected as e:
        return Outcome.retry(f"{where}: the server closed the connection ({e})")
    except ssl.SSLCertVerificationError as e:
        return Outcome.dead(
            f"{where}: the server's certificate does not verify ({e.verify_message}); "
            "set tls_config.ca_file to the CA that signed it"
        )
    except (OSError, smtplib.SMTPException) as e:
        return Outcome.retry(f"{where}: {type(e).__name__}: {e}")
    if refused:
        return Outcome.delivered(f"some recipients refused: {', '.join(sorted(refused))}")
    return Outcome.delivered()


def _session(mail: Mail) -> dict[str, tuple[int, bytes]]:
    smtp: smtplib.SMTP
    if mail.port == 465:
        smtp = smtplib.SMTP_SSL(
            mail.host,
            mail.port,
            local_hostname=mail.hello,
            timeout=mail.timeout,
            context=mail.context,
        )
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, local_hostname=mail.hello, timeout=mail.timeout)
    with smtp:
        smtp.ehlo()
        if mail.require_tls and mail.port != 465:
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    "the server does not offer STARTTLS and require_tls is true; use a server "
                    "that does, or set require_tls: false for a relay on a trusted network"
                )
            smtp.starttls(context=mail.context)
            smtp.ehlo()
        if mail.username:
            smtp.login(mail.username, mail.password or "")
        return smtp.send_message(mail.message, from_addr=mail.sender, to_addrs=list(mail.to))


def _refused(where: str, recipients: Mapping[str, tuple[int, bytes]]) -> Outcome:
    said = f"{where} refused every recipient: " + "; ".join(
        f"{addr} ({_reply(code, text)})" for addr, (code, text) in sorted(recipients.items())
    )
    temporary = all(400 <= code < 500 for code, _ in recipients.values())
    return Outcome.retry(said) if temporary else Outcome.dead(said)


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()
