"""The review meeting pages in a real Chromium on a phone-sized screen against the real
registry and reminders: a coordinator raises a matter (after the form refuses a single
person's case), keeps the planning checklist, plans a meeting with the keyboard alone
(an error found and put right from the error summary), sends the invitations, records the
outcome with a task, finds the next meeting proposed in the series, marks the task done and
takes a participant off the proposed meeting; nothing scrolls sideways and the buttons are
large enough to touch."""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from services.portal.templating import TIMEZONE
from tests.portal.conftest import PortalStack, has_no_horizontal_scroll
from tests.portal.test_browser_reminders import PHONE, small_targets
from tests.portal.test_browser_support_users import log_in, new_context
from tests.portal.test_meetings import COORDINATOR_NAME, new_coordinator, tag

pytestmark = pytest.mark.browser


@pytest.fixture
def kaisa_phone(browser: Browser, portal_stack: PortalStack) -> Iterator[Page]:
    email = new_coordinator(portal_stack)
    context = new_context(browser, portal_stack, **PHONE)
    page = context.new_page()
    log_in(page, email)
    yield page
    context.close()


def type_day(page: Page, field: str, day: date) -> None:
    """Types ``day`` with the keyboard into the date field that has the focus (on its first
    part). The browser's own language decides the order of its parts (day–month or
    month–day), so a first day that reads either way tells it."""
    page.keyboard.type("01022030")
    probe = page.locator(field).input_value()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type(day.strftime("%d%m%Y" if probe == "2030-02-01" else "%m%d%Y"))
    expect(page.locator(field)).to_have_value(day.isoformat())


def tab_out(page: Page, field: str) -> None:
    """Tab past the parts of a date or time field to the next field."""
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != field.removeprefix("#"):
            return
    raise AssertionError(f"the focus does not leave {field}")


