"""The outcome vocabulary (MODEL.md §4): indicator names and meanings, importable without the model.

``cogov_sim.indicators`` computes them; sweeps, what-ifs and validation only need the names.
"""

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
    "social_organizations": "active social organizations",
    "volunteer_share": "volunteers / people",
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
