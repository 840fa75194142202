"""GraphML, GEXF and node-link JSON that networkx reads back as the same graph: the same
nodes, edges and attributes, for an eco-map and for a pool network."""

import io
import json
from collections.abc import Callable

import networkx as nx
import pytest

from services.matching.networks import drawing, exports
from services.matching.networks.analysis import analyse
from services.matching.networks.report import annotate
from services.matching.networks.schemas import Member

MEMBERS = [
    Member(
        id="m1",
        name="Äiti <Aino> & co",
        relation="family",  # type: ignore[arg-type]
        ring="inner",  # type: ignore[arg-type]
        support=["emotional", "practical"],  # type: ignore[list-item]
        reciprocity="mutual",  # type: ignore[arg-type]
        frequency="daily",  # type: ignore[arg-type]
    ),
    Member(
        id="m2",
        name="Kerho",
        partner_id="p-1",
        relation="community",  # type: ignore[arg-type]
        ring="outer",  # type: ignore[arg-type]
        reciprocity="receives",  # type: ignore[arg-type]
        frequency="monthly",  # type: ignore[arg-type]
    ),
]


def pool_graph() -> nx.Graph:
    graph = nx.Graph()
    graph.add_node("p-1", kind="partner", label="Kerho", named=True, own=True)
    graph.add_node("u-1", kind="support_user", label="Aino", named=True, own=True)
    graph.add_node("anon-1f", kind="staff", label=None, named=False, own=False)
    graph.add_node("p-2", kind="partner", label="Kuoro", named=True, own=False)
    graph.add_edge("p-1", "u-1", strength="strong", sources=["referral"])
    graph.add_edge("p-1", "anon-1f", strength="weak", sources=["activity", "acquaintance"])
    annotate(graph, analyse(graph))
    return graph


def read_graphml(text: str) -> nx.Graph:
    return nx.read_graphml(io.BytesIO(text.encode()))


def read_gexf(text: str) -> nx.Graph:
    return nx.read_gexf(io.BytesIO(text.encode()))


def read_json(text: str) -> nx.Graph:
    return nx.node_link_graph(json.loads(text), edges="edges")


FORMATS: list[tuple[Callable[[nx.Graph], str], Callable[[str], nx.Graph]]] = [
    (exports.graphml, read_graphml),
    (exports.gexf, read_gexf),
    (exports.node_link, read_json),
]


def same(read: nx.Graph, expected: nx.Graph) -> None:
    assert dict(read.nodes(data=True)) == dict(expected.nodes(data=True))
    edges = {frozenset((a, b)): d for a, b, d in read.edges(data=True)}
    assert edges == {frozenset((a, b)): d for a, b, d in expected.edges(data=True)}


@pytest.mark.parametrize(("write", "read"), FORMATS)
def test_an_eco_map_reads_back_identically(
    write: Callable[[nx.Graph], str], read: Callable[[str], nx.Graph]
) -> None:
    graph = exports.eco_map_graph("Aino", MEMBERS)
    back = read(write(graph))
    same(back, exports.portable(graph))
    assert back.nodes["person"]["label"] == "Aino"
    assert back.nodes["m1"] == {
        "label": "Äiti <Aino> & co",
        "kind": "member",
        "relation": "family",
        "ring": "inner",
        "support": "emotional;practical",
        "reciprocity": "mutual",
        "frequency": "daily",
    }
    assert back.nodes["m2"]["partner_id"] == "p-1"
    assert back.edges["person", "m2"]["weight"] == pytest.approx(1 / 3, abs=1e-6)


@pytest.mark.parametrize(("write", "read"), FORMATS)
def test_a_pool_network_reads_back_identically(
    write: Callable[[nx.Graph], str], read: Callable[[str], nx.Graph]
) -> None:
    graph = pool_graph()
    back = read(write(graph))
    same(back, exports.portable(graph))
    assert back.nodes["anon-1f"]["named"] is False
    assert back.nodes["anon-1f"]["label"] == "anon-1f"  # a key, not a name
    assert back.nodes["p-2"]["degree"] == 0
    assert back.edges["p-1", "anon-1f"]["sources"] == "activity;acquaintance"


def test_drawings_are_self_contained_and_described() -> None:
    svg = drawing.eco_map("Aino", MEMBERS, "en")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<title id="title">Eco-map: Aino</title>' in svg
    assert "Äiti &lt;Aino&gt; &amp; co: family, inner ring, mutual" in svg
    assert "href" not in svg.replace("url(#arrow)", "") and "http://" not in svg.replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert svg.count('r="13"') == 2  # one circle per member
    fi = drawing.sociogram(pool_graph(), ["Verkostossa on 4 toimijaa."], "fi")
    assert '<title id="title">Verkostokartta</title>' in fi
    assert "Kuoro" in fi and "anon-1f" not in fi
