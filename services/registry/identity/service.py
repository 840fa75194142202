"""Organisations, users and memberships: the rules, without HTTP."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.audit import service as audit
from services.registry.identity.models import (
    IDENTITY_SCOPE,
    Membership,
    Organisation,
    User,
    new_id,
)
from services.registry.identity.passwords import Passwords
from services.registry.identity.schemas import OrganisationIn, OrganisationPatch, UserIn, UserOut
from services.registry.models import outbox
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.crypto import Keyring, seal_for
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import publish


def create_organisation(session: Session, data: OrganisationIn, actor: str) -> Organisation:
    organisation = Organisation(
        name=data.name.strip(), kind=data.kind.value, timezone=data.timezone
    )
    session.add(organisation)
    session.flush()
    audit.record(
        session, actor, organisation.id, "organisation.created", "organisation", organisation.id
    )
    publish(
        session,
        outbox,
        "organisation.created",
        organisation_id=organisation.id,
        kind=organisation.kind,
        timezone=organisation.timezone,
    )
    return organisation


def get_organisation(session: Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("no such organisation")
    return organisation


def update_organisation(
    session: Session, principal: Principal, organisation_id: str, patch: OrganisationPatch
) -> Organisation:
    if organisation_id != principal.organisation_id:
        raise Forbidden("only your own organisation can be changed")
    organisation = get_organisation(session, organisation_id)
    changed = patch.model_dump(exclude_unset=True, exclude_none=True)
    for field, value in changed.items():
        setattr(organisation, field, value)
    audit.record(
        session,
        principal,
        organisation_id,
        "organisation.updated",
        "organisation",
        organisation_id,
        fields=sorted(changed),
    )
    publish(
        session,
        outbox,
        "organisation.updated",
        organisation_id=organisation_id,
        kind=organisation.kind,
        timezone=organisation.timezone,
    )
    return organisation


def list_organisations(session: Session, kind: str | None) -> list[Organisation]:
    """The directory of organisations (names and kinds only), for pool invitations."""
    query = select(Organisation).order_by(Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(session.scalars(query))


def _encrypt_identity(
    keyring: Keyring, session: Session, user: User, column: str, value: str
) -> bytes:
    return keyring.encrypt(
        session,
        organisation_id=IDENTITY_SCOPE,
        subject_id=user.id,
        table="users",
        row_id=user.id,
        column=column,
        value=value,
    )


def _email_index(keyring: Keyring, session: Session, email: str) -> str:
    try:
        index = keyring.blind_index(session, IDENTITY_SCOPE, "email", email)
    except ValueError as exc:
        raise Invalid("email", str(exc)) from exc
    if index is None:
        raise Invalid("email", "an e-mail address is needed")
    return index


def find_user_by_email(session: Session, keyring: Keyring, email: str) -> User | None:
    try:
        index = keyring.blind_index(session, IDENTITY_SCOPE, "email", email)
    except ValueError:
        return None
    return session.scalar(select(User).where(User.email_index == index))


def _membership_changed(
    session: Session,
    organisation_id: str,
    user_id: str,
    roles: list[str],
    sealed_contact: dict[str, Any] | None = None,
) -> None:
    """A new user's e-mail, name and language travel sealed for reminders, which sends the
    user their due items."""
    payload: dict[str, Any] = {
        "organisation_id": organisation_id,
        "user_id": user_id,
        "roles": roles,
    }
    if sealed_contact is not None:
        payload["sealed"] = sealed_contact
    publish(session, outbox, "membership.changed", **payload)


def create_user(
    session: Session, registry: Registry, organisation_id: str, data: UserIn, actor: Principal | str
) -> User:
    """A new login with a membership in ``organisation_id``; an existing login (same e-mail)
    is refused, so that nobody can take over another organisation's user."""
    keyring = registry.keyring
    get_organisation(session, organisation_id)
    index = _email_index(keyring, session, data.email)
    if session.scalar(select(User.id).where(User.email_index == index)):
        raise Conflict("a user with this e-mail already exists", field="email", code="email_taken")
    user = User(
        id=new_id(),
        password_hash=registry.passwords.hash(data.password),
        locale=data.locale,
        email_index=index,
    )
    user.email_encrypted = _encrypt_identity(keyring, session, user, "email", str(data.email))
    user.name_encrypted = _encrypt_identity(
        keyring, session, user, "display_name", data.display_name
    )
    session.add(user)
    session.flush()  # without relationships the unit of work does not order these two
    session.add(Membership(user_id=user.id, organisation_id=organisation_id, roles=data.roles))
    session.flush()
    audit.record(session, actor, organisation_id, "user.created", "user", user.id, roles=data.roles)
    contact = {"email": str(data.email), "name": data.display_name, "locale": data.locale}
    _membership_changed(
        session,
        organisation_id,
        user.id,
        data.roles,
        seal_for(registry.keyring.provider, "reminders", user.id, contact),
    )
    return user


