"""Phase 3: shared presence. Each person decides per slot whether to go to a center and which one.

Rule (MODEL.md §3.3): a multinomial logit with an outside option (stay away). For person i and open center j
in i's candidate set (the nearest centers to the anchor that applies in the slot: home, or workplace/route):

    w_ij = aware_i[level_j] · (area_j/100)^α · (1 + need_match · offers_j[need_i]) · quality_j
           · (1 + events_j,slot) · exp(-decay · walk_km_ij)
    V_i  = visit_scale · drive_i · Σ_j w_ij,  drive_i = g_i (0.3 + unmet_i)(1 + 0.5 habit_i)(1 + identification_i)
    P(visit)     = avail[segment_i, day kind, slot] · routine_i,slot · V_i / (1 + V_i)
    P(j | visit) ∝ w_ij · (1 + 9 habit_i [j is i's usual center])

g_i is a persistent personal propensity (gamma, mean 1, shape ``propensity_shape``): a minority of regulars
and a majority who rarely come (Evidence §1.4: 10-30% regular participants). Routine is 2 in the person's
preferred slot and 0.6 in the others, times 2.2 on the person's two routine weekdays and 0.5 on the others
(weekly classes and groups meet on fixed days, so regulars meet each other).

Because the outside option competes with the centers, per-capita visits fall with walking distance at the
configured decay (the Huff/gravity form with an exponential impedance). Each center holds
``area / m2_per_visitor`` real visitors per slot and rations by its usual crowd: each visitor is let in with
chance min(1, capacity / usual crowd), the usual crowd being the running mean of the real people who came in that
slot on that day kind (``CROWD_MEMORY_DAYS``; :func:`admitted_share`). The rest are turned away. A mean of real
people is the same at every sample fraction; the day's count of agents is not (at 1:100 each stands for 100
people, so comparing the day's count with the capacity turned away a third of the visitors).

A visit whose need the center does not serve is heard there: ``world.needs_heard`` (the needs a convener can
take up, ``supply.choose_topic``).

Contract: fills ``world.today`` visitor/center/zone/slot arrays and ``turned_away``; updates habit, unmet need,
awareness, visit counts and the needs heard at centers.
"""

from __future__ import annotations

import numpy as np

from cogov_sim.population import SEGMENTS, Population, availability_table, works_table
from cogov_sim.scenario import LEVELS, SLOTS
from cogov_sim.world import World

NEEDS_MEMORY_DAYS = 90
"""Days over which a center remembers the needs it could not serve (its staff collect them, 需求清单): assumption,
plausible 30-180."""
NEEDS_KEPT = float(np.exp(-1.0 / NEEDS_MEMORY_DAYS))

REGULAR_WEIGHT = 9.0
"""A person with full habit weighs their usual center 1 + 9 = 10 times: assumption (Oldenburg's regulars)."""
FAVOURITE_SWITCH = 0.05
"""Chance a visit makes the visited center the person's usual one: assumption."""
PREFERRED_SLOT_FACTOR = (2.0, 0.6)
"""Availability multiplier in a person's preferred slot and in the others (people keep routines): assumption."""
ROUTINE_DAYS = np.array([[1, 4], [2, 5], [3, 6], [0, 3]])
"""Weekday pairs of the weekly routines (classes and groups meet on fixed days); day % 7, 1 = Monday."""
ROUTINE_DAY_FACTOR = (2.2, 0.5)
"""Availability multiplier on a person's routine days and on the other days: assumption."""

CROWD_MEMORY_DAYS = 28.0
"""Days of a day kind over which a center's usual crowd in a slot is remembered (its staff and its regulars know
when it is full: booking, queues): assumption; plausible 7-90."""

BOUND_MARGIN = 1.0 + 1e-5
"""Headroom on the thinning bound of a visit's chance, for float rounding: a bound of the computation."""

AWARENESS_GAIN = 0.002
"""Daily chance per unit visibility of learning of a level's centers from the street front: assumption."""


