"""`reference.changed`: a scope's districts (with their neighbours) and categories (with
their labels), whole, for the services that keep a copy (matching ranks by district
distance and finds resources through category labels). Nothing personal."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from services.registry.models import outbox
from services.registry.reference.models import Category, District, DistrictNeighbour, in_scope
from shared.events import publish


def reference_payload(session: Session, organisation_id: str | None) -> dict[str, Any]:
    neighbour = aliased(District)
    pairs = session.execute(
        select(District.code, neighbour.code)
        .join(DistrictNeighbour, DistrictNeighbour.district_id == District.id)
        .join(neighbour, neighbour.id == DistrictNeighbour.neighbour_id)
        .where(in_scope(District.organisation_id, organisation_id))
    ).all()
    districts: dict[str, Any] = {
        d.code: {"name": d.name_fi, "neighbours": []}
        for d in session.scalars(
            select(District).where(in_scope(District.organisation_id, organisation_id))
        )
    }
    for code, neighbour_code in sorted(pairs):
        districts[code]["neighbours"].append(neighbour_code)
    categories = {
        c.code: {"fi": c.label_fi or "", "sv": c.label_sv or "", "en": c.label_en or ""}
        for c in session.scalars(
            select(Category).where(in_scope(Category.organisation_id, organisation_id))
        )
    }
    return {"organisation_id": organisation_id, "districts": districts, "categories": categories}


def publish_reference_changed(session: Session, organisation_id: str | None) -> None:
    session.flush()
    publish(session, outbox, "reference.changed", **reference_payload(session, organisation_id))


def publish_all(session: Session) -> int:
    """Every scope's reference data: the defaults and each organisation's own."""
    scopes = (
        {None}
        | set(
            session.scalars(
                select(District.organisation_id).where(District.organisation_id.isnot(None))
            )
        )
        | set(
            session.scalars(
                select(Category.organisation_id).where(Category.organisation_id.isnot(None))
            )
        )
    )
    for scope in scopes:
        publish_reference_changed(session, scope)
    return len(scopes)
