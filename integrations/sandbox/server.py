"""Running the sandbox: `serve` (a foreground process for the CLI) and `start_in_thread` (for tests)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from pathlib import Path
from types import TracebackType

import uvicorn

from integrations.sandbox.app import create_app
from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.service import Sandbox


def _bind(host: str, port: int) -> socket.socket:
    """Bind before serving, so port 0 resolves to a real free port we can report."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn server that reports when it is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.listening.set()


def _server(config: SandboxConfig) -> tuple[_Server, socket.socket, str]:
    app = create_app(config)
    sock = _bind(config.host, config.port)
    url = f"http://{config.host}:{sock.getsockname()[1]}"
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                    timeout_graceful_shutdown=5))
    return server, sock, url


def serve(config: SandboxConfig, ready_file: Path | None = None) -> None:
    """Serve until SIGTERM/SIGINT. Once listening, write `{"url", "pid", "seed", "scale"}` to `ready_file`."""
    server, sock, url = _server(config)

    def announce() -> None:
        server.listening.wait()
        if ready_file is not None and server.started:
            ready_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = ready_file.with_name(ready_file.name + ".tmp")
            tmp.write_text(json.dumps({"url": url, "pid": os.getpid(), "seed": config.seed, "scale": config.scale}))
            tmp.replace(ready_file)

    threading.Thread(target=announce, name="sandbox-ready", daemon=True).start()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        server.listening.set()
        sock.close()


class RunningSandbox:
    """A sandbox serving on a background thread; `.url`, `.sandbox` (the live state), `.stop()`."""

    def __init__(self, server: _Server, sock: socket.socket, url: str, thread: threading.Thread) -> None:
        self._server, self._sock, self._thread = server, sock, thread
        self.url = url

    @property
    def sandbox(self) -> Sandbox:
        return self._server.config.app.state.sandbox

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_in_thread(config: SandboxConfig, timeout: float = 60.0) -> RunningSandbox:
    """Start serving on a daemon thread and return once it accepts connections."""
    server, sock, url = _server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True)
    thread.start()
    if not server.listening.wait(timeout) or not server.started:
        server.should_exit = True
        sock.close()
        raise RuntimeError("the sandbox did not start")
    return RunningSandbox(server, sock, url, thread)
