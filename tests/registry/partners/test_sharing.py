"""Who sees a partner, and how much: inside the organisation by `team` consent, across
organisations by pool or named consent and only the fields of its scope. Every read from
outside is in the owner's access log; withdrawal takes effect at once."""

from fastapi.testclient import TestClient

from tests.registry.conftest import Member, World, add_partner, citizen_card, organisation_card

NEVER_SHARED = {"birthday", "notes", "information_needed"}


def pooled(client: TestClient, world: World) -> tuple[Member, Member, str]:
    """Two organisations in one pool; returns their admins and the pool id."""
    a = world.member(world.organisation("Kotipolku"), "admin", "staff")
    b = world.member(world.organisation("Kallio ry"), "admin", "staff")
    pool = client.post("/pools", headers=a.headers, json={"name": "Kallio"}).json()["id"]
    client.post(
        f"/pools/{pool}/invitations", headers=a.headers, json={"organisation_id": b.organisation_id}
    )
    client.post(f"/pools/{pool}/accept", headers=b.headers)
    return a, b, pool


def names(client: TestClient, member: Member, **params: str) -> list[str]:
    response = client.get("/partners", headers=member.headers, params=params)
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["items"]]


def test_without_team_consent_only_the_responsible_member_and_admins_see_a_partner(
    client: TestClient, world: World
) -> None:
    org = world.organisation()
    anna, bertta = world.member(org, "staff"), world.member(org, "staff")
    admin = world.member(org, "admin")
    private = add_partner(client, anna, organisation_card("Vain Annan"), "file")
    add_partner(client, anna, organisation_card("Koko Tiimin"), "file", "team")
    assert sorted(names(client, anna)) == ["Koko Tiimin", "Vain Annan"]
    assert names(client, bertta) == ["Koko Tiimin"]
    assert client.get(f"/partners/{private['id']}", headers=bertta.headers).status_code == 404
    assert sorted(names(client, admin)) == ["Koko Tiimin", "Vain Annan"]


def test_a_pool_member_sees_only_consented_partners_and_only_the_scoped_fields(
    client: TestClient, world: World
) -> None:
    a, b, pool = pooled(client, world)
    basic = add_partner(
        client,
        a,
        citizen_card("Perus Jaettu"),
        "file",
        "team",
        f"pool:{pool}",
        kind="citizen",
        scope="basic",
    )
    contact = add_partner(
        client,
        a,
        citizen_card("Yhteys Jaettu"),
        "file",
        f"pool:{pool}",
        kind="citizen",
        scope="contact",
    )
    add_partner(client, a, citizen_card("Ei Jaettu"), "file", "team", kind="citizen")

    found = client.get("/partners", headers=b.headers, params={"scope": "shared"}).json()["items"]
    assert sorted(p["name"] for p in found) == ["Perus Jaettu", "Yhteys Jaettu"]
    assert all(p["owner"]["name"] == "Kotipolku" and not p["owned"] for p in found)

    seen_basic = client.get(f"/partners/{basic['id']}", headers=b.headers).json()
    assert seen_basic["view"] == "basic"
    assert set(seen_basic["card"]) == {"name", "skills"}
    seen_contact = client.get(f"/partners/{contact['id']}", headers=b.headers).json()
    assert seen_contact["view"] == "contact"
    assert seen_contact["card"]["contact"]["email"] == "person@example.org"
    assert not NEVER_SHARED & set(seen_contact["card"])
    assert seen_contact["consents"] == [] and seen_contact["responsible_user_id"] is None
    for path in ("activities", "export", "consents"):
        assert client.get(f"/partners/{basic['id']}/{path}", headers=b.headers).status_code == 403
    assert (
        client.patch(
            f"/partners/{basic['id']}", headers=b.headers, json={"tie_strength": "strong"}
        ).status_code
        == 403
    )
    assert client.delete(f"/partners/{basic['id']}", headers=b.headers).status_code == 403


def test_every_read_from_outside_is_in_the_owners_access_log_and_the_chain_verifies(
    client: TestClient, world: World
) -> None:
    a, b, pool = pooled(client, world)
    partner = add_partner(client, a, organisation_card("Lokitettu"), "file", f"pool:{pool}")
    client.get("/partners", headers=b.headers, params={"name": "lok"})
    client.get(f"/partners/{partner['id']}", headers=b.headers)
    client.get(
        f"/partners/{partner['id']}", headers=a.headers
    )  # the owner's own read is not logged
    log = client.get("/access-log", headers=a.headers).json()
    assert [(e["action"], e["reader_organisation_id"]) for e in log] == [
        ("read", b.organisation_id),
        ("search", b.organisation_id),
    ]
    assert all(e["basis"] == f"pool:{pool}" for e in log)
    assert client.get("/access-log", headers=b.headers).json() == []
    assert client.get("/access-log/verify", headers=a.headers).json() == {
        "entries": 2,
        "valid": True,
        "first_broken_seq": None,
        "problem": "",
    }


