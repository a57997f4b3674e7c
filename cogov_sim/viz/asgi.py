"""The app's server process: Solara's Starlette app behind :class:`~cogov_sim.viz.guard.Guard`, run by uvicorn.

``cogov viz`` (:mod:`cogov_sim.viz.serve`) starts ``python -m cogov_sim.viz.asgi`` with its configuration in the
environment, which must be set before Solara is imported (Solara reads its settings at import):

- ``SOLARA_APP`` (the page's module), ``SOLARA_MODE=production``, ``SOLARA_KERNEL_CULL_TIMEOUT`` (the idle time
  after which a session whose page is gone ends), ``SOLARA_ASSETS_PROXY=true`` (front-end files from the local
  ``solara-assets`` install), ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=false`` (no usage reports sent out);
- ``COGOV_VIZ_HOST``, ``COGOV_VIZ_PORT`` and ``COGOV_VIZ_MAX_SESSIONS``: the address to bind and the session cap.

Unlike ``solara run``, nothing here looks for a newer Solara on the internet. A watcher thread gives the memory
of ended sessions back to the system: Solara frees their objects, but the C allocator keeps the freed pages in the
process (measured: 10 ended sessions still held about 190 MB) until ``malloc_trim`` returns them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import threading
from collections.abc import Callable

import uvicorn
from solara.server import kernel_context
from solara.server import settings as solara_settings
from solara.server.starlette import app as solara_app

from cogov_sim.viz.catalog import Catalog
from cogov_sim.viz.guard import Guard, Policy
from cogov_sim.viz.serve import ENV_HOST, ENV_MAX_SESSIONS, ENV_PORT
from cogov_sim.viz.session import Session


def live_sessions() -> list[str]:
    """Ids of Solara's live virtual kernels: one per open page, or closed page not yet culled."""
    return list(kernel_context.contexts)


TRIM_EVERY = 2.0
"""Seconds between two looks of the memory watcher at the number of live sessions."""


def trimmer() -> Callable[[], object] | None:
    """The C library's ``malloc_trim(0)`` (free heap pages back to the system), or None without glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return lambda: trim(0)


def watch_memory(period: float = TRIM_EVERY, stop: threading.Event | None = None) -> None:
    """Until ``stop`` is set: whenever sessions or threads have ended since the last look, collect and trim.

    Threads count too: a session's work threads can finish, and free their memory, after the session has ended.
    """
    trim = trimmer()
    stop = stop or threading.Event()
    last = (len(kernel_context.contexts), threading.active_count())
    while not stop.wait(period):
        now = (len(kernel_context.contexts), threading.active_count())
        if now[0] < last[0] or now[1] < last[1]:
            gc.collect()
            if trim is not None:
                trim()
        last = now


def warm_up() -> None:
    """Build and draw the default scenario once, so the first visitor does not wait for the first drawing.

    The first frame loads fonts, imports and drawing caches that every later session shares; loaded here they are
    part of the server's footprint from its start, not of the first session's.
    """
    try:
        Session(Catalog.build()).build()
    except Exception as err:  # a failed warm-up only costs the first visitor some time
        logging.getLogger("cogov_sim.viz").warning("warm-up failed: %s", err)
    gc.collect()


def build(host: str, port: int, max_sessions: int) -> Guard:
    """Solara's app behind the door for a server on ``host``:``port`` with at most ``max_sessions`` sessions."""
    cdn_dir = solara_settings.assets.proxy_cache_dir
    policy = Policy.for_server(host, port, cdn_dir if cdn_dir.is_dir() else None, max_sessions)
    return Guard(solara_app, policy, live_sessions)


def main() -> None:
    """Serve until stopped (SIGINT or SIGTERM), with the configuration from the environment."""
    host, port = os.environ[ENV_HOST], int(os.environ[ENV_PORT])
    app = build(host, port, int(os.environ[ENV_MAX_SESSIONS]))
    for name in ("solara", "reacton"):  # as quiet as `solara run`: errors only
        logging.getLogger(name).setLevel(logging.ERROR)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="error", access_log=False, loop="asyncio", proxy_headers=False
    )
    warm_up()
    threading.Thread(target=watch_memory, name="cogov-memory", daemon=True).start()
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
