"""The state of a place as one typed World, its builder, its reach tables and its records.

- :mod:`~cogov_sim.world.state`: the :class:`World` dataclass and the edits that change it;
- :mod:`~cogov_sim.world.build`: :func:`build_world` from a scenario and a seed;
- :mod:`~cogov_sim.world.organizations`: the organizations (plain state objects);
- :mod:`~cogov_sim.world.profiles`: their starting profiles, and people's starting awareness;
- :mod:`~cogov_sim.world.reach`: candidate centers, nearest centers, catchments, static choice weights;
- :mod:`~cogov_sim.world.records`: problems, activities and the scratch record of a day.
"""

from cogov_sim.world.build import build_world
from cogov_sim.world.records import Activity, Problems, Today
from cogov_sim.world.state import World

__all__ = ["Activity", "Problems", "Today", "World", "build_world"]
