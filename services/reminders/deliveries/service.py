"""The due scan, queueing, the sweeper and sending.

The due scan claims due schedules (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two beats
or two scans at once never claim the same row), writes one delivery per due occurrence
under a unique idempotency key (``<schedule>:<due time>:<channel>``, so a repeated scan
writes nothing twice), moves each schedule on, and commits. Ready deliveries are then
marked queued and their ids handed to the broker; the sweeper queues again whatever stayed
queued too long, so a lost message or a restarted Redis loses nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.reminders.deliveries.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
)
from services.reminders.models import outbox
from services.reminders.organisations.models import OrganisationClock
from services.reminders.people.models import StaffMember
from services.reminders.schedules.clock import after_quiet_hours, at_local, next_birthday
from services.reminders.schedules.models import Schedule, ScheduleKind, ScheduleStatus
from services.reminders.schedules.service import policy
from shared.database import Database, new_id, utcnow
from shared.events import publish

STAFF_KINDS = (
    ScheduleKind.upkeep.value,
    ScheduleKind.consent_renewal.value,
    ScheduleKind.consent_request.value,
    ScheduleKind.stale_card.value,
    ScheduleKind.referral_follow_up.value,
    ScheduleKind.action_item.value,
)
Enqueue = Callable[[list[str]], None]


def _locked(query: Select[Any], session: Session) -> Select[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query  # SQLite: one writer at a time anyway


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Inserts deliveries, skipping any whose idempotency key exists; the new ids.

    The rows go as parameters of one statement (SQLAlchemy's "insertmanyvalues"), which is
    compiled once and cached, rather than as a literal multi-row ``VALUES`` built anew for
    every batch."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Delivery)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Delivery.id)
    )
    return list(session.scalars(statement, rows))


@dataclass(frozen=True)
class Occurrence:
    schedule: Schedule
    due_at: datetime


def _delivery(
    occurrence: Occurrence,
    channel: str,
    recipient_kind: str,
    recipient: str,
    status: str,
    send_after: datetime,
) -> dict[str, Any]:
    schedule = occurrence.schedule
    return {
        "id": new_id(),
        "organisation_id": schedule.organisation_id,
        "idempotency_key": f"{schedule.id}:{occurrence.due_at.isoformat()}:{channel}",
        "schedule_id": schedule.id,
        "kind": schedule.kind,
        "subject_id": schedule.subject_id,
        "recipient_kind": recipient_kind,
        "recipient_id": recipient,
        "channel": channel,
        "due_at": occurrence.due_at,
        "send_after": send_after,
        "status": status,
        "attempts": 0,
        "created_at": utcnow(),
    }


@dataclass
class BatchContext:
    """The organisations' clocks and the assignees of one batch, loaded once and held.

    Held, because the session's identity map keeps loaded objects only weakly: looked up
    one schedule at a time, they went back to the database twice or three times per
    schedule."""

    clocks: dict[str, OrganisationClock]
    staff: dict[tuple[str, str], StaffMember]

    @classmethod
    def load(cls, session: Session, due: list[Schedule]) -> "BatchContext":
        organisations = {s.organisation_id for s in due}
        assignees = {s.assignee_user_id for s in due if s.assignee_user_id is not None}
        staff: list[StaffMember] = []
        if assignees:
            staff = list(
                session.scalars(
                    select(StaffMember).where(
                        StaffMember.user_id.in_(assignees),
                        StaffMember.organisation_id.in_(organisations),
                    )
                )
            )
        return cls(
            clocks={org: policy(session, org) for org in organisations},
            staff={(m.user_id, m.organisation_id): m for m in staff},
        )


def _rows_for(
    session: Session, context: BatchContext, occurrence: Occurrence
) -> list[dict[str, Any]]:
    schedule = occurrence.schedule
    clock = context.clocks[schedule.organisation_id]
    send_after = after_quiet_hours(
        max(occurrence.due_at, utcnow()), clock.timezone, clock.quiet_start, clock.quiet_end
    )
    pending = DeliveryStatus.pending.value
    if schedule.kind == ScheduleKind.greeting.value:
        return [
            _delivery(
                occurrence, Channel.email, "partner", schedule.subject_id, pending, send_after
            )
        ]
    if schedule.kind == ScheduleKind.digest.value:
        user_id = schedule.subject_id.split(":", 1)[0]
        waiting = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.recipient_id == user_id,
                Delivery.organisation_id == schedule.organisation_id,
                Delivery.status == DeliveryStatus.held.value,
            )
        )
        if not waiting:
            return []  # no digest on a day with nothing due
        return [_delivery(occurrence, Channel.email, "staff", user_id, pending, send_after)]
    if schedule.kind not in STAFF_KINDS or schedule.assignee_user_id is None:
        return []
    staff = context.staff.get((schedule.assignee_user_id, schedule.organisation_id))
    rows = [
        _delivery(
            occurrence,
            Channel.in_app,
            "staff",
            schedule.assignee_user_id,
            DeliveryStatus.sent.value,
            occurrence.due_at,
        )
    ]
    if staff is not None and staff.contact_encrypted and staff.email_reminders:
        status = DeliveryStatus.held.value if staff.digest else pending
        rows.append(
            _delivery(occurrence, Channel.email, "staff", staff.user_id, status, send_after)
        )
    return rows


def _advance(schedule: Schedule, zone: str, now: datetime) -> None:
    rule = schedule.rule or {}
    if rule.get("every") == "year":
        local = schedule.next_due_at.astimezone(ZoneInfo(zone))
        day = next_birthday(local.date(), local.date() + timedelta(days=1))
        schedule.next_due_at = at_local(day, zone, local.time())
    elif rule.get("every_days"):
        # Again a full step after it fell due now, at the same time of day as before.
        step = timedelta(days=int(rule["every_days"]))
        while schedule.next_due_at <= now + step - timedelta(days=1):
            schedule.next_due_at += step
    else:
        schedule.status = ScheduleStatus.done.value


def scan_due(session: Session, batch: int, now: datetime | None = None) -> int:
    """One batch of due schedules turned into deliveries, in the caller's transaction.
    Returns how many schedules fell due."""
    now = now or utcnow()
    due = list(
        session.scalars(
            _locked(
                select(Schedule)
                .where(Schedule.status == ScheduleStatus.active.value, Schedule.next_due_at <= now)
                .order_by(Schedule.next_due_at)
                .limit(batch),
                session,
            )
        )
    )
    context = BatchContext.load(session, due)
    rows: list[dict[str, Any]] = []
    # Nothing in the loop needs the schedules moved on so far flushed: without autoflush
    # their updates leave together at the end instead of one before each query.
    with session.no_autoflush:
        for schedule in due:
            occurrence = Occurrence(schedule, schedule.next_due_at)
            if schedule.kind == ScheduleKind.pending_purge.value:
                publish(
                    session,
                    outbox,
                    "partner.purge_due",
                    partner_id=schedule.subject_id,
                    organisation_id=schedule.organisation_id,
                )
            else:
                rows.extend(_rows_for(session, context, occurrence))
            _advance(schedule, context.clocks[schedule.organisation_id].timezone, now)
    created = set(_insert(session, rows))
    for row in rows:
        if row["id"] in created and row["channel"] == Channel.in_app:
            session.add(
                Notification(
                    delivery_id=row["id"],
                    organisation_id=row["organisation_id"],
                    user_id=row["recipient_id"],
                    kind=row["kind"],
                    subject_id=row["subject_id"],
                    due_at=row["due_at"],
                )
            )
    session.flush()
    return len(due)


def claim_ready(session: Session, batch: int, now: datetime | None = None) -> list[str]:
    """Pending deliveries whose time has come, marked queued; their ids to enqueue after
    the commit."""
    now = now or utcnow()
    ids = list(
        session.scalars(
            _locked(
                select(Delivery.id)
                .where(Delivery.status == DeliveryStatus.pending.value, Delivery.send_after <= now)
                .order_by(Delivery.send_after)
                .limit(batch),
                session,
            )
        )
    )
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(status=DeliveryStatus.queued.value, queued_at=now)
        )
    return ids


def claim_stuck(session: Session, older_than: timedelta, batch: int) -> list[str]:
    """Deliveries queued (or taken by a worker that vanished) too long ago: queued again."""
    now = utcnow()
    ids = list(
        session.scalars(
            _locked(
                select(Delivery.id)
                .where(
                    Delivery.status.in_(
                        (DeliveryStatus.queued.value, DeliveryStatus.sending.value)
                    ),
                    Delivery.queued_at < now - older_than,
                )
                .limit(batch),
                session,
            )
        )
    )
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(status=DeliveryStatus.queued.value, queued_at=now)
        )
    return ids


def run_due_scan(database: Database, batch: int, enqueue: Enqueue) -> int:
    """The beat task's body: scan until nothing is due, queue what is ready. Each batch is
    its own transaction, and ids reach the broker only after their rows are committed."""
    fell_due = 0
    while True:
        with database.session() as session:
            found = scan_due(session, batch)
        fell_due += found
        if found < batch:
            break
    while True:
        with database.session() as session:
            ids = claim_ready(session, batch)
        if ids:
            enqueue(ids)
        if len(ids) < batch:
            return fell_due


def run_sweep(database: Database, older_than: timedelta, batch: int, enqueue: Enqueue) -> int:
    swept = 0
    while True:
        with database.session() as session:
            ids = claim_stuck(session, older_than, batch)
        if ids:
            enqueue(ids)
        swept += len(ids)
        if len(ids) < batch:
            return swept


def counts(session: Session, organisation_id: str | None = None) -> dict[str, int]:
    """Deliveries by status and the schedules due now, for the operations page: the whole
    installation's, or one organisation's."""
    deliveries = select(Delivery.status, func.count()).group_by(Delivery.status)
    due = (
        select(func.count())
        .select_from(Schedule)
        .where(
            Schedule.status == ScheduleStatus.active.value,
            Schedule.next_due_at <= datetime.now(UTC),
        )
    )
    if organisation_id is not None:
        deliveries = deliveries.where(Delivery.organisation_id == organisation_id)
        due = due.where(Schedule.organisation_id == organisation_id)
    by_status = dict(session.execute(deliveries).all())
    return {
        **{str(k): int(v) for k, v in by_status.items()},
        "due_schedules": int(session.scalar(due) or 0),
    }
