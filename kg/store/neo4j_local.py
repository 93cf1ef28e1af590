"""`kg neo4j start|stop|status`: Neo4j 5.26 and Neo4j Browser on a laptop, styled, with ClaimGraph's queries.

The same jars as the tests (``make neo4j-jars``: Neo4j Community and Neo4j Browser from Maven
Central), started detached on the standard ports (7474 HTTP, 7687 Bolt, loopback only), with a
persistent home under the data dir. Beside it a small asset server (:mod:`kg.store.neo4j_assets`)
serves ClaimGraph's Browser style and a guide of saved queries; Neo4j's
``browser.post_connect_cmd`` runs ``:style``, ``:param benchmark`` and ``:play`` when Browser
connects, so the Browser comes up styled, with the queries in front of the researcher. Outgoing connections and usage
reports are off. Auth is off: the server listens on 127.0.0.1 only (say so in the output).

Pure parts (config text, guide HTML, the grass without comments) are functions of their inputs;
process handling is at the edge.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.errors import StoreError
from kg.store.neo4j_server import ENTRY_POINT, JARS, java, neo4j_jars

REPO = Path(__file__).resolve().parents[2]
GRASS = REPO / "docker" / "neo4j" / "claimgraph.grass"
QUERIES = REPO / "docker" / "neo4j" / "queries.cypher"
STATE = "claimgraph-neo4j.json"


@dataclass(frozen=True)
class Ports:
    http: int = 7474
    bolt: int = 7687
    assets: int = 7475


@dataclass(frozen=True)
class SavedQuery:
    name: str
    params: tuple[str, ...]
    cypher: str


def saved_queries(text: str) -> list[SavedQuery]:
    """The ``// name:`` blocks of queries.cypher, with their ``// params:``, in file order."""
    queries: list[SavedQuery] = []
    name, params, body = "", tuple[str, ...](), list[str]()
    for line in [*text.splitlines(), "// name: end"]:
        if line.startswith("// name:"):
            if name and body:
                queries.append(SavedQuery(name, tuple(params), "\n".join(body).strip().rstrip(";")))
            name, params, body = line.removeprefix("// name:").strip(), (), []
        elif line.startswith("// params:"):
            params = tuple(p.strip() for p in line.removeprefix("// params:").split(","))
        elif name and line.strip() and not line.startswith("//"):
            body.append(line)
    return queries


def browser_grass(text: str) -> str:
    """The style as Browser's ``:style`` accepts it: without comments (a leading comment is an InvalidGrassError)."""
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S).strip() + "\n"


def guide_html(queries: list[SavedQuery], parameters: dict[str, str]) -> str:
    """A Neo4j Browser guide (``:play``): one slide of runnable queries, parameters set first."""
    params = "\n".join(
        f'<pre class="pre-scrollable code runnable">:param {k} =&gt; {html.escape(json.dumps(v))}</pre>'
        for k, v in parameters.items()
    )
    items = "\n".join(
        f"<h4>{html.escape(q.name)}</h4>\n"
        f'<pre class="pre-scrollable code runnable" data-query="{html.escape(q.name)}">{html.escape(q.cypher)}</pre>'
        for q in queries
    )
    return (
        '<article class="guide"><carousel class="deck container-fluid"><slide class="row-fluid">\n'
        '<div class="col-sm-12"><h3>ClaimGraph saved queries</h3>\n'
        "<p>Copy a query into the editor and run it (Ctrl+Enter). The parameters, set when Browser connected:</p>\n"
        f"{params}\n{items}\n</div></slide></carousel></article>\n"
    )


