"""District polygons in plain Python: reading GeoJSON geometries, reprojecting them, their
centre, and which of them share a border.

A *shape* is a list of polygons (a GeoJSON Polygon is a shape of one); a polygon is a list
of closed rings, the outer ring first. Coordinates are (x, y) pairs: (easting, northing) in
EPSG:3067 metres or (longitude, latitude) in WGS84, as the caller says."""

import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from itertools import combinations, pairwise
from typing import Any

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]
Shape = list[Polygon]
Box = tuple[float, float, float, float]

# Two districts are neighbours when their boundaries run together for more than
# MIN_SHARED_METRES; vertices closer than TOLERANCE_METRES count as the same point. A
# shared corner alone (zero length) never makes districts neighbours.
TOLERANCE_METRES = 0.5
MIN_SHARED_METRES = 1.0


class GeometryError(ValueError):
    """A geometry that is not a valid GeoJSON Polygon or MultiPolygon; the message says
    what is wrong in words a person who drew the map understands."""


def parse_geometry(geometry: Any) -> Shape:
    """The shape of a GeoJSON Polygon or MultiPolygon geometry object."""
    if not isinstance(geometry, dict):
        raise GeometryError("the geometry must be a GeoJSON object")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates, "")]
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryError("a MultiPolygon needs a non-empty list of polygons")
        return [_polygon(p, f"polygon {i}: ") for i, p in enumerate(coordinates)]
    raise GeometryError(f"the geometry type must be Polygon or MultiPolygon, not {kind!r}")


def _polygon(rings: Any, where: str) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise GeometryError(f"{where}a polygon needs a non-empty list of rings")
    return [_ring(ring, f"{where}ring {i}") for i, ring in enumerate(rings)]


def _ring(ring: Any, where: str) -> Ring:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError(f"{where} needs at least four positions")
    points: Ring = []
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(_is_number(v) for v in position[:2])
        ):
            raise GeometryError(f"{where} has a position that is not a pair of numbers")
        points.append((float(position[0]), float(position[1])))
    if points[0] != points[-1]:
        raise GeometryError(f"{where} is not closed (the last position must repeat the first)")
    if abs(_signed_area(points)) == 0:
        raise GeometryError(f"{where} encloses no area")
    return points


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def transform(shape: Shape, function: Callable[[float, float], Point]) -> Shape:
    return [[[function(x, y) for x, y in ring] for ring in polygon] for polygon in shape]


def points(shape: Shape) -> Iterator[Point]:
    for polygon in shape:
        for ring in polygon:
            yield from ring


def bounding_box(shape: Shape) -> Box:
    xs, ys = zip(*points(shape), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def to_geojson(shape: Shape, digits: int) -> dict[str, Any]:
    """A GeoJSON geometry, coordinates rounded to ``digits`` decimals (7 for degrees is
    about a centimetre)."""

    def ring(r: Ring) -> list[list[float]]:
        return [[round(x, digits), round(y, digits)] for x, y in r]

    if len(shape) == 1:
        return {"type": "Polygon", "coordinates": [ring(r) for r in shape[0]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in p] for p in shape]}


# --- area and centre ---------------------------------------------------------------------


