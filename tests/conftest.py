"""Shared test fixtures: where ../shared is, and isolated databases."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: no per-example deadline (a loaded 2-core CI machine must not turn slowness
# into failures); in CI the examples are derandomised so a run is reproducible.
settings.register_profile("default", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``../shared`` folder beside the project (tests may read, never copy)."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; tests that read real records need it")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"


# --- databases (added by the storage helper) ------------------------------------------------
# ``db_url`` is parametrised over SQLite and a real, throwaway PostgreSQL server started once
# per test session on 127.0.0.1 (never skipped: missing binaries fail with the fix to apply).



@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    bindir: Path

    def url(self, database: str, *, search_path: str | None = None) -> str:
        url = f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"
        if search_path:
            url += f"?options=-csearch_path%3D{search_path}"
        return url


def _postgres_bindir() -> Path | None:
    candidates: list[Path] = []
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        candidates.append(Path(out.stdout.strip()))
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test session (loopback only, removed afterwards)."""
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in "
                    "`pg_config --bindir` or /usr/lib/postgresql/*/bin: install the Debian package "
                    "postgresql (apt-get install postgresql); CI installs it")
    base = Path(tempfile.mkdtemp(prefix="hcctrials-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres OS user
        shutil.chown(base, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, log = base / "data", base / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        proc = subprocess.run([*as_postgres, *args], capture_output=True, text=True)
        if proc.returncode != 0:
            detail = proc.stderr.strip() or proc.stdout.strip()
            if log.exists():
                detail += "\n" + log.read_text(errors="replace")[-2000:]
            pytest.fail(f"PostgreSQL test server: {' '.join(args[:2])} failed: {detail}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync")
    try:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
            f"-h 127.0.0.1 -p {port} -k {base} -F -c max_connections=50", "start")
        yield PostgresServer(host="127.0.0.1", port=port, user="postgres", bindir=bindir)
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_database(postgres_server: PostgresServer) -> str:
    """The name of a database created for this test session on :func:`postgres_server`."""
    import psycopg

    name = f"hcctrials_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(host=postgres_server.host, port=postgres_server.port, user=postgres_server.user,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, postgres_database: str) -> Iterator[str]:
    """A SQLAlchemy URL to an empty PostgreSQL schema of its own (dropped after the test)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    params = dict(host=postgres_server.host, port=postgres_server.port, user=postgres_server.user,
                  dbname=postgres_database, autocommit=True)
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield postgres_server.url(postgres_database, search_path=schema)
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLAlchemy URL to a new SQLite file (in a folder of its own, not the test's tmp_path)."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hcctrials-test.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend (use for storage tests)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))
