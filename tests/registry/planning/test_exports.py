"""Exports a planner takes away: CSV that a spreadsheet and a csv reader open with the same
figures as the JSON, GeoJSON that is a valid FeatureCollection of the districts, and a
well-formed SVG map with a title per district and a legend, drawing nothing from
elsewhere."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from services.registry.reference import geometry
from tests.registry.planning.conftest import (
    AURINKOLAHTI,
    COOKING,
    HOUSING,
    KESKUSTA,
    PUNAVUORI,
    Planning,
    by_code,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def planned(planning: Planning) -> Planning:
    org = planning.organisation("Kotipolku ry")
    planning.partners(org, KESKUSTA, [COOKING], 12)
    planning.partners(org, PUNAVUORI, [COOKING], 3)  # suppressed
    planning.partners(org, AURINKOLAHTI, [HOUSING], 9)
    planning.wishes(org, PUNAVUORI, [COOKING], 7)
    planning.wishes(org, AURINKOLAHTI, [HOUSING], 15)
    return planning


def read_csv(text: str, delimiter: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=delimiter))


def test_coverage_csv_has_the_json_figures_in_english_and_finnish(planned: Planning) -> None:
    body = planned.coverage()
    response = planned.get("/planning/coverage.csv", lang="en")
    assert response.headers["content-type"].startswith("text/csv")
    assert "coverage.csv" in response.headers["content-disposition"]
    rows = read_csv(response.text, ",")
    cells = {(r["district_code"], r["category_code"]): r for r in rows if r["level"] == "cell"}
    assert set(cells) == {(c["district_code"], c["category_code"]) for c in body["cells"]}
    for shown in body["cells"]:
        row = cells[(shown["district_code"], shown["category_code"])]
        for figure in ("supply", "demand"):
            expected = "" if shown[figure] is None else str(shown[figure])
            assert row[figure] == expected
            assert row[f"{figure}_suppressed"] == str(shown[f"{figure}_suppressed"]).lower()
    (total,) = (r for r in rows if r["level"] == "total")
    assert total["supply"] == str(body["total"]["supply"])
    assert sum(1 for r in rows if r["level"] == "district") == 84
    # Finnish: semicolons and a decimal comma, names in Finnish.
    finnish = read_csv(planned.get("/planning/coverage.csv", lang="fi").text, ";")
    keskusta = next(r for r in finnish if r["level"] == "cell" and r["district_code"] == KESKUSTA)
    assert keskusta["supply_per_1000"] == str(round(12000 / 18462, 2)).replace(".", ",")
    assert keskusta["district_name"] == "Helsinki keskusta - Etu-Töölö"


def test_gaps_and_trends_csv_parse(planned: Planning) -> None:
    gaps = read_csv(planned.get("/planning/gaps.csv", lang="en").text, ",")
    assert (gaps[0]["rank"], gaps[0]["district_code"], gaps[0]["category_code"]) == (
        "1",
        AURINKOLAHTI,
        HOUSING,
    )
    trends = read_csv(planned.get("/planning/trends.csv", lang="en").text, ",")
    assert trends == []  # no snapshot yet: a header only


def test_geojson_is_a_valid_feature_collection_of_the_districts(planned: Planning) -> None:
    response = planned.get("/planning/coverage.geojson", category=COOKING)
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["k"] == 5 and collection["category_code"] == COOKING
    features = collection["features"]
    assert len(features) == 84 and len({f["id"] for f in features}) == 84
    for feature in features:
        assert feature["type"] == "Feature"
        shape = geometry.parse_geometry(feature["geometry"])  # raises on a broken ring
        lon, lat = next(geometry.points(shape))
        assert 24.5 < lon < 25.5 and 60.0 < lat < 60.4  # WGS84, Helsinki
    properties = {f["id"]: f["properties"] for f in features}
    assert properties[KESKUSTA]["supply"] == 12 and properties[KESKUSTA]["demand"] == 0
    assert properties[PUNAVUORI]["supply"] is None and properties[PUNAVUORI]["supply_suppressed"]
    assert properties[PUNAVUORI]["partial"] is True
    coverage = planned.coverage(category=[COOKING])
    assert by_code(coverage["districts"], KESKUSTA)["supply"] == 12
    unknown = planned.client.get(
        "/planning/coverage.geojson", headers=planned.planner.headers, params={"category": "X9"}
    )
    assert unknown.status_code == 422


def svg_of(planned: Planning, **params: Any) -> ET.Element:
    response = planned.get("/planning/map.svg", **params)
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert not re.search(r"(href|src)=|<image|url\((?!#)", response.text)  # nothing fetched
    return ET.fromstring(response.text)  # well-formed, or this raises


def test_the_map_is_well_formed_svg_with_a_title_per_district_and_a_legend(
    planned: Planning,
) -> None:
    root = svg_of(planned, measure="supply", category=COOKING, lang="en")
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    paths = {p.get("id"): p for p in root.iter(f"{SVG}path")}
    assert len(paths) == 84
    titles = {code: p.findtext(f"{SVG}title") for code, p in paths.items()}
    assert titles["district-00100"] == "Helsinki keskusta - Etu-Töölö (00100): 12 partners"
    assert "not published" in str(titles["district-00120"])
    assert paths["district-00120"].get("fill") == "url(#suppressed)"
    assert all(p.get("d", "").startswith("M") for p in paths.values())
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "partners" in legend and "not published (a small count or its protection)" in legend


@pytest.mark.parametrize("measure", ["unmet", "unmet_per_1000", "demand_per_1000"])
def test_every_measure_draws(planned: Planning, measure: str) -> None:
    root = svg_of(planned, measure=measure)
    assert len(list(root.iter(f"{SVG}path"))) == 84


def test_the_map_in_finnish_says_at_most_where_supply_was_left_out(planned: Planning) -> None:
    root = svg_of(planned, measure="unmet", category=COOKING, lang="fi")
    titles = {p.get("id"): p.findtext(f"{SVG}title") for p in root.iter(f"{SVG}path")}
    # Punavuori's own cooking supply is suppressed: its unmet demand is an upper bound.
    assert titles["district-00120"] == (
        "Punavuori - Bulevardi (00120): enintään 1 täyttymätöntä toivetta"
    )
