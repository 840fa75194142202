"""Sending e-mail: SMTP when ``smtp_url`` is set, otherwise .eml files in the data folder
(the embedded default, so a demo loses nothing and sends nothing)."""

import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

from services.reminders.settings import RemindersSettings

ADDRESS = re.compile(r"\S+@\S+")


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


class TransientMailError(Exception):
    """The server could not take the message now; trying again later may work."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, url: str, timeout: float = 20.0) -> None:
        parsed = urlparse(url)
        self.tls = parsed.scheme == "smtps"
        self.starttls = parse_qs(parsed.query).get("starttls", ["0"])[0] in ("1", "true")
        self.host = parsed.hostname or "localhost"
        self.port = parsed.port or (465 if self.tls else 25)
        self.user = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        try:
            smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
            with smtp_class(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # The server's code and words only: the refused address is personal data.
            replies = "; ".join(
                f"{code} {ADDRESS.sub('<address>', _text(text))}"
                for code, text in exc.recipients.values()
            )
            raise PermanentMailError(f"recipient refused: {replies}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientMailError(f"{type(exc).__name__}: {exc}") from exc


class PermanentMailError(Exception):
    """The server refused the recipient: trying again will not help (recorded as a bounce)."""


class FileMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


def mailer_for(settings: RemindersSettings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url)
    return FileMailer(settings.data_dir / "mail")
