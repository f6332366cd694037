"""Real uvicorn processes and plain HTTP/SSE clients, for tests and benchmarks that need
more than one web process (or many connections) against the test database."""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

PROJECT = Path(__file__).resolve().parent.parent


def redis_for_tests(db: int) -> str:
    """A Redis database for the tests: TEST_REDIS_URL's server (`make test` sets it, to a private
    redis-server when none answers on 127.0.0.1:6379), else 127.0.0.1:6379."""
    return f"{os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379').rstrip('/')}/{db}"


def database_url() -> str:
    """The URL of the database this process uses now (the test database, once it exists)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


PROCESS_IDS: dict[str, int] = {}  # base URL -> pid of the uvicorn process serving it


def thread_count(base_url: str) -> int:
    """The threads of the uvicorn process serving `base_url` now."""
    with open(f"/proc/{PROCESS_IDS[base_url]}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


@contextlib.contextmanager
def uvicorn_process(*, env: dict[str, str] | None = None) -> Iterator[str]:
    """A uvicorn process serving the app on the current database; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)  # connections wait here until the app is ready: no polling for readiness
    environment = os.environ | {"DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "journeymap.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "journeymap.asgi:application", "--fd", str(sock.fileno()),
         "--log-level", "warning", "--lifespan", "off", "--timeout-graceful-shutdown", "1"],
        cwd=PROJECT, env=environment | (env or {}), pass_fds=[sock.fileno()],
    )
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    PROCESS_IDS[base_url] = process.pid
    try:
        yield base_url
    finally:
        PROCESS_IDS.pop(base_url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        sock.close()


def _host_port(base_url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base_url)
    return parts.hostname, parts.port


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def http_request(base_url: str, method: str, path: str, *, cookies: dict[str, str], data: dict | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*_host_port(base_url), timeout=30)
    try:
        all_headers = {"Cookie": cookie_header(cookies)} | (headers or {})
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class SseClient:
    """A blocking reader of one event stream: `next_event()` gives {"id", "event", "data"}."""

    def __init__(self, base_url: str, path: str, *, cookies: dict[str, str], timeout: float = 30) -> None:
        self._conn = http.client.HTTPConnection(*_host_port(base_url), timeout=timeout)
        self._conn.request("GET", path, headers={"Cookie": cookie_header(cookies), "Accept": "text/event-stream"})
        self.response = self._conn.getresponse()
        self.status = self.response.status

    def next_event(self) -> dict[str, str]:
        event: dict[str, str] = {}
        while True:
            line = self.response.readline()
            if not line:
                raise ConnectionError("The event stream ended.")
            line = line.decode().rstrip("\r\n")
            if not line:
                if "event" in event or "data" in event:
                    return event
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            event[name] = event[name] + "\n" + value if name == "data" and name in event else value

    def next_event_named(self, name: str) -> dict[str, str]:
        while (event := self.next_event())["event"] != name:
            pass
        return event

    def close(self) -> None:
        self._conn.close()


class CuttableProxy:
    """A TCP relay in front of a server whose open connections a test can cut at once (a dropped
    Wi-Fi, a proxy restart), while new ones still go through. `url` is where clients connect."""

    def __init__(self, base_url: str) -> None:
        import threading

        self._target = _host_port(base_url)
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            cut, self._open = self._open, []
        for end in cut:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.cut()
        self._listener.close()
