"""Experimental designs and per-run seeds.

A design is a table of points, one value per swept parameter. Sampled designs draw in a *sampling space*: the
parameter's range, widened by half a unit on each side for whole numbers (see
:attr:`~cogov_sim.experiments.parameters.Parameter.raw_bounds`); the value applied to the scenario is the sampled value,
rounded for whole numbers. The raw sampled values are kept because SALib's analyses need the design exactly as it
was sampled.

Seeds come from one :class:`numpy.random.SeedSequence` per experiment: the run at design point ``i``,
replication ``r`` uses the child sequence ``SeedSequence(seed).spawn(...)[i].spawn(...)[r]`` (built directly from
its spawn key), so a run's seed depends only on the experiment seed, ``i`` and ``r``: the same in any order, on any
number of workers, and unchanged when replications are added.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cogov_sim.experiments.parameters import Parameter
    from cogov_sim.experiments.spec import Experiment

DESIGN_STREAM = 2**32 - 1
"""Spawn key of the stream that samples the design itself (no design point has this index)."""


def run_seed(experiment_seed: int, point_index: int, replication: int) -> int:
    """The run seed of design point ``point_index``, replication ``replication``.

    Equal to the first word of ``SeedSequence(experiment_seed).spawn(n)[point_index].spawn(m)[replication]``.

    Args:
        experiment_seed: the experiment's ``seed``.
        point_index: index of the design point (0-based).
        replication: replication number (0-based).

    Returns:
        A seed in ``[0, 2**32)`` for :func:`cogov_sim.simulation.simulate`.
    """
    ss = np.random.SeedSequence(experiment_seed, spawn_key=(point_index, replication))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def design_seed(experiment_seed: int) -> int:
    """Seed of the design's own sampling (Latin hypercube, Sobol scrambling, Morris trajectories)."""
    ss = np.random.SeedSequence(experiment_seed, spawn_key=(DESIGN_STREAM,))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class Design:
    """The points of an experiment.

    Attributes:
        method: the design method.
        columns: parameter column names.
        raw: ``(points, parameters)`` values in the sampling space (for a choice: the level index).
        points: per point, column -> value applied to the scenario (a label for a choice).
        problem: the SALib problem (names and sampling-space bounds) for sampled designs, else ``None``.
        levels: Morris grid levels (0 for other designs).
    """

    method: str
    columns: tuple[str, ...]
    raw: np.ndarray
    points: tuple[dict[str, Any], ...]
    problem: dict[str, Any] | None = None
    levels: int = 0

    def __len__(self) -> int:
        return len(self.points)

    def frame(self) -> pd.DataFrame:
        """``point_index`` and the raw (sampling-space) value of each parameter, one row per point."""
        df = pd.DataFrame(self.raw, columns=list(self.columns))
        df.insert(0, "point_index", np.arange(len(self), dtype=np.int64))
        return df


def salib_problem(params: tuple[Parameter, ...]) -> dict[str, Any]:
    """The SALib problem definition of ranged parameters, bounds in the sampling space."""
    return {
        "num_vars": len(params),
        "names": [p.column for p in params],
        "bounds": [list(p.raw_bounds) for p in params],
    }


def _points(params: tuple[Parameter, ...], raw: np.ndarray) -> tuple[dict[str, Any], ...]:
    return tuple({p.column: p.from_raw(float(x)) for p, x in zip(params, row, strict=True)} for row in raw)


def full_factorial(params: tuple[Parameter, ...]) -> Design:
    """Every combination of the parameters' values; the first parameter varies slowest."""
    combos = list(itertools.product(*(range(len(p.values)) for p in params)))
    raw = np.array(
        [
            [float(j) if p.kind == "choice" else float(p.values[j]) for p, j in zip(params, c, strict=True)]
            for c in combos
        ],
        dtype=float,
    ).reshape(len(combos), len(params))
    points = tuple({p.column: p.values[j] for p, j in zip(params, c, strict=True)} for c in combos)
    return Design("full_factorial", tuple(p.column for p in params), raw, points)


def latin_hypercube(params: tuple[Parameter, ...], samples: int, seed: int) -> Design:
    """``samples`` points of a Latin hypercube.

    Each parameter's range is cut in ``samples`` equal strata and every stratum holds exactly one point.
    """
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(samples)
    lo = np.array([p.raw_bounds[0] for p in params])
    hi = np.array([p.raw_bounds[1] for p in params])
    raw = lo + unit * (hi - lo)
    return Design("latin_hypercube", tuple(p.column for p in params), raw, _points(params, raw), salib_problem(params))


def sobol(params: tuple[Parameter, ...], samples: int, seed: int) -> Design:
    """Saltelli's scheme for first- and total-order Sobol indices: ``samples · (D + 2)`` points (SALib)."""
    from SALib.sample import sobol as sobol_sample

    problem = salib_problem(params)
    raw = sobol_sample.sample(dict(problem), samples, calc_second_order=False, scramble=True, seed=seed)
    return Design("sobol", tuple(p.column for p in params), np.asarray(raw, float), _points(params, raw), problem)


def morris(params: tuple[Parameter, ...], trajectories: int, levels: int, seed: int) -> Design:
    """Morris elementary-effects trajectories on a ``levels`` grid: ``trajectories · (D + 1)`` points (SALib)."""
    from SALib.sample import morris as morris_sample

    problem = salib_problem(params)
    raw = morris_sample.sample(dict(problem), trajectories, num_levels=levels, seed=seed)
    columns = tuple(p.column for p in params)
    return Design("morris", columns, np.asarray(raw, float), _points(params, raw), problem, levels)


def build_design(exp: Experiment) -> Design:
    """The design of a loaded experiment, sampled with the experiment's design seed."""
    params = exp.parameters
    n = exp.spec.design.samples or 0
    seed = design_seed(exp.spec.seed)
    if exp.method == "full_factorial":
        return full_factorial(params)
    if exp.method == "latin_hypercube":
        return latin_hypercube(params, n, seed)
    if exp.method == "sobol":
        return sobol(params, n, seed)
    return morris(params, n, exp.morris_levels, seed)
