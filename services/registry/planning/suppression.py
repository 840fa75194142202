"""Cell suppression for a two-way table of counts (districts × categories) published with
its margins: which entries may be shown so that no small count, and no suppressed count,
can be told from what is shown.

The table is taken with its margins as one *extended* table: the district totals are one
more column (``TOTAL``), the category totals one more row, the grand total their corner.
Every row and every column of the extended table is a *line*, and in each line the inner
entries add up to the margin entry. Whatever is published, a reader also knows these sums.

1. **Primary suppression.** Every entry, margins included, with ``0 < value < k``.
2. **Complementary suppression** (greedy). While some line holds exactly one suppressed
   entry, that entry would be its margin minus the published rest; so one more entry of
   the line is suppressed: a non-zero one, preferring an entry whose crossing line already
   holds a suppressed entry (so that no new line is opened), then the smallest value.
3. **Cycles.** Step 2 leaves no line with a single suppressed entry, which is necessary
   but not enough: draw the lines as nodes and the suppressed entries as edges between
   their row and column (a bipartite graph). An entry can be worked out exactly from the
   published entries and the sums if and only if its edge lies on no cycle — it is a
   *bridge*. For each bridge, one more entry is suppressed that joins the two sides the
   bridge separates (the smallest non-zero one), which puts the bridge on a cycle; if no
   such entry is non-zero, the rows' totals at both ends are suppressed instead.
4. **Bounds.** A reader also knows that a suppressed count is at least 1 (zeros are
   published). Two hidden 1s in a row with a published total add up to 2, so both are 1,
   though they lie on a cycle. So every suppressed entry must lie on a cycle along which
   the counts can step by +1, -1, +1, ... (or the other way round) with every hidden
   count staying at least 1. An entry without one gets the cheapest rectangle of three
   more non-zero entries that gives it one (a published entry is at least k, so it can
   always step).

Only non-zero entries are ever suppressed. After step 4 every suppressed count can be
changed by one in a table of counts that publishes exactly the same figures: none can be
worked out exactly from one table, not even with the bounds.

``protect(..., also=...)`` starts from entries that must stay suppressed, which is how a
larger k is protected on top of the default k's pattern: everything published at the
larger k is then also published at the default k, so asking for both reveals nothing the
default does not."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TOTAL = "*"
Key = tuple[str, str]  # (row, column); TOTAL in either place is a margin


@dataclass(frozen=True)
class Published:
    """What may be shown of a protected table: every non-zero entry (margins included) with
    its value, or None where it is suppressed. Entries not listed are zero."""

    k: int
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    entries: Mapping[Key, int | None]

    def get(self, row: str, column: str) -> int | None:
        return self.entries.get((row, column), 0)

    @property
    def suppressed(self) -> frozenset[Key]:
        return frozenset(key for key, value in self.entries.items() if value is None)


def extended(
    counts: Mapping[Key, int], rows: Sequence[str], columns: Sequence[str]
) -> dict[Key, int]:
    """The non-zero entries of the table and of its margins (true values). Counts outside
    ``rows`` × ``columns`` are left out."""
    row_set, column_set = set(rows), set(columns)
    values: dict[Key, int] = {}
    row_totals: dict[str, int] = defaultdict(int)
    column_totals: dict[str, int] = defaultdict(int)
    for (row, column), value in counts.items():
        if value and row in row_set and column in column_set:
            values[(row, column)] = value
            row_totals[row] += value
            column_totals[column] += value
    values.update({(row, TOTAL): total for row, total in row_totals.items()})
    values.update({(TOTAL, column): total for column, total in column_totals.items()})
    grand = sum(row_totals.values())
    if grand:
        values[(TOTAL, TOTAL)] = grand
    return values


def protect(
    counts: Mapping[Key, int],
    rows: Sequence[str],
    columns: Sequence[str],
    k: int,
    *,
    also: Iterable[Key] = (),
) -> Published:
    """The table of ``counts`` over ``rows`` × ``columns`` with its margins, protected at
    ``k`` (see the module's description); ``also`` are entries suppressed in any case."""
    if k < 1:
        raise ValueError("k must be at least 1")
    values = extended(counts, rows, columns)
    suppressed = {key for key, value in values.items() if value < k}
    suppressed |= {key for key in also if key in values}
    _Protector(values, suppressed).run()
    return Published(
        k=k,
        rows=tuple(rows),
        columns=tuple(columns),
        entries={key: (None if key in suppressed else value) for key, value in values.items()},
    )


class _Protector:
    """Steps 2 to 4 on a set of suppressed entries, which it grows in place."""

    def __init__(self, values: dict[Key, int], suppressed: set[Key]) -> None:
        self.values = values
        self.suppressed = suppressed
        # Per line, its non-zero entries (value, key) and its suppressed entries. A line
        # is ("r", row) or ("c", column).
        self.non_zero: dict[tuple[str, str], list[tuple[int, Key]]] = defaultdict(list)
        for key, value in values.items():
            self.non_zero[("r", key[0])].append((value, key))
            self.non_zero[("c", key[1])].append((value, key))
        self.held: dict[tuple[str, str], set[Key]] = defaultdict(set)
        # Per line and step, its suppressed entries that can take that step (step 4).
        self.fitting: dict[tuple[tuple[str, str], int], list[Key]] = {}
        for key in suppressed:
            self._hold(key)

    def _hold(self, key: Key) -> None:
        self.suppressed.add(key)
        for line in _lines(key):
            self.held[line].add(key)
            self.fitting.pop((line, 1), None)
            self.fitting.pop((line, -1), None)

    def run(self) -> None:
        self._complement(list(self.non_zero))
        while self._join_a_bridge():
            pass
        for key in sorted(self.suppressed):
            if not self._movable(key):
                self._rectangle(key)

    # --- step 2: no line with a single suppressed entry ----------------------------------

    def _complement(self, lines: list[tuple[str, str]]) -> None:
        pending = sorted(set(lines), reverse=True)
        while pending:
            line = pending.pop()
            if len(self.held[line]) != 1:
                continue
            (alone,) = self.held[line]
            choice = min(
                (
                    (0 if self.held[_crossing(key, line)] else 1, value, key)
                    for value, key in self.non_zero[line]
                    if key not in self.suppressed
                ),
                default=None,
            )
            if choice is None:  # cannot happen: the line's sum makes another entry non-zero
                raise AssertionError(f"no complement for {alone} in {line}")
            key = choice[2]
            self._hold(key)
            pending.append(_crossing(key, line))

    # --- step 3: no suppressed entry off every cycle --------------------------------------

    def _join_a_bridge(self) -> bool:
        bridges = _bridges(self.suppressed)
        if not bridges:
            return False
        row, column = min(bridges)
        rows_a, columns_a = _side(self.suppressed, ("r", row), without=(row, column))
        rows_b, columns_b = _side(self.suppressed, ("c", column), without=(row, column))
        candidates = [
            (self.values[key], key)
            for key in (
                *((r, c) for r in rows_a for c in columns_b),
                *((r, c) for r in rows_b for c in columns_a),
            )
            if key in self.values and key not in self.suppressed
        ]
        if candidates:
            self._hold(min(candidates)[1])
        else:
            # Through the totals column, which is on neither side: both rows' totals are
            # non-zero, as each row holds a suppressed (so non-zero) entry.
            other = min(rows_b)
            self._hold((row, TOTAL))
            self._hold((other, TOTAL))
            self._complement([("c", TOTAL)])
        return True

    # --- step 4: every hidden count can move and stay a count of at least 1 --------------

    def _fits(self, key: Key, sign: int) -> bool:
        """Whether the entry can take a step of ``sign`` along a cycle and stay at least 1.
        On a cycle, inner entries alternate +1/-1; a margin moves against an inner entry
        in its position, as a line's inner entries add up to it."""
        return self.values[key] >= 2 or _step(key, sign) > 0

    def _fitting(self, line: tuple[str, str], sign: int) -> list[Key]:
        found = self.fitting.get((line, sign))
        if found is None:
            found = [k for k in self.held[line] if self._fits(k, sign)]
            self.fitting[(line, sign)] = found
        return found

    def _movable(self, key: Key) -> bool:
        """Is there a cycle of hidden entries through ``key`` along which every entry can
        step by one (up or down, alternately) and stay at least 1? First a rectangle,
        then any cycle (breadth-first over the entries that can take their step)."""
        row, column = key
        for sign in (1, -1):
            if not self._fits(key, sign):
                continue
            down = self._fitting(("c", column), -sign)
            for _, c in self._fitting(("r", row), -sign):
                if c == column:
                    continue
                for r, _ in down:
                    corner = (r, c)
                    if r != row and corner in self.suppressed and self._fits(corner, sign):
                        return True
            if self._path(key, sign):
                return True
        return False

    def _path(self, key: Key, sign: int) -> bool:
        """A path from the entry's row to its column, not through the entry: from a row
        over an entry stepping -sign, from a column over one stepping +sign."""
        start, goal = ("r", key[0]), ("c", key[1])
        seen = {start}
        queue = [start]
        while queue:
            node = queue.pop()
            step = -sign if node[0] == "r" else sign
            for entry in self._fitting(node, step):
                if entry == key:
                    continue
                other = ("c", entry[1]) if node[0] == "r" else ("r", entry[0])
                if other == goal:
                    return True
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        return False

    def _rectangle(self, key: Key) -> None:
        """Hides the cheapest three entries that close a rectangle through ``key`` along
        which it can step (non-zero entries only; a published one is at least k)."""
        row, column = key
        best: tuple[int, Key, Key, Key] | None = None
        for sign in (1, -1):
            if not self._fits(key, sign):
                continue
            for _, across in self.non_zero[("r", row)]:
                if across == key or not self._usable(across, -sign):
                    continue
                for _, down in self.non_zero[("c", column)]:
                    corner = (down[0], across[1])
                    if (
                        down == key
                        or corner not in self.values
                        or not self._usable(down, -sign)
                        or not self._usable(corner, sign)
                    ):
                        continue
                    cost = sum(
                        self.values[k] for k in (across, down, corner) if k not in self.suppressed
                    )
                    found = (cost, across, down, corner)
                    if best is None or found < best:
                        best = found
        if best is None:  # cannot happen: the totals row and column are non-zero
            raise AssertionError(f"no rectangle through {key}")
        for entry in best[1:]:
            if entry not in self.suppressed:
                self._hold(entry)

    def _usable(self, key: Key, sign: int) -> bool:
        return key not in self.suppressed or self._fits(key, sign)


def _step(key: Key, sign: int) -> int:
    """The change of an entry's count when it takes step ``sign`` on a cycle."""
    flips = (key[0] == TOTAL) + (key[1] == TOTAL)
    return sign if flips % 2 == 0 else -sign


def _lines(key: Key) -> tuple[tuple[str, str], tuple[str, str]]:
    return ("r", key[0]), ("c", key[1])


def _crossing(key: Key, line: tuple[str, str]) -> tuple[str, str]:
    """The other line through ``key``."""
    return ("c", key[1]) if line[0] == "r" else ("r", key[0])


def _graph(edges: Iterable[Key]) -> dict[tuple[str, str], list[tuple[tuple[str, str], Key]]]:
    graph: dict[tuple[str, str], list[tuple[tuple[str, str], Key]]] = defaultdict(list)
    for key in edges:
        row, column = _lines(key)
        graph[row].append((column, key))
        graph[column].append((row, key))
    return graph


def _bridges(edges: set[Key]) -> set[Key]:
    """Entries whose edge lies on no cycle (Tarjan's low-link, without recursion, over
    numbered nodes: this runs on every protected table)."""
    keys = list(edges)  # the set of bridges does not depend on the order
    numbers: dict[tuple[str, str], int] = {}
    adjacency: list[list[tuple[int, int]]] = []
    for edge, key in enumerate(keys):
        ends = []
        for line in (("r", key[0]), ("c", key[1])):
            node = numbers.get(line)
            if node is None:
                node = numbers[line] = len(adjacency)
                adjacency.append([])
            ends.append(node)
        adjacency[ends[0]].append((ends[1], edge))
        adjacency[ends[1]].append((ends[0], edge))
    order = [-1] * len(adjacency)
    low = [0] * len(adjacency)
    counter = 0
    found: set[Key] = set()
    for start in range(len(adjacency)):
        if order[start] >= 0:
            continue
        order[start] = low[start] = counter
        counter += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, via, pending = stack[-1]
            for neighbour, edge in pending:
                if edge == via:
                    continue
                if order[neighbour] >= 0:
                    if order[neighbour] < low[node]:
                        low[node] = order[neighbour]
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                    if low[node] > order[parent]:
                        found.add(keys[via])
    return found


def _side(edges: set[Key], start: tuple[str, str], *, without: Key) -> tuple[set[str], set[str]]:
    """Rows and columns reachable from ``start`` over suppressed entries but ``without``."""
    graph = _graph(edges - {without})
    seen = {start}
    queue = [start]
    while queue:
        node = queue.pop()
        for neighbour, _ in graph[node]:
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    rows = {name for kind, name in seen if kind == "r"}
    return rows, {name for kind, name in seen if kind == "c"}
