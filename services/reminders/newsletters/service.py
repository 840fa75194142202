"""Composing, previewing, scheduling and sending newsletter issues; the unsubscribe link;
bounces; and each recipient's state.

Sending resolves the audience at that moment (audience.py), writes one delivery per
recipient under the idempotency key ``<issue>:<partner>`` (so sending twice, or the due
scan and the send button at once, writes nothing twice) and queues them after the commit.
The deliveries then go the way of every other e-mail (deliveries/sending.py): retries,
`failed` after the last try, a permanent refusal recorded as a bounce."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.reminders.deliveries.cancel import NOT_YET_SENT
from services.reminders.deliveries.models import Channel, Delivery, DeliveryStatus
from services.reminders.models import outbox
from services.reminders.newsletters import audience, mail
from services.reminders.newsletters.models import IssueStatus, NewsletterDelivery, NewsletterIssue
from services.reminders.newsletters.schemas import (
    BounceIn,
    BounceOut,
    IssueIn,
    IssueOut,
    PreviewOut,
    RecipientOut,
)
from services.reminders.people.models import PartnerCopy
from services.reminders.people.service import partner_document
from services.reminders.runtime import Reminders
from services.reminders.schedules.clock import after_quiet_hours
from services.reminders.schedules.service import policy
from shared.auth import Principal
from shared.database import new_id, utcnow
from shared.errors import Conflict, Invalid, NotFound
from shared.events import publish

Enqueue = Callable[[list[str]], None]
EDITABLE = (IssueStatus.draft.value, IssueStatus.scheduled.value)
UNFINISHED = (*NOT_YET_SENT, DeliveryStatus.sending.value)
BOUNCED = "bounced"


# --- composing ---------------------------------------------------------------------------


def find(session: Session, principal: Principal, issue_id: str) -> NewsletterIssue:
    """The organisation's own issue; any other is "not found"."""
    issue = session.get(NewsletterIssue, issue_id)
    if issue is None or issue.organisation_id != principal.organisation_id:
        raise NotFound("no such newsletter")
    return issue


def _check(session: Session, principal: Principal, data: IssueIn) -> None:
    """What the schema cannot know: the pool is one the organisation is in, and every
    partner named may be named in this issue (each one that may not is named)."""
    probe = NewsletterIssue(organisation_id=principal.organisation_id, audience=data.audience)
    members = audience.members_for(session, probe)
    if members is not None and principal.organisation_id not in members:
        raise Invalid("audience", "the organisation is not an active member of that pool")
    refused: list[Invalid] = []
    for index, block in enumerate(data.blocks):
        if block.type != "new_partners":
            continue
        found = {
            p.partner_id: p
            for p in session.scalars(
                select(PartnerCopy).where(PartnerCopy.partner_id.in_(block.partner_ids))
            )
        }
        for position, partner_id in enumerate(block.partner_ids):
            partner = found.get(partner_id)
            if partner is None or not audience.may_take_part(partner, probe, members):
                refused.append(
                    Invalid(
                        f"blocks.{index}.partner_ids.{position}",
                        "this partner has not consented to be named in this newsletter",
                    )
                )
    if refused:
        raise Invalid.every(refused)


def _fill(issue: NewsletterIssue, data: IssueIn) -> None:
    issue.subject = data.subject
    issue.language = data.language
    issue.audience = data.audience
    issue.blocks = [block.model_dump(mode="json") for block in data.blocks]
    issue.scheduled_at = data.scheduled_at
    issue.status = (IssueStatus.scheduled if data.scheduled_at else IssueStatus.draft).value


def create(session: Session, principal: Principal, data: IssueIn) -> NewsletterIssue:
    _check(session, principal, data)
    issue = NewsletterIssue(
        organisation_id=principal.organisation_id,
        created_by=f"{principal.kind}:{principal.subject}"[:64],
    )
    _fill(issue, data)
    session.add(issue)
    session.flush()
    return issue


def replace(
    session: Session, principal: Principal, issue_id: str, data: IssueIn
) -> NewsletterIssue:
    issue = find(session, principal, issue_id)
    if issue.status not in EDITABLE:
        raise Conflict("a newsletter that is being sent or was sent cannot be changed")
    _check(session, principal, data)
    _fill(issue, data)
    session.flush()
    return issue


def remove(session: Session, principal: Principal, issue_id: str) -> None:
    issue = find(session, principal, issue_id)
    if issue.status not in EDITABLE:
        raise Conflict("a newsletter that is being sent or was sent is kept")
    session.delete(issue)
    session.flush()


def issues(
    session: Session, principal: Principal, status: str | None, limit: int
) -> list[NewsletterIssue]:
    query = select(NewsletterIssue).where(
        NewsletterIssue.organisation_id == principal.organisation_id
    )
    if status:
        query = query.where(NewsletterIssue.status == status)
    found = list(session.scalars(query.order_by(NewsletterIssue.created_at.desc()).limit(limit)))
    for issue in found:
        settle(session, issue)
    return found


