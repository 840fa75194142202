"""Review meetings through a full cycle against the session's PostgreSQL, Redis, a Celery
worker (with beat's due scan every second) and a real SMTP server: matter → plan → invite
(an .ics that `icalendar` parses, with the UID and attendees) → reschedule (SEQUENCE grows)
→ outcome → the action item's reminder and the next meeting of the series appear. Bad
input gets an error naming the field and changes nothing."""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import func, select

from services.registry.runtime import Registry
from services.reminders.meetings.models import Matter, Meeting, Participant
from services.reminders.runtime import Reminders
from services.reminders.schedules.models import Schedule
from services.reminders.tasks import apply
from shared.auth import Principal
from shared.crypto import seal_for
from shared.database import Database
from tests.conftest import empty_schema
from tests.live import wait_until
from tests.reminders.running import reminders_beside, set_quiet_hours
from tests.smtp import Inbox

pytestmark = pytest.mark.slow

ORG = str(uuid.uuid4())
FUTURE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


@pytest.fixture(scope="module")
def client(
    database_urls: dict[str, str],
    registry_app: TestClient,
    mailbox: Inbox,
    databases: dict[str, Database],
) -> Iterator[TestClient]:
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    with reminders_beside(registry_app, database_urls["reminders"], smtp_url=mailbox.url) as app:
        runtime: Reminders = app.state.reminders
        empty_schema(runtime.database, "reminders")  # the portal's stack shares the database
        set_quiet_hours(runtime.database, ORG)
        for user in ("coordinator-1", "officer-1"):
            sealed = seal_for(
                runtime.keyring.provider,
                "reminders",
                user,
                {"email": f"{user}@example.org", "name": user, "locale": "en"},
            )
            apply(
                runtime,
                {
                    "id": str(uuid.uuid4()),
                    "source": "registry",
                    "type": "membership.changed",
                    "payload": {
                        "organisation_id": ORG,
                        "user_id": user,
                        "roles": ["coordinator"],
                        "sealed": sealed,
                    },
                },
            )
        token = registry.issuer.issue(Principal("coordinator-1", ORG, frozenset({"coordinator"})))
        test_client = TestClient(app)
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client
        empty_schema(runtime.database, "reminders")


def matter_body(**extra: Any) -> dict[str, Any]:
    return {
        "topic": "Esteetön kulku Kallion kirjastoon",
        "aim": "A ramp and an automatic door at the library entrance",
        "why": "Several members cannot enter the library on their own",
        "urgency": "high",
        "shared_will_confirmed_on": (date.today() - timedelta(days=3)).isoformat(),
        "decision_level": "political",
        "board": "Kulttuuri- ja kirjastolautakunta",
        "board_chair": "Puheenjohtaja",
        "procurement_timeline": "repairs budget decided in autumn",
        "cadence_months": 6,
        **extra,
    }


def meeting_body(starts: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "place": "Kallion kirjasto, kokoushuone",
        "online_link": "https://meet.example.org/kallio",
        "invitations_by": "the association's chair",
        "agenda": "1. The entrance today 2. Options 3. Schedule",
        "participants": [
            {
                "role": "association_officer",
                "name": "Officer One",
                "email": "officer-1@example.org",
                "user_id": "officer-1",
            },
            {"role": "official", "name": "Liisa Virkamies", "email": "liisa@city.example"},
            {"role": "decision_maker", "name": "Pekka Päättäjä", "email": "pekka@city.example"},
            {"role": "remote_expert", "name": "Asiantuntija", "email": "expert@federation.example"},
        ],
        **extra,
    }


def calendars(messages: list[EmailMessage]) -> list[Calendar]:
    found = []
    for message in messages:
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                found.append(Calendar.from_ical(part.get_payload(decode=True)))
    return found


def counts(database: Database) -> tuple[int, int, int]:
    with database.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Matter, Meeting, Participant)
        )


