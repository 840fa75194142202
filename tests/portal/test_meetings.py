"""The review meeting pages over HTTP against the real registry and reminders, and a real
SMTP server: raising a matter (a single person's case refused and pointed to individual
advice, a political decision without its board refused at the field), the planning
checklist, a meeting with its participants (the warning above ten), the invitations with
their calendar entry, a change sent as an update, replies, the outcome with a task and the
next meeting proposed in the series, confirmations, evaluations and their summary, a
progress update offered to the newsletter editor, cancelling, the calendar subscriptions,
who may enter, changing a matter (a wrong change said at its field and nothing changed),
closing and reopening it, tasks marked done and not done (their reminders cancelled and
back), and participants added and taken off after the invitations (the newcomer invited,
the one taken off sent a cancellation of their own)."""

import re
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import Message
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.portal.meeting_form import MatterForm
from services.portal.templating import TIMEZONE
from services.reminders.deliveries import sending
from services.reminders.deliveries.models import Delivery
from services.reminders.schedules.models import Schedule
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_PASSWORD,
    Elements,
    Inbox,
    PortalStack,
    csrf_of,
    portal_client,
    relay_to_reminders,
)
from tests.portal.test_reminders import post_form

COORDINATOR_NAME = "Kaisa Koordinaattori"
AGENDA = "1. Tavoite ja kiireellisyys\n2. Realistiset vaihtoehdot\n3. Seuraava tapaaminen"


def tag() -> str:
    return secrets.token_hex(3)


def new_coordinator(stack: PortalStack) -> str:
    """A coordinator of Anna's organisation, known to reminders; returns the e-mail."""
    email = f"kaisa-{tag()}@example.org"
    stack.create_user(
        email, stack.organisation_id, ["coordinator"], COORDINATOR_NAME, ANNA_PASSWORD
    )
    relay_to_reminders(stack)
    return email


@pytest.fixture(scope="module")
def coordinator_email(portal_stack: PortalStack) -> str:
    return new_coordinator(portal_stack)


@pytest.fixture
def kaisa(portal_stack: PortalStack, coordinator_email: str) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, coordinator_email) as client:
        yield client


def member_ids(stack: PortalStack, email: str) -> dict[str, str]:
    """The organisation's members by e-mail address → user id, as the registry lists them."""
    users = httpx.get(f"{stack.registry_url}/users", headers=stack.api_token(email)).json()
    return {user["email"]: user["id"] for user in users}


def matter_fields(topic: str, **changes: str) -> dict[str, str]:
    fields = {
        "whose": "shared",
        "topic": topic,
        "aim": "Iltaisin kulkeva kuljetus päiväkeskukseen.",
        "why": "Jäsenet eivät pääse iltatoimintaan ilman kuljetusta.",
        "urgency": "high",
        "shared_will_confirmed_on": (date.today() - timedelta(days=7)).isoformat(),
        "decision_level": "official",
        "board": "",
        "board_chair": "",
        "decision_timeline": "Talousarvio syksyllä.",
        "procurement_timeline": "",
        "cadence": "12",
    }
    fields.update(changes)
    return fields


def raise_matter(client: httpx.Client, topic: str, **changes: str) -> str:
    """A matter raised through the form; returns its id."""
    response = post_form(
        client, "/meetings/matters/new", "/meetings/matters/new", matter_fields(topic, **changes)
    )
    assert response.status_code == 303, response.text
    found = re.fullmatch(
        r"/meetings/matters/([0-9a-f-]{36})/planning", response.headers["location"]
    )
    assert found, response.headers["location"]
    return found.group(1)


def in_days(days: int) -> str:
    return (datetime.now(TIMEZONE).date() + timedelta(days=days)).isoformat()


def meeting_fields(
    participants: list[dict[str, str]],
    day: str,
    starts: str = "14:00",
    ends: str = "16:00",
    **more: str,
) -> dict[str, str]:
    fields = {
        "day": day,
        "starts": starts,
        "ends": ends,
        "place": "Kaupungintalo, kokoushuone 3",
        "online_link": "https://meet.example.org/kortisto-arviointi",
        "invitations_by": "Yhdistys Kortiston kautta",
        "agenda": AGENDA,
        "participant-count": str(len(participants)),
    }
    for i, person in enumerate(participants):
        for name, value in person.items():
            fields[f"participant-{i}-{name}"] = value
    fields.update(more)
    return fields


def plan_meeting(client: httpx.Client, matter_id: str, fields: dict[str, str]) -> str:
    path = f"/meetings/matters/{matter_id}/meetings/new"
    response = post_form(client, path, path, {**fields, "action": "save"})
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/meetings/([0-9a-f-]{36})", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def send_meeting_mail(stack: PortalStack, subject_id: str) -> int:
    """The worker's part: every e-mail waiting about the meeting (or update) is sent."""
    runtime = stack.reminders_runtime
    assert runtime is not None
    with runtime.database.session() as session:
        ids = list(
            session.scalars(
                select(Delivery.id).where(
                    Delivery.subject_id == subject_id, Delivery.status == "pending"
                )
            )
        )
    for delivery_id in ids:
        sending.send(runtime, delivery_id)
    return len(ids)


def calendar_of(mail: Message) -> str:
    for part in mail.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no calendar entry in the e-mail")


def people(word: str, count: int) -> list[dict[str, str]]:
    roles = ["official", "decision_maker", "association_officer", "federation_staff", "concerned"]
    return [
        {
            "role": roles[i % len(roles)],
            "name": f"Osallistuja {i + 1} {word}",
            "email": f"osallistuja{i + 1}-{word}@example.org",
        }
        for i in range(count)
    ]


# -- who may enter -------------------------------------------------------------------------


def test_meetings_are_for_coordinators_and_admins(
    kaisa: httpx.Client, anna: httpx.Client, olli: httpx.Client
) -> None:
    page = kaisa.get("/meetings")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = Elements(page.text)
    assert html.find("a", href="/meetings", **{"aria-current": "page"})
    assert html.find("a", href="/meetings/matters/new")
    assert "Tulossa pian" not in page.text
    assert olli.get("/meetings").status_code == 200
    refused = anna.get("/meetings")  # staff only
    assert refused.status_code == 403
    assert anna.get("/meetings/calendar").status_code == 403


