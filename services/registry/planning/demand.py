"""The registry's copy of demand, kept from matching's `wish.changed`: per wish, its
organisation, the support user's district, its categories and whether it is open. The
event's support user id is not kept; the words never leave matching."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.registry.identity.models import utcnow
from services.registry.planning.models import DemandWish

# Matching's wish statuses that still wait for a resource; any other status (fulfilled,
# dropped, or one added later) no longer counts as demand.
OPEN_STATUSES = frozenset({"open", "in_progress"})


def _changed_at(payload: dict[str, Any]) -> datetime | None:
    """The event's ``changed_at``; a time written without an offset is UTC."""
    value = payload.get("changed_at")
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_wish(session: Session, payload: dict[str, Any]) -> None:
    """Keeps the wish as the event describes it. When events carry ``changed_at``, one
    older than the copy (delivered late) changes nothing; without it the latest applied
    wins."""
    changed_at = _changed_at(payload)
    wish = session.get(DemandWish, payload["wish_id"])
    if wish is not None and changed_at is not None and changed_at < wish.changed_at:
        return
    if wish is None:
        wish = DemandWish(wish_id=payload["wish_id"])
        session.add(wish)
    wish.organisation_id = payload["organisation_id"]
    wish.district_code = payload.get("district_code") or None
    wish.category_codes = sorted({str(code) for code in payload.get("category_codes") or ()})
    wish.open = payload.get("status") in OPEN_STATUSES
    wish.changed_at = changed_at or utcnow()
    session.flush()
