"""Recording and withdrawing consent, and reading what a partner consents to now."""

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import Session

from services.registry.consent.models import ConsentGrant, ConsentRecord
from services.registry.consent.schemas import SHARING, ConsentIn, ConsentRecordOut, Method
from services.registry.identity.models import Organisation
from services.registry.models import outbox
from services.registry.partners.models import Partner
from services.registry.pools.models import PoolMember
from services.registry.pools.service import ACTIVE
from shared.auth import Principal
from shared.crypto import Keyring
from shared.database import new_id
from shared.errors import Invalid
from shared.events import publish
from shared.local_time import day_or_today

FILE = "file"


def grant_is_valid(today: date) -> ColumnElement[bool]:
    return or_(ConsentGrant.valid_until.is_(None), ConsentGrant.valid_until >= today)


def current(session: Session, partner_id: str) -> dict[str, ConsentGrant]:
    """The purposes consented to today."""
    rows = session.scalars(
        select(ConsentGrant).where(
            ConsentGrant.partner_id == partner_id, grant_is_valid(date.today())
        )
    )
    return {grant.purpose: grant for grant in rows}


def sharing_problem(session: Session, organisation_id: str, purpose: str) -> str | None:
    """Why the partners of ``organisation_id`` cannot be shared as a sharing ``purpose``
    says, or None when they can."""
    kind, target = purpose.split(":", 1)
    if kind == "organisation":
        if target == organisation_id:
            return "an organisation cannot be a further recipient of its own partner"
        if session.get(Organisation, target) is None:
            return "no such organisation"
        return None
    member = session.scalar(
        select(PoolMember.status).where(
            PoolMember.pool_id == target, PoolMember.organisation_id == organisation_id
        )
    )
    if member != ACTIVE:
        return "the partner's organisation is not an active member of that pool"
    return None


def require_file(entries: Sequence[ConsentIn], held: bool, field_prefix: str) -> None:
    """Every purpose needs `file` consent, given in the same batch or held already."""
    if held or not entries or any(e.purpose == FILE for e in entries):
        return
    purpose = entries[0].purpose
    raise Invalid(f"{field_prefix}[0].purpose", f"{purpose!r} needs `file` consent first")


def check_dates(entries: Sequence[ConsentIn], today: date, field_prefix: str) -> None:
    """Consent is obtained today or before, and lasts past the day it was obtained."""
    for index, entry in enumerate(entries):
        field = f"{field_prefix}[{index}]"
        obtained = day_or_today(entry.obtained_on, today, f"{field}.obtained_on")
        if entry.valid_until is not None and entry.valid_until <= obtained:
            raise Invalid(f"{field}.valid_until", "valid_until must be after obtained_on")


def grant(
    session: Session,
    keyring: Keyring,
    partner: Partner,
    entries: Sequence[ConsentIn],
    actor: Principal,
    *,
    field_prefix: str = "consents",
) -> list[ConsentRecord]:
    """Records each grant."""
    check_dates(entries, actor.today(), field_prefix)
    require_file(entries, FILE in current(session, partner.id), field_prefix)
    records = []
    for index, entry in enumerate(entries):
        if SHARING.match(entry.purpose):
            problem = sharing_problem(session, partner.organisation_id, entry.purpose)
            if problem:
                raise Invalid(f"{field_prefix}[{index}].purpose", problem)
        records.append(_append(session, keyring, partner, entry, "granted", actor))
    _changed(session, partner)
    return records


def grant_new(
    session: Session,
    keyring: Keyring,
    partner: Partner,
    entries: Sequence[ConsentIn],
    actor: Principal,
) -> dict[str, ConsentGrant]:
    """Records the consents of a partner created in this transaction, already checked (see
    partners.creation.check): there is nothing to look up or replace, so nothing is read
    and the rows are written with the partner's. Returns the grants valid today."""
    grants: dict[str, ConsentGrant] = {}
    for entry in entries:
        record = _append(session, keyring, partner, entry, "granted", actor, replaces=False)
        grants[entry.purpose] = ConsentGrant(
            partner_id=partner.id,
            purpose=entry.purpose,
            scope=record.scope,
            valid_until=record.valid_until,
            record_id=record.id,
        )
    session.add_all(grants.values())
    _copy_purposes(partner, [(g.purpose, g.valid_until) for g in grants.values()])
    valid = {p: g for p, g in grants.items() if _valid_on(g.valid_until, actor.today())}
    _publish_changed(session, partner, sorted(valid))
    return valid


def withdraw(
    session: Session,
    partner: Partner,
    purposes: Sequence[str],
    method: Method,
    information_version: str,
    actor: Principal,
) -> list[str]:
    """Withdraws purposes; withdrawing `file` withdraws every purpose. Returns what ended."""
    held = current(session, partner.id)
    ending = sorted(held) if FILE in purposes else sorted(set(purposes) & set(held))
    for purpose in ending:
        entry = ConsentIn.model_construct(
            purpose=purpose,
            scope=None,
            method=method,
            information_version=information_version,
            evidence_ref="",
            obtained_on=actor.today(),
            valid_until=None,
        )
        _append(session, None, partner, entry, "withdrawn", actor)
    if ending:
        _changed(session, partner)
    return ending


