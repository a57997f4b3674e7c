"""The relationship network: one sparse, weighted tie store over all actors (residents and organizations).

A tie is keyed by the ordered node pair ``(i, j)``, ``i < j``, packed into one int64, and carries accumulated
shared hours, the day of the last contact and the number of shared successful joint actions. Hours decay
exponentially without contact; the decay is applied lazily (stored hours are as of ``last``), so a day's update
touches only the ties used that day. Memory grows with distinct pairs met, never with residents squared.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class TieStore:
    """Sparse weighted ties with lazy exponential decay.

    Args:
        n_nodes: upper bound on node ids (residents plus room for organizations).
        half_life_days: half-life of a tie's hours without contact.

    """

    def __init__(self, n_nodes: int, half_life_days: float) -> None:
        self.n_nodes = int(n_nodes)
        self.rate = np.log(2.0) / half_life_days
        self.keys = np.zeros(0, dtype=np.int64)
        self.hours = np.zeros(0, dtype=np.float32)
        self.last = np.zeros(0, dtype=np.int32)
        self.successes = np.zeros(0, dtype=np.int16)
        self._pending: list[tuple[np.ndarray, np.ndarray, bool, int]] = []

    def __len__(self) -> int:
        self._flush()
        return len(self.keys)

    def _pack(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        return lo * self.n_nodes + hi

    def unpack(self, keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Node pairs (i, j) of the given keys (default: all ties)."""
        if keys is None:
            self._flush()
            keys = self.keys
        return keys // self.n_nodes, keys % self.n_nodes

    def strength(self, day: int) -> np.ndarray:
        """Hours of every tie as of ``day``, after decay."""
        self._flush()
        return self.hours * np.exp(-self.rate * (day - self.last)).astype(np.float32)

    def above(self, day: int, min_hours: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (i, j) and hours of the ties with at least ``min_hours`` as of ``day``.

        Decay only lowers hours, so ties whose stored hours are already below the bound are skipped cheaply.
        """
        self._flush()
        cand = np.flatnonzero(self.hours >= min_hours)
        h = self.hours[cand] * np.exp(-self.rate * (day - self.last[cand])).astype(np.float32)
        keep = cand[h >= min_hours]
        i, j = self.unpack(self.keys[keep])
        return i, j, h[h >= min_hours]

    def add(self, i: np.ndarray, j: np.ndarray, hours: np.ndarray | float, day: int, success: bool = False) -> None:
        """Add shared hours to pairs on ``day`` (duplicates are summed, self-pairs ignored).

        Additions of one day are buffered and merged in one pass at the next read (or the next day's addition),
        so many small additions in a day cost one merge.
        """
        i = np.asarray(i)
        j = np.asarray(j)
        keep = i != j
        if not keep.any():
            return
        h = np.broadcast_to(np.asarray(hours, dtype=np.float32), i.shape)[keep]
        if self._pending and self._pending[0][3] != day:
            self._flush()
        self._pending.append((self._pack(i[keep], j[keep]), h, success, day))

    def _flush(self) -> None:
        """Merge buffered additions into the sorted arrays."""
        if not self._pending:
            return
        day = self._pending[0][3]
        keys = np.concatenate([p[0] for p in self._pending])
        h = np.concatenate([p[1] for p in self._pending])
        won = np.concatenate([np.full(len(p[0]), p[2]) for p in self._pending])
        self._pending = []
        ukeys, inv = np.unique(keys, return_inverse=True)
        uh = np.bincount(inv, weights=h).astype(np.float32)
        uwins = np.bincount(inv, weights=won).astype(np.int16)
        pos = np.searchsorted(self.keys, ukeys)
        found = pos < len(self.keys)
        found[found] = self.keys[pos[found]] == ukeys[found]
        fp = pos[found]
        self.hours[fp] = self.hours[fp] * np.exp(-self.rate * (day - self.last[fp])) + uh[found]
        self.last[fp] = day
        self.successes[fp] += uwins[found]
        new = ~found
        if new.any():
            at = pos[new]
            self.keys = np.insert(self.keys, at, ukeys[new])
            self.hours = np.insert(self.hours, at, uh[new])
            self.last = np.insert(self.last, at, np.int32(day))
            self.successes = np.insert(self.successes, at, uwins[new])

    def get(self, i: np.ndarray, j: np.ndarray, day: int) -> np.ndarray:
        """Hours between pairs as of ``day`` (0 where there is no tie)."""
        self._flush()
        keys = self._pack(np.atleast_1d(i), np.atleast_1d(j))
        pos = np.searchsorted(self.keys, keys)
        pos_c = np.minimum(pos, max(len(self.keys) - 1, 0))
        out = np.zeros(len(keys), dtype=np.float32)
        if len(self.keys) == 0:
            return out
        hit = self.keys[pos_c] == keys
        out[hit] = self.hours[pos_c[hit]] * np.exp(-self.rate * (day - self.last[pos_c[hit]]))
        return out

    def shared_successes(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Shared successful joint actions between pairs (0 where there is no tie)."""
        self._flush()
        keys = self._pack(np.atleast_1d(i), np.atleast_1d(j))
        out = np.zeros(len(keys), dtype=np.int16)
        if len(self.keys) == 0:
            return out
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = self.keys[pos] == keys
        out[hit] = self.successes[pos[hit]]
        return out

    def prune(self, day: int, min_hours: float, idle_days: int = 0) -> int:
        """Forget ties below ``min_hours`` not renewed for more than ``idle_days``; return how many were dropped."""
        self._flush()
        keep = (self.strength(day) >= min_hours) | (day - self.last <= idle_days)
        dropped = int((~keep).sum())
        if dropped:
            self.keys, self.hours = self.keys[keep], self.hours[keep]
            self.last, self.successes = self.last[keep], self.successes[keep]
        return dropped

    def adjacency(self, day: int, min_hours: float, n: int) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency (CSR) of ties with at least ``min_hours`` among nodes ``< n``."""
        i, j, _ = self.above(day, min_hours)
        mask = j < n
        i, j = i[mask], j[mask]
        data = np.ones(2 * len(i), dtype=np.float32)
        return sp.csr_matrix((data, (np.concatenate([i, j]), np.concatenate([j, i]))), shape=(n, n))
