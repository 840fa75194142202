"""Who an issue goes to and whom it may name, decided from reminders' own copies of
partners and pool memberships, both kept from registry events.

A partner *receives* an issue when, at send time, it is active, holds `newsletter`
consent, has an e-mail address reminders may use, and

- for an organisation's issue: belongs to that organisation;
- for a pool's issue: belongs to the issuing organisation, or to another active member of
  the pool and also consents to that pool (`pool:<id>`).

A partner may be *named* in an issue (the "new partners" block) under the same consent,
without needing an e-mail address: it takes part in the organisation's newsletter, and for
a pool, its consent already lets the pool's members see its name. Nobody else is named.

A consent that ends before an e-mail leaves cancels that e-mail."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.reminders.deliveries.cancel import NOT_YET_SENT
from services.reminders.deliveries.models import Delivery, DeliveryStatus
from services.reminders.newsletters.models import (
    NewsletterDelivery,
    NewsletterIssue,
    PoolMembership,
)
from services.reminders.people.models import PartnerCopy
from shared.events import Event

ACTIVE = "active"
KIND = "newsletter"  # the deliveries' kind


def apply_pool_membership_changed(session: Session, _: Any, event: Event) -> None:
    """Keeps the newest state of a membership (an older version arriving late is ignored);
    an organisation that leaves a pool takes its partners out of the pool's unsent issues."""
    payload = event.payload
    key = (payload["pool_id"], payload["organisation_id"])
    row = session.get(PoolMembership, key)
    if row is None:
        row = PoolMembership(pool_id=key[0], organisation_id=key[1], version=0)
        session.add(row)
    elif row.version >= payload["version"]:
        return
    row.status = payload["status"]
    row.version = payload["version"]
    row.changed_at = datetime.now(UTC)
    session.flush()
    if row.status != ACTIVE:
        unsent = (
            select(Delivery.id)
            .join(NewsletterDelivery, NewsletterDelivery.delivery_id == Delivery.id)
            .join(NewsletterIssue, NewsletterIssue.id == NewsletterDelivery.issue_id)
            .where(NewsletterIssue.audience == f"pool:{key[0]}", Delivery.status.in_(NOT_YET_SENT))
        )
        recheck(session, list(session.scalars(unsent)))


def pool_members(session: Session, pool_id: str) -> set[str]:
    return set(
        session.scalars(
            select(PoolMembership.organisation_id).where(
                PoolMembership.pool_id == pool_id, PoolMembership.status == ACTIVE
            )
        )
    )


def pool_of(audience: str) -> str | None:
    return audience.split(":", 1)[1] if audience.startswith("pool:") else None


def purposes_of(partner: PartnerCopy) -> set[str]:
    return {p for p in partner.purposes.split("|") if p}


def may_take_part(
    partner: PartnerCopy, issue: NewsletterIssue, members: set[str] | None = None
) -> bool:
    """Whether the partner's consent lets it receive this issue or be named in it (the
    e-mail address is checked separately). ``members``: the pool's active members, when
    the issue is a pool's."""
    purposes = purposes_of(partner)
    if partner.status != ACTIVE or KIND not in purposes:
        return False
    pool_id = pool_of(issue.audience)
    if pool_id is None:
        return partner.organisation_id == issue.organisation_id
    if members is None or issue.organisation_id not in members:
        return False  # the organisation has left the pool: it no longer writes to it
    if partner.organisation_id == issue.organisation_id:
        return True
    return partner.organisation_id in members and f"pool:{pool_id}" in purposes


def members_for(session: Session, issue: NewsletterIssue) -> set[str] | None:
    pool_id = pool_of(issue.audience)
    return pool_members(session, pool_id) if pool_id else None


def candidates(session: Session, issue: NewsletterIssue) -> list[PartnerCopy]:
    """Partners whose consent lets them receive the issue now (their addresses are checked
    by the caller, which opens their documents)."""
    members = members_for(session, issue)
    query = select(PartnerCopy).where(
        PartnerCopy.status == ACTIVE, PartnerCopy.purposes.contains(f"|{KIND}|")
    )
    if members is None:
        query = query.where(PartnerCopy.organisation_id == issue.organisation_id)
    else:
        query = query.where(PartnerCopy.organisation_id.in_(members))
    rows = session.scalars(query.order_by(PartnerCopy.partner_id))
    return [p for p in rows if may_take_part(p, issue, members)]


def recheck(session: Session, delivery_ids: Iterable[str]) -> int:
    """Cancels those of the given unsent newsletter deliveries whose partner may no longer
    receive their issue; returns how many."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    rows = session.execute(
        select(Delivery.id, NewsletterIssue, PartnerCopy)
        .join(NewsletterDelivery, NewsletterDelivery.delivery_id == Delivery.id)
        .join(NewsletterIssue, NewsletterIssue.id == NewsletterDelivery.issue_id)
        .outerjoin(PartnerCopy, PartnerCopy.partner_id == NewsletterDelivery.partner_id)
        .where(Delivery.id.in_(ids), Delivery.status.in_(NOT_YET_SENT))
    ).all()
    members: dict[str, set[str] | None] = {}
    ending = []
    for delivery_id, issue, partner in rows:
        if issue.id not in members:
            members[issue.id] = members_for(session, issue)
        if partner is None or not may_take_part(partner, issue, members[issue.id]):
            ending.append(delivery_id)
    if ending:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ending), Delivery.status.in_(NOT_YET_SENT))
            .values(status=DeliveryStatus.cancelled.value, last_error="consent ended")
        )
    return len(ending)


def unsent_for(session: Session, partner_id: str) -> list[str]:
    return list(
        session.scalars(
            select(Delivery.id).where(
                Delivery.recipient_id == partner_id,
                Delivery.kind == KIND,
                Delivery.status.in_(NOT_YET_SENT),
            )
        )
    )


def after_partner_changed(session: Session, partner_id: str, document: dict[str, Any]) -> None:
    """After `partner.upserted`: the partner's unsent newsletters end if its consent no
    longer covers them or reminders may no longer use its e-mail address."""
    unsent = unsent_for(session, partner_id)
    if unsent and not document.get("email"):
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(unsent), Delivery.status.in_(NOT_YET_SENT))
            .values(status=DeliveryStatus.cancelled.value, last_error="no e-mail address")
        )
    elif unsent:
        recheck(session, unsent)
