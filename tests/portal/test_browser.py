"""The portal in a real Chromium against the real registry: logging in and out, a wrong
password, the language switch, keyboard focus and a phone-sized screen."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from services.portal.app import SESSION_COOKIE
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_NAME,
    ANNA_PASSWORD,
    PortalStack,
    has_no_horizontal_scroll,
    session_of,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, portal_stack: PortalStack) -> Iterator[Page]:
    # A Finnish browser: the portal should answer in Finnish before anyone chooses.
    context = browser.new_context(base_url=portal_stack.portal_url, locale="fi-FI")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def _session(page: Page) -> dict[str, object]:
    for cookie in page.context.cookies():
        if cookie["name"] == SESSION_COOKIE:
            return session_of(cookie["value"])
    return {}


def _log_in(page: Page, password: str = ANNA_PASSWORD) -> None:
    page.get_by_label("Sähköpostiosoite").fill(ANNA_EMAIL)
    page.get_by_label("Salasana").fill(password)
    page.get_by_role("button", name="Kirjaudu sisään").click()


def test_log_in_switch_language_and_log_out(page: Page, portal_stack: PortalStack) -> None:
    portal = portal_stack.portal_url
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page).to_have_title("Kirjaudu sisään – Kortisto")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu sisään")

    # A wrong password: the error is at the field and in the summary, and nothing changes.
    _log_in(page, password="wrong horse battery")
    expect(page).to_have_url(f"{portal}/login")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Sähköpostiosoite tai salasana on väärä.")
    password = page.get_by_label("Salasana")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(
        "Virhe: Sähköpostiosoite tai salasana on väärä."
    )
    expect(page.locator("#password-error")).to_be_visible()
    expect(page.get_by_label("Sähköpostiosoite")).to_have_value(ANNA_EMAIL)
    expect(password).to_have_value("")
    expect(page).to_have_title("Virhe: Kirjaudu sisään – Kortisto")
    assert "access_token" not in _session(page)
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link").click()
    expect(password).to_be_focused()

    # The right password lands on home, greeting Anna in Finnish.
    _log_in(page)
    expect(page).to_have_url(f"{portal}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tervetuloa, {ANNA_NAME}")
    expect(page.locator("main")).to_contain_text("Test Org")
    main_menu = page.get_by_role("navigation", name="Päävalikko")
    expect(main_menu.get_by_role("link", name="Verkostokumppanit")).to_be_visible()
    expect(main_menu.get_by_role("link", name="Suunnittelu")).to_have_count(0)
    expect(main_menu.get_by_role("link", name="Etusivu")).to_have_attribute("aria-current", "page")

    # Switching to English changes the texts and the page language, without JavaScript.
    page.get_by_role("navigation", name="Kieli").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {ANNA_NAME}")
    expect(page).to_have_title("Home – Kortisto")
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My due items")
    expect(page.locator("main")).not_to_contain_text("Coming soon")
    expect(
        page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reminders")
    ).to_have_attribute("aria-current", "page")

    # Logging out returns to the login page, still in English; home then needs a login.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "access_token" not in _session(page)
    page.goto("/")
    expect(page).to_have_url(f"{portal}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def test_keyboard_users_can_skip_to_the_content_and_see_focus(page: Page) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Siirry pääsisältöön")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is the e-mail field, and focus on it is plainly visible.
    email = page.get_by_label("Sähköpostiosoite")
    expect(email).to_be_focused()
    outline = email.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_phone_sized_screen_never_scrolls_sideways(
    browser: Browser, portal_stack: PortalStack, language: str
) -> None:
    context = browser.new_context(
        base_url=portal_stack.portal_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale=language,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert has_no_horizontal_scroll(page)
        # The error state of the form too.
        page.locator("button[type=submit]").last.click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert has_no_horizontal_scroll(page)
        page.locator("#email").fill(ANNA_EMAIL)
        page.locator("#password").fill(ANNA_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(ANNA_NAME)
        assert has_no_horizontal_scroll(page)
        page.goto("/support-users")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()