def test_a_review_meeting_cycle(client: TestClient, mailbox: Inbox, worker: Path) -> None:
    # A matter and its planning checklist.
    matter = client.post("/matters", json=matter_body())
    assert matter.status_code == 201, matter.text
    matter_id = matter.json()["id"]
    steps = client.get(f"/matters/{matter_id}/steps").json()
    assert [s["kind"] for s in steps] == [
        "federation_contact",
        "choose_invitees",
        "contact_municipality",
        "agree_arrangements",
        "book_expert",
    ]
    done = client.patch(
        f"/matters/{matter_id}/steps/{steps[0]['id']}",
        json={"status": "done", "note": "need, goal, schedule agreed"},
    )
    assert done.json()["status"] == "done"

    # A meeting with its participants, invited: each gets a REQUEST with the same UID.
    meeting = client.post(f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE)).json()
    assert meeting["warnings"] == []
    client.post(f"/meetings/{meeting['id']}/invitations").raise_for_status()
    addresses = [
        "officer-1@example.org",
        "liisa@city.example",
        "pekka@city.example",
        "expert@federation.example",
    ]
    wait_until(lambda: all(mailbox.to(a) for a in addresses), 60, "the invitations")
    invitation = calendars(mailbox.to("liisa@city.example"))[0]
    assert invitation["METHOD"] == "REQUEST"
    [event] = invitation.walk("VEVENT")
    assert str(event["UID"]) == meeting["uid"] and int(event["SEQUENCE"]) == 0
    attendees = {str(a).removeprefix("mailto:") for a in event.get("ATTENDEE")}
    assert attendees == set(addresses)
    assert event.decoded("DTSTART") == FUTURE

    # Rescheduled: an update with a higher SEQUENCE under the same UID.
    later = FUTURE + timedelta(days=2)
    moved = client.patch(
        f"/meetings/{meeting['id']}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=2)).isoformat()},
    )
    assert moved.json()["sequence"] == 1
    wait_until(lambda: len(mailbox.to("liisa@city.example")) == 2, 60, "the update")
    update = calendars(mailbox.to("liisa@city.example"))[1]
    [event] = update.walk("VEVENT")
    assert str(event["UID"]) == meeting["uid"] and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == later

    # Held: the outcome with an action item; the series proposes the next meeting.
    with client.app.state.reminders.database.session() as session:  # type: ignore[attr-defined]
        session.get(Meeting, meeting["id"]).starts_at = datetime.now(UTC) - timedelta(hours=3)  # type: ignore[union-attr]
    due = date.today()
    outcome = client.post(
        f"/meetings/{meeting['id']}/outcome",
        json={
            "minutes": "The entrance was looked at together.",
            "outcome": "Option A: a ramp this year; option B: a new entrance in 2028",
            "action_items": [
                {
                    "title": "Send the ramp drawings",
                    "owner_user_id": "officer-1",
                    "due_on": due.isoformat(),
                }
            ],
        },
    )
    assert outcome.status_code == 200, outcome.text
    body = outcome.json()
    assert body["meeting"]["status"] == "held"
    assert body["next_meeting"]["status"] == "proposed"
    proposed = datetime.fromisoformat(body["next_meeting"]["starts_at"])
    assert timedelta(days=170) < proposed - datetime.now(UTC) < timedelta(days=190)
    assert len(body["next_meeting"]["participants"]) == 4
    series = client.get(f"/matters/{matter_id}/meetings").json()
    assert [m["status"] for m in series] == ["held", "proposed"]
    # The action item's reminder reaches its owner.
    wait_until(
        lambda: (
            mailbox.to("officer-1@example.org")[-1]["Subject"]
            == "An agreed task: Send the ramp drawings"
        ),
        60,
        "the action item's reminder",
    )
    participant = body["meeting"]["participants"][1]["id"]
    confirmed = client.post(f"/meetings/{meeting['id']}/participants/{participant}/confirmation")
    assert confirmed.json()["participants"][1]["outcome_confirmed_at"]

    # Progress goes to the participants and offers a newsletter block; evaluations sum up.
    progress = client.post(
        f"/matters/{matter_id}/updates", json={"text": "The ramp is in next year's budget."}
    )
    assert progress.json()["recipients"] == 4
    assert progress.json()["newsletter_block"]["type"] == "news"
    wait_until(
        lambda: any("Progress" in str(m["Subject"]) for m in mailbox.to("pekka@city.example")),
        60,
        "the progress update",
    )
    for score in (4, 5):
        answers = {
            q: score
            for q in (
                "aim_clear",
                "right_people",
                "everyone_heard",
                "outcome_realistic",
                "next_steps_clear",
            )
        }
        assert (
            client.post(
                f"/meetings/{meeting['id']}/evaluations", json={**answers, "comment": "good"}
            ).status_code
            == 204
        )
    summary = client.get(f"/matters/{matter_id}/evaluations").json()
    assert summary["evaluations"] == 2 and summary["averages"]["aim_clear"] == 4.5
    assert client.get("/evaluations").json()["evaluations"] == 2

    # The matter reads back with what followed from it.
    detail = client.get(f"/matters/{matter_id}").json()
    assert [i["title"] for i in detail["action_items"]] == ["Send the ramp drawings"]
    assert [u["text"] for u in detail["updates"]] == ["The ramp is in next year's budget."]
    assert detail["updates"][0]["recipients"] == 4
    assert client.get(f"/matters/{matter_id}/updates").json() == detail["updates"]

    # The calendar feeds: the officer's and the organisation's, as paths and whole addresses.
    feeds = client.get("/calendar/feeds").json()
    assert feeds["organisation_url"].startswith("http")
    assert feeds["organisation_url"].endswith(feeds["organisation"])
    organisation_feed = Calendar.from_ical(client.get(feeds["organisation"]).content)
    assert {str(e["UID"]) for e in organisation_feed.walk("VEVENT")} >= {meeting["uid"]}
    assert client.get("/calendar/forged.token.ics").status_code == 404


