"""Events the resource file publishes: coarse attributes in the clear, the card fields
that `matching` consent covers sealed for the matching service, and nothing readable
about a partner without that consent."""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from services.registry.consent.models import ConsentGrant
from services.registry.models import outbox
from services.registry.partners.models import Partner
from services.registry.partners.rights import end_expired_files, purge_pending
from services.registry.runtime import Registry
from shared.crypto import open_from
from tests.registry.conftest import World, add_partner, citizen_card, consents


def events(registry: Registry, partner_id: str) -> list[tuple[str, dict[str, Any]]]:
    with registry.database.session() as session:
        rows = session.execute(
            select(outbox.c.type, outbox.c.payload).order_by(outbox.c.created_at)
        ).all()
    return [(t, p) for t, p in rows if p.get("partner_id") == partner_id]


def test_matching_gets_the_consented_fields_sealed(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    partner = add_partner(
        client, staff, citizen_card("Sinetöity Canary"), "file", "matching", kind="citizen"
    )
    upserted = [p for t, p in events(registry, partner["id"]) if t == "partner.upserted"][-1]
    assert upserted["matching"] is True
    assert "Canary" not in repr(upserted)
    document = open_from(registry.keyring.provider, "matching", partner["id"], upserted["sealed"])
    assert document["name"] == "Sinetöity Canary"
    assert document["skills"] == ["baking", "knitting"]
    assert "birthday" not in document and "contact" not in document and "notes" not in document


def test_without_matching_consent_nothing_is_sealed(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    partner = add_partner(client, staff, citizen_card("Ei Matchia"), "file", kind="citizen")
    upserted = [p for t, p in events(registry, partner["id"]) if t == "partner.upserted"][-1]
    assert upserted["matching"] is False and "sealed" not in upserted


def test_logging_and_consent_changes_publish_events(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    partner = add_partner(
        client, staff, citizen_card("Tapahtuva"), "file", "matching", kind="citizen"
    )
    client.post(
        f"/partners/{partner['id']}/activities", headers=staff.headers, json={"kind": "greeting"}
    )
    client.post(
        f"/partners/{partner['id']}/consents/withdraw",
        headers=staff.headers,
        json={"purposes": ["matching"], "method": "verbal"},
    )
    kinds = [t for t, _ in events(registry, partner["id"])]
    assert "activity.logged" in kinds and kinds.count("consent.changed") == 2
    last = [p for t, p in events(registry, partner["id"]) if t == "partner.upserted"][-1]
    assert last["matching"] is False and "matching" not in last["purposes"]


def test_pending_partners_are_purged_when_their_time_is_up(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    waiting = add_partner(
        client, staff, {"name": "Odottaja", "contact": {"email": "o@example.org"}}, kind="citizen"
    )
    expired = add_partner(
        client,
        staff,
        {"name": "Vanhentunut", "contact": {"email": "v@example.org"}},
        kind="citizen",
    )
    with registry.database.session() as session:
        session.execute(
            update(Partner)
            .where(Partner.id == expired["id"])
            .values(purge_after=date.today() - timedelta(days=1))
        )
    with registry.database.session() as session:
        assert purge_pending(session, registry) == 1
    with registry.database.session() as session:
        left = set(
            session.scalars(
                select(Partner.id).where(Partner.organisation_id == staff.organisation_id)
            )
        )
    assert left == {waiting["id"]}
    assert "partner.forgotten" in [t for t, _ in events(registry, expired["id"])]
    # a consent given in time keeps the partner
    client.post(f"/partners/{waiting['id']}/consents", headers=staff.headers, json=consents("file"))
    with registry.database.session() as session:
        assert purge_pending(session, registry, date.today() + timedelta(days=400)) == 0


def test_an_expired_file_consent_makes_the_partner_pending(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    partner = add_partner(client, staff, citizen_card("Määräaikainen"), "file", kind="citizen")
    client.post(
        f"/partners/{partner['id']}/consents",
        headers=staff.headers,
        json=[
            {
                "purpose": "file",
                "method": "written",
                "information_version": "v1",
                "valid_until": (date.today() + timedelta(days=10)).isoformat(),
            }
        ],
    )
    with registry.database.session() as session:
        assert end_expired_files(session, registry) == 0
    # the grant is checked against today's date: move it into the past
    with registry.database.session() as session:
        session.execute(
            update(ConsentGrant)
            .where(ConsentGrant.partner_id == partner["id"])
            .values(valid_until=date.today() - timedelta(days=1))
        )
    with registry.database.session() as session:
        assert end_expired_files(session, registry) == 1
    now = client.get(f"/partners/{partner['id']}", headers=staff.headers).json()
    assert now["status"] == "pending" and set(now["card"]) == {"name", "contact"}
