"""The analysis on graphs with known answers: a bridge, articulation points, an isolate,
two communities, brokers; betweenness exact as networkx gives it, and sampled within the
error it states."""

import random

import networkx as nx
import pytest

from services.matching.networks import analysis


def two_triangles() -> nx.Graph:
    """Two triangles a-b-c and d-e-f joined by the single tie c-d, and g alone."""
    graph = nx.Graph()
    graph.add_edges_from(
        [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f")],
        strength="strong",
    )
    graph.add_edge("c", "d", strength="weak")
    graph.add_node("g")
    return graph


def test_a_bridge_its_ends_an_isolate_and_two_communities() -> None:
    result = analysis.analyse(two_triangles())
    assert [c.nodes for c in result.bridges] == [("c", "d")]
    assert result.bridges[0].would_split == 3
    assert sorted(c.nodes[0] for c in result.articulation_points) == ["c", "d"]
    # without c, a and b are cut off from d, e and f
    assert [c.would_split for c in result.articulation_points] == [2, 2]
    assert result.isolates == ["g"]
    assert result.communities == [["a", "b", "c"], ["d", "e", "f"], ["g"]]
    assert result.community["a"] == result.community["c"] != result.community["d"]
    assert sorted(result.brokers) == ["c", "d"]
    assert (result.strong_ties, result.weak_ties) == (6, 1)
    assert result.degree == {"a": 2, "b": 2, "c": 3, "d": 3, "e": 2, "f": 2, "g": 0}
    assert [c.nodes for c in result.information_sharing] == [("c", "d")]
    # c lies on the only path of 2 * 3 pairs ({a, b} with {d, e, f}), of the 15 pairs of
    # the six other nodes (g counts among them), normalised as networkx does
    assert result.betweenness.values["c"] == pytest.approx(6 / 15)
    assert result.betweenness.values == pytest.approx(nx.betweenness_centrality(two_triangles()))
    assert result.betweenness.method == "exact" and result.betweenness.error is None


def test_a_path_has_every_inner_node_as_articulation_point() -> None:
    graph = nx.path_graph(["x", "y", "z", "w"])
    result = analysis.analyse(graph)
    assert sorted(c.nodes[0] for c in result.articulation_points) == ["y", "z"]
    assert sorted(c.nodes for c in result.bridges) == [("w", "z"), ("x", "y"), ("y", "z")]
    splits = {c.nodes: c.would_split for c in result.bridges}
    assert splits == {("y", "z"): 2, ("x", "y"): 1, ("w", "z"): 1}
    assert result.isolates == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cuts_agree_with_networkx_on_random_graphs(seed: int) -> None:
    graph = nx.gnm_random_graph(300, 330, seed=seed)
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    points, bridges = analysis.cut_structure([[index[w] for w in graph[v]] for v in nodes], nodes)
    assert {c.nodes[0] for c in points} == set(nx.articulation_points(graph))
    assert {frozenset(c.nodes) for c in bridges} == {frozenset(e) for e in nx.bridges(graph)}
    for cut in random.Random(seed).sample(bridges, 5):
        cut_graph = graph.copy()
        cut_graph.remove_edge(*cut.nodes)
        sides = [len(nx.node_connected_component(cut_graph, n)) for n in cut.nodes]
        assert cut.would_split == min(sides)
    for cut in random.Random(seed).sample(points, 5):
        (node,) = cut.nodes
        whole = len(nx.node_connected_component(graph, node)) - 1
        cut_graph = graph.copy()
        cut_graph.remove_node(node)
        parts = [len(nx.node_connected_component(cut_graph, w)) for w in graph[node]]
        assert cut.would_split == whole - max(parts)


def test_exact_betweenness_is_what_networkx_computes() -> None:
    graph = nx.karate_club_graph()
    ours = analysis.analyse(graph).betweenness.values
    theirs = nx.betweenness_centrality(graph)
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_sampled_betweenness_stays_within_its_stated_error() -> None:
    graph = nx.powerlaw_cluster_graph(1200, 3, 0.2, seed=7)
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    adjacency = [[index[w] for w in graph[v]] for v in nodes]
    exact = analysis.betweenness(adjacency, nodes).values
    sampled = analysis.betweenness(adjacency, nodes, samples=120, seed=11)
    assert sampled.method == "sampled" and sampled.samples == 120
    assert sampled.error is not None and sampled.typical_error is not None
    assert sampled.bound is not None and sampled.error < sampled.bound
    errors = [abs(sampled.values[v] - exact[v]) for v in nodes]
    assert max(errors) <= sampled.error
    assert sum(errors) / len(errors) <= 2 * sampled.typical_error

    def top(values: dict[object, float]) -> set[object]:
        return set(sorted(values, key=lambda v: -values[v])[:10])

    assert len(top(sampled.values) & top(dict(exact))) >= 7


def test_large_graphs_are_sampled_and_split_into_communities() -> None:
    sizes = [400] * 3
    graph = nx.stochastic_block_model(
        sizes, [[0.03, 0.0005, 0.0005], [0.0005, 0.03, 0.0005], [0.0005, 0.0005, 0.03]], seed=3
    )
    nx.set_edge_attributes(graph, "weak", "strength")
    result = analysis.analyse(graph, exact_nodes=500)
    assert result.betweenness.method == "sampled"
    assert result.betweenness.samples and result.betweenness.samples % 2 == 0
    blocks = [set(range(0, 400)), set(range(400, 800)), set(range(800, 1200))]
    # the three largest communities each lie mostly inside one planted block
    for group in result.communities[:3]:
        assert max(len(set(group) & block) for block in blocks) >= 0.9 * len(group)
