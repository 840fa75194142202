"""Finding partners: name prefixes regardless of case and accents, words of offers and
skills, coarse filters, paging, own partners first."""

from fastapi.testclient import TestClient

from tests.registry.conftest import Member, World, add_partner, citizen_card, organisation_card


def names(client: TestClient, member: Member, **params: object) -> list[str]:
    response = client.get("/partners", headers=member.headers, params=params)
    assert response.status_code == 200, response.text
    return sorted(p["name"] for p in response.json()["items"])


def test_name_prefixes_ignore_case_and_accents(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    add_partner(client, staff, organisation_card("Käpylän Kädentaitajat"), "file", "team")
    add_partner(client, staff, organisation_card("Kallion Kirjasto"), "file", "team")
    assert names(client, staff, name="kapy") == ["Käpylän Kädentaitajat"]
    assert names(client, staff, name="KÄDENT") == ["Käpylän Kädentaitajat"]
    assert names(client, staff, name="ka") == ["Kallion Kirjasto", "Käpylän Kädentaitajat"]
    assert names(client, staff, name="kallion kir") == ["Kallion Kirjasto"]
    assert names(client, staff, name="kirjastot") == []


def test_free_text_finds_offers_skills_and_resources(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    add_partner(
        client,
        staff,
        organisation_card(
            "Kerho",
            offers=[
                {"title": "Kokkikerho", "description": "Cooking for beginners", "schedule": "Tue"}
            ],
            resources_available=["sauna"],
        ),
        "file",
        "team",
    )
    add_partner(
        client,
        staff,
        citizen_card("Neuloja", skills=["neulominen", "Knitting"]),
        "file",
        "team",
        kind="citizen",
    )
    assert names(client, staff, text="kokki") == ["Kerho"]
    assert names(client, staff, text="cooking beginners") == ["Kerho"]
    assert names(client, staff, text="SAUNA") == ["Kerho"]
    assert names(client, staff, text="knitting") == ["Neuloja"]
    assert names(client, staff, text="cooking knitting") == []


def test_coarse_filters_and_last_contact(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    strong = add_partner(
        client, staff, organisation_card("Vahva"), "file", "team", tie_strength="strong"
    )
    add_partner(client, staff, citizen_card("Heikko"), "file", "team", kind="citizen")
    client.post(
        f"/partners/{strong['id']}/activities", headers=staff.headers, json={"kind": "contact"}
    )
    assert names(client, staff, tie_strength="strong") == ["Vahva"]
    assert names(client, staff, kind="citizen") == ["Heikko"]
    assert names(client, staff, not_contacted_for_days=180) == ["Heikko"]
    assert names(client, staff, contacted_within_days=7) == ["Vahva"]
    bad = client.get("/partners", headers=staff.headers, params={"tie_strength": "medium"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "tie_strength"


def test_exact_email_and_phone(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    add_partner(
        client,
        staff,
        organisation_card("Puhelin", contact={"phone": "+358 40 765 4321"}),
        "file",
        "team",
    )
    assert names(client, staff, phone="040 7654321") == ["Puhelin"]
    bad = client.get("/partners", headers=staff.headers, params={"email": "not-an-address"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"


def test_pages_and_own_partners_first(client: TestClient, world: World) -> None:
    a = world.member(world.organisation("Alpha Org"), "admin", "staff")
    b = world.member(world.organisation("Beta Org"), "admin", "staff")
    pool = client.post("/pools", headers=a.headers, json={"name": "P1"}).json()["id"]
    client.post(
        f"/pools/{pool}/invitations", headers=a.headers, json={"organisation_id": b.organisation_id}
    )
    client.post(f"/pools/{pool}/accept", headers=b.headers)
    for n in range(3):
        add_partner(client, b, organisation_card(f"Beta Partner {n}"), "file", f"pool:{pool}")
    for n in range(4):
        add_partner(client, a, organisation_card(f"Alpha Partner {n}"), "file", "team")
    first = client.get("/partners", headers=a.headers, params={"page_size": 5}).json()
    second = client.get("/partners", headers=a.headers, params={"page_size": 5, "page": 2}).json()
    assert first["total"] == second["total"] == 7
    assert [p["owned"] for p in first["items"]] == [True] * 4 + [False]
    assert len(second["items"]) == 2
    everyone = {p["id"] for p in first["items"]} | {p["id"] for p in second["items"]}
    assert len(everyone) == 7
    assert names(client, a, scope="own") == [f"Alpha Partner {n}" for n in range(4)]


def test_district_with_its_neighbours_and_category(
    client: TestClient, world: World, reference_data: None
) -> None:
    staff = world.member(world.organisation(), "staff")
    for name, district in (
        ("Keskusta", "00100"),
        ("Punavuori", "00120"),
        ("Kallio", "00530"),
        ("Vuosaari", "00980"),
    ):
        add_partner(client, staff, organisation_card(name), "file", "team", district_code=district)
    assert names(client, staff, district="00100") == ["Keskusta"]
    assert names(client, staff, district="00100", neighbours=True) == [
        "Kallio",
        "Keskusta",
        "Punavuori",
    ]
    unknown = client.post(
        "/partners",
        headers=staff.headers,
        json={
            "kind": "organisation",
            "card": organisation_card("Nowhere"),
            "district_code": "99999",
            "consents": [{"purpose": "file", "method": "written", "information_version": "v1"}],
        },
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "district_code"
    code = client.get("/categories", headers=staff.headers, params={"q": "asum"}).json()[0]["code"]
    add_partner(
        client, staff, organisation_card("Luokiteltu"), "file", "team", category_codes=[code]
    )
    assert names(client, staff, category=code) == ["Luokiteltu"]
    wrong = client.post(
        "/partners",
        headers=staff.headers,
        json={
            "kind": "organisation",
            "card": organisation_card("Bad Category"),
            "category_codes": ["NOPE"],
            "consents": [{"purpose": "file", "method": "written", "information_version": "v1"}],
        },
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "category_codes[0]"


def test_own_partners_are_found_by_a_consent_they_hold(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    add_partner(client, staff, organisation_card("Lukija"), "file", "team", "newsletter")
    add_partner(client, staff, organisation_card("Hiljainen"), "file", "team")
    withdrawn = add_partner(
        client, staff, organisation_card("Perunut"), "file", "team", "newsletter"
    )
    client.post(
        f"/partners/{withdrawn['id']}/consents/withdraw",
        headers=staff.headers,
        json={"purposes": ["newsletter"], "method": "written"},
    ).raise_for_status()
    assert names(client, staff, consent="newsletter") == ["Lukija"]
    assert names(client, staff, consent="newsletter", name="luk") == ["Lukija"]
    assert names(client, staff) == ["Hiljainen", "Lukija", "Perunut"]
    bad = client.get("/partners", headers=staff.headers, params={"consent": "pool:x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "consent"
