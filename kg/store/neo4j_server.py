"""Start a real Neo4j Community server from jars resolved off Maven Central (tests, benchmarks, laptops).

No tarball and no Docker: ``docker/neo4j/server/pom.xml`` names Neo4j 5.26 LTS and Neo4j
Browser; ``make neo4j-jars`` (run by ``make test``) copies every jar into
``docker/neo4j/server/target/lib``. :func:`start_neo4j` sets an initial password with the
admin tool, starts ``org.neo4j.server.CommunityEntryPoint`` (what the tarball's ``neo4j``
script runs) on free loopback Bolt and HTTP ports, with auth on, and waits until Bolt
answers a query. The caller stops it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kg.store.falkordb_server import free_port

JARS = Path(__file__).resolve().parents[2] / "docker" / "neo4j" / "server" / "target" / "lib"
USER = "neo4j"
PASSWORD = "claimgraph-test"  # a throwaway server on loopback, created and deleted by the caller
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"


@dataclass
class Neo4jServer:
    process: subprocess.Popen[bytes]
    bolt_port: int
    http_port: int
    home: Path
    import_seconds: float = 0.0  # how long neo4j-admin import took, when it ran

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    def store_uri(self) -> str:
        """A ClaimGraph store URI with the credentials in it."""
        return f"bolt://{USER}:{PASSWORD}@127.0.0.1:{self.bolt_port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    return str(candidate) if candidate and candidate.exists() else shutil.which("java")


def neo4j_jars(folder: Path = JARS) -> Path | None:
    """The jar folder, if ``make neo4j-jars`` has filled it."""
    return folder if any(folder.glob("neo4j-5.*.jar")) else None


def _config(home: Path, bolt: int, http: int, heap_mb: int, pagecache_mb: int) -> str:
    return "\n".join(
        [
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{bolt}",
            f"server.http.listen_address=127.0.0.1:{http}",
            "server.https.enabled=false",
            f"server.directories.data={home / 'data'}",
            f"server.directories.logs={home / 'logs'}",
            "dbms.security.auth_enabled=true",
            f"server.memory.pagecache.size={pagecache_mb}m",
            f"server.memory.heap.max_size={heap_mb}m",
            "dbms.usage_report.enabled=false",
            "",
        ]
    )


def start_neo4j(
    home: Path,
    *,
    jars: Path = JARS,
    heap_mb: int = 512,
    pagecache_mb: int = 64,
    timeout: float = 120.0,
    import_args: list[str] | None = None,
) -> Neo4jServer:
    """A fresh Neo4j in ``home`` (created), on free loopback ports, with auth on; waits until Bolt answers.

    ``import_args``: run ``neo4j-admin`` with them (``database import full …``) before the server starts.
    ``heap_mb``/``pagecache_mb``: the tests' small defaults; a benchmark at scale gives it more.
    """
    runtime = java()
    if runtime is None:
        raise RuntimeError("java is not installed: Neo4j needs a Java 17+ runtime")
    if neo4j_jars(jars) is None:
        raise RuntimeError(f"no Neo4j jars in {jars}: run `make neo4j-jars`")
    for sub in ("conf", "data", "logs"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    bolt, http = free_port(), free_port()
    (home / "conf" / "neo4j.conf").write_text(_config(home, bolt, http, heap_mb, pagecache_mb), encoding="utf-8")
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    classpath = f"{jars}{os.sep}*"
    subprocess.run(
        [runtime, "-cp", classpath, ADMIN_TOOL, "dbms", "set-initial-password", PASSWORD],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    import_seconds = 0.0
    if import_args is not None:
        started = time.perf_counter()
        done = subprocess.run(
            [runtime, "-cp", classpath, ADMIN_TOOL, *import_args], env=env, capture_output=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"neo4j-admin import failed: {(done.stderr or done.stdout).decode()[-2000:]}")
        import_seconds = time.perf_counter() - started
    log = home / "logs" / "console.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                runtime,
                f"-Xmx{heap_mb}m",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                ENTRY_POINT,
                f"--home-dir={home}",
                f"--config-dir={home / 'conf'}",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Neo4jServer(process, bolt, http, home, import_seconds)
    _wait_for_bolt(server, log, timeout)
    return server


def _wait_for_bolt(server: Neo4jServer, log: Path, timeout: float) -> None:
    import neo4j

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"Neo4j exited with {server.process.returncode}; see {log}")
        try:
            # the port first: the driver would log a retry warning for every refused connection
            socket.create_connection(("127.0.0.1", server.bolt_port), timeout=1.0).close()
            with neo4j.GraphDatabase.driver(server.uri, auth=(USER, PASSWORD), connection_timeout=2.0) as driver:
                driver.verify_connectivity()
                return
        except Exception:
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"Neo4j did not answer on Bolt within {timeout:.0f} s; see {log}")
