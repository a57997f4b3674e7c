"""The Mesa agents: thin views that a running ``CoGovModel`` gives the actors of its World.

The state lives in the World (:mod:`cogov_sim.world`): residents as population columns, organizations as plain
objects in ``world.orgs``. A :class:`Resident` knows only its row, an :class:`OrganizationAgent` only its
organization, so the phases never need a Mesa model and the Mesa views never hold state of their own.

Both views answer the same questions (:attr:`ActorView.REPORTABLE`), so one set of Mesa ``agent_reporters`` works
on residents and organizations alike: what does not apply to an actor is ``None`` (an organization has no trust,
a resident no commitment).
"""

from __future__ import annotations

from typing import Any, ClassVar

import mesa

from cogov_sim.scenario import SEGMENTS
from cogov_sim.world import World
from cogov_sim.world.organizations import Organization


class ActorView(mesa.Agent):
    """What every actor's view answers; an attribute that does not apply to the actor is ``None``.

    Attributes:
        actor_type: one of the nine actor types (a resident's segment, an organization's type).
        kind: ``resident`` or the organization type (``party``, ``department``, ``enterprise``, ``social_org``).
        label: a readable name.
        node: the actor's node in the tie network.
        area: residential area (-1 none: commuters, organizations of no area).
        active: whether the actor still takes part (residents always do).
        segment, party_member, trust, service, cogov, identification, volunteer, visits, actions_joined: a
            resident's (``None`` for organizations).
        commitment, motive, readiness, convened, joined, successes: an organization's (``None`` for residents).
    """

    REPORTABLE: ClassVar[tuple[str, ...]] = (
        "actor_type",
        "kind",
        "label",
        "node",
        "area",
        "active",
        "segment",
        "party_member",
        "trust",
        "service",
        "cogov",
        "identification",
        "volunteer",
        "visits",
        "actions_joined",
        "commitment",
        "motive",
        "readiness",
        "convened",
        "joined",
        "successes",
    )
    """The attributes an agent reporter may ask any actor for."""

    segment: str | None = None
    party_member: bool | None = None
    trust: float | None = None
    service: float | None = None
    cogov: float | None = None
    identification: float | None = None
    volunteer: bool | None = None
    visits: int | None = None
    actions_joined: int | None = None
    commitment: float | None = None
    motive: float | None = None
    readiness: float | None = None
    convened: int | None = None
    joined: int | None = None
    successes: int | None = None

    def report(self) -> dict[str, Any]:
        """Every reportable attribute of this actor."""
        return {name: getattr(self, name) for name in self.REPORTABLE}


def _column(name: str, cast: type) -> property:
    """A property reading a resident's value from population column ``name``."""

    def get(self: Resident) -> Any:
        return cast(getattr(self.world.pop, name)[self.idx])

    get.__doc__ = f"The person's ``{name}`` (population column)."
    return property(get)


class Resident(ActorView):
    """A person living or working in the place; a view on row ``idx`` of the population arrays."""

    kind = "resident"
    active = True

    def __init__(self, model: mesa.Model, world: World, idx: int) -> None:
        super().__init__(model)
        self.world = world
        self.idx = idx

    @property
    def segment(self) -> str:  # type: ignore[override]
        """Segment name (elderly, working_adult, parent, office_worker, rider)."""
        return SEGMENTS[int(self.world.pop.segment[self.idx])]

    actor_type = segment

    @property
    def party_member(self) -> bool:  # type: ignore[override]
        """Whether the person is a Party member."""
        return bool(self.world.pop.party[self.idx])

    @property
    def label(self) -> str:
        """``resident <row>``."""
        return f"resident {self.idx}"

    @property
    def node(self) -> int:
        """The person's node in the tie network (the row)."""
        return self.idx

    area = _column("area", int)
    trust = _column("trust", float)
    service = _column("service", float)
    cogov = _column("cogov", float)
    identification = _column("identification", float)
    volunteer = _column("volunteer", bool)
    visits = _column("visits", int)
    actions_joined = _column("actions_joined", int)

    def state(self) -> dict[str, float]:
        """The person's consciousness, trust and volunteer status."""
        return {
            "trust": self.trust,
            "service": self.service,
            "cogov": self.cogov,
            "identification": self.identification,
            "volunteer": self.volunteer,
        }


def _field(name: str) -> property:
    """A property reading field ``name`` of the organization."""

    def get(self: OrganizationAgent) -> Any:
        return getattr(self.org, name)

    get.__doc__ = f"The organization's ``{name}``."
    return property(get)


class OrganizationAgent(ActorView):
    """An organization of the World seen as a Mesa agent; ``org`` holds its state."""

    def __init__(self, model: mesa.Model, org: Organization) -> None:
        super().__init__(model)
        self.org = org

    @property
    def kind(self) -> str:
        """Actor type (``party``, ``department``, ``enterprise``, ``social_org``)."""
        return self.org.kind

    actor_type = kind
    label = _field("label")
    node = _field("node")
    area = _field("area")
    active = _field("active")
    commitment = _field("commitment")
    motive = _field("motive")
    convened = _field("convened")
    joined = _field("joined")
    successes = _field("successes")

    @property
    def readiness(self) -> float:  # type: ignore[override]
        """Readiness to convene (commitment, ties to other organizations, shared successes; 0-1)."""
        return self.org.readiness()

    def state(self) -> dict[str, float]:
        """The organization's commitment, motive and readiness."""
        return {"commitment": self.commitment, "motive": self.motive, "readiness": self.readiness}
