"""Claim: a pool network of 10,000 nodes and 50,000 edges analysed — degree, betweenness,
brokers, articulation points and bridges with what each would cut off, isolates,
communities, strong and weak ties, the places where information sharing would help most,
and the response the API gives — in under 5 s, against exact ``nx.betweenness_centrality``
alone as the baseline, in the same run.

The graph is built in memory with a fixed seed, shaped like a pool network: ``--nodes``
people and organisations in blocks (organisations' circles and neighbourhoods, sizes
from 5 to 300, long-tailed), 85 % of the ``--edges`` ties inside a block and 15 % between
blocks, each node's share of ties long-tailed too (a few very connected coordinators,
many with one or two ties; one end of a tie is drawn by that share, the other evenly), a
twentieth of the nodes without any tie, and a quarter of the ties strong. No database:
``services.matching.networks.analysis.analyse`` and the report assembly take an
``nx.Graph``, which ``pool.build`` makes from matching's tables.

Each round runs both sides (the first alternating), after one warm-up of ours; a separate
instrumented pass times our steps. The baseline takes 13-15 minutes per round here, so
it runs ``--baseline-rounds`` rounds (default 2). The accuracy of the sampled betweenness is
measured against the baseline's exact values: largest and mean absolute error, the error
the analysis states, and how many of the exact top 20 the sample also ranks in its top 20.
The last line is ``ratio: X`` = our median / baseline median.

    uv run python bench/network_analysis.py                        # about 30 minutes
    uv run python bench/network_analysis.py --nodes 2000 --edges 10000 --baseline-rounds 1
"""

import argparse
import itertools
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from services.matching.networks import analysis, report
from services.matching.networks.pool import SOURCES


