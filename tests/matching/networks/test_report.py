"""What the pool network's analysis says in words: counted words agree with their number in
Finnish and in English (one member, one tie, one group, one person cut off)."""

import networkx as nx

from services.matching.networks import analysis, report


def small_network() -> nx.Graph:
    """Two partners tied once, and a staff member without ties."""
    graph = nx.Graph()
    people = (("a", "partner", "Aalto"), ("b", "partner", "Berg"), ("c", "staff", ""))
    for key, kind, label in people:
        graph.add_node(key, kind=kind, label=label, named=bool(label), own=True)
    graph.add_edge("a", "b", strength="strong", sources=["activity"])
    return graph


def test_one_of_each_is_said_in_the_singular() -> None:
    graph = small_network()
    result = report.pool_network(graph, analysis.analyse(graph), "en")
    assert result.summary.en[:3] == [
        "The network has 3 members and 1 tie: 1 strong and 0 weak.",
        "It falls into 1 group.",
        "1 member has no ties in the network yet.",
    ]
    assert result.summary.fi[:3] == [
        "Verkostossa on 3 toimijaa ja 1 suhde: vahvoja 1, heikkoja 0.",
        "Verkosto jakautuu 1 ryhmään.",
        "1 toimijalla ei ole vielä yhtään suhdetta verkostossa.",
    ]
    assert result.summary.en[-1].endswith("losing it would cut off 1 person.")
    assert result.summary.fi[-1].endswith("sen katketessa 1 henkilö jäisi erilleen.")
    [sharing] = result.findings.information_sharing
    assert sharing.reason.endswith("if it were lost, 1 person would be cut off from the rest.")
    finnish = report.pool_network(small_network(), analysis.analyse(graph), "fi")
    assert finnish.findings.information_sharing[0].reason.endswith(
        "sen katketessa 1 henkilö jäisi erilleen muista."
    )


def test_more_than_one_is_said_in_the_plural() -> None:
    graph = small_network()
    graph.add_node("d", kind="partner", label="Dahl", named=True, own=True)
    graph.add_edge("b", "d", strength="weak", sources=["activity"])
    graph.add_node("e", kind="partner", label="Ek", named=True, own=True)
    result = report.pool_network(graph, analysis.analyse(graph), "en")
    assert result.summary.en[0] == "The network has 5 members and 2 ties: 1 strong and 1 weak."
    assert result.summary.fi[0] == (
        "Verkostossa on 5 toimijaa ja 2 suhdetta: vahvoja 1, heikkoja 1."
    )
    assert "2 members have no ties in the network yet." in result.summary.en