def _append(
    session: Session,
    keyring: Keyring | None,
    partner: Partner,
    entry: ConsentIn,
    action: str,
    actor: Principal,
    *,
    replaces: bool = True,
) -> ConsentRecord:
    """Appends a record; with ``replaces`` (the purpose may be held already) it also becomes
    the purpose's grant, or ends it."""
    record = ConsentRecord(
        id=new_id(),
        partner_id=partner.id,
        purpose=entry.purpose,
        scope=entry.scope.value if entry.scope else None,
        action=action,
        method=entry.method.value,
        information_version=entry.information_version,
        obtained_by=f"{actor.kind}:{actor.subject}",
        obtained_on=entry.obtained_on or actor.today(),
        valid_until=entry.valid_until,
    )
    session.add(record)
    if entry.evidence_ref and keyring is not None:
        record.evidence_encrypted = keyring.encrypt(
            session,
            organisation_id=partner.organisation_id,
            subject_id=partner.id,
            table="consent_records",
            row_id=record.id,
            column="evidence_ref",
            value=entry.evidence_ref,
        )
    if not replaces:
        return record
    session.execute(
        delete(ConsentGrant).where(
            ConsentGrant.partner_id == partner.id, ConsentGrant.purpose == entry.purpose
        )
    )
    if action == "granted":
        session.add(
            ConsentGrant(
                partner_id=partner.id,
                purpose=entry.purpose,
                scope=record.scope,
                valid_until=record.valid_until,
                record_id=record.id,
            )
        )
    session.flush()
    return record


def cache_purposes(session: Session, partner: Partner) -> None:
    """Copies the partner's grants (expired ones included) into ``partner.purposes`` and the
    earliest expiry into ``purposes_expire_on``. While no grant has expired the copy is
    exact; after that, readers fall back to the grants themselves."""
    grants = session.execute(
        select(ConsentGrant.purpose, ConsentGrant.valid_until).where(
            ConsentGrant.partner_id == partner.id
        )
    ).all()
    _copy_purposes(partner, [(purpose, until) for purpose, until in grants])


def _copy_purposes(partner: Partner, grants: list[tuple[str, date | None]]) -> None:
    partner.purposes = (
        "".join(f"|{purpose}" for purpose, _ in sorted(grants)) + "|" if grants else ""
    )
    expiries = [until for _, until in grants if until is not None]
    partner.purposes_expire_on = min(expiries) if expiries else None


def _valid_on(valid_until: date | None, today: date) -> bool:
    """In Python what ``grant_is_valid`` says in SQL."""
    return valid_until is None or valid_until >= today


def _changed(session: Session, partner: Partner) -> None:
    cache_purposes(session, partner)
    _publish_changed(session, partner, sorted(current(session, partner.id)))


def _publish_changed(session: Session, partner: Partner, purposes: list[str]) -> None:
    publish(
        session,
        outbox,
        "consent.changed",
        partner_id=partner.id,
        organisation_id=partner.organisation_id,
        purposes=purposes,
    )


def history(session: Session, keyring: Keyring, partner: Partner) -> list[ConsentRecordOut]:
    rows = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.partner_id == partner.id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    return [
        ConsentRecordOut(
            id=r.id,
            purpose=r.purpose,
            scope=r.scope,
            action=r.action,
            method=r.method,
            information_version=r.information_version,
            evidence_ref=keyring.decrypt(
                session,
                table="consent_records",
                row_id=r.id,
                column="evidence_ref",
                blob=r.evidence_encrypted,
            )
            if r.evidence_encrypted
            else "",
            obtained_by=r.obtained_by,
            obtained_on=r.obtained_on,
            valid_until=r.valid_until,
            recorded_at=r.recorded_at,
        )
        for r in rows
    ]


def sharing_targets(session: Session, organisation_id: str) -> list[tuple[str, str | None]]:
    """The consent purposes that share a partner with ``organisation_id``, each with the
    owner organisation it applies to (None: any owner): consent naming it, or consent for a
    pool both are active in."""
    my_pools = select(PoolMember.pool_id).where(
        PoolMember.organisation_id == organisation_id, PoolMember.status == ACTIVE
    )
    pool_rows = session.execute(
        select(PoolMember.pool_id, PoolMember.organisation_id).where(
            PoolMember.pool_id.in_(my_pools),
            PoolMember.status == ACTIVE,
            PoolMember.organisation_id != organisation_id,
        )
    ).all()
    targets: list[tuple[str, str | None]] = [(f"organisation:{organisation_id}", None)]
    targets += [(f"pool:{pool_id}", owner) for pool_id, owner in pool_rows]
    return targets


def sharing_condition(
    targets: list[tuple[str, str | None]], holds: Callable[[str], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """A partner is shared when it ``holds`` one of the targets' purposes (and its owner is
    the one the target names)."""
    conditions = [
        holds(purpose) if owner is None else and_(holds(purpose), Partner.organisation_id == owner)
        for purpose, owner in targets
    ]
    return or_(*conditions)


def sharing_purposes_for(session: Session, organisation_id: str) -> ColumnElement[bool]:
    """The sharing condition on consent grant rows."""
    targets = sharing_targets(session, organisation_id)
    return sharing_condition(targets, lambda purpose: ConsentGrant.purpose == purpose)
