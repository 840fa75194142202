"""Referrals: proposed → partner contacted → accepted or declined → active → ended, with an
outcome. The support user's `share_details` consent is checked before any of their
details can be passed on; every step publishes `referral.changed`, on which the registry
logs an activity on the partner and reminders can schedule the follow-up."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.index.documents import resource_title
from services.matching.index.models import IndexedPartner, Resource
from services.matching.index.service import partner_document
from services.matching.models import outbox
from services.matching.referrals.models import (
    NEXT_STATUSES,
    Outcome,
    Referral,
    ReferralStatus,
    ReferralStep,
)
from services.matching.referrals.schemas import (
    ReferralIn,
    ReferralOut,
    ReferralStepIn,
    ReferralStepOut,
    SharedDetails,
)
from services.matching.runtime import Matching
from services.matching.suggestions.candidates import visible_to
from services.matching.support_users import service as support_users
from services.matching.support_users.models import SupportUser
from services.matching.wishes import service as wishes
from services.matching.wishes.events import publish_wish
from services.matching.wishes.models import OPEN_STATUSES as OPEN_WISHES
from services.matching.wishes.models import Wish, WishStatus
from shared.auth import Principal
from shared.crypto.documents import open_document, seal_document
from shared.errors import ConsentMissing, Invalid, NotFound
from shared.events import publish


def _require_share_consent(session: Session, person: SupportUser) -> None:
    if not support_users.consent_state(session, person.id).share_details:
        raise ConsentMissing(
            "the support user has not agreed that their details may be passed to a partner",
            field="share_details",
        )


def _note(
    session: Session, matching: Matching, person: SupportUser, step: ReferralStep, note: str
) -> None:
    if note:
        step.note_encrypted = seal_document(
            matching.keyring,
            session,
            organisation_id=person.organisation_id,
            subject_id=person.id,
            table="referral_steps",
            row_id=step.id,
            document=note,
        )


def _add_step(
    session: Session,
    matching: Matching,
    principal: Principal,
    person: SupportUser,
    referral: Referral,
    note: str,
) -> None:
    step = ReferralStep(
        referral_id=referral.id, status=referral.status, recorded_by=principal.subject
    )
    session.add(step)
    session.flush()
    _note(session, matching, person, step, note)
    publish(
        session,
        outbox,
        "referral.changed",
        referral_id=referral.id,
        organisation_id=referral.organisation_id,
        support_user_id=person.id,
        partner_id=referral.partner_id,
        partner_organisation_id=referral.partner_organisation_id,
        status=referral.status,
        outcome=referral.outcome,
        staff_user_id=principal.subject,
        occurred_on=principal.today().isoformat(),
        follow_up_on=referral.follow_up_on.isoformat() if referral.follow_up_on else None,
    )


def create(
    session: Session, matching: Matching, principal: Principal, data: ReferralIn
) -> ReferralOut:
    support_users.require_worker(principal)
    person, wish = wishes.find_wish(session, principal, data.wish_id)
    if wish.status not in OPEN_WISHES:
        raise Invalid("wish_id", "the wish is no longer open")
    if not support_users.consent_state(session, person.id).matching:
        raise ConsentMissing("the support user has not agreed to be matched", field="matching")
    if data.share_details:
        _require_share_consent(session, person)
    row = session.execute(
        select(Resource, IndexedPartner)
        .join(IndexedPartner, IndexedPartner.partner_id == Resource.partner_id)
        .where(Resource.id == data.resource_id, visible_to(session, principal.organisation_id))
    ).first()
    if row is None:
        raise Invalid(
            "resource_id", "no such resource among those this organisation may be offered"
        )
    resource, partner = row
    referral = Referral(
        organisation_id=person.organisation_id,
        support_user_id=person.id,
        wish_id=wish.id,
        partner_id=partner.partner_id,
        partner_organisation_id=partner.organisation_id,
        resource_id=resource.id,
        share_details=data.share_details,
        follow_up_on=data.follow_up_on,
        created_by=principal.subject,
    )
    session.add(referral)
    if wish.status == WishStatus.open.value:
        wish.status = WishStatus.in_progress.value
    session.flush()
    _add_step(session, matching, principal, person, referral, data.note)
    return view(session, matching, referral)


def _find(session: Session, principal: Principal, referral_id: str) -> tuple[SupportUser, Referral]:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.organisation_id != principal.organisation_id:
        raise NotFound("no such referral")
    return support_users.find(session, principal, referral.support_user_id), referral


def advance(
    session: Session,
    matching: Matching,
    principal: Principal,
    referral_id: str,
    data: ReferralStepIn,
) -> ReferralOut:
    support_users.require_worker(principal)
    person, referral = _find(session, principal, referral_id)
    wanted = data.status.value
    if wanted not in NEXT_STATUSES[referral.status]:
        allowed = ", ".join(sorted(NEXT_STATUSES[referral.status])) or "none: it is closed"
        raise Invalid("status", f"from {referral.status} the next step can be: {allowed}")
    if wanted == ReferralStatus.contacted.value and referral.share_details:
        _require_share_consent(session, person)  # it may have been withdrawn since
    if wanted == ReferralStatus.ended.value and data.outcome is None:
        raise Invalid("outcome", "say how the referral ended")
    referral.status = wanted
    if data.outcome is not None:
        referral.outcome = data.outcome.value
    if wanted == ReferralStatus.ended.value and referral.outcome == Outcome.wish_fulfilled.value:
        _fulfil(session, person, referral.wish_id)
    if data.follow_up_on is not None:
        referral.follow_up_on = data.follow_up_on
    session.flush()
    _add_step(session, matching, principal, person, referral, data.note)
    return view(session, matching, referral)


def _fulfil(session: Session, person: SupportUser, wish_id: str) -> None:
    """A referral that ended with the wish come true fulfils its wish, if still open."""
    wish = session.get(Wish, wish_id)
    if wish is not None and wish.status in OPEN_WISHES:
        wish.status = WishStatus.fulfilled.value
        publish_wish(session, person, wish)


def shared_details(
    session: Session, matching: Matching, principal: Principal, referral_id: str
) -> SharedDetails:
    """The support user's details to pass to the partner, only with consent."""
    support_users.require_worker(principal)
    person, referral = _find(session, principal, referral_id)
    if not referral.share_details:
        raise ConsentMissing(
            "this referral does not share the support user's details", field="share_details"
        )
    _require_share_consent(session, person)
    profile = support_users.profile(session, matching, person)
    return SharedDetails(
        name=profile.name,
        languages=[language.value for language in profile.languages],
        accessibility=[need.value for need in profile.accessibility],
    )


