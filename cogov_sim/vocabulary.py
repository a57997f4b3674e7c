"""The model's words, spelled once and importable without the model or the schema library.

The place (MODEL.md §2): center levels, function zones, resident segments, time slots and day kinds. Each is a
``Literal`` type (what the scenario schema checks) and the tuple of its names in that order (what the model
indexes its arrays by), the tuple derived from the type. The outcomes (MODEL.md §4): indicator names and meanings;
``cogov_sim.indicators`` computes them, and sweeps, what-ifs and validation only need the names.
"""

from typing import Literal, get_args

Level = Literal["district", "street", "grid", "residential", "building", "park", "rider"]
LEVELS: tuple[str, ...] = get_args(Level)
"""Center levels, from the top of the tier to the micro-stations for new-employment workers."""

Function = Literal[
    "party_building",
    "government_services",
    "deliberation",
    "group_work",
    "livelihood",
    "culture_sports",
    "training",
    "new_employment_support",
]
FUNCTIONS: tuple[str, ...] = get_args(Function)
"""Function zones of a center (MODEL.md §2)."""

MIXING_FUNCTIONS: frozenset[str] = frozenset(
    {"government_services", "livelihood", "culture_sports", "deliberation", "new_employment_support"}
)
"""Zones that mix everyone present (canteen, library, service hall, council hall, rider rest room).
The other zones gather like with like (children's home, organization-life room, classes) unless a level sets
``mixed_zones``."""

Segment = Literal["elderly", "working_adult", "parent", "office_worker", "rider"]
SEGMENTS: tuple[str, ...] = get_args(Segment)
"""Resident segments (MODEL.md §2)."""

Slot = Literal["morning", "midday", "afternoon", "evening"]
SLOTS: tuple[str, ...] = get_args(Slot)
"""Time slots of a day: 08-11, 11-14, 14-18, 18-21."""
SLOT_HOURS: tuple[float, ...] = (3.0, 3.0, 4.0, 3.0)
"""Length of each slot, h."""

DayKind = Literal["weekday", "weekend"]
DAY_KINDS: tuple[str, ...] = get_args(DayKind)
"""Kinds of day a center may open on."""

INDICATORS: dict[str, str] = {
    "visits": "visits to all centers that day (real-population units)",
    "visits_per_capita": "visits / people (residents and in-commuters)",
    "coverage_15min": "share of residents within a 15-minute walk of a center open that day",
    "copresence_diversity": "mean number of distinct actor types (resident segments and organization types)"
    " present together per open center-slot",
    "joint_actions": "joint actions held that day (real-population units: activities are not sampled)",
    "joint_action_success_rate": "share of joint actions that succeeded, rolling 30 days",
    "problems_open": "community problems not yet resolved",
    "problems_resolved_share": "problems resolved / problems arisen, cumulative",
    "bridging_tie_share": "share of ties at the acquaintance level or above that cross actor types or segments"
    " (MODEL.md names the casual level; see docs/MODEL.md for why the model counts from acquaintance)",
    "org_network_density": "density of ties at the acquaintance level or above among active organizations",
    "co_building_agreements": "co-building agreements in force",
    "non_party_convened_share": "share of the joint actions so far convened by actors other than Party"
    " organizations (cumulative)",
    "cross_type_agreement_share": "share of the agreements in force between two different actor types",
    "org_cross_type_tie_share": "share of ties between organizations at the acquaintance level or above that"
    " cross actor types",
    "org_presence_hours_party": "hours Party organizations were present at centers that day (daily; the run's"
    " total is presence_hours_total of per_actor_type)",
    "org_presence_hours_department": "hours government departments were present at centers that day (daily)",
    "org_presence_hours_enterprise": "hours enterprises were present at centers that day (daily)",
    "org_presence_hours_social_org": "hours social organizations were present at centers that day (daily)",
    "social_organizations": "active social organizations",
    "volunteer_share": "volunteers / people",
    "registered_volunteer_share": "people who have ever volunteered (registered, whether active or not) / people",
    "trust_mean": "mean trust",
    "service_consciousness_mean": "mean service consciousness",
    "cogov_consciousness_mean": "mean co-governance consciousness",
    "identification_mean": "mean identification (belonging)",
    "consensus": "1 - standard deviation of co-governance consciousness / 0.5",
    "gci_presence": "component: share of people who visited a center in the last 30 days",
    "gci_linkage": "component: mean of (share with a casual-level tie, org network density)",
    "gci_action": "component: mean of (30-day success rate, share of problems resolved)",
    "gci_consciousness": "component: mean of trust and the three consciousness means",
    "gci": "governance community index: mean of the four components",
}
"""Indicator name -> meaning; the columns of ``timeseries.csv`` after ``day``."""

PER_ACTOR_TYPE_COLUMNS: dict[str, str] = {
    "actor_type": "party, department, enterprise, social_org or resident",
    "count": "actors of the type (residents: simulated people)",
    "active": "of them still active",
    "presence_hours_total": "hours the type was present at centers since day 0 (cumulative; the daily values are"
    " the indicators org_presence_hours_<type>); 0 for residents, whose visits are counted elsewhere",
    "convened": "joint actions convened so far (residents: resident-led initiatives)",
    "joined": "joint actions taken part in so far (residents: participations of simulated people)",
    "successes": "successful joint actions taken part in so far (organizations)",
    "commitment_mean": "mean commitment (residents: mean co-governance consciousness)",
}
"""Column -> meaning of the table ``per_actor_type.csv`` (``cogov_sim.indicators.per_actor_type``), in order."""

STREET_COLUMNS: tuple[str, ...] = (
    "people",
    "visits_per_capita",
    "gci_presence",
    "joint_actions",
    "joint_action_success_rate",
    "non_party_convened_share",
    "bridging_tie_share",
    "volunteer_share",
    "trust_mean",
    "service_consciousness_mean",
    "cogov_consciousness_mean",
    "identification_mean",
    "gci_consciousness",
)
"""The indicators of each street of a city (``cogov_sim.place_indicators``), in the order of its tables: names and
meanings as the city-wide ones, but ``people`` and ``joint_actions`` (held so far) are real-population counts and
``visits_per_capita`` is the mean daily visits so far."""
