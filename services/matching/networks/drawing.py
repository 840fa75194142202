"""Drawings as plain SVG text: the eco-map (the person in the middle, three rings, members
by relation in six sectors) and the sociogram of the pool network (groups on a circle).
Each has a title and a description for screen readers, and needs nothing from outside."""

import math
from xml.sax.saxutils import escape

import networkx as nx

from services.matching.networks.models import Relation, Ring
from services.matching.networks.schemas import Member

SIZE = 720
CENTRE = SIZE / 2
RADIUS = {Ring.inner: 120.0, Ring.middle: 210.0, Ring.outer: 300.0}
COLOURS = {
    Relation.family: "#b2182b",
    Relation.friend: "#ef8a62",
    Relation.neighbour: "#7a5195",
    Relation.staff: "#2166ac",
    Relation.community: "#1b7837",
    Relation.work_school: "#8c6d1f",
}
STROKE = {"daily": 4.0, "weekly": 3.0, "monthly": 2.0, "yearly": 1.5, "rarely": 1.0}
WORDS = {
    "fi": {
        "eco_map": "Ekokartta",
        "sociogram": "Verkostokartta",
        Relation.family: "perhe ja suku",
        Relation.friend: "ystävät",
        Relation.neighbour: "naapurit",
        Relation.staff: "henkilöstö ja ammattilaiset",
        Relation.community: "yhteisö ja järjestöt",
        Relation.work_school: "työ ja koulu",
        Ring.inner: "lähin kehä",
        Ring.middle: "keskimmäinen kehä",
        Ring.outer: "uloin kehä",
        "mutual": "molemminpuolinen",
        "gives": "antaa tukea",
        "receives": "saa tukea",
        "partner": "kumppani",
        "support_user": "tuettava",
        "staff": "työntekijä",
        "strong": "vahva suhde",
        "weak": "heikko suhde",
    },
    "en": {
        "eco_map": "Eco-map",
        "sociogram": "Network map",
        Relation.family: "family",
        Relation.friend: "friends",
        Relation.neighbour: "neighbours",
        Relation.staff: "staff and professionals",
        Relation.community: "community",
        Relation.work_school: "work and school",
        Ring.inner: "inner ring",
        Ring.middle: "middle ring",
        Ring.outer: "outer ring",
        "mutual": "mutual",
        "gives": "gives support",
        "receives": "receives support",
        "partner": "partner",
        "support_user": "support user",
        "staff": "staff member",
        "strong": "strong tie",
        "weak": "weak tie",
    },
}
KIND_COLOURS = {"partner": "#1b7837", "support_user": "#b2182b", "staff": "#2166ac"}
MOST_NODES = 400  # larger networks are drawn with their best-connected nodes
LABELLED_NODES = 120


def _open(title: str, description: str, height: float = SIZE) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {height:.0f}"'
        f' width="{SIZE}" height="{height:.0f}" role="img" aria-labelledby="title desc"'
        ' font-family="sans-serif">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(description)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]