def test_consent_naming_an_organisation_shares_with_it_alone(
    client: TestClient, world: World
) -> None:
    a = world.member(world.organisation("Owner Org"), "staff")
    named = world.member(world.organisation("Named Org"), "staff")
    other = world.member(world.organisation("Other Org"), "staff")
    add_partner(
        client,
        a,
        organisation_card("Nimetty Jako"),
        "file",
        f"organisation:{named.organisation_id}",
    )
    assert names(client, named, name="nimetty") == ["Nimetty Jako"]
    assert names(client, other, name="nimetty") == []


def test_withdrawal_removes_a_partner_from_others_at_once(client: TestClient, world: World) -> None:
    a, b, pool = pooled(client, world)
    partner = add_partner(client, a, organisation_card("Peruttava"), "file", "team", f"pool:{pool}")
    assert names(client, b, name="peru") == ["Peruttava"]
    ended = client.post(
        f"/partners/{partner['id']}/consents/withdraw",
        headers=a.headers,
        json={"purposes": [f"pool:{pool}"], "method": "verbal"},
    )
    assert ended.json() == [f"pool:{pool}"]
    assert names(client, b, name="peru") == []
    assert client.get(f"/partners/{partner['id']}", headers=b.headers).status_code == 404
    assert names(client, a, name="peru") == ["Peruttava"]


def test_withdrawing_file_consent_leaves_only_a_pending_name(
    client: TestClient, world: World
) -> None:
    a, b, pool = pooled(client, world)
    partner = add_partner(
        client, a, citizen_card("Lähtevä"), "file", "team", f"pool:{pool}", kind="citizen"
    )
    client.post(
        f"/partners/{partner['id']}/activities", headers=a.headers, json={"kind": "contact"}
    )
    ended = client.post(
        f"/partners/{partner['id']}/consents/withdraw",
        headers=a.headers,
        json={"purposes": ["file"], "method": "written"},
    ).json()
    assert sorted(ended) == sorted(["file", "team", f"pool:{pool}"])
    now = client.get(f"/partners/{partner['id']}", headers=a.headers).json()
    assert now["status"] == "pending" and now["purge_after"]
    assert set(now["card"]) == {"name", "contact"}
    assert client.get(f"/partners/{partner['id']}/activities", headers=a.headers).json() == []
    assert names(client, b, name="läh") == []
    history = client.get(f"/partners/{partner['id']}/consents", headers=a.headers).json()
    assert [r["action"] for r in history].count("withdrawn") == 3


def test_expired_consent_no_longer_shares(client: TestClient, world: World) -> None:
    a, b, pool = pooled(client, world)
    partner = add_partner(client, a, organisation_card("Vanheneva"), "file", "team")
    client.post(
        f"/partners/{partner['id']}/consents",
        headers=a.headers,
        json=[
            {
                "purpose": f"pool:{pool}",
                "method": "written",
                "information_version": "v1",
                "obtained_on": "2020-01-01",
                "valid_until": "2020-12-31",
            }
        ],
    )
    assert names(client, b, name="vanh") == []


def test_leaving_the_pool_ends_sharing(client: TestClient, world: World) -> None:
    a, b, pool = pooled(client, world)
    add_partner(client, a, organisation_card("Poolissa"), "file", f"pool:{pool}")
    assert names(client, b, name="pool") == ["Poolissa"]
    client.post(f"/pools/{pool}/leave", headers=a.headers)
    assert names(client, b, name="pool") == []


def test_sharing_consent_needs_a_pool_the_owner_is_in(client: TestClient, world: World) -> None:
    a = world.member(world.organisation("Loner"), "staff")
    other = world.member(world.organisation("Other"), "admin")
    foreign_pool = client.post("/pools", headers=other.headers, json={"name": "Theirs"}).json()[
        "id"
    ]
    response = client.post(
        "/partners",
        headers=a.headers,
        json={
            "kind": "organisation",
            "card": organisation_card("Yritys"),
            "consents": [
                {"purpose": "file", "method": "written", "information_version": "v1"},
                {
                    "purpose": f"pool:{foreign_pool}",
                    "method": "written",
                    "information_version": "v1",
                },
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "consents[1].purpose"


def test_the_consent_receipt_lists_the_history(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation("Receipts"), "staff")
    partner = add_partner(client, staff, organisation_card("Kuitti"), "file", "newsletter")
    receipt = client.get(f"/partners/{partner['id']}/consents/receipt", headers=staff.headers)
    assert "attachment" in receipt.headers["content-disposition"]
    body = receipt.json()
    assert body["subject"]["name"] == "Kuitti"
    assert body["current_purposes"] == ["file", "newsletter"]
    assert body["controller"]["name"] == "Receipts"


def test_an_expired_grant_hides_nothing_else_the_partner_holds(
    client: TestClient, world: World
) -> None:
    a, b, pool = pooled(client, world)
    colleague = world.member(a.organisation_id, "staff")
    partner = add_partner(
        client, a, organisation_card("Osittain Vanha"), "file", "team", f"pool:{pool}"
    )
    client.post(
        f"/partners/{partner['id']}/consents",
        headers=a.headers,
        json=[
            {
                "purpose": "newsletter",
                "method": "written",
                "information_version": "v1",
                "obtained_on": "2020-01-01",
                "valid_until": "2020-12-31",
            }
        ],
    )
    assert names(client, colleague, name="osittain") == ["Osittain Vanha"]
    assert names(client, b, name="osittain") == ["Osittain Vanha"]
