"""Withdrawing what has not gone out yet: a withdrawn consent or a forgotten partner must
not be written to after the fact."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from services.reminders.deliveries.models import Delivery, DeliveryStatus

NOT_YET_SENT = (
    DeliveryStatus.pending.value,
    DeliveryStatus.queued.value,
    DeliveryStatus.held.value,
)


def cancel_pending(session: Session, subject_id: str, schedule_id: str | None = None) -> None:
    query = update(Delivery).where(
        Delivery.subject_id == subject_id, Delivery.status.in_(NOT_YET_SENT)
    )
    if schedule_id is not None:
        query = query.where(Delivery.schedule_id == schedule_id)
    session.execute(query.values(status=DeliveryStatus.cancelled.value))