def neo4j_conf(home: Path, ports: Ports, benchmark: str = "XNLI", heap_mb: int = 512) -> str:
    """neo4j.conf for a local, loopback-only server whose Browser styles itself, sets $benchmark, opens the guide."""
    assets = f"http://localhost:{ports.assets}"
    return "\n".join(
        [
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{ports.bolt}",
            f"server.http.listen_address=127.0.0.1:{ports.http}",
            f"server.bolt.advertised_address=127.0.0.1:{ports.bolt}",  # what Browser's discovery tells it
            f"server.http.advertised_address=127.0.0.1:{ports.http}",
            "server.https.enabled=false",
            f"server.directories.data={home / 'data'}",
            f"server.directories.logs={home / 'logs'}",
            "dbms.security.auth_enabled=false",
            "server.memory.pagecache.size=128m",
            f"server.memory.heap.max_size={heap_mb}m",
            "dbms.usage_report.enabled=false",
            "client.allow_telemetry=false",
            "browser.remote_content_hostname_whitelist=localhost",  # Neo4j 5.26's name for the allowlist
            f"browser.post_connect_cmd=style {assets}/claimgraph.grass; param benchmark => {json.dumps(benchmark)}; "
            f"play {assets}/guide.html",
            "",
        ]
    )


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def status(home: Path) -> dict[str, object]:
    """What runs from ``home``: pids, ports, whether each answers."""
    state_file = home / STATE
    if not state_file.exists():
        return {"running": False, "home": str(home)}
    state = json.loads(state_file.read_text(encoding="utf-8"))
    ports = Ports(**state["ports"])
    running = _alive(state["neo4j_pid"]) and _listening(ports.bolt)
    return {
        "running": running,
        "home": str(home),
        "neo4j_pid": state["neo4j_pid"],
        "assets_pid": state["assets_pid"],
        "ports": asdict(ports),
        # naming the server and "no authentication" in the address makes Browser connect by itself
        "browser": f"http://127.0.0.1:{ports.http}/browser/?dbms=neo4j://127.0.0.1:{ports.bolt}&preselectAuthMethod=NO_AUTH",
        "bolt": f"bolt://127.0.0.1:{ports.bolt}",
    }


def start(home: Path, ports: Ports, *, benchmark: str = "XNLI", timeout: float = 120.0) -> dict[str, object]:
    """Start Neo4j and the asset server detached (they outlive this process); wait until Bolt answers."""
    current = status(home)
    if current["running"]:
        return current
    runtime = java()
    if runtime is None:
        raise StoreError("java is not installed: Neo4j needs a Java 17+ runtime")
    if neo4j_jars(JARS) is None:
        raise StoreError(f"no Neo4j jars in {JARS}: run `make neo4j-jars` (Maven resolves them)")
    for port in (ports.http, ports.bolt, ports.assets):
        if _listening(port):
            raise StoreError(f"port {port} is taken: stop what uses it or choose other ports (see --help)")
    for sub in ("conf", "data", "logs", "assets"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").write_text(neo4j_conf(home, ports, benchmark), encoding="utf-8")
    (home / "assets" / "claimgraph.grass").write_text(
        browser_grass(GRASS.read_text(encoding="utf-8")), encoding="utf-8"
    )
    queries = saved_queries(QUERIES.read_text(encoding="utf-8"))
    (home / "assets" / "guide.html").write_text(guide_html(queries, {"benchmark": benchmark}), encoding="utf-8")
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    with (home / "logs" / "console.log").open("ab") as log:
        neo4j = subprocess.Popen(
            [runtime, "-Xmx512m", "-XX:+UseSerialGC", "-cp", f"{JARS}{os.sep}*", ENTRY_POINT,
             f"--home-dir={home}", f"--config-dir={home / 'conf'}"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        assets = subprocess.Popen(
            [sys.executable, "-m", "kg.store.neo4j_assets", str(home / "assets"), str(ports.assets)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    state = {"neo4j_pid": neo4j.pid, "assets_pid": assets.pid, "ports": asdict(ports)}
    (home / STATE).write_text(json.dumps(state), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if neo4j.poll() is not None:
            stop(home)  # the asset server too
            raise StoreError(f"Neo4j exited with {neo4j.returncode}; see {home / 'logs' / 'console.log'}")
        if _listening(ports.bolt) and _listening(ports.http) and _listening(ports.assets):
            return status(home)
        time.sleep(0.5)
    stop(home)
    raise StoreError(f"Neo4j did not answer within {timeout:.0f} s; see {home / 'logs' / 'console.log'}")


def stop(home: Path, timeout: float = 30.0) -> bool:
    """Stop what :func:`start` started from ``home``; False when nothing was running."""
    state_file = home / STATE
    if not state_file.exists():
        return False
    state = json.loads(state_file.read_text(encoding="utf-8"))
    stopped = False
    for key in ("assets_pid", "neo4j_pid"):
        pid = int(state[key])
        if not _alive(pid):
            continue
        os.kill(pid, signal.SIGTERM)
        stopped = True
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # our child when started by this process (tests)
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    state_file.unlink()
    return stopped
