"""Supply aggregates for planners: partner counts by district × category, counting only
partners with `statistics` consent, with small cells suppressed. Nothing about a person."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from services.registry.consent.models import ConsentGrant
from services.registry.consent.service import grant_is_valid
from services.registry.partners.models import Partner, PartnerStatus
from shared.database import elements

DEFAULT_K = 5


@dataclass(frozen=True)
class Cell:
    district_code: str
    category_code: str
    partners: int | None  # None when suppressed
    suppressed: bool


def supply(session: Session, k: int = DEFAULT_K) -> list[Cell]:
    consenting = (
        select(ConsentGrant.partner_id)
        .where(
            ConsentGrant.partner_id == Partner.id,
            ConsentGrant.purpose == "statistics",
            grant_is_valid(date.today()),
        )
        .exists()
    )
    codes = elements(session.get_bind().dialect.name, Partner.category_codes)
    code = codes.c.value
    rows = session.execute(
        select(Partner.district_code, code, func.count(func.distinct(Partner.id)))
        .join(codes, true())
        .where(
            Partner.status == PartnerStatus.active.value,
            Partner.district_code.isnot(None),
            consenting,
        )
        .group_by(Partner.district_code, code)
        .order_by(Partner.district_code, code)
    )
    return [
        Cell(str(district), category, None if count < k else count, count < k)
        for district, category, count in rows
    ]
