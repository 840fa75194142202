"""Network files for other tools: GraphML, GEXF and node-link JSON, written by networkx.
Attributes are kept to what every format holds (text, numbers, booleans): a list becomes
text joined with ";", and a missing value is left out. GEXF gives every node a label and
every edge an id, so all three formats carry them (an unnamed node's label is its key), and
each reads back into networkx as the same graph."""

import io
import json
from typing import Any

import networkx as nx

from services.matching.networks.schemas import Member
from services.matching.networks.snapshots import RING_WEIGHT

CENTRE = "person"


def _plain(attributes: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for name, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            value = ";".join(str(v) for v in value)
        elif hasattr(value, "value"):  # an enum
            value = value.value
        plain[name] = value
    return plain


def portable(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` with attributes every format can hold."""
    copy = nx.Graph()
    for node, attributes in graph.nodes(data=True):
        plain = _plain(attributes)
        plain.setdefault("label", str(node))
        copy.add_node(str(node), **plain)
    for i, (a, b, attributes) in enumerate(graph.edges(data=True)):
        copy.add_edge(str(a), str(b), **{**_plain(attributes), "id": f"e{i}"})
    return copy


def eco_map_graph(name: str, members: list[Member]) -> nx.Graph:
    """The person in the middle, a tie to each member; the member's attributes on its node,
    the closeness of the tie (ring weight) on the edge."""
    graph = nx.Graph()
    graph.add_node(CENTRE, label=name, kind="person")
    for m in members:
        graph.add_node(
            m.id,
            label=m.name,
            kind="member",
            relation=m.relation.value,
            ring=m.ring.value,
            support=[s.value for s in m.support],
            reciprocity=m.reciprocity.value,
            frequency=m.frequency.value,
            partner_id=m.partner_id,
        )
        graph.add_edge(
            CENTRE,
            m.id,
            ring=m.ring.value,
            weight=round(RING_WEIGHT[m.ring.value], 6),
            reciprocity=m.reciprocity.value,
            frequency=m.frequency.value,
        )
    return graph


def graphml(graph: nx.Graph) -> str:
    out = io.BytesIO()
    nx.write_graphml(portable(graph), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def gexf(graph: nx.Graph) -> str:
    out = io.BytesIO()
    nx.write_gexf(portable(graph), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def node_link(graph: nx.Graph) -> str:
    data = nx.node_link_data(portable(graph), edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1)
