"""The district map as SVG, drawn from the districts' own GeoJSON (projected to EPSG:3067,
so that Helsinki is not stretched): each district coloured by one published measure, a
legend, and a <title> per district for screen readers and hovering. No map tiles, nothing
fetched from elsewhere. The CSV and JSON are the table alternative."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from services.registry.planning.schemas import Measure
from services.registry.reference import geometry
from services.registry.reference.projection import wgs84_to_tm35fin
from services.registry.reference.schemas import Language

WIDTH = 800.0
MARGIN = 10.0
LEGEND_ROW = 22.0
SIMPLIFY_PIXELS = 0.5  # points closer than this to the last one drawn are left out
GREENS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
REDS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
NONE_FILL = "#f7f7f7"
NO_FIGURE_FILL = "url(#no-figure)"
SUPPRESSED_FILL = "url(#suppressed)"

WORDS: dict[str, dict[str, str]] = {
    "fi": {
        "supply": "kumppania",
        "demand": "avointa toivetta",
        "supply_per_1000": "kumppania / 1 000 asukasta",
        "demand_per_1000": "avointa toivetta / 1 000 asukasta",
        "unmet": "täyttymätöntä toivetta",
        "unmet_per_1000": "täyttymätöntä toivetta / 1 000 asukasta",
        "suppressed": "ei julkaista (pieni luku tai sen suoja)",
        "no_figure": "ei lukua (asukasluku puuttuu)",
        "none": "0 tai vähemmän",
        "at_most": "enintään",
        "all": "kaikki luokat",
        "no_districts": "Ei alueita kartalla.",
        "description": "Postinumeroalueet värjättyinä mittarin mukaan. Alle {k} luvut ja "
        "niitä suojaavat luvut jätetään pois.",
    },
    "sv": {
        "supply": "partner",
        "demand": "öppna önskemål",
        "supply_per_1000": "partner / 1 000 invånare",
        "demand_per_1000": "öppna önskemål / 1 000 invånare",
        "unmet": "ouppfyllda önskemål",
        "unmet_per_1000": "ouppfyllda önskemål / 1 000 invånare",
        "suppressed": "publiceras inte (litet tal eller dess skydd)",
        "no_figure": "inget tal (invånarantal saknas)",
        "none": "0 eller mindre",
        "at_most": "högst",
        "all": "alla kategorier",
        "no_districts": "Inga områden på kartan.",
        "description": "Postnummerområden färgade efter måttet. Tal under {k} och tal som "
        "skyddar dem utelämnas.",
    },
    "en": {
        "supply": "partners",
        "demand": "open wishes",
        "supply_per_1000": "partners per 1,000 inhabitants",
        "demand_per_1000": "open wishes per 1,000 inhabitants",
        "unmet": "unmet wishes",
        "unmet_per_1000": "unmet wishes per 1,000 inhabitants",
        "suppressed": "not published (a small count or its protection)",
        "no_figure": "no figure (population unknown)",
        "none": "0 or less",
        "at_most": "at most",
        "all": "all categories",
        "no_districts": "No districts on the map.",
        "description": "Postal code areas coloured by the measure. Counts below {k}, and "
        "counts that protect them, are left out.",
    },
}


@dataclass(frozen=True)
class MapArea:
    """One district on the map: its shape (GeoJSON, WGS84) and its published value;
    ``value`` None is either suppressed or has no figure (no population to divide by)."""

    code: str
    name: str
    geometry: dict[str, Any]
    value: float | None
    suppressed: bool
    partial: bool = False  # the value is an upper bound


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    fill: str


def number(value: float, lang: Language) -> str:
    """1,234.5 in English; 1 234,5 in Finnish and Swedish."""
    whole = float(value).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")
    if lang == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def bands(values: Sequence[float], palette: Sequence[str]) -> list[Band]:
    """Up to five classes of about as many distinct positive values each."""
    distinct = sorted({v for v in values if v > 0})
    count = min(len(palette), len(distinct))
    found = []
    for i in range(count):
        low = distinct[math.floor(i * len(distinct) / count)]
        high = distinct[math.floor((i + 1) * len(distinct) / count) - 1]
        found.append(Band(low, high, palette[i]))
    return found


def _fill(area: MapArea, found: list[Band]) -> str:
    if area.value is None:
        return SUPPRESSED_FILL if area.suppressed else NO_FIGURE_FILL
    if area.value <= 0:
        return NONE_FILL
    return next((b.fill for b in found if area.value <= b.high), found[-1].fill)


class _Frame:
    """From EPSG:3067 metres to the picture's pixels, north up."""

    def __init__(self, shapes: list[geometry.Shape]) -> None:
        # With no districts at all (none loaded yet) the picture is a line of text high.
        boxes = [geometry.bounding_box(shape) for shape in shapes] or [(0.0, 0.0, 1.0, 0.0)]
        self.left = min(b[0] for b in boxes)
        self.bottom = min(b[1] for b in boxes)
        self.top = max(b[3] for b in boxes)
        width = max(b[2] for b in boxes) - self.left or 1.0
        self.scale = (WIDTH - 2 * MARGIN) / width
        self.height = (self.top - self.bottom) * self.scale + 2 * MARGIN

    def point(self, x: float, y: float) -> tuple[float, float]:
        return MARGIN + (x - self.left) * self.scale, MARGIN + (self.top - y) * self.scale

    def path(self, shape: geometry.Shape) -> str:
        parts = []
        for polygon in shape:
            for ring in polygon:
                drawn: list[tuple[float, float]] = []
                for x, y in ring:
                    px, py = self.point(x, y)
                    if drawn and math.hypot(px - drawn[-1][0], py - drawn[-1][1]) < SIMPLIFY_PIXELS:
                        continue
                    drawn.append((px, py))
                if len(drawn) >= 3:
                    parts.append("M" + "L".join(f"{px:.1f},{py:.1f}" for px, py in drawn) + "Z")
        return "".join(parts)