def test_a_coordinator_plans_a_meeting_on_a_phone_with_the_keyboard(
    kaisa_phone: Page, portal_stack: PortalStack
) -> None:
    page, word = kaisa_phone, tag()
    topic = f"Iltakuljetus {word}"
    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Tapaamiset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keskustelutilaisuudet")
    assert has_no_horizontal_scroll(page)
    assert small_targets(page, ".sub-nav") == []
    page.get_by_role("navigation", name="Tapaamisten sivut").get_by_role(
        "link", name="Nosta asia esiin"
    ).click()

    # A single person's case is refused, with the way to individual advice.
    page.get_by_label("Yhden ihmisen oma asia").check()
    page.get_by_label("Aihe", exact=True).fill(topic)
    page.get_by_label("Mitä haluatte saada aikaan?").fill("Iltakuljetus päiväkeskukseen.")
    page.get_by_label("Miksi se on jäsenille tärkeä?").fill("Jäsenet jäävät pois iltatoiminnasta.")
    page.get_by_label("Päivä, jona jäsenet vahvistivat").fill(
        (date.today() - timedelta(days=3)).isoformat()
    )
    page.get_by_label("Viranhaltija voi päättää").check()
    page.get_by_label("Kerran vuodessa").check()
    page.get_by_role("button", name="Tallenna asia").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("yksilölliseen neuvontaan")
    expect(page).to_have_title(re.compile("^Virhe: "))
    assert has_no_horizontal_scroll(page)
    alert.get_by_role("link").first.click()
    # The link leads to the question's first choice.
    expect(page.get_by_label("Monen jäsenemme yhteinen asia")).to_be_focused()
    expect(page.get_by_label("Aihe", exact=True)).to_have_value(topic)
    page.keyboard.press("Space")
    expect(page.get_by_label("Monen jäsenemme yhteinen asia")).to_be_checked()
    page.get_by_role("button", name="Tallenna asia").click()

    # The planning checklist, one step at a time.
    expect(page.get_by_role("heading", level=1)).to_have_text("Suunnittelun tarkistuslista")
    expect(page.get_by_role("status")).to_have_text(
        "Asia tallennettiin. Aloita suunnittelun tarkistuslistasta."
    )
    first = page.get_by_role("form", name="Ensimmäinen yhteydenotto liittoon")
    expect(first.get_by_label("Kuka tekee")).to_have_value(re.compile(".+"))
    first.get_by_label("Tila").select_option("done")
    first.get_by_role("button", name=re.compile("^Tallenna")).click()
    expect(page.get_by_role("status")).to_have_text("Vaihe tallennettiin.")
    expect(
        page.get_by_role("form", name="Ensimmäinen yhteydenotto liittoon").get_by_label("Tila")
    ).to_have_value("done")
    assert has_no_horizontal_scroll(page)
    page.get_by_role("link", name="Suunnittele tapaaminen").click()

    # The meeting form with the keyboard alone, field after field.
    expect(page.get_by_role("heading", level=1)).to_have_text("Suunnittele tapaaminen")
    assert has_no_horizontal_scroll(page)
    day = datetime.now(TIMEZONE).date() + timedelta(days=21)
    page.locator("#day").focus()
    type_day(page, "#day", day)
    tab_out(page, "#day")
    expect(page.locator("#starts")).to_be_focused()
    page.keyboard.type("1400")
    expect(page.locator("#starts")).to_have_value("14:00")
    tab_out(page, "#starts")
    expect(page.locator("#ends")).to_be_focused()
    page.keyboard.type("1300")  # before the start: put right below
    tab_out(page, "#ends")
    expect(page.locator("#place")).to_be_focused()
    page.keyboard.type("Kaupungintalo, kokoushuone 3")
    page.keyboard.press("Tab")
    expect(page.locator("#online_link")).to_be_focused()
    page.keyboard.type("https://meet.example.org/iltakuljetus")
    page.keyboard.press("Tab")
    expect(page.locator("#invitations_by")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#agenda")).to_be_focused()
    page.keyboard.type("Tavoite, vaihtoehdot ja aikataulu.")
    page.keyboard.press("Tab")
    expect(page.locator("#participant-0-role")).to_be_focused()
    page.keyboard.type("Kunnan")  # type-ahead picks the role
    expect(page.locator("#participant-0-role")).to_have_value("official")
    page.keyboard.press("Tab")
    expect(page.locator("#participant-0-user_id")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#participant-0-name")).to_be_focused()
    page.keyboard.type(f"Ville Virkailija {word}")
    page.keyboard.press("Tab")
    expect(page.locator("#participant-0-email")).to_be_focused()
    page.keyboard.type(f"ville-{word}@example.org")
    page.keyboard.press("Enter")  # Enter in a field saves the form

    # The mistake is named in the summary, whose link brings the keyboard to the field.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Tapaamisen täytyy päättyä alkamisen jälkeen.")
    expect(page.locator("#participant-0-name")).to_have_value(f"Ville Virkailija {word}")
    alert.get_by_role("link", name="Tapaamisen täytyy päättyä alkamisen jälkeen.").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ends")).to_be_focused()
    expect(page.locator("#ends")).to_have_attribute("aria-invalid", "true")
    page.keyboard.type("1600")
    expect(page.locator("#ends")).to_have_value("16:00")
    page.keyboard.press("Enter")

    # The meeting's page: send the invitations with the keyboard.
    expect(page.get_by_role("status")).to_have_text(
        "Tapaaminen tallennettiin. Lähetä kutsut, kun se on valmis."
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tapaaminen")
    person = page.get_by_role("article", name=f"Ville Virkailija {word}")
    expect(person).to_contain_text("Kunnan viranhaltija")
    expect(page.locator("#meeting-warnings")).to_have_count(0)
    assert has_no_horizontal_scroll(page)
    assert small_targets(page, "main .participants") == []
    assert small_targets(page, "#meeting-actions") == []
    page.get_by_role("button", name="Lähetä kutsut").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Kutsut ovat matkalla")
    person = page.get_by_role("article", name=f"Ville Virkailija {word}")
    person.get_by_label(re.compile("^Vastaus")).select_option("accepted")
    person.get_by_role("button", name=re.compile("^Tallenna vastaus")).click()
    expect(page.get_by_role("status")).to_have_text("Vastaus kirjattiin.")
    expect(page.locator("#reply-counts")).to_contain_text("Tulee: 1")

    # The outcome with a task; the series proposes the next meeting by itself.
    page.get_by_role("link", name="Kirjaa lopputulos").click()
    page.get_by_label("Lopputulos", exact=True).fill(
        "Kunta selvittää kustannukset syksyyn mennessä."
    )
    task = page.get_by_role("group", name="Tehtävä 1")
    task.get_by_label("Mitä tehdään").fill("Kysely jäsenille")
    task.get_by_label("Kuka tekee").select_option(label=COORDINATOR_NAME)
    task.get_by_label("Mihin mennessä").fill((day + timedelta(days=30)).isoformat())
    assert has_no_horizontal_scroll(page)
    page.get_by_role("button", name="Tallenna lopputulos").click()
    expect(page.get_by_role("status")).to_contain_text("Lopputulos kirjattiin.")
    expect(page.get_by_role("heading", level=1)).to_have_text(topic)
    next_meeting = page.locator("#next-meeting")
    expect(next_meeting).to_contain_text("Ehdotettu sarjan rytmistä")
    expect(next_meeting).to_contain_text(str(day.year + 1))
    series = page.get_by_role("table", name=re.compile("Sarjassa 2 tapaamista"))
    expect(series.get_by_role("row", name=re.compile("Pidetty"))).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert small_targets(page, "#next-meeting") == []

    # The task is marked done on the matter's page, its reminder cancelled.
    tasks = page.get_by_role("table", name=re.compile("^1 tehtävä"))
    expect(tasks).to_contain_text("tekemättä 1")
    task_row = tasks.get_by_role("row", name=re.compile("Kysely jäsenille"))
    expect(task_row).to_contain_text("Tekemättä")
    task_row.get_by_role("button", name=re.compile("^Merkitse tehdyksi")).click()
    expect(page.get_by_role("status")).to_have_text(
        "Tehtävä merkittiin tehdyksi. Muistutus sen tekijälle peruttiin."
    )
    tasks = page.get_by_role("table", name=re.compile("^1 tehtävä"))
    expect(tasks).to_contain_text("tekemättä 0")
    expect(tasks.get_by_role("button", name=re.compile("^Merkitse tekemättömäksi"))).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert small_targets(page, "#action-items") == []

    # In the proposed next meeting Ville is taken off; it was never invited to, so he is told
    # nothing.
    next_meeting.get_by_role("link").click()
    person = page.get_by_role("article", name=f"Ville Virkailija {word}")
    person.get_by_role("button", name=re.compile("^Poista")).click()
    expect(page.get_by_role("status")).to_have_text(
        "Osallistuja poistettiin. Kutsua ei ollut lähetetty, joten hänelle ei lähetetty mitään."
    )
    expect(page.get_by_role("article", name=f"Ville Virkailija {word}")).to_have_count(0)
    expect(page.locator("#participants")).to_contain_text("Ei osallistujia.")
    assert has_no_horizontal_scroll(page)
