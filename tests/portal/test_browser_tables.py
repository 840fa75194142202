"""The partner and planning tables in a real Chromium at two widths: on a 1,280 px wide
window each table fits the page as it is (no sideways scrolling of the page, nor of the
table), and on a 375 px wide phone the page still does not scroll sideways while every
row stays readable."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from services.registry.settings import RegistrySettings
from tests.portal.conftest import ANNA_EMAIL, PortalStack, api_partner
from tests.portal.planning_world import COOKING, PlanningWorld, build
from tests.portal.test_browser_support_users import log_in, new_context

pytestmark = pytest.mark.browser

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Finnish names run long without a space to break at.
LONG_NAME = "Nuorisoasiainkeskuksenkulttuuritoimintayhdistys"


def page_fits(page: Page) -> bool:
    """The page is no wider than the window: nothing to scroll sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def tables_fit(page: Page) -> list[str]:
    """The tables in main that are wider than the room they have (as a scrolling container
    of their own would show them): their ids or captions."""
    found: list[str] = page.eval_on_selector_all(
        "main table",
        """tables => tables
            .filter(t => {
                const room = document.documentElement.clientWidth, box = t.parentElement;
                return t.getBoundingClientRect().right > room + 1
                    || t.scrollWidth > t.clientWidth + 1
                    || (box && box.scrollWidth > box.clientWidth + 1);
            })
            .map(t => t.id || (t.caption ? t.caption.textContent.trim() : 'table'))""",
    )
    return found


def rows_readable(page: Page, selector: str) -> None:
    """Each cell of the table's first row is shown inside the window."""
    cells = page.locator(f"{selector} tbody tr").first.locator("th, td")
    width = page.evaluate("window.innerWidth")
    for i in range(cells.count()):
        cell = cells.nth(i)
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + min(box["width"], width) <= width + 1, i


@pytest.fixture(scope="module")
def long_names(portal_stack: PortalStack) -> str:
    """Partners of Anna's whose names are single long words; returns the word to find them."""
    word = secrets.token_hex(3)
    for number in range(3):
        api_partner(portal_stack, f"{LONG_NAME}{number} {word}")
    return word


@pytest.fixture(scope="module")
def world(
    portal_stack: PortalStack, registry_settings: RegistrySettings, database_urls: dict[str, str]
) -> PlanningWorld:
    return build(portal_stack, registry_settings, database_urls["matching"])


@pytest.fixture(params=["desktop", "phone"])
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def opened(browser: Browser, stack: PortalStack, size: str, email: str) -> Iterator[Page]:
    context = new_context(browser, stack, **(DESKTOP if size == "desktop" else PHONE))
    try:
        page = context.new_page()
        log_in(page, email)
        yield page
    finally:
        context.close()


def test_the_partner_list_fits_the_window(
    browser: Browser, portal_stack: PortalStack, long_names: str, size: str
) -> None:
    with opened(browser, portal_stack, size, ANNA_EMAIL) as page:
        page.goto(f"/partners?name={long_names}")
        expect(page.get_by_role("heading", name="3 kumppania löytyi")).to_be_visible()
        assert page_fits(page), size
        if size == "desktop":
            assert tables_fit(page) == []
        rows_readable(page, "main table")
        # An open quick-log form in a row fits too.
        page.locator("details.quick-log summary").first.click()
        expect(page.locator("details.quick-log[open] form")).to_be_visible()
        assert page_fits(page), f"{size}, quick log open"
        page.goto("/partners")
        assert page_fits(page), size


def test_the_planning_tables_fit_the_window(
    browser: Browser, portal_stack: PortalStack, world: PlanningWorld, size: str
) -> None:
    with opened(browser, portal_stack, size, world.planner_email) as page:
        for path in (
            "/planning",
            "/planning?measure=supply_per_1000",
            "/planning/gaps",
            "/planning/gaps?level=district",
            f"/planning/trends?category={COOKING}&figure=both",
        ):
            page.goto(path)
            expect(page.locator("main table").first).to_be_visible()
            assert page_fits(page), (size, path)
            if size == "desktop":
                assert tables_fit(page) == [], path
            rows_readable(page, "main table")
