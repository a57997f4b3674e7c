"""The app's door: an ASGI middleware that admits only the app's own page.

Wrapped around Solara's Starlette app by :mod:`cogov_sim.viz.asgi`, it

- answers 403 to any HTTP or websocket request whose ``Host`` is not the app's own (loopback names on its port, or
  the host it was started with): a foreign site reached through DNS rebinding gets nothing;
- refuses, before it is accepted, a websocket whose ``Origin`` is present and not the app's own, or is ``null``
  (a sandboxed frame or a file), and refuses a state-changing HTTP request (POST, ...) from such an Origin: a page
  of another site open in the same browser cannot start or drive a session;
- answers 404 at once to ``/_solara/cdn/<path>`` when the file is not installed locally, so no request makes the
  server fetch from the internet (Solara would otherwise download it from a CDN);
- caps the live sessions: past the cap a new page gets a short 503 page saying so, and a new websocket is refused;
- adds ``X-Frame-Options``, ``Content-Security-Policy`` (``frame-ancestors 'none'``), ``X-Content-Type-Options``
  and ``Referrer-Policy`` to every HTTP response.

It knows nothing of Solara: the live sessions come from a callable, the assets folder from a path.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""Names under which this machine reaches a server bound to a loopback or wildcard address."""

WILDCARDS = ("", "0.0.0.0", "::")
"""Bind addresses meaning every interface."""

CDN_PREFIX = "/_solara/cdn/"
"""Solara's route for front-end files (served from its local cache, else fetched from a CDN)."""

KERNEL_PREFIX = "/jupyter/api/kernels/"
"""Solara's websocket route: ``/jupyter/api/kernels/<kernel id>/channels``; one kernel is one session."""

NOT_PAGES = ("/_solara/", "/static/", "/jupyter/", "/readyz", "/resourcez", "/favicon")
"""Path prefixes of Solara's assets and APIs; every other GET is a page (the page opens a session)."""

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
"""HTTP methods that change nothing; the others need the app's own Origin when they carry one."""

