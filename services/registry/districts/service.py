"""District knowledge notes and district exploration, always within the caller's own
organisation: other organisations neither see nor count them."""

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.audit import service as audit
from services.registry.districts.models import DistrictAssignment, KnowledgeNote
from services.registry.districts.schemas import (
    Assignee,
    CoverageOut,
    CoverageSummary,
    DistrictCoverage,
    KnowledgeNoteIn,
    KnowledgeNoteOut,
    KnowledgeNotePage,
)
from services.registry.identity import service as identity
from services.registry.identity.models import Membership, new_id
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.reference import service as reference
from shared.auth import Principal
from shared.crypto import Keyring
from shared.errors import Forbidden, Invalid, NotFound
from shared.local_time import day_or_today

NOTES = "knowledge_notes"
ACTIVE = PartnerStatus.active.value
PENDING = PartnerStatus.pending.value


# --- knowledge notes ------------------------------------------------------------------------


def _seal(
    keyring: Keyring, session: Session, note: KnowledgeNote, column: str, value: str
) -> bytes:
    return keyring.encrypt(
        session,
        organisation_id=note.organisation_id,
        subject_id=None,
        table=NOTES,
        row_id=note.id,
        column=column,
        value=value,
    )


def note_view(session: Session, keyring: Keyring, note: KnowledgeNote) -> KnowledgeNoteOut:
    def read(column: str, blob: bytes) -> str:
        return keyring.decrypt(session, table=NOTES, row_id=note.id, column=column, blob=blob)

    return KnowledgeNoteOut(
        id=note.id,
        district_code=note.district_code,
        noted_on=note.noted_on,
        question=read("question", note.question_encrypted),
        answer=read("answer", note.answer_encrypted),
        staff_user_id=note.staff_user_id,
        created_at=note.created_at,
    )


def record_note(
    session: Session, keyring: Keyring, principal: Principal, data: KnowledgeNoteIn
) -> KnowledgeNote:
    """A note from a conversation in the district; dated today unless the staff member
    says otherwise, never in the future."""
    if principal.user_id is None:
        raise Forbidden("district notes are written by staff members, not integrations")
    organisation_id = principal.organisation_id
    if not reference.district_exists(session, organisation_id, data.district_code):
        raise Invalid("district_code", "no such district")
    noted_on = day_or_today(data.noted_on, principal.today(), "noted_on")
    note = KnowledgeNote(
        id=new_id(),
        organisation_id=organisation_id,
        district_code=data.district_code,
        noted_on=noted_on,
        staff_user_id=principal.user_id,
    )
    note.question_encrypted = _seal(keyring, session, note, "question", data.question)
    note.answer_encrypted = _seal(keyring, session, note, "answer", data.answer)
    session.add(note)
    session.flush()
    return note


def list_notes(
    session: Session,
    keyring: Keyring,
    principal: Principal,
    *,
    district: str | None,
    since: date | None,
    page: int,
    page_size: int,
) -> KnowledgeNotePage:
    """The organisation's notes, newest first, one page at a time (pages count from 1)."""
    query = select(KnowledgeNote).where(KnowledgeNote.organisation_id == principal.organisation_id)
    if district:
        query = query.where(KnowledgeNote.district_code == district)
    if since:
        query = query.where(KnowledgeNote.noted_on >= since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    notes = session.scalars(
        query.order_by(
            KnowledgeNote.noted_on.desc(), KnowledgeNote.created_at.desc(), KnowledgeNote.id
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return KnowledgeNotePage(
        items=[note_view(session, keyring, note) for note in notes],
        page=page,
        page_size=page_size,
        total=total,
    )


def delete_note(session: Session, principal: Principal, note_id: str) -> None:
    """Its author or an admin of the organisation may delete a note."""
    note = session.get(KnowledgeNote, note_id)
    if note is None or note.organisation_id != principal.organisation_id:
        raise NotFound("no such note")
    if note.staff_user_id != principal.user_id and not principal.has_any("admin"):
        raise Forbidden("only the author or an admin can delete a note")
    session.delete(note)
    audit.record(
        session, principal, principal.organisation_id, "district_note.deleted", "note", note_id
    )


# --- district exploration -------------------------------------------------------------------


def set_assignments(
    session: Session,
    keyring: Keyring,
    principal: Principal,
    district_code: str,
    user_ids: list[str],
) -> DistrictCoverage:
    """Make ``user_ids`` the whole team exploring the district (an empty list clears it).
    Every one of them must be a member of the organisation."""
    organisation_id = principal.organisation_id
    reference.get_district(session, organisation_id, district_code)
    wanted = list(dict.fromkeys(user_ids))
    members = set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.organisation_id == organisation_id, Membership.user_id.in_(wanted)
            )
        )
    )
    outsiders = [user_id for user_id in wanted if user_id not in members]
    if outsiders:
        raise Invalid("user_ids", f"not members of this organisation: {', '.join(outsiders)}")
    current = {
        a.user_id: a
        for a in session.scalars(
            select(DistrictAssignment).where(
                DistrictAssignment.organisation_id == organisation_id,
                DistrictAssignment.district_code == district_code,
            )
        )
    }
    added = [user_id for user_id in wanted if user_id not in current]
    removed = sorted(set(current) - set(wanted))
    for user_id in removed:
        session.delete(current[user_id])
    for user_id in added:
        session.add(
            DistrictAssignment(
                organisation_id=organisation_id,
                district_code=district_code,
                user_id=user_id,
                assigned_by=principal.subject,
            )
        )
    session.flush()
    if added or removed:
        audit.record(
            session,
            principal,
            organisation_id,
            "district.assigned",
            "district",
            district_code,
            added=added,
            removed=removed,
        )
    return _coverage(session, keyring, organisation_id, only=district_code)[0]


