"""Loading the default reference data every organisation sees: the Helsinki postal-code
areas of Statistics Finland's Paavo 2023 as districts, and the national service
classification (PTV service classes) as categories; or, where those cannot be had, the
made-up demo set. Loading is idempotent: rows that are already as in the files are left
alone, so running it again changes nothing."""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.reference import service
from services.registry.reference.demo import (
    DEMO_CATEGORIES,
    DEMO_DISTRICT_OPTIONS,
    DEMO_SOURCE,
    demo_districts,
)
from services.registry.reference.events import publish_reference_changed
from services.registry.reference.models import Category, District
from services.registry.reference.schemas import DistrictImportOptions
from shared.reference_data.manifest import CATEGORIES_FILE, DISTRICTS_FILE, SETTING

CategoryRow = tuple[str, str | None, str, str, str]  # code, parent, fi, sv, en
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
            f"reference data file not found: {path.resolve()} (set {SETTING} "
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


def _save_categories(session: Session, rows: Iterable[CategoryRow], source: str) -> int:
    existing = {
        c.code: c
        for c in session.scalars(select(Category).where(Category.organisation_id.is_(None)))
    }
    changed = 0
    for code, parent_code, label_fi, label_sv, label_en in rows:
        values = {
            "parent_code": parent_code,
            "label_fi": label_fi,
            "label_sv": label_sv,
            "label_en": label_en,
            "source": source,
        }
        row = existing.get(code)
        if row is None:
            session.add(Category(organisation_id=None, code=code, **values))
        elif any(getattr(row, column) != value for column, value in values.items()):
            for column, value in values.items():
                setattr(row, column, value)
        else:
            continue
        changed += 1
    session.flush()
    return changed


def load_default_categories(session: Session, path: Path) -> int:
    """Categories from the PTV service class list (fi/sv/en labels, two levels). Returns
    how many categories were added or changed."""
    rows = (
        (
            item["codeValue"],
            (item.get("broaderCode") or {}).get("codeValue"),
            item["prefLabel"]["fi"].strip(),
            item["prefLabel"]["sv"].strip(),
            item["prefLabel"]["en"].strip(),
        )
        for item in _read_json(path)["results"]
    )
    return _save_categories(session, rows, CATEGORIES_SOURCE)


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


def load_demo_defaults(session: Session) -> tuple[int, int]:
    """The made-up demo districts and categories (see :mod:`.demo`) as the defaults, in
    the caller's transaction; (6, 16) into an empty database, (0, 0) when run again."""
    drafts = service.read_districts(demo_districts(), DEMO_DISTRICT_OPTIONS)
    created, updated = service.save_districts(session, None, drafts, DEMO_SOURCE)
    service.update_neighbours(session, None)
    changed = (len(created) + len(updated), _save_categories(session, DEMO_CATEGORIES, DEMO_SOURCE))
    if any(changed):
        publish_reference_changed(session, None)
    return changed


def has_real_defaults(session: Session) -> bool:
    """Whether default districts other than the demo set's were loaded before."""
    return (
        session.scalar(
            select(District.id)
            .where(District.organisation_id.is_(None), District.source != DEMO_SOURCE)
            .limit(1)
        )
        is not None
    )


def uses_demo_set(session: Session) -> bool:
    """Whether any default district or category is one of the made-up demo set's."""
    return any(
        session.scalar(
            select(model.id)
            .where(model.organisation_id.is_(None), model.source == DEMO_SOURCE)
            .limit(1)
        )
        is not None
        for model in (District, Category)
    )