CSP = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self' blob:; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Content-Security-Policy of every response: everything from the app itself, never inside a frame. Solara's page
needs inline scripts and styles, ``eval`` (Vue templates compiled in the browser) and ``data:`` images; nothing
is loaded from another origin (``connect-src 'self'`` covers the page's own websocket)."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
"""Headers added to every HTTP response (unless the app already set the same header)."""


def host_name(host: str) -> str:
    """``host`` as it appears in a ``Host`` header: lower case, an IPv6 address in brackets."""
    host = host.strip().lower()
    try:
        if ipaddress.ip_address(host.strip("[]")).version == 6:
            return f"[{host.strip('[]')}]"
    except ValueError:
        pass
    return host


def own_names(host: str) -> list[str]:
    """Names by which a browser on this machine (or, for a wildcard or LAN bind, beside it) reaches the app.

    Always the loopback names; the bind address itself unless it is a wildcard; for a wildcard, this machine's
    host name and the addresses it resolves to (best effort: no name service, no extra names).
    """
    names = list(LOOPBACK_NAMES)
    if host.strip() in WILDCARDS:
        hostname = socket.gethostname()
        extra = {hostname, socket.getfqdn()}
        with contextlib.suppress(OSError):
            extra |= {str(info[4][0]) for info in socket.getaddrinfo(hostname, None, type=socket.SOCK_STREAM)}
    else:
        extra = {host}
    return names + sorted(host_name(h) for h in extra if host_name(h) not in names)


@dataclass(frozen=True)
class Policy:
    """Who may come in: the allowed ``Host`` values and Origins, the local assets folder and the session cap."""

    hosts: frozenset[str]
    """Allowed ``Host`` header values, lower case (``name:port``; also ``name`` alone on port 80)."""
    origins: frozenset[str]
    """Allowed ``Origin`` header values (``http://name:port``)."""
    cdn_dir: Path | None
    """Folder of the locally installed front-end files behind ``/_solara/cdn/`` (None: that route answers 404)."""
    max_sessions: int
    """Most live sessions at once (open pages, and closed ones not yet ended by the idle time)."""

    @classmethod
    def for_server(cls, host: str, port: int, cdn_dir: Path | None, max_sessions: int) -> Policy:
        """The policy of a server bound to ``host``:``port``: its own names on its port, nothing else."""
        names = own_names(host)
        hosts = {f"{n}:{port}" for n in names} | ({*names} if port == 80 else set())
        origins = {f"http://{n}:{port}" for n in names} | ({f"http://{n}" for n in names} if port == 80 else set())
        return cls(frozenset(hosts), frozenset(origins), cdn_dir, max_sessions)


def cdn_file(cdn_dir: Path | None, path: str) -> Path | None:
    """The installed file Solara would serve for ``/_solara/cdn/<path>``, or None (not installed, or outside).

    A path of one part (``pkg@1.0``) stands for its ``__main.js``, as in Solara's own lookup.
    """
    if cdn_dir is None or not path or "\x00" in path:
        return None
    parts = path.replace("\\", "/").split("/")
    relative = Path(path, "__main.js") if len(parts) == 1 else Path(path)
    root = cdn_dir.resolve()
    try:
        target = (root / relative).resolve()
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def headers_of(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (the first of repeated ones), decoded as latin-1."""
    out: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        out.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return out


def kernel_id(path: str) -> str | None:
    """The kernel (session) id of a websocket path ``/jupyter/api/kernels/<id>/<channel>``, else None."""
    if not path.startswith(KERNEL_PREFIX):
        return None
    return path[len(KERNEL_PREFIX) :].split("/", 1)[0] or None


def full_page(max_sessions: int) -> bytes:
    """The page shown when the session cap is reached."""
    text = html.escape(
        f"The app already has {max_sessions} open sessions, its limit. Close one of its tabs (or wait a few "
        "minutes for a closed one to end) and reload this page."
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>cogov: too many sessions</title></head>"
        f"<body style='font-family:sans-serif;margin:3em'><h1>Too many sessions</h1><p>{text}</p></body></html>"
    ).encode()


class Guard:
    """ASGI middleware admitting only the app's own page (see the module's docstring)."""

    def __init__(self, app: ASGIApp, policy: Policy, sessions: Callable[[], Collection[str]]) -> None:
        """Wrap ``app``.

        Args:
            app: the ASGI application behind the door (Solara's Starlette app).
            policy: allowed hosts and origins, local assets folder and session cap.
            sessions: returns the ids of the live sessions (kernels) now.
        """
        self.app = app
        self.policy = policy
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse, answer or pass on one connection."""
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = headers_of(scope)
        path = scope.get("path", "")
        if headers.get("host", "").lower() not in self.policy.hosts:
            await self.refuse(scope, send, 403, b"Forbidden: this server answers only to its own address.\n")
            return
        origin = headers.get("origin")
        foreign = origin is not None and origin.lower() not in self.policy.origins  # includes "null"
        if kind == "websocket":
            if foreign:
                await self.refuse(scope, send, 403, b"")
                return
            kid = kernel_id(path)
            if kid is not None:
                live = self.sessions()
                if kid not in live and len(live) >= self.policy.max_sessions:
                    await self.refuse(scope, send, 403, b"")
                    return
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET").upper()
        if foreign and method not in SAFE_METHODS:
            await self.refuse(scope, send, 403, b"Forbidden: request from another site.\n")
            return
        if path.startswith(CDN_PREFIX) and cdn_file(self.policy.cdn_dir, path[len(CDN_PREFIX) :]) is None:
            await self.refuse(scope, send, 404, b"Not found (not installed locally).\n")
            return
        if method == "GET" and not path.startswith(NOT_PAGES) and len(self.sessions()) >= self.policy.max_sessions:
            await self.refuse(scope, send, 503, full_page(self.policy.max_sessions), "text/html; charset=utf-8")
            return
        await self.app(scope, receive, with_headers(send))

    @staticmethod
    async def refuse(
        scope: Scope, send: Send, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"
    ) -> None:
        """Answer ``status`` with ``body`` (HTTP), or close a websocket before accepting it (HTTP 403)."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": [*headers, *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})


def with_headers(send: Send) -> Send:
    """``send`` adding :data:`SECURITY_HEADERS` to the response's start (those the app has not set itself)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
