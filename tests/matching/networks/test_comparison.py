"""Two crafted states of an eco-map compared: exact metrics, the ties added, lost and moved,
and the sentences in both languages."""

from typing import Any

import pytest

from services.matching.networks.schemas import Member
from services.matching.networks.snapshots import compare, metrics


def member(id: str, name: str, relation: str, ring: str, reciprocity: str, **kw: Any) -> Member:
    return Member(id=id, name=name, relation=relation, ring=ring, reciprocity=reciprocity, **kw)  # type: ignore[arg-type]


BEFORE = [
    member("1", "Anna", "family", "inner", "mutual", support=["emotional", "company"]),
    member("2", "Ben", "staff", "inner", "gives", support=["practical"]),
    member("3", "Cecilia", "staff", "middle", "gives"),
    member("4", "Daniel", "friend", "outer", "mutual"),
]
AFTER = [
    member("1", "Anna", "family", "inner", "mutual", support=["emotional", "company"]),
    member("2", "Ben", "staff", "middle", "gives", support=["practical"]),
    # removed and added again: the same tie, now closer
    member("9", "daniel", "friend", "middle", "mutual"),
    member("5", "Eeva", "community", "middle", "mutual", support=["company"]),
    member("6", "Fredrik", "neighbour", "outer", "receives"),
]


def test_metrics_of_each_side() -> None:
    before = metrics(BEFORE)
    assert before.size == 4
    assert before.by_relation == {
        "family": 1,
        "friend": 1,
        "neighbour": 0,
        "staff": 2,
        "community": 0,
        "work_school": 0,
    }
    assert before.by_ring == {"inner": 2, "middle": 1, "outer": 1}
    assert before.by_support == {"company": 1, "practical": 1, "advice": 0, "emotional": 1}
    assert before.sector_diversity == 3
    assert before.sector_entropy == 1.5
    assert (before.paid_share, before.unpaid_share) == (0.5, 0.5)
    assert before.density == 0.75  # (1 + 1 + 2/3 + 1/3) / 4
    assert before.reciprocity == 0.5
    after = metrics(AFTER)
    assert after.size == 5
    assert after.sector_diversity == 5
    assert after.sector_entropy == pytest.approx(2.322)
    assert (after.paid_share, after.unpaid_share) == (0.2, 0.8)
    assert after.density == 0.667  # (1 + 3 * 2/3 + 1/3) / 5
    assert after.reciprocity == 0.6
    assert after.by_ring == {"inner": 1, "middle": 3, "outer": 1}


def test_an_empty_eco_map_has_zero_metrics() -> None:
    empty = metrics([])
    assert (empty.size, empty.paid_share, empty.unpaid_share, empty.density) == (0, 0, 0, 0)
    assert empty.sector_diversity == 0 and empty.sector_entropy == 0


def test_two_snapshots_compared_in_numbers_and_words() -> None:
    result = compare(BEFORE, AFTER)
    assert result.added == ["Eeva", "Fredrik"]
    assert result.lost == ["Cecilia"]
    assert [(c.name, c.from_ring.value, c.to_ring.value) for c in result.changed] == [
        ("Ben", "inner", "middle"),
        ("daniel", "outer", "middle"),
    ]
    assert result.summary.en == [
        "The network grew from 4 to 5 people.",
        "New ties: Eeva and Fredrik.",
        "Ties lost: Cecilia.",
        "Grew closer: daniel.",
        "Drifted further: Ben.",
        "Ties now come from 5 areas of life (before 3).",
        "Paid staff make up 20% of the ties (before 50%).",
        "60% of the ties are mutual (before 50%).",
    ]
    assert result.summary.fi == [
        "Verkosto kasvoi 4 henkilöstä 5 henkilöön.",
        "Uusia suhteita: Eeva ja Fredrik.",
        "Pois jääneet suhteet: Cecilia.",
        "Läheisemmiksi tulivat: daniel.",
        "Etäisemmiksi jäivät: Ben.",
        "Suhteita on nyt 5 elämänalueelta (ennen 3).",
        "Palkatun henkilöstön osuus suhteista on 20 % (ennen 50 %).",
        "Molemminpuolisia suhteita on 60 % (ennen 50 %).",
    ]


def test_an_unchanged_eco_map_says_so() -> None:
    result = compare(BEFORE, BEFORE)
    assert (result.added, result.lost, result.changed) == ([], [], [])
    assert result.summary.en == ["The network still has 4 people."]
    assert result.summary.fi == ["Verkostossa on yhä 4 henkilöä."]


def test_counted_words_agree_with_their_number_in_both_languages() -> None:
    one = [member("1", "Anna", "family", "inner", "mutual")]
    two = [*one, member("2", "Ben", "friend", "outer", "mutual")]
    same = compare(one, one)
    assert same.summary.en == ["The network still has 1 person."]
    assert same.summary.fi == ["Verkostossa on yhä 1 henkilö."]
    shrank = compare(two, one).summary
    assert shrank.en[0] == "The network shrank from 2 to 1 person."
    assert shrank.fi[0] == "Verkosto pieneni 2 henkilöstä 1 henkilöön."
    grew = compare(one, two).summary
    assert grew.en[0] == "The network grew from 1 to 2 people."
    assert "Ties now come from 2 areas of life (before 1)." in grew.en
    lone = [member("1", "Anna", "staff", "inner", "gives")]
    assert "Ties now come from 1 area of life (before 2)." in compare(two, lone).summary.en
