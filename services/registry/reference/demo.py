"""A small made-up set of districts and categories, loaded in place of the real reference
data when that cannot be had (offline, no folder) outside production, so that a first
start still has something to choose from. Every row says so in its ``source``, and the
portal shows a notice wherever it lists them. Nothing here describes a real place."""

from typing import Any

from services.registry.reference.schemas import DistrictImportOptions
from shared.reference_data.manifest import DEMO_SOURCE

# A made-up town of six square districts, 1.5 km a side, in two rows (EPSG:3067 metres):
# (code, Finnish name, Swedish name, population, column, row).
_SIDE = 1500.0
_ORIGIN = (420_000.0, 6_990_000.0)
_DISTRICTS = (
    ("DEMO-1", "Keskusta", "Centrum", 4200, 1, 1),
    ("DEMO-2", "Rantala", "Strandby", 2600, 0, 1),
    ("DEMO-3", "Koivikko", "Björkby", 3100, 2, 1),
    ("DEMO-4", "Mäkelä", "Backby", 1800, 0, 0),
    ("DEMO-5", "Peltola", "Åkerby", 2300, 1, 0),
    ("DEMO-6", "Metsäranta", "Skogsstrand", 900, 2, 0),
)

DEMO_DISTRICT_OPTIONS = DistrictImportOptions(
    code_property="code",
    name_property="name_fi",
    name_sv_property="name_sv",
    population_property="population",
    crs="EPSG:3067",
    source=DEMO_SOURCE,
)


def _square(column: int, row: int) -> list[list[list[float]]]:
    x, y = _ORIGIN[0] + column * _SIDE, _ORIGIN[1] + row * _SIDE
    corners = [(x, y), (x + _SIDE, y), (x + _SIDE, y + _SIDE), (x, y + _SIDE), (x, y)]
    return [[[cx, cy] for cx, cy in corners]]


def demo_districts() -> dict[str, Any]:
    """The districts as a GeoJSON FeatureCollection in EPSG:3067."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name_fi": name_fi,
                    "name_sv": name_sv,
                    "population": population,
                },
                "geometry": {"type": "Polygon", "coordinates": _square(column, row)},
            }
            for code, name_fi, name_sv, population, column, row in _DISTRICTS
        ],
    }


# (code, parent code, Finnish, Swedish, English): five groups and their everyday topics.
DEMO_CATEGORIES = (
    ("DEMO.1", None, "Asuminen", "Boende", "Housing"),
    ("DEMO.1.1", "DEMO.1", "Asumisen tuki", "Stöd i boendet", "Support with housing"),
    ("DEMO.1.2", "DEMO.1", "Kodin arki", "Vardagen hemma", "Everyday life at home"),
    ("DEMO.2", None, "Vapaa-aika", "Fritid", "Leisure"),
    ("DEMO.2.1", "DEMO.2", "Liikunta", "Motion", "Exercise"),
    ("DEMO.2.2", "DEMO.2", "Ruoanlaitto", "Matlagning", "Cooking"),
    ("DEMO.2.3", "DEMO.2", "Musiikki ja kulttuuri", "Musik och kultur", "Music and culture"),
    ("DEMO.2.4", "DEMO.2", "Kerhot", "Klubbar", "Clubs"),
    ("DEMO.3", None, "Työ ja opiskelu", "Arbete och studier", "Work and study"),
    ("DEMO.3.1", "DEMO.3", "Työtoiminta", "Arbetsverksamhet", "Work activity"),
    ("DEMO.3.2", "DEMO.3", "Opiskelu", "Studier", "Studying"),
    ("DEMO.4", None, "Terveys ja hyvinvointi", "Hälsa och välmående", "Health and wellbeing"),
    ("DEMO.4.1", "DEMO.4", "Vertaistuki", "Kamratstöd", "Peer support"),
    ("DEMO.5", None, "Arjen apu", "Hjälp i vardagen", "Everyday help"),
    ("DEMO.5.1", "DEMO.5", "Vapaaehtoiset", "Frivilliga", "Volunteers"),
    ("DEMO.5.2", "DEMO.5", "Apu laitteiden käyttöön", "Hjälp med apparater", "Help with devices"),
)
