"""The organizations as columns for a day's vectorized choices, and the tie hours among them.

Organizations stay objects (:mod:`cogov_sim.world.organizations`) that the phases change one by one; the
vectorized choices of the supply phase read them as columns. :class:`OrgColumns` keeps those columns current at
little cost: organizations are only ever appended to ``World.orgs`` (a closed one stays, inactive), so the
columns that never change (node, type, specialties) are extended by the organizations added since the last day,
and the two that do change (active, base center) are read afresh. :func:`org_ties` reads the tie hours among
all organizations in one slice of the tie store, where an activity's invitation used to look up every
organization in the whole store.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from cogov_sim.scenario import FUNCTIONS
from cogov_sim.ties import TieStore
from cogov_sim.world.organizations import ORG_TYPES, Organization, OrgTable


class OrgColumns:
    """An :class:`OrgTable` of one list of organizations, kept current as organizations are added.

    ``table(orgs)`` extends the stored columns by the organizations appended since the last call and rereads
    ``active`` and ``center``; given another list (another world), or one whose covered part changed, it
    rebuilds the columns from scratch.
    """

    def __init__(self) -> None:
        self._orgs: list[Organization] | None = None
        self._last: Organization | None = None
        self._node = np.zeros(0, dtype=np.int64)
        self._kind = np.zeros(0, dtype=np.int8)
        self._specialties = np.zeros((0, len(FUNCTIONS)), dtype=bool)

    def table(self, orgs: list[Organization]) -> OrgTable:
        """The columns of ``orgs`` as of now."""
        done = len(self._node)
        if orgs is not self._orgs or done > len(orgs) or (done and orgs[done - 1] is not self._last):
            done = 0
            self._node, self._kind = self._node[:0], self._kind[:0]
            self._specialties = self._specialties[:0]
        if done < len(orgs):
            new = OrgTable.of(orgs[done:])
            self._node = np.concatenate([self._node, new.node])
            self._kind = np.concatenate([self._kind, new.kind])
            self._specialties = np.concatenate([self._specialties, new.specialties])
        self._orgs, self._last = orgs, (orgs[-1] if orgs else None)
        return OrgTable(
            node=self._node,
            kind=self._kind,
            active=np.fromiter((o.active for o in orgs), dtype=bool, count=len(orgs)),
            center=np.fromiter((o.center for o in orgs), dtype=np.int64, count=len(orgs)),
            specialties=self._specialties,
        )


def by_type(table: OrgTable) -> list[np.ndarray]:
    """Row indices of the organizations of each type (``ORG_TYPES`` order), ascending."""
    return [np.flatnonzero(table.kind == t) for t in range(len(ORG_TYPES))]


def org_ties(ties: TieStore, first_node: int, count: int, day: int) -> sp.csr_matrix:
    """Tie hours as of ``day`` among the organizations at nodes ``first_node`` .. ``first_node + count - 1``.

    A symmetric ``count`` × ``count`` float32 matrix (row and column k are node ``first_node + k``; 0 where
    there is no tie; each row's column indices ascending), the same values as ``TieStore.get`` gives pair by
    pair. A tie's key is
    ``lo · n_nodes + hi`` with ``lo < hi``, so the ties among nodes from ``first_node`` on are the store's last keys
    (organizations are the last nodes): one binary search finds them.
    """
    len(ties)  # merges the additions still buffered, as every read of the store does
    start = int(np.searchsorted(ties.keys, np.int64(first_node) * ties.n_nodes))
    keys = ties.keys[start:]
    lo, hi = keys // ties.n_nodes - first_node, keys % ties.n_nodes - first_node
    keep = hi < count
    lo, hi, sl = lo[keep], hi[keep], np.flatnonzero(keep) + start
    hours = (ties.hours[sl] * np.exp(-ties.rate * (day - ties.last[sl]))).astype(np.float32)
    rows, cols = np.concatenate([lo, hi]), np.concatenate([hi, lo])
    out = sp.csr_matrix((np.concatenate([hours, hours]), (rows, cols)), shape=(count, count), dtype=np.float32)
    out.sort_indices()
    return out