def out(session: Session, issue: NewsletterIssue) -> IssueOut:
    counts = dict(
        session.execute(
            select(Delivery.status, func.count())
            .join(NewsletterDelivery, NewsletterDelivery.delivery_id == Delivery.id)
            .where(NewsletterDelivery.issue_id == issue.id)
            .group_by(Delivery.status)
        ).all()
    )
    return IssueOut.model_validate(
        {
            **{c: getattr(issue, c) for c in IssueOut.model_fields if c != "deliveries"},
            "deliveries": {str(k): int(v) for k, v in counts.items()},
        }
    )


def preview(
    session: Session, reminders: Reminders, principal: Principal, issue_id: str
) -> PreviewOut:
    """The issue as a recipient would see it now, with a sample unsubscribe link."""
    issue = find(session, principal, issue_id)
    url = mail.unsubscribe_url(reminders.settings, mail.SAMPLE_TOKEN)
    text, html = mail.rendered(session, reminders, issue, url)
    return PreviewOut(subject=issue.subject, text=text, html=html, unsubscribe_url=url)


# --- sending ----------------------------------------------------------------------------


def _insert_deliveries(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Inserts deliveries, skipping any whose idempotency key exists; the new ids."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Delivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Delivery.id)
    )
    return set(session.scalars(statement))


def dispatch(
    session: Session, reminders: Reminders, issue: NewsletterIssue
) -> tuple[int, list[str]]:
    """Writes the issue's deliveries, one per recipient at this moment, in the caller's
    transaction. Returns how many were written and the ids to queue after the commit."""
    now = utcnow()
    issue.status = IssueStatus.sending.value
    issue.started_at = issue.started_at or now
    clock = policy(session, issue.organisation_id)
    send_after = after_quiet_hours(now, clock.timezone, clock.quiet_start, clock.quiet_end)
    ready = send_after <= now
    rows: list[dict[str, Any]] = []
    for partner in audience.candidates(session, issue):
        document = partner_document(session, reminders, partner.partner_id) or {}
        if not document.get("email"):
            continue
        rows.append(
            {
                "id": new_id(),
                "organisation_id": issue.organisation_id,
                "idempotency_key": f"{issue.id}:{partner.partner_id}",
                "schedule_id": None,
                "kind": audience.KIND,
                "subject_id": partner.partner_id,
                "recipient_kind": "partner",
                "recipient_id": partner.partner_id,
                "channel": Channel.email.value,
                "due_at": now,
                "send_after": send_after,
                "status": (DeliveryStatus.queued if ready else DeliveryStatus.pending).value,
                "queued_at": now if ready else None,
                "attempts": 0,
                "created_at": now,
            }
        )
    created: set[str] = set()
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        created |= _insert_deliveries(session, batch)
        session.add_all(
            NewsletterDelivery(
                issue_id=issue.id, partner_id=row["recipient_id"], delivery_id=row["id"]
            )
            for row in batch
            if row["id"] in created
        )
    session.flush()
    settle(session, issue)
    queued = [str(row["id"]) for row in rows if row["id"] in created and ready]
    return len(created), queued


def send_now(
    session: Session, reminders: Reminders, principal: Principal, issue_id: str
) -> tuple[NewsletterIssue, int, list[str]]:
    issue = session.get(NewsletterIssue, issue_id, with_for_update=True)
    if issue is None or issue.organisation_id != principal.organisation_id:
        raise NotFound("no such newsletter")
    if issue.status not in EDITABLE:
        raise Conflict("this newsletter is being sent or was sent already")
    members = audience.members_for(session, issue)
    if members is not None and issue.organisation_id not in members:
        raise Invalid("audience", "the organisation is not an active member of that pool")
    written, queued = dispatch(session, reminders, issue)
    return issue, written, queued


def settle(session: Session, issue: NewsletterIssue) -> None:
    """A sending issue is sent once none of its deliveries is left to finish."""
    if issue.status != IssueStatus.sending.value:
        return
    left = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .join(NewsletterDelivery, NewsletterDelivery.delivery_id == Delivery.id)
        .where(NewsletterDelivery.issue_id == issue.id, Delivery.status.in_(UNFINISHED))
    )
    if not left:
        issue.status = IssueStatus.sent.value
        issue.finished_at = utcnow()


