"""The behaviour parameters of a scenario: how people and organizations act (defaults from the evidence)."""

from __future__ import annotations

from pydantic import Field

from cogov_sim.scenario.base import Frozen, Share, plausible


class Behaviour(Frozen):
    """Behaviour parameters, with defaults from the evidence."""

    decay_per_km: float = Field(
        2.15,
        ge=0.1,
        le=10,
        json_schema_extra=plausible(1.2, 2.6),
        description="Walking impedance exp(-decay·d_km), 1/km. Calibrated by history matching (docs/MODEL.md §10.1):"
        " an e-folding length of 0.47 km, steeper than walkscore's 0.6 km (Evidence §2.11), because Huff's β of"
        " 1.5-2.2 (§4.1) needs it; plausible: e-folding 0.4-0.8 km (Evidence §4.1, §5).",
    )
    detour_factor: float = Field(
        1.3,
        ge=1.0,
        le=3.0,
        json_schema_extra=plausible(1.1, 1.6),
        description="Walking distance / straight line. Assumption; plausible 1.1-1.6: assumption.",
    )
    walk_m_per_min: float = Field(
        80.0,
        ge=20,
        le=200,
        json_schema_extra=plausible(50, 90),
        description="Walking speed, m/min. Evidence §1.5; plausible 50-90: Evidence §1.5 (a 15-minute walk of"
        " 800-1,000 m is 53-67 m/min, older people slower), up to a brisk adult's 90 (assumption).",
    )
    visit_scale: float = Field(
        0.0485,
        ge=0.0,
        le=10.0,
        json_schema_extra=plausible(0.01, 0.08),
        description="Weight of the centers against staying away in the visit choice (sets visits per day)."
        " Calibrated by history matching to Evidence §4.2-4.3 (docs/MODEL.md §10.1); the plausible range is an"
        " assumption.",
    )
    propensity_shape: float = Field(
        0.108,
        gt=0.0,
        le=100.0,
        json_schema_extra=plausible(0.05, 0.6),
        description="Shape of the gamma distribution (mean 1) of personal visit propensity; small = a few regulars,"
        " many who rarely come. Calibrated by history matching to Evidence §1.4 (10-30% regular participants) and"
        " §4.3 (docs/MODEL.md §10.1); the plausible range is an assumption.",
    )
    area_exponent: float = Field(
        0.09,
        ge=0.0,
        le=2.0,
        json_schema_extra=plausible(0.0, 0.4),
        description="Attractiveness ∝ floor area^exponent (Huff α). Huff's retail α ≈ 1 (Evidence §2.11); calibrated"
        " by history matching so the street center draws 5-15× a residential station (Evidence §4.2; docs/MODEL.md"
        " §10.1); the plausible range is an assumption (a floor area of a center is not a retail offer).",
    )
    need_match_weight: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        json_schema_extra=plausible(0.5, 2),
        description="Attractiveness gain when a center offers the person's need. Assumption; plausible 0.5-2:"
        " assumption.",
    )
    m2_per_visitor: float = Field(
        2.5,
        ge=0.5,
        le=100,
        json_schema_extra=plausible(1.5, 5),
        description="Floor area per visitor at capacity, m² per person per slot. Assumption; plausible 1.5-5 m²:"
        " assumption.",
    )
    turned_away_penalty: Share = Field(
        0.05,
        json_schema_extra=plausible(0.01, 0.1),
        description="Satisfaction (trust) lost when turned away at capacity. Assumption; plausible 0.01-0.1:"
        " assumption.",
    )
    contacts_per_visit: int = Field(
        4,
        ge=0,
        le=20,
        json_schema_extra=plausible(2, 8),
        description="People a visitor talks with per visit (bounded contact). Assumption; plausible 2-8: assumption.",
    )
    habit_gain: Share = Field(
        0.1,
        json_schema_extra=plausible(0.05, 0.2),
        description="Habit gained per visit (0-1), raises visit propensity. Assumption; plausible 0.05-0.2:"
        " assumption.",
    )
    habit_decay_per_day: Share = Field(
        0.01,
        json_schema_extra=plausible(0.005, 0.03),
        description="Daily decay of habit. Assumption; plausible 0.005-0.03: assumption (a half-life of about 3"
        " weeks to 5 months).",
    )
    acquaintance_hours: float = Field(
        2.0,
        ge=0,
        json_schema_extra=plausible(1, 4),
        description="Shared hours to count as acquaintances (a couple of meetings), h; the level from which a tie"
        " counts in the bridging share, the cascade and the organization network. Assumption; plausible 1-4 h:"
        " assumption.",
    )
    casual_hours: float = Field(
        50.0,
        ge=0,
        json_schema_extra=plausible(40, 60),
        description="Hours to casual friend, h. Evidence §2.6 (Hall 2019); plausible 40-60 h: Evidence §2.6, §5"
        " (±20%).",
    )
    friend_hours: float = Field(
        90.0,
        ge=0,
        json_schema_extra=plausible(72, 108),
        description="Hours to friend, h. Evidence §2.6 (Hall 2019); plausible 72-108 h: Evidence §5 (±20%).",
    )
    close_hours: float = Field(
        200.0,
        ge=0,
        json_schema_extra=plausible(160, 240),
        description="Hours to close friend, h. Evidence §2.6 (Hall 2019); plausible 160-240 h: Evidence §5 (±20%).",
    )
    tie_half_life_days: float = Field(
        365.0,
        ge=1,
        le=10_000,
        json_schema_extra=plausible(180, 730),
        description="Half-life of a tie's hours without contact, days. Assumption; plausible 180-730 days: assumption.",
    )
    threshold_mean: Share = Field(
        0.25,
        json_schema_extra=plausible(0.15, 0.35),
        description="Mean participation threshold. Evidence §2.5 (Granovetter 1978); plausible 0.15-0.35: assumption.",
    )
    threshold_sd: Share = Field(
        0.1,
        json_schema_extra=plausible(0.05, 0.2),
        description="SD of the participation threshold. Evidence §4.5; plausible 0.05-0.2: Evidence §5.",
    )
    success_repeat_boost: float = Field(
        0.57,
        ge=0,
        le=5,
        json_schema_extra=plausible(0.3, 1.0),
        description="Relative rise in the odds of joining again after a success. Evidence §1.4; plausible 0.3-1:"
        " Evidence §5 (+30% to +100%).",
    )
    failure_repeat_penalty: Share = Field(
        0.25,
        json_schema_extra=plausible(0.1, 0.5),
        description="Relative fall in the odds of joining again after a failure. Assumption; plausible 0.1-0.5:"
        " assumption.",
    )
    face_to_face_effect: float = Field(
        1.21,
        ge=0,
        le=5,
        json_schema_extra=plausible(0.8, 1.6),
        description="Success log-odds gain of face-to-face deliberation. Evidence §2.9 (Balliet); plausible 0.8-1.6:"
        " assumption (around Balliet's d 1.21; Evidence §5 gives none).",
    )
    remote_effect: float = Field(
        0.46,
        ge=0,
        le=5,
        json_schema_extra=plausible(0.2, 0.8),
        description="Success log-odds gain of remote/written consultation. Evidence §2.9; plausible 0.2-0.8:"
        " assumption (around Balliet's written d 0.46, below the face-to-face range).",
    )
    problem_rate_per_area_month: float = Field(
        2.0,
        ge=0,
        le=100,
        json_schema_extra=plausible(0.5, 5),
        description="Community problems arising per residential area per month. Assumption; plausible 0.5-5:"
        " assumption.",
    )
    confidence_bound: Share = Field(
        0.2,
        json_schema_extra=plausible(0.1, 0.3),
        description="Bounded-confidence ε at zero trust. Evidence §2.12; plausible 0.1-0.3: Evidence §5 (ε 0.1-0.5"
        " with the trust gain on top; the split an assumption).",
    )
    confidence_trust_gain: Share = Field(
        0.15,
        json_schema_extra=plausible(0.05, 0.2),
        description="Extra ε at full trust. Evidence §2.12, assumption; plausible 0.05-0.2: Evidence §5 (ε 0.2"
        " rising to 0.3+ with trust, at most 0.5 with the bound; the split an assumption).",
    )
    influence_rate: Share = Field(
        0.1,
        json_schema_extra=plausible(0.05, 0.3),
        description="Convergence step μ per tied encounter. Evidence §2.12; plausible 0.05-0.3: assumption.",
    )
    experience_gain: Share = Field(
        0.02,
        json_schema_extra=plausible(0.005, 0.05),
        description="Consciousness gained from a satisfying service visit. Assumption; plausible 0.005-0.05:"
        " assumption.",
    )
    action_gain: Share = Field(
        0.1,
        json_schema_extra=plausible(0.05, 0.2),
        description="Consciousness change from a joint action's outcome. Assumption; plausible 0.05-0.2: assumption.",
    )
    baseline_drift_per_day: Share = Field(
        0.002,
        json_schema_extra=plausible(0.0005, 0.005),
        description="Daily drift of consciousness back toward its baseline. Assumption; plausible 0.0005-0.005:"
        " assumption.",
    )
    party_invitation_weight: float = Field(
        0.149,
        ge=0,
        le=20,
        json_schema_extra=plausible(0.0, 3.0),
        description="Extra weight of a Party member on an activity's invitation list (an invitee is drawn with weight"
        " 1 + this): Party organizations ask their members first (党员带头). Assumption; calibrated by history"
        " matching to Evidence §1.4's Party gradient (65% against 48% turnout; docs/MODEL.md §10.1).",
    )
    volunteer_join: Share = Field(
        0.15,
        json_schema_extra=plausible(0.05, 0.3),
        description="Chance an eligible invited resident becomes a volunteer. Calibrated to Evidence §4.4; plausible"
        " 0.05-0.3: assumption.",
    )
    volunteer_cogov_threshold: Share = Field(
        0.5,
        json_schema_extra=plausible(0.3, 0.7),
        description="Co-governance consciousness and identification needed to volunteer. Assumption; plausible"
        " 0.3-0.7: assumption.",
    )
    volunteer_dropout_per_year: Share = Field(
        0.33,
        json_schema_extra=plausible(0.2, 0.45),
        description="Share of volunteers who leave within a year. Evidence §1.4 (UCLA Anderson); plausible"
        " 0.2-0.45: Evidence §5.",
    )
    agreement_hours: float = Field(
        20.0,
        ge=0,
        json_schema_extra=plausible(10, 50),
        description="Tie hours between two organizations before a co-building agreement, h. Assumption (between"
        " the 10 h of a readiness link and the casual-friend level).",
    )
    agreement_successes: int = Field(
        2,
        ge=1,
        json_schema_extra=plausible(1, 5),
        description="Shared successful joint actions before a co-building agreement. Assumption.",
    )
    incubation_successes: int = Field(
        100,
        ge=1,
        json_schema_extra=plausible(50, 200),
        description="Successful service projects or social-organization-led actions at a center with a group-work"
        " zone within 90 days that complete an incubation cohort (which registers a social organization with a"
        " fixed chance; one founding a year in the street). Assumption (Evidence §1.3: 6%/yr growth).",
    )
    emergent_convening_threshold: Share = Field(
        0.6,
        json_schema_extra=plausible(0.3, 0.9),
        description="Readiness at which a non-Party organization starts convening (docs/MODEL.md). Assumption.",
    )
    org_contacts_per_session: float = Field(
        12.0,
        ge=0,
        le=500,
        json_schema_extra=plausible(5, 30),
        description="Real people an organization meets per session. Assumption.",
    )
    complementarity_weight: float = Field(
        1.0,
        ge=0,
        le=10,
        json_schema_extra=plausible(0, 2),
        description="Invitation score of an actor type still missing (complementarity). Assumption (direction:"
        " Ansell & Gash 2008).",
    )
    actor_diversity_effect: float = Field(
        0.5,
        ge=-2,
        le=3,
        json_schema_extra=plausible(0, 1),
        description="Success log-odds gain per actor type taking part beyond the first (complementary resources;"
        " negative: coordination costs outweigh them). Assumption (direction: Ansell & Gash 2008).",
    )
    resident_initiatives_per_year: float = Field(
        0.5,
        ge=0,
        le=52,
        json_schema_extra=plausible(0, 2),
        description="Initiatives an activist starts a year. Assumption.",
    )
    resident_initiative_cogov: Share = Field(
        0.6,
        json_schema_extra=plausible(0.5, 0.8),
        description="Co-governance consciousness of an activist. Assumption.",
    )
