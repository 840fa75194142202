"""Districts and categories over HTTP: the defaults, an organisation's own, who sees what."""

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.registry.reference.models import District
from services.registry.reference.projection import tm35fin_to_wgs84
from services.registry.runtime import Registry
from tests.registry.conftest import World

pytestmark = pytest.mark.usefixtures("reference_data")

KESKUSTA_NEIGHBOURS = ["00120", "00130", "00170", "00180", "00260", "00530"]


def lon_lat_box(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def feature(code: str, name: str, ring: list[list[float]], **more: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"tunnus": code, "nimi": name, **more},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


# Four blocks in Pasila, WGS84: the first two share a side (drawn with different vertices),
# the third is a kilometre away, the fourth touches the first only at a corner.
WEST = feature("PAS-W", "Pasila west", lon_lat_box(24.920, 60.195, 24.930, 60.200), asukkaat=120)
EAST = feature(
    "PAS-E",
    "Pasila east",
    [[24.930, 60.195], [24.940, 60.195], [24.940, 60.200], [24.930, 60.200],
     [24.930, 60.1975], [24.930, 60.195]],
)  # fmt: skip
APART = feature("PAS-N", "Pasila north", lon_lat_box(24.920, 60.210, 24.930, 60.215))
CORNER = feature("PAS-C", "Pasila corner", lon_lat_box(24.910, 60.190, 24.920, 60.195))
COLLECTION = {"type": "FeatureCollection", "features": [WEST, EAST, APART, CORNER]}
IMPORT = "/districts/import?code_property=tunnus&name_property=nimi&population_property=asukkaat"


def own_district_count(registry: Registry, organisation_id: str) -> int:
    with registry.database.session() as session:
        query = select(func.count()).where(District.organisation_id == organisation_id)
        return session.scalar(query) or 0


# --- default districts ----------------------------------------------------------------------


def test_the_84_helsinki_districts_with_names_population_and_centres(
    client: TestClient, world: World
) -> None:
    planner = world.member(world.organisation(), "planner")
    districts = client.get("/districts", headers=planner.headers).json()
    assert len(districts) == 84
    assert sum(d["population"] for d in districts) == 663_237
    keskusta = next(d for d in districts if d["code"] == "00100")
    assert keskusta["name_fi"] == "Helsinki keskusta - Etu-Töölö"
    assert keskusta["population"] == 18_462
    assert keskusta["organisation_id"] is None
    assert "Paavo" in keskusta["source"]
    # Paavo's centre point (384979, 6672361) in WGS84, by the Parliament House.
    assert keskusta["centre_lat"] == pytest.approx(60.17190, abs=1e-5)
    assert keskusta["centre_lon"] == pytest.approx(24.92688, abs=1e-5)
    assert all(60.0 < d["centre_lat"] < 60.4 and 24.7 < d["centre_lon"] < 25.3 for d in districts)


def test_known_neighbours_and_far_apart_districts(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    keskusta = client.get("/districts/00100", headers=staff.headers).json()
    assert keskusta["neighbours"] == KESKUSTA_NEIGHBOURS
    kallio = client.get("/districts/00530", headers=staff.headers).json()["neighbours"]
    assert {"00100", "00500", "00510"} <= set(kallio)
    # Östersundom at the eastern edge and Lauttasaari in the west are far apart.
    assert "00200" not in client.get("/districts/00890", headers=staff.headers).json()["neighbours"]
    # Kivihaka and Pikku Huopalahti meet at one corner point only.
    pikku_huopalahti = client.get("/districts/00300", headers=staff.headers).json()["neighbours"]
    assert "00310" not in pikku_huopalahti
    assert client.get("/districts/99999", headers=staff.headers).status_code == 404


def test_adjacency_is_symmetric_and_never_reflexive(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    codes = [d["code"] for d in client.get("/districts", headers=staff.headers).json()]
    adjacency = {
        code: set(client.get(f"/districts/{code}", headers=staff.headers).json()["neighbours"])
        for code in codes
    }
    assert sum(len(n) for n in adjacency.values()) == 2 * 175
    for code, neighbours in adjacency.items():
        assert code not in neighbours
        assert all(code in adjacency[other] for other in neighbours)
    # Paavo's areas end at the shore: districts across water from all others (Katajanokka,
    # Suomenlinna, Kuusisaari, Kulosaari, Tammisalo, Santahamina) share no border.
    alone = {code for code, neighbours in adjacency.items() if not neighbours}
    assert alone == {"00160", "00190", "00340", "00570", "00830", "00860"}


def test_the_map_gets_a_wgs84_feature_collection(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    response = client.get("/districts.geojson", headers=staff.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 84
    keskusta = next(f for f in collection["features"] if f["id"] == "00100")
    assert keskusta["properties"]["name_fi"] == "Helsinki keskusta - Etu-Töölö"
    assert keskusta["geometry"]["type"] in ("Polygon", "MultiPolygon")
    positions = [
        p
        for f in collection["features"]
        for polygon in (
            [f["geometry"]["coordinates"]]
            if f["geometry"]["type"] == "Polygon"
            else f["geometry"]["coordinates"]
        )
        for ring in polygon
        for p in ring
    ]
    assert all(24.7 < lon < 25.3 and 60.0 < lat < 60.4 for lon, lat in positions)


def test_reading_districts_needs_a_login(client: TestClient) -> None:
    assert client.get("/districts").status_code == 401
    assert client.get("/districts.geojson").status_code == 401


# --- an organisation's own districts --------------------------------------------------------


def test_an_organisation_imports_its_own_districts(
    client: TestClient, world: World, registry: Registry
) -> None:
    admin = world.member(world.organisation("Pasila network"), "admin")
    response = client.post(IMPORT, headers=admin.headers, json=COLLECTION)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": ["PAS-W", "PAS-E", "PAS-N", "PAS-C"],
        "updated": [],
        "districts": 4,
        "neighbour_pairs": 1,
    }
    west = client.get("/districts/PAS-W", headers=admin.headers).json()
    assert west["neighbours"] == ["PAS-E"]
    assert west["organisation_id"] == admin.organisation_id
    assert west["population"] == 120
    assert west["centre_lon"] == pytest.approx(24.925, abs=1e-4)
    assert west["centre_lat"] == pytest.approx(60.1975, abs=1e-4)
    assert client.get("/districts/PAS-E", headers=admin.headers).json()["neighbours"] == ["PAS-W"]
    assert client.get("/districts/PAS-N", headers=admin.headers).json()["neighbours"] == []
    assert client.get("/districts/PAS-C", headers=admin.headers).json()["neighbours"] == []

    codes = {d["code"] for d in client.get("/districts", headers=admin.headers).json()}
    assert len(codes) == 88 and {"PAS-W", "00100"} <= codes
    features = client.get("/districts.geojson", headers=admin.headers).json()["features"]
    assert len(features) == 88
    # Own districts do not border the defaults: neighbours stay within one map.
    assert "PAS-W" not in client.get("/districts/00240", headers=admin.headers).json()["neighbours"]

    again = client.post(IMPORT, headers=admin.headers, json=COLLECTION).json()
    assert (again["created"], again["updated"], again["districts"]) == ([], [], 4)

    entries = client.get("/audit-log", headers=admin.headers).json()
    assert [e["action"] for e in entries].count("districts.imported") == 2


def test_another_organisation_does_not_see_them(client: TestClient, world: World) -> None:
    admin = world.member(world.organisation("Pasila network"), "admin")
    client.post(IMPORT, headers=admin.headers, json=COLLECTION)
    other = world.member(world.organisation("Kallio network"), "staff")
    assert client.get("/districts/PAS-W", headers=other.headers).status_code == 404
    assert len(client.get("/districts", headers=other.headers).json()) == 84
    assert len(client.get("/districts.geojson", headers=other.headers).json()["features"]) == 84


def test_a_second_file_updates_and_adds(client: TestClient, world: World) -> None:
    admin = world.member(world.organisation(), "admin")
    client.post(IMPORT, headers=admin.headers, json=COLLECTION)
    renamed = copy.deepcopy(WEST)
    renamed["properties"]["nimi"] = "Länsi-Pasila block"
    # A new block below the east one, sharing its southern side.
    south = feature("PAS-S", "Pasila south", lon_lat_box(24.930, 60.190, 24.940, 60.195))
    body = {"type": "FeatureCollection", "features": [renamed, south]}
    result = client.post(IMPORT, headers=admin.headers, json=body).json()
    assert (result["created"], result["updated"], result["districts"]) == (["PAS-S"], ["PAS-W"], 5)
    assert result["neighbour_pairs"] == 2  # W-E and E-S; W touches S only at a corner
    assert client.get("/districts/PAS-W", headers=admin.headers).json()["name_fi"] == (
        "Länsi-Pasila block"
    )
    assert client.get("/districts/PAS-S", headers=admin.headers).json()["neighbours"] == ["PAS-E"]


def test_metres_with_a_crs_member_are_read_as_etrs_tm35fin(
    client: TestClient, world: World
) -> None:
    admin = world.member(world.organisation(), "admin")
    ring = [[385000, 6672000], [385500, 6672000], [385500, 6672500], [385000, 6672500]]
    body = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "M1", "name": "Metres"},
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        ],
    }
    assert client.post("/districts/import", headers=admin.headers, json=body).status_code == 200
    m1 = client.get("/districts/M1", headers=admin.headers).json()
    assert (m1["centre_x"], m1["centre_y"]) == (385250, 6672250)
    lon, lat = tm35fin_to_wgs84(385250, 6672250)
    assert (m1["centre_lon"], m1["centre_lat"]) == pytest.approx((lon, lat), abs=1e-7)
    # The same file without its crs member is not taken for degrees.
    del body["crs"]
    refused = client.post("/districts/import", headers=admin.headers, json=body)
    assert refused.status_code == 422
    assert "crs=EPSG:3067" in refused.json()["error"]["message"]


def bad(feature_: dict[str, Any], index: int = 4) -> dict[str, Any]:
    """The good collection with one more, bad feature at ``index``."""
    features = [WEST, EAST, APART, CORNER]
    features.insert(index, feature_)
    return {"type": "FeatureCollection", "features": features}


OPEN_RING = feature("PAS-X", "Open", lon_lat_box(24.90, 60.18, 24.91, 60.19)[:-1])
NO_NAME = {**feature("PAS-Y", "", lon_lat_box(24.90, 60.18, 24.91, 60.19))}
POINT = {
    **feature("PAS-P", "Point", []),
    "geometry": {"type": "Point", "coordinates": [24.9, 60.2]},
}
DEGREES_OUT_OF_RANGE = feature("PAS-Z", "Far", lon_lat_box(385000, 6672000, 385500, 6672500))


BAD_FILES = [
    (bad(OPEN_RING), "features[4].geometry", "not closed"),
    (bad(NO_NAME, 1), "features[1].properties.nimi", "no 'nimi'"),
    (bad(POINT, 2), "features[2].geometry", "Polygon or MultiPolygon"),
    (bad(DEGREES_OUT_OF_RANGE), "features[4].geometry", "longitude and latitude"),
    (bad(copy.deepcopy(WEST)), "features[4].properties.tunnus", "already used"),
    (bad(feature("00100", "Keskusta", WEST["geometry"]["coordinates"][0])),
     "features[4].properties.tunnus", "default district"),
    (bad(feature("bad/code", "Slash", WEST["geometry"]["coordinates"][0])),
     "features[4].properties.tunnus", "letters, digits"),
    (bad({**feature("PAS-Q", "Q", WEST["geometry"]["coordinates"][0]), "type": "Thing"}),
     "features[4]", "not a GeoJSON Feature"),
    (bad(feature("PAS-Q", "Q", WEST["geometry"]["coordinates"][0], asukkaat=-3)),
     "features[4].properties.asukkaat", "whole number"),
    ({"type": "FeatureCollection", "features": []}, "features", "no features"),
    ({"type": "Feature", "features": [WEST]}, "type", "FeatureCollection"),
]  # fmt: skip


def test_bad_input_is_refused_by_feature_and_nothing_is_written(
    client: TestClient, world: World, registry: Registry
) -> None:
    admin = world.member(world.organisation(), "admin")
    for body, field, words in BAD_FILES:
        response = client.post(IMPORT, headers=admin.headers, json=body)
        assert response.status_code == 422, (field, response.text)
        error = response.json()["error"]
        assert (error["field"], words in error["message"]) == (field, True), error
    assert own_district_count(registry, admin.organisation_id) == 0


def test_only_an_admin_imports(client: TestClient, world: World, registry: Registry) -> None:
    organisation = world.organisation()
    for role in ("staff", "coordinator", "planner"):
        member = world.member(organisation, role)
        assert client.post(IMPORT, headers=member.headers, json=COLLECTION).status_code == 403
    assert own_district_count(registry, organisation) == 0


# --- categories -----------------------------------------------------------------------------


def test_default_categories_carry_three_languages_and_a_tree(
    client: TestClient, world: World
) -> None:
    reader = world.member(world.organisation(), "support_user")
    everything = client.get("/categories", headers=reader.headers).json()
    assert len(everything) == 228
    assert everything[0]["code"] == "P1"
    assert everything[0]["labels"] == {"fi": "Asuminen", "sv": "Boende", "en": "Housing"}
    assert everything[0]["parent_code"] is None
    assert all(c["labels"]["fi"] and c["labels"]["sv"] and c["labels"]["en"] for c in everything)
    assert sum(1 for c in everything if c["parent_code"] is None) == 28
    codes = [c["code"] for c in everything]
    assert codes.index("P4") < codes.index("P4.9") < codes.index("P4.10") < codes.index("P5")

    housing = client.get("/categories/P1?lang=en", headers=reader.headers).json()
    assert housing["label"] == "Housing"
    assert [c["code"] for c in housing["children"]] == ["P1.1", "P1.2", "P1.3", "P1.4", "P1.5"]
    rental = client.get("/categories/P1.1", headers=reader.headers).json()
    assert (rental["parent_code"], rental["label"]) == ("P1", "Vuokra-asuminen")
    assert client.get("/categories/P99", headers=reader.headers).status_code == 404


SEARCHES = [
    ("asuminen", "fi", "P1"),
    ("BOENDE", "sv", "P1"),
    ("housing", "en", "P1"),
    ("ensiapu ja paivystys", "fi", "P5.5"),  # ä typed as a
    ("forskoleundervisning", "sv", "P6.1"),  # ö typed as o
    ("peer support", "en", "P10.8"),
    ("vertaistuki", None, "P10.8"),  # no language: all three are searched
    ("Kamratstöd", None, "P10.8"),
]


def test_search_in_each_language_ignores_case_and_accents(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    for q, lang, expected in SEARCHES:
        params = {"q": q} | ({"lang": lang} if lang else {})
        found = client.get("/categories", headers=staff.headers, params=params).json()
        hit = next((c for c in found if c["code"] == expected), None)
        assert hit is not None, (q, lang, [c["code"] for c in found])
        assert hit["label"] == hit["labels"][lang or "fi"]


def test_search_in_one_language_does_not_match_another(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    assert client.get("/categories?q=asuminen&lang=en", headers=staff.headers).json() == []
    assert client.get("/categories?lang=de", headers=staff.headers).status_code == 422


def test_an_organisation_adds_its_own_categories(client: TestClient, world: World) -> None:
    admin = world.member(world.organisation(), "admin")
    created = client.post(
        "/categories",
        headers=admin.headers,
        json={
            "code": "OWN-COOK",
            "parent_code": "P1",
            "labels": {"fi": "Ruokakerho", "en": "Cooking club"},
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["organisation_id"] == admin.organisation_id
    assert created.json()["labels"] == {"fi": "Ruokakerho", "sv": None, "en": "Cooking club"}

    found = client.get("/categories?q=ruokakerho", headers=admin.headers).json()
    assert [c["code"] for c in found] == ["OWN-COOK"]
    # Swedish missing: the label falls back to Finnish.
    sv = client.get("/categories/OWN-COOK?lang=sv", headers=admin.headers).json()
    assert sv["label"] == "Ruokakerho"
    children = client.get("/categories/P1", headers=admin.headers).json()["children"]
    assert [c["code"] for c in children][-1] == "OWN-COOK"
    codes = [c["code"] for c in client.get("/categories", headers=admin.headers).json()]
    assert codes.index("P1.5") < codes.index("OWN-COOK") < codes.index("P2")

    other = world.member(world.organisation("Other"), "admin")
    assert client.get("/categories/OWN-COOK", headers=other.headers).status_code == 404
    assert client.get("/categories?q=ruokakerho", headers=other.headers).json() == []
    # The code is the other organisation's to use too: it never sees the first one's.
    again = client.post(
        "/categories", headers=other.headers, json={"code": "OWN-COOK", "labels": {"fi": "Kokki"}}
    )
    assert again.status_code == 201


def test_bad_categories_are_refused(client: TestClient, world: World) -> None:
    admin = world.member(world.organisation(), "admin")
    first = {"code": "OWN-1", "labels": {"fi": "Ensimmäinen"}}
    assert client.post("/categories", headers=admin.headers, json=first).status_code == 201
    for body, status, field in [
        ({"code": "P1", "labels": {"fi": "Oma asuminen"}}, 409, "code"),
        ({"code": "OWN-1", "labels": {"fi": "Toinen"}}, 409, "code"),
        ({"code": "OWN-2", "parent_code": "P99", "labels": {"fi": "Orpo"}}, 422, "parent_code"),
        ({"code": "OWN-3", "labels": {}}, 422, "labels"),
        ({"code": "bad code", "labels": {"fi": "Väli"}}, 422, "code"),
    ]:
        response = client.post("/categories", headers=admin.headers, json=body)
        assert response.status_code == status, response.text
        assert response.json()["error"]["field"] == field
    everything = client.get("/categories", headers=admin.headers).json()
    assert [c["code"] for c in everything if c["organisation_id"]] == ["OWN-1"]


def test_only_an_admin_adds_categories(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    body = {"code": "OWN-1", "labels": {"fi": "Oma"}}
    assert client.post("/categories", headers=staff.headers, json=body).status_code == 403