def test_cancelling_sends_a_cancel(client: TestClient, mailbox: Inbox, worker: Path) -> None:
    matter_id = client.post(
        "/matters", json=matter_body(decision_level="official", board="", board_chair="")
    ).json()["id"]
    meeting = client.post(
        f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE + timedelta(days=5))
    ).json()
    client.post(f"/meetings/{meeting['id']}/invitations").raise_for_status()
    client.post(f"/meetings/{meeting['id']}/cancel").raise_for_status()

    def cancelled() -> bool:
        return any(
            c["METHOD"] == "CANCEL" and str(next(iter(c.walk("VEVENT")))["UID"]) == meeting["uid"]
            for c in calendars(mailbox.to("pekka@city.example"))
        )

    wait_until(cancelled, 60, "the cancellation")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()}, "starts_at"),
        ({"ends_at": FUTURE.isoformat()}, "ends_at"),
        ({"participants": [{"role": "official", "name": "X", "email": "not-an-address"}]}, "email"),
        (
            {
                "participants": [
                    {"role": "official", "name": "X", "email": "x@example.org", "user_id": "nobody"}
                ]
            },
            "user_id",
        ),
        ({"participants": [{"role": "mayor", "name": "X", "email": "x@example.org"}]}, "role"),
        ({"place": "", "online_link": ""}, "place"),
    ],
)
def test_bad_meetings_are_refused_and_change_nothing(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    matter_id = client.post("/matters", json=matter_body()).json()["id"]
    database = client.app.state.reminders.database  # type: ignore[attr-defined]
    before = counts(database)
    response = client.post(
        f"/matters/{matter_id}/meetings", json={**meeting_body(FUTURE), **change}
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["field"]
    assert counts(database) == before


def test_a_single_persons_case_is_not_a_matter(client: TestClient) -> None:
    database = client.app.state.reminders.database  # type: ignore[attr-defined]
    before = counts(database)
    refused = client.post("/matters", json=matter_body(concerns_one_person=True))
    assert refused.status_code == 422 and "individual advice" in refused.json()["error"]["message"]
    assert refused.json()["error"]["field"] == "concerns_one_person"
    political = client.post("/matters", json=matter_body(board=""))
    assert political.status_code == 422 and "board" in political.json()["error"]["message"]
    assert political.json()["error"]["field"] == "board"
    series = client.post("/matters", json=matter_body(cadence_months=3))
    assert series.status_code == 422 and series.json()["error"]["field"] == "cadence_months"
    assert counts(database) == before


def test_over_ten_participants_is_a_warning(client: TestClient) -> None:
    matter_id = client.post("/matters", json=matter_body()).json()["id"]
    many = [{"role": "concerned", "name": f"P{i}", "email": f"p{i}@example.org"} for i in range(11)]
    meeting = client.post(
        f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE, participants=many)
    )
    assert meeting.status_code == 201
    [warning] = meeting.json()["warnings"]
    assert warning["code"] == "too_many_participants" and "at most 10" in warning["message"]
    assert (warning["participants"], warning["limit"]) == (11, 10)
    assert meeting.json()["needs_invitation"] and meeting.json()["invited_sequence"] is None


def test_a_matter_is_changed_closed_and_reopened(client: TestClient) -> None:
    matter_id = client.post("/matters", json=matter_body()).json()["id"]
    changed = client.patch(f"/matters/{matter_id}", json={"topic": "Kirjaston sisäänkäynti"})
    assert changed.status_code == 200 and changed.json()["topic"] == "Kirjaston sisäänkäynti"
    assert changed.json()["board"] == "Kulttuuri- ja kirjastolautakunta"
    # A political matter without its board is refused, naming the field, and nothing changes.
    refused = client.patch(f"/matters/{matter_id}", json={"board_chair": ""})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "board_chair"
    unknown = client.patch(f"/matters/{matter_id}", json={"contact_user_id": "nobody"})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "contact_user_id"
    assert client.get(f"/matters/{matter_id}").json()["board_chair"] == "Puheenjohtaja"
    # An official's decision needs no board.
    official = client.patch(
        f"/matters/{matter_id}",
        json={"decision_level": "official", "board": "", "board_chair": ""},
    )
    assert official.status_code == 200, official.text

    # Closed: the meeting only proposed from the cadence goes, and no new one is planned.
    with client.app.state.reminders.database.session() as session:  # type: ignore[attr-defined]
        session.add(
            Meeting(
                matter_id=matter_id,
                organisation_id=ORG,
                starts_at=FUTURE,
                ends_at=FUTURE + timedelta(hours=2),
                status="proposed",
            )
        )
    closed = client.patch(f"/matters/{matter_id}", json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    assert client.get(f"/matters/{matter_id}/meetings").json() == []
    planned = client.post(f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE))
    assert planned.status_code == 422 and planned.json()["error"]["field"] == "status"
    edited = client.patch(f"/matters/{matter_id}", json={"topic": "Toinen aihe"})
    assert edited.status_code == 422 and edited.json()["error"]["field"] == "status"
    # Saying it is closed does not make an edit of a closed matter allowed.
    edited = client.patch(f"/matters/{matter_id}", json={"status": "closed", "topic": "Toinen"})
    assert edited.status_code == 422 and edited.json()["error"]["field"] == "status"
    assert client.patch(f"/matters/{matter_id}", json={"status": "closed"}).status_code == 200
    reopened = client.patch(f"/matters/{matter_id}", json={"status": "open", "topic": "Uusi"})
    assert reopened.json()["status"] == "open" and reopened.json()["topic"] == "Uusi"
    assert (
        client.post(f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE)).status_code == 201
    )


