"""Borders, centres and GeoJSON reading of district polygons."""

import pytest

from services.registry.reference import geometry
from services.registry.reference.geometry import GeometryError, Shape


def square(x: float, y: float, size: float = 100.0) -> Shape:
    return [[[(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]]]


def test_a_shared_edge_makes_neighbours_a_shared_corner_does_not() -> None:
    shapes = [square(0, 0), square(100, 0), square(100, 100), square(500, 500)]
    # 0 and 1 share an edge, 1 and 2 share an edge, 0 and 2 only a corner, 3 is apart.
    assert geometry.neighbour_pairs(shapes) == {(0, 1), (1, 2)}


def test_a_border_drawn_with_other_vertices_or_slightly_off_still_counts() -> None:
    left = square(0, 0)
    # The shared side split in three, 20 cm off, and only partly along the other's side.
    right: Shape = [
        [[(100.2, 20), (200, 20), (200, 80), (100.2, 80), (100.1, 60), (100.2, 40), (100.2, 20)]]
    ]
    assert geometry.neighbour_pairs([left, right]) == {(0, 1)}
    # A metre apart is not a shared border.
    away: Shape = [[[(101, 20), (200, 20), (200, 80), (101, 80), (101, 20)]]]
    assert geometry.neighbour_pairs([left, away]) == set()


def test_a_tiny_overlap_of_borders_is_not_enough() -> None:
    # The squares' sides overlap for only half a metre.
    assert geometry.neighbour_pairs([square(0, 0), square(100, 99.5)]) == set()


def test_centre_is_inside_even_when_the_centroid_is_not() -> None:
    # A C shape: its centroid lies in the open middle.
    c_shape: Shape = [
        [[(0, 0), (300, 0), (300, 100), (100, 100), (100, 200), (300, 200), (300, 300),
          (0, 300), (0, 0)]]
    ]  # fmt: skip
    x, y = geometry.centre(c_shape)
    assert 0 < x < 100 and 0 < y < 300
    assert geometry.centre(square(0, 0)) == pytest.approx((50, 50))


def test_area_subtracts_holes() -> None:
    hole = [(25.0, 25.0), (25.0, 75.0), (75.0, 75.0), (75.0, 25.0), (25.0, 25.0)]
    with_hole: Shape = [[square(0, 0)[0][0], hole]]
    assert geometry.area(with_hole) == pytest.approx(10_000 - 2_500)


@pytest.mark.parametrize(
    ("geojson", "message"),
    [
        ({"type": "Point", "coordinates": [1, 2]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "four positions"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["a", 1], [0, 0]]]}, "numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "no area"),
        ({"type": "MultiPolygon", "coordinates": []}, "non-empty"),
    ],
)
def test_bad_geometries_are_explained(geojson: dict[str, object], message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        geometry.parse_geometry(geojson)