def _signed_area(ring: Ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def _polygon_area(polygon: Polygon) -> float:
    outer, *holes = polygon
    return abs(_signed_area(outer)) - sum(abs(_signed_area(h)) for h in holes)


def area(shape: Shape) -> float:
    return sum(_polygon_area(p) for p in shape)


def _centroid(shape: Shape) -> Point | None:
    """Area-weighted centroid, holes subtracted; None for a shape without area."""
    total = sx = sy = 0.0
    for polygon in shape:
        for index, ring in enumerate(polygon):
            signed = _signed_area(ring)
            # Outer rings add, holes subtract, whatever way each ring winds.
            sign = (1 if index == 0 else -1) * (1 if signed > 0 else -1)
            for (x1, y1), (x2, y2) in pairwise(ring):
                cross = (x1 * y2 - x2 * y1) * sign
                total += cross
                sx += (x1 + x2) * cross
                sy += (y1 + y2) * cross
    if total == 0:
        return None
    return sx / (3 * total), sy / (3 * total)


def _inside(polygon: Polygon, x: float, y: float) -> bool:
    """Even-odd rule over all rings, so points in holes are outside."""
    inside = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in pairwise(ring):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _interior_point(polygon: Polygon, y: float) -> Point | None:
    """The middle of the widest stretch of the polygon along the horizontal line at ``y``."""
    crossings = sorted(
        x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        for ring in polygon
        for (x1, y1), (x2, y2) in pairwise(ring)
        if (y1 > y) != (y2 > y)
    )
    stretches = list(zip(crossings[::2], crossings[1::2], strict=True))
    if not stretches:
        return None
    left, right = max(stretches, key=lambda s: s[1] - s[0])
    return (left + right) / 2, y


def centre(shape: Shape) -> Point:
    """A point for the district's marker and distances: the centroid when it lies inside the
    district, otherwise a point inside its largest part (a bay or an archipelago can put
    the centroid in the sea)."""
    centroid = _centroid(shape)
    if centroid is not None and any(_inside(p, *centroid) for p in shape):
        return centroid
    largest = max(shape, key=_polygon_area)
    own = _centroid([largest])
    _, low, _, high = bounding_box([largest])
    for y in (own[1] if own else (low + high) / 2, (low + high) / 2):
        found = _interior_point(largest, y)
        if found is not None:
            return found
    return largest[0][0]


# --- neighbours -----------------------------------------------------------------------------

Segment = tuple[float, float, float, float]


def _segments(shape: Shape) -> list[Segment]:
    return [
        (x1, y1, x2, y2)
        for polygon in shape
        for ring in polygon
        for (x1, y1), (x2, y2) in pairwise(ring)
        if (x1, y1) != (x2, y2)
    ]


def _overlap(s: Segment, t: Segment, tolerance: float) -> float:
    """Length along which two segments run together (within ``tolerance``), 0 if they only
    cross, touch at a point or are apart."""
    if math.hypot(s[2] - s[0], s[3] - s[1]) < math.hypot(t[2] - t[0], t[3] - t[1]):
        s, t = t, s
    ax, ay, bx, by = s
    length = math.hypot(bx - ax, by - ay)
    ux, uy = (bx - ax) / length, (by - ay) / length
    ends = ((t[0], t[1]), (t[2], t[3]))
    if any(abs((px - ax) * uy - (py - ay) * ux) > tolerance for px, py in ends):
        return 0.0
    u1, u2 = ((px - ax) * ux + (py - ay) * uy for px, py in ends)
    return max(0.0, min(max(u1, u2), length) - max(min(u1, u2), 0.0))


def _boxes_meet(a: Box, b: Box, margin: float) -> bool:
    meet_x = a[0] - margin <= b[2] and b[0] - margin <= a[2]
    meet_y = a[1] - margin <= b[3] and b[1] - margin <= a[3]
    return meet_x and meet_y


def neighbour_pairs(
    shapes: Sequence[Shape],
    *,
    tolerance: float = TOLERANCE_METRES,
    min_shared: float = MIN_SHARED_METRES,
) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of shapes (in metres) that share a stretch of
    border longer than ``min_shared``.

    Maps cut from one source (like Paavo) repeat the same vertices along a common border,
    so a first pass matches identical edges through a hash table. Pairs of shapes whose
    boxes meet but that share no such edge get a second look: their segments are put in a
    grid and nearby segments are compared for running together within ``tolerance``. That
    catches borders drawn with different vertices, and costs little because only segments
    near another shape's border ever meet in a cell."""
    segments = [_segments(shape) for shape in shapes]
    boxes = [bounding_box(shape) for shape in shapes]
    candidates = {
        (i, j)
        for i, j in combinations(range(len(shapes)), 2)
        if _boxes_meet(boxes[i], boxes[j], tolerance)
    }

    def key(x: float, y: float) -> tuple[int, int]:
        return round(x * 100), round(y * 100)  # centimetres

    shared: dict[tuple[int, int], float] = defaultdict(float)
    owners: dict[frozenset[tuple[int, int]], set[int]] = defaultdict(set)
    lengths: dict[frozenset[tuple[int, int]], float] = {}
    for index, own in enumerate(segments):
        for x1, y1, x2, y2 in own:
            edge = frozenset((key(x1, y1), key(x2, y2)))
            owners[edge].add(index)
            lengths[edge] = math.hypot(x2 - x1, y2 - y1)
    for edge, found in owners.items():
        for pair in combinations(sorted(found), 2):
            shared[pair] += lengths[edge]
    pairs = {pair for pair, length in shared.items() if length > min_shared}

    unresolved = candidates - pairs
    if not unresolved:
        return pairs
    involved = {i for pair in unresolved for i in pair}
    all_lengths = [math.hypot(s[2] - s[0], s[3] - s[1]) for i in involved for s in segments[i]]
    cell = max(4 * tolerance, sum(all_lengths) / len(all_lengths))
    grid: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i in involved:
        for n, (x1, y1, x2, y2) in enumerate(segments[i]):
            for cx in range(
                math.floor((min(x1, x2) - tolerance) / cell),
                math.floor((max(x1, x2) + tolerance) / cell) + 1,
            ):
                for cy in range(
                    math.floor((min(y1, y2) - tolerance) / cell),
                    math.floor((max(y1, y2) + tolerance) / cell) + 1,
                ):
                    grid[(cx, cy)].append((i, n))
    running: dict[tuple[int, int], float] = defaultdict(float)
    compared: set[tuple[int, int, int, int]] = set()
    for members in grid.values():
        for (i, n), (j, m) in combinations(members, 2):
            if i == j:
                continue
            if i > j:
                i, n, j, m = j, m, i, n
            if (i, j) not in unresolved or (i, n, j, m) in compared:
                continue
            compared.add((i, n, j, m))
            running[(i, j)] += _overlap(segments[i][n], segments[j][m], tolerance)
    return pairs | {pair for pair, length in running.items() if length > min_shared}
