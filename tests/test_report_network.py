"""The network plot stays readable and fast however many organizations a place has."""

from __future__ import annotations

import networkx as nx

from cogov_sim import report
from cogov_sim.model import CoGovModel
from tests.conftest import small


def test_drawn_graph_keeps_the_best_connected_tied_organizations() -> None:
    g = nx.Graph()
    g.add_nodes_from(range(3000))  # 3000 organizations, one hub tied to 1000, the rest without ties
    g.add_edges_from((0, k, {"hours": float(k)}) for k in range(1, 1001))
    g.add_edge(1, 2, hours=1.0)  # 1 and 2 now have degree 2: drawn before the other spokes
    shown = report.drawn_graph(g)
    assert len(shown) == report.MAX_DRAWN
    assert {0, 1, 2} <= set(shown)
    assert all(g.degree(n) > 0 for n in shown)
    spokes = sorted(set(shown) - {0, 1, 2})  # among equals, more tie hours first
    assert spokes == list(range(1000 - len(spokes) + 1, 1001))


def test_ten_thousand_enterprises_are_laid_out_as_the_drawn_part_only() -> None:
    # the layout's cost grows as the square of its nodes: laying out all 10,000 took minutes (issue 14)
    model = CoGovModel(small(fraction=0.02, **{"organizations.enterprises": 10_000}), seed=1)
    for _ in range(3):
        model.step()
    g = report.org_graph(model.world)
    pos = report.network_layout(g)
    assert len(g) > 10_000 and 0 < len(pos) <= report.MAX_DRAWN
    assert set(pos) == set(report.drawn_graph(g))
    title = report.network_figure(model.world, pos=pos).axes[0].get_title()
    alone = sum(1 for n in g.nodes if g.degree(n) == 0)
    assert f"{alone} organizations without ties" in title
