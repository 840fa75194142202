"""Social network analysis of a pool network, with networkx and no database: degree and
betweenness (exact on small graphs, sampled with a stated error on large ones), brokers,
articulation points and bridges with what their loss would cut off, isolates, communities
and strong and weak ties. Unit-tested on graphs with known answers."""

import math
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import networkx as nx

# Above this many nodes betweenness is estimated from sampled pivots: exact Brandes costs a
# breadth-first search from every node, about 15 minutes for 10,000 nodes here.
EXACT_NODES = 1000
# How many pivots a sampled run takes: as many as fit a budget of adjacency visits (about
# 2 s here), never fewer than MIN_SAMPLES; an even number.
SAMPLE_BUDGET = 10_000_000
MIN_SAMPLES = 32
# The sampled estimate's pivots in this many groups, whose spread gives the error.
GROUPS = 32
# The confidence of the guaranteed bound (Hoeffding over all nodes at once).
BOUND_RISK = 0.05
# Louvain up to this size; label propagation (linear, seeded) above it.
LOUVAIN_NODES = 2000
BROKERS = 10
INFORMATION_SHARING = 10
SEED = 20261126


@dataclass
class Betweenness:
    values: dict[Hashable, float]
    method: str  # exact | sampled
    samples: int | None
    # Estimated largest absolute error of one node's value (normalised units), and the
    # typical one (root mean square over the nodes); None when exact.
    error: float | None
    typical_error: float | None
    # What no node's error exceeds with probability 1 - BOUND_RISK, whatever the graph.
    bound: float | None = None


@dataclass
class Cut:
    """A bridge (two nodes) or an articulation point (one): removing it splits a connected
    group, and ``would_split`` people end up on the smaller side."""

    nodes: tuple[Hashable, ...]
    would_split: int


@dataclass
class Analysis:
    degree: dict[Hashable, int]
    betweenness: Betweenness
    community: dict[Hashable, int]
    communities: list[list[Hashable]]
    brokers: list[Hashable]
    articulation_points: list[Cut]
    bridges: list[Cut]
    isolates: list[Hashable]
    strong_ties: int
    weak_ties: int
    information_sharing: list[Cut] = field(default_factory=list)


def analyse(graph: nx.Graph, *, seed: int = SEED, exact_nodes: int = EXACT_NODES) -> Analysis:
    """Every measure of the pool network. Nodes may be any hashable; edges may carry
    ``strength`` ("strong" or "weak", weak when missing)."""
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = [[index[w] for w in graph[v] if w != v] for v in nodes]
    degree = {node: len(adjacency[i]) for i, node in enumerate(nodes)}
    between = betweenness(adjacency, nodes, seed=seed, exact_nodes=exact_nodes)
    groups = _communities(graph, seed)
    community = {node: c for c, group in enumerate(groups) for node in group}
    points, bridges = cut_structure(adjacency, nodes)
    strong = sum(1 for _, _, s in graph.edges(data="strength") if s == "strong")
    return Analysis(
        degree=degree,
        betweenness=between,
        community=community,
        communities=groups,
        brokers=_brokers(graph, between.values, community),
        articulation_points=points,
        bridges=bridges,
        isolates=[node for node in nodes if degree[node] == 0],
        strong_ties=strong,
        weak_ties=graph.number_of_edges() - strong,
        information_sharing=bridges[:INFORMATION_SHARING],
    )


def _single_source(
    adjacency: Sequence[Sequence[int]], source: int
) -> tuple[list[int], list[float]]:
    """Brandes' accumulation from one source over an unweighted graph: the nodes reached
    and each node's dependency. Predecessors are found again from the distances instead of
    being kept in lists, and the queue is the visiting order itself (a list iterated while
    it grows): both faster in Python."""
    n = len(adjacency)
    sigma = [0] * n
    distance = [-1] * n
    sigma[source] = 1
    distance[source] = 0
    order = [source]
    visit = order.append
    for v in order:
        next_distance = distance[v] + 1
        paths = sigma[v]
        for w in adjacency[v]:
            d = distance[w]
            if d < 0:
                distance[w] = next_distance
                sigma[w] = paths
                visit(w)
            elif d == next_distance:
                sigma[w] += paths
    delta = [0.0] * n
    for w in reversed(order):
        before = distance[w] - 1
        share = (1.0 + delta[w]) / sigma[w]
        for v in adjacency[w]:
            if distance[v] == before:
                delta[v] += sigma[v] * share
    return order, delta


def _accumulate(adjacency: Sequence[Sequence[int]], sources: Sequence[int]) -> list[float]:
    total = [0.0] * len(adjacency)
    for source in sources:
        order, delta = _single_source(adjacency, source)
        for w in order:
            if w != source:
                total[w] += delta[w]
    return total


def sample_count(nodes: int, edges: int) -> int:
    k = SAMPLE_BUDGET // max(1, nodes + 2 * edges)
    k = max(MIN_SAMPLES, min(nodes, k))
    return k - k % 2


