"""Routes for a staff member's due items and delivery settings, the organisation's upkeep
policy, and failed deliveries with their retry."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.reminders.deliveries import staff_view
from services.reminders.deliveries.schemas import (
    DeliveryOut,
    DeliverySettings,
    NotificationOut,
    Policy,
    SnoozeIn,
)
from services.reminders.runtime import RemindersDep
from services.reminders.tasks import enqueue
from shared.auth import Principal, PrincipalDep, require_roles
from shared.auth.deps import AdminDep
from shared.deps import SessionDep

router = APIRouter(tags=["reminders"])
StaffDep = Annotated[Principal, Depends(require_roles("admin", "staff", "coordinator"))]


@router.get("/notifications", response_model=list[NotificationOut], summary="My due items")
def notifications(
    principal: StaffDep,
    session: SessionDep,
    reminders: RemindersDep,
    status: Annotated[str, Query(pattern="^(open|done|snoozed|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[NotificationOut]:
    return staff_view.notifications(session, reminders, principal, status, limit, offset)


@router.post("/notifications/{notification_id}/done", response_model=NotificationOut)
def mark_done(
    notification_id: str, principal: StaffDep, session: SessionDep, reminders: RemindersDep
) -> NotificationOut:
    return staff_view.mark_done(session, reminders, principal, notification_id)


@router.post("/notifications/{notification_id}/snooze", response_model=NotificationOut)
def snooze(
    notification_id: str,
    body: SnoozeIn,
    principal: StaffDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> NotificationOut:
    return staff_view.snooze(session, reminders, principal, notification_id, body.days)


@router.get("/me/delivery-settings", response_model=DeliverySettings)
def my_settings(principal: StaffDep, session: SessionDep) -> DeliverySettings:
    return staff_view.delivery_settings(session, principal)


@router.put("/me/delivery-settings", response_model=DeliverySettings)
def change_my_settings(
    body: DeliverySettings, principal: StaffDep, session: SessionDep
) -> DeliverySettings:
    return staff_view.change_delivery_settings(session, principal, body)


@router.get("/organisation/policy", response_model=Policy, summary="Upkeep cadences, quiet hours")
def policy(principal: PrincipalDep, session: SessionDep) -> Policy:
    return staff_view.read_policy(session, principal)


@router.put("/organisation/policy", response_model=Policy)
def change_policy(
    body: Policy, admin: AdminDep, session: SessionDep, reminders: RemindersDep
) -> Policy:
    return staff_view.change_policy(session, reminders, admin, body)


@router.get(
    "/deliveries", response_model=list[DeliveryOut], summary="The organisation's deliveries"
)
def deliveries(
    principal: StaffDep,
    session: SessionDep,
    reminders: RemindersDep,
    status: Annotated[
        str, Query(pattern="^(failed|pending|queued|sending|sent|held|cancelled)$")
    ] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DeliveryOut]:
    return staff_view.deliveries(session, reminders, principal, status, limit, offset)


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
def retry(delivery_id: str, principal: StaffDep, session: SessionDep) -> DeliveryOut:
    """A failed delivery tried again from the start (its key stays: still sent at most once
    by the same idempotency key)."""
    out = staff_view.retry(session, principal, delivery_id)
    session.commit()
    enqueue([delivery_id])
    return out
