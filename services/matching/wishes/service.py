"""Wishes and the resource check of a support user. The person's words are sealed with
their own data key; every change publishes `wish.changed` (coarse fields only) for the
planners' demand figures and the reminders."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.reference.service import category_labels
from services.matching.runtime import Matching
from services.matching.support_users import service as support_users
from services.matching.support_users.models import SupportUser
from services.matching.wishes.events import publish_wish
from services.matching.wishes.models import ResourceCheckItem, Wish
from services.matching.wishes.schemas import (
    ResourceCheckItemIn,
    ResourceCheckItemOut,
    WishIn,
    WishOut,
    WishPatch,
)
from shared.auth import Principal
from shared.crypto.documents import open_document, seal_document
from shared.errors import Invalid, NotFound


def _seal_text(
    session: Session, matching: Matching, person: SupportUser, table: str, row_id: str, text: str
) -> bytes:
    return seal_document(
        matching.keyring,
        session,
        organisation_id=person.organisation_id,
        subject_id=person.id,
        table=table,
        row_id=row_id,
        document=text,
    )


def _open_text(session: Session, matching: Matching, table: str, row_id: str, blob: bytes) -> str:
    return str(open_document(matching.keyring, session, table, row_id, blob))


def _check_categories(session: Session, principal: Principal, codes: list[str]) -> None:
    known = category_labels(session, principal.organisation_id, codes)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise Invalid("category_codes", f"unknown categories: {', '.join(unknown)}")


def view(session: Session, matching: Matching, wish: Wish) -> WishOut:
    return WishOut(
        id=wish.id,
        support_user_id=wish.support_user_id,
        text=_open_text(session, matching, "wishes", wish.id, wish.text_encrypted),
        language=wish.language,
        category_codes=list(wish.category_codes),
        priority=wish.priority,
        status=wish.status,
        method=wish.method,
        created_at=wish.created_at,
        updated_at=wish.updated_at,
    )


def add_wish(
    session: Session, matching: Matching, principal: Principal, support_user_id: str, data: WishIn
) -> WishOut:
    person = support_users.find(session, principal, support_user_id)
    _check_categories(session, principal, data.category_codes)
    wish = Wish(
        support_user_id=person.id,
        organisation_id=person.organisation_id,
        language=data.language.value,
        category_codes=data.category_codes,
        priority=data.priority,
        method=data.method.value,
        text_encrypted=b"",
        created_by=principal.subject,
    )
    session.add(wish)
    session.flush()
    wish.text_encrypted = _seal_text(session, matching, person, "wishes", wish.id, data.text)
    publish_wish(session, person, wish)
    session.flush()
    return view(session, matching, wish)


def find_wish(session: Session, principal: Principal, wish_id: str) -> tuple[SupportUser, Wish]:
    # The wish with its person in one statement; ``support_users.find`` then checks the
    # caller against the person already loaded.
    found = session.execute(
        select(Wish, SupportUser)
        .join(SupportUser, SupportUser.id == Wish.support_user_id)
        .where(Wish.id == wish_id)
    ).first()
    if found is None or found[0].organisation_id != principal.organisation_id:
        raise NotFound("no such wish")
    wish = found[0]
    return support_users.find(session, principal, wish.support_user_id), wish


def update_wish(
    session: Session, matching: Matching, principal: Principal, wish_id: str, data: WishPatch
) -> WishOut:
    person, wish = find_wish(session, principal, wish_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "category_codes" in changes:
        _check_categories(session, principal, changes["category_codes"])
        wish.category_codes = changes["category_codes"]
    if "text" in changes:
        wish.text_encrypted = _seal_text(
            session, matching, person, "wishes", wish.id, changes["text"]
        )
    for field in ("language", "priority", "status"):
        if field in changes:
            setattr(wish, field, str(changes[field]) if field != "priority" else changes[field])
    publish_wish(session, person, wish)
    session.flush()
    return view(session, matching, wish)


def wishes_of(
    session: Session, matching: Matching, principal: Principal, support_user_id: str
) -> list[WishOut]:
    person = support_users.find(session, principal, support_user_id)
    rows = session.scalars(
        select(Wish)
        .where(Wish.support_user_id == person.id)
        .order_by(Wish.priority, Wish.created_at.desc())
    )
    return [view(session, matching, w) for w in rows]


def add_check_item(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    data: ResourceCheckItemIn,
) -> ResourceCheckItemOut:
    person = support_users.find(session, principal, support_user_id)
    item = ResourceCheckItem(
        support_user_id=person.id,
        kind=data.kind.value,
        text_encrypted=b"",
        created_by=principal.subject,
    )
    session.add(item)
    session.flush()
    item.text_encrypted = _seal_text(
        session, matching, person, "resource_check_items", item.id, data.text
    )
    session.flush()
    return ResourceCheckItemOut(
        id=item.id, kind=item.kind, text=data.text, created_at=item.created_at
    )


def resource_check(
    session: Session, matching: Matching, principal: Principal, support_user_id: str
) -> list[ResourceCheckItemOut]:
    person = support_users.find(session, principal, support_user_id)
    rows = session.scalars(
        select(ResourceCheckItem)
        .where(ResourceCheckItem.support_user_id == person.id)
        .order_by(ResourceCheckItem.kind, ResourceCheckItem.created_at)
    )
    return [
        ResourceCheckItemOut(
            id=item.id,
            kind=item.kind,
            text=_open_text(
                session, matching, "resource_check_items", item.id, item.text_encrypted
            ),
            created_at=item.created_at,
        )
        for item in rows
    ]


def remove_check_item(
    session: Session, principal: Principal, support_user_id: str, item_id: str
) -> None:
    person = support_users.find(session, principal, support_user_id)
    item = session.get(ResourceCheckItem, item_id)
    if item is None or item.support_user_id != person.id:
        raise NotFound("no such resource check item")
    session.delete(item)
    session.flush()
