"""The resource index follows registry events: what `matching` consent covers goes in, as
hashed terms and sealed documents; a late older event never wins; withdrawal and
forgetting take the partner out, and a forgotten partner never comes back."""

import uuid
from typing import Any

from sqlalchemy import func, select

from services.matching.index.models import IndexedPartner, IndexTombstone, Posting, Resource
from services.matching.runtime import Matching
from services.matching.tasks import apply
from shared.crypto import SubjectShredded
from shared.crypto.documents import open_document
from tests.dumps import stored_text
from tests.matching.conftest import club, index_partner, partner_message

CANARY = "Zyxwvu-kanarialintu"


def event(type_: str, **payload: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": "registry", "type": type_, "payload": payload}


def resources(matching: Matching, partner_id: str) -> list[Resource]:
    with matching.database.session() as session:
        return list(session.scalars(select(Resource).where(Resource.partner_id == partner_id)))


def test_a_partner_becomes_resources_with_hashed_terms_and_a_sealed_card(
    matching: Matching,
) -> None:
    org = str(uuid.uuid4())
    card = {
        "name": f"{CANARY} ry",
        "facilities": "esteetön, hissi",
        "offers": [
            {"title": "Kokkikerho", "description": f"{CANARY} opettaa", "schedule": "ti 17-19"},
            {"title": "Lukupiiri", "description": "", "schedule": ""},
        ],
        "resources_available": ["sauna"],
    }
    partner_id = index_partner(matching, org, card, categories=("P1",))
    found = resources(matching, partner_id)
    assert sorted((r.kind, r.position) for r in found) == [
        ("offer", 0),
        ("offer", 1),
        ("resource", 0),
    ]
    offer = next(r for r in found if r.position == 0 and r.kind == "offer")
    assert offer.slots == [{"weekday": 2, "start": "17:00", "end": "19:00"}]
    with matching.database.session() as session:
        partner = session.get(IndexedPartner, partner_id)
        assert partner is not None and partner.step_free is True
        stored = open_document(
            matching.keyring, session, "indexed_partners", partner_id, partner.document_encrypted
        )
        assert stored["name"] == f"{CANARY} ry"
        dump = stored_text(session, Posting.__table__)
        assert CANARY.lower() not in dump.lower() and "kokki" not in dump.lower()
        assert session.scalar(select(func.count()).select_from(Posting)) > 5


def test_a_late_older_event_does_not_win(matching: Matching) -> None:
    org, partner_id = str(uuid.uuid4()), str(uuid.uuid4())
    newer = partner_message(
        matching, org, club("Kuoro"), partner_id=partner_id, changed_at="2026-11-23T10:00:00"
    )
    older = partner_message(
        matching, org, club("Shakki"), partner_id=partner_id, changed_at="2026-11-23T09:00:00"
    )
    apply(matching, newer)
    apply(matching, older)
    with matching.database.session() as session:
        partner = session.get(IndexedPartner, partner_id)
        assert partner is not None
        document = open_document(
            matching.keyring, session, "indexed_partners", partner_id, partner.document_encrypted
        )
        assert document["offers"][0]["title"] == "Kuoro"


def test_withdrawn_matching_consent_takes_the_partner_out_until_given_again(
    matching: Matching,
) -> None:
    org, partner_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(
        matching,
        partner_message(
            matching, org, club("Kuoro"), partner_id=partner_id, changed_at="2026-11-23T10:00:00"
        ),
    )
    apply(
        matching,
        partner_message(
            matching,
            org,
            {},
            partner_id=partner_id,
            matching_consent=False,
            changed_at="2026-11-23T11:00:00",
        ),
    )
    assert resources(matching, partner_id) == []
    # The consent's earlier state arriving late changes nothing; a newer grant brings it back.
    apply(
        matching,
        partner_message(
            matching, org, club("Kuoro"), partner_id=partner_id, changed_at="2026-11-23T10:30:00"
        ),
    )
    assert resources(matching, partner_id) == []
    apply(
        matching,
        partner_message(
            matching, org, club("Kuoro"), partner_id=partner_id, changed_at="2026-11-23T12:00:00"
        ),
    )
    assert len(resources(matching, partner_id)) == 1


def test_a_forgotten_partner_is_shredded_and_never_comes_back(matching: Matching) -> None:
    org, partner_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(
        matching,
        partner_message(
            matching, org, club("Kuoro"), partner_id=partner_id, changed_at="2026-11-23T10:00:00"
        ),
    )
    with matching.database.session() as session:
        partner = session.get(IndexedPartner, partner_id)
        assert partner is not None
        blob = partner.document_encrypted
    apply(
        matching,
        event(
            "partner.forgotten",
            partner_id=partner_id,
            organisation_id=org,
            changed_at="2026-11-23T11:00:00",
        ),
    )
    assert resources(matching, partner_id) == []
    with matching.database.session() as session:
        try:
            open_document(matching.keyring, session, "indexed_partners", partner_id, blob)
            raise AssertionError("a forgotten partner's copy still decrypts")
        except SubjectShredded:
            pass
    apply(
        matching,
        partner_message(
            matching, org, club("Kuoro"), partner_id=partner_id, changed_at="2026-11-24T10:00:00"
        ),
    )
    assert resources(matching, partner_id) == []
    with matching.database.session() as session:
        tombstone = session.get(IndexTombstone, partner_id)
        assert tombstone is not None and tombstone.forgotten


def test_an_activity_moves_last_contact_forward_only(matching: Matching) -> None:
    org = str(uuid.uuid4())
    partner_id = index_partner(matching, org, club("Kuoro"), last_contact_on="2026-06-01")
    for day in ("2026-10-01", "2026-05-01"):
        apply(
            matching,
            event(
                "activity.logged", partner_id=partner_id, organisation_id=org, last_contact_on=day
            ),
        )
    with matching.database.session() as session:
        partner = session.get(IndexedPartner, partner_id)
        assert partner is not None and str(partner.last_contact_on) == "2026-10-01"


def test_a_rebuild_drops_what_was_not_replayed(matching: Matching) -> None:
    org = str(uuid.uuid4())
    gone = index_partner(matching, org, club("Kuoro"))
    kept = str(uuid.uuid4())
    replayed = partner_message(matching, org, club("Shakki"), partner_id=kept)
    replayed["payload"]["rebuild_generation"] = 7
    apply(matching, replayed)
    # An ordinary change after the replay keeps the partner in generation 7.
    apply(matching, partner_message(matching, org, club("Shakki ja go"), partner_id=kept))
    apply(
        matching,
        event("partners.replayed", generation=7, partners=1, changed_at="2026-11-23T12:00:00"),
    )
    assert resources(matching, gone) == []
    assert len(resources(matching, kept)) == 1


def test_each_event_is_applied_once(matching: Matching) -> None:
    message = partner_message(matching, str(uuid.uuid4()), club("Kuoro"))
    assert apply(matching, message) is True
    assert apply(matching, message) is False
