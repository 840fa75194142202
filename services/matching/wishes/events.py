"""`wish.changed`: a wish's coarse facts (district, categories, status), which the registry
counts into the planners' demand figures. Published when the wish changes, and again for
each wish when its person moves to another district."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.models import outbox
from services.matching.support_users.models import SupportUser
from services.matching.wishes.models import Wish
from shared.events import publish


def publish_wish(session: Session, person: SupportUser, wish: Wish) -> None:
    publish(
        session,
        outbox,
        "wish.changed",
        wish_id=wish.id,
        support_user_id=person.id,
        organisation_id=person.organisation_id,
        district_code=person.district_code,
        category_codes=list(wish.category_codes),
        status=wish.status,
    )


def publish_wishes_of(session: Session, person: SupportUser) -> None:
    for wish in session.scalars(select(Wish).where(Wish.support_user_id == person.id)):
        publish_wish(session, person, wish)