def admitted_share(usual: np.ndarray, came: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Share of today's visitors each center and slot lets in (real people; ``capacity`` broadcasts to ``usual``).

    min(1, capacity / usual crowd): a center rations by the crowd it usually has in the slot, known from before
    today (``World.usual_crowd``; today's own crowd where it has none yet). The usual crowd is a mean of real
    people, the same at every sample fraction, where today's count comes in lumps of 1/fraction people.
    """
    crowd = np.where(np.isnan(usual), came, usual)
    cap = np.broadcast_to(capacity, crowd.shape)
    return np.minimum(1.0, np.divide(cap, crowd, out=np.ones_like(crowd), where=crowd > 0))


def remember_crowd(usual: np.ndarray, came: np.ndarray, open_now: np.ndarray) -> None:
    """Fold today's real visitors ``came`` into the running mean ``usual`` of the slots open today (in place)."""
    new = np.where(np.isnan(usual), came, usual + (came - usual) / CROWD_MEMORY_DAYS)
    usual[open_now] = new[open_now]


def routine_kinds(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Every (segment, preferred slot, routine, commuter) combination, and each person's row among them.

    Availability depends on a person only through these four, so a day's table is built per combination.
    """
    code = ((pop.segment.astype(np.int64) * len(SLOTS) + pop.pref_slot) * len(ROUTINE_DAYS) + pop.routine) * 2
    code += pop.commuter
    every = np.arange(len(SEGMENTS) * len(SLOTS) * len(ROUTINE_DAYS) * 2)
    commuter, rest = every % 2, every // 2
    routine, rest = rest % len(ROUTINE_DAYS), rest // len(ROUTINE_DAYS)
    pref, seg = rest % len(SLOTS), rest // len(SLOTS)
    return np.stack([seg, pref, routine, commuter], axis=1), code


class Presence:
    """Phase 3: visit decisions and destination choice, slot by slot."""

    name = "presence"

    def __init__(self) -> None:
        self.avail = availability_table().astype(np.float32)
        self.works = works_table()

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Decide today's visits."""
        pop, c, b, t = world.pop, world.centers, world.scenario.behaviour, world.today
        pop.unmet += 0.05 * (1 - pop.unmet)
        pop.habit *= 1 - b.habit_decay_per_day
        self._learn(world, rng)
        if not c.active.any():
            return
        kind = int(t.weekend)
        n_slots = len(SLOTS)
        boost = np.ones((len(c), n_slots))
        for a in t.activities:
            if a.center >= 0:
                boost[a.center, a.slot] += 1.0
        slot_factor = c.open[:, kind, :] * boost * (c.quality * c.active)[:, None]  # (C, slots)
        drive = b.visit_scale * pop.propensity * (0.3 + pop.unmet) * (1 + 0.5 * pop.habit) * (1 + pop.identification)
        kinds, code = routine_kinds(pop)
        free = self.availability(kinds, world.day, t.weekend).T  # (slots, kinds)
        works = self.works[kinds[:, 0]].T  # (slots, kinds): anchored at the workplace in the slot
        capacity = c.area_m2 / b.m2_per_visitor  # per center, real people a slot
        has_work = np.zeros(pop.n, dtype=bool)
        has_work[world.reach.cand["work"].rows] = True
        anchors = []
        for anchor, cd in world.reach.cand.items():
            if not cd.idx.shape[1] or not len(cd.rows):
                continue
            home = anchor == "home"  # rows are everyone, in order
            kind_of = code if home else code[cd.rows]
            daily = cd.weight * pop.awareness.ravel()[cd.awareness_at(pop.awareness.shape[1])]
            d = drive if home else drive[cd.rows]
            # einsum, not a matrix product: BLAS threads would spin on the other core for nothing
            anchors.append((home, cd, kind_of, daily, d, d * np.einsum("ij->i", daily)))
        out_v, out_c, out_s = [], [], []
        for slot in range(n_slots):
            factor = np.ascontiguousarray(slot_factor[:, slot], dtype=np.float32)
            top = float(factor.max()) * BOUND_MARGIN
            for home, cd, kind_of, daily, d, reach in anchors:
                at_work = works[slot][kind_of]
                applies = ~(has_work & at_work) if home else at_work
                a = applies * free[slot][kind_of]
                u = rng.random(len(cd.rows))
                # thinning: v is at most d · Σ_j w_ij at the slot's largest center factor, so only the people
                # whose uniform falls under that bound need the exact weights; who goes is the same
                v_top = reach * top
                near = np.flatnonzero(u < a * v_top / (1 + v_top))
                w = daily[near] * factor[cd.safe[near]]
                v = d[near] * w.sum(axis=1)
                p = a[near] * v / (1 + v)
                keep = u[near] < p
                hit, w = near[keep], w[keep]
                if not len(hit):
                    continue
                who = cd.rows[hit]
                usual = cd.idx[hit] == pop.favourite[who, None]
                cw = np.cumsum(w * (1.0 + REGULAR_WEIGHT * pop.habit[who, None] * usual), axis=1)
                pick = (cw < (rng.random(len(hit)) * cw[:, -1])[:, None]).sum(axis=1)
                dest = cd.idx[hit, np.minimum(pick, cw.shape[1] - 1)]
                out_v.append(who)
                out_c.append(dest)
                out_s.append(np.full(len(hit), slot))
        usual = world.usual_crowd[:, kind, :]  # (C, slots), a view: remember_crowd updates it
        came = np.zeros(usual.shape)
        if out_v:
            go = np.concatenate(out_v)
            dest = np.concatenate(out_c)
            slot_of = np.concatenate(out_s)
            came = np.bincount(dest * n_slots + slot_of, minlength=came.size).reshape(came.shape) * world.scale
            admitted = rng.random(len(go)) < admitted_share(usual, came, capacity[:, None])[dest, slot_of]
            t.turned_away = go[~admitted]
            go, dest, slot_of = go[admitted], dest[admitted], slot_of[admitted]
            # zone: the person's need if offered there, else a random zone of the center
            need = pop.need[go].astype(np.int64)
            offered = c.functions[dest, need]
            fcount = c.functions[dest].sum(axis=1)
            nth = (rng.random(len(go)) * fcount).astype(np.int64)
            other = np.argmax(np.cumsum(c.functions[dest], axis=1) > nth[:, None], axis=1)
            t.visitor, t.center, t.slot = go, dest, slot_of
            t.zone = np.where(offered, need, other)
        remember_crowd(usual, came, c.open[:, kind, :] & c.active[:, None])
        v = t.visitor
        served = c.functions[t.center, pop.need[v]] & (t.zone == pop.need[v])
        t.served = served
        pop.unmet[v[served]] *= 0.3
        world.needs_heard *= NEEDS_KEPT
        np.add.at(world.needs_heard, (t.center[~served], pop.need[v[~served]]), 1.0)
        pop.habit[v] += b.habit_gain * (1 - pop.habit[v])
        # the usual center: the first one visited; a visit elsewhere replaces it now and then
        switch = (pop.favourite[v] < 0) | (rng.random(len(v)) < FAVOURITE_SWITCH)
        pop.favourite[v[switch]] = t.center[switch]
        pop.last_visit[v] = world.day
        pop.visits += np.bincount(v, minlength=pop.n).astype(pop.visits.dtype)
        per = world.visits_by_center
        per += np.bincount(t.center * per.shape[1] + pop.segment[v], minlength=per.size).reshape(per.shape)

    def availability(self, kinds: np.ndarray, day: int, weekend: bool) -> np.ndarray:
        """Chance of being free in each slot today for each routine kind of :func:`routine_kinds` (kinds, slots).

        The segment's availability on the day kind, times ``PREFERRED_SLOT_FACTOR`` (the person's slot or not),
        times ``ROUTINE_DAY_FACTOR`` (a routine day or not); on weekends in-commuters rarely come (0.05).
        """
        seg, pref, routine, commuter = kinds.T
        hi, lo = PREFERRED_SLOT_FACTOR
        routine_day = (day % 7 == ROUTINE_DAYS).any(axis=1)[routine]
        day_factor = np.where(routine_day, ROUTINE_DAY_FACTOR[0], ROUTINE_DAY_FACTOR[1])
        avail = self.avail[seg, int(weekend)]
        avail = avail * np.where(np.arange(len(SLOTS))[None, :] == pref[:, None], hi, lo) * day_factor[:, None]
        if weekend:
            avail = avail * np.where(commuter.astype(bool), 0.05, 1.0)[:, None]
        return avail

    def _learn(self, world: World, rng: np.random.Generator) -> None:
        """Street-front visibility makes people aware of a level's centers over time."""
        c = world.centers
        for lv in range(len(LEVELS)):
            mask = c.active & (c.level == lv)
            if not mask.any():
                continue
            p = AWARENESS_GAIN * float(c.visibility[mask].mean())
            unaware = np.flatnonzero(~world.pop.awareness[:, lv])
            learn = unaware[rng.random(len(unaware)) < p]
            world.pop.awareness[learn, lv] = True