def betweenness(
    adjacency: Sequence[Sequence[int]],
    nodes: Sequence[Hashable],
    *,
    seed: int = SEED,
    exact_nodes: int = EXACT_NODES,
    samples: int | None = None,
) -> Betweenness:
    """Normalised betweenness as ``nx.betweenness_centrality`` gives it (undirected, no
    endpoints): exact up to ``exact_nodes`` nodes. Above, sources are ``samples`` pivots
    drawn with a fixed seed, and the sum is scaled by n / k, an unbiased estimate.

    The error, two ways. Estimated: the pivots are used in GROUPS groups, each an estimate
    of its own; their spread gives each node's standard error (standard deviation /
    sqrt(groups)), and the stated error is the largest of them times sqrt(2 ln n), what the
    largest of n normal errors reaches. It can fall short when a node's betweenness comes
    from a few sources that no pivot hit (docs/networks.md). Guaranteed: each pivot's
    contribution lies in [0, n / (n - 1)], so by Hoeffding's inequality over all n nodes
    no error exceeds the bound with probability 1 - BOUND_RISK; loose, but sure."""
    n = len(nodes)
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    if n <= exact_nodes and samples is None:
        total = _accumulate(adjacency, range(n))
        exact = {node: total[i] * scale for i, node in enumerate(nodes)}
        return Betweenness(exact, "exact", None, None, None)
    edges = sum(len(a) for a in adjacency) // 2
    k = min(n, samples or sample_count(n, edges))
    # a reproducible sample, not a secret
    pivots = random.Random(seed).sample(range(n), k)  # noqa: S311
    groups = max(2, min(GROUPS, k // 4))
    parts = [_accumulate(adjacency, pivots[g::groups]) for g in range(groups)]
    sizes = [len(pivots[g::groups]) for g in range(groups)]
    values: dict[Hashable, float] = {}
    largest = 0.0
    squares = 0.0
    for i, node in enumerate(nodes):
        estimates = [part[i] * scale * n / size for part, size in zip(parts, sizes, strict=True)]
        values[node] = sum(part[i] for part in parts) * scale * n / k
        mean = sum(estimates) / groups
        variance = sum((e - mean) ** 2 for e in estimates) / (groups - 1)
        error = math.sqrt(variance / groups)
        largest = max(largest, error)
        squares += error * error
    typical = math.sqrt(squares / max(1, n))
    spread = math.sqrt(2 * math.log(n))
    bound = n / (n - 1) * math.sqrt(math.log(2 * n / BOUND_RISK) / (2 * k))
    return Betweenness(values, "sampled", k, spread * largest, typical, bound)


def _communities(graph: nx.Graph, seed: int) -> list[list[Hashable]]:
    """Groups, largest first, each sorted; isolates are groups of one."""
    if graph.number_of_nodes() == 0:
        return []
    if graph.number_of_nodes() <= LOUVAIN_NODES:
        found = nx.community.louvain_communities(graph, seed=seed)
    else:
        found = list(nx.community.asyn_lpa_communities(graph, seed=seed))
    groups = [sorted(group, key=str) for group in found]
    return sorted(groups, key=lambda g: (-len(g), str(g[0])))


def _brokers(
    graph: nx.Graph, values: dict[Hashable, float], community: dict[Hashable, int]
) -> list[Hashable]:
    """The nodes with the highest betweenness whose ties reach more than one community:
    through them information passes between groups."""
    ranked = sorted((v for v in values if values[v] > 0), key=lambda v: (-values[v], str(v)))
    brokers = []
    for node in ranked:
        if len({community[w] for w in graph[node]} | {community[node]}) > 1:
            brokers.append(node)
            if len(brokers) == BROKERS:
                break
    return brokers


def cut_structure(
    adjacency: Sequence[Sequence[int]], nodes: Sequence[Hashable]
) -> tuple[list[Cut], list[Cut]]:
    """Articulation points and bridges in one iterative depth-first search (Tarjan's
    low-links), with how many people each would cut off from the largest remaining part
    (from subtree sizes), the largest first."""
    n = len(adjacency)
    found = [-1] * n
    low = [0] * n
    size = [1] * n
    parent = [-1] * n
    points: dict[int, int] = {}
    bridges: list[tuple[int, int, int]] = []
    clock = 0
    for root in range(n):
        if found[root] >= 0:
            continue
        found[root] = low[root] = clock
        clock += 1
        stack = [(root, iter(adjacency[root]))]
        children = 0
        first_bridge = len(bridges)
        pieces: dict[int, list[int]] = {}
        while stack:
            v, neighbours = stack[-1]
            for w in neighbours:
                if found[w] < 0:
                    parent[w] = v
                    found[w] = low[w] = clock
                    clock += 1
                    stack.append((w, iter(adjacency[w])))
                    if v == root:
                        children += 1
                    break
                if w != parent[v] and found[w] < low[v]:
                    low[v] = found[w]
            else:
                stack.pop()
                if stack:
                    p = stack[-1][0]
                    size[p] += size[v]
                    low[p] = min(low[p], low[v])
                    if low[v] > found[p]:
                        bridges.append((p, v, size[v]))
                    if low[v] >= found[p]:
                        # the child's subtree is cut off from the rest by p
                        pieces.setdefault(p, []).append(size[v])
        whole = size[root]
        for i in range(first_bridge, len(bridges)):
            p, v, below = bridges[i]
            bridges[i] = (p, v, min(below, whole - below))
        for p, cut_off in pieces.items():
            # without p the group falls into the cut-off subtrees and the rest (none for
            # the root); all but the largest piece are cut off
            rest = whole - 1 - sum(cut_off)
            if p != root or children >= 2:
                points[p] = whole - 1 - max([*cut_off, rest])
    cut_points = [Cut((nodes[p],), would) for p, would in points.items()]
    cut_bridges = [Cut(_ordered(nodes[p], nodes[v]), would) for p, v, would in bridges]
    cut_points.sort(key=lambda c: (-c.would_split, str(c.nodes)))
    cut_bridges.sort(key=lambda c: (-c.would_split, str(c.nodes)))
    return cut_points, cut_bridges


def _ordered(a: Hashable, b: Hashable) -> tuple[Hashable, Hashable]:
    return (a, b) if str(a) <= str(b) else (b, a)
