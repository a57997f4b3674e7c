"""Gaussian-process emulators of the target statistics over the calibrated parameters, and implausibility.

One emulator per target (scikit-learn's ``GaussianProcessRegressor``) maps the parameters, scaled to [0, 1]^d, to
the target's measure on a run: a constant × anisotropic RBF kernel plus a white-noise kernel (the seeds' scatter),
``normalize_y``, hyperparameters by maximum likelihood with restarts from a seeded generator. :func:`validate` fits
one on a random part of the runs and predicts the rest (held-out runs): R², the share of held-out values inside
the 95% prediction interval, and the mean absolute standardized error (about 0.8 for a well-calibrated emulator).

The implausibility of a point x for target j (Craig et al. 1997; Vernon, Goldstein & Bower 2010) is

    I_j(x) = |z_j - E[f_j(x)]| / sqrt(Var_obs,j + Var_disc,j + Var_em,j(x))

with z_j the observed value, Var_obs its variance, Var_disc = (discrepancy × z_j)² the model discrepancy and
Var_em the emulator's predictive variance; a point is ruled out when the largest I_j exceeds the cutoff.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from threadpoolctl import threadpool_limits

MIN_RUNS = 5
"""Fewest runs with a value an emulator is fitted on."""


BLAS_THREADS = 1
"""Linear-algebra threads for fitting and predicting: the matrices are small (a few hundred runs), and with the
process pool's workers busy beside it a multi-threaded BLAS spends its time waiting (measured: one fit of 180
runs in 6 parameters 68 s with the default threads on the loaded 2-core machine, 5.8 s with one)."""


@dataclass
class Emulator:
    """A fitted emulator of one target."""

    target: str
    gp: object
    n: int

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and standard deviation at points ``x`` (rows in [0, 1]^d)."""
        with threadpool_limits(BLAS_THREADS):
            mean, sd = self.gp.predict(np.atleast_2d(x), return_std=True)  # type: ignore[attr-defined]
        return np.asarray(mean, float), np.asarray(sd, float)


def fit(target: str, x: np.ndarray, y: np.ndarray, seed: int) -> Emulator | None:
    """An emulator of ``y`` over ``x`` (NaN values left out); None with fewer than :data:`MIN_RUNS` values."""
    ok = np.isfinite(y)
    if ok.sum() < MIN_RUNS:
        return None
    d = x.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.3), (0.03, 30.0)) + WhiteKernel(0.05, (1e-6, 2.0))
    gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=3, random_state=seed)
    with warnings.catch_warnings(), threadpool_limits(BLAS_THREADS):
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(x[ok], y[ok])
    return Emulator(target, gp, int(ok.sum()))


def validate(target: str, x: np.ndarray, y: np.ndarray, seed: int, share: float = 0.25) -> dict[str, float]:
    """Fit on a random ``1 - share`` of the runs and predict the rest: R², 95% coverage, mean |standardized error|."""
    ok = np.flatnonzero(np.isfinite(y))
    rng = np.random.default_rng(seed)
    test = rng.choice(ok, size=max(1, round(share * len(ok))), replace=False) if len(ok) else ok
    train = np.setdiff1d(ok, test)
    out = {"target": target, "train": len(train), "test": len(test), "r2": math.nan, "coverage_95": math.nan,
           "mean_abs_std_error": math.nan}  # fmt: skip
    em = fit(target, x[train], y[train], seed) if len(train) >= MIN_RUNS else None
    if em is None or not len(test):
        return out
    mean, sd = em.predict(x[test])
    err = y[test] - mean
    ss = float(((y[test] - y[test].mean()) ** 2).sum())
    z = np.abs(err) / np.maximum(sd, 1e-12)
    out.update(r2=1 - float((err**2).sum()) / ss if ss > 0 else math.nan, coverage_95=float((z <= 1.96).mean()),
               mean_abs_std_error=float(z.mean()))  # fmt: skip
    return out


def implausibility(
    emulators: Sequence[Emulator | None],
    observations: Sequence[tuple[float, float]],
    discrepancy: float,
    x: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Implausibility (points × targets) and the emulators' share of the variance, at points ``x``.

    A target without an emulator counts as plausible everywhere (implausibility 0, variance share NaN).
    """
    n = len(x)
    imp = np.zeros((n, len(emulators)))
    share = np.full((n, len(emulators)), np.nan)
    for j, (em, (z, sd_obs)) in enumerate(zip(emulators, observations, strict=True)):
        if em is None or not n:
            continue
        mean, sd = em.predict(x)
        other = sd_obs**2 + (discrepancy * z) ** 2
        imp[:, j] = np.abs(z - mean) / np.sqrt(other + sd**2)
        share[:, j] = sd**2 / (other + sd**2)
    return imp, share
