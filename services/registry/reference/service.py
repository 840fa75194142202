"""Districts and categories: what an organisation sees (the defaults and its own), look-ups
other modules use, an organisation's own districts from GeoJSON and its own categories."""

import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_, select
from sqlalchemy.orm import Session, aliased

from services.registry.audit import service as audit
from services.registry.reference import geometry
from services.registry.reference.events import publish_reference_changed
from services.registry.reference.geometry import GeometryError, Point, Shape
from services.registry.reference.models import Category, District, DistrictNeighbour, in_scope
from services.registry.reference.projection import tm35fin_to_wgs84, wgs84_to_tm35fin
from services.registry.reference.schemas import (
    DISTRICT_CODE_PATTERN,
    CategoryDetail,
    CategoryIn,
    CategoryLabels,
    CategoryOut,
    DistrictDetail,
    DistrictImportOptions,
    DistrictImportOut,
    DistrictOut,
    Language,
)
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound

WGS84 = "EPSG:4326"
TM35FIN = "EPSG:3067"
MAX_FEATURES = 2000


def _visible(column: Any, organisation_id: str) -> ColumnElement[bool]:
    """The defaults and the organisation's own rows."""
    return or_(column.is_(None), column == organisation_id)


# --- districts: reading -------------------------------------------------------------------


def list_districts(session: Session, organisation_id: str) -> list[District]:
    query = select(District).where(_visible(District.organisation_id, organisation_id))
    return sorted(session.scalars(query), key=lambda d: (d.code, d.organisation_id is None))


def find_district(session: Session, organisation_id: str, code: str) -> District | None:
    """The district with ``code`` that the organisation sees; its own one first should a
    later default ever take the same code."""
    found = session.scalars(
        select(District).where(
            District.code == code, _visible(District.organisation_id, organisation_id)
        )
    ).all()
    return min(found, key=lambda d: d.organisation_id is None, default=None)


def get_district(session: Session, organisation_id: str, code: str) -> District:
    district = find_district(session, organisation_id, code)
    if district is None:
        raise NotFound("no such district")
    return district


def district_exists(session: Session, organisation_id: str, code: str) -> bool:
    return find_district(session, organisation_id, code) is not None


def neighbours(session: Session, organisation_id: str, code: str) -> set[str]:
    """Codes of the districts sharing a border with ``code``; empty for an unknown code."""
    district = find_district(session, organisation_id, code)
    if district is None:
        return set()
    other = aliased(District)
    rows = session.scalars(
        select(other.code)
        .join(DistrictNeighbour, DistrictNeighbour.neighbour_id == other.id)
        .where(DistrictNeighbour.district_id == district.id)
    )
    return set(rows)


def district_view(session: Session, organisation_id: str, code: str) -> DistrictDetail:
    district = get_district(session, organisation_id, code)
    return DistrictDetail(
        **DistrictOut.model_validate(district).model_dump(),
        neighbours=sorted(neighbours(session, organisation_id, code)),
    )


def districts_geojson(session: Session, organisation_id: str) -> dict[str, Any]:
    """The districts the organisation sees as a WGS84 FeatureCollection, for maps."""
    features = [
        {
            "type": "Feature",
            "id": d.code,
            "properties": {
                "code": d.code,
                "name_fi": d.name_fi,
                "name_sv": d.name_sv,
                "population": d.population,
                "centre": [d.centre_lon, d.centre_lat],
                "organisation_id": d.organisation_id,
                "source": d.source,
            },
            "geometry": json.loads(d.geometry),
        }
        for d in list_districts(session, organisation_id)
    ]
    return {"type": "FeatureCollection", "features": features}


# --- districts: writing -------------------------------------------------------------------


@dataclass
class DistrictDraft:
    """A district read from GeoJSON, checked, before it is stored."""

    code: str
    name_fi: str
    name_sv: str | None
    population: int | None
    metres: Shape  # EPSG:3067, for centres and borders
    degrees: Shape  # WGS84, as stored
    centre: Point | None = None  # EPSG:3067, when the source gives one


def _crs_of(collection: dict[str, Any], options: DistrictImportOptions) -> str:
    if options.crs:
        return options.crs
    member = collection.get("crs")
    if member is None:
        return WGS84
    name = str((member.get("properties") or {}).get("name", "")) if isinstance(member, dict) else ""
    if re.search(r"EPSG:{1,2}3067$", name):
        return TM35FIN
    if re.search(r"(EPSG:{1,2}4326|CRS84)$", name):
        return WGS84
    raise Invalid("crs", f"the coordinate system {name!r} is not supported; use WGS84 or EPSG:3067")


