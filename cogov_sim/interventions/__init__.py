"""What-if policy objects: serializable interventions applied to a running model at a day.

- :mod:`~cogov_sim.interventions.base`: the framework (the base class, scheduling, streams, targets);
- :mod:`~cogov_sim.interventions.centers`: center edits (open, close, function zones, hours, rider stations);
- :mod:`~cogov_sim.interventions.organizations`: organization edits (campaigns, withdrawal, incubation);
- :mod:`~cogov_sim.interventions.programmes`: programmes with activities of their own (alliances, joint meetings);
- :mod:`~cogov_sim.interventions.registry`: ``REGISTRY`` (name -> class) and :func:`make_intervention`.

Recurring programmes add their activities through ``world.programmes`` at the end of the supply phase, after
the regular conveners. ``docs/whatif.md`` documents every intervention.
"""

from cogov_sim.interventions.base import (
    CenterTargets,
    Intervention,
    PartyTargets,
    Temporary,
    effect_day,
    scenario_center_count,
)
from cogov_sim.interventions.centers import (
    AddCenters,
    AddFunctions,
    ChangeHours,
    CloseCenters,
    RemoveFunctions,
    RiderStations,
)
from cogov_sim.interventions.organizations import (
    IncubateSocialOrganizations,
    MobilizationCampaign,
    WithdrawPartyConvening,
)
from cogov_sim.interventions.programmes import DepartmentCoordination, LaunchAlliance
from cogov_sim.interventions.registry import REGISTRY, make_intervention

__all__ = [
    "REGISTRY",
    "AddCenters",
    "AddFunctions",
    "CenterTargets",
    "ChangeHours",
    "CloseCenters",
    "DepartmentCoordination",
    "IncubateSocialOrganizations",
    "Intervention",
    "LaunchAlliance",
    "MobilizationCampaign",
    "PartyTargets",
    "RemoveFunctions",
    "RiderStations",
    "Temporary",
    "WithdrawPartyConvening",
    "effect_day",
    "make_intervention",
    "scenario_center_count",
]
