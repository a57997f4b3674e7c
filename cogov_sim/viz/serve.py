"""``cogov viz``: serve the browser app, bound to 127.0.0.1 unless told otherwise, behind its door.

The server is Solara's Starlette app wrapped by :class:`cogov_sim.viz.guard.Guard` and run by uvicorn in a child
process (:mod:`cogov_sim.viz.asgi`): only the app's own page gets in (Host and Origin checked), sessions end when
their page closes or after an idle time, their number is capped, and nothing is fetched from the internet.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cogov_sim.scenario import ScenarioError, load_scenario
from cogov_sim.viz.catalog import ENV_LANG, ENV_SCENARIOS

APP_MODULE = "cogov_sim.viz.app"
"""The module holding the page (Solara finds its ``Page`` component)."""

SERVER_MODULE = "cogov_sim.viz.asgi"
"""The module run as the server process."""

ENV_HOST, ENV_PORT, ENV_MAX_SESSIONS = "COGOV_VIZ_HOST", "COGOV_VIZ_PORT", "COGOV_VIZ_MAX_SESSIONS"
"""Environment variables of the server process: the address to bind, the port and the session cap (the last
one is also read here, as the default cap)."""

ENV_IDLE = "COGOV_VIZ_IDLE"
"""Environment variable: seconds a session lives on after its page is gone (default :data:`IDLE`)."""

IDLE = 300.0
"""Default idle time, in seconds, before a session whose page has gone (closed, crashed, asleep) is ended."""

MAX_SESSIONS = 8
"""Default cap on live sessions (the environment variable ``COGOV_VIZ_MAX_SESSIONS`` changes it)."""

QUIET = "ignore:Cookies with samesite=none require https:UserWarning"
"""A warning Solara's server prints on every page load over plain http to 127.0.0.1 (it then uses samesite=lax,
which is right for a local app)."""


def command() -> list[str]:
    """The server's command line (its configuration is in the environment, see :func:`server_env`)."""
    return [sys.executable, "-m", SERVER_MODULE]


def server_env(
    host: str, port: int, paths: Sequence[Path], idle: float, max_sessions: int, lang: str | None = None
) -> dict[str, str]:
    """The server process's environment: this one plus Solara's settings and the door's configuration.

    ``lang`` is the language a new page opens in (None: the locale's, read by the server itself).
    """
    env = dict(os.environ)
    if lang is not None:
        env[ENV_LANG] = lang
    env.update({
        ENV_SCENARIOS: os.pathsep.join(str(p) for p in paths),
        "PYTHONWARNINGS": ",".join(w for w in (env.get("PYTHONWARNINGS", ""), QUIET) if w),
        "SOLARA_APP": APP_MODULE,
        "SOLARA_MODE": "production",
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{idle:g}s",
        "SOLARA_ASSETS_PROXY": "true",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        ENV_HOST: host,
        ENV_PORT: str(port),
        ENV_MAX_SESSIONS: str(max_sessions),
    })  # fmt: skip
    # two malloc arenas instead of one per thread (each session has its threads): less memory kept in pieces
    # after sessions end (20 ended sessions left 81 MB held with the default, 59 MB with 2)
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


def check_scenarios(scenarios: Sequence[str | Path]) -> list[Path]:
    """Absolute paths of the extra scenario files, each loaded once to check it (ScenarioError if bad)."""
    out = []
    for item in scenarios:
        path = Path(item).expanduser().resolve()
        load_scenario(path)
        out.append(path)
    return out


def check_address(host: str, port: int) -> None:
    """Check that ``host``:``port`` can be bound now.

    Raises:
        ScenarioError: the port is not a TCP port number, the host does not resolve or is not an address of this
            machine, or the port is taken (each with its own message, under ``--port`` or ``--host``).
    """
    if not 1 <= port <= 65535:
        raise ScenarioError("", "--port", f"{port} is not a TCP port; choose one from 1 to 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ScenarioError("", "--host", f"{host!r} cannot be resolved ({reason}); use e.g. 127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise ScenarioError(
                    "", "--port", f"{host}:{port} is already in use; choose another with --port"
                ) from None
            if err.errno == errno.EADDRNOTAVAIL:
                raise ScenarioError(
                    "", "--host", f"{host!r} is not an address of this machine; use e.g. 127.0.0.1"
                ) from None
            if err.errno == errno.EACCES:
                raise ScenarioError("", "--port", f"port {port} needs privileges here; choose one above 1023") from None
            raise ScenarioError("", "--host", f"cannot listen on {host}:{port} ({err.strerror})") from None


def env_number(name: str, default: float, low: float, kind: type[int] | type[float]) -> float:
    """The number in environment variable ``name`` (``default`` when unset); ScenarioError if not one >= ``low``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not value >= low or value == float("inf"):
        raise ScenarioError("", name, f"{text!r} is not a number >= {low:g}")
    return value


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    scenarios: Sequence[str | Path] = (),
    idle: float | None = None,
    max_sessions: int | None = None,
    lang: str | None = None,
) -> int:
    """Serve the app until interrupted; returns the server's exit code (0 when stopped with SIGTERM).

    Args:
        host: address to bind (default 127.0.0.1: this machine only).
        port: TCP port.
        scenarios: extra scenario files the app may open besides the shipped ones (checked first).
        idle: seconds a session lives on once its page is gone (default: ``COGOV_VIZ_IDLE``, else :data:`IDLE`).
        max_sessions: cap on live sessions (default: ``COGOV_VIZ_MAX_SESSIONS``, else :data:`MAX_SESSIONS`).
        lang: the language a new page opens in (``en`` or ``zh``; default: the locale's); each page can switch.

    Raises:
        ScenarioError: a scenario file is missing or invalid, the port or host cannot be used, or the idle time
            or session cap is not a positive number (bad input, exit code 2).
    """
    paths = check_scenarios(scenarios)
    idle = float(env_number(ENV_IDLE, IDLE, 0.1, float)) if idle is None else idle
    cap = int(env_number(ENV_MAX_SESSIONS, MAX_SESSIONS, 1, int)) if max_sessions is None else max_sessions
    if not 0 < idle < float("inf"):
        raise ScenarioError("", "idle", f"{idle} is not a positive number of seconds")
    if cap < 1:
        raise ScenarioError("", "max_sessions", f"{cap} is not a positive number of sessions")
    check_address(host, port)
    env = server_env(host, port, paths, idle, cap, lang)
    print(f"cogov viz: serving on http://{host_url(host)}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    proc = subprocess.Popen(command(), env=env)

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


def host_url(host: str) -> str:
    """``host`` as written in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
