"""The registry of interventions by name, and building one from plain data (an experiment file's entry)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from cogov_sim.interventions import centers, organizations, programmes
from cogov_sim.interventions.base import Intervention
from cogov_sim.scenario import ScenarioError, format_error, unknown_message
from cogov_sim.scenario.errors import shorten, show

REGISTRY: dict[str, type[Intervention]] = {
    "add_centers": centers.AddCenters,
    "close_centers": centers.CloseCenters,
    "add_functions": centers.AddFunctions,
    "remove_functions": centers.RemoveFunctions,
    "change_hours": centers.ChangeHours,
    "rider_stations": centers.RiderStations,
    "launch_alliance": programmes.LaunchAlliance,
    "incubate_social_organizations": organizations.IncubateSocialOrganizations,
    "mobilization_campaign": organizations.MobilizationCampaign,
    "department_coordination": programmes.DepartmentCoordination,
    "withdraw_party_convening": organizations.WithdrawPartyConvening,
}
"""Intervention name -> class."""


def make_intervention(data: dict[str, Any], file: str = "", path: str = "") -> Intervention:
    """Build an intervention from plain data; bad input raises ScenarioError with the field path."""
    if not isinstance(data, dict) or "kind" not in data:
        raise ScenarioError(file, path, f"an intervention needs a `kind`; allowed: {', '.join(REGISTRY)}")
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in REGISTRY:
        name = shorten(kind) if isinstance(kind, str) else show(kind)
        raise ScenarioError(
            file, f"{path}.kind" if path else "kind", unknown_message(name, list(REGISTRY), what="intervention")
        )
    try:
        return REGISTRY[kind].model_validate(data)
    except ValidationError as err:
        sub, message = format_error(err)
        first = err.errors(include_url=False)[0]
        if first["type"] == "extra_forbidden":  # the allowed keys are the intervention's, not a scenario's
            message = unknown_message(str(first["loc"][-1]), list(REGISTRY[kind].model_fields))
        raise ScenarioError(file, f"{path}.{sub}" if path and sub else (path or sub), message) from None
