"""Interventions on organizations: mobilization campaigns, Party withdrawal, incubated social organizations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mesa.time import Schedule
from pydantic import Field, PrivateAttr

from cogov_sim.interventions.base import CenterTargets, PartyTargets, effect_day
from cogov_sim.scenario import FUNCTIONS, Function, Level
from cogov_sim.world.organizations import PartyOrganization, SocialOrganization

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel


@dataclass
class Changed:
    """Organizations an intervention changed (to change back)."""

    orgs: list[PartyOrganization]


@dataclass
class Founded:
    """Social organizations an intervention founded (and supports)."""

    orgs: list[SocialOrganization]


class MobilizationCampaign(PartyTargets):
    """Party organizations convene more for a while: their convening rate is multiplied by ``multiplier``.

    Campaigns multiply (two overlapping campaigns of 2 give 4); at ``end_day`` the multiplier is divided out.
    """

    kind: Literal["mobilization_campaign"] = "mobilization_campaign"
    multiplier: float = Field(2.0, gt=0, le=20, description="Factor on the activities convened per week.")

    _state: Changed | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Raise the campaign factor of the targeted organizations."""
        orgs = self.party(model.world)
        self._state = Changed(orgs)
        for o in orgs:
            o.campaign *= self.multiplier
        self.log(model, f"x{self.multiplier:g} convening for {len(orgs)} Party organizations")

    def revert(self, model: CoGovModel) -> None:
        """End the campaign."""
        for o in self._state.orgs if self._state else []:
            o.campaign /= self.multiplier
        self.log(model, "campaign ended")


class WithdrawPartyConvening(PartyTargets):
    """Party organizations stop convening (to test whether co-governance sustains itself: path dependence).

    The targeted organizations convene no activities of their own; the regular actions of their co-building
    agreements are convened by the partner instead, and programmes they lead (an alliance, joint meetings) pass
    to the most committed member able to convene (readiness and free capacity) or stop. They still accept
    invitations as partners, keep operating their centers and keep their ties. With ``end_day`` they resume
    convening after it.
    """

    kind: Literal["withdraw_party_convening"] = "withdraw_party_convening"

    _state: Changed | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Stop the targeted organizations convening."""
        orgs = [o for o in self.party(model.world) if o.convening]
        self._state = Changed(orgs)
        for o in orgs:
            o.convening = False
        self.log(model, f"{len(orgs)} Party organizations stop convening")

    def revert(self, model: CoGovModel) -> None:
        """Resume convening."""
        for o in self._state.orgs if self._state else []:
            o.convening = True
        self.log(model, "Party organizations convene again")


class IncubateSocialOrganizations(CenterTargets):
    """Found social organizations at incubation centers and support them for a while.

    ``count`` organizations are founded on ``start_day`` at the targeted centers in turn (default the street
    center: the street's incubation base), each with one specialty from ``specialties`` in turn, starting at
    ``maturity``. For ``support_months`` months each surviving one gains ``support_per_month`` maturity (grants,
    training, a desk at the center). Social organizations join activities in their specialty, mature with success
    and fail when still immature (< 0.25) a year after founding. They count toward ``social_organizations``; the
    scenario's cap limits only spontaneous incubation.
    """

    kind: Literal["incubate_social_organizations"] = "incubate_social_organizations"
    levels: tuple[Level, ...] = Field(("street",), description="Center levels that incubate.")
    count: int = Field(5, ge=0, le=10_000, description="Social organizations founded.")
    specialties: tuple[Function, ...] = Field(
        ("livelihood", "group_work", "training", "culture_sports"), min_length=1, description="Assigned in turn."
    )
    maturity: float = Field(0.3, ge=0, le=1, description="Maturity at founding (0-1).")
    support_per_month: float = Field(0.05, ge=0, le=1, description="Maturity gained per month of support.")
    support_months: int = Field(12, ge=0, le=1200, description="Months of support.")

    _state: Founded | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Found the organizations and schedule the monthly support."""
        world = model.world
        centers = self.targets(world)
        day = effect_day(model)
        founded = []
        for k in range(self.count if len(centers) else 0):
            c = int(centers[k % len(centers)])
            spec = FUNCTIONS.index(self.specialties[k % len(self.specialties)])
            area = int(world.centers.area_index[c])
            founded.append(world.found_social_org(c, area, specialty=spec, maturity=self.maturity, day=day))
        self._state = Founded(founded)
        if founded and self.support_months and self.support_per_month > 0:
            model.schedule_recurring(
                self._support, Schedule(interval=30, start=day - 0.5 + 30, count=self.support_months)
            )
        self.log(model, f"{len(founded)} social organizations")

    def _support(self) -> None:
        for o in self._state.orgs if self._state else []:
            if o.active:
                o.maturity = min(1.0, o.maturity + self.support_per_month)
