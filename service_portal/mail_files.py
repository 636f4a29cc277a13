"""Development e-mail: each message saved as an ``.eml`` file, one line on the console.

``make run`` (and any run without ``EMAIL_URL`` or ``EMAIL_BACKEND``) uses this backend: the
console shows the subject, the recipients and the file's path, never a whole message with its
base64 PDFs; the file opens in any mail program (or a text editor: the text part comes first).
The folder is ``EMAIL_FILE_PATH``, by default ``var/mail/``.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_lock = threading.Lock()


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-")[:40].lower() or "message"


class EmailBackend(BaseEmailBackend):
    """Writes ``<folder>/<timestamp>-<n>-<subject>.eml`` per message and prints its line."""

    def __init__(self, *, file_path: str | Path | None = None, stream=None, **kwargs) -> None:
        super().__init__(**kwargs)
        folder = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        self.folder = Path(folder or settings.VAR_DIR / "mail")
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        with _lock:
            for message in email_messages:
                if not message.recipients():
                    continue
                path = self._free_path(message.subject)
                path.write_bytes(message.message().as_bytes(linesep="\n"))
                recipients = ", ".join(message.recipients())
                self.stream.write(f"E-mail to {recipients}: “{message.subject}” -> {path}\n")
                self.stream.flush()
                sent += 1
        return sent

    def _free_path(self, subject: str) -> Path:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        number = 1
        while True:
            path = self.folder / f"{stamp}-{number:03d}-{_slug(subject)}.eml"
            if not path.exists():
                return path
            number += 1
