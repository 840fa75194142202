"""What the routes call for whole networks: the analysed pool network, and the files and
drawings of an eco-map and of the pool network."""

from dataclasses import dataclass
from enum import StrEnum

import networkx as nx
from sqlalchemy.orm import Session

from services.matching.networks import drawing, exports, pool, report, snapshots
from services.matching.networks.schemas import PoolNetwork
from services.matching.runtime import Matching
from services.matching.support_users import service as support_users
from shared.auth import Principal


class Format(StrEnum):
    svg = "svg"
    graphml = "graphml"
    gexf = "gexf"
    json = "json"


MEDIA_TYPES = {
    Format.svg: "image/svg+xml; charset=utf-8",
    Format.graphml: "application/graphml+xml; charset=utf-8",
    Format.gexf: "application/gexf+xml; charset=utf-8",
    Format.json: "application/json; charset=utf-8",
}


@dataclass
class Download:
    content: str
    media_type: str
    filename: str


def pool_network(
    session: Session, matching: Matching, principal: Principal, lang: str
) -> PoolNetwork:
    graph = pool.build(session, matching, principal)
    return report.pool_network(graph, report.analysed(graph), lang)


def pool_download(
    session: Session, matching: Matching, principal: Principal, fmt: Format, lang: str
) -> Download:
    graph = pool.build(session, matching, principal)
    result = report.analysed(graph)
    network = report.pool_network(graph, result, lang)
    for _, attributes in graph.nodes(data=True):
        if not attributes["named"]:
            attributes["label"] = None  # an unnamed node's file label is its key
    if fmt == Format.svg:
        content = drawing.sociogram(graph, getattr(network.summary, lang), lang)
    else:
        content = _file(graph, fmt)
    return Download(content, MEDIA_TYPES[fmt], f"pool-network.{fmt.value}")


def eco_map_download(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    fmt: Format,
    lang: str,
    snapshot: str | None,
) -> Download:
    person = support_users.find(session, principal, support_user_id)
    members = snapshots.members_at(
        session, matching, person, snapshot or snapshots.CURRENT, "snapshot"
    )
    name = support_users.profile(session, matching, person).name
    if fmt == Format.svg:
        content = drawing.eco_map(name, members, lang)
    else:
        content = _file(exports.eco_map_graph(name, members), fmt)
    suffix = f"-{snapshot}" if snapshot and snapshot != snapshots.CURRENT else ""
    return Download(content, MEDIA_TYPES[fmt], f"eco-map-{person.id}{suffix}.{fmt.value}")


def _file(graph: nx.Graph, fmt: Format) -> str:
    writers = {
        Format.graphml: exports.graphml,
        Format.gexf: exports.gexf,
        Format.json: exports.node_link,
    }
    return writers[fmt](graph)
