"""Time one app frame (a day stepped and the map, charts and network drawn) on a scenario, as the app does it.

Run ``python -m cogov_sim.viz.bench [--scenario baseline] [--days 60] [--interval 1] [--views map]``. It builds the
model through the app's session (:class:`cogov_sim.viz.session.Session`), then calls :meth:`~Session.advance`
``days`` times and prints the wall and CPU time per frame, split into the model step and the drawing of each view.
The app draws only the views of the tab on screen (the map when it opens); ``--views map,charts,diff,network``
draws them all. CPU time is shown
too because on a shared machine the wall time also counts waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

import numpy as np

from cogov_sim.viz.catalog import Catalog
from cogov_sim.viz.session import Session


def measure(
    name: str = "baseline", days: int = 60, interval: int = 1, warmup: int = 3, views: Sequence[str] = ("map",)
) -> dict[str, np.ndarray]:
    """Per-frame seconds of ``days`` frames after ``warmup`` uncounted ones (first drawings, caches), drawing ``views``.

    Returns:
        ``frame`` (wall) and ``cpu`` (process CPU) per frame, and its ``step``, ``map``, ``charts`` and ``network``
        parts (wall).
    """
    session = Session(Catalog.build(), shown=frozenset(views))
    session.build(name)
    for _ in range(warmup):
        session.advance(interval)
    out: dict[str, list[float]] = {k: [] for k in ("frame", "cpu", "step", "map", "charts", "network")}
    for _ in range(days):
        wall, cpu = time.perf_counter(), time.process_time()
        frame = session.advance(interval)
        out["frame"].append(time.perf_counter() - wall)
        out["cpu"].append(time.process_time() - cpu)
        out["step"].append(frame.timings["step"] * interval)
        for view in ("map", "charts", "network"):
            out[view].append(frame.timings[view])
    return {k: np.array(v) for k, v in out.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the timing table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="baseline", help="shipped scenario name (default baseline)")
    p.add_argument("--days", type=int, default=60, help="frames timed (default 60)")
    p.add_argument("--interval", type=int, default=1, help="render interval: days per frame (default 1)")
    p.add_argument("--views", default="map", help="views drawn, comma-separated (default map: the app's first tab)")
    args = p.parse_args(argv)
    t = measure(args.scenario, args.days, args.interval, views=[v for v in args.views.split(",") if v])
    print(f"{args.scenario}: {args.days} frames at render interval {args.interval}, load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"{'seconds':>10} {'mean':>7} {'median':>7} {'p95':>7} {'max':>7}")
    for key in ("frame", "cpu", "step", "map", "charts", "network"):
        v = t[key]
        print(f"{key:>10} {v.mean():7.3f} {np.median(v):7.3f} {np.percentile(v, 95):7.3f} {v.max():7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