def _text(properties: dict[str, Any], name: str, where: str, *, needed: bool) -> str | None:
    value = properties.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if needed:
            raise Invalid(f"{where}.properties.{name}", f"{where} has no {name!r} property")
        return None
    if not isinstance(value, str):
        raise Invalid(f"{where}.properties.{name}", f"{where}: {name!r} must be text")
    if len(value.strip()) > 200:
        raise Invalid(f"{where}.properties.{name}", f"{where}: {name!r} is over 200 characters")
    return value.strip()


def _population(properties: dict[str, Any], name: str | None, where: str) -> int | None:
    value = properties.get(name) if name else None
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or value != int(value)
    ):
        raise Invalid(
            f"{where}.properties.{name}", f"{where}: {name!r} must be a whole number, 0 or more"
        )
    return int(value)


def _shapes(geometry_object: Any, crs: str, where: str) -> tuple[Shape, Shape]:
    """(metres, degrees) of a feature's geometry."""
    field = f"{where}.geometry"
    try:
        shape = geometry.parse_geometry(geometry_object)
    except GeometryError as exc:
        raise Invalid(field, f"{where}: {exc}") from exc
    xs, ys = zip(*geometry.points(shape), strict=True)
    hint = "; say crs=EPSG:3067 for metres or crs=EPSG:4326 for degrees"
    if crs == WGS84:
        if min(xs) < -180 or max(xs) > 180 or min(ys) < -90 or max(ys) > 90:
            raise Invalid(field, f"{where}: coordinates are not longitude and latitude{hint}")
        try:
            return geometry.transform(shape, wgs84_to_tm35fin), shape
        except (ValueError, OverflowError) as exc:
            raise Invalid(field, f"{where}: too far from Finland to map") from exc
    if min(xs) < -1_000_000 or max(xs) > 2_000_000 or min(ys) < 0 or max(ys) > 9_000_000:
        raise Invalid(field, f"{where}: coordinates are not ETRS-TM35FIN metres{hint}")
    return shape, geometry.transform(shape, tm35fin_to_wgs84)