def user_view(session: Session, keyring: Keyring, user: User, roles: list[str]) -> UserOut:
    def read(column: str, blob: bytes) -> str:
        return keyring.decrypt(session, table="users", row_id=user.id, column=column, blob=blob)

    return UserOut(
        id=user.id,
        email=read("email", user.email_encrypted),
        display_name=read("display_name", user.name_encrypted),
        locale=user.locale,
        roles=roles,
    )


def membership(session: Session, user_id: str, organisation_id: str) -> Membership:
    found = session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )
    if found is None:
        raise NotFound("no such user in this organisation")
    return found


def memberships_of(session: Session, user_id: str) -> list[tuple[Membership, Organisation]]:
    rows = session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user_id)
        .order_by(Organisation.name)
    )
    return [(m, o) for m, o in rows]


def list_members(session: Session, keyring: Keyring, organisation_id: str) -> list[UserOut]:
    rows = session.execute(
        select(User, Membership.roles)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id)
    )
    members = [user_view(session, keyring, user, roles) for user, roles in rows]
    return sorted(members, key=lambda member: member.display_name.casefold())


def get_member(session: Session, keyring: Keyring, organisation_id: str, user_id: str) -> UserOut:
    found = membership(session, user_id, organisation_id)
    user = session.get(User, user_id)
    assert user is not None  # the membership's foreign key guarantees it
    return user_view(session, keyring, user, found.roles)


def _admins_left(session: Session, organisation_id: str, without: str) -> int:
    rows = session.scalars(
        select(Membership.roles).where(
            Membership.organisation_id == organisation_id, Membership.user_id != without
        )
    )
    return sum(1 for roles in rows if "admin" in roles)


def set_roles(session: Session, principal: Principal, user_id: str, roles: list[str]) -> Membership:
    found = membership(session, user_id, principal.organisation_id)
    if (
        "admin" in found.roles
        and "admin" not in roles
        and not _admins_left(session, principal.organisation_id, user_id)
    ):
        raise Conflict(
            "the organisation must keep at least one admin", field="roles", code="last_admin"
        )
    previous = found.roles
    found.roles = roles
    audit.record(
        session,
        principal,
        principal.organisation_id,
        "user.roles_changed",
        "user",
        user_id,
        before=previous,
        after=roles,
    )
    _membership_changed(session, principal.organisation_id, user_id, roles)
    return found


def remove_member(session: Session, principal: Principal, user_id: str) -> None:
    found = membership(session, user_id, principal.organisation_id)
    if "admin" in found.roles and not _admins_left(session, principal.organisation_id, user_id):
        raise Conflict("the organisation must keep at least one admin", code="last_admin")
    session.delete(found)
    audit.record(session, principal, principal.organisation_id, "user.removed", "user", user_id)
    _membership_changed(session, principal.organisation_id, user_id, [])


def change_password(
    session: Session, passwords: Passwords, user_id: str, current: str, new: str
) -> None:
    user = session.get(User, user_id)
    if user is None or not passwords.verify(user, current):
        raise Invalid("current_password", "the current password is not right")
    user.password_hash = passwords.hash(new)
