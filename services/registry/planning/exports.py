"""Planning figures as files: coverage, gaps and trends as CSV (UTF-8 with BOM, ';' and a
decimal comma for Finnish, ',' otherwise, as the partner exports), and coverage by
district as a GeoJSON FeatureCollection in WGS84. Built from the published figures only."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from services.registry.planning import service, svg
from services.registry.planning.schemas import GapsOut, Measure, TrendsOut
from services.registry.planning.service import Coverage
from services.registry.planning.suppression import TOTAL
from services.registry.reference.schemas import Language
from services.registry.transfer import tabular
from services.registry.transfer.exports import BOM, csv_delimiter

FIGURE_COLUMNS = (
    "population",
    "supply",
    "supply_suppressed",
    "supply_per_1000",
    "demand",
    "demand_suppressed",
    "demand_per_1000",
    "neighbour_supply",
    "covered",
    "unmet",
    "unmet_per_1000",
    "partial",
)
COVERAGE_COLUMNS = (
    "level",
    "district_code",
    "district_name",
    "category_code",
    "category_label",
    *FIGURE_COLUMNS,
)
GAP_COLUMNS = (
    "rank",
    "district_code",
    "district_name",
    "category_code",
    "category_label",
    "population",
    "demand",
    "supply",
    "neighbour_supply",
    "covered",
    "unmet",
    "unmet_per_1000",
    "partial",
)
TREND_COLUMNS = (
    "month",
    "organisations",
    "supply",
    "supply_suppressed",
    "supply_change",
    "demand",
    "demand_suppressed",
    "demand_change",
)


def _cell(value: Any, lang: Language) -> tabular.Cell:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "fi" else text
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def _csv(columns: Iterable[str], rows: Iterable[Iterable[Any]], lang: Language) -> str:
    lines: Iterator[list[tabular.Cell]] = ([_cell(value, lang) for value in row] for row in rows)
    delimiter = csv_delimiter(lang)
    return BOM + "".join(tabular.csv_lines([list(columns), *lines], delimiter))


def coverage_csv(cov: Coverage, lang: Language) -> str:
    """Every published entry: the grand total, each category, each district, each cell
    where anything is counted."""
    ref = cov.reference
    entries = [
        ("total", TOTAL, TOTAL),
        *(("category", TOTAL, c) for c in cov.supply.columns),
        *(("district", d, TOTAL) for d in ref.districts),
        *(
            ("cell", d, c)
            for d, c in sorted({*cov.supply.entries, *cov.demand.entries})
            if TOTAL not in (d, c)
        ),
    ]
    rows = []
    for level, district, category in entries:
        figures = service.measures(cov, district, category)
        rows.append(
            [
                level,
                None if district == TOTAL else district,
                None if district == TOTAL else ref.districts[district].name(lang),
                None if category == TOTAL else category,
                None if category == TOTAL else ref.categories[category].text(lang, category),
                *(figures[column] for column in FIGURE_COLUMNS),
            ]
        )
    return _csv(COVERAGE_COLUMNS, rows, lang)


def gaps_csv(found: GapsOut, lang: Language) -> str:
    rows = (
        [
            rank,
            gap.district_code,
            gap.district_name,
            gap.category_code,
            gap.category_label,
            gap.population,
            gap.demand,
            gap.supply,
            gap.neighbour_supply,
            gap.covered,
            gap.unmet,
            gap.unmet_per_1000,
            gap.partial,
        ]
        for rank, gap in enumerate(found.gaps, start=1)
    )
    return _csv(GAP_COLUMNS, rows, lang)


def trends_csv(found: TrendsOut, lang: Language) -> str:
    rows = (
        [
            point.month.isoformat(),
            point.organisations,
            point.supply,
            point.supply_suppressed,
            point.supply_change,
            point.demand,
            point.demand_suppressed,
            point.demand_change,
        ]
        for point in found.points
    )
    return _csv(TREND_COLUMNS, rows, lang)


def coverage_geojson(cov: Coverage, category: str | None, lang: Language) -> dict[str, Any]:
    """A feature per district, with the figures of one category (or all) as properties;
    the k and the category as members of the collection."""
    column = category or TOTAL
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {
                "code": code,
                "name": area.name(lang),
                **service.measures(cov, code, column),
            },
            "geometry": json.loads(area.geometry),
        }
        for code, area in cov.reference.districts.items()
    ]
    return {
        "type": "FeatureCollection",
        "k": cov.k,
        "category_code": category,
        "neighbour_weight": service.NEIGHBOUR_WEIGHT,
        "features": features,
    }


def coverage_svg(cov: Coverage, category: str | None, measure: Measure, lang: Language) -> str:
    """The district map of one measure for one category (or all)."""
    column = category or TOTAL
    areas = []
    for code, area in cov.reference.districts.items():
        figures = service.measures(cov, code, column)
        value = figures[measure.value]
        suppressed = figures[_SUPPRESSED_BY[measure]]
        areas.append(
            svg.MapArea(
                code=code,
                name=area.name(lang),
                geometry=json.loads(area.geometry),
                value=value,
                suppressed=value is None and suppressed,
                partial=measure.value.startswith("unmet") and bool(figures["partial"]),
            )
        )
    subject = None if category is None else cov.reference.categories[category].text(lang, category)
    return svg.coverage_map(areas, measure, subject, cov.k, lang)


# Which published figure a measure stands on: when that one is suppressed, so is the value.
_SUPPRESSED_BY = {
    Measure.supply: "supply_suppressed",
    Measure.supply_per_1000: "supply_suppressed",
    Measure.demand: "demand_suppressed",
    Measure.demand_per_1000: "demand_suppressed",
    Measure.unmet: "demand_suppressed",
    Measure.unmet_per_1000: "demand_suppressed",
}
