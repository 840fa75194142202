"""Loading the default reference data every organisation sees: the Helsinki postal-code
areas of Statistics Finland's Paavo 2023 as districts, and the national service
classification (PTV service classes) as categories. Loading is idempotent: rows that are
already as in the files are left alone, so running it again changes nothing."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.reference import service
from services.registry.reference.events import publish_reference_changed
from services.registry.reference.models import Category
from services.registry.reference.schemas import DistrictImportOptions

DISTRICTS_FILE = Path(
    "fi-paavo-helsinki-postal-areas/helsinki_postal_areas_paavo2023_epsg3067.geojson"
)
CATEGORIES_FILE = Path("fi-ptv-service-classes/ptv_classes_2023.json")
DISTRICTS_SOURCE = "Statistics Finland, Paavo 2023 postal code areas (CC BY 4.0)"
CATEGORIES_SOURCE = "Suomi.fi code list ptvserclass2, PTV service classes (CC BY 4.0)"

PAAVO = DistrictImportOptions(
    code_property="postal_code",
    name_property="name",
    population_property="Inhabitants, total (HE)",
    crs="EPSG:3067",
    source=DISTRICTS_SOURCE,
)


class ReferenceDataMissing(FileNotFoundError):
    """A reference data file is not where the settings say."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"reference data file not found: {path.resolve()} (set KORTISTO_REFERENCE_DATA_DIR "
            f"to the folder holding {DISTRICTS_FILE.parts[0]}/ and {CATEGORIES_FILE.parts[0]}/)"
        )
        self.path = path


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ReferenceDataMissing(path)
    with path.open(encoding="utf-8") as file:
        return json.load(file)


def load_default_districts(session: Session, path: Path) -> int:
    """Districts from the Paavo GeoJSON (EPSG:3067) and the neighbours among them. The
    centre is Paavo's own point for the area where it gives one. Returns how many districts
    were added or changed. Districts that left the file are kept: partners may refer to
    them."""
    collection = _read_json(path)
    drafts = service.read_districts(collection, PAAVO)
    for draft, feature in zip(drafts, collection["features"], strict=True):
        x, y = feature["properties"].get("X coordinate"), feature["properties"].get("Y coordinate")
        if isinstance(x, int | float) and isinstance(y, int | float):
            draft.centre = (float(x), float(y))
    created, updated = service.save_districts(session, None, drafts, DISTRICTS_SOURCE)
    service.update_neighbours(session, None)
    return len(created) + len(updated)


def load_default_categories(session: Session, path: Path) -> int:
    """Categories from the PTV service class list (fi/sv/en labels, two levels). Returns
    how many categories were added or changed."""
    existing = {
        c.code: c
        for c in session.scalars(select(Category).where(Category.organisation_id.is_(None)))
    }
    changed = 0
    for item in _read_json(path)["results"]:
        labels = item["prefLabel"]
        values = {
            "parent_code": (item.get("broaderCode") or {}).get("codeValue"),
            "label_fi": labels["fi"].strip(),
            "label_sv": labels["sv"].strip(),
            "label_en": labels["en"].strip(),
            "source": CATEGORIES_SOURCE,
        }
        row = existing.get(item["codeValue"])
        if row is None:
            session.add(Category(organisation_id=None, code=item["codeValue"], **values))
        elif any(getattr(row, column) != value for column, value in values.items()):
            for column, value in values.items():
                setattr(row, column, value)
        else:
            continue
        changed += 1
    session.flush()
    return changed


def load_defaults(session: Session, data_dir: Path) -> tuple[int, int]:
    """Both default sets from ``data_dir`` (the ``reference_data_dir`` setting), in the
    caller's transaction. Returns how many (districts, categories) were added or changed:
    (84, 228) into an empty database, (0, 0) when run again."""
    districts, categories = data_dir / DISTRICTS_FILE, data_dir / CATEGORIES_FILE
    for path in (districts, categories):
        if not path.is_file():
            raise ReferenceDataMissing(path)
    changed = (
        load_default_districts(session, districts),
        load_default_categories(session, categories),
    )
    if any(changed):
        publish_reference_changed(session, None)
    return changed