def run_due(reminders: Reminders, enqueue: Enqueue) -> int:
    """The due scan's part: scheduled issues whose time has come are sent, each in its own
    transaction (claimed with SKIP LOCKED, so two scans never take the same issue), and
    issues whose deliveries have all finished are marked sent. Returns issues started."""
    started = 0
    while True:
        with reminders.database.session() as session:
            query = (
                select(NewsletterIssue)
                .where(
                    NewsletterIssue.status == IssueStatus.scheduled.value,
                    NewsletterIssue.scheduled_at <= utcnow(),
                )
                .order_by(NewsletterIssue.scheduled_at)
                .limit(1)
            )
            if reminders.database.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            issue = session.scalar(query)
            queued: list[str] = []
            if issue is not None:
                _, queued = dispatch(session, reminders, issue)
        if issue is None:
            break
        started += 1
        if queued:
            enqueue(queued)
    with reminders.database.session() as session:
        sending = session.scalars(
            select(NewsletterIssue).where(NewsletterIssue.status == IssueStatus.sending.value)
        )
        for issue in sending:
            settle(session, issue)
    return started


# --- unsubscribing, bounces, recipients ----------------------------------------------------


def _link(session: Session, reminders: Reminders, token: str) -> NewsletterDelivery:
    delivery = mail.delivery_for_token(session, reminders, token)
    link = (
        session.scalar(
            select(NewsletterDelivery).where(NewsletterDelivery.delivery_id == delivery.id)
        )
        if delivery
        else None
    )
    if link is None:
        raise NotFound("this unsubscribe link is not valid")
    return link


def unsubscribe_target(session: Session, reminders: Reminders, token: str) -> NewsletterIssue:
    """The issue a valid link came with (for the confirmation page's language)."""
    issue = session.get(NewsletterIssue, _link(session, reminders, token).issue_id)
    assert issue is not None  # the link row goes with its issue
    return issue


def unsubscribe(session: Session, reminders: Reminders, token: str) -> NewsletterIssue:
    """The partner's own withdrawal of `newsletter` consent: asked of the registry (which
    keeps consent, and answers with `partner.upserted`), and in effect here at once — no
    newsletter waiting for this partner leaves. Using the link again asks again."""
    link = _link(session, reminders, token)
    link.unsubscribed_at = link.unsubscribed_at or utcnow()
    partner = session.get(PartnerCopy, link.partner_id, with_for_update=True)
    if partner is not None:
        publish(
            session,
            outbox,
            "newsletter.unsubscribed",
            partner_id=partner.partner_id,
            organisation_id=partner.organisation_id,
        )
        held = audience.purposes_of(partner) - {audience.KIND}
        partner.purposes = "|" + "".join(f"{p}|" for p in sorted(held)) if held else ""
        session.flush()
        audience.recheck(session, audience.unsent_for(session, partner.partner_id))
    issue = session.get(NewsletterIssue, link.issue_id)
    assert issue is not None
    return issue


def record_bounce(session: Session, principal: Principal, data: BounceIn) -> BounceOut:
    """A bounce the mail system reported after the e-mail left, found by its Message-ID
    (``<delivery id@mail domain>``)."""
    delivery_id = data.message_id.strip().strip("<>").split("@", 1)[0]
    delivery = session.get(Delivery, delivery_id) if len(delivery_id) == 36 else None
    if (
        delivery is None
        or delivery.organisation_id != principal.organisation_id
        or delivery.channel != Channel.email.value
    ):
        raise NotFound("no e-mail of this organisation has that Message-ID")
    if delivery.status not in (
        DeliveryStatus.sent.value,
        DeliveryStatus.sending.value,
        DeliveryStatus.failed.value,
    ):
        raise Conflict("that e-mail has not been sent")
    reason = data.reason or "reported by the mail system"
    delivery.status = DeliveryStatus.failed.value
    delivery.last_error = f"{BOUNCED}: {reason}"
    session.flush()
    return BounceOut(delivery_id=delivery.id, status=delivery.status, bounced=True)


def recipients(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    issue_id: str,
    limit: int,
    offset: int,
) -> list[RecipientOut]:
    """Each recipient's state; the name and the error text (which may quote the address)
    only for the organisation's own partners."""
    issue = find(session, principal, issue_id)
    rows = session.execute(
        select(NewsletterDelivery, Delivery, PartnerCopy.organisation_id)
        .join(Delivery, Delivery.id == NewsletterDelivery.delivery_id)
        .outerjoin(PartnerCopy, PartnerCopy.partner_id == NewsletterDelivery.partner_id)
        .where(NewsletterDelivery.issue_id == issue.id)
        .order_by(Delivery.created_at, Delivery.id)
        .limit(limit)
        .offset(offset)
    ).all()
    found = []
    for link, delivery, owner in rows:
        name, own = None, owner == principal.organisation_id
        if own:
            document = partner_document(session, reminders, link.partner_id) or {}
            name = str(document.get("name", "")) or None
        found.append(
            RecipientOut(
                partner_id=link.partner_id,
                delivery_id=delivery.id,
                name=name,
                status=delivery.status,
                sent_at=delivery.sent_at,
                bounced=bool(delivery.last_error and delivery.last_error.startswith(BOUNCED)),
                error=delivery.last_error if own else None,
                unsubscribed=link.unsubscribed_at is not None,
            )
        )
    return found
