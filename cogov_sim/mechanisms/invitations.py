"""Invitations: whom a convener asks to an activity and who accepts (MODEL.md §3.2), a block of them at once.

The supply phase drafts a day's activities one after another (:func:`cogov_sim.mechanisms.supply.draft`), each
with its invitation's draws from :func:`draw_invitation`, in the order one activity at a time always drew them;
:func:`shortlists` scores a block of drafts together as a matrix over organizations (the tie hours among
organizations read once a day, :func:`today_ties`) and keeps the best ``SHORTLIST`` of each type; :func:`ask`
then asks them, activity by activity, since an acceptance takes weekly capacity that the next invitation sees.
The partners are the ones the one-at-a-time rule picks (tests/test_supply_invitations.py keeps that rule as a
per-organization loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from cogov_sim.world import World
from cogov_sim.world.org_columns import by_type, org_ties
from cogov_sim.world.organizations import ORG_TYPES, Department, Organization, OrgTable

PARTNERS_ASKED = 4
"""Organizations a convener asks to take part in one activity: assumption; plausible 2-8."""

TIE_SCORE_HOURS = 10.0
"""Tie hours at which a partner's tie term in the invitation score is one half (saturating): assumption;
plausible 5-20 h."""
SPECIALTY_WEIGHT = 1.0
"""Invitation score of a partner whose specialty serves the activity's need: assumption; plausible 0.5-2."""
INVITATION_NOISE = 0.5
"""Mean of the exponential noise on the invitation score (whom a convener happens to think of): assumption;
plausible 0.2-1."""


SHORTLIST = 2 * PARTNERS_ASKED
"""Best-scored candidates of each organization type kept for the asking (at most ``PARTNERS_ASKED`` are asked, so
any number from ``PARTNERS_ASKED`` up gives the same partners; twice that also covers scores that tie once the
missing-type bonus is added): a bound of the computation, not of the model."""


class Shortlist(NamedTuple):
    """The candidates an invitation can reach, by organization index (ascending), with their scores' terms."""

    idx: np.ndarray
    base: np.ndarray  # score without the missing-type term
    tie: np.ndarray  # tie hours to the convener (or its broker), as the acceptance reads them
    rel: np.ndarray  # 1.0 when the candidate's specialty serves the activity's function


@dataclass
class Scopes:
    """Whom a convener can ask in a city: the organizations of its street and its district's (one table each)."""

    street: np.ndarray
    """(organizations,) the street whose organizations each one's invitations go to."""
    tables: list[OrgTable]
    rows: list[np.ndarray]
    """Each street's organizations, as indices among all organizations (ascending)."""

    def of(self, world: World, node: int) -> int:
        """The street of the convener at tie-network ``node`` (an organization, or a resident lead)."""
        return int(self.street[node - world.n]) if node >= world.n else int(world.pop.street[node])


def invitation_scopes(world: World, table: OrgTable) -> Scopes | None:
    """Each street's organizations for today's invitations, or None in a one-street scenario (everyone).

    An organization belongs to the street of its base center; a district's departments (``Places.wide_orgs``)
    belong to every street of their district (a department's own invitations go to the street of its base
    center). In a city a convener asks only those of its own street: the co-building field of a street (街道),
    not the whole city.
    """
    p = world.places
    if p.n_streets == 1:
        return None
    street = np.where(table.center >= 0, world.centers.street[np.maximum(table.center, 0)], 0)
    wide = np.zeros(len(table.node), dtype=bool)
    wide[p.wide_orgs] = True
    own = np.flatnonzero(~wide)
    order = own[np.argsort(street[own], kind="stable")]
    bounds = np.searchsorted(street[order], np.arange(p.n_streets + 1))
    wide_of = [p.wide_orgs[p.wide_district == d] for d in range(len(p.district_names))]
    rows = [np.union1d(order[bounds[s] : bounds[s + 1]], wide_of[int(p.district[s])]) for s in range(p.n_streets)]
    tables = [OrgTable(table.node[r], table.kind[r], table.active[r], table.center[r], table.specialties[r])
              for r in rows]  # fmt: skip
    return Scopes(street, tables, rows)


