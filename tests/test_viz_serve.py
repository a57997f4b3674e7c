"""The app's door against the real server: ``cogov viz`` on free loopback ports, driven over HTTP and websockets.

Two servers start side by side for the module: one with room for many sessions and a 2 s idle time (the door,
the headers, the assets and the memory of 20 sessions), one capped at 2 sessions (the cap and the page-close
path). A session is opened the way Solara's page opens one: a websocket to ``/jupyter/api/kernels/<id>/channels``,
a ``solara.control`` comm and its ``run`` message; the page is built when the server answers ``finished``.
Every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from cogov_sim.viz.guard import Policy, cdn_file

COGOV = Path(sys.executable).with_name("cogov")
IDLE = 2.0
"""Idle time of the main server's sessions, seconds (``COGOV_VIZ_IDLE``)."""
START_TIMEOUT = 60.0
QUIET = 1.0
"""A session is in use once the server has sent nothing for this long (its model built, its frame drawn)."""
MB = 1024 * 1024


@dataclass
class Server:
    """A running ``cogov viz``: its port, its process, its log, and the server process's pid."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    pid: int = 0
    rss_at_start: int = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (``VmRSS`` of ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def child_of(pid: int) -> int:
    """The pid of the one child process of ``pid`` (the server that ``cogov viz`` starts)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            return int(stat.parent.name)
    raise AssertionError(f"cogov viz ({pid}) has no server process")


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET", timeout: float = 10) -> tuple:
    """(status, headers, body) of one HTTP request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, period: float = 0.2) -> float:
    """Seconds until ``condition()`` holds, polled every ``period``; fails after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(period)
    return time.monotonic() - start


def live_kernels(server: Server) -> int:
    """Solara's count of live sessions (its ``/resourcez`` report)."""
    status, _, body = get(f"{server.origin}/resourcez")
    assert status == 200
    return int(json.loads(body)["kernels"]["total"])


def start(tmp: Path, name: str, **env: str) -> Server:
    port = free_port()
    log = tmp / f"{name}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(COGOV), "viz", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,
        )
    return Server(port, proc, log)


def ready(server: Server) -> None:
    def answers() -> bool:
        if server.proc.poll() is not None:
            pytest.fail(f"cogov viz exited with {server.proc.returncode}:\n{server.log.read_text()}")
        try:
            return get(f"{server.origin}/", timeout=5)[0] == 200
        except OSError:
            return False

    wait_until(answers, START_TIMEOUT, f"cogov viz on {server.port} answering", period=0.3)
    server.pid = child_of(server.proc.pid)
    server.rss_at_start = rss(server.pid)


def stop(server: Server) -> None:
    os.killpg(server.proc.pid, signal.SIGTERM)
    try:
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """The main server (idle 2 s, up to 40 sessions) and the capped one (2 sessions, idle 60 s), started together."""
    tmp = tmp_path_factory.mktemp("viz_serve")
    both = {
        "main": start(tmp, "main", COGOV_VIZ_IDLE=str(IDLE), COGOV_VIZ_MAX_SESSIONS="40"),
        "capped": start(tmp, "capped", COGOV_VIZ_IDLE="60", COGOV_VIZ_MAX_SESSIONS="2"),
    }
    try:
        for server in both.values():
            ready(server)
        yield both
    finally:
        for server in both.values():
            stop(server)


@pytest.fixture
def main_server(servers: dict[str, Server]) -> Server:
    return servers["main"]


def message(msg_type: str, content: dict) -> str:
    """One Jupyter protocol message as Solara's page sends it over the kernel websocket."""
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": "test", "username": "", "version": "5.3"}
    return json.dumps(
        {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}
    )


def kernel_url(server: Server, kernel: str, page: str) -> str:
    return f"ws://127.0.0.1:{server.port}/jupyter/api/kernels/{kernel}/channels?session_id={page}"


