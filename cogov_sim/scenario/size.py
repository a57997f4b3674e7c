"""The size of a run: its memory estimated from the scenario's counts before anything is built, and the refusal.

A scenario can validate field by field and still exhaust the machine (a billion shops, a hundred thousand street
centers every agent considers). :func:`estimated_bytes` adds up the measured cost of each count (agents with their
ties, the candidate table, centers, organizations, shops); :func:`check_size` refuses a scenario over
:data:`MAX_RUN_BYTES` with the estimate, the limit and the counts, and one that simulates nobody.
"""

from __future__ import annotations

from cogov_sim.choice_set import CANDIDATES, LEVEL_CANDIDATES
from cogov_sim.scenario.errors import ScenarioError
from cogov_sim.scenario.schema import MAX_AGENTS, Scenario
from cogov_sim.scenario.streets import cached_plan
from cogov_sim.vocabulary import LEVELS

MAX_RUN_BYTES = 8 * 2**30
"""Largest estimated memory of one run (:func:`estimated_bytes`); above it a scenario is refused."""

BYTES_BASE = 300 * 2**20
"""Memory of the interpreter with the model and its libraries loaded, bytes (measured: ~190 MB; with margin)."""

BYTES_PER_AGENT = 1_700
"""Memory per simulated person: the people columns, the Mesa view and ~15 ties (measured 1.3 KB at day 1).

Measured peaks against the estimate: the baseline (56,000 agents) 260 MB (estimate 417 MB), 60 days 265 MB;
306,000 agents 515 MB (929 MB); 200 street centers 857 MB (1,098 MB); 30 district centers 355 MB (520 MB).
"""

BYTES_PER_CANDIDATE = 64
"""Memory per person and candidate center, home and work tables together (measured 53 B with build copies)."""

BYTES_PER_CENTER = 2_000
"""Memory per center: its table row, catchment and daily records."""

BYTES_PER_ORGANIZATION = 20_000
"""Memory per organization: its state, Mesa view and daily records."""

BYTES_PER_SHOP = 64
"""Memory per shop (rider route points and the copies made while snapping them to the roads)."""


def size_terms(scenario: Scenario) -> dict[str, tuple[str, int]]:
    """The counts that set a run's memory: field path -> (what it counts, how many); a city's summed over streets."""
    if scenario.city is None:
        return street_terms(scenario)
    streets, districts = cached_plan(scenario)
    terms = [street_terms(p.scenario) for p in streets]
    total = {path: (what, sum(t[path][1] for t in terms)) for path, (what, _) in terms[0].items()}
    c, o = total["centers"], total["organizations"]
    total["centers"] = (c[0], c[1] + sum(d.centers for d in districts))
    total["organizations"] = (o[0], o[1] + sum(d.departments for d in districts))
    return total


def street_terms(scenario: Scenario) -> dict[str, tuple[str, int]]:
    """The counts of :func:`size_terms` for one street."""
    centers = sum(scenario.center_count(level) for level in LEVELS)
    org = scenario.organizations
    z = scenario.zones
    organizations = (
        org.departments + org.enterprises + max(org.social_organizations, org.max_social_organizations)
        + scenario.population.residential_areas + z.office_buildings + z.business_parks + 1
    )  # fmt: skip
    return {
        "population": ("agents", scenario.population.agents),
        "centers": ("centers", centers),
        "organizations": ("organizations", organizations),
        "zones.shops": ("shops", z.shops),
    }


def candidate_width(scenario: Scenario) -> int:
    """Centers a person weighs from an anchor: the nearest few of any level plus the nearest few of each far level.

    Bounded however large the city (``cogov_sim.world.reach.candidates``).
    """
    if scenario.city is None:
        counts = {level: scenario.center_count(level) for level in LEVELS}
    else:
        streets, districts = cached_plan(scenario)
        counts = {level: sum(p.scenario.center_count(level) for p in streets) for level in LEVELS}
        counts["district"] = sum(d.centers for d in districts)
    centers = sum(counts.values())
    far = sum(min(k, counts[level]) for level, k in LEVEL_CANDIDATES.items())
    return min(centers, CANDIDATES) + far


def memory_costs(scenario: Scenario) -> dict[str, int]:
    """Estimated bytes of a run by the field path that sets them, nothing built.

    Agents with their rows of the candidate table (:func:`candidate_width`), centers, organizations and shops, each
    at its measured cost per item (the ``BYTES_PER_*`` constants).
    """
    terms = size_terms(scenario)
    per_agent = BYTES_PER_AGENT + BYTES_PER_CANDIDATE * candidate_width(scenario)
    per_item = {"population": per_agent, "centers": BYTES_PER_CENTER, "organizations": BYTES_PER_ORGANIZATION,
                "zones.shops": BYTES_PER_SHOP}  # fmt: skip
    return {path: n * per_item[path] for path, (_, n) in terms.items()}


def estimated_bytes(scenario: Scenario) -> int:
    """Estimated peak memory of one run of ``scenario``, bytes: its :func:`memory_costs` plus the loaded libraries."""
    return BYTES_BASE + sum(memory_costs(scenario).values())


def check_size(scenario: Scenario, file: str = "") -> None:
    """Raise :class:`ScenarioError` for a scenario that simulates nobody or would need too much memory.

    The memory refusal gives the estimate, the limit and the counts behind it, at the field path of the largest.
    """
    pop = scenario.population
    agents = size_terms(scenario)["population"][1]
    if agents > MAX_AGENTS:
        raise ScenarioError(
            file, "city" if scenario.city else "population", f"{agents:,} agents; at most {MAX_AGENTS:,} are"
            " allowed. Lower population.sample_fraction"
        )  # fmt: skip
    if agents == 0:
        raise ScenarioError(
            file, "population", f"{pop.residents:,} residents and {pop.commuters:,} commuters at sample_fraction"
            f" {pop.sample_fraction:g} make 0 agents: nobody to simulate (raise population.sample_fraction)"
        )  # fmt: skip
    cost = memory_costs(scenario)
    need = BYTES_BASE + sum(cost.values())
    if need <= MAX_RUN_BYTES:
        return
    worst = max(cost, key=lambda k: cost[k])
    counts = ", ".join(f"{n:,} {what}" for what, n in size_terms(scenario).values())
    raise ScenarioError(
        file, worst, f"a run would need about {need / 2**30:,.1f} GiB ({counts}); at most"
        f" {MAX_RUN_BYTES / 2**30:.0f} GiB is allowed. Lower the largest count"
    )  # fmt: skip
