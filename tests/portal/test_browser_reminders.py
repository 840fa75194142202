"""The reminders pages in a real Chromium against the real registry and reminders: a staff
member's due items on a phone (snooze and done, nothing scrolling sideways), the e-mail
settings, an admin changing the cadences in English, the operations page, and a newsletter
written part by part without JavaScript, previewed in its frame, sent and followed."""

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.portal.conftest import (
    ANNA_EMAIL,
    OLLI_EMAIL,
    PortalStack,
    api_partner,
    has_no_horizontal_scroll,
    relay_to_reminders,
)
from tests.portal.test_browser_support_users import log_in, new_context
from tests.portal.test_reminders import DEFAULT_POLICY, due_partner

pytestmark = pytest.mark.browser

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
MIN_TARGET = 44  # px


def tag() -> str:
    return secrets.token_hex(3)


@pytest.fixture
def anna_phone(browser: Browser, portal_stack: PortalStack) -> Iterator[Page]:
    context = new_context(browser, portal_stack, **PHONE)
    page = context.new_page()
    log_in(page, ANNA_EMAIL)
    yield page
    context.close()


@pytest.fixture
def olli_page(browser: Browser, portal_stack: PortalStack) -> Iterator[Page]:
    context = new_context(browser, portal_stack, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill(OLLI_EMAIL)
    page.locator("#password").fill("correct horse battery")
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    yield page
    context.close()


def small_targets(page: Page, within: str) -> list[str]:
    """Links, buttons and fields inside ``within`` smaller than 44 px high."""
    found: list[str] = page.evaluate(
        """([selector, min]) => Array.from(document.querySelectorAll(
               selector + ' a[href], ' + selector + ' button, ' + selector + ' select'))
             .filter(e => e.offsetParent !== null)
             .map(e => [e, e.getBoundingClientRect()])
             .filter(([e, r]) => r.height < min)
             .map(([e, r]) => `${e.tagName} "${e.textContent.trim()}" ${r.width}x${r.height}`)""",
        [within, MIN_TARGET],
    )
    return found


def test_due_items_are_snoozed_and_done_on_a_phone(
    anna_phone: Page, portal_stack: PortalStack
) -> None:
    page, word = anna_phone, tag()
    name = f"Puistokummit {word}"
    partner_id = due_partner(portal_stack, name)
    page.reload()
    expect(page.get_by_role("link", name=re.compile(r"^Sinulla on \d+ avoin"))).to_be_visible()

    page.get_by_role("navigation", name="Päävalikko").get_by_role(
        "link", name="Muistutukset"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Omat muistutukset")
    menu = page.get_by_role("navigation", name="Muistutusten sivut")
    expect(menu.get_by_role("link", name="Omat muistutukset")).to_have_attribute(
        "aria-current", "page"
    )
    expect(menu.get_by_role("link", name="Tekninen tila")).to_have_count(0)
    item = page.get_by_role("article", name=name)
    expect(item).to_contain_text("Aika pitää yhteyttä")
    expect(item.get_by_role("link", name=name)).to_have_attribute("href", f"/partners/{partner_id}")
    assert has_no_horizontal_scroll(page)
    assert small_targets(page, "main .due-items") == []
    assert small_targets(page, ".sub-nav") == []

    item.get_by_label(re.compile("^Torkkuaika")).select_option("14")
    item.get_by_role("button", name=re.compile(f"^Torkuta.*{name}")).click()
    expect(page.get_by_role("status")).to_have_text(
        "Muistutus torkutettiin. Se palaa, kun aika on kulunut."
    )
    expect(page.get_by_role("article", name=name)).to_have_count(0)
    page.get_by_label("Näytä").select_option("snoozed")
    page.get_by_role("button", name="Näytä").click()
    item = page.get_by_role("article", name=name)
    expect(item).to_contain_text("Torkutettu")
    item.get_by_role("button", name=re.compile(f"^Tehty.*{name}")).click()
    expect(page.get_by_role("status")).to_have_text("Muistutus merkittiin tehdyksi.")
    expect(page.get_by_role("article", name=name)).to_have_count(0)
    assert has_no_horizontal_scroll(page)


def test_the_email_settings_are_saved(anna_phone: Page, portal_stack: PortalStack) -> None:
    page = anna_phone
    page.goto("/reminders/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Omat sähköpostiasetukset")
    try:
        page.get_by_label("Kokoa ne yhteen viestiin päivässä").check()
        page.get_by_label("Päivän koosteen kellonaika").select_option("7")
        page.get_by_role("button", name="Tallenna asetukset").click()
        expect(page.get_by_role("status")).to_have_text("Asetuksesi tallennettiin.")
        expect(page.get_by_label("Kokoa ne yhteen viestiin päivässä")).to_be_checked()
        expect(page.get_by_label("Päivän koosteen kellonaika")).to_have_value("7")
        assert has_no_horizontal_scroll(page)
    finally:
        page.get_by_label("Kokoa ne yhteen viestiin päivässä").uncheck()
        page.get_by_label("Päivän koosteen kellonaika").select_option("8")
        page.get_by_role("button", name="Tallenna asetukset").click()
        expect(page.get_by_role("status")).to_have_text("Asetuksesi tallennettiin.")


def test_an_admin_changes_the_cadences_in_english(olli_page: Page) -> None:
    page = olli_page
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reminders").click()
    page.get_by_role("navigation", name="Reminders pages").get_by_role(
        "link", name="Upkeep cadences"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upkeep cadences")
    weak = page.get_by_label("Weak ties: every how many months")
    expect(weak).to_have_value("6")
    try:
        weak.fill("40")
        page.get_by_role("button", name="Save the cadences").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Enter a whole number of months from 1 to 36."
        )
        expect(page).to_have_title(re.compile("^Error: "))
        page.get_by_role("alert").get_by_role("link").first.click()
        expect(page.get_by_label("Weak ties: every how many months")).to_be_focused()
        page.get_by_label("Weak ties: every how many months").fill("5")
        page.get_by_role("group", name="Quiet hours").get_by_label("From").fill("22:30")
        page.get_by_role("button", name="Save the cadences").click()
        expect(page.get_by_role("status")).to_have_text(
            "The cadences were saved. They apply to every partner at once."
        )
        expect(page.get_by_label("Weak ties: every how many months")).to_have_value("5")
        expect(page.get_by_label("From")).to_have_value("22:30")
    finally:
        for name, value in DEFAULT_POLICY.items():
            page.locator(f"#{name}").fill(value)
        page.get_by_role("button", name="Save the cadences").click()
        expect(page.get_by_role("status")).to_be_visible()


def test_the_operations_page_shows_queues_and_the_worker(olli_page: Page) -> None:
    page = olli_page
    page.goto("/reminders")
    page.get_by_role("navigation", name="Reminders pages").get_by_role(
        "link", name="Operations"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations")
    queues = page.get_by_role("table", name="Messages waiting in each queue")
    for label in ("Registry events", "Matching events", "Messages to send"):
        expect(queues.get_by_role("row", name=re.compile(label))).to_be_visible()
    counts = page.get_by_role("table", name="Deliveries by status")
    expect(counts.get_by_role("row", name=re.compile("^Failed"))).to_be_visible()
    expect(page.get_by_role("region", name="Background worker")).to_contain_text(
        "Last sign of life"
    )


def test_a_newsletter_is_written_part_by_part_previewed_and_sent(
    browser: Browser, portal_stack: PortalStack
) -> None:
    word = tag()
    reader = f"Kirjastokaverit {word}"
    api_partner(
        portal_stack,
        reader,
        purposes=("file", "team", "newsletter"),
        contact={"email": f"kaverit-{word}@example.org"},
    )
    relay_to_reminders(portal_stack)
    context = new_context(browser, portal_stack, **PHONE)
    try:
        page = context.new_page()
        log_in(page, ANNA_EMAIL)
        page.goto("/reminders")
        page.get_by_role("navigation", name="Muistutusten sivut").get_by_role(
            "link", name="Uutiskirjeet"
        ).click()
        page.get_by_role("link", name="Kirjoita uutiskirje").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kirjoita uutiskirje")
        subject = f"Kevään kuulumiset {word}"
        page.get_by_label("Aihe", exact=True).fill(subject)
        first = page.get_by_role("group", name="Osa 1: Uutinen")
        first.get_by_label("Otsikko").fill("Uusi kerhohuone")
        first.get_by_label("Teksti").fill("Kerhohuone avataan huhtikuussa.")

        # A part more, without JavaScript: the page comes back at the new part.
        page.get_by_role("button", name="Lisää: Uudet kumppanit").click()
        expect(page).to_have_url(re.compile(r"#block-1$"))
        named = page.get_by_role("group", name="Osa 2: Uudet kumppanit")
        expect(page.get_by_label("Aihe", exact=True)).to_have_value(subject)
        named.get_by_label("Etsi kumppaneita nimellä").fill(word)
        named.get_by_role("button", name=re.compile("^Etsi")).click()
        named = page.get_by_role("group", name="Osa 2: Uudet kumppanit")
        named.get_by_label(reader).check()
        # The named partners go first: the part moves up.
        named.get_by_role("button", name=re.compile("^Siirrä ylemmäs")).click()
        expect(page.get_by_role("group", name="Osa 1: Uudet kumppanit")).to_be_visible()
        assert has_no_horizontal_scroll(page)
        page.get_by_role("button", name="Tallenna", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Uutiskirje tallennettiin luonnoksena.")
        expect(page.get_by_role("heading", level=1)).to_have_text(subject)

        # The preview: the e-mail in its frame, as a recipient would get it.
        frame = page.frame_locator("iframe.preview-frame")
        expect(frame.get_by_role("heading", level=1)).to_have_text(subject)
        expect(frame.get_by_role("listitem")).to_have_text(reader)
        expect(frame.get_by_role("heading", name="Uusi kerhohuone")).to_be_visible()
        assert has_no_horizontal_scroll(page)

        page.get_by_role("button", name="Lähetä nyt").click()
        expect(page.get_by_role("status")).to_have_text(
            "Uutiskirje on matkalla. Seuraa alla jokaisen vastaanottajan tilannetta."
        )
        recipients = page.get_by_role("table", name=re.compile("vastaanottaja"))
        row = recipients.get_by_role("row", name=re.compile(reader))
        expect(row).to_contain_text(re.compile("Jonossa|Odottaa lähetysaikaa"))
        expect(page.get_by_role("button", name="Lähetä nyt")).to_have_count(0)
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()