def read_districts(collection: Any, options: DistrictImportOptions) -> list[DistrictDraft]:
    """Every feature of a GeoJSON FeatureCollection as a district, or :class:`Invalid`
    naming the first bad feature (``features[3].geometry``) and what is wrong with it."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise Invalid("type", "the body must be a GeoJSON FeatureCollection")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid("features", "the FeatureCollection has no features")
    if len(features) > MAX_FEATURES:
        raise Invalid("features", f"at most {MAX_FEATURES} districts can be imported at once")
    crs = _crs_of(collection, options)
    drafts: list[DistrictDraft] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise Invalid(where, f"{where} is not a GeoJSON Feature")
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            raise Invalid(f"{where}.properties", f"{where} has no properties")
        code = _text(properties, options.code_property, where, needed=True)
        assert code is not None
        if not re.match(DISTRICT_CODE_PATTERN, code):
            raise Invalid(
                f"{where}.properties.{options.code_property}",
                f"{where}: the code {code!r} must be 1-16 letters, digits, '.', '_' or '-'",
            )
        if code in seen:
            raise Invalid(
                f"{where}.properties.{options.code_property}",
                f"{where}: the code {code!r} is already used by features[{seen[code]}]",
            )
        seen[code] = index
        name = _text(properties, options.name_property, where, needed=True)
        assert name is not None
        name_sv = (
            _text(properties, options.name_sv_property, where, needed=False)
            if options.name_sv_property
            else None
        )
        metres, degrees = _shapes(feature.get("geometry"), crs, where)
        drafts.append(
            DistrictDraft(
                code=code,
                name_fi=name,
                name_sv=name_sv,
                population=_population(properties, options.population_property, where),
                metres=metres,
                degrees=degrees,
            )
        )
    return drafts


def _district_values(draft: DistrictDraft, source: str) -> dict[str, Any]:
    """Column values, rounded so that reading the same source again compares equal."""
    x, y = draft.centre or geometry.centre(draft.metres)
    lon, lat = tm35fin_to_wgs84(x, y)
    return {
        "name_fi": draft.name_fi,
        "name_sv": draft.name_sv,
        "population": draft.population,
        "centre_x": round(x, 2),
        "centre_y": round(y, 2),
        "centre_lat": round(lat, 7),
        "centre_lon": round(lon, 7),
        "geometry": json.dumps(geometry.to_geojson(draft.degrees, 7), separators=(",", ":")),
        "source": source,
    }


def save_districts(
    session: Session, organisation_id: str | None, drafts: Iterable[DistrictDraft], source: str
) -> tuple[list[str], list[str]]:
    """Insert new districts and update changed ones of one scope (None: the defaults);
    unchanged rows are not touched. Returns the created and the updated codes."""
    existing = {
        d.code: d
        for d in session.scalars(
            select(District).where(in_scope(District.organisation_id, organisation_id))
        )
    }
    created: list[str] = []
    updated: list[str] = []
    for draft in drafts:
        values = _district_values(draft, source)
        row = existing.get(draft.code)
        if row is None:
            session.add(District(organisation_id=organisation_id, code=draft.code, **values))
            created.append(draft.code)
        elif any(getattr(row, column) != value for column, value in values.items()):
            for column, value in values.items():
                setattr(row, column, value)
            updated.append(draft.code)
    session.flush()
    return created, updated


def update_neighbours(session: Session, organisation_id: str | None) -> int:
    """Bring the neighbour rows of one scope (None: the defaults) in line with the stored
    borders, writing only differences. Returns the number of neighbouring pairs."""
    districts = list(
        session.scalars(
            select(District)
            .where(in_scope(District.organisation_id, organisation_id))
            .order_by(District.code)
        )
    )
    shapes = [
        geometry.transform(geometry.parse_geometry(json.loads(d.geometry)), wgs84_to_tm35fin)
        for d in districts
    ]
    wanted: set[tuple[str, str]] = set()
    for i, j in geometry.neighbour_pairs(shapes):
        wanted.add((districts[i].id, districts[j].id))
        wanted.add((districts[j].id, districts[i].id))
    ids = [d.id for d in districts]
    stored = {
        (row.district_id, row.neighbour_id)
        for row in session.execute(
            select(DistrictNeighbour.district_id, DistrictNeighbour.neighbour_id).where(
                DistrictNeighbour.district_id.in_(ids)
            )
        )
    }
    stale = stored - wanted
    if stale:
        for district_id, neighbour_id in stale:
            session.execute(
                delete(DistrictNeighbour).where(
                    DistrictNeighbour.district_id == district_id,
                    DistrictNeighbour.neighbour_id == neighbour_id,
                )
            )
    missing = wanted - stored
    if missing:
        session.execute(
            insert(DistrictNeighbour),
            [{"district_id": a, "neighbour_id": b} for a, b in sorted(missing)],
        )
    return len(wanted) // 2


def import_districts(
    session: Session,
    principal: Principal,
    collection: Any,
    options: DistrictImportOptions,
) -> DistrictImportOut:
    """An organisation's own districts from a FeatureCollection: new codes are added, known
    ones updated, others kept; then neighbours among all its own districts are computed.
    Any bad feature refuses the whole file. Codes of the default districts are refused too,
    so that a district code always means one area."""
    organisation_id = principal.organisation_id
    drafts = read_districts(collection, options)
    defaults = set(session.scalars(select(District.code).where(District.organisation_id.is_(None))))
    for index, draft in enumerate(drafts):
        if draft.code in defaults:
            raise Invalid(
                f"features[{index}].properties.{options.code_property}",
                f"features[{index}]: {draft.code!r} is the code of a default district",
            )
    created, updated = save_districts(session, organisation_id, drafts, options.source)
    pairs = update_neighbours(session, organisation_id)
    total = len(
        session.scalars(
            select(District.id).where(District.organisation_id == organisation_id)
        ).all()
    )
    audit.record(
        session,
        principal,
        organisation_id,
        "districts.imported",
        "organisation",
        organisation_id,
        created=created,
        updated=updated,
        source=options.source,
    )
    publish_reference_changed(session, organisation_id)
    return DistrictImportOut(
        created=created, updated=updated, districts=total, neighbour_pairs=pairs
    )


# --- categories ---------------------------------------------------------------------------


def _folded(text: str) -> str:
    """Lower case without diacritics, so that 'paivakoti' finds 'Päiväkoti'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _natural(code: str) -> tuple[Any, ...]:
    """P4.2 before P4.10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code))


def _sibling_order(category: Category) -> tuple[bool, tuple[Any, ...]]:
    """The defaults first, an organisation's own after them; each in natural code order."""
    return category.organisation_id is not None, _natural(category.code)