def today_ties(world: World) -> sp.csr_matrix:
    """Today's tie hours among the organizations (:func:`cogov_sim.world.org_columns.org_ties`)."""
    return org_ties(world.ties, world.n, len(world.orgs), world.day)


def draw_invitation(
    rng: np.random.Generator, convener: Organization, table: OrgTable, noise: np.ndarray
) -> tuple[float, np.ndarray]:
    """The draws of one invitation in the order the rule has always made them; returns (brokerage, asks).

    No draws when nobody can be asked (brokerage 1.0, no asks); else the brokerage uniform, Exp(INVITATION_NOISE)
    for every organization (into ``noise``) and one uniform per invitee.
    """
    n_cand = int(table.active.sum()) - int(np.count_nonzero(table.active & (table.node == convener.node)))
    if n_cand <= 0:
        noise[:] = 0.0
        return 1.0, np.zeros(0)
    broker_u = rng.random()
    rng.standard_exponential(out=noise)
    noise *= INVITATION_NOISE  # the very numbers rng.exponential(INVITATION_NOISE, n) gives
    return broker_u, rng.random(min(PARTNERS_ASKED, n_cand))


def shortlists(
    world: World,
    conv: np.ndarray,
    broker_u: np.ndarray,
    functions: np.ndarray,
    noise: np.ndarray,
    table: OrgTable,
    among: sp.csr_matrix,
    scope: np.ndarray | None = None,
) -> list[Shortlist]:
    """A block of invitations scored at once (MODEL.md §3.2; ``among``: :func:`today_ties`).

    ``table`` holds the organizations the conveners can ask: all of them, or (``scope``: their indices among all
    organizations, ascending) those of the conveners' street (:func:`invitation_scopes`); the shortlists give
    indices among all organizations either way.

    One invitation per convener node in ``conv``, to an activity on ``functions``, with the brokerage uniforms
    ``broker_u`` and the Exp(INVITATION_NOISE) draws ``noise`` (one row each, overwritten by the scores) of
    :func:`draw_invitation`. Score of organization k for an activity on function f:

        s_k = h_k / (h_k + TIE_SCORE_HOURS) + SPECIALTY_WEIGHT · serves_k(f) + Exp(INVITATION_NOISE)
              (+ complementarity_weight when k's type is not yet in the activity, added by :func:`ask`)

    h_k is the tie hours to the convener; when the brokerage uniform falls under
    ``organizations.brokerage``, the Party organization (not the convener) most tied to the convener introduces
    its contacts: h_k = max(own tie, broker's tie). Keeps the ``SHORTLIST`` best candidates of each type.
    """
    n_orgs = len(table.node)
    if not len(conv) or not n_orgs:
        return [Shortlist(*(np.zeros(0, dtype=t) for t in (np.int64, float, float, float))) for _ in conv]
    first = world.n
    brokered = broker_u < world.scenario.organizations.brokerage
    ties = tie_rows(world, conv, brokered, table, among, scope)
    # the score in the rule's order of operations, (tie term + specialty) + noise; where there is no tie the
    # tie term is 0 and the sum is noise + specialty exactly, so the tie term is computed at the ties only
    r = np.repeat(np.arange(len(conv)), [len(c) for c, _ in ties])
    k = np.concatenate([c for c, _ in ties])
    t = np.concatenate([v for _, v in ties])
    alive = table.active[k]  # a closed organization stays out, tied or not
    r, k, t = r[alive], k[alive], t[alive]
    tied_noise = noise[r, k]
    spec = np.where(table.active[None, :], SPECIALTY_WEIGHT * table.specialties.T, -np.inf)  # inactive: no one
    base = noise
    base += spec[functions]
    base[r, k] = (t / (t + TIE_SCORE_HOURS) + SPECIALTY_WEIGHT * table.specialties[k, functions[r]]) + tied_noise
    own = np.flatnonzero(conv >= first)
    local = conv[own] - first if scope is None else np.searchsorted(scope, conv[own] - first)
    base[own, local] = -np.inf  # nobody invites itself
    picks = []
    for cols in by_type(table):
        if len(cols) <= SHORTLIST:
            picks.append(np.broadcast_to(cols, (len(conv), len(cols))))
            continue
        picks.append(cols[np.argpartition(base[:, cols], len(cols) - SHORTLIST, axis=1)[:, -SHORTLIST:]])
    pick = np.sort(np.concatenate(picks, axis=1), axis=1)
    out: list[Shortlist] = []
    for row, ks in enumerate(pick):
        ks = ks[base[row, ks] > -np.inf]
        cols, hours = ties[row]
        at = np.minimum(np.searchsorted(cols, ks), max(len(cols) - 1, 0))
        tie = np.where(cols[at] == ks, hours[at], 0.0) if len(cols) else np.zeros(len(ks))
        rel = table.specialties[ks, functions[row]].astype(np.float64)
        out.append(Shortlist(ks if scope is None else scope[ks], base[row, ks], tie, rel))
    return out


