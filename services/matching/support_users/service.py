"""Support users: who may see them, their sealed profile, and their own consents.

Staff, coordinators and admins of the owning organisation work with every support user of
it; a support user signed in with their own account sees only themselves."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.reference.service import find_district
from services.matching.runtime import Matching
from services.matching.support_users.models import (
    ConsentAction,
    ConsentPurpose,
    SupportUser,
    SupportUserConsent,
)
from services.matching.support_users.schemas import (
    ConsentIn,
    ConsentRecordOut,
    ConsentState,
    Profile,
    SupportUserIn,
    SupportUserOut,
    SupportUserPatch,
)
from services.matching.wishes.events import publish_wishes_of
from shared.auth import Principal
from shared.crypto.documents import open_document, seal_document
from shared.errors import Conflict, Forbidden, Invalid, NotFound

WORKERS = ("admin", "staff", "coordinator")
TABLE = "support_users"


def require_worker(principal: Principal) -> None:
    if not principal.has_any(*WORKERS):
        raise Forbidden("support users are for the organisation's admins, staff and coordinators")


def find(session: Session, principal: Principal, support_user_id: str) -> SupportUser:
    """The support user if the caller may work with them: their organisation's workers, or
    the person themselves. Others get 404, so ids reveal nothing."""
    person = session.get(SupportUser, support_user_id)
    if person is None or person.organisation_id != principal.organisation_id:
        raise NotFound("no such support user")
    if principal.has_any(*WORKERS):
        return person
    if "support_user" in principal.roles and person.account_user_id == principal.user_id:
        return person
    raise NotFound("no such support user")


def find_own_record(session: Session, principal: Principal) -> SupportUser:
    """The support user a `support_user` account is."""
    person = session.scalar(
        select(SupportUser).where(
            SupportUser.account_user_id == principal.user_id,
            SupportUser.organisation_id == principal.organisation_id,
        )
    )
    if person is None:
        raise NotFound("this account is not linked to a support user")
    return person


def profile(session: Session, matching: Matching, person: SupportUser) -> Profile:
    return Profile.model_validate(
        open_document(matching.keyring, session, TABLE, person.id, person.profile_encrypted)
    )


def _seal(session: Session, matching: Matching, person: SupportUser, data: Profile) -> None:
    person.profile_encrypted = seal_document(
        matching.keyring,
        session,
        organisation_id=person.organisation_id,
        subject_id=person.id,
        table=TABLE,
        row_id=person.id,
        document=data.model_dump(mode="json"),
    )


def _check_district(session: Session, principal: Principal, code: str | None) -> None:
    if code is not None and find_district(session, principal.organisation_id, code) is None:
        raise Invalid("district_code", f"unknown district {code!r}")


def _check_account(session: Session, account_user_id: str | None, person_id: str | None) -> None:
    if account_user_id is None:
        return
    taken = session.scalar(
        select(SupportUser.id).where(SupportUser.account_user_id == account_user_id)
    )
    if taken is not None and taken != person_id:
        raise Conflict("that account already belongs to a support user", field="account_user_id")


def create(
    session: Session, matching: Matching, principal: Principal, data: SupportUserIn
) -> SupportUserOut:
    require_worker(principal)
    _check_district(session, principal, data.district_code)
    _check_account(session, data.account_user_id, None)
    person = SupportUser(
        organisation_id=principal.organisation_id,
        worker_user_id=data.worker_user_id or principal.subject,
        account_user_id=data.account_user_id,
        district_code=data.district_code,
        profile_encrypted=b"",
    )
    session.add(person)
    session.flush()
    _seal(
        session,
        matching,
        person,
        Profile.model_validate(data.model_dump(include=set(Profile.model_fields))),
    )
    session.flush()
    return view(session, matching, person)


def update(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    data: SupportUserPatch,
) -> SupportUserOut:
    require_worker(principal)
    person = find(session, principal, support_user_id)
    changes = data.model_dump(exclude_unset=True)
    if "district_code" in changes and data.district_code != person.district_code:
        _check_district(session, principal, data.district_code)
        person.district_code = data.district_code
        # the planners' demand counts each wish where its person lives
        publish_wishes_of(session, person)
    if changes.get("account_user_id") is not None:
        _check_account(session, data.account_user_id, person.id)
        person.account_user_id = data.account_user_id
    for field in ("worker_user_id", "status"):
        if changes.get(field) is not None:
            setattr(person, field, changes[field])
    personal = {k: v for k, v in changes.items() if k in Profile.model_fields and v is not None}
    if personal:
        current = profile(session, matching, person).model_dump(mode="json")
        _seal(session, matching, person, Profile.model_validate({**current, **personal}))
    session.flush()
    return view(session, matching, person)


def list_for(
    session: Session, matching: Matching, principal: Principal, status: str = "active"
) -> list[SupportUserOut]:
    require_worker(principal)
    people = session.scalars(
        select(SupportUser)
        .where(SupportUser.organisation_id == principal.organisation_id)
        .where(SupportUser.status == status if status != "any" else SupportUser.status.isnot(None))
    ).all()
    views = [view(session, matching, p) for p in people]
    return sorted(views, key=lambda v: v.name.casefold())


def consent_state(session: Session, support_user_id: str) -> ConsentState:
    rows = session.execute(
        select(SupportUserConsent.purpose, SupportUserConsent.action)
        .where(SupportUserConsent.support_user_id == support_user_id)
        .order_by(SupportUserConsent.recorded_at)
    ).all()
    current = {purpose: action == ConsentAction.granted.value for purpose, action in rows}
    return ConsentState(
        matching=current.get(ConsentPurpose.matching.value, False),
        share_details=current.get(ConsentPurpose.share_details.value, False),
    )


def record_consent(
    session: Session, principal: Principal, support_user_id: str, data: ConsentIn
) -> ConsentState:
    """Workers record what the person agreed to; the person may also give or withdraw it
    themselves (electronically)."""
    person = find(session, principal, support_user_id)
    if not principal.has_any(*WORKERS) and data.method != "electronic":
        raise Invalid("method", "consent given in the portal by the person is electronic")
    session.add(
        SupportUserConsent(
            support_user_id=person.id,
            purpose=data.purpose,
            action=data.action,
            method=data.method,
            recorded_by=principal.subject,
        )
    )
    session.flush()
    return consent_state(session, person.id)


def consent_history(
    session: Session, principal: Principal, support_user_id: str
) -> list[ConsentRecordOut]:
    person = find(session, principal, support_user_id)
    rows = session.scalars(
        select(SupportUserConsent)
        .where(SupportUserConsent.support_user_id == person.id)
        .order_by(SupportUserConsent.recorded_at)
    )
    return [ConsentRecordOut.model_validate(r, from_attributes=True) for r in rows]


def view(session: Session, matching: Matching, person: SupportUser) -> SupportUserOut:
    return SupportUserOut(
        **profile(session, matching, person).model_dump(),
        id=person.id,
        organisation_id=person.organisation_id,
        worker_user_id=person.worker_user_id,
        account_user_id=person.account_user_id,
        district_code=person.district_code,
        status=person.status,
        consent=consent_state(session, person.id),
        created_at=person.created_at,
        updated_at=person.updated_at,
    )