def test_participants_join_and_leave_an_invited_meeting(
    client: TestClient, mailbox: Inbox, worker: Path
) -> None:
    matter_id = client.post("/matters", json=matter_body()).json()["id"]
    meeting = client.post(
        f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE + timedelta(days=9))
    ).json()
    meeting_id = meeting["id"]
    # Before the invitations, people come and go without any e-mail.
    early = client.post(
        f"/meetings/{meeting_id}/participants",
        json={"role": "official", "name": "Ennen Kutsuja", "email": "early@city.example"},
    ).json()
    early_id = next(p["id"] for p in early["participants"] if p["email"] == "early@city.example")
    left = client.delete(f"/meetings/{meeting_id}/participants/{early_id}").json()
    assert len(left["participants"]) == 4 and left["sequence"] == 0

    # The session's mailbox holds earlier tests' mail too: count from here on.
    earlier = {a: len(mailbox.to(a)) for a in ("liisa@city.example", "pekka@city.example")}
    invited = client.post(f"/meetings/{meeting_id}/invitations").json()
    assert invited["invited_sequence"] == 0 and not invited["needs_invitation"]
    wait_until(
        lambda: len(mailbox.to("pekka@city.example")) > earlier["pekka@city.example"],
        60,
        "the invitations",
    )

    # Someone joins after the invitations: they get the invitation too.
    joined = client.post(
        f"/meetings/{meeting_id}/participants",
        json={"role": "federation_staff", "name": "Uusi Osallistuja", "email": "new@fed.example"},
    )
    assert joined.status_code == 201, joined.text
    wait_until(lambda: calendars(mailbox.to("new@fed.example")), 60, "the newcomer's invitation")
    [request] = calendars(mailbox.to("new@fed.example"))
    assert request["METHOD"] == "REQUEST"
    assert str(next(iter(request.walk("VEVENT")))["UID"]) == meeting["uid"]

    # Someone leaves: a cancellation to them alone, under a new SEQUENCE; the others get
    # nothing new, and they no longer count.
    liisa = next(p["id"] for p in joined.json()["participants"] if p["name"] == "Liisa Virkamies")
    wait_until(
        lambda: len(mailbox.to("liisa@city.example")) == earlier["liisa@city.example"] + 1,
        60,
        "Liisa's invitation",
    )
    removed = client.delete(f"/meetings/{meeting_id}/participants/{liisa}").json()
    assert removed["sequence"] == 1 and removed["invited_sequence"] == 1
    assert "liisa@city.example" not in {p["email"] for p in removed["participants"]}
    wait_until(
        lambda: len(mailbox.to("liisa@city.example")) == earlier["liisa@city.example"] + 2,
        60,
        "the cancellation",
    )
    cancel = calendars(mailbox.to("liisa@city.example"))[-1]
    [event] = cancel.walk("VEVENT")
    assert cancel["METHOD"] == "CANCEL" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == meeting["uid"]
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a).removeprefix("mailto:") for a in attendees] == ["liisa@city.example"]
    assert len(mailbox.to("pekka@city.example")) == earlier["pekka@city.example"] + 1
    again = client.delete(f"/meetings/{meeting_id}/participants/{liisa}")
    assert again.status_code == 404
    bad = client.post(
        f"/meetings/{meeting_id}/participants",
        json={"role": "official", "name": "X", "email": "x@example.org", "user_id": "nobody"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "user_id"
    assert len(client.get(f"/meetings/{meeting_id}").json()["participants"]) == 4


def test_an_action_item_done_stops_its_reminder(client: TestClient) -> None:
    matter_id = client.post("/matters", json=matter_body()).json()["id"]
    meeting = client.post(f"/matters/{matter_id}/meetings", json=meeting_body(FUTURE)).json()
    database = client.app.state.reminders.database  # type: ignore[attr-defined]
    with database.session() as session:
        session.get(Meeting, meeting["id"]).starts_at = datetime.now(UTC) - timedelta(hours=3)  # type: ignore[union-attr]
    outcome = client.post(
        f"/meetings/{meeting['id']}/outcome",
        json={
            "outcome": "Two options and their schedule",
            "action_items": [
                {"title": "Ask for a quote", "owner_user_id": "officer-1", "due_on": "2030-01-15"}
            ],
        },
    ).json()
    [item] = outcome["action_items"]

    def reminder_status() -> str:
        with database.session() as session:
            return str(
                session.scalar(select(Schedule.status).where(Schedule.subject_id == item["id"]))
            )

    assert reminder_status() == "active"
    done = client.patch(f"/action-items/{item['id']}", json={"done": True})
    assert done.json()["done"] is True and reminder_status() == "cancelled"
    assert client.get(f"/matters/{matter_id}").json()["action_items"][0]["done"] is True
    undone = client.patch(f"/action-items/{item['id']}", json={"done": False})
    assert undone.json()["done"] is False and reminder_status() == "active"
    assert client.patch("/action-items/nope", json={"done": True}).status_code == 404
