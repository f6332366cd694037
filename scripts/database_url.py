"""Prints the database `make test` should use.

DATABASE_URL if it is set; otherwise a local PostgreSQL when one answers on
127.0.0.1:5432; otherwise SQLite (so tests still run on a bare machine).
"""

import os
import sys

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/journeymap"


def main() -> None:
    if os.environ.get("DATABASE_URL"):
        print(os.environ["DATABASE_URL"])
        return
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2").close()
    except Exception as error:  # noqa: BLE001 - any failure means "no local PostgreSQL"
        print(f"No PostgreSQL on 127.0.0.1:5432 ({error.__class__.__name__}); tests use SQLite.", file=sys.stderr)
        print("sqlite:///test-db.sqlite3")
        return
    print(LOCAL_POSTGRES)


if __name__ == "__main__":
    main()