@contextlib.contextmanager
def session(server: Server, origin: str | None, timeout: float = 30) -> Iterator[tuple[str, str]]:
    """A session opened as the page opens one; yields (kernel id, page id) once the page is built, then closes
    the websocket (without the page's close beacon: the session then ends after the idle time).

    Raises:
        InvalidStatus: the server refused the websocket handshake.
    """
    kernel, page = uuid.uuid4().hex, uuid.uuid4().hex
    with connect(kernel_url(server, kernel, page), origin=origin, open_timeout=10, max_size=None) as ws:  # type: ignore[arg-type]
        comm = uuid.uuid4().hex
        ws.send(message("comm_open", {"comm_id": comm, "target_name": "solara.control", "data": {}}))
        ws.send(message("comm_msg", {"comm_id": comm, "data": {"method": "run", "args": {"path": ""}}}))
        deadline = time.monotonic() + timeout
        while not built(ws, deadline - time.monotonic()):
            if time.monotonic() > deadline:
                pytest.fail(f"the page was not built within {timeout} s")
        with contextlib.suppress(TimeoutError):  # its first frame drawn: the server goes quiet (a person looks)
            while time.monotonic() < deadline:
                ws.recv(timeout=QUIET)
        yield kernel, page


def built(ws: ClientConnection, timeout: float) -> bool:
    """Whether the next frame (waited for at most ``timeout`` s) is Solara's ``finished``: the page is built."""
    frame = ws.recv(timeout=max(timeout, 0.01))
    if not isinstance(frame, str):
        return False
    data = json.loads(frame)
    return data["header"]["msg_type"] == "comm_msg" and data["content"].get("data", {}).get("method") == "finished"


def refused_status(server: Server, origin: str | None) -> int:
    """The HTTP status with which the server refused a websocket handshake (fails if it accepted it)."""
    try:
        ws = connect(kernel_url(server, uuid.uuid4().hex, uuid.uuid4().hex), origin=origin, open_timeout=10)  # type: ignore[arg-type]
    except InvalidStatus as err:
        return err.response.status_code
    ws.close()
    pytest.fail(f"websocket with Origin {origin!r} was accepted")


def test_websocket_from_a_foreign_origin_is_refused(main_server: Server) -> None:
    assert refused_status(main_server, "http://evil.example") == 403
    assert refused_status(main_server, f"http://evil.example:{main_server.port}") == 403
    assert refused_status(main_server, "null") == 403  # a sandboxed frame or a file


def test_websocket_from_the_apps_own_page_starts_a_session(main_server: Server) -> None:
    for origin in (main_server.origin, f"http://localhost:{main_server.port}"):
        with session(main_server, origin) as (kernel, _):
            assert len(kernel) == 32


def test_only_the_apps_own_host_is_served(main_server: Server) -> None:
    url = f"{main_server.origin}/"
    assert get(url, {"Host": "evil.example"})[0] == 403  # DNS rebinding
    assert get(url, {"Host": f"evil.example:{main_server.port}"})[0] == 403
    assert get(url, {"Host": "127.0.0.1:1"})[0] == 403  # another port
    for host in (f"127.0.0.1:{main_server.port}", f"localhost:{main_server.port}"):
        assert get(url, {"Host": host})[0] == 200


def test_state_changing_request_from_a_foreign_origin_is_refused(main_server: Server) -> None:
    url = f"{main_server.origin}/_solara/api/close/{uuid.uuid4().hex}?session_id=x"
    assert get(url, {"Origin": "http://evil.example"}, method="POST")[0] == 403
    assert get(url, {"Origin": "null"}, method="POST")[0] == 403
    assert get(url, {"Origin": main_server.origin}, method="POST")[0] == 200


def test_security_headers_on_every_response(main_server: Server) -> None:
    for path in ("/", "/_solara/cdn/requirejs@2.3.6/require.js", "/no-such-page", "/_solara/cdn/not@0.0.0/x.js"):
        _, headers, _ = get(main_server.origin + path)
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
    assert get(main_server.origin + "/", {"Host": "evil.example"})[1]["X-Frame-Options"] == "DENY"


