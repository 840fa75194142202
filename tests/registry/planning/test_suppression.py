"""Cell suppression on its own: small counts hidden, enough others hidden with them that
no hidden count can be worked out from what is published and the totals — proved by an
attacker that solves the published sums exactly, and by a twin table for every hidden
count that publishes the same figures with that count different."""

import random

import pytest

from services.registry.planning.suppression import TOTAL, Key, Published, extended, protect
from tests.registry.planning.attack import derivable, lines, narrowed, twin

ROWS = ("00100", "00120", "00130", "00150")
COLUMNS = ("A", "B", "C")


def random_table(seed: int, rows: int, columns: int, mean: float) -> dict[Key, int]:
    rng = random.Random(seed)
    table = {}
    for r in range(rows):
        for c in range(columns):
            # mostly small counts, some zeros, a few large ones
            value = int(rng.expovariate(1 / mean)) if rng.random() < 0.7 else 0
            if value:
                table[(f"{r:05d}", f"C{c:03d}")] = value
    return table


def axes(table: dict[Key, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = tuple(sorted({r for r, _ in table} | {"99999"}))  # one empty district too
    columns = tuple(sorted({c for _, c in table}))
    return rows, columns


def assert_protected(table: dict[Key, int], published: Published) -> None:
    values = extended(table, published.rows, published.columns)
    suppressed = set(published.suppressed)
    # Primary: every count below k is hidden, margins included; zeros never are.
    assert {key for key, value in values.items() if value < published.k} <= suppressed
    assert all(values[key] > 0 for key in suppressed)
    # What is published is true.
    for key, value in published.entries.items():
        assert value is None or value == values[key]
    # The attacker, with the published figures only, works out nothing hidden.
    assert derivable(published.rows, published.columns, published.entries) == {}
    # Nor when it also uses that a hidden count is at least 1 (a zero is published).
    assert narrowed(published.rows, published.columns, published.entries) == {}
    # And for every hidden count there is another table publishing the same figures.
    for key in suppressed:
        other = twin(values, suppressed, key)
        assert other is not None, f"{key} is pinned"
        assert other[key] != values[key]
        assert all(other[k] >= 1 for k in suppressed)
        for line in lines(published.rows, published.columns):
            assert sum(sign * other.get(k, 0) for k, sign in line) == 0
        for shown, value in published.entries.items():
            if value is not None:
                assert other[shown] == value


def test_a_small_count_is_hidden_with_enough_others_that_no_total_gives_it_away() -> None:
    table = {
        ("00100", "A"): 3,
        ("00100", "B"): 12,
        ("00100", "C"): 9,
        ("00120", "A"): 8,
        ("00120", "B"): 7,
        ("00120", "C"): 20,
        ("00130", "A"): 11,
        ("00130", "B"): 6,
        ("00150", "C"): 30,
    }
    published = protect(table, ROWS, COLUMNS, 5)
    assert published.get("00100", "A") is None
    # Alone it would be row total − the rest; so a second count in its row and its column
    # is hidden, and the table is closed into a cycle.
    hidden = published.suppressed
    assert sum(1 for r, _ in hidden if r == "00100") >= 2
    assert sum(1 for _, c in hidden if c == "A") >= 2
    # Totals are published when safe: the grand total is large and stays.
    assert published.get(TOTAL, TOTAL) == 106
    assert published.get("00150", "C") == 30
    # A district without anything is a published zero.
    assert published.get("00150", "A") == 0
    assert_protected(table, published)


def test_a_small_total_is_hidden_too_and_protected_like_a_cell() -> None:
    table = {("00100", "A"): 2, ("00100", "B"): 1, ("00120", "A"): 40, ("00120", "B"): 50}
    published = protect(table, ROWS, ("A", "B"), 5)
    assert published.get("00100", TOTAL) is None  # 3 people in the whole district
    assert published.get(TOTAL, TOTAL) == 93
    assert_protected(table, published)


def test_two_hidden_counts_in_every_line_are_not_enough_when_one_is_a_bridge() -> None:
    """Every line here ends up with two or more hidden entries after the greedy step, yet
    the 2 in 00100/B joins two otherwise separate groups of hidden entries, so the totals
    still give it away; one more hidden entry closes it into a cycle."""
    table = {
        ("00100", "A"): 6,
        ("00100", "B"): 2,
        ("00120", "A"): 20,
        ("00120", "B"): 9,
        ("00120", "C"): 1,
        ("00130", "A"): 2,
    }
    rows, columns = ("00100", "00120", "00130"), ("A", "B", "C")
    published = protect(table, rows, columns, 5)
    assert_protected(table, published)
    joining = ("00120", "A")
    assert published.get(*joining) is None
    without = dict(published.entries) | {joining: 20}
    assert derivable(rows, columns, without) == {("00100", "B"): 2}


def test_two_ones_in_a_line_are_not_hidden_by_each_other() -> None:
    """Two hidden 1s in a row whose total is published add up to 2, and as neither can be
    0 (a zero is published as one), both are 1. Hiding the rows' totals too lets them
    move."""
    table = {
        ("a", "A"): 1,
        ("a", "B"): 1,
        ("a", "C"): 10,
        ("b", "A"): 9,
        ("b", "B"): 8,
        ("b", "C"): 12,
        ("c", "A"): 7,
        ("c", "B"): 6,
    }
    rows, columns = ("a", "b", "c"), ("A", "B", "C")
    published = protect(table, rows, columns, 5)
    assert_protected(table, published)
    assert {("a", TOTAL), ("c", TOTAL)} <= published.suppressed
    # Without those two, every line has two hidden entries on a cycle, and the exact
    # solver finds nothing; the bounds give all four away.
    values = extended(table, rows, columns)
    weaker = dict(published.entries) | {key: values[key] for key in [("a", TOTAL), ("c", TOTAL)]}
    assert derivable(rows, columns, weaker) == {}
    assert narrowed(rows, columns, weaker) == {
        ("a", "A"): (1, 1),
        ("a", "B"): (1, 1),
        ("c", "A"): (7, 7),
        ("c", "B"): (6, 6),
    }
    hidden = {key for key, value in weaker.items() if value is None}
    assert twin(values, hidden, ("a", "A")) is None


def test_the_attacker_finds_a_count_that_only_primary_suppression_left_open() -> None:
    """The attacker is real: given a table where only the small cell is hidden, it solves
    the cell from its row total."""
    table = {("00100", "A"): 3, ("00100", "B"): 12, ("00120", "A"): 8, ("00120", "B"): 7}
    values = extended(table, ROWS, ("A", "B"))
    naive = {key: (None if value < 5 else value) for key, value in values.items()}
    assert derivable(ROWS, ("A", "B"), naive) == {("00100", "A"): 3}


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [5, 8])
def test_random_tables_are_protected(seed: int, k: int) -> None:
    table = random_table(seed, rows=14, columns=9, mean=6)
    rows, columns = axes(table)
    assert_protected(table, protect(table, rows, columns, k))


@pytest.mark.parametrize("seed", range(6))
def test_sparse_tables_with_mostly_small_counts_are_protected(seed: int) -> None:
    table = random_table(100 + seed, rows=20, columns=12, mean=1.5)
    rows, columns = axes(table)
    assert_protected(table, protect(table, rows, columns, 5))


@pytest.mark.parametrize("seed", range(6))
def test_a_larger_k_hides_a_superset_and_together_they_reveal_nothing(seed: int) -> None:
    table = random_table(200 + seed, rows=12, columns=8, mean=7)
    rows, columns = axes(table)
    base = protect(table, rows, columns, 5)
    larger = protect(table, rows, columns, 9, also=base.suppressed)
    assert base.suppressed <= larger.suppressed
    assert_protected(table, larger)
    # Both views together: what the larger one publishes, the base one already did.
    together = {
        key: (base.entries[key] if base.entries[key] is not None else larger.entries[key])
        for key in base.entries
    }
    assert derivable(rows, columns, together) == {}


@pytest.mark.parametrize("seed", range(0, 400, 4))
def test_tiny_tables_of_ones_and_twos_are_protected(seed: int) -> None:
    """A district or two with a handful of wishes, a single wish, a table of 1s: the cases
    where the bounds bite hardest."""
    rng = random.Random(seed)
    rows = tuple(f"0{n}100" for n in range(rng.randint(1, 4)))
    columns = tuple(f"P{n}" for n in range(rng.randint(1, 4)))
    table = {
        (r, c): rng.choice([1, 1, 1, 2, 3, 6, 12])
        for r in rows
        for c in columns
        if rng.random() < 0.6
    }
    assert_protected(table, protect(table, rows, columns, 5))


def test_the_same_table_is_always_protected_the_same_way() -> None:
    table = random_table(7, rows=10, columns=10, mean=4)
    rows, columns = axes(table)
    first = protect(table, rows, columns, 5)
    assert all(protect(table, rows, columns, 5) == first for _ in range(3))


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        protect({}, ROWS, COLUMNS, 0)
