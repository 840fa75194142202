"""Logging what we did together with a partner; logging updates the last contact."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.activities.models import Activity, Contribution
from services.registry.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ContributionIn,
    ContributionOut,
)
from services.registry.models import outbox
from services.registry.partners import service as partners
from services.registry.partners.checks import check_member
from services.registry.partners.documents import seal, unseal
from services.registry.partners.models import Partner, PartnerKind, PartnerStatus
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.errors import Invalid
from shared.events import publish
from shared.local_time import day_or_today


def log_activity(
    session: Session, registry: Registry, principal: Principal, partner_id: str, data: ActivityIn
) -> ActivityOut:
    partner = partners.find_own(session, principal, partner_id)
    if partner.status == PartnerStatus.pending.value:
        raise Invalid("partner", "a pending partner's contacts are not logged until `file` consent")
    staff = data.staff_user_id or principal.user_id
    if data.staff_user_id is not None:
        check_member(session, partner.organisation_id, data.staff_user_id, "staff_user_id")
    return record_activity(
        session,
        registry,
        partner,
        kind=data.kind.value,
        occurred=day_or_today(data.occurred_on, principal.today(), "occurred_on"),
        staff_user_id=staff,
        body={"content": data.content, "outcome": data.outcome},
    )


def record_activity(
    session: Session,
    registry: Registry,
    partner: Partner,
    *,
    kind: str,
    occurred: date,
    staff_user_id: str | None,
    body: dict[str, str],
) -> ActivityOut:
    """Stores an activity (its words sealed with the partner's key), moves the last contact
    and publishes `activity.logged`. Callers have checked who may log it."""
    activity = Activity(
        partner_id=partner.id,
        organisation_id=partner.organisation_id,
        occurred_on=occurred,
        staff_user_id=staff_user_id,
        kind=kind,
        body_encrypted=b"",
    )
    session.add(activity)
    session.flush()
    activity.body_encrypted = seal(
        session, registry.keyring, partner, "activities", activity.id, body
    )
    if partner.last_contact_on is None or occurred > partner.last_contact_on:
        partner.last_contact_on = occurred
    publish(
        session,
        outbox,
        "activity.logged",
        partner_id=partner.id,
        organisation_id=partner.organisation_id,
        activity_id=activity.id,
        kind=activity.kind,
        occurred_on=occurred.isoformat(),
        staff_user_id=staff_user_id,
        last_contact_on=partner.last_contact_on.isoformat(),
    )
    return ActivityOut(
        id=activity.id,
        kind=activity.kind,
        occurred_on=occurred,
        staff_user_id=staff_user_id,
        **body,
    )


def activities(
    session: Session, registry: Registry, principal: Principal, partner_id: str
) -> list[ActivityOut]:
    partner = partners.find_own(session, principal, partner_id)
    rows = session.scalars(
        select(Activity)
        .where(Activity.partner_id == partner.id)
        .order_by(Activity.occurred_on.desc(), Activity.created_at.desc())
    )
    return [
        ActivityOut(
            id=a.id,
            kind=a.kind,
            occurred_on=a.occurred_on,
            staff_user_id=a.staff_user_id,
            **unseal(session, registry.keyring, "activities", a.id, a.body_encrypted),
        )
        for a in rows
    ]


def add_contribution(
    session: Session,
    registry: Registry,
    principal: Principal,
    partner_id: str,
    data: ContributionIn,
) -> ContributionOut:
    partner = partners.find_own(session, principal, partner_id)
    if partner.kind != PartnerKind.citizen.value:
        raise Invalid("partner", "contributions are recorded for citizens")
    if partner.status == PartnerStatus.pending.value:
        raise Invalid("partner", "a pending partner has no contributions until `file` consent")
    occurred = day_or_today(data.occurred_on, principal.today(), "occurred_on")
    row = Contribution(partner_id=partner.id, occurred_on=occurred, body_encrypted=b"")
    session.add(row)
    session.flush()
    body = {"how": data.how, "where": data.where}
    row.body_encrypted = seal(session, registry.keyring, partner, "contributions", row.id, body)
    return ContributionOut(id=row.id, occurred_on=occurred, **body)


def contributions(
    session: Session, registry: Registry, principal: Principal, partner_id: str
) -> list[ContributionOut]:
    partner = partners.find_own(session, principal, partner_id)
    rows = session.scalars(
        select(Contribution)
        .where(Contribution.partner_id == partner.id)
        .order_by(Contribution.occurred_on.desc())
    )
    return [
        ContributionOut(
            id=c.id,
            occurred_on=c.occurred_on,
            **unseal(session, registry.keyring, "contributions", c.id, c.body_encrypted),
        )
        for c in rows
    ]
