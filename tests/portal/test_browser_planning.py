"""The planning pages in a real Chromium: a municipal planner finds the map with its text
alternative and the table beside it, chooses what the map shows, reads a suppressed figure
in words, downloads the CSV, reads a trend chart and its table on a phone; an admin stops
and starts sharing statistics. Accessibility basics checked on the way: captions and
headers, labelled form fields, a text alternative for every picture."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from services.registry.settings import RegistrySettings
from tests.portal.conftest import PortalStack, has_no_horizontal_scroll
from tests.portal.planning_world import (
    COOKING,
    KESKUSTA,
    PUNAVUORI,
    SUPPLY,
    PlanningWorld,
    build,
)
from tests.portal.test_browser_support_users import log_in, new_context

pytestmark = pytest.mark.browser

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="module")
def world(
    portal_stack: PortalStack, registry_settings: RegistrySettings, database_urls: dict[str, str]
) -> PlanningWorld:
    return build(portal_stack, registry_settings, database_urls["matching"])


@pytest.fixture
def planner_page(
    browser: Browser, portal_stack: PortalStack, world: PlanningWorld
) -> Iterator[Page]:
    context = new_context(browser, portal_stack, accept_downloads=True)
    page = context.new_page()
    log_in(page, world.planner_email)
    yield page
    context.close()


def unlabelled_fields(page: Page) -> list[str]:
    """Form fields in main without a label a screen reader would read."""
    found: list[str] = page.eval_on_selector_all(
        "main input:not([type=hidden]), main select, main textarea",
        """fields => fields
            .filter(f => !(f.labels && f.labels.length) && !f.getAttribute('aria-label'))
            .map(f => f.name || f.id)""",
    )
    return found


def test_a_planner_reads_the_map_and_its_table_and_downloads_the_figures(
    planner_page: Page, world: PlanningWorld
) -> None:
    page = planner_page
    page.get_by_role("navigation", name="Päävalikko").get_by_role(
        "link", name="Suunnittelu"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kattavuus alueittain")
    expect(page.locator("main")).not_to_contain_text("Tulossa pian")

    # The map is a picture with a text alternative, and a figure caption pointing at the
    # table with the same figures.
    picture = page.locator("figure.planning-map svg[role=img]")
    expect(picture).to_be_visible()
    expect(page.locator("#map-title")).not_to_be_empty()
    expect(page.locator("#map-description")).to_contain_text("5")
    expect(page.locator("#map-caption")).to_contain_text("taulukossa")
    assert unlabelled_fields(page) == []

    # Colour it by partners in the cooking category: the form's labelled fields.
    page.get_by_label("Kartan värit näyttävät").select_option("supply")
    page.get_by_label("Luokka", exact=True).select_option(COOKING)
    page.get_by_role("button", name="Näytä", exact=True).click()
    expect(page).to_have_url(re.compile(r"measure=supply"))
    table = page.get_by_role("table", name="Tarjoavat kumppanit ja muut luvut alueittain")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Alue", exact=True)).to_be_visible()
    keskusta = table.get_by_role("row").filter(has_text=f"({KESKUSTA})")
    expect(keskusta.get_by_role("rowheader")).to_contain_text(KESKUSTA)
    expect(keskusta.get_by_role("cell").first).to_have_text(str(SUPPLY[KESKUSTA] + 2))
    punavuori = table.get_by_role("row").filter(has_text=f"({PUNAVUORI})")
    expect(punavuori.get_by_role("cell").first).to_have_text("ei julkaista")
    expect(page.locator("#suppression-note")).to_contain_text("täydentävä suojaus")
    # Each district of the map names its figure when pointed at.
    expect(page.locator(f"#district-{KESKUSTA} title")).to_contain_text(str(SUPPLY[KESKUSTA] + 2))

    # Whose figures: open the disclosure.
    page.locator("#scope summary").click()
    expect(page.locator("#scope-organisations")).to_contain_text(world.sharer_name)

    # The coverage CSV downloads with its name and the district's row.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Kattavuus CSV-tiedostona").click()
    download = download_info.value
    assert download.suggested_filename == "coverage.csv"
    path = download.path()
    assert path is not None
    content = path.read_bytes().decode("utf-8-sig")
    assert f"{KESKUSTA};" in content and COOKING in content

    # Never a way to a partner or a person from here.
    assert page.locator("main a[href^='/partners'], main a[href^='/support-users']").count() == 0


def test_trends_on_a_phone(
    browser: Browser, portal_stack: PortalStack, world: PlanningWorld
) -> None:
    context = new_context(browser, portal_stack, **PHONE)
    try:
        page = context.new_page()
        log_in(page, world.planner_email)
        page.goto("/planning")
        assert has_no_horizontal_scroll(page)
        page.get_by_role("navigation", name="Suunnittelun sivut").get_by_role(
            "link", name="Kehitys"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kehitys")
        page.get_by_label("Alue", exact=True).select_option(KESKUSTA)
        page.get_by_label("Luokka", exact=True).select_option(COOKING)
        page.get_by_label("Luku", exact=True).select_option("supply")
        page.get_by_role("button", name="Näytä", exact=True).click()
        chart = page.get_by_role("img", name="Tarjoavat kumppanit kuukausittain")
        expect(chart).to_be_visible()
        expect(page.locator("#chart-supply-desc")).to_contain_text(str(SUPPLY[KESKUSTA] + 2))
        expect(page.locator("#chart-demand")).to_have_count(0)
        table = page.get_by_role("table", name="Tarjoavat kumppanit kuukausittain")
        expect(table.get_by_role("row")).to_have_count(3)  # the header and two months
        expect(table).to_contain_text("+2")
        assert unlabelled_fields(page) == []
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()


def test_an_admin_stops_and_starts_sharing(
    browser: Browser, portal_stack: PortalStack, world: PlanningWorld
) -> None:
    context = new_context(browser, portal_stack)
    try:
        page = context.new_page()
        log_in(page, world.sharer_admin_email)
        page.goto("/planning")
        page.get_by_role("navigation", name="Suunnittelun sivut").get_by_role(
            "link", name="Tilastojen jakaminen"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tilastojen jakaminen")
        stop = page.locator("#shares-with li").filter(has_text=world.municipality_name)
        stop.get_by_role("button", name="Lopeta jakaminen").click()
        expect(page.get_by_role("status")).to_contain_text("Jakaminen lopetettu")
        expect(page.locator("#shares-with-none")).to_be_visible()

        page.get_by_label("Kunta", exact=True).select_option(world.municipality_id)
        page.get_by_role("button", name="Aloita jakaminen").click()
        expect(page.get_by_role("status")).to_contain_text("Jakaminen aloitettu")
        expect(page.locator("#shares-with")).to_contain_text(world.municipality_name)
        assert unlabelled_fields(page) == []
    finally:
        context.close()