# -- raising a matter ----------------------------------------------------------------------


def test_a_matter_is_raised_and_a_single_persons_case_is_refused(kaisa: httpx.Client) -> None:
    form = kaisa.get("/meetings/matters/new")
    assert form.status_code == 200
    page = Elements(form.text)
    assert page.find("input", type="radio", name="whose", value="one_person")
    assert page.find("input", id="shared_will_confirmed_on", type="date")
    # The contact person is the coordinator unless another member is chosen.
    [contact] = page.find("select", id="contact_user_id")
    assert contact["name"] == "contact_user_id"
    assert COORDINATOR_NAME in form.text

    topic = f"Iltakuljetus {tag()}"
    refused = post_form(
        kaisa,
        "/meetings/matters/new",
        "/meetings/matters/new",
        matter_fields(topic, whose="one_person"),
    )
    assert refused.status_code == 422
    errors = Elements(refused.text)
    message = errors.text_of("whose-error")
    assert "Yksittäisen ihmisen oma asia" in message
    assert "työntekijä" in message and "sosiaalityö" in message and "neuvoj" in message
    assert errors.find("a", href="#whose")
    assert errors.find("input", id="topic", value=topic)  # what was written stays

    # A political decision needs the board and its chair, said at their fields.
    political = post_form(
        kaisa,
        "/meetings/matters/new",
        "/meetings/matters/new",
        matter_fields(topic, decision_level="political", board="Sosiaali- ja terveyslautakunta"),
    )
    assert political.status_code == 422
    errors = Elements(political.text)
    assert "puheenjohtaja" in errors.text_of("board_chair-error")
    assert not errors.text_of("board-error")
    [chair] = errors.find("input", id="board_chair")
    assert chair["aria-invalid"] == "true"
    assert "board_chair-error" in chair["aria-describedby"]

    future = post_form(
        kaisa,
        "/meetings/matters/new",
        "/meetings/matters/new",
        matter_fields("ab", shared_will_confirmed_on=in_days(3)),
    )
    assert future.status_code == 422
    errors = Elements(future.text)
    assert errors.text_of("shared_will_confirmed_on-error")
    assert errors.text_of("topic-error")

    matter_id = raise_matter(
        kaisa,
        topic,
        decision_level="political",
        board="Sosiaali- ja terveyslautakunta",
        board_chair="Liisa Puheenjohtaja",
    )
    planning = kaisa.get(f"/meetings/matters/{matter_id}/planning")
    assert "Asia tallennettiin. Aloita suunnittelun tarkistuslistasta." in planning.text
    listed = Elements(kaisa.get("/meetings").text)
    assert topic in listed.text_of("matters")
    assert listed.find("a", href=f"/meetings/matters/{matter_id}")
    facts = Elements(kaisa.get(f"/meetings/matters/{matter_id}").text).text_of("matter-facts")
    assert "Tarvitaan poliittinen päätös" in facts
    assert "Sosiaali- ja terveyslautakunta" in facts and "Liisa Puheenjohtaja" in facts
    assert "Kerran vuodessa" in facts and COORDINATOR_NAME in facts


def test_the_services_refusals_land_at_the_fields(
    portal_stack: PortalStack, coordinator_email: str
) -> None:
    """Reminders' own refusals of a matter (a rule over the whole form, without a field of its
    own) are placed where the form's own checks put them."""
    headers = portal_stack.api_token(coordinator_email)
    body: dict[str, Any] = MatterForm(
        topic="Asunnot", aim="Lisää asuntoja", why="Jonot ovat pitkiä", whose="one_person",
        shared_will_confirmed_on=date.today().isoformat(), decision_level="official",
    ).payload()  # fmt: skip
    cases: dict[str, dict[str, Any]] = {
        "whose": {"concerns_one_person": True},
        "board": {"concerns_one_person": False, "decision_level": "political"},
        "cadence": {"concerns_one_person": False, "cadence_months": 3},
    }
    refusals = {}
    for case, changes in cases.items():
        answer = httpx.post(
            f"{portal_stack.reminders_url}/matters", headers=headers, json={**body, **changes}
        )
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        refusals[case] = MatterForm().api_error(error.get("field"), error["message"], str)[0]
    assert refusals == {"whose": "whose", "board": "board", "cadence": "cadence"}


def test_the_matter_form_speaks_english(portal_stack: PortalStack, coordinator_email: str) -> None:
    with portal_client(portal_stack, coordinator_email, language="en") as client:
        refused = post_form(
            client,
            "/meetings/matters/new",
            "/meetings/matters/new",
            matter_fields("Evening transport", whose="one_person"),
        )
        assert refused.status_code == 422
        assert "individual advice" in Elements(refused.text).text_of("whose-error")
        assert "<h1>Raise a matter</h1>" in refused.text


# -- the planning checklist ----------------------------------------------------------------