def eco_map(name: str, members: list[Member], lang: str = "fi") -> str:
    words = WORDS[lang]
    lines = [
        f"{m.name}: {words[m.relation]}, {words[m.ring]}, {words[m.reciprocity.value]}"
        for m in members
    ]
    description = f"{name} ({len(members)}). " + "; ".join(lines) + ("." if lines else "")
    svg = _open(f"{words['eco_map']}: {name}", description, SIZE + 90)
    svg.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5"'
        ' markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>'
    )
    for ring in Ring:
        svg.append(
            f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{RADIUS[ring]}" fill="none"'
            ' stroke="#bbbbbb" stroke-dasharray="4 4">'
            f"<title>{escape(words[ring])}</title></circle>"
        )
    relations = list(Relation)
    sector = 2 * math.pi / len(relations)
    placed: list[tuple[Member, float, float]] = []
    for s, relation in enumerate(relations):
        for ring in Ring:
            group = [m for m in members if m.relation == relation and m.ring == ring]
            for i, m in enumerate(group):
                angle = -math.pi / 2 + sector * (s + (i + 1) / (len(group) + 1))
                x = CENTRE + RADIUS[ring] * math.cos(angle)
                y = CENTRE + RADIUS[ring] * math.sin(angle)
                placed.append((m, x, y))
    for m, x, y in placed:
        markers = {
            "gives": ' marker-end="url(#arrow)"',  # towards the person
            "receives": ' marker-start="url(#arrow)"',  # towards the member
        }.get(m.reciprocity.value, "")
        svg.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{CENTRE}" y2="{CENTRE}" stroke="#444"'
            f' stroke-width="{STROKE[m.frequency.value]}"{markers}/>'
        )
    svg.append(
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="26" fill="#333333"/>'
        f'<text x="{CENTRE}" y="{CENTRE + 44}" text-anchor="middle" font-size="15"'
        f' font-weight="bold">{escape(name)}</text>'
    )
    for m, x, y in placed:
        title = f"{m.name}: {words[m.relation]}, {words[m.ring]}, {words[m.reciprocity.value]}"
        svg.append(
            f"<g><title>{escape(title)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="13" fill="{COLOURS[m.relation]}"'
            ' stroke="#ffffff" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 28:.1f}" text-anchor="middle" font-size="12">'
            f"{escape(m.name)}</text></g>"
        )
    for i, relation in enumerate(relations):
        x = 20 + (i % 3) * 230
        y = SIZE + 25 + (i // 3) * 30
        svg.append(
            f'<circle cx="{x}" cy="{y}" r="8" fill="{COLOURS[relation]}"/>'
            f'<text x="{x + 14}" y="{y + 4}" font-size="13">{escape(words[relation])}</text>'
        )
    svg.append("</svg>")
    return "\n".join(svg)


def _layout(graph: nx.Graph) -> dict[object, tuple[float, float]]:
    """Each community on its own small circle, the communities around a large one, the
    largest first; deterministic and linear, with no numerical libraries."""
    groups: dict[int, list[object]] = {}
    for node, community in graph.nodes(data="community"):
        groups.setdefault(int(community or 0), []).append(node)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), str(g[0])))
    weights = [math.sqrt(len(g)) for g in ordered]
    total = sum(weights) or 1.0
    positions: dict[object, tuple[float, float]] = {}
    angle = -math.pi / 2
    big = (SIZE / 2 - 60) if len(ordered) > 1 else 0.0
    for group, weight in zip(ordered, weights, strict=True):
        span = 2 * math.pi * weight / total
        middle = angle + span / 2
        angle += span
        cx = CENTRE + big * math.cos(middle)
        cy = CENTRE + big * math.sin(middle)
        small = min(SIZE / 2 - 40, 8 + 9 * weight)
        if len(ordered) > 1:
            small = min(small, max(12.0, big * math.sin(min(span / 2, math.pi / 2)) * 0.8))
        for i, node in enumerate(sorted(group, key=str)):
            theta = 2 * math.pi * i / len(group)
            r = small if len(group) > 1 else 0.0
            positions[node] = (cx + r * math.cos(theta), cy + r * math.sin(theta))
    return positions


def sociogram(graph: nx.Graph, summary: list[str], lang: str = "fi") -> str:
    """The pool network; nodes carry kind, label, named, degree and community. Only named
    nodes get a visible label."""
    words = WORDS[lang]
    shown = graph
    note = ""
    if graph.number_of_nodes() > MOST_NODES:
        keep = sorted(graph, key=lambda n: (-graph.degree(n), str(n)))[:MOST_NODES]
        shown = graph.subgraph(keep)
        note = (
            f" Kuvassa {MOST_NODES} eniten yhteyksiä omaavaa {graph.number_of_nodes()} toimijasta."
            if lang == "fi"
            else f" Showing the {MOST_NODES} best-connected of {graph.number_of_nodes()} members."
        )
    svg = _open(words["sociogram"], " ".join(summary) + note, SIZE + 40)
    positions = _layout(shown)
    for a, b, strength in shown.edges(data="strength"):
        (x1, y1), (x2, y2) = positions[a], positions[b]
        style = (
            'stroke="#333" stroke-width="2"'
            if strength == "strong"
            else 'stroke="#999" stroke-width="1" stroke-dasharray="3 3"'
        )
        svg.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {style}/>')
    labelled = shown.number_of_nodes() <= LABELLED_NODES
    for node, a in shown.nodes(data=True):
        x, y = positions[node]
        name = a["label"] if a.get("named") and a.get("label") else words[a["kind"]]
        r = 4 + min(8.0, math.sqrt(a.get("degree") or 0) * 2)
        text = (
            f'<text x="{x:.1f}" y="{y + r + 12:.1f}" text-anchor="middle" font-size="11">'
            f"{escape(name)}</text>"
            if labelled and a.get("named")
            else ""
        )
        svg.append(
            f"<g><title>{escape(name)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{KIND_COLOURS[a["kind"]]}"'
            f' stroke="#ffffff"/>{text}</g>'
        )
    for i, kind in enumerate(("partner", "support_user", "staff")):
        x = 20 + i * 180
        svg.append(
            f'<circle cx="{x}" cy="{SIZE + 15}" r="7" fill="{KIND_COLOURS[kind]}"/>'
            f'<text x="{x + 12}" y="{SIZE + 19}" font-size="13">{escape(words[kind])}</text>'
        )
    svg.append("</svg>")
    return "\n".join(svg)