def _projected(area: MapArea) -> geometry.Shape:
    return geometry.transform(geometry.parse_geometry(area.geometry), wgs84_to_tm35fin)


def coverage_map(
    areas: Sequence[MapArea], measure: Measure, subject: str | None, k: int, lang: Language
) -> str:
    """The map as an SVG document; ``subject`` names the category shown (None: all)."""
    words = WORDS[lang]
    unit = words[measure.value]
    palette = GREENS if measure.value.startswith("supply") else REDS
    shapes = [_projected(area) for area in areas]
    frame = _Frame(shapes)
    found = bands([a.value for a in areas if a.value is not None], palette)
    title = f"{unit[:1].upper()}{unit[1:]} — {subject or words['all']}"
    description = words["description"].format(k=k)

    legend: list[tuple[str, str]] = [(NONE_FILL, words["none"])]
    legend += [
        (
            b.fill,
            number(b.low, lang)
            if b.low == b.high
            else f"{number(b.low, lang)} – {number(b.high, lang)}",
        )
        for b in found
    ]
    legend += [(SUPPRESSED_FILL, words["suppressed"]), (NO_FIGURE_FILL, words["no_figure"])]
    height = frame.height + MARGIN + LEGEND_ROW * (len(legend) + 1)

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="map-title map-description" '
        f'viewBox="0 0 {WIDTH:.0f} {height:.0f}" width="{WIDTH:.0f}" height="{height:.0f}" '
        'font-family="sans-serif" font-size="13">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-description">{escape(description)}</desc>',
        "<defs>"
        '<pattern id="suppressed" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#d9d9d9"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#737373" stroke-width="2"/>'
        "</pattern>"
        '<pattern id="no-figure" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<circle cx="3" cy="3" r="1" fill="#969696"/>'
        "</pattern></defs>",
        '<g stroke="#525252" stroke-width="0.6" stroke-linejoin="round">',
    ]
    for area, shape in zip(areas, shapes, strict=True):
        if area.value is None:
            said = words["suppressed"] if area.suppressed else words["no_figure"]
        else:
            said = f"{words['at_most'] + ' ' if area.partial else ''}{number(area.value, lang)}"
            said = f"{said} {unit}"
        label = f"{area.name} ({area.code}): {said}"
        out.append(
            f'<path id={quoteattr("district-" + area.code)} fill-rule="evenodd" '
            f"fill={quoteattr(_fill(area, found))} d={quoteattr(frame.path(shape))}>"
            f"<title>{escape(label)}</title></path>"
        )
    out.append("</g>")
    if not areas:
        out.append(
            f'<text x="{MARGIN:.0f}" y="{MARGIN + 4:.0f}">{escape(words["no_districts"])}</text>'
        )
    top = frame.height + MARGIN
    out.append(f'<g transform="translate({MARGIN:.0f},{top:.0f})" fill="#222222">')
    out.append(f'<text x="0" y="14" font-weight="bold">{escape(unit)}</text>')
    for index, (fill, text) in enumerate(legend, start=1):
        y = index * LEGEND_ROW
        out.append(
            f'<rect x="0" y="{y:.0f}" width="18" height="14" fill={quoteattr(fill)} '
            'stroke="#525252" stroke-width="0.6"/>'
            f'<text x="26" y="{y + 12:.0f}">{escape(text)}</text>'
        )
    out.append("</g></svg>")
    return "\n".join(out)