def test_the_planning_checklist_is_kept_step_by_step(
    kaisa: httpx.Client, portal_stack: PortalStack, coordinator_email: str
) -> None:
    matter_id = raise_matter(kaisa, f"Asumisen tuki {tag()}")
    path = f"/meetings/matters/{matter_id}/planning"
    page = kaisa.get(path)
    html = Elements(page.text)
    steps = [
        element_id.removeprefix("step-")
        for element_id in html.text_by_id
        if re.fullmatch(r"step-[0-9a-f-]{36}", element_id)
    ]
    assert len(steps) == 5
    first = html.text_of(f"step-{steps[0]}")
    assert "Ensimmäinen yhteydenotto liittoon" in first
    assert "Liiton asiantuntijan varaaminen" in html.text_of(f"step-{steps[4]}")
    # Everything starts with the contact person as its owner.
    members = member_ids(portal_stack, coordinator_email)
    kaisa_id, anna_id = members[coordinator_email], members[ANNA_EMAIL]
    first_step = page.text[page.text.index(f'id="step-{steps[0]}"') :]
    first_step = first_step[: first_step.index(f'id="step-{steps[1]}"')]
    assert f'<option value="{kaisa_id}" selected>' in first_step

    saved = post_form(
        kaisa,
        path,
        f"{path}/{steps[0]}",
        {
            "status": "done",
            "owner_user_id": anna_id,
            "due_on": in_days(5),
            "note": "Soitettu liittoon.",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{path}#step-{steps[0]}"
    page = kaisa.get(path)
    assert "Vaihe tallennettiin." in page.text
    html = Elements(page.text)
    assert html.find("select", id=f"step-{steps[0]}-status")
    step_html = page.text[
        page.text.index(f'id="step-{steps[0]}"') : page.text.index(f'id="step-{steps[1]}"')
    ]
    assert f'<option value="{anna_id}" selected>' in step_html
    assert '<option value="done" selected>' in step_html
    assert "Soitettu liittoon." in step_html
    summary = kaisa.get(f"/meetings/matters/{matter_id}").text
    assert "1/5" in Elements(summary).text_of("planning")

    wrong = post_form(kaisa, path, f"{path}/{steps[1]}", {"status": "maybe", "due_on": "huomenna"})
    assert wrong.status_code == 422
    errors = Elements(wrong.text)
    assert errors.text_of(f"step-{steps[1]}-status-error")
    assert errors.text_of(f"step-{steps[1]}-due_on-error")


# -- a meeting -----------------------------------------------------------------------------


def test_more_than_ten_participants_are_warned_about(kaisa: httpx.Client) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Iso kokous {word}")
    new = kaisa.get(f"/meetings/matters/{matter_id}/meetings/new")
    page = Elements(new.text)
    assert page.find("input", id="day", type="date")
    assert page.find("select", id="participant-0-role")
    assert page.find("input", id="participant-3-email")
    assert not page.find("input", id="participant-4-email")
    # More rows without JavaScript: the form comes back with what was written.
    more = kaisa.post(
        f"/meetings/matters/{matter_id}/meetings/new",
        data={
            **meeting_fields(people(word, 4), in_days(20)),
            "csrf_token": csrf_of(new.text),
            "action": "add-participants",
        },
    )
    assert more.status_code == 200
    page = Elements(more.text)
    assert page.find("input", id="participant-7-email")
    assert page.find("input", id="participant-0-name", value=f"Osallistuja 1 {word}")

    meeting_id = plan_meeting(kaisa, matter_id, meeting_fields(people(word, 11), in_days(20)))
    meeting = kaisa.get(f"/meetings/{meeting_id}")
    assert "Tapaaminen tallennettiin." in meeting.text
    warning = Elements(meeting.text).text_of("meeting-warnings")
    assert "11 osallistujaa" in warning and "enintään 10" in warning
    series = Elements(kaisa.get(f"/meetings/matters/{matter_id}").text)
    assert "Liian monta" in series.text_of(f"meeting-{meeting_id}")

    # Cancelled before any invitation: nobody is told.
    cancelled = post_form(kaisa, f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/cancel", {})
    assert cancelled.status_code == 303
    after = kaisa.get(f"/meetings/{meeting_id}")
    assert "Tapaaminen peruttiin." in after.text
    assert "Peruttu" in Elements(after.text).text_of("meeting-facts")
    assert 'action="/meetings/' + meeting_id + '/invitations"' not in after.text


def test_a_meeting_with_mistakes_is_refused_at_its_fields(kaisa: httpx.Client) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Virheet {word}")
    path = f"/meetings/matters/{matter_id}/meetings/new"
    rows = people(word, 2)
    rows[1]["email"] = "ei-osoite"
    rows.append({"role": "", "name": "", "email": "kolmas@example.org"})
    fields = meeting_fields(rows, in_days(-1), place="", online_link="")
    refused = post_form(kaisa, path, path, {**fields, "action": "save"})
    assert refused.status_code == 422
    errors = Elements(refused.text)
    assert "tulevaisuudessa" in errors.text_of("day-error")
    assert errors.text_of("place-error")
    assert errors.text_of("participant-1-email-error")
    assert errors.text_of("participant-2-role-error")
    assert errors.text_of("participant-2-name-error")
    assert not errors.text_of("participant-0-email-error")
    ends = post_form(
        kaisa,
        path,
        path,
        {**meeting_fields(people(word, 1), in_days(3), "15:00", "14:00"), "action": "save"},
    )
    assert "päättyä" in Elements(ends.text).text_of("ends-error")


def test_every_mistake_of_a_meeting_is_shown_at_once(kaisa: httpx.Client) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Kaikki virheet {word}")
    path = f"/meetings/matters/{matter_id}/meetings/new"
    rows = [{"role": "", "name": "", "email": "ei-osoite"}]
    fields = meeting_fields(rows, "", "", "", place="", online_link="ei-linkki")
    refused = post_form(kaisa, path, path, {**fields, "action": "save"})
    assert refused.status_code == 422
    errors = Elements(refused.text)
    for field in (
        "day",
        "starts",
        "ends",
        "online_link",
        "participant-0-role",
        "participant-0-name",
        "participant-0-email",
    ):
        assert errors.text_of(f"{field}-error"), field
        assert errors.find("a", href=f"#{field}"), field
    # A start that is not a time is said even when the day is missing too.
    fields = meeting_fields(people(word, 1), "", "kaksi", "16:00")
    refused = post_form(kaisa, path, path, {**fields, "action": "save"})
    errors = Elements(refused.text)
    assert errors.text_of("day-error") and errors.text_of("starts-error")
    assert not errors.text_of("ends-error")


def test_a_meeting_is_invited_changed_held_followed_up_and_evaluated(
    kaisa: httpx.Client,
    portal_stack: PortalStack,
    coordinator_email: str,
    inbox: Inbox,
) -> None:
    word = tag()
    topic = f"Päiväkeskuksen iltakuljetus {word}"
    matter_id = raise_matter(kaisa, topic, cadence="12")
    members = member_ids(portal_stack, coordinator_email)
    official = f"virkailija-{word}@example.org"
    rows = [
        {"role": "official", "name": f"Ville Virkailija {word}", "email": official},
        {
            "role": "federation_staff",
            "name": f"Leena Liitto {word}",
            "email": f"liitto-{word}@example.org",
        },
        # A member: the name and address come from the registry.
        {
            "role": "association_officer",
            "user_id": members[coordinator_email],
            "name": "",
            "email": "",
        },
    ]
    day = in_days(14)
    meeting_id = plan_meeting(kaisa, matter_id, meeting_fields(rows, day))
    page = kaisa.get(f"/meetings/{meeting_id}")
    html = Elements(page.text)
    assert "Tapaaminen tallennettiin. Lähetä kutsut, kun se on valmis." in page.text
    assert not html.text_of("meeting-warnings")
    assert f"Ville Virkailija {word}" in html.text_of("participants")
    assert COORDINATOR_NAME in html.text_of("participants")
    assert coordinator_email in html.text_of("participants")
    assert "Ei vastannut vielä" in html.text_of("reply-counts")
    assert "Kaupungintalo" in html.text_of("meeting-facts")
    assert "Suunniteltu" in html.text_of("meeting-facts")
    assert "1. Tavoite ja kiireellisyys" in html.text_of("agenda")

    # The invitations: every participant gets an e-mail with the calendar entry.
    inbox.messages.clear()
    invited = post_form(kaisa, f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/invitations", {})
    assert invited.status_code == 303
    assert invited.headers["location"] == f"/meetings/{meeting_id}#participants"
    assert "Kutsut ovat matkalla" in kaisa.get(f"/meetings/{meeting_id}").text
    assert send_meeting_mail(portal_stack, meeting_id) == 3
    [mail] = inbox.to(official)
    assert mail["Subject"] == f"Kutsu / Invitation: {topic}"
    entry = calendar_of(mail)
    assert "METHOD:REQUEST" in entry
    assert f"UID:meeting-{meeting_id}@" in entry
    assert "SEQUENCE:0" in entry
    assert inbox.to(coordinator_email)
    # The same version is not sent twice.
    again = post_form(kaisa, f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/invitations", {})
    assert again.status_code == 422
    assert "on jo lähetetty" in Elements(again.text).text_of("invite-error")

    # A reply is recorded per participant.
    participant = re.search(
        r'id="participant-([0-9a-f-]{36})"[^>]*>\s*<h3[^>]*>Ville Virkailija', page.text
    )
    assert participant
    participant_id = participant.group(1)
    replied = post_form(
        kaisa,
        f"/meetings/{meeting_id}",
        f"/meetings/{meeting_id}/participants/{participant_id}/reply",
        {"reply": "accepted"},
    )
    assert replied.status_code == 303
    page = kaisa.get(f"/meetings/{meeting_id}")
    assert "Vastaus kirjattiin." in page.text
    assert '<option value="accepted" selected>' in page.text
    assert "Tulee: 1" in Elements(page.text).text_of("reply-counts")

    # Rescheduled: the change goes out as an update with a higher SEQUENCE.
    edit = kaisa.get(f"/meetings/{meeting_id}/edit")
    form = Elements(edit.text)
    assert form.find("input", id="day", value=day)
    assert form.find("input", id="starts", value="14:00")
    new_day = in_days(15)
    inbox.messages.clear()
    changed = kaisa.post(
        f"/meetings/{meeting_id}/edit",
        data={
            "csrf_token": csrf_of(edit.text),
            "day": new_day,
            "starts": "10:00",
            "ends": "12:00",
            "place": "Kaupungintalo, kokoushuone 5",
            "online_link": "https://meet.example.org/kortisto-arviointi",
            "agenda": AGENDA,
        },
    )
    assert changed.status_code == 303
    page = kaisa.get(f"/meetings/{meeting_id}")
    assert "Tapaamista muutettiin." in page.text
    facts = Elements(page.text).text_of("meeting-facts")
    assert "kokoushuone 5" in facts and "10.00" in facts
    assert send_meeting_mail(portal_stack, meeting_id) == 3
    [update] = inbox.to(official)
    assert update["Subject"] == f"Muuttunut / Updated: {topic}"
    entry = calendar_of(update)
    assert "SEQUENCE:1" in entry and "METHOD:REQUEST" in entry
    starts = datetime.combine(date.fromisoformat(new_day), time(10, 0), tzinfo=TIMEZONE)
    assert f"DTSTART:{starts.astimezone(UTC):%Y%m%dT%H%M%S}Z" in entry

    # The outcome, with a task for Anna; no next time agreed, so the series proposes one.
    outcome_path = f"/meetings/{meeting_id}/outcome"
    outcome_page = kaisa.get(outcome_path)
    assert Elements(outcome_page.text).find("select", id="task-0-owner")
    outcome = {
        "outcome": "Kunta selvittää iltakuljetuksen kustannukset syyskuuhun mennessä.",
        "minutes": "Keskusteltiin kolmesta vaihtoehdosta.",
        "task-count": "1",
        "task-0-title": "Lähetä jäsenten kysely kunnalle",
        "task-0-owner": "",
        "task-0-due_on": in_days(30),
        "next_day": "",
        "next_starts": "",
        "next_ends": "",
        "action": "save",
    }
    missing = kaisa.post(outcome_path, data={**outcome, "csrf_token": csrf_of(outcome_page.text)})
    assert missing.status_code == 422
    assert Elements(missing.text).text_of("task-0-owner-error")
    outcome["task-0-owner"] = members[ANNA_EMAIL]
    recorded = kaisa.post(outcome_path, data={**outcome, "csrf_token": csrf_of(outcome_page.text)})
    assert recorded.status_code == 303, recorded.text
    assert recorded.headers["location"] == f"/meetings/matters/{matter_id}#series"
    series_page = kaisa.get(f"/meetings/matters/{matter_id}")
    assert "Lopputulos kirjattiin." in series_page.text
    series = Elements(series_page.text)
    rows_text = series.text_of("series-table")
    assert "Pidetty" in rows_text and "Ehdotettu sarjan rytmistä" in rows_text
    next_box = series.text_of("next-meeting")
    assert "Seuraava tapaaminen" in next_box and "Ehdotettu" in next_box
    proposed_year = str(date.fromisoformat(new_day).year + 1)
    assert proposed_year in next_box
    proposed = re.search(
        r'id="next-meeting".*?href="(/meetings/[0-9a-f-]{36})"', series_page.text, re.S
    )
    assert proposed and proposed.group(1) != f"/meetings/{meeting_id}"
    proposed_page = kaisa.get(proposed.group(1))
    assert "Sovi tämä aika ja lähetä kutsut" in proposed_page.text
    assert f"Ville Virkailija {word}" in Elements(proposed_page.text).text_of("participants")

    # The proposed meeting is agreed and invited to, then cancelled: the cancellation reaches
    # every calendar.
    following = proposed.group(1).removeprefix("/meetings/")
    agreed = post_form(kaisa, proposed.group(1), f"{proposed.group(1)}/invitations", {})
    assert agreed.status_code == 303
    assert "Suunniteltu" in Elements(kaisa.get(proposed.group(1)).text).text_of("meeting-facts")
    cancelled = post_form(kaisa, proposed.group(1), f"{proposed.group(1)}/cancel", {})
    assert cancelled.status_code == 303
    cancelled_page = kaisa.get(proposed.group(1)).text
    assert "Jokainen osallistuja saa peruutuksen kalenteriinsa." in cancelled_page
    inbox.messages.clear()
    assert send_meeting_mail(portal_stack, following) == 6  # the invitation and the cancel
    entries = [calendar_of(m) for m in inbox.to(official)]
    assert any("METHOD:CANCEL" in e and "SEQUENCE:1" in e for e in entries)
    assert any("METHOD:REQUEST" in e and "SEQUENCE:0" in e for e in entries)

    # The held meeting: its outcome, and each participant confirms it.
    held = kaisa.get(f"/meetings/{meeting_id}")
    assert "Kunta selvittää iltakuljetuksen" in Elements(held.text).text_of("outcome")
    assert not Elements(held.text).find("a", href=f"/meetings/{meeting_id}/edit")
    confirmed = post_form(
        kaisa,
        f"/meetings/{meeting_id}",
        f"/meetings/{meeting_id}/participants/{participant_id}/confirmation",
        {},
    )
    assert confirmed.status_code == 303
    person = Elements(kaisa.get(f"/meetings/{meeting_id}").text).text_of(
        f"participant-{participant_id}"
    )
    assert "Ymmärsi lopputuloksen samoin" in person

    # Evaluations: five questions 1-5, refused without answers, summarised per matter.
    evaluation_path = f"/meetings/{meeting_id}/evaluation"
    evaluation = kaisa.get(evaluation_path)
    assert Elements(evaluation.text).find("input", type="radio", name="aim_clear", value="5")
    empty = post_form(kaisa, evaluation_path, evaluation_path, {"aim_clear": "5"})
    assert empty.status_code == 422
    errors = Elements(empty.text)
    assert errors.text_of("right_people-error") and not errors.text_of("aim_clear-error")
    for scores, comment in (((5, 4, 4, 3, 5), "Hyvä keskustelu."), ((4, 4, 5, 4, 4), "")):
        answers = dict(
            zip(
                [
                    "aim_clear",
                    "right_people",
                    "everyone_heard",
                    "outcome_realistic",
                    "next_steps_clear",
                ],
                [str(s) for s in scores],
                strict=True,
            )
        )
        saved = post_form(kaisa, evaluation_path, evaluation_path, {**answers, "comment": comment})
        assert saved.status_code == 303
    assert "Arviointi tallennettiin ilman nimeä." in kaisa.get(evaluation_path).text
    summary = Elements(kaisa.get(f"/meetings/matters/{matter_id}").text)
    evaluations = summary.text_of("evaluations")
    assert "2 arviointia" in evaluations
    assert "4,5" in summary.text_of("matter-evaluations")  # the aim was clear: (5 + 4) / 2
    assert "Hyvä keskustelu." in evaluations
    overall = Elements(kaisa.get("/meetings/evaluations").text).text_of("main")
    assert "Hyvä keskustelu." in overall and "arviointia" in overall

    # A progress update goes to the participants of the latest meeting and is offered to
    # the newsletter editor as news.
    matter_page = kaisa.get(f"/meetings/matters/{matter_id}")
    update_text = "Kunta on aloittanut kustannusselvityksen."
    sent = kaisa.post(
        f"/meetings/matters/{matter_id}/updates",
        data={"csrf_token": csrf_of(matter_page.text), "text": update_text},
    )
    assert sent.status_code == 200
    result = Elements(sent.text)
    assert "3 osallistujalle" in result.text_of("update-result")
    assert update_text in result.text_of("news-block")
    assert result.find("input", name="block-0-title", value=topic)
    assert result.find("button", name="action", value="start")
    hidden = {
        a["name"]: a.get("value", "")
        for a in result.find("input", type="hidden")
        if a.get("name", "").startswith(("block-", "audience", "language", "send", "subject"))
    }
    editor = kaisa.post(
        "/reminders/newsletters/new",
        data={**hidden, "csrf_token": csrf_of(sent.text), "action": "start"},
    )
    assert editor.status_code == 200
    started = Elements(editor.text)
    assert started.find("input", id="block-0-title", value=topic)
    assert update_text in started.text_of("block-0-text")


def test_the_calendar_addresses_are_shown_and_passed_on(
    kaisa: httpx.Client, portal_stack: PortalStack, coordinator_email: str
) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Kalenteri {word}")
    members = member_ids(portal_stack, coordinator_email)
    rows = [
        {
            "role": "association_officer",
            "user_id": members[coordinator_email],
            "name": "",
            "email": "",
        }
    ]
    meeting_id = plan_meeting(kaisa, matter_id, meeting_fields(rows, in_days(9)))
    page = kaisa.get("/meetings/calendar")
    assert page.status_code == 200
    html = Elements(page.text)
    mine, everyone = html.text_of("feed-mine"), html.text_of("feed-organisation")
    [field] = html.find("textarea", id="feed-mine")
    assert "readonly" in field
    for address in (mine, everyone):
        assert re.fullmatch(
            r"https?://[^/]+/calendar/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.ics", address
        ), address
    assert mine != everyone
    # The portal passes a feed on to reminders without a login: the address is the key.
    with httpx.Client(base_url=portal_stack.portal_url) as stranger:
        for address in (mine, everyone):
            path = "/calendar/" + address.split("/calendar/", 1)[1]
            feed = stranger.get(path)
            assert feed.status_code == 200, feed.text
            assert feed.headers["content-type"].startswith("text/calendar")
            assert f"UID:meeting-{meeting_id}@" in feed.text
        assert stranger.get("/calendar/not-a-token.ics").status_code == 404
        forged = "/calendar/" + address.split("/calendar/", 1)[1].replace(".ics", "0.ics")
        assert stranger.get(forged).status_code == 404


# -- changing, closing and reopening a matter ------------------------------------------------


def matter_in_reminders(stack: PortalStack, email: str, matter_id: str) -> dict[str, Any]:
    """The matter as reminders holds it, read past the portal."""
    answer = httpx.get(f"{stack.reminders_url}/matters/{matter_id}", headers=stack.api_token(email))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_a_matter_is_changed_and_a_wrong_change_changes_nothing(
    kaisa: httpx.Client, portal_stack: PortalStack, coordinator_email: str
) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Asuntojono {word}", cadence="12")
    matter_page = kaisa.get(f"/meetings/matters/{matter_id}")
    assert Elements(matter_page.text).find("a", href=f"/meetings/matters/{matter_id}/edit")
    path = f"/meetings/matters/{matter_id}/edit"
    edit = kaisa.get(path)
    assert edit.status_code == 200
    form = Elements(edit.text)
    assert "<h1>Muuta asiaa</h1>" in edit.text
    assert form.find("input", id="topic", value=f"Asuntojono {word}")
    assert "Iltaisin kulkeva kuljetus" in form.text_of("aim")
    assert form.find("input", type="radio", name="urgency", value="high", checked="")
    assert form.find("input", type="radio", name="cadence", value="12", checked="")
    # Whose matter it is and the day of the shared will are not changed afterwards.
    assert not form.find("input", name="whose")
    assert not form.find("input", id="shared_will_confirmed_on")
    before = matter_in_reminders(portal_stack, coordinator_email, matter_id)

    # A political decision without its board: said at the board field, nothing changes.
    wrong = post_form(
        kaisa,
        path,
        path,
        matter_fields(
            f"Asuntojono muutettu {word}", decision_level="political", board_chair="Liisa Pj"
        ),
    )
    assert wrong.status_code == 422
    errors = Elements(wrong.text)
    assert "lautakunta" in errors.text_of("board-error")
    [board] = errors.find("input", id="board")
    assert board["aria-invalid"] == "true"
    assert errors.find("a", href="#board")
    assert errors.find("input", id="topic", value=f"Asuntojono muutettu {word}")
    assert matter_in_reminders(portal_stack, coordinator_email, matter_id) == before

    # Reminders' own refusal lands at its field too: the contact must be a member.
    stranger = post_form(
        kaisa,
        path,
        path,
        {**matter_fields(f"Asuntojono {word}"), "contact_user_id": str(uuid.uuid4())},
    )
    assert stranger.status_code == 422
    assert "jäsen" in Elements(stranger.text).text_of("contact_user_id-error")
    assert matter_in_reminders(portal_stack, coordinator_email, matter_id) == before

    saved = post_form(
        kaisa,
        path,
        path,
        matter_fields(
            f"Asuntojono muutettu {word}",
            decision_level="political",
            board="Sosiaali- ja terveyslautakunta",
            board_chair="Liisa Puheenjohtaja",
            cadence="6",
        ),
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/meetings/matters/{matter_id}"
    page = kaisa.get(f"/meetings/matters/{matter_id}")
    assert "Asia tallennettiin." in page.text
    facts = Elements(page.text).text_of("matter-facts")
    assert "Tarvitaan poliittinen päätös" in facts and "Liisa Puheenjohtaja" in facts
    assert "Kahdesti vuodessa" in facts
    after = matter_in_reminders(portal_stack, coordinator_email, matter_id)
    assert after["topic"] == f"Asuntojono muutettu {word}"
    assert (after["board"], after["cadence_months"]) == ("Sosiaali- ja terveyslautakunta", 6)
    assert after["shared_will_confirmed_on"] == before["shared_will_confirmed_on"]


def test_a_closed_matter_ends_its_series_until_it_is_reopened(
    kaisa: httpx.Client, portal_stack: PortalStack, coordinator_email: str
) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Päättyvä asia {word}", cadence="12")
    matter_path = f"/meetings/matters/{matter_id}"
    new_meeting = f"{matter_path}/meetings/new"
    # A meeting held: the series proposes the next one from its cadence.
    held_id = plan_meeting(kaisa, matter_id, meeting_fields(people(word, 1), in_days(4)))
    record_outcome(kaisa, held_id, [])
    html = Elements(kaisa.get(matter_path).text)
    assert html.find("a", href=new_meeting)
    assert "Ehdotettu sarjan rytmistä" in html.text_of("next-meeting")

    closed = post_form(kaisa, matter_path, f"{matter_path}/status", {"status": "closed"})
    assert closed.status_code == 303
    assert closed.headers["location"] == matter_path
    page = kaisa.get(matter_path)
    assert "Asia suljettiin." in page.text
    html = Elements(page.text)
    assert "Päätetty" in html.text_of("matter-closed")
    assert "Päätetty" in html.text_of("matter-facts")
    assert html.text_of("matter-closed-notice")
    assert not html.find("a", href=new_meeting)
    assert not html.find("a", href=f"{matter_path}/edit")
    assert "Avaa asia uudelleen" in html.text_of("matter-status")
    # The series has ended: the proposed next meeting is gone, the held one stays.
    assert not html.find("div", id="next-meeting")
    assert "Ehdotettu" not in html.text_of("series-table")
    assert "Pidetty" in html.text_of(f"meeting-{held_id}")
    assert matter_in_reminders(portal_stack, coordinator_email, matter_id)["status"] == "closed"
    listed = Elements(kaisa.get("/meetings").text).text_of(f"matter-{matter_id}")
    assert "Päätetty" in listed

    # Neither the meeting form nor the change form is offered, and reminders refuses both.
    assert kaisa.get(new_meeting).headers.get("location") == matter_path
    assert kaisa.get(f"{matter_path}/edit").headers.get("location") == matter_path
    refused = post_form(
        kaisa,
        "/meetings/matters/new",
        new_meeting,
        {**meeting_fields(people(word, 1), in_days(10)), "action": "save"},
    )
    assert refused.status_code == 422
    assert "Asia on suljettu" in Elements(refused.text).text_of("main")
    series = httpx.get(
        f"{portal_stack.reminders_url}/matters/{matter_id}/meetings",
        headers=portal_stack.api_token(coordinator_email),
    ).json()
    assert [meeting["id"] for meeting in series] == [held_id]

    reopened = post_form(kaisa, matter_path, f"{matter_path}/status", {"status": "open"})
    assert reopened.status_code == 303
    page = kaisa.get(matter_path)
    assert "Asia avattiin uudelleen." in page.text
    html = Elements(page.text)
    assert not html.text_of("matter-closed")
    assert html.find("a", href=new_meeting)
    assert "Sulje asia" in html.text_of("matter-status")
    assert matter_in_reminders(portal_stack, coordinator_email, matter_id)["status"] == "open"
    plan_meeting(kaisa, matter_id, meeting_fields(people(word, 1), in_days(10)))

    # A status reminders does not know is not sent.
    odd = post_form(kaisa, matter_path, f"{matter_path}/status", {"status": "paused"})
    assert odd.status_code == 422
    assert Elements(odd.text).text_of("matter-status-error")


# -- the tasks agreed at a meeting -----------------------------------------------------------


def record_outcome(client: httpx.Client, meeting_id: str, tasks: list[tuple[str, str]]) -> None:
    """The meeting's outcome with ``tasks`` (title, owner's user id), no next meeting."""
    path = f"/meetings/{meeting_id}/outcome"
    fields = {
        "outcome": "Kunta selvittää vaihtoehdot kevääseen mennessä.",
        "minutes": "",
        "task-count": str(len(tasks)),
        "next_day": "",
        "next_starts": "",
        "next_ends": "",
        "action": "save",
    }
    for i, (title, owner) in enumerate(tasks):
        fields |= {
            f"task-{i}-title": title,
            f"task-{i}-owner": owner,
            f"task-{i}-due_on": in_days(20 + i),
        }
    recorded = post_form(client, path, path, fields)
    assert recorded.status_code == 303, recorded.text


def reminder_of(stack: PortalStack, item_id: str) -> str:
    """The status of the task's reminder to its owner in reminders' schedules."""
    runtime = stack.reminders_runtime
    assert runtime is not None
    with runtime.database.session() as session:
        status = session.scalar(select(Schedule.status).where(Schedule.subject_id == item_id))
    assert status is not None
    return status


def test_a_task_is_marked_done_and_not_done(
    kaisa: httpx.Client, portal_stack: PortalStack, coordinator_email: str
) -> None:
    word = tag()
    matter_id = raise_matter(kaisa, f"Tehtävät {word}", cadence="")
    members = member_ids(portal_stack, coordinator_email)
    meeting_id = plan_meeting(kaisa, matter_id, meeting_fields(people(word, 2), in_days(6)))
    record_outcome(
        kaisa,
        meeting_id,
        [
            (f"Kysely jäsenille {word}", members[coordinator_email]),
            (f"Muistio {word}", members[ANNA_EMAIL]),
        ],
    )
    matter_path = f"/meetings/matters/{matter_id}"
    detail = matter_in_reminders(portal_stack, coordinator_email, matter_id)
    [item] = [i for i in detail["action_items"] if i["title"] == f"Kysely jäsenille {word}"]
    page = Elements(kaisa.get(matter_path).text)
    row = page.text_of(f"item-{item['id']}")
    assert f"Kysely jäsenille {word}" in row and COORDINATOR_NAME in row
    assert "Tekemättä" in row and "Merkitse tehdyksi" in row
    assert reminder_of(portal_stack, item["id"]) == "active"

    done = post_form(
        kaisa, matter_path, f"{matter_path}/action-items/{item['id']}", {"done": "true"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{matter_path}#item-{item['id']}"
    page_text = kaisa.get(matter_path).text
    assert "Tehtävä merkittiin tehdyksi." in page_text
    row = Elements(page_text).text_of(f"item-{item['id']}")
    assert "Tehty" in row and "Merkitse tekemättömäksi" in row
    assert reminder_of(portal_stack, item["id"]) == "cancelled"

    undone = post_form(
        kaisa, matter_path, f"{matter_path}/action-items/{item['id']}", {"done": "false"}
    )
    assert undone.status_code == 303
    page_text = kaisa.get(matter_path).text
    assert "Tehtävä merkittiin tekemättömäksi." in page_text
    assert "Tekemättä" in Elements(page_text).text_of(f"item-{item['id']}")
    assert reminder_of(portal_stack, item["id"]) == "active"

    # Without the page's form token nothing changes.
    forged = kaisa.post(f"{matter_path}/action-items/{item['id']}", data={"done": "true"})
    assert forged.status_code == 422
    assert Elements(forged.text).text_of(f"item-{item['id']}-done-error")
    detail = matter_in_reminders(portal_stack, coordinator_email, matter_id)
    assert [i["done"] for i in detail["action_items"] if i["id"] == item["id"]] == [False]


# -- participants added and taken off --------------------------------------------------------


def unfolded(entry: str) -> str:
    """An iCalendar text with its folded lines joined again."""
    return entry.replace("\r\n ", "").replace("\n ", "")


def participant_id_of(html: str, name: str) -> str:
    found = re.search(r'id="participant-([0-9a-f-]{36})"[^>]*>\s*<h3[^>]*>' + re.escape(name), html)
    assert found, f"{name} is not a participant on the page"
    return found.group(1)


def test_participants_are_added_and_taken_off_after_the_invitations(
    kaisa: httpx.Client, portal_stack: PortalStack, inbox: Inbox
) -> None:
    word = tag()
    topic = f"Osallistujat {word}"
    matter_id = raise_matter(kaisa, topic)
    official = f"ville-{word}@example.org"
    expert = f"leena-{word}@example.org"
    rows = [
        {"role": "official", "name": f"Ville Virkailija {word}", "email": official},
        {"role": "federation_staff", "name": f"Leena Liitto {word}", "email": expert},
    ]
    meeting_id = plan_meeting(kaisa, matter_id, meeting_fields(rows, in_days(12)))
    meeting_path = f"/meetings/{meeting_id}"
    add_path = f"{meeting_path}/participants"

    # Before the invitations: someone taken off is told nothing.
    extra = f"extra-{word}@example.org"
    added = post_form(
        kaisa,
        meeting_path,
        add_path,
        {
            "new-participant-role": "concerned",
            "new-participant-name": f"Eero Ylimääräinen {word}",
            "new-participant-email": extra,
        },
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"{meeting_path}#participants"
    page = kaisa.get(meeting_path).text
    assert "Hän saa kutsun, kun lähetät kutsut." in page
    extra_id = participant_id_of(page, f"Eero Ylimääräinen {word}")
    removed = post_form(kaisa, meeting_path, f"{add_path}/{extra_id}/remove", {})
    assert removed.status_code == 303
    page = kaisa.get(meeting_path).text
    assert "Kutsua ei ollut lähetetty" in page
    assert f"Eero Ylimääräinen {word}" not in Elements(page).text_of("participants")
    assert send_meeting_mail(portal_stack, meeting_id) == 0

    invited = post_form(kaisa, meeting_path, f"{meeting_path}/invitations", {})
    assert invited.status_code == 303
    assert send_meeting_mail(portal_stack, meeting_id) == 2
    assert not Elements(kaisa.get(meeting_path).text).text_of("unsent-changes")
    inbox.messages.clear()

    # A mistake in the newcomer's details: said at the field, nobody added.
    wrong = post_form(
        kaisa,
        meeting_path,
        add_path,
        {
            "new-participant-role": "decision_maker",
            "new-participant-name": f"Paula Päättäjä {word}",
            "new-participant-email": "ei-osoite",
        },
    )
    assert wrong.status_code == 422
    errors = Elements(wrong.text)
    assert "sähköpostiosoite" in errors.text_of("new-participant-email-error")
    assert errors.find("input", id="new-participant-name", value=f"Paula Päättäjä {word}")
    assert f"Paula Päättäjä {word}" not in errors.text_of("participants")

    # A newcomer after the invitations gets the invitation; the others get nothing new.
    decision_maker = f"paula-{word}@example.org"
    added = post_form(
        kaisa,
        meeting_path,
        add_path,
        {
            "new-participant-role": "decision_maker",
            "new-participant-name": f"Paula Päättäjä {word}",
            "new-participant-email": decision_maker,
        },
    )
    assert added.status_code == 303
    page = kaisa.get(meeting_path).text
    assert "hänelle lähetettiin kutsu" in page
    assert f"Paula Päättäjä {word}" in Elements(page).text_of("participants")
    assert send_meeting_mail(portal_stack, meeting_id) == 1
    [invitation] = inbox.to(decision_maker)
    assert invitation["Subject"] == f"Kutsu / Invitation: {topic}"
    assert "METHOD:REQUEST" in calendar_of(invitation)
    assert not inbox.to(official) and not inbox.to(expert)

    # Someone taken off after the invitations gets a cancellation meant for them alone.
    official_id = participant_id_of(page, f"Ville Virkailija {word}")
    removed = post_form(kaisa, meeting_path, f"{add_path}/{official_id}/remove", {})
    assert removed.status_code == 303
    assert removed.headers["location"] == f"{meeting_path}#participants"
    page = kaisa.get(meeting_path).text
    assert "hänen kalenteriinsa lähetettiin peruutus" in page
    people_now = Elements(page).text_of("participants")
    assert f"Ville Virkailija {word}" not in people_now
    assert f"Leena Liitto {word}" in people_now and f"Paula Päättäjä {word}" in people_now
    assert send_meeting_mail(portal_stack, meeting_id) == 1
    [cancel] = inbox.to(official)
    assert cancel["Subject"] == f"Peruttu / Cancelled: {topic}"
    entry = unfolded(calendar_of(cancel))
    assert "METHOD:CANCEL" in entry and "SEQUENCE:1" in entry
    assert f"UID:meeting-{meeting_id}@" in entry
    assert official in entry and expert not in entry and decision_maker not in entry
    assert len(inbox.to(expert)) == 0 and len(inbox.to(decision_maker)) == 1
    assert not Elements(page).text_of("unsent-changes")

    # Once the meeting is held, its participants stay as they were.
    record_outcome(kaisa, meeting_id, [])
    held = Elements(kaisa.get(meeting_path).text)
    assert not held.find("form", action=add_path)
    expert_id = participant_id_of(kaisa.get(meeting_path).text, f"Leena Liitto {word}")
    assert not held.find("form", action=f"{add_path}/{expert_id}/remove")
    late = post_form(kaisa, meeting_path, f"{add_path}/{expert_id}/remove", {})
    assert late.status_code == 422
    assert "Tätä ei voi tehdä pidetylle tai perutulle tapaamiselle." in late.text
    assert f"Leena Liitto {word}" in Elements(late.text).text_of("participants")
