"""A real SMTP server process (aiosmtpd) that keeps what it receives in a Maildir the test reads."""

import contextlib
import mailbox
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    def __init__(self, port: int, maildir: Path) -> None:
        self.port = port
        self.maildir = maildir

    @property
    def settings(self) -> dict:
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": self.port, "EMAIL_USE_TLS": False, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}

    def messages(self, *, at_least: int = 1, timeout: float = 10.0) -> list:
        """Every message received so far, parsed; waits for `at_least` of them to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            box = mailbox.Maildir(self.maildir, create=False)
            found = [message_from_bytes(box.get_bytes(key), policy=policy.default) for key in box.keys()]
            if len(found) >= at_least or time.monotonic() > deadline:
                return sorted(found, key=lambda m: m["Date"] or "")
            time.sleep(0.05)


@contextlib.contextmanager
def smtp_server_process(tmp_path: Path) -> Iterator[MailServer]:
    port, maildir = _free_port(), tmp_path / "maildir"
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox",
         str(maildir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"aiosmtpd did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
        yield MailServer(port, maildir)
    finally:
        process.terminate()
        process.wait(timeout=10)