def _tree_order(categories: list[Category]) -> list[Category]:
    """Parents first, each followed by its children."""
    codes = {c.code for c in categories}
    children: dict[str | None, list[Category]] = defaultdict(list)
    for category in categories:
        parent = category.parent_code if category.parent_code in codes else None
        children[parent].append(category)
    ordered: list[Category] = []
    seen: set[str] = set()

    def visit(parent: str | None) -> None:
        for child in sorted(children[parent], key=_sibling_order):
            if child.id not in seen:
                seen.add(child.id)
                ordered.append(child)
                visit(child.code)

    visit(None)
    # A category caught in a loop of parents is never reached from the top; list it last.
    return ordered + [c for c in categories if c.id not in seen]


def _labels(category: Category) -> CategoryLabels:
    return CategoryLabels(fi=category.label_fi, sv=category.label_sv, en=category.label_en)


def category_view(category: Category, lang: Language = "fi") -> CategoryOut:
    labels = _labels(category)
    preferred = getattr(labels, lang)
    label = preferred or labels.fi or labels.en or labels.sv or category.code
    return CategoryOut(
        code=category.code,
        parent_code=category.parent_code,
        label=label,
        labels=labels,
        organisation_id=category.organisation_id,
        source=category.source,
    )


def _visible_categories(session: Session, organisation_id: str) -> list[Category]:
    query = select(Category).where(_visible(Category.organisation_id, organisation_id))
    return list(session.scalars(query))


def search_categories(
    session: Session, organisation_id: str, q: str | None, lang: Language | None
) -> list[CategoryOut]:
    """Categories whose label holds every word of ``q`` (case and accents ignored), in tree
    order; in ``lang`` only when given, else in any of Finnish, Swedish and English. A few
    hundred short labels are searched faster in Python than the database could be taught
    to fold accents in both PostgreSQL and SQLite."""
    words = _folded(q or "").split()
    languages: tuple[Language, ...] = (lang,) if lang else ("fi", "sv", "en")
    found = []
    for category in _tree_order(_visible_categories(session, organisation_id)):
        labels = _labels(category)
        texts = [_folded(getattr(labels, language) or "") for language in languages]
        if all(any(word in text for text in texts) for word in words):
            found.append(category_view(category, lang or "fi"))
    return found


def find_category(session: Session, organisation_id: str, code: str) -> Category | None:
    found = session.scalars(
        select(Category).where(
            Category.code == code, _visible(Category.organisation_id, organisation_id)
        )
    ).all()
    return min(found, key=lambda c: c.organisation_id is None, default=None)


def category_exists(session: Session, organisation_id: str, code: str) -> bool:
    return find_category(session, organisation_id, code) is not None


def get_category(
    session: Session, organisation_id: str, code: str, lang: Language = "fi"
) -> CategoryDetail:
    category = find_category(session, organisation_id, code)
    if category is None:
        raise NotFound("no such category")
    children = [
        c
        for c in _tree_order(_visible_categories(session, organisation_id))
        if c.parent_code == code and c.code != code
    ]
    return CategoryDetail(
        **category_view(category, lang).model_dump(),
        children=[category_view(c, lang) for c in children],
    )


def create_category(session: Session, principal: Principal, data: CategoryIn) -> Category:
    """An organisation's own category, beside (or under) the defaults. Its code may not be
    one the organisation already sees, so that a category code always means one thing."""
    organisation_id = principal.organisation_id
    clash = find_category(session, organisation_id, data.code)
    if clash is not None:
        whose = "a default category" if clash.organisation_id is None else "one of your categories"
        raise Conflict(
            f"the code {data.code!r} is already {whose}", field="code", code="code_taken"
        )
    if data.parent_code and not category_exists(session, organisation_id, data.parent_code):
        raise Invalid("parent_code", "no such category")

    def clean(value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None

    category = Category(
        organisation_id=organisation_id,
        code=data.code,
        parent_code=data.parent_code or None,
        label_fi=clean(data.labels.fi),
        label_sv=clean(data.labels.sv),
        label_en=clean(data.labels.en),
        source="organisation",
    )
    session.add(category)
    session.flush()
    audit.record(session, principal, organisation_id, "category.created", "category", category.id)
    publish_reference_changed(session, organisation_id)
    return category