def _names(session: Session, matching: Matching, referral: Referral) -> tuple[str, str]:
    """What the resource and partner are called, while the partner is in the index (its
    consent to matching holds); a referral outlives that, its names do not."""
    partner = session.get(IndexedPartner, referral.partner_id)
    if partner is None:
        return "", ""
    document = partner_document(session, matching, partner)
    kind, position = referral.resource_id.rsplit(":", 2)[1:]
    return resource_title(document, kind, int(position)), str(document.get("name", ""))


def view(session: Session, matching: Matching, referral: Referral) -> ReferralOut:
    steps = session.scalars(
        select(ReferralStep)
        .where(ReferralStep.referral_id == referral.id)
        .order_by(ReferralStep.recorded_at)
    )
    title, partner_name = _names(session, matching, referral)
    return ReferralOut(
        id=referral.id,
        title=title,
        partner_name=partner_name,
        support_user_id=referral.support_user_id,
        wish_id=referral.wish_id,
        partner_id=referral.partner_id,
        partner_organisation_id=referral.partner_organisation_id,
        resource_id=referral.resource_id,
        status=referral.status,
        share_details=referral.share_details,
        outcome=referral.outcome,
        follow_up_on=referral.follow_up_on,
        steps=[
            ReferralStepOut(
                status=s.status,
                note=str(
                    open_document(
                        matching.keyring, session, "referral_steps", s.id, s.note_encrypted
                    )
                )
                if s.note_encrypted
                else "",
                recorded_by=s.recorded_by,
                recorded_at=s.recorded_at,
            )
            for s in steps
        ],
        created_at=referral.created_at,
        updated_at=referral.updated_at,
    )


def referrals_of(
    session: Session, matching: Matching, principal: Principal, support_user_id: str
) -> list[ReferralOut]:
    person = support_users.find(session, principal, support_user_id)
    rows = session.scalars(
        select(Referral)
        .where(Referral.support_user_id == person.id)
        .order_by(Referral.created_at.desc())
    )
    return [view(session, matching, r) for r in rows]
