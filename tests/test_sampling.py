"""Sampling does not change the answer (issue 9 item 6): one agent per person, per four and per ten people give
the same real-population results within 10% or within the seeds' 95% interval: activity, participation and
success, volunteering, agreements, visits, awareness, and the resident tie network (ties at the acquaintance
level per person, their hours, the share of people with a tie of regular contact)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from cogov_sim.model import CoGovModel
from tests.conftest import small

FRACTIONS = (1.0, 0.25, 0.1)
SEEDS = range(1, 6)
DAYS = 150
RESIDENTS = 20_000
EARLY_AGREEMENTS = {"behaviour.agreement_hours": 8.0, "behaviour.agreement_successes": 1}
"""Lower agreement thresholds, so that 150 days sign enough agreements to compare (a handful otherwise)."""
REGULAR_HOURS = 20.0
"""A resident tie of this many shared hours is regular contact (friends are too rare in 150 days to compare)."""
TOLERANCE = 0.10
"""The relative gap from one agent per person that counts as the same answer."""
KNOWN_GAPS: dict[tuple[str, float], float] = {("contacts_per_visit", 0.25): 0.15, ("contacts_per_visit", 0.1): 0.15}
"""Wider tolerances, each a known gap to close. Contacts per visit below one agent per person ran 9% low at 0.1 at
the issue-9 defaults; at the calibrated default (docs/MODEL.md §10.1), whose visitors are fewer and more regular,
2.20 at 0.25 and 2.16 at 0.1 against 2.44 at one agent per person (10% and 12% low; docs/MODEL.md §7.7). The ties
those contacts make (resident ties, tie hours, regular contact) stay within 10%."""
METRICS = ("joint_actions_per_10k", "success_rate", "participants_per_action", "volunteer_share",
           "agreements", "visits_per_capita", "contacts_per_visit", "awareness", "resident_ties", "tie_hours",
           "regular_contact")  # fmt: skip


def measure(args: tuple[float, int]) -> dict[str, float]:
    """Real-population results of one run of a small baseline street at one sample fraction."""
    fraction, seed = args
    sc = small("baseline", fraction, **{"population.residents": RESIDENTS, "population.commuters": RESIDENTS // 8,
                                        **EARLY_AGREEMENTS})  # fmt: skip
    model = CoGovModel(sc, seed=seed)
    acts = success = people = 0
    visits = contacts = 0
    for _ in range(DAYS):
        model.step()
        w = model.world
        visits += len(w.today.visitor)
        contacts += 2 * len(w.today.pairs[0])
        for a in w.today.activities:
            acts += 1
            success += a.success
            people += a.people
    w = model.world
    i, j, h = w.ties.above(w.day, w.scenario.behaviour.acquaintance_hours)
    among = (i < w.n) & (j < w.n)
    regular = np.zeros(w.n, dtype=bool)
    strong = among & (h >= REGULAR_HOURS)
    regular[i[strong]] = regular[j[strong]] = True
    return {"resident_ties": 2 * among.sum() / w.n, "tie_hours": 2 * h[among].sum() / w.n,
            "regular_contact": float(regular.mean()), "fraction": fraction, "seed": seed,
            "joint_actions_per_10k": acts / (w.n * w.scale) * 1e4,
            "success_rate": success / max(acts, 1), "participants_per_action": people / max(acts, 1),
            "volunteer_share": float(w.pop.volunteer.mean()), "agreements": len(w.agreements),
            "visits_per_capita": visits / w.n, "contacts_per_visit": contacts / max(visits, 1),
            "awareness": float(w.pop.awareness.mean())}  # fmt: skip


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pd.DataFrame(list(pool.map(measure, [(f, s) for f in FRACTIONS for s in SEEDS])))


@pytest.mark.parametrize("fraction", FRACTIONS[1:])
@pytest.mark.parametrize("metric", METRICS)
def test_real_population_results_do_not_depend_on_the_sample_fraction(runs, metric, fraction):
    full = runs.loc[runs["fraction"] == 1.0, metric].to_numpy(dtype=float)
    part = runs.loc[runs["fraction"] == fraction, metric].to_numpy(dtype=float)
    gap = abs(part.mean() - full.mean())
    interval = 1.96 * np.sqrt(full.var(ddof=1) / len(full) + part.var(ddof=1) / len(part))
    tolerance = KNOWN_GAPS.get((metric, fraction), TOLERANCE)
    assert gap <= max(tolerance * abs(full.mean()), interval), (metric, fraction, full.mean(), part.mean())
