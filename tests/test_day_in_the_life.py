"""A day in the life of Kortisto, read from top to bottom as the story of the product.

The stack starts as ``./scripts/run`` starts it (``kortisto up`` on a fresh data directory,
the demo network seeded on first start), once on the embedded default (SQLite files and
the SQLite broker) and once on PostgreSQL + Redis. Then the people of the demo network go
through a working day in a real Chromium, in English:

1. Eero, staff at Kotipolku, adds a cooking club with its consents and logs a contact.
2. Kaisa at Kallio (in the same pool) finds it and sees only what was consented to.
3. Kaisa's support user Sanna wishes to learn to cook: the club is among the suggestions.
4. The referral ends with "the wish came true", and the wish is fulfilled.
5. The club withdraws its pool consent: it leaves Kallio's suggestions within 5 s.
6. The club's upkeep reminder falls due under Eero's "My due items"; snooze and done work.
7. Eero sends a newsletter: the message is written to the mail folder, and the list says
   "Sent" only once it was.
8. Kaisa plans a review meeting at 13:00 Helsinki time: 13:00 on its page, in its calendar
   invitation, and after an unchanged save of its form.
9. Pekka the planner sees an open wish without a category counted in its district.
"""

import email
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import select, update

from kortisto.demo import DEMO_PASSWORD
from services.matching.reference.models import District
from services.reminders.schedules.models import Schedule
from shared.database import Database, utcnow
from tests.conftest import REDIS_URL, postgresql_database
from tests.live import ROOT, free_port, wait_until
from tests.portal.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HELSINKI = ZoneInfo("Europe/Helsinki")
AINO = "admin@kotipolku.example"  # admin at Kotipolku tuki ry
EERO = "staff@kotipolku.example"  # staff at Kotipolku tuki ry
KAISA = "coordinator@kallio.example"  # admin and coordinator at Naapuruusyhdistys Kallio ry
PEKKA = "planner@kotipolku.example"  # planner at Kotipolku tuki ry
OWNER = "Kotipolku tuki ry"
POOL = "Kallion verkosto"
CLUB = "Vallilan ruokapiiri"
CLUB_EMAIL = "ruokapiiri@example.org"
CLUB_PHONE = "040 765 4321"
CLUB_NOTE = "Vetäjä vaihtuu keväällä"  # notes are never shared
SANNA = "Sanna Tuettava"
COOKING_WISH = "Haluan oppia laittamaan ruokaa yhdessä muiden kanssa"


# -- the stack, as ./scripts/run starts it ------------------------------------------------


@dataclass
class Stack:
    portal_url: str
    data_dir: Path
    env: dict[str, str]
    started_in: float

    def database(self, service: str) -> Database:
        url = self.env.get(f"KORTISTO_{service.upper()}_DATABASE_URL")
        return Database(url or f"sqlite:///{self.data_dir / service}.db", service)


