"""Applying `reference.changed` and reading matching's copy of districts and categories.
An organisation's own districts and categories stand beside the shared defaults."""

from sqlalchemy import ColumnElement, delete, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.matching.reference.models import DEFAULTS, CategoryLabel, District
from services.matching.runtime import Matching
from shared.events import Event


def apply_reference_changed(session: Session, _: Matching, event: Event) -> None:
    """The event carries a scope's whole reference data, so applying it replaces the copy."""
    payload = event.payload
    scope = payload.get("organisation_id") or DEFAULTS
    districts = payload.get("districts")
    if districts is not None:
        session.execute(delete(District).where(District.scope == scope))
        rows = [
            {"scope": scope, "code": code, "name": d["name"], "neighbour_codes": d["neighbours"]}
            for code, d in districts.items()
        ]
        if rows:
            session.execute(insert(District), rows)
    categories = payload.get("categories")
    if categories is not None:
        session.execute(delete(CategoryLabel).where(CategoryLabel.scope == scope))
        rows = [
            {
                "scope": scope,
                "code": code,
                "label_fi": labels.get("fi", ""),
                "label_sv": labels.get("sv", ""),
                "label_en": labels.get("en", ""),
            }
            for code, labels in categories.items()
        ]
        if rows:
            session.execute(insert(CategoryLabel), rows)


def _in_scope(column: InstrumentedAttribute[str], organisation_id: str) -> ColumnElement[bool]:
    return or_(column == DEFAULTS, column == organisation_id)


def find_district(session: Session, organisation_id: str, code: str) -> District | None:
    """The organisation's own district of that code, else the default one."""
    rows = session.scalars(
        select(District).where(_in_scope(District.scope, organisation_id), District.code == code)
    ).all()
    return max(rows, key=lambda d: d.scope != DEFAULTS, default=None)


def category_labels(
    session: Session, organisation_id: str, codes: list[str]
) -> dict[str, CategoryLabel]:
    if not codes:
        return {}
    rows = session.scalars(
        select(CategoryLabel).where(
            _in_scope(CategoryLabel.scope, organisation_id),
            CategoryLabel.code.in_(codes),
        )
    )
    return {row.code: row for row in rows}