def pool_like(nodes: int, edges: int, seed: int) -> nx.Graph:
    rng = random.Random(seed)
    blocks: list[list[int]] = []
    start = 0
    while start < nodes:
        size = min(nodes - start, max(5, min(300, int(rng.lognormvariate(3.3, 0.9)))))
        blocks.append(list(range(start, start + size)))
        start += size
    loners = set(rng.sample(range(nodes), nodes // 20))
    activity = [0.0 if v in loners else min(50.0, rng.paretovariate(1.6)) for v in range(nodes)]
    block_weights = list(itertools.accumulate(sum(activity[v] for v in b) for b in blocks))
    within = [list(itertools.accumulate(activity[v] for v in b)) for b in blocks]
    everyone = [v for v in range(nodes) if v not in loners]
    everyone_weights = list(itertools.accumulate(activity[v] for v in everyone))
    graph = nx.Graph()
    graph.add_nodes_from(
        (v, {"kind": rng.choice(("partner", "partner", "support_user", "staff"))})
        for v in range(nodes)
    )
    made = 0
    while made < edges:
        if rng.random() < 0.85:
            (i,) = rng.choices(range(len(blocks)), cum_weights=block_weights)
            (a,) = rng.choices(blocks[i], cum_weights=within[i])
            b = rng.choice(blocks[i])
            if b in loners:
                continue
        else:
            (a,) = rng.choices(everyone, cum_weights=everyone_weights)
            b = rng.choice(everyone)
        if a != b and not graph.has_edge(a, b):
            strength = "strong" if rng.random() < 0.25 else "weak"
            graph.add_edge(a, b, strength=strength, sources=[rng.choice(SOURCES)])
            made += 1
    for _, attributes in graph.nodes(data=True):
        attributes.update(label=None, named=False, own=True)
    return graph


def ours(graph: nx.Graph) -> Any:
    result = analysis.analyse(graph)
    report.pool_network(graph, result, "en")
    return result


def baseline(graph: nx.Graph) -> dict[Any, float]:
    values: dict[Any, float] = nx.betweenness_centrality(graph)
    return values


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = step()
    return time.perf_counter() - start, value


def steps(graph: nx.Graph) -> dict[str, float]:
    """One instrumented pass: the analysis's parts timed one by one."""
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    figures: dict[str, float] = {}
    figures["adjacency"], adjacency = timed(lambda: [[index[w] for w in graph[v]] for v in nodes])
    figures["betweenness (sampled)"], _ = timed(lambda: analysis.betweenness(adjacency, nodes))
    figures["communities"], _ = timed(lambda: analysis._communities(graph, analysis.SEED))
    figures["articulation points, bridges"], _ = timed(
        lambda: analysis.cut_structure(adjacency, nodes)
    )
    result = analysis.analyse(graph)
    figures["report (nodes, ties, words)"], _ = timed(
        lambda: report.pool_network(graph, result, "en")
    )
    return figures


def accuracy(result: Any, exact: dict[Any, float]) -> None:
    sampled = result.betweenness
    errors = [abs(sampled.values[v] - exact[v]) for v in exact]

    def top(values: dict[Any, float]) -> set[Any]:
        return set(sorted(values, key=lambda v: (-values[v], v))[:20])

    overlap = len(top(sampled.values) & top(exact))
    brokers_exact = sum(1 for b in result.brokers if b in top(exact))
    print(f"\nbetweenness: {sampled.method}, {sampled.samples} pivots")
    print(f"  largest absolute error {max(errors):.5f} (stated {sampled.error:.5f})")
    print(
        f"  mean absolute error {statistics.fmean(errors):.6f}"
        f" (stated typical {sampled.typical_error:.6f});"
        f" largest exact value {max(exact.values()):.5f}"
    )
    print(
        f"  top-20 overlap with exact: {overlap}/20; brokers in the exact top 20: {brokers_exact}"
    )


def run(args: argparse.Namespace) -> None:
    graph = pool_like(args.nodes, args.edges, args.seed)
    print(
        f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges,"
        f" {sum(1 for _ in nx.isolates(graph))} isolates,"
        f" largest component {len(max(nx.connected_components(graph), key=len))}",
        flush=True,
    )
    times: dict[str, list[float]] = {"kortisto": [], "baseline": []}
    timed(lambda: ours(graph))  # warm-up
    exact: dict[Any, float] = {}
    result = None
    for r in range(args.rounds):
        order = ["kortisto", "baseline"] if r % 2 == 0 else ["baseline", "kortisto"]
        for side in order:
            if side == "baseline" and len(times["baseline"]) >= args.baseline_rounds:
                continue
            if side == "kortisto":
                seconds, result = timed(lambda: ours(graph))
            else:
                seconds, exact = timed(lambda: baseline(graph))
            times[side].append(seconds)
            print(f"round {r + 1}: {side} {seconds:.2f} s", flush=True)
    cached, _ = timed(lambda: report.analysed(graph))
    again, _ = timed(lambda: report.analysed(graph))
    figures = steps(graph)
    print("\nour steps (one instrumented pass):")
    for name, seconds in figures.items():
        print(f"  {name:<34} {seconds:6.2f} s")
    print(f"  {'analysis through the cache, first':<34} {cached:6.2f} s")
    print(f"  {'analysis through the cache, again':<34} {again:6.3f} s")
    if result is not None and exact:
        accuracy(result, exact)
    print("\nmedian (min-max) in s:")
    for side, values in times.items():
        print(
            f"  {side:<10} {statistics.median(values):8.2f} ({min(values):.2f}-{max(values):.2f})"
            f" over {len(values)} rounds"
        )
    ratio = statistics.median(times["kortisto"]) / statistics.median(times["baseline"])
    print(f"speed-up: {1 / ratio:.0f}x" if ratio > 0 else "")
    print(f"ratio: {ratio:.4f}" if not math.isnan(ratio) else "ratio: nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=10_000, help="nodes of the pool network")
    parser.add_argument("--edges", type=int, default=50_000, help="ties of the pool network")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds of ours")
    parser.add_argument(
        "--baseline-rounds", type=int, default=2, help="rounds of exact betweenness (slow)"
    )
    parser.add_argument("--seed", type=int, default=20261126, help="seed of the graph")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