def test_cdn_route_serves_local_files_only(main_server: Server) -> None:
    assert get(f"{main_server.origin}/_solara/cdn/requirejs@2.3.6/require.js")[0] == 200  # installed: served
    for path in ("left-pad@1.3.0/index.js", "not-installed-package@9.9.9", "../../../../etc/passwd"):
        began = time.monotonic()
        status = get(f"{main_server.origin}/_solara/cdn/{path}", timeout=5)[0]
        took = time.monotonic() - began
        assert status == 404, path
        assert took < 2, f"{path}: {took:.1f} s"


def test_twenty_sessions_end_and_give_their_memory_back(main_server: Server) -> None:
    before = main_server.rss_at_start
    peak = 0
    for _ in range(20):
        with session(main_server, main_server.origin):  # closed without the page's beacon: idle time
            peak = max(peak, rss(main_server.pid))
    # every session ends within the idle time (plus Solara's own slack); then the memory goes back
    ended = wait_until(lambda: live_kernels(main_server) == 0, IDLE + 20, "the 20 sessions ending")
    numbers = f"RSS before {before / MB:.0f} MB, peak {peak / MB:.0f} MB"
    try:
        wait_until(lambda: rss(main_server.pid) - before < 100 * MB, 15, "the memory of the 20 sessions freed")
    finally:
        numbers += f", after {rss(main_server.pid) / MB:.0f} MB (idle {IDLE} s; all ended {ended:.1f} s after)"
        print(numbers)
    assert peak - before > 50 * MB, numbers  # the sessions were real: they held memory while open


def test_session_cap_and_page_close(servers: dict[str, Server]) -> None:
    server = servers["capped"]
    with session(server, server.origin):
        with session(server, server.origin) as (kernel, page):
            assert live_kernels(server) == 2
            assert refused_status(server, server.origin) == 403  # a third session is refused
            status, _, body = get(f"{server.origin}/")
            assert status == 503 and b"Too many sessions" in body  # and a new page says why
        # the page's close beacon ends its session at once (no idle time: this server's is 60 s)
        assert get(f"{server.origin}/_solara/api/close/{kernel}?session_id={page}", method="POST")[0] == 200
        wait_until(lambda: live_kernels(server) == 1, 5, "the closed page's session ending")
        assert get(f"{server.origin}/")[0] == 200


def viz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COGOV), "viz", *args], capture_output=True, text=True, timeout=60)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_port_out_of_range_is_bad_input() -> None:
    line = one_line_error(viz("--port", "70000"))
    assert "--port" in line and "70000" in line and "65,535" in line


def test_unresolvable_host_is_bad_input() -> None:
    line = one_line_error(viz("--host", "no-such-host.invalid", "--port", str(free_port())))
    assert "--host" in line and "cannot be resolved" in line and "in use" not in line


def test_taken_port_is_bad_input() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        line = one_line_error(viz("--port", str(taken.getsockname()[1])))
    assert "already in use" in line


def test_policy_names_and_local_assets(tmp_path: Path) -> None:
    policy = Policy.for_server("127.0.0.1", 8765, None, 8)
    assert {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"} <= policy.hosts
    assert "evil.example:8765" not in policy.hosts and "127.0.0.1" not in policy.hosts
    assert "http://localhost:8765" in policy.origins and "null" not in policy.origins
    (tmp_path / "pkg@1.0.0").mkdir()
    (tmp_path / "pkg@1.0.0" / "a.js").write_text("")
    (tmp_path / "pkg@1.0.0" / "__main.js").write_text("")
    assert cdn_file(tmp_path, "pkg@1.0.0/a.js") == (tmp_path / "pkg@1.0.0" / "a.js").resolve()
    assert cdn_file(tmp_path, "pkg@1.0.0") == (tmp_path / "pkg@1.0.0" / "__main.js").resolve()
    for bad in ("pkg@1.0.0/b.js", "../x", "pkg@1.0.0/../../x", "/etc/passwd", ""):
        assert cdn_file(tmp_path, bad) is None, bad
