"""District knowledge notes over HTTP: quick to enter, encrypted at rest, paged, private."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.registry.districts.models import KnowledgeNote
from services.registry.runtime import Registry
from tests.dumps import stored_text
from tests.registry.conftest import World

QUESTION = "Who runs the Tuesday cooking club at the Kallio library?"
ANSWER = "Maija Meikäläinen, the librarian, welcomes newcomers; call 040 123 4567"
NOTE = {"district_code": "00530", "question": QUESTION, "answer": ANSWER}


def helsinki_today() -> date:
    return datetime.now(ZoneInfo("Europe/Helsinki")).date()


def note_count(registry: Registry) -> int:
    with registry.database.session() as session:
        return session.scalar(select(func.count()).select_from(KnowledgeNote)) or 0


def test_a_note_is_quick_to_enter_and_encrypted_at_rest(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    response = client.post("/district-notes", headers=staff.headers, json=NOTE)
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["noted_on"] == helsinki_today().isoformat()
    assert (note["question"], note["answer"]) == (QUESTION, ANSWER)
    assert note["staff_user_id"] == staff.user_id

    with registry.database.session() as session:
        row = session.execute(
            select(KnowledgeNote.question_encrypted, KnowledgeNote.answer_encrypted)
        ).one()
        whole = stored_text(session, KnowledgeNote.__table__)
    for secret in ("Maija", "Meikäläinen", "040 123 4567", "cooking club"):
        assert secret.encode() not in bytes(row.question_encrypted) + bytes(row.answer_encrypted)
        assert secret not in whole
        assert secret.encode().hex() not in whole

    listed = client.get("/district-notes", headers=staff.headers).json()
    assert [n["answer"] for n in listed["items"]] == [ANSWER]


def test_a_past_date_is_kept_a_future_one_refused(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "coordinator")
    last_week = (helsinki_today() - timedelta(days=7)).isoformat()
    earlier = client.post(
        "/district-notes", headers=staff.headers, json={**NOTE, "noted_on": last_week}
    )
    assert earlier.json()["noted_on"] == last_week

    tomorrow = (helsinki_today() + timedelta(days=1)).isoformat()
    for body, field in [
        ({**NOTE, "noted_on": tomorrow}, "noted_on"),
        ({**NOTE, "district_code": "99999"}, "district_code"),
        ({**NOTE, "answer": "   "}, "answer"),
        ({"district_code": "00530", "answer": ANSWER}, "question"),
    ]:
        response = client.post("/district-notes", headers=staff.headers, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    assert note_count(registry) == 1


def test_only_the_team_writes_and_reads_notes(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation()
    for role in ("planner", "support_user"):
        member = world.member(organisation, role)
        assert client.post("/district-notes", headers=member.headers, json=NOTE).status_code == 403
        assert client.get("/district-notes", headers=member.headers).status_code == 403
    assert note_count(registry) == 0


def test_own_districts_can_be_noted_other_organisations_cannot(
    client: TestClient, world: World
) -> None:
    admin = world.member(world.organisation("Own map"), "admin")
    ring = [[385000, 6672000], [385500, 6672000], [385500, 6672500], [385000, 6672500]]
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "BLOCK-1", "name": "Block one"},
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        ],
    }
    imported = client.post("/districts/import?crs=EPSG:3067", headers=admin.headers, json=body)
    assert imported.status_code == 200, imported.text
    own = {**NOTE, "district_code": "BLOCK-1"}
    assert client.post("/district-notes", headers=admin.headers, json=own).status_code == 201

    other = world.member(world.organisation("Other"), "staff")
    refused = client.post("/district-notes", headers=other.headers, json=own)
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "district_code")


def test_notes_are_paged_newest_first_and_filtered(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    today = helsinki_today()
    for days_ago in range(23):
        district = "00100" if days_ago % 2 else "00530"
        body = {
            "district_code": district,
            "question": f"Question {days_ago}",
            "answer": f"Answer {days_ago}",
            "noted_on": (today - timedelta(days=days_ago)).isoformat(),
        }
        assert client.post("/district-notes", headers=staff.headers, json=body).status_code == 201

    first = client.get("/district-notes", headers=staff.headers).json()
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (
        23,
        1,
        20,
        20,
    )
    assert [n["answer"] for n in first["items"][:3]] == ["Answer 0", "Answer 1", "Answer 2"]
    second = client.get("/district-notes?page=2", headers=staff.headers).json()
    assert [n["answer"] for n in second["items"]] == ["Answer 20", "Answer 21", "Answer 22"]
    assert client.get("/district-notes?page=3", headers=staff.headers).json()["items"] == []

    kallio = client.get("/district-notes?district=00530&page_size=5", headers=staff.headers).json()
    assert kallio["total"] == 12
    assert [n["answer"] for n in kallio["items"]] == [f"Answer {i}" for i in (0, 2, 4, 6, 8)]
    since = (today - timedelta(days=4)).isoformat()
    recent = client.get(f"/district-notes?since={since}", headers=staff.headers).json()
    assert [n["answer"] for n in recent["items"]] == [f"Answer {i}" for i in range(5)]
    assert client.get("/district-notes?page=0", headers=staff.headers).status_code == 422
    assert client.get("/district-notes?page_size=101", headers=staff.headers).status_code == 422


def test_other_organisations_see_no_notes(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation("Org A"), "staff")
    note = client.post("/district-notes", headers=staff.headers, json=NOTE).json()
    other = world.member(world.organisation("Org B"), "admin")
    assert client.get("/district-notes", headers=other.headers).json()["total"] == 0
    assert client.delete(f"/district-notes/{note['id']}", headers=other.headers).status_code == 404


def test_the_author_or_an_admin_deletes_a_note(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation()
    author = world.member(organisation, "staff")
    colleague = world.member(organisation, "staff", "coordinator")
    admin = world.member(organisation, "admin")
    first = client.post("/district-notes", headers=author.headers, json=NOTE).json()
    second = client.post("/district-notes", headers=author.headers, json=NOTE).json()

    assert (
        client.delete(f"/district-notes/{first['id']}", headers=colleague.headers).status_code
        == 403
    )
    assert (
        client.delete(f"/district-notes/{first['id']}", headers=author.headers).status_code == 204
    )
    assert (
        client.delete(f"/district-notes/{first['id']}", headers=author.headers).status_code == 404
    )
    assert (
        client.delete(f"/district-notes/{second['id']}", headers=admin.headers).status_code == 204
    )
    assert note_count(registry) == 0
    actions = [e["action"] for e in client.get("/audit-log", headers=admin.headers).json()]
    assert actions.count("district_note.deleted") == 2