def tie_rows(
    world: World,
    conv: np.ndarray,
    brokered: np.ndarray,
    table: OrgTable,
    among: sp.csr_matrix,
    scope: np.ndarray | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each convener's ties to the organizations of ``table``: (their rows in it, ascending; hours, float64).

    An organization's come from ``among`` (over all organizations; ``scope``: the rows of ``table`` among them,
    see :func:`shortlists`), a resident lead's from the tie store. Where ``brokered``, the Party organization of
    ``table`` (not the convener) most tied to the convener (the first of equals) adds its ties: the hours are the
    larger of the two.
    """
    first = world.n
    party = np.flatnonzero(table.active & (table.kind == ORG_TYPES.index("party")))
    if scope is not None:
        pos = np.full(among.shape[0], -1, dtype=np.int64)
        pos[scope] = np.arange(len(scope))

    def org_row(k: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = among.indptr[k], among.indptr[k + 1]
        cols, hours = among.indices[lo:hi].astype(np.int64), among.data[lo:hi].astype(np.float64)
        if scope is None:
            return cols, hours
        at = pos[cols]
        return at[at >= 0], hours[at >= 0]

    out = []
    for node, broker in zip(conv.tolist(), brokered.tolist(), strict=True):
        if node >= first:
            cols, hours = org_row(node - first)
        else:  # a resident lead
            row = world.ties.get(np.full(len(table.node), node), table.node, world.day)
            cols = np.flatnonzero(row)
            hours = row[cols].astype(np.float64)
        if broker:
            k = party[table.node[party] != node]
            if len(k):
                dense = np.zeros(len(table.node))
                dense[cols] = hours
                b = int(k[np.argmax(dense[k])])
                via, via_hours = org_row(b if scope is None else int(scope[b]))
                dense[via] = np.maximum(dense[via], via_hours)
                cols = np.flatnonzero(dense)
                hours = dense[cols]
        out.append((cols, hours))
    return out


def ask(
    world: World, convener: Organization, asks: np.ndarray, short: Shortlist, table: OrgTable, problem: int
) -> list[Organization]:
    """The partners of ``convener`` who accept: the shortlisted asked best first, one per uniform in ``asks``.

    Each asked organization is the best by score plus ``complementarity_weight`` when its type is not yet in
    the activity (updated after each acceptance; a resident lead misses every type). It accepts with
    ``Organization.acceptance`` (motive × tie × free capacity × relevance); a department asked to a problem also
    responds by its responsiveness.
    """
    w = world.scenario.behaviour.complementarity_weight
    # a shortlist holds a few dozen: plain Python lists beat numpy calls on arrays this small
    missing = [kind != convener.kind for kind in ORG_TYPES]  # a resident lead's kind is none of them
    kinds = table.kind[short.idx].tolist()
    base, idx, tie, rel = short.base.tolist(), short.idx.tolist(), short.tie.tolist(), short.rel.tolist()
    left = list(range(len(idx)))
    accepted: list[Organization] = []
    for u in asks.tolist():
        if not left:
            break
        # the best by score, the first of equals (as argmax), among those not yet asked
        j = max(left, key=lambda k: base[k] + w * missing[kinds[k]])
        left.remove(j)
        o = world.orgs[idx[j]]
        p = o.acceptance(tie[j], rel[j])
        if isinstance(o, Department) and problem >= 0:
            p = max(p, o.response_probability())
        if u < p:
            accepted.append(o)
            missing[kinds[j]] = False
    return accepted
