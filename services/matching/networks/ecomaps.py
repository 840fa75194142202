"""Eco-maps: the people and organisations in a support user's life, each with relation,
ring, support, reciprocity and contact frequency, and the questions that help the person
tell about them. Names and notes are sealed with the support user's data key.

Who may: the support user's organisation's workers, and the person themselves (the same
rule as for the support user, ``support_users.service.find``)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.index.models import IndexedPartner
from services.matching.networks.models import EcoMapMember, Ring
from services.matching.networks.schemas import (
    EcoMapOut,
    GuidingQuestion,
    Member,
    MemberIn,
    MemberPatch,
)
from services.matching.runtime import Matching
from services.matching.suggestions.candidates import visible_to
from services.matching.support_users import service as support_users
from services.matching.support_users.models import SupportUser
from shared.auth import Principal
from shared.crypto.documents import seal_document
from shared.errors import Invalid, NotFound

TABLE = "eco_map_members"
RING_ORDER = {ring.value: i for i, ring in enumerate(Ring)}

GUIDING_QUESTIONS = [
    GuidingQuestion(
        code="friends_nearby",
        fi="Keitä ystäviä sinulla on lähellä, kävelymatkan päässä?",
        en="Which of your friends live nearby, within walking distance?",
    ),
    GuidingQuestion(
        code="important_news",
        fi="Kenelle kerrot ensimmäisenä, kun sinulle tapahtuu jotain tärkeää?",
        en="Who is the first person you tell when something important happens to you?",
    ),
    GuidingQuestion(
        code="advice",
        fi="Keneltä kysyt neuvoa, kun et tiedä mitä tehdä?",
        en="Whom do you ask for advice when you are unsure what to do?",
    ),
    GuidingQuestion(
        code="everyday_help",
        fi="Kuka auttaa sinua arjen asioissa, kuten kaupassa käynnissä tai papereissa?",
        en="Who helps you with everyday things, such as shopping or paperwork?",
    ),
    GuidingQuestion(
        code="free_time",
        fi="Kenen kanssa vietät vapaa-aikaa tai harrastat?",
        en="Whom do you spend your free time or hobbies with?",
    ),
    GuidingQuestion(
        code="you_help",
        fi="Ketä sinä autat tai ilahdutat?",
        en="Whom do you help or cheer up?",
    ),
    GuidingQuestion(
        code="work_school",
        fi="Keitä tapaat töissä, koulussa tai päivätoiminnassa?",
        en="Whom do you meet at work, at school or in day activities?",
    ),
    GuidingQuestion(
        code="see_more",
        fi="Kenet haluaisit tavata useammin?",
        en="Whom would you like to see more often?",
    ),
]


def check_partner(session: Session, principal: Principal, partner_id: str | None) -> None:
    """A linked partner must be one the caller's organisation may see in the index."""
    if partner_id is None:
        return
    visible = session.scalar(
        select(IndexedPartner.partner_id).where(
            IndexedPartner.partner_id == partner_id,
            visible_to(session, principal.organisation_id),
        )
    )
    if visible is None:
        raise Invalid("partner_id", "no such partner among those you may see")


def _seal(
    session: Session,
    matching: Matching,
    person: SupportUser,
    row: EcoMapMember,
    name: str,
    note: str | None,
) -> None:
    row.document_encrypted = seal_document(
        matching.keyring,
        session,
        organisation_id=person.organisation_id,
        subject_id=person.id,
        table=TABLE,
        row_id=row.id,
        document={"name": name, "note": note},
    )


def views(session: Session, matching: Matching, rows: list[EcoMapMember]) -> list[Member]:
    """Members with their names opened, every data key read in one statement."""
    documents = matching.keyring.open_documents(
        session, [(TABLE, row.id, row.document_encrypted) for row in rows]
    )
    return [
        Member(
            id=row.id,
            name=document["name"],
            note=document.get("note"),
            partner_id=row.partner_id,
            relation=row.relation,
            ring=row.ring,
            support=row.support,
            reciprocity=row.reciprocity,
            frequency=row.frequency,
        )
        for row, document in zip(rows, documents, strict=True)
    ]


def member_rows(session: Session, person: SupportUser) -> list[EcoMapMember]:
    rows = session.scalars(
        select(EcoMapMember).where(EcoMapMember.support_user_id == person.id)
    ).all()
    return sorted(rows, key=lambda r: (RING_ORDER[r.ring], r.created_at, r.id))


def current_members(session: Session, matching: Matching, person: SupportUser) -> list[Member]:
    return views(session, matching, member_rows(session, person))


def eco_map(
    session: Session, matching: Matching, principal: Principal, support_user_id: str
) -> EcoMapOut:
    person = support_users.find(session, principal, support_user_id)
    rows = member_rows(session, person)
    return EcoMapOut(
        support_user_id=person.id,
        members=views(session, matching, rows),
        guiding_questions=GUIDING_QUESTIONS,
        updated_at=max((r.updated_at for r in rows), default=None),
    )


def add_member(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    data: MemberIn,
) -> Member:
    person = support_users.find(session, principal, support_user_id)
    check_partner(session, principal, data.partner_id)
    row = EcoMapMember(
        support_user_id=person.id,
        partner_id=data.partner_id,
        relation=data.relation.value,
        ring=data.ring.value,
        support=_support(data.support),
        reciprocity=data.reciprocity.value,
        frequency=data.frequency.value,
        document_encrypted=b"",
    )
    session.add(row)
    session.flush()
    _seal(session, matching, person, row, data.name, data.note)
    session.flush()
    return views(session, matching, [row])[0]


def _find_member(
    session: Session, principal: Principal, support_user_id: str, member_id: str
) -> tuple[SupportUser, EcoMapMember]:
    person = support_users.find(session, principal, support_user_id)
    row = session.get(EcoMapMember, member_id)
    if row is None or row.support_user_id != person.id:
        raise NotFound("no such member in this eco-map")
    return person, row


def change_member(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    member_id: str,
    data: MemberPatch,
) -> Member:
    person, row = _find_member(session, principal, support_user_id, member_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "relation", "ring", "reciprocity", "frequency", "support"):
        if field in changes and changes[field] is None:
            raise Invalid(field, "may not be empty")
    if "partner_id" in changes:
        check_partner(session, principal, data.partner_id)
        row.partner_id = data.partner_id
    for field in ("relation", "ring", "reciprocity", "frequency"):
        if field in changes:
            setattr(row, field, str(changes[field]))
    if data.support is not None:
        row.support = _support(data.support)
    if "name" in changes or "note" in changes:
        current = views(session, matching, [row])[0]
        name = data.name if data.name is not None else current.name
        note = data.note if "note" in changes else current.note
        _seal(session, matching, person, row, name, note)
    session.flush()
    return views(session, matching, [row])[0]


def remove_member(
    session: Session, principal: Principal, support_user_id: str, member_id: str
) -> None:
    _, row = _find_member(session, principal, support_user_id, member_id)
    session.delete(row)
    session.flush()


def _support(kinds: Sequence[object]) -> list[str]:
    """Each kind once, in the order the schema lists them."""
    chosen = {str(getattr(k, "value", k)) for k in kinds}
    order = ["company", "practical", "advice", "emotional"]
    return [k for k in order if k in chosen]
