"""What the analysis of a pool network says, as the API gives it: nodes with their
measures, ties, findings and sentences in Finnish and English. Analyses are kept for the
last few distinct graphs (by a digest of nodes and ties), so downloading the drawing or a
file after viewing the network does not analyse it again."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable

import networkx as nx

from services.matching.networks.analysis import Analysis, analyse
from services.matching.networks.plural import counted
from services.matching.networks.schemas import (
    BetweennessMethod,
    Findings,
    InformationSharing,
    PoolEdge,
    PoolNetwork,
    PoolNode,
    Sentences,
)

CACHED = 8
_cache: OrderedDict[str, Analysis] = OrderedDict()
_lock = threading.Lock()


def digest(graph: nx.Graph) -> str:
    h = hashlib.blake2b(digest_size=16)
    for node in sorted(graph, key=str):
        h.update(f"n{node}\x1f".encode())
    for a, b, strength in sorted(
        graph.edges(data="strength"), key=lambda e: (str(e[0]), str(e[1]))
    ):
        h.update(f"e{a}\x1f{b}\x1f{strength}\x1e".encode())
    return h.hexdigest()


def analysed(graph: nx.Graph) -> Analysis:
    key = digest(graph)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = analyse(graph)
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return result


def annotate(graph: nx.Graph, result: Analysis) -> None:
    """The measures as node attributes, for the files and the drawing."""
    for node, attributes in graph.nodes(data=True):
        attributes["degree"] = result.degree[node]
        attributes["betweenness"] = round(result.betweenness.values[node], 6)
        attributes["community"] = result.community[node]


def _name(graph: nx.Graph, node: Hashable, lang: str) -> str:
    attributes = graph.nodes[node]
    if attributes["named"] and attributes["label"]:
        return str(attributes["label"])
    unnamed = {
        ("staff", "fi"): "työntekijä",
        ("staff", "en"): "a staff member",
        ("partner", "fi"): "kumppani",
        ("partner", "en"): "a partner",
        ("support_user", "fi"): "tuettava",
        ("support_user", "en"): "a support user",
    }
    return unnamed[(attributes["kind"], lang)]


def _reason(graph: nx.Graph, a: Hashable, b: Hashable, split: int, lang: str) -> str:
    first, second = _name(graph, a, lang), _name(graph, b, lang)
    if lang == "fi":
        return (
            f"Ainoa yhteys, jonka kautta {first} ja {second} tavoittavat toistensa puolet"
            f" verkostosta; sen katketessa {counted(split, 'fi', 'henkilö', 'henkilöä')}"
            " jäisi erilleen muista."
        )
    people = counted(split, "en", "person", "people")
    return (
        f"The only tie through which {first} and {second} reach each other's side of the"
        f" network; if it were lost, {people} would be cut off from the rest."
    )


def _method(result: Analysis, lang: str) -> BetweennessMethod:
    b = result.betweenness
    if b.method == "exact":
        note = (
            "Välittävyys on laskettu tarkasti kaikista solmuista."
            if lang == "fi"
            else "Betweenness is exact, computed from every node."
        )
    elif lang == "fi":
        note = (
            f"Välittävyys on arvioitu {b.samples} satunnaisesta lähtösolmusta (kiinteä siemen);"
            f" yksittäisen arvon virhe on arviolta enintään {b.error:.4f}"
            f" (tyypillisesti {b.typical_error:.4f}), ja 95 % varmuudella alle {b.bound:.3f}."
        )
    else:
        note = (
            f"Betweenness is estimated from {b.samples} random source nodes (fixed seed);"
            f" a node's value is off by at most about {b.error:.4f}"
            f" (typically {b.typical_error:.4f}), and by less than {b.bound:.3f}"
            " with 95 % certainty."
        )
    error = None if b.error is None else round(b.error, 6)
    bound = None if b.bound is None else round(b.bound, 6)
    return BetweennessMethod(
        method=b.method, samples=b.samples, error=error, bound=bound, note=note
    )


def _summary(graph: nx.Graph, result: Analysis) -> Sentences:
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    groups = sum(1 for c in result.communities if len(c) > 1)
    strong, weak = result.strong_ties, result.weak_ties
    fi = [
        f"Verkostossa on {counted(n, 'fi', 'toimija', 'toimijaa')} ja"
        f" {counted(m, 'fi', 'suhde', 'suhdetta')}: vahvoja {strong}, heikkoja {weak}.",
        # The illative after a number is singular in Finnish whatever the number.
        f"Verkosto jakautuu {groups} ryhmään.",
    ]
    en = [
        f"The network has {counted(n, 'en', 'member', 'members')} and"
        f" {counted(m, 'en', 'tie', 'ties')}: {strong} strong and {weak} weak.",
        f"It falls into {counted(groups, 'en', 'group', 'groups')}.",
    ]
    if result.isolates:
        alone = len(result.isolates)
        fi.append(f"{alone} toimijalla ei ole vielä yhtään suhdetta verkostossa.")
        en.append(
            counted(alone, "en", "member has", "members have") + " no ties in the network yet."
        )
    if result.brokers:
        top = result.brokers[:3]
        fi.append(
            "Ryhmien välillä tietoa välittävät eniten: "
            + ", ".join(_name(graph, b, "fi") for b in top)
            + "."
        )
        en.append(
            "Information between groups passes most through: "
            + ", ".join(_name(graph, b, "en") for b in top)
            + "."
        )
    if result.information_sharing:
        worst = result.information_sharing[0]
        a, b = worst.nodes
        split = worst.would_split
        fi.append(
            f"Tiedonkulkua kannattaa vahvistaa ensin suhteessa {_name(graph, a, 'fi')} –"
            f" {_name(graph, b, 'fi')}: sen katketessa"
            f" {counted(split, 'fi', 'henkilö', 'henkilöä')} jäisi erilleen."
        )
        en.append(
            f"Information sharing would help most around the tie {_name(graph, a, 'en')} –"
            f" {_name(graph, b, 'en')}: losing it would cut off"
            f" {counted(split, 'en', 'person', 'people')}."
        )
    return Sentences(fi=fi, en=en)


def pool_network(graph: nx.Graph, result: Analysis, lang: str) -> PoolNetwork:
    annotate(graph, result)
    nodes = [
        PoolNode(
            key=str(key),
            kind=a["kind"],
            label=a["label"] if a["named"] else None,
            named=a["named"],
            own=a["own"],
            degree=a["degree"],
            betweenness=a["betweenness"],
            community=a["community"],
        )
        for key, a in graph.nodes(data=True)
    ]
    edges = [
        PoolEdge(source=str(a), target=str(b), strength=d["strength"], sources=d["sources"])
        for a, b, d in graph.edges(data=True)
    ]
    findings = Findings(
        brokers=[str(b) for b in result.brokers],
        articulation_points=[str(c.nodes[0]) for c in result.articulation_points],
        bridges=[[str(n) for n in c.nodes] for c in result.bridges],
        isolates=[str(i) for i in result.isolates],
        communities=[[str(n) for n in group] for group in result.communities],
        strong_ties=result.strong_ties,
        weak_ties=result.weak_ties,
        information_sharing=[
            InformationSharing(
                nodes=[str(n) for n in c.nodes],
                reason=_reason(graph, c.nodes[0], c.nodes[1], c.would_split, lang),
                would_split=c.would_split,
            )
            for c in result.information_sharing
        ],
    )
    return PoolNetwork(
        nodes=nodes,
        edges=edges,
        betweenness=_method(result, lang),
        findings=findings,
        summary=_summary(graph, result),
    )
