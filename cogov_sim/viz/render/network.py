"""The network view: :func:`cogov_sim.report.network_figure`, redrawn only when the network changes.

Positions are warm-started from the last drawing (nodes stay in place). Each drawing also counts the ties and
agreements by type pair and the organizations without a tie (:attr:`NetworkView.pairs`, ``isolates``), which the
app lists beside the drawing. The figure is redrawn when organizations,
agreements or alliances change, and every :data:`NETWORK_REFRESH_DAYS` days (new ties, tie strengths); otherwise
the last image is reused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matplotlib.lines import Line2D

from cogov_sim import report
from cogov_sim.i18n import text
from cogov_sim.viz.render.figure import DPI, FigureView, encode_png

if TYPE_CHECKING:
    from cogov_sim.world import World

NETWORK_SIZE = (6.8, 4.4)
"""Figure size, inches."""

NETWORK_REFRESH_DAYS = 7
"""The network is redrawn this often (new ties, tie strengths) and whenever organizations, agreements or alliances
change."""


class NetworkView(FigureView):
    """The organization network (see the module docstring for when it is redrawn)."""

    def __init__(self, size: tuple[float, float] = NETWORK_SIZE, dpi: int = DPI) -> None:
        super().__init__(size, dpi)
        self._key: tuple | None = None
        self._png = b""
        self._pos: dict | None = None
        self._world_id: int | None = None
        self.pairs: dict[str, tuple[int, int]] = {}
        self.isolates = 0

    def render(self, world: World, lang: str = "en") -> bytes:
        """Draw the network of ``world`` when it changed or the language did (else return the last image)."""
        alliances = tuple(sorted((k, len(v)) for k, v in world.alliances.items()))
        orgs = sum(1 for o in world.orgs if o.active)
        key = (id(world), orgs, len(world.agreements), alliances, world.day // NETWORK_REFRESH_DAYS, lang)
        if key == self._key:
            return self._png
        if self._world_id != id(world):
            self._pos = None
            self._world_id = id(world)
        g = report.org_graph(world)
        self.pairs, self.isolates = pair_counts(g, lang), sum(1 for n in g.nodes if g.degree(n) == 0)
        pos = report.network_layout(g, pos=self._pos, iterations=50 if self._pos is None else 15)
        self._pos = pos
        self.fig.clear()
        ax = self.fig.add_axes((0.01, 0.01, 0.98, 0.91))
        report.network_figure(world, ax=ax, pos=pos, lang=lang)
        ax.title.set_fontsize(9.5)
        legend = ax.get_legend()
        if legend is not None:  # plain keys: the network marks alliance members with a ring, not a node type
            legend.remove()
            handles, labels = ax.get_legend_handles_labels()
            keys = [_org_key(h) for h in handles]
            if world.alliances:
                keys.append(Line2D([], [], marker="o", ls="none", ms=7, mfc="white", mec="black", mew=2))
                labels.append(text("net.alliance_member", lang))
            ax.legend(keys, labels, fontsize=7, loc="upper left", bbox_to_anchor=(0.0, 1.0), frameon=True,
                      framealpha=0.8)  # fmt: skip
        self.canvas.draw()
        self._png = encode_png(self.canvas)
        self._key = key
        self.full_draws += 1
        return self._png


def pair_counts(g: Any, lang: str = "en") -> dict[str, tuple[int, int]]:
    """Ties and agreements between organizations by type pair (:func:`cogov_sim.report.type_pair`), most ties first."""
    kinds = dict(g.nodes(data="kind"))
    counts: dict[str, list[int]] = {}
    for a, b, agreed in g.edges(data="agreement"):
        entry = counts.setdefault(report.type_pair(kinds[a], kinds[b], lang), [0, 0])
        entry[0] += 1
        entry[1] += int(bool(agreed))
    return {k: (v[0], v[1]) for k, v in sorted(counts.items(), key=lambda kv: -kv[1][0])}


def _org_key(handle: Any) -> Any:
    """A plain legend key for an organization type's nodes (gid ``org.<type>``); other handles as they are."""
    gid = handle.get_gid() or ""
    kind = gid.removeprefix("org.")
    if not gid.startswith("org.") or kind not in report.ORG_COLORS:
        return handle
    return Line2D([], [], marker="o", ls="none", ms=7, mfc=report.ORG_COLORS[kind], mec="none")
