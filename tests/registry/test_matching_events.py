"""What the registry does with matching's events: a referral step becomes an activity on
the partner (naming the referring organisation, never the support user), and partners
shown to another organisation go into the owner's access log."""

import uuid
from typing import Any

from fastapi.testclient import TestClient

from services.registry.access import service as access
from services.registry.runtime import Registry
from services.registry.tasks import apply
from tests.registry.conftest import World, add_partner, organisation_card


def event(type_: str, **payload: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": "matching", "type": type_, "payload": payload}


def test_a_referral_step_is_logged_on_the_partner_once(
    client: TestClient, registry: Registry, world: World
) -> None:
    owner = world.member(world.organisation("Kotipolku"), "staff")
    referrer = world.organisation("Kallio ry")
    partner = add_partner(
        client, owner, organisation_card("Kokkikerho"), "file", "team", "matching"
    )
    message = event(
        "referral.changed",
        referral_id=str(uuid.uuid4()),
        organisation_id=referrer,
        partner_id=partner["id"],
        partner_organisation_id=owner.organisation_id,
        status="contacted",
        outcome=None,
        staff_user_id="someone",
        occurred_on="2026-11-20",
        follow_up_on=None,
    )
    assert apply(registry, message) is True
    assert apply(registry, message) is False
    logged = client.get(f"/partners/{partner['id']}/activities", headers=owner.headers).json()
    assert [(a["kind"], a["content"]) for a in logged] == [
        ("contact", "Referral (Kallio ry): contacted")
    ]
    card = client.get(f"/partners/{partner['id']}", headers=owner.headers).json()
    assert card["last_contact_on"] == "2026-11-20"


def test_partners_shown_to_another_organisation_are_in_the_owners_access_log(
    client: TestClient, registry: Registry, world: World
) -> None:
    owner = world.member(world.organisation("Kotipolku"), "staff")
    reader = world.organisation("Kallio ry")
    shared = add_partner(
        client,
        owner,
        organisation_card("Kuoro"),
        "file",
        "matching",
        f"organisation:{reader}",
        scope="basic",
    )
    own_read = add_partner(client, owner, organisation_card("Oma"), "file", "matching")
    apply(
        registry,
        event(
            "partners.shown",
            reader_organisation_id=reader,
            reader_subject="worker-1",
            partner_ids=[shared["id"]],
            purpose="matching",
        ),
    )
    apply(
        registry,
        event(
            "partners.shown",
            reader_organisation_id=owner.organisation_id,
            reader_subject="worker-2",
            partner_ids=[own_read["id"]],
            purpose="matching",
        ),
    )
    with registry.database.session() as session:
        entries = access.entries(session, owner.organisation_id)
        assert [(e.partner_id, e.reader_organisation_id, e.action) for e in entries] == [
            (shared["id"], reader, "matching")
        ]
        assert access.verify(session, owner.organisation_id).valid


def test_a_replay_publishes_every_active_partner_then_the_end_of_the_rebuild(
    client: TestClient, registry: Registry, world: World, reference_data: None
) -> None:
    from sqlalchemy import delete, select

    from services.registry.models import outbox
    from services.registry.partners.replay import replay

    owner = world.member(world.organisation("Kotipolku"), "staff")
    for name in ("Kuoro", "Kokkikerho"):
        add_partner(client, owner, organisation_card(name), "file", "matching")
    pending = {"name": "Pending", "contact": {"email": "p@example.org"}}
    add_partner(client, owner, pending)  # no `file` consent
    with registry.database.session() as session:
        session.execute(delete(outbox))
    with registry.database.session() as session:
        generation, replayed = replay(session, registry)
    with registry.database.session() as session:
        events = session.execute(
            select(outbox.c.type, outbox.c.payload).order_by(outbox.c.created_at)
        ).all()
    assert replayed == 2
    assert [e.type for e in events] == [
        "reference.changed",
        "partner.upserted",
        "partner.upserted",
        "partners.replayed",
    ]
    assert len(events[0].payload["districts"]) == 84 and len(events[0].payload["categories"]) == 228
    assert all(e.payload["rebuild_generation"] == generation for e in events[1:3])
    assert all(e.payload["matching"] and "sealed" in e.payload for e in events[1:3])
    assert events[-1].payload["generation"] == generation
