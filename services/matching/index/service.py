"""Keeping the resource index from registry events: only partners whose `matching` consent
holds are in it; a withdrawn consent or a forgotten partner leaves it in the same
transaction as the event is recorded. A full rebuild replays every partner from the
registry (``kortisto rebuild-matching-index``)."""

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.matching.index.documents import easy_read, resources_of, step_free
from services.matching.index.models import (
    IndexedPartner,
    IndexTombstone,
    Posting,
    Resource,
    resource_key,
)
from services.matching.ranking import relevance
from services.matching.ranking.text import Analyzer
from services.matching.runtime import Matching
from shared.crypto import open_from
from shared.crypto.documents import open_document, seal_document
from shared.events import Event

# Index terms are hashed with one key for the whole index, not one per organisation: a
# wish is ranked over several organisations' partners at once, and per-organisation keys
# would split each word's document frequency and make scores incomparable (decision 0005).
INDEX_SCOPE = "matching-index"
TERM_KIND = "match"
TERM_LENGTH = 32  # hex characters kept of each HMAC: 128 bits
# BM25 normalises a resource's length by the average; weights are stored when a resource is
# indexed, so the average is a fixed, typical length instead of a figure that would change
# every stored weight as the index grows. 24 is about the average of the evaluation set's
# resources (26; an offer's title and a few sentences); on that set any figure from 12 to 30
# gives the same nDCG@10 within 0.002 (docs/matching-text.md).
AVERAGE_LENGTH = 24.0


def resource_postings(analyzer: Analyzer, text: str) -> tuple[float, dict[str, float]]:
    """What the index keeps of a resource's text: its length and each analysed term's stored
    BM25 weight. Only the resource's own words: its categories' labels are matched when a
    wish is ranked (``suggestions.categories``), not stored with every resource."""
    frequencies = analyzer.document_terms(text)
    return relevance.document_length(frequencies), relevance.postings(frequencies, AVERAGE_LENGTH)


def hashed_terms(session: Session, matching: Matching, terms: list[str]) -> list[str]:
    hashes = matching.keyring.term_indexes(session, INDEX_SCOPE, TERM_KIND, terms)
    return [h[:TERM_LENGTH] for h in hashes]


def _newer(event_at: str, held: str | None) -> bool:
    return held is None or event_at > held


def apply_partner_upserted(session: Session, matching: Matching, event: Event) -> None:
    payload = event.payload
    partner_id = payload["partner_id"]
    event_at = payload["changed_at"]
    tombstone = session.get(IndexTombstone, partner_id)
    if tombstone is not None and (tombstone.forgotten or not _newer(event_at, tombstone.event_at)):
        return
    partner = session.get(IndexedPartner, partner_id)
    if partner is not None and not _newer(event_at, partner.event_at):
        return
    if not payload["matching"]:
        _remove(session, partner_id, event_at, forgotten=False)
        return
    document = open_from(matching.keyring.provider, "matching", partner_id, payload["sealed"])
    if tombstone is not None:
        session.delete(tombstone)
    if partner is None:
        partner = IndexedPartner(partner_id=partner_id, document_encrypted=b"")
        session.add(partner)
    partner.organisation_id = payload["organisation_id"]
    partner.kind = payload["kind"]
    partner.district_code = payload["district_code"]
    partner.category_codes = list(payload["category_codes"])
    partner.tie_strength = payload["tie_strength"]
    partner.last_contact_on = _date(payload["last_contact_on"])
    partner.shared_with = "|" + "".join(
        f"{p}|" for p in payload["purposes"] if p.startswith(("pool:", "organisation:"))
    )
    partner.step_free = step_free(document)
    partner.easy_read = easy_read(document)
    partner.event_at = event_at
    # An ordinary change (generation 0) keeps the generation of the last rebuild it was in.
    partner.rebuild_generation = max(
        partner.rebuild_generation or 0, int(payload.get("rebuild_generation") or 0)
    )
    partner.document_encrypted = seal_document(
        matching.keyring,
        session,
        organisation_id=partner.organisation_id,
        subject_id=partner_id,
        table="indexed_partners",
        row_id=partner_id,
        document=document,
    )
    session.flush()
    _index_resources(session, matching, partner, document)


def _index_resources(
    session: Session, matching: Matching, partner: IndexedPartner, document: dict[str, Any]
) -> None:
    session.execute(delete(Resource).where(Resource.partner_id == partner.partner_id))
    resources: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    for draft in resources_of(partner.kind, document):
        # Kept even without a content word: it can still be found through its categories.
        length, weights = resource_postings(matching.analyzer, draft.text)
        resource_id = f"{partner.partner_id}:{draft.kind}:{draft.position}"
        key = resource_key(resource_id)
        resources.append(
            {
                "id": resource_id,
                "key": key,
                "partner_id": partner.partner_id,
                "kind": draft.kind,
                "position": draft.position,
                "length": length,
                "slots": [slot.as_dict() for slot in draft.slots],
            }
        )
        hashes = hashed_terms(session, matching, list(weights))
        terms.extend(
            {"resource_key": key, "term": hashed, "weight": weight}
            for hashed, weight in zip(hashes, weights.values(), strict=True)
        )
    if resources:
        session.execute(insert(Resource), resources)
    if terms:
        session.execute(insert(Posting), terms)


def _remove(session: Session, partner_id: str, event_at: str, *, forgotten: bool) -> None:
    session.execute(delete(IndexedPartner).where(IndexedPartner.partner_id == partner_id))
    tombstone = session.get(IndexTombstone, partner_id)
    if tombstone is None:
        session.add(IndexTombstone(partner_id=partner_id, event_at=event_at, forgotten=forgotten))
    else:
        tombstone.event_at = max(tombstone.event_at, event_at)
        tombstone.forgotten = tombstone.forgotten or forgotten


def apply_partner_forgotten(session: Session, matching: Matching, event: Event) -> None:
    """The partner's copy goes and its key in matching's keyring is destroyed, so nothing of
    it can be read here again, backups included."""
    payload = event.payload
    partner_id = payload["partner_id"]
    _remove(session, partner_id, payload.get("changed_at", ""), forgotten=True)
    matching.keyring.shred_subject(session, payload["organisation_id"], partner_id)


def apply_activity_logged(session: Session, matching: Matching, event: Event) -> None:
    """Logging an activity moves the partner's last contact, which ranking calls freshness."""
    partner = session.get(IndexedPartner, event.payload["partner_id"])
    contact = _date(event.payload.get("last_contact_on"))
    if partner is not None and contact and (partner.last_contact_on or date.min) < contact:
        partner.last_contact_on = contact


def apply_rebuild_completed(session: Session, matching: Matching, event: Event) -> None:
    """After the registry replayed every partner for rebuild ``generation``, partners it did
    not replay are no longer in the registry (or lost consent unseen) and leave the index."""
    generation = int(event.payload["generation"])
    stale = session.execute(
        select(IndexedPartner.partner_id, IndexedPartner.event_at).where(
            IndexedPartner.rebuild_generation < generation
        )
    ).all()
    for partner_id, event_at in stale:
        # Marked with the partner's own last change, so that its replay, should it arrive
        # after this event, still counts as newer and brings it back.
        _remove(session, partner_id, event_at, forgotten=False)


def partner_document(
    session: Session, matching: Matching, partner: IndexedPartner
) -> dict[str, Any]:
    document: dict[str, Any] = open_document(
        matching.keyring,
        session,
        "indexed_partners",
        partner.partner_id,
        partner.document_encrypted,
    )
    return document


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
