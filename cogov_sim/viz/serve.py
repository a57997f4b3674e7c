"""``cogov viz``: serve the browser app with Solara's server, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cogov_sim.scenario import ScenarioError, load_scenario
from cogov_sim.viz.catalog import ENV_SCENARIOS

APP_MODULE = "cogov_sim.viz.app"
"""The module holding the page (Solara finds its ``Page`` component)."""

QUIET = "ignore:Cookies with samesite=none require https:UserWarning"
"""A warning Solara's server prints on every page load over plain http to 127.0.0.1 (it then uses samesite=lax,
which is right for a local app)."""


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line: production mode, no browser opened."""
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port), "--production",
            "--no-open"]  # fmt: skip


def check_scenarios(scenarios: Sequence[str | Path]) -> list[Path]:
    """Absolute paths of the extra scenario files, each loaded once to check it (ScenarioError if bad)."""
    out = []
    for item in scenarios:
        path = Path(item).expanduser().resolve()
        load_scenario(path)
        out.append(path)
    return out


def port_free(host: str, port: int) -> bool:
    """Whether ``port`` on ``host`` can be bound now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str = "127.0.0.1", port: int = 8765, scenarios: Sequence[str | Path] = ()) -> int:
    """Serve the app until interrupted; returns the server's exit code (0 when stopped with SIGTERM).

    Args:
        host: address to bind (default 127.0.0.1: this machine only).
        port: TCP port.
        scenarios: extra scenario files the app may open besides the shipped ones (checked first).

    Raises:
        ScenarioError: a scenario file is missing or invalid, or the port is taken (bad input, exit code 2).
    """
    paths = check_scenarios(scenarios)
    if not port_free(host, port):
        raise ScenarioError("", "--port", f"{host}:{port} is already in use; choose another with --port")
    env = dict(os.environ)
    env[ENV_SCENARIOS] = os.pathsep.join(str(p) for p in paths)
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS", ""), QUIET) if w)
    print(f"cogov viz: serving on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    proc = subprocess.Popen(command(host, port), env=env)

    stopped = []

    def stop(signum: int, frame: object) -> None:  # a terminated `cogov viz` takes its server with it
        stopped.append(signum)
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
        if stopped:
            print("cogov viz: stopped", file=sys.stderr)
            return 0
        return code
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
