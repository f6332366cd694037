"""Sessions and requests (issue 13): idle logoff, no caching of signed-in pages, request bodies refused
before they are read, and no published secret key."""

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.parse

from django.conf import settings
from django.test import Client
from django.urls import reverse

from journeymap.settings.secret import local_secret_key

from . import factories
from .servers import PROJECT, uvicorn_process


def _sign_in(owner) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"login": owner.username, "password": factories.PASSWORD}).status_code == 302
    return client


def _idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session["last_activity"] = time.time() - seconds
    session.save()


def test_a_session_idle_longer_than_the_timeout_is_signed_out(owner, journey):
    """Finding: sessions lasted 14 days with no idle timeout."""
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    client = _sign_in(owner)
    _idle_for(client, 29 * 60)
    assert client.get(reverse("maps:list")).status_code == 200  # still within the window, and renewed
    assert time.time() - client.session["last_activity"] < 5
    _idle_for(client, 31 * 60)
    response = client.get(f"/maps/{journey.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=%2Fmaps%2F{journey.pk}%2F"
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity." in page.content.decode()
    assert client.get(reverse("maps:list")).status_code == 302  # the session is gone, not just hidden


def test_an_idle_htmx_request_is_sent_to_sign_in_by_htmx_redirect(owner, journey, htmx):
    client = _sign_in(owner)
    _idle_for(client, 31 * 60)
    response = client.get(f"/maps/{journey.pk}/", **htmx)
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_the_idle_timeout_is_a_setting(owner, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 120
    client = _sign_in(owner)
    _idle_for(client, 121)
    assert client.get(reverse("maps:list")).status_code == 302


def test_signed_in_pages_are_never_cached(owner, journey):
    """Finding: signed-in pages carried no Cache-Control: private, no-store."""
    client = _sign_in(owner)
    for path in (reverse("maps:list"), f"/maps/{journey.pk}/", reverse("accounts:profile"),
                 f"/maps/{journey.pk}/export/json/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path


def _raw_post(base_url: str, path: str, headers: dict, body_chunks, *, read_timeout: float = 60.0):
    """Sends a POST as bytes and reads the status line, timing how long the answer took."""
    parts = urllib.parse.urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=read_timeout) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        sock.sendall(head.encode())
        sent = 0
        started = time.monotonic()
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection: what a refusal before reading looks like
        answer = sock.recv(4096).decode(errors="replace")
        return answer.split("\r\n", 1)[0], sent, time.monotonic() - started


def test_a_signed_out_50_mb_post_is_refused_before_it_is_read(transactional_db):
    """Finding: a 50 MB body to any form (even sign-in, signed out) was read in full before any check."""
    fifty_mb = 50 * 1024 * 1024
    with uvicorn_process() as base_url:
        status, sent, _seconds = _raw_post(
            base_url, "/accounts/login/",
            {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(fifty_mb)},
            [b"x" * 65536])  # the first 64 KB only: the answer must come without the rest
        assert status == "HTTP/1.1 413 Request Entity Too Large", status
        # A body without a declared length is counted as it arrives and cut off at the limit.
        chunk = b"x" * 65536
        chunked = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(400))  # 25 MB
        status, sent, _seconds = _raw_post(
            base_url, "/accounts/login/",
            {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"}, chunked)
        assert status == "HTTP/1.1 413 Request Entity Too Large", status
        assert sent < 20 * 1024 * 1024, sent  # refused well before the end
        # An ordinary sign-in post is still answered by the app.
        status, _sent, _seconds = _raw_post(
            base_url, "/accounts/login/",
            {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "24"},
            [b"login=nobody&password=xy"])
        assert status.startswith("HTTP/1.1 403"), status  # no CSRF cookie: refused by the app, not the limit


def test_local_settings_make_a_random_key_once_and_keep_it(tmp_path, monkeypatch):
    """Finding: local settings signed share links with the published default secret key."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / ".secret_key"
    first = local_secret_key(path)
    assert len(first) >= 50 and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret_key(path) == first
    assert local_secret_key(tmp_path / "elsewhere") != first  # random, not a constant
    monkeypatch.setenv("SECRET_KEY", "k" * 60)
    assert local_secret_key(path) == "k" * 60


def test_no_default_secret_key_is_published_and_the_key_file_is_ignored():
    sources = "".join((PROJECT / "journeymap" / "settings" / name).read_text()
                      for name in os.listdir(PROJECT / "journeymap" / "settings") if name.endswith(".py"))
    assert "insecure-local-only-key" not in sources
    assert settings.SECRET_KEY and "insecure" not in settings.SECRET_KEY
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=PROJECT, check=False)
    assert ignored.returncode == 0


def test_production_refuses_to_start_without_a_secret_key():
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment |= {"DJANGO_SETTINGS_MODULE": "journeymap.settings.production", "ALLOWED_HOSTS": "maps.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=PROJECT, env=environment,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random string of at least 50 characters." in result.stderr
