"""Applying organisation events."""

from sqlalchemy.orm import Session

from services.reminders.organisations.models import OrganisationClock
from shared.events import Event


def apply_organisation_event(session: Session, event: Event) -> None:
    organisation_id = event.payload["organisation_id"]
    clock = session.get(OrganisationClock, organisation_id)
    if clock is None:
        clock = OrganisationClock(organisation_id=organisation_id)
        session.add(clock)
    clock.timezone = event.payload["timezone"]
