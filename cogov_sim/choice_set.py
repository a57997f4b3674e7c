"""How many centers a person weighs: the bounds of the choice set (``cogov_sim.world.reach.candidates``).

Apart from the reach tables so that the memory estimate of a scenario (``cogov_sim.scenario.size``) uses the same
bounds without importing the world.
"""

CANDIDATES = 6
"""Nearest active centers of any level a person weighs from each anchor (home, work): the neighbourhood's grid
and residential centers and stations. The far levels below add their own nearest few."""
STREET_CANDIDATES = 3
"""Nearest street centers (街道/镇 party-mass service centers) a person also weighs, wherever they are: one's own
street and its neighbours. A place of one street has one; a city has about 215, and walking 3 km further
divides a center's weight by about 4,400 (``decay_per_km`` 2.15, ``detour_factor`` 1.3), so the fourth-nearest is
never a real choice. Assumption; plausible 2-5."""
DISTRICT_CANDIDATES = 2
"""Nearest district centers a person also weighs: one's own district and the next one over (Shanghai's 16
districts are 20-600 km² each). Assumption; plausible 1-3."""
LEVEL_CANDIDATES: dict[str, int] = {"street": STREET_CANDIDATES, "district": DISTRICT_CANDIDATES}
"""The far levels and how many of each a person weighs on top of the ``CANDIDATES`` nearest: a person weighs at
most CANDIDATES + STREET_CANDIDATES + DISTRICT_CANDIDATES centers from an anchor, however large the city."""
