"""Keeping schedules in line with what reminders knows about a partner, a referral or a
staff member. Each sync computes what should be scheduled and writes only differences;
anything no longer wanted (consent withdrawn, partner forgotten) is cancelled at once."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.reminders.deliveries.cancel import cancel_pending
from services.reminders.organisations.models import OrganisationClock
from services.reminders.people.models import PartnerCopy
from services.reminders.schedules.clock import add_months, at_local, next_birthday
from services.reminders.schedules.models import Schedule, ScheduleKind, ScheduleStatus
from shared.local_time import DEFAULT_ZONE, today_in

# Partner schedules, re-derived whenever the partner changes.
PARTNER_KINDS = (
    ScheduleKind.upkeep,
    ScheduleKind.consent_renewal,
    ScheduleKind.consent_request,
    ScheduleKind.pending_purge,
    ScheduleKind.greeting,
    ScheduleKind.stale_card,
)
UPKEEP_REPEAT_DAYS = 14  # an upkeep reminder not acted on comes back after two weeks
STALE_REPEAT_DAYS = 30


@dataclass(frozen=True)
class Wanted:
    kind: str
    subject_id: str
    next_due_at: datetime
    assignee_user_id: str | None
    rule: dict[str, Any]


def policy(session: Session, organisation_id: str) -> OrganisationClock:
    """The organisation's clock and cadences; the defaults until the registry's
    `organisation.created` arrives."""
    found = session.get(OrganisationClock, organisation_id)
    if found is None:
        found = OrganisationClock(organisation_id=organisation_id, timezone=DEFAULT_ZONE)
        session.add(found)
        session.flush()
    return found


def wanted_for_partner(
    clock: OrganisationClock, partner: PartnerCopy, document: dict[str, Any], today: date
) -> list[Wanted]:
    """What a partner's upkeep should be now, from its coarse facts and consents."""
    purposes = {p for p in partner.purposes.split("|") if p}
    zone, pid, staff = clock.timezone, partner.partner_id, partner.responsible_user_id
    found: list[Wanted] = []
    if partner.status == "pending":
        found.append(Wanted(ScheduleKind.consent_request, pid, at_local(today, zone), staff, {}))
        if partner.purge_after:  # the registry keeps it through that day
            purge = at_local(partner.purge_after + timedelta(days=1), zone)
            found.append(Wanted(ScheduleKind.pending_purge, pid, purge, None, {}))
        return found
    if partner.status != "active" or "file" not in purposes:
        return found
    months = clock.strong_months if partner.tie_strength == "strong" else clock.weak_months
    since = partner.last_contact_on or partner.card_updated_on or today
    upkeep = at_local(add_months(since, months), zone)
    rule = {"every_days": UPKEEP_REPEAT_DAYS}
    found.append(Wanted(ScheduleKind.upkeep, pid, upkeep, staff, rule))
    expiries = [date.fromisoformat(v) for v in partner.valid_until.values()]
    if expiries:
        ask_on = max(today, min(expiries) - timedelta(days=clock.renewal_days))
        found.append(Wanted(ScheduleKind.consent_renewal, pid, at_local(ask_on, zone), staff, {}))
    birthday = document.get("birthday")
    if "greetings" in purposes and birthday and document.get("email"):
        day = next_birthday(date.fromisoformat(birthday), today)
        found.append(
            Wanted(ScheduleKind.greeting, pid, at_local(day, zone), None, {"every": "year"})
        )
    if partner.card_updated_on:
        stale = add_months(partner.card_updated_on, clock.stale_months)
        rule = {"every_days": STALE_REPEAT_DAYS}
        found.append(Wanted(ScheduleKind.stale_card, pid, at_local(stale, zone), staff, rule))
    return found


def sync(
    session: Session,
    organisation_id: str,
    kinds: tuple[str, ...],
    subject_id: str,
    wanted: list[Wanted],
) -> None:
    """Makes ``subject_id``'s schedules of ``kinds`` exactly ``wanted``: new ones added,
    changed ones moved, the rest cancelled."""
    held = {
        s.kind: s
        for s in session.scalars(
            select(Schedule).where(Schedule.subject_id == subject_id, Schedule.kind.in_(kinds))
        )
    }
    for item in wanted:
        schedule = held.pop(item.kind, None)
        if schedule is None:
            session.add(
                Schedule(
                    organisation_id=organisation_id,
                    kind=item.kind,
                    subject_id=subject_id,
                    assignee_user_id=item.assignee_user_id,
                    next_due_at=item.next_due_at,
                    rule=item.rule,
                )
            )
            continue
        if (
            schedule.status == ScheduleStatus.done.value
            and schedule.next_due_at == item.next_due_at
        ):
            continue  # a one-off that already fell due for exactly this
        schedule.status = ScheduleStatus.active.value
        schedule.next_due_at = item.next_due_at
        schedule.assignee_user_id = item.assignee_user_id
        schedule.rule = item.rule
    for schedule in held.values():
        if schedule.status == ScheduleStatus.active.value:
            schedule.status = ScheduleStatus.cancelled.value
            cancel_pending(session, subject_id, schedule.id)
    session.flush()


def sync_partner(session: Session, partner: PartnerCopy, document: dict[str, Any]) -> None:
    clock = policy(session, partner.organisation_id)
    wanted = wanted_for_partner(clock, partner, document, today_in(clock.timezone))
    kinds = tuple(k.value for k in PARTNER_KINDS)
    sync(session, partner.organisation_id, kinds, partner.partner_id, wanted)


def cancel_subject(session: Session, subject_id: str) -> None:
    """Every schedule of the subject ends now, and its deliveries not yet sent with it."""
    session.execute(
        update(Schedule)
        .where(Schedule.subject_id == subject_id, Schedule.status == ScheduleStatus.active.value)
        .values(status=ScheduleStatus.cancelled.value)
    )
    cancel_pending(session, subject_id)
