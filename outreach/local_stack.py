"""The local stack of a fresh machine: the embedded database and the sandbox running in the background.

`outreach up` / `outreach down` (and `make demo` / `make stop`) use this. The sandbox runs as a detached process
of its own (`outreach sandbox --ready-file ...`), so it outlives the command that started it; its URL, pid and
scale are recorded in `<state>/sandbox.json`, which the settings read to default every domain URL to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from outreach.settings import Settings

READY_TIMEOUT_SECONDS = 120.0


class ServiceStartError(RuntimeError):
    """A background service (sandbox or API) did not come up; the message points at its log."""


@dataclass(frozen=True)
class SandboxProcess:
    url: str
    pid: int
    scale: int
    seed: int


def _read_state(path: Path) -> SandboxProcess | None:
    try:
        raw = json.loads(path.read_text())
        return SandboxProcess(raw["url"], int(raw["pid"]), int(raw["scale"]), int(raw["seed"]))
    except (OSError, ValueError, KeyError):
        return None


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/sandbox/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def running_sandbox(settings: Settings) -> SandboxProcess | None:
    state = _read_state(settings.sandbox_state_file)
    return state if state and _healthy(state.url) else None


def start_sandbox(settings: Settings, *, scale: int, seed: int, webhook_url: str | None = None) -> SandboxProcess:
    """Start the sandbox in the background unless one with the same seed and scale already runs."""
    current = running_sandbox(settings)
    if current and (current.scale, current.seed) == (scale, seed):
        return current
    if current:
        stop_sandbox(settings)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    state_file = settings.sandbox_state_file
    state_file.unlink(missing_ok=True)
    log_path = settings.state_dir / "sandbox.log"
    command = [
        sys.executable, "-m", "outreach.cli", "sandbox",
        "--scale", str(scale), "--seed", str(seed),
        "--registry-dir", str(settings.registry_dir),
        # The local directory stands for a partner site that allows brisk crawling; our own rate limit still applies.
        "--crawl-delay", "0",
        "--ready-file", str(state_file),
    ]
    if webhook_url:
        command += ["--webhook-url", webhook_url]
    _spawn("the sandbox", command, log_path, lambda: bool((s := _read_state(state_file)) and _healthy(s.url)))
    state = _read_state(state_file)
    assert state is not None
    return state


def _spawn(what: str, command: list[str], log_path: Path, ready: Callable[[], bool]) -> int:
    """Start `command` detached (its own session, output to `log_path`) and wait until `ready()`; its pid."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceStartError(f"{what} exited with {process.returncode}; see {log_path}")
        if ready():
            return process.pid
        time.sleep(0.2)
    process.terminate()
    raise ServiceStartError(f"{what} did not become ready in {READY_TIMEOUT_SECONDS:.0f} s; see {log_path}")


def stop_sandbox(settings: Settings) -> bool:
    state = _read_state(settings.sandbox_state_file)
    if state is None:
        return False
    try:
        os.killpg(state.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    else:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _pid_alive(state.pid):
            time.sleep(0.1)
    settings.sandbox_state_file.unlink(missing_ok=True)
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- the inbound API ----------------------------------------------------------------------------------------
def _api_state(settings: Settings) -> Path:
    return settings.state_dir / "api.json"


def _api_healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ai-outreach/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start_api(settings: Settings, port: int) -> str:
    """Start `outreach serve` in the background (unless it already answers); returns its base URL."""
    url = f"http://127.0.0.1:{port}"
    if _api_healthy(url):
        return url
    command = [sys.executable, "-m", "outreach.cli", "serve", "--port", str(port)]
    pid = _spawn("the API", command, settings.state_dir / "api.log", lambda: _api_healthy(url))
    _api_state(settings).write_text(json.dumps({"url": url, "pid": pid}))
    return url


def stop_api(settings: Settings) -> bool:
    try:
        pid = int(json.loads(_api_state(settings).read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    _api_state(settings).unlink(missing_ok=True)
    return True


def point_sandbox_at(sandbox_url: str, webhook_url: str) -> None:
    """Have the sandbox deliver the events it emits to our API."""
    httpx.post(f"{sandbox_url}/sandbox/config", json={"webhook_url": webhook_url}, timeout=10).raise_for_status()
