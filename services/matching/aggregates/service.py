"""Demand figures for planners: open wishes by the support user's district × the wish's
category, with cells below k suppressed like the registry's supply figures. Counts only;
nothing about a person."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.support_users.models import SupportUser
from services.matching.wishes.models import OPEN_STATUSES, Wish

DEFAULT_K = 5


@dataclass(frozen=True)
class Cell:
    district_code: str
    category_code: str
    wishes: int | None  # None when suppressed
    suppressed: bool


def demand(session: Session, k: int = DEFAULT_K) -> list[Cell]:
    rows = session.execute(
        select(SupportUser.district_code, Wish.category_codes)
        .join(SupportUser, SupportUser.id == Wish.support_user_id)
        .where(Wish.status.in_(OPEN_STATUSES), SupportUser.district_code.isnot(None))
    ).all()
    counts = Counter((str(district), code) for district, codes in rows for code in set(codes or ()))
    return [
        Cell(district, category, None if n < k else n, n < k)
        for (district, category), n in sorted(counts.items())
    ]
