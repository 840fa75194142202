"""What the registry does with other services' events: a referral step in matching becomes
an activity on the partner, partners shown to another organisation in suggestions go into
the owner's access log, a pending partner whose time ran out in reminders' schedule is
erased, a partner who used a newsletter's unsubscribe link withdraws `newsletter`
consent, and a changed wish updates the planners' copy of demand."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.access import service as access
from services.registry.activities.service import record_activity
from services.registry.consent import service as consent
from services.registry.consent.schemas import Method
from services.registry.identity.models import Organisation
from services.registry.partners import rights, sharing
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.partners.service import after_consent_change
from services.registry.planning import demand
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.events import Event

# The activity a referral step is on the partner's log.
REFERRAL_ACTIVITY = {
    "proposed": "contact",
    "contacted": "contact",
    "accepted": "contact",
    "declined": "contact",
    "active": "project",
    "ended": "project",
}


def apply_referral_changed(session: Session, registry: Registry, event: Event) -> None:
    """The activity names the referring organisation and the step, never the support user."""
    payload = event.payload
    partner = session.get(Partner, payload["partner_id"])
    if partner is None or partner.status == PartnerStatus.pending.value:
        return  # forgotten, or no longer in the file: nothing to log on
    referrer = session.get(Organisation, payload["organisation_id"])
    body = {
        "content": f"Referral ({referrer.name if referrer else 'another organisation'}): "
        f"{payload['status']}",
        "outcome": payload.get("outcome") or "",
    }
    record_activity(
        session,
        registry,
        partner,
        kind=REFERRAL_ACTIVITY[payload["status"]],
        occurred=date.fromisoformat(payload["occurred_on"]),
        staff_user_id=payload.get("staff_user_id"),
        body=body,
    )


def apply_partners_shown(session: Session, registry: Registry, event: Event) -> None:
    payload = event.payload
    reader = Principal(payload["reader_subject"], payload["reader_organisation_id"], frozenset())
    owners = dict(
        session.execute(
            select(Partner.id, Partner.organisation_id).where(
                Partner.id.in_(payload["partner_ids"])
            )
        ).all()
    )
    bases = sharing.shared_scopes(session, reader, list(owners))
    entries = [
        access.Access(
            partner_id, owner, payload["purpose"], bases.get(partner_id, ("", "matching"))[1]
        )
        for partner_id, owner in owners.items()
        if owner != reader.organisation_id
    ]
    if entries:
        access.record(session, reader, entries)


def apply_purge_due(session: Session, registry: Registry, event: Event) -> None:
    """Erased only if still pending and its time has run out: a consent given meanwhile
    wins."""
    rights.purge_pending(session, registry, partner_id=event.payload["partner_id"])


UNSUBSCRIBE_INFORMATION = "newsletter-unsubscribe-link"  # what the partner was shown


def apply_newsletter_unsubscribed(session: Session, registry: Registry, event: Event) -> None:
    """The partner's own withdrawal through a newsletter's unsubscribe link, recorded like
    any withdrawal (electronic, by the partner) and published back as `partner.upserted`.
    A partner already without `newsletter` consent, or gone, needs nothing."""
    payload = event.payload
    partner = session.get(Partner, payload["partner_id"])
    if partner is None or partner.organisation_id != payload["organisation_id"]:
        return
    actor = Principal(partner.id, partner.organisation_id, frozenset(), kind="partner")
    ended = consent.withdraw(
        session, partner, ["newsletter"], Method.electronic, UNSUBSCRIBE_INFORMATION, actor
    )
    if ended:
        after_consent_change(session, registry, partner)


def apply_wish_changed(session: Session, registry: Registry, event: Event) -> None:
    """Counts only: the wish's organisation, district, categories and whether it is open."""
    demand.record_wish(session, event.payload)
