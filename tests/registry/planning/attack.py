"""An attacker of published tables, for the tests: what can be worked out from the
published entries of a table and the fact that each row and column adds up to its margin.

``derivable`` is the attacker's side (published figures only): exact rational elimination
over the additive relations. ``twin`` is the defender's proof: for a suppressed entry, a
different table of counts (hidden ones at least 1) that publishes exactly the same
figures. ``narrowed`` is a second attacker, with bounds: no hidden count is below 1."""

from collections.abc import Mapping, Sequence
from fractions import Fraction

from services.registry.planning.suppression import TOTAL, Key

Relation = tuple[dict[Key, int], int]  # coefficients over entries, right-hand side


def lines(rows: Sequence[str], columns: Sequence[str]) -> list[list[tuple[Key, int]]]:
    """Each line of the extended table as (entry, sign): inner entries +1, the margin -1."""
    found = []
    for row in [*rows, TOTAL]:
        found.append([*(((row, c), 1) for c in columns), ((row, TOTAL), -1)])
    for column in [*columns, TOTAL]:
        found.append([*(((r, column), 1) for r in rows), ((TOTAL, column), -1)])
    return found


def derivable(
    rows: Sequence[str],
    columns: Sequence[str],
    published: Mapping[Key, int | None],
    *,
    also_known: Mapping[Key, int] | None = None,
) -> dict[Key, Fraction]:
    """Suppressed entries (None in ``published``) whose value follows from the rest, with
    that value. Entries missing from ``published`` are published zeros; ``also_known``
    adds what an attacker learnt elsewhere."""
    known = {key: value for key, value in published.items() if value is not None}
    known.update(also_known or {})
    unknown = sorted(key for key, value in published.items() if value is None and key not in known)
    index = {key: i for i, key in enumerate(unknown)}
    matrix: list[list[Fraction]] = []
    for line in lines(rows, columns):
        row = [Fraction(0)] * (len(unknown) + 1)
        for key, sign in line:
            if key in index:
                row[index[key]] += sign
            else:
                row[-1] -= sign * known.get(key, 0)
        if any(row[:-1]):
            matrix.append(row)
    pivots = _reduce(matrix, len(unknown))
    found: dict[Key, Fraction] = {}
    for row_number, column in pivots:
        row = matrix[row_number]
        if all(value == 0 for i, value in enumerate(row[:-1]) if i != column):
            found[unknown[column]] = row[-1]
    return found


def _reduce(matrix: list[list[Fraction]], width: int) -> list[tuple[int, int]]:
    """Reduced row echelon form in place; the (row, column) of each pivot."""
    pivots: list[tuple[int, int]] = []
    top = 0
    for column in range(width):
        chosen = next((r for r in range(top, len(matrix)) if matrix[r][column] != 0), None)
        if chosen is None:
            continue
        matrix[top], matrix[chosen] = matrix[chosen], matrix[top]
        lead = matrix[top][column]
        matrix[top] = [value / lead for value in matrix[top]]
        for r in range(len(matrix)):
            if r != top and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[top], strict=True)]
        pivots.append((top, column))
        top += 1
    return pivots


def twin(values: Mapping[Key, int], suppressed: set[Key], target: Key) -> dict[Key, int] | None:
    """Another extended table publishing exactly the same — every published entry the
    same, every line adding up, every hidden entry still a count of at least 1 (so it
    stays hidden rather than a published zero) — in which ``target`` differs; None if no
    cycle of hidden entries allows it. ``values`` are the true non-zero entries.

    Works on signed entries: with the margins negated, every line sums to zero, and
    adding +1, -1, +1, ... around a cycle of hidden entries keeps it so."""

    def change(key: Key, sign: int) -> int:
        flips = (key[0] == TOTAL) + (key[1] == TOTAL)
        return sign * (-1) ** flips

    def can(key: Key, sign: int) -> bool:
        return values[key] + change(key, sign) >= 1

    for direction in (1, -1):
        if not can(target, direction):
            continue
        # From the target's row to its column without it: leaving a row the entry steps
        # -direction, leaving a column +direction.
        start, goal = ("r", target[0]), ("c", target[1])
        came: dict[tuple[str, str], tuple[tuple[str, str], Key] | None] = {start: None}
        queue = [start]
        while queue and goal not in came:
            node = queue.pop(0)
            sign = -direction if node[0] == "r" else direction
            for key in sorted(suppressed - {target}):
                if (node[0] == "r" and key[0] != node[1]) or (node[0] == "c" and key[1] != node[1]):
                    continue
                other = ("c", key[1]) if node[0] == "r" else ("r", key[0])
                if other not in came and can(key, sign):
                    came[other] = (node, key)
                    queue.append(other)
        if goal not in came:
            continue
        result = dict(values)
        result[target] += change(target, direction)
        node = goal
        while came[node] is not None:
            previous, key = came[node]  # type: ignore[misc]
            sign = -direction if previous[0] == "r" else direction
            result[key] += change(key, sign)
            node = previous
        return result
    return None


def narrowed(
    rows: Sequence[str], columns: Sequence[str], published: Mapping[Key, int | None]
) -> dict[Key, tuple[int, int]]:
    """The attacker with bounds: every hidden entry is a count of at least 1 (a zero would
    be published as one), every line adds up; the bounds of each hidden entry are narrowed
    line by line until nothing changes. Returns the hidden entries pinned to one value."""
    hidden = [key for key, value in published.items() if value is None]
    low = {key: 1 for key in hidden}
    high: dict[Key, float] = {key: float("inf") for key in hidden}
    relations = []
    for line in lines(rows, columns):
        unknown = [(key, sign) for key, sign in line if key in low]
        if unknown:
            known = sum(sign * (published.get(key) or 0) for key, sign in line if key not in low)
            relations.append((unknown, -known))  # sum of sign * x over unknown == -known
    changed = True
    while changed:
        changed = False
        for unknown, total in relations:
            for key, sign in unknown:
                # sign * x = total - sum(other signs * others)
                rest_low = sum(
                    (s * low[k]) if s > 0 else (s * high[k]) for k, s in unknown if k != key
                )
                rest_high = sum(
                    (s * high[k]) if s > 0 else (s * low[k]) for k, s in unknown if k != key
                )
                bounds = sorted(((total - rest_high) * sign, (total - rest_low) * sign))
                if bounds[0] > low[key] and bounds[0] != float("inf"):
                    low[key] = int(bounds[0])
                    changed = True
                if bounds[1] < high[key]:
                    high[key] = bounds[1]
                    changed = True
    return {key: (low[key], int(high[key])) for key in hidden if low[key] == high[key]}
