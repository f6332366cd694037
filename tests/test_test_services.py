"""`make test` on a machine where no PostgreSQL or Redis answers: scripts/with-test-services
starts private ones for the run, hands them to the command, and stops them afterwards."""

import os
import socket
import subprocess
import sys
import urllib.parse

from tests.servers import PROJECT

PROBE = """
import os, socket, urllib.parse, psycopg
url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
with psycopg.connect(host=url.hostname, port=url.port, user="postgres", dbname="postgres") as connection:
    print("postgres", connection.execute("SELECT current_setting('port')").fetchone()[0])
redis = urllib.parse.urlsplit(os.environ["TEST_REDIS_URL"])
with socket.create_connection((redis.hostname, redis.port)) as sock:
    sock.sendall(b"PING\\r\\n")
    print("redis", redis.port, sock.recv(16).decode().strip())
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_private_postgres_and_redis_start_for_the_run_and_stop_after_it():
    closed = str(_closed_port())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_REDIS_URL")}
    env |= {"LOCAL_POSTGRES_PORT": closed, "LOCAL_REDIS_PORT": closed}
    run = subprocess.run([sys.executable, "scripts/with-test-services", sys.executable, "-c", PROBE], cwd=PROJECT,
                         env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert "Started a private PostgreSQL" in run.stderr and "Started a private Redis" in run.stderr
    postgres_port, redis_port = (int(line.split()[1]) for line in run.stdout.splitlines())
    assert run.stdout.splitlines()[1].endswith("PONG")
    assert closed not in (str(postgres_port), str(redis_port))
    assert not _answers(postgres_port) and not _answers(redis_port)  # stopped afterwards
    assert "Stopped the private PostgreSQL" in run.stderr and "Stopped the private Redis" in run.stderr


def test_a_failing_command_fails_the_run_and_still_stops_the_servers():
    closed = str(_closed_port())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_REDIS_URL")}
    env |= {"LOCAL_POSTGRES_PORT": closed, "LOCAL_REDIS_PORT": closed}
    run = subprocess.run([sys.executable, "scripts/with-test-services", sys.executable, "-c",
                          "import os; print(os.environ['DATABASE_URL']); raise SystemExit(3)"],
                         cwd=PROJECT, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 3
    port = urllib.parse.urlsplit(run.stdout.strip()).port
    assert not _answers(port)
    assert "Stopped the private PostgreSQL" in run.stderr


def test_services_already_answering_are_used_as_they_are(db):
    """Probed at the servers this suite runs on (5432 and 6379 unless make test started private ones)."""
    from django.db import connection

    from tests.servers import redis_for_tests

    postgres_port = str(connection.settings_dict["PORT"] or 5432)
    redis_port = str(urllib.parse.urlsplit(redis_for_tests(0)).port)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_REDIS_URL")}
    env |= {"LOCAL_POSTGRES_PORT": postgres_port, "LOCAL_REDIS_PORT": redis_port}
    run = subprocess.run([sys.executable, "scripts/with-test-services", sys.executable, "-c",
                          "import os; print(os.environ['DATABASE_URL'], os.environ['TEST_REDIS_URL'])"],
                         cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [f"postgres://postgres@127.0.0.1:{postgres_port}/journeymap",
                                  f"redis://127.0.0.1:{redis_port}"]
    assert "private" not in run.stderr