def _coverage(
    session: Session, keyring: Keyring, organisation_id: str, only: str | None = None
) -> list[DistrictCoverage]:
    """Per district with assignments or partners (or just the district ``only``): who
    covers it, how many partners and notes the organisation has there."""
    assignments = select(DistrictAssignment.district_code, DistrictAssignment.user_id).where(
        DistrictAssignment.organisation_id == organisation_id
    )
    partner_counts = (
        select(Partner.district_code, Partner.status, func.count())
        .where(
            Partner.organisation_id == organisation_id,
            Partner.district_code.is_not(None),
            Partner.status.in_([ACTIVE, PENDING]),
        )
        .group_by(Partner.district_code, Partner.status)
    )
    note_counts = (
        select(KnowledgeNote.district_code, func.count())
        .where(KnowledgeNote.organisation_id == organisation_id)
        .group_by(KnowledgeNote.district_code)
    )
    if only is not None:
        assignments = assignments.where(DistrictAssignment.district_code == only)
        partner_counts = partner_counts.where(Partner.district_code == only)
        note_counts = note_counts.where(KnowledgeNote.district_code == only)

    assigned: dict[str, list[str]] = defaultdict(list)
    for code, user_id in session.execute(assignments.order_by(DistrictAssignment.assigned_at)):
        assigned[code].append(user_id)
    partners: dict[str, dict[str, int]] = defaultdict(dict)
    for partner_district, status, count in session.execute(partner_counts):
        if partner_district is not None:
            partners[partner_district][status] = count
    notes = {code: count for code, count in session.execute(note_counts)}
    names = {d.code: d.name_fi for d in reference.list_districts(session, organisation_id)}
    members = identity.list_members(session, keyring, organisation_id) if assigned else []
    display = {member.id: member.display_name for member in members}

    codes = set(assigned) | set(partners) | ({only} if only else set())
    return [
        DistrictCoverage(
            district_code=code,
            district_name=names.get(code),
            assignees=[
                Assignee(user_id=user_id, display_name=display.get(user_id))
                for user_id in assigned.get(code, [])
            ],
            partners=partners.get(code, {}).get(ACTIVE, 0),
            pending_partners=partners.get(code, {}).get(PENDING, 0),
            notes=notes.get(code, 0),
        )
        for code in sorted(codes)
    ]


def coverage(session: Session, keyring: Keyring, principal: Principal) -> CoverageOut:
    """Who covers which district, and where the team and the partners do not meet: districts
    with partners (active or pending) but nobody assigned, and the other way round."""
    districts = _coverage(session, keyring, principal.organisation_id)
    return CoverageOut(
        districts=districts,
        summary=CoverageSummary(
            partners_without_assignee=[
                d.district_code
                for d in districts
                if d.partners + d.pending_partners and not d.assignees
            ],
            assigned_without_partners=[
                d.district_code
                for d in districts
                if d.assignees and not d.partners + d.pending_partners
            ],
        ),
    )