def stack_environment(tmp_path: Path, reference_data: Path) -> dict[str, str]:
    ports = {name: free_port() for name in ("portal", "registry", "matching", "reminders")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
    env.update(
        {f"KORTISTO_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    )
    env.update(
        {
            "KORTISTO_DATA_DIR": str(tmp_path / "var"),
            "KORTISTO_REFERENCE_DATA_DIR": str(reference_data),
            # Beat looks for due reminders every 2 s instead of every minute: the day is short.
            "KORTISTO_DUE_SCAN_SECONDS": "2",
        }
    )
    return env


@pytest.fixture(params=["embedded", "postgresql"], scope="module")
def stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    reference_data_dir: Path,
) -> Iterator[Stack]:
    tmp_path = tmp_path_factory.mktemp(request.param)
    env = stack_environment(tmp_path, reference_data_dir)
    with engine(request.param, env):
        log_path = tmp_path / "stack.log"
        started = time.monotonic()
        with log_path.open("w+b") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "kortisto.cli", "up"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until(
                    lambda: (
                        b"Kortisto is running" in log_path.read_bytes()
                        or process.poll() is not None
                    ),
                    180,
                    "the stack",
                )
                assert process.poll() is None, log_path.read_text()[-3000:]
                assert "demo network created" in log_path.read_text()
                stack = Stack(
                    env["KORTISTO_PORTAL_URL"],
                    Path(env["KORTISTO_DATA_DIR"]),
                    env,
                    time.monotonic() - started,
                )
                # The banner comes before the worker has brought the default districts to
                # matching (on PostgreSQL + Redis a few seconds later): until then a support
                # user cannot be given a home district. The day starts once they are there.
                wait_until(lambda: matching_knows_districts(stack), 60, "districts in matching")
                yield stack
            finally:
                process.send_signal(signal.SIGINT)
                try:
                    code = process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    raise
        assert code == 0, log_path.read_text()[-3000:]


def matching_knows_districts(stack: Stack) -> bool:
    database = stack.database("matching")
    try:
        with database.session() as session:
            return bool(session.scalar(select(District.code).limit(1)))
    finally:
        database.dispose()


@contextmanager
def engine(name: str, env: dict[str, str]) -> Iterator[None]:
    """The databases and the broker of one variant: the embedded default needs nothing;
    the other gets a fresh PostgreSQL database for the three services and the test Redis
    as broker and result backend."""
    if name == "embedded":
        yield
        return
    with postgresql_database() as url:
        for service in ("REGISTRY", "MATCHING", "REMINDERS"):
            env[f"KORTISTO_{service}_DATABASE_URL"] = url
        env["KORTISTO_BROKER_URL"] = REDIS_URL
        env["KORTISTO_RESULT_BACKEND"] = REDIS_URL
        yield


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(browser: Browser, stack: Stack, login: str) -> Page:
    """A browser window of its own for one person, signed in, in English."""
    context: BrowserContext = browser.new_context(base_url=stack.portal_url, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(login)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    return page


def menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name=item).click()


# -- 1. a staff member adds a partner and logs a contact ---------------------------------


def add_the_cooking_club(eero: Page) -> str:
    menu(eero, "Partners")
    eero.get_by_role("link", name="Add a partner").click()
    eero.get_by_role("link", name="An organisation").click()
    expect(eero.get_by_role("heading", level=1)).to_have_text("Add an organisation")
    eero.get_by_label("Name", exact=True).fill(CLUB)
    eero.get_by_label("E-mail address").fill(CLUB_EMAIL)
    eero.get_by_label("Phone").fill(CLUB_PHONE)
    eero.locator("#offers-0-title").fill("Ruokapiiri")
    eero.locator("#offers-0-description").fill("Opettelemme laittamaan ruokaa yhdessä")
    eero.locator("#offers-0-schedule").fill("tiistaisin 17–19")
    eero.get_by_label("Notes").fill(CLUB_NOTE)
    eero.get_by_label("District", exact=True).select_option("00530")
    agreed = eero.get_by_role("group", name="What has the partner agreed to?")
    for purpose in (
        "Keeping the card in our resource file",
        "Showing the card to our whole team",
        "Proposing them to the people we support",
        "Sending newsletters",
        "Counting them in statistics",
        f"Sharing with the pool {POOL}",
    ):
        agreed.get_by_label(purpose).check()
    # The pool sees the basic details only: no contact details.
    agreed.get_by_label("How much may they see?").select_option("basic")
    eero.get_by_role("group", name="How was the consent given?").get_by_label("In writing").check()
    eero.get_by_label("Version of the information text").fill("2026-1")
    eero.get_by_role("button", name="Add the partner").click()

    expect(eero.get_by_role("status")).to_have_text("The partner was added to the resource file.")
    expect(eero.get_by_role("heading", level=1)).to_have_text(CLUB)
    consents = eero.get_by_role("table", name="What the partner consents to now")
    for purpose in ("Sending newsletters", "Counting them in statistics", POOL):
        expect(consents).to_contain_text(purpose)
    partner_id = eero.url.rstrip("/").rsplit("/", 1)[-1]

    # The first call, logged on the card: the last contact is today.
    log = eero.get_by_role("region", name="What we did together")
    log.get_by_label("What happened").fill("Soitin ja sovin esittelykäynnistä")
    log.get_by_role("button", name="Log the activity").click()
    expect(eero.get_by_role("status")).to_contain_text("The activity was logged")
    expect(eero.get_by_role("table", name="Activities, newest first")).to_contain_text(
        "Soitin ja sovin esittelykäynnistä"
    )
    return partner_id


# -- 2. the other organisation finds it and sees only the consented fields ---------------


def find_it_from_the_other_organisation(kaisa: Page) -> None:
    menu(kaisa, "Partners")
    search = kaisa.get_by_role("search")
    search.get_by_label("Name", exact=True).fill("ruokapiiri")
    search.get_by_role("button", name="Search").click()
    row = kaisa.get_by_role("row").filter(has_text=CLUB)
    expect(row).to_contain_text("Shared with us")
    expect(row).to_contain_text(OWNER)
    row.get_by_role("link", name=CLUB).click()
    main = kaisa.get_by_role("main")
    expect(main).to_contain_text(f"This partner belongs to {OWNER}.")
    expect(main).to_contain_text("Ruokapiiri")
    for hidden in (CLUB_EMAIL, CLUB_PHONE, CLUB_NOTE, "Soitin ja sovin", "Consents"):
        expect(main).not_to_contain_text(hidden)


# -- 3. a support user's wish gets suggestions with the pooled partner -------------------


def add_sanna_with_a_wish(kaisa: Page, wish: str) -> str:
    menu(kaisa, "Support users")
    kaisa.get_by_role("link", name="Add a support user").click()
    kaisa.get_by_label("Name", exact=True).fill(SANNA)
    kaisa.get_by_label("Home district").select_option("00530")
    kaisa.get_by_role("button", name="Add the support user").click()
    expect(kaisa.get_by_role("status")).to_have_text("The support user was added.")
    profile = kaisa.url

    consents = kaisa.get_by_role("region", name="Consents")
    consents.get_by_text("Record a consent or its withdrawal").click()
    consents.get_by_role("group", name="What is it about?").get_by_label(
        "Getting suggestions of community resources for their wishes"
    ).check()
    consents.get_by_role("group", name="How did they say it?").get_by_label("In writing").check()
    consents.get_by_role("button", name="Record", exact=True).click()
    expect(kaisa.get_by_role("status")).to_have_text("The consent was recorded.")
    add_wish(kaisa, wish)
    return profile


def add_wish(kaisa: Page, wish: str) -> None:
    wishes = kaisa.get_by_role("region", name="Wishes")
    wishes.get_by_label("The wish in the person's own words").fill(wish)
    # The portal speaks English to Kaisa, but the person said it in Finnish.
    wishes.get_by_label("Language of the wish").select_option(label="Finnish")
    wishes.get_by_role("button", name="Add the wish").click()
    expect(kaisa.get_by_role("status")).to_have_text("The wish was added.")


def open_suggestions(kaisa: Page, profile: str, wish: str) -> None:
    kaisa.goto(profile)
    kaisa.get_by_role("link", name=re.compile(f"^Suggestions.*{wish[:40]}")).click()
    expect(kaisa.get_by_role("heading", level=1)).to_have_text(f"Suggestions for {SANNA}")


def the_club_among_suggestions(kaisa: Page, profile: str) -> None:
    def suggested() -> bool:
        open_suggestions(kaisa, profile, COOKING_WISH)
        return kaisa.locator("li.suggestion").filter(has_text=CLUB).count() == 1

    # The partner reaches matching's index through the registry's outbox and the worker.
    wait_until(suggested, 30, "the pooled club among the suggestions", interval=1)
    suggestion = kaisa.locator("li.suggestion").filter(has_text=CLUB)
    expect(suggestion.get_by_role("heading", level=2)).to_have_text("Ruokapiiri")
    expect(suggestion).to_contain_text("Another organisation's partner")


# -- 4. a referral ends with "the wish came true" ------------------------------------------


def refer_until_the_wish_came_true(kaisa: Page) -> None:
    suggestion = kaisa.locator("li.suggestion").filter(has_text=CLUB)
    suggestion.get_by_role("button", name=re.compile("^Propose a referral")).click()
    expect(kaisa.get_by_role("status")).to_have_text(
        "The referral was proposed. Follow it under Referrals."
    )
    for step in ("Partner contacted", "Accepted", "Ended"):
        referral = kaisa.locator("li.referral").filter(has_text=CLUB)
        referral.get_by_text("Record the next step").click()
        referral.get_by_role("group", name="Next step").get_by_label(step, exact=True).check()
        if step == "Ended":
            referral.get_by_label("Outcome").select_option(label="The wish came true")
        referral.get_by_role("button", name="Record the step").click()
        expect(kaisa.get_by_role("status")).to_have_text("The step was recorded.")
    referral = kaisa.locator("li.referral").filter(has_text=CLUB)
    expect(referral).to_contain_text("The wish came true")
    wish = (
        kaisa.get_by_role("region", name="Wishes").locator("li.wish").filter(has_text=COOKING_WISH)
    )
    expect(wish).to_contain_text("Status: Fulfilled")


# -- 5. withdrawing pool consent takes it out of the other organisation's suggestions -----


def withdraw_pool_consent(eero: Page, partner_id: str) -> float:
    eero.goto(f"/partners/{partner_id}")
    withdraw = eero.locator("details").filter(has_text="Withdraw a consent")
    withdraw.locator("summary").click()
    withdraw.get_by_label(re.compile(f"Sharing with the pool {POOL}")).check()
    withdraw.get_by_role("group", name="How did the partner withdraw it?").get_by_label(
        "In writing"
    ).check()
    withdraw.get_by_role("button", name="Withdraw the consent").click()
    withdrawn_at = time.monotonic()
    expect(eero.get_by_role("status")).to_have_text("The consent was withdrawn.")
    return withdrawn_at


def gone_from_suggestions_within(kaisa: Page, profile: str, wish: str, since: float) -> None:
    def gone() -> bool:
        open_suggestions(kaisa, profile, wish)
        return kaisa.locator("li.suggestion").filter(has_text=CLUB).count() == 0

    wait_until(gone, 5 - (time.monotonic() - since), "the club gone from the suggestions", 0.5)


# -- 6. an upkeep reminder falls due; done and snooze ------------------------------------


def make_upkeep_due(stack: Stack, partner_id: str) -> None:
    """Months pass: the club's upkeep schedule (made when reminders learnt of the club)
    falls due a minute ago. Beat's due scan does the rest."""
    database = stack.database("reminders")
    try:

        def scheduled() -> bool:
            with database.session() as session:
                return bool(
                    session.scalar(
                        select(Schedule.id).where(
                            Schedule.subject_id == partner_id, Schedule.kind == "upkeep"
                        )
                    )
                )

        wait_until(scheduled, 30, "the club's upkeep schedule", interval=0.5)
        with database.session() as session:
            session.execute(
                update(Schedule)
                .where(Schedule.subject_id == partner_id, Schedule.kind == "upkeep")
                .values(next_due_at=utcnow() - timedelta(minutes=1), status="active")
            )
    finally:
        database.dispose()


def open_due_items(eero: Page, show: str = "") -> None:
    menu(eero, "Reminders")
    expect(eero.get_by_role("heading", level=1)).to_have_text("My due items")
    if show:
        eero.get_by_label("Show").select_option(show)
        eero.get_by_role("button", name="Show").click()


def snooze_then_done(eero: Page) -> None:
    def due() -> bool:
        open_due_items(eero)
        return eero.get_by_role("article", name=CLUB).count() == 1

    wait_until(due, 30, "the club's upkeep item under My due items", interval=1)
    item = eero.get_by_role("article", name=CLUB)
    expect(item.get_by_role("link", name=CLUB)).to_be_visible()
    item.get_by_label(re.compile("^Snooze for")).select_option("14")
    item.get_by_role("button", name=re.compile(f"^Snooze.*{CLUB}")).click()
    expect(eero.get_by_role("status")).to_have_text(
        "The item was snoozed. It comes back when the time is up."
    )
    expect(eero.get_by_role("article", name=CLUB)).to_have_count(0)
    open_due_items(eero, show="snoozed")
    item = eero.get_by_role("article", name=CLUB)
    expect(item).to_contain_text("Snoozed")
    item.get_by_role("button", name=re.compile(f"^Done.*{CLUB}")).click()
    expect(eero.get_by_role("status")).to_have_text("The item was marked done.")
    expect(eero.get_by_role("article", name=CLUB)).to_have_count(0)


# -- 7. a newsletter is sent, written where the settings say ------------------------------


def quiet_hours_away_from_now(admin: Page) -> None:
    """No e-mail goes out in an organisation's quiet hours (by default at night). The day
    may be run at any hour: the admin moves them to begin three hours from now."""
    now = datetime.now(HELSINKI)
    menu(admin, "Reminders")
    admin.get_by_role("navigation", name="Reminders pages").get_by_role(
        "link", name="Upkeep cadences"
    ).click()
    admin.locator("#quiet_start").fill(f"{(now.hour + 3) % 24:02d}:00")
    admin.locator("#quiet_end").fill(f"{(now.hour + 4) % 24:02d}:00")
    admin.get_by_role("button", name="Save the cadences").click()
    expect(admin.get_by_role("status")).to_be_visible()
    expect(admin.locator("#quiet_start")).to_have_value(f"{(now.hour + 3) % 24:02d}:00")


def mail_to(stack: Stack, address: str) -> list[Message]:
    """The messages written to the embedded mail folder for ``address``."""
    found = []
    for path in sorted((stack.data_dir / "mail").glob("**/*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if address in str(message.get("To", "")):
            found.append(message)
    return found


def send_a_newsletter(eero: Page, stack: Stack, subject: str) -> None:
    menu(eero, "Reminders")
    eero.get_by_role("navigation", name="Reminders pages").get_by_role(
        "link", name="Newsletters"
    ).click()
    eero.get_by_role("link", name="Write a newsletter").click()
    eero.get_by_label("Subject", exact=True).fill(subject)
    news = eero.get_by_role("group", name="Part 1: News")
    news.get_by_label("Heading").fill("Ruokapiiri aloittaa")
    news.get_by_label("Text").fill("Tervetuloa tiistaisin.")
    eero.get_by_role("button", name="Save", exact=True).click()
    expect(eero.get_by_role("heading", level=1)).to_have_text(subject)
    eero.get_by_role("button", name="Send now").click()
    expect(eero.get_by_role("status")).to_have_text(
        "The newsletter is on its way. Follow each recipient below."
    )

    def listed_status() -> str:
        eero.goto("/reminders/newsletters")
        row = eero.get_by_role("row").filter(has_text=subject)
        expect(row).to_have_count(1)
        return row.inner_text()

    # Each time the list says "Sent", the message has been written already.
    deadline = time.monotonic() + 60
    while True:
        shown = listed_status()
        if "Sent" in shown:
            break
        assert time.monotonic() < deadline, f"never sent: {shown}"
        time.sleep(0.5)
    written = [m for m in mail_to(stack, CLUB_EMAIL) if m["Subject"] == subject]
    assert len(written) == 1, f"{len(written)} newsletters written to the club"
    assert "Ruokapiiri aloittaa" in written[0].get_body(("plain", "html")).get_content()


# -- 8. a review meeting at 13:00 Helsinki time ------------------------------------------


def a_winter_day() -> date:
    """A Wednesday in January at least two weeks ahead: Helsinki is then UTC+2."""
    today = datetime.now(HELSINKI).date()
    day = date(today.year + (today.month > 1 or today.day > 10), 1, 15)
    while day.weekday() != 2:
        day += timedelta(days=1)
    return day


def plan_a_review_meeting(kaisa: Page, official: str) -> date:
    menu(kaisa, "Meetings")
    kaisa.get_by_role("navigation", name="Meetings pages").get_by_role(
        "link", name="Raise a matter"
    ).click()
    kaisa.get_by_label("Something many of our members share").check()
    kaisa.get_by_label("Topic", exact=True).fill("Iltakuljetus päiväkeskukseen")
    kaisa.get_by_label("What do you want to achieve?").fill("Iltakuljetus kerran viikossa.")
    kaisa.get_by_label("Why is it important to the members?").fill(
        "Jäsenet jäävät pois iltatoiminnasta."
    )
    kaisa.get_by_label("The day the members confirmed it is their shared will").fill(
        (date.today() - timedelta(days=3)).isoformat()
    )
    kaisa.get_by_label("An official can decide").check()
    kaisa.get_by_label("Once a year").check()
    kaisa.get_by_role("button", name="Save the matter").click()
    expect(kaisa.get_by_role("heading", level=1)).to_have_text("Planning checklist")
    kaisa.get_by_role("link", name="Plan a meeting").click()

    day = a_winter_day()
    kaisa.locator("#day").fill(day.isoformat())
    kaisa.locator("#starts").fill("13:00")
    kaisa.locator("#ends").fill("14:30")
    kaisa.locator("#place").fill("Kaupungintalo, kokoushuone 3")
    kaisa.locator("#participant-0-role").select_option("official")
    kaisa.locator("#participant-0-name").fill("Ville Virkailija")
    kaisa.locator("#participant-0-email").fill(official)
    kaisa.get_by_role("button", name="Save the meeting").click()
    expect(kaisa.get_by_role("status")).to_have_text(
        "The meeting was saved. Send the invitations when it is ready."
    )
    expect(kaisa.get_by_role("main")).to_contain_text("13:00")
    kaisa.get_by_role("button", name="Send the invitations").click()
    expect(kaisa.get_by_role("status")).to_contain_text("The invitations are on their way")
    return day


def the_invitation_says_13(stack: Stack, official: str, day: date) -> None:
    wait_until(lambda: mail_to(stack, official), 60, "the invitation e-mail", interval=0.5)
    calendars = [
        part.get_content()
        for message in mail_to(stack, official)
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert calendars, "the invitation carries a calendar entry"
    entry = calendars[0].replace("\r\n ", "")
    local = f"DTSTART;TZID=Europe/Helsinki:{day:%Y%m%d}T130000"
    utc = f"DTSTART:{day:%Y%m%d}T110000Z"
    assert local in entry or utc in entry, entry


def an_unchanged_save_keeps_13(kaisa: Page) -> None:
    kaisa.get_by_role("link", name="Change the time or place").click()
    expect(kaisa.locator("#starts")).to_have_value("13:00")
    kaisa.get_by_role("button", name="Save the changes").click()
    expect(kaisa.get_by_role("status")).to_be_visible()
    expect(kaisa.get_by_role("main")).to_contain_text("13:00")
    kaisa.get_by_role("link", name="Change the time or place").click()
    expect(kaisa.locator("#starts")).to_have_value("13:00")
    expect(kaisa.locator("#ends")).to_have_value("14:30")


# -- 9. the planner counts the open wish in its district ----------------------------------


def an_uncategorised_wish_in_kallio(eero: Page) -> None:
    """Eero's support user in 00530 with an open wish that has no category."""
    menu(eero, "Support users")
    eero.get_by_role("link", name="Add a support user").click()
    eero.get_by_label("Name", exact=True).fill("Onni Odottaja")
    eero.get_by_label("Home district").select_option("00530")
    eero.get_by_role("button", name="Add the support user").click()
    expect(eero.get_by_role("status")).to_have_text("The support user was added.")
    add_wish(eero, "Haluaisin jonkun, jonka kanssa käydä kävelyllä")


def the_planner_counts_it(pekka: Page) -> None:
    menu(pekka, "Planning")
    pekka.get_by_label("The map is coloured by").select_option("demand")
    category = pekka.get_by_label("Category", exact=True)
    uncategorised = category.locator("option", has_text=re.compile("uncategori", re.IGNORECASE))
    if uncategorised.count() == 0:
        pytest.xfail(
            "planning leaves out open wishes without a category: demand_counts "
            "(services/registry/planning/service.py) counts a wish once per category code, "
            "so a wish with none is in no row, and there is no 'uncategorised' category"
        )
    category.select_option(uncategorised.first.get_attribute("value") or "")
    pekka.get_by_role("button", name="Show", exact=True).click()
    districts = pekka.get_by_role("table", name=re.compile("by district"))
    kallio = districts.get_by_role("row").filter(has_text="(00530)")
    # One open wish: published as a count, or as suppressed below the smallest count shown.
    expect(kallio.get_by_role("cell").nth(2)).not_to_have_text("0")


# -- the day -----------------------------------------------------------------------------


def test_a_day_in_the_life(stack: Stack, browser: Browser) -> None:
    timings = {"stack up": stack.started_in}
    eero = signed_in(browser, stack, EERO)
    kaisa = signed_in(browser, stack, KAISA)
    pekka = signed_in(browser, stack, PEKKA)

    def step(name: str, started: float) -> None:
        timings[name] = time.monotonic() - started
        print(f"{name}: {timings[name]:.1f} s")

    started = time.monotonic()
    partner_id = add_the_cooking_club(eero)
    step("1 partner with consents and a contact", started)

    started = time.monotonic()
    find_it_from_the_other_organisation(kaisa)
    step("2 found by the other organisation", started)

    started = time.monotonic()
    profile = add_sanna_with_a_wish(kaisa, COOKING_WISH)
    the_club_among_suggestions(kaisa, profile)
    step("3 suggested to the other organisation's support user", started)

    started = time.monotonic()
    refer_until_the_wish_came_true(kaisa)
    step("4 the wish came true", started)

    started = time.monotonic()
    second_wish = "Haluan kokata ja syödä yhdessä muiden kanssa"
    kaisa.goto(profile)
    add_wish(kaisa, second_wish)
    open_suggestions(kaisa, profile, second_wish)
    expect(kaisa.locator("li.suggestion").filter(has_text=CLUB)).to_have_count(1)
    withdrawn_at = withdraw_pool_consent(eero, partner_id)
    gone_from_suggestions_within(kaisa, profile, second_wish, withdrawn_at)
    step("5 pool consent withdrawn", started)

    started = time.monotonic()
    make_upkeep_due(stack, partner_id)
    snooze_then_done(eero)
    step("6 upkeep reminder", started)

    started = time.monotonic()
    quiet_hours_away_from_now(signed_in(browser, stack, AINO))
    send_a_newsletter(eero, stack, "Kevään kuulumiset")
    step("7 newsletter", started)

    started = time.monotonic()
    official = "ville.virkailija@example.org"
    quiet_hours_away_from_now(kaisa)
    day = plan_a_review_meeting(kaisa, official)
    the_invitation_says_13(stack, official, day)
    an_unchanged_save_keeps_13(kaisa)
    step("8 review meeting", started)

    started = time.monotonic()
    an_uncategorised_wish_in_kallio(eero)
    the_planner_counts_it(pekka)
    step("9 planning", started)
