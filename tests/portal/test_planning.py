"""The planning pages over HTTP against the real registry: a municipal planner's coverage map
with its table alternative (real figures, a suppressed one said in words), unmet wishes
with the neighbours explained, trends as charts with their tables, the downloads passed on
with the right type and content, the registry's refusals as form errors, who may enter, and
an organisation's admin starting and stopping sharing statistics."""

import csv
import io
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from services.registry.settings import RegistrySettings
from tests.portal.conftest import (
    ANNA_EMAIL,
    Elements,
    PortalStack,
    csrf_of,
    portal_client,
)
from tests.portal.planning_world import (
    COOKING,
    KAARTINKAUPUNKI,
    KESKUSTA,
    PUNAVUORI,
    SUPPLY,
    WISHES_IN_KESKUSTA,
    PlanningWorld,
    build,
    registry_get,
)


@pytest.fixture(scope="module")
def world(
    portal_stack: PortalStack, registry_settings: RegistrySettings, database_urls: dict[str, str]
) -> PlanningWorld:
    return build(portal_stack, registry_settings, database_urls["matching"])


@pytest.fixture
def planner(portal_stack: PortalStack, world: PlanningWorld) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, world.planner_email) as client:
        yield client


@pytest.fixture
def sharer_admin(portal_stack: PortalStack, world: PlanningWorld) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, world.sharer_admin_email) as client:
        yield client


def row_cells(html: str, row_id: str) -> list[str]:
    """The text of each cell (header and data) of the table row with ``row_id``."""
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert found, f"no row {row_id}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def published(figure: int | float | None) -> str:
    """A registry figure as the Finnish page writes it."""
    if figure is None:
        return "ei julkaista"
    if isinstance(figure, float) and not figure.is_integer():
        return f"{figure:.2f}".rstrip("0").replace(".", ",")
    return str(int(figure))


def test_the_planner_sees_the_map_and_the_same_figures_in_the_table(
    portal_stack: PortalStack, planner: httpx.Client, world: PlanningWorld
) -> None:
    home = planner.get("/")
    assert 'href="/planning"' in home.text and "Suunnittelu" in home.text
    assert "Tulossa pian" not in planner.get("/planning").text

    page = planner.get("/planning", params={"measure": "supply", "category": COOKING})
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    elements = Elements(html)
    # The map, drawn by the registry, inline with its title and description.
    (svg,) = elements.find("svg", role="img")
    assert svg["aria-labelledby"] == "map-title map-description"
    assert "Ruoanlaitto" in elements.text_of("map-title") or elements.text_of("map-title")
    assert elements.find("path", id=f"district-{KESKUSTA}")
    assert elements.find("figure", **{"aria-describedby": "map-caption"})
    # Beside it, the table alternative: caption, column and row headers.
    assert elements.find("table", id="districts-table")
    assert "<caption>" in html and '<th scope="col"' in html and '<th scope="row"' in html

    registry = registry_get(
        portal_stack,
        world.planner_email,
        "/planning/coverage.geojson",
        category=COOKING,
        lang="fi",
    ).json()
    figures = {f["properties"]["code"]: f["properties"] for f in registry["features"]}
    keskusta = row_cells(html, f"district-row-{KESKUSTA}")
    assert keskusta[0].endswith(f"({KESKUSTA})")
    assert keskusta[1] == published(figures[KESKUSTA]["supply"])
    assert keskusta[3] == published(figures[KESKUSTA]["demand"])
    # Real figures, counted from the sharing organisation's partners and wishes.
    assert figures[KESKUSTA]["supply"] == SUPPLY[KESKUSTA] + 2
    assert figures[KESKUSTA]["demand"] == WISHES_IN_KESKUSTA
    assert keskusta[1] == str(SUPPLY[KESKUSTA] + 2)
    assert figures[KAARTINKAUPUNKI]["supply"] == SUPPLY[KAARTINKAUPUNKI]
    assert row_cells(html, f"district-row-{KAARTINKAUPUNKI}")[1] == "9"
    # Two partners are too few to publish: said in words, with the explanation of k.
    assert figures[PUNAVUORI]["supply"] is None and figures[PUNAVUORI]["supply_suppressed"]
    assert row_cells(html, f"district-row-{PUNAVUORI}")[1] == "ei julkaista"
    assert "k = 5" in elements.text_of("suppression-note")
    assert "Alle" not in row_cells(html, f"district-row-{PUNAVUORI}")[1]
    # Unmet wishes: 12 wishes minus 10 here and half of the neighbours' published partners.
    unmet = figures[KESKUSTA]["unmet"]
    assert unmet is not None and unmet < WISHES_IN_KESKUSTA
    shown_unmet = row_cells(html, f"district-row-{KESKUSTA}")[6]
    assert shown_unmet.endswith(published(unmet).lstrip("-")) or "enintään" in shown_unmet

    # Whose figures: the municipality itself and the organisation sharing with it.
    assert world.municipality_name in Elements(html).text_of("scope-organisations")
    assert world.sharer_name in Elements(html).text_of("scope-organisations")
    # Aggregates only: no way from these pages to a partner or a person.
    for path in ("/partners", "/support-users", "/my-network", "/access-log"):
        assert f'href="{path}' not in html


def test_the_pages_speak_english_when_chosen(
    portal_stack: PortalStack, world: PlanningWorld
) -> None:
    with portal_client(portal_stack, world.planner_email, language="en") as planner:
        html = planner.get("/planning").text
    assert "<h1>Coverage by district</h1>" in html
    assert row_cells(html, f"district-row-{PUNAVUORI}")[1] == "suppressed"
    assert "Unmet wishes" in html
    # The registry's map is asked in the page's language too.
    assert "unmet wishes" in Elements(html).text_of("map-title").lower()


def test_unknown_filters_are_form_errors_and_the_figures_stay(planner: httpx.Client) -> None:
    page = planner.get("/planning", params={"category": "NOPE", "k": "3"})
    assert page.status_code == 422
    html = page.text
    assert 'role="alert"' in html
    assert "Valitse luokka luettelosta." in Elements(html).text_of("category-error")
    assert "Anna kokonaisluku 5–100." in Elements(html).text_of("k-error")
    assert 'aria-invalid="true"' in html
    # The view without the refused filters is still there.
    assert row_cells(html, f"district-row-{KESKUSTA}")[1] != ""
    gaps = planner.get("/planning/gaps", params={"level": "street"})
    assert gaps.status_code == 422
    assert "Valitse, mitä luettelo järjestää." in gaps.text


def test_unmet_wishes_are_ranked_with_the_neighbours_explained(
    portal_stack: PortalStack, planner: httpx.Client, world: PlanningWorld
) -> None:
    html = planner.get("/planning/gaps").text
    registry = registry_get(
        portal_stack, world.planner_email, "/planning/gaps", lang="fi", level="cell"
    ).json()
    assert registry["gaps"], "the world has unmet wishes in Keskusta"
    first = registry["gaps"][0]
    assert first["district_code"] == KESKUSTA and first["demand"] == WISHES_IN_KESKUSTA
    table = Elements(html).text_of("gaps-table")
    assert f"({KESKUSTA})" in table and str(WISHES_IN_KESKUSTA) in table
    explained = Elements(html).text_of("neighbour-explanation")
    assert "0,5" in explained and "rajanaapuri" in explained.lower()


def test_trends_are_charts_with_their_tables(
    portal_stack: PortalStack, planner: httpx.Client, world: PlanningWorld
) -> None:
    page = planner.get(
        "/planning/trends", params={"district": KESKUSTA, "category": COOKING, "figure": "both"}
    )
    assert page.status_code == 200, page.text
    html = page.text
    elements = Elements(html)
    registry = registry_get(
        portal_stack, world.planner_email, "/planning/trends", district=KESKUSTA, category=COOKING
    ).json()
    supply = [p["supply"] for p in registry["points"]]
    assert supply == [SUPPLY[KESKUSTA], SUPPLY[KESKUSTA] + 2]
    # A chart per figure, each a picture with a title and a description, and a table.
    for name in ("supply", "demand"):
        (chart,) = elements.find("svg", id=f"chart-{name}")
        assert chart["role"] == "img"
        assert elements.text_of(f"chart-{name}-title")
        assert elements.text_of(f"chart-{name}-desc")
        assert elements.find("table", id=f"trend-{name}-table")
    assert len(elements.find("rect", fill="#2e6b30")) == 2  # a bar a month
    table = elements.text_of("trend-supply-table")
    assert "syyskuu 2026" in table and "lokakuu 2026" in table
    assert "+2" in table
    assert "Kaikki alueet" not in elements.text_of("trend-supply-heading")
    # Only one figure when asked.
    demand_only = Elements(planner.get("/planning/trends", params={"figure": "demand"}).text)
    assert demand_only.find("svg", id="chart-demand") and not demand_only.find(
        "svg", id="chart-supply"
    )


def test_downloads_come_with_their_type_name_and_content(
    portal_stack: PortalStack, planner: httpx.Client, world: PlanningWorld
) -> None:
    coverage = planner.get("/planning/coverage.csv")
    assert coverage.status_code == 200
    assert coverage.headers["content-type"].startswith("text/csv")
    assert coverage.headers["content-disposition"] == 'attachment; filename="coverage.csv"'
    assert coverage.headers["cache-control"] == "no-store"
    own = registry_get(portal_stack, world.planner_email, "/planning/coverage.csv", lang="fi")
    assert coverage.content == own.content
    rows = list(csv.reader(io.StringIO(coverage.content.decode("utf-8-sig")), delimiter=";"))
    assert any(KESKUSTA in row and COOKING in row for row in rows)

    geojson = planner.get("/planning/coverage.geojson", params={"category": COOKING})
    assert geojson.headers["content-type"].startswith("application/geo+json")
    assert geojson.headers["content-disposition"] == 'attachment; filename="coverage.geojson"'
    collection = json.loads(geojson.content)
    assert collection["type"] == "FeatureCollection" and collection["category_code"] == COOKING

    gaps = planner.get("/planning/gaps.csv")
    assert gaps.headers["content-disposition"] == 'attachment; filename="gaps.csv"'
    assert KESKUSTA in gaps.content.decode("utf-8-sig")

    trends = planner.get("/planning/trends.csv", params={"district": KESKUSTA})
    assert trends.headers["content-type"].startswith("text/csv")
    assert trends.headers["content-disposition"] == 'attachment; filename="trends.csv"'
    assert "2026-10-01" in trends.content.decode("utf-8-sig")

    drawing = planner.get("/planning/map.svg", params={"measure": "demand"})
    assert drawing.headers["content-type"].startswith("image/svg+xml")
    assert drawing.content.startswith(b"<svg")
    # The page links to them.
    html = planner.get("/planning").text
    for name in ("coverage.csv", "coverage.geojson", "map.svg", "gaps.csv"):
        assert f'href="/planning/{name}?' in html


def test_a_staff_member_without_the_planner_role_is_refused(
    portal_stack: PortalStack, world: PlanningWorld
) -> None:
    with portal_client(portal_stack, ANNA_EMAIL) as anna:
        assert 'href="/planning"' not in anna.get("/").text
        for path in ("/planning", "/planning/gaps", "/planning/trends", "/planning/coverage.csv"):
            refused = anna.get(path)
            assert refused.status_code == 403, path
        assert "Ei pääsyä tälle sivulle" in anna.get("/planning").text
    # A planner is not an admin: no sharing page.
    with portal_client(portal_stack, world.planner_email) as planner:
        assert planner.get("/planning/sharing").status_code == 403
        assert 'href="/planning/sharing"' not in planner.get("/planning").text


def test_an_admin_stops_and_starts_sharing_statistics(
    portal_stack: PortalStack, sharer_admin: httpx.Client, world: PlanningWorld
) -> None:
    page = sharer_admin.get("/planning/sharing")
    assert page.status_code == 200
    assert world.municipality_name in Elements(page.text).text_of("shares-with")
    assert f'action="/planning/sharing/{world.municipality_id}/stop"' in page.text

    # Stop: the notice says so, and the planner no longer counts the organisation.
    stopped = sharer_admin.post(
        f"/planning/sharing/{world.municipality_id}/stop",
        data={"csrf_token": csrf_of(page.text)},
    )
    assert stopped.status_code == 303 and stopped.headers["location"] == "/planning/sharing"
    after = sharer_admin.get("/planning/sharing").text
    assert 'role="status"' in after and "Jakaminen lopetettu" in after
    assert "shares-with-none" in after
    scope = registry_get(portal_stack, world.planner_email, "/planning/scope").json()
    assert [o["id"] for o in scope["organisations"]] == [world.municipality_id]
    with portal_client(portal_stack, world.planner_email) as planner:
        html = planner.get("/planning").text
        assert world.sharer_name not in Elements(html).text_of("scope-organisations")
        assert row_cells(html, f"district-row-{KESKUSTA}")[1] == "0"
    # The notice is shown once.
    assert "Jakaminen lopetettu" not in sharer_admin.get("/planning/sharing").text

    # A form without a municipality, or with the form token missing, changes nothing.
    empty = sharer_admin.post(
        "/planning/sharing", data={"csrf_token": csrf_of(after), "municipality_id": ""}
    )
    assert empty.status_code == 422
    assert "Valitse kunta." in Elements(empty.text).text_of("municipality_id-error")
    expired = sharer_admin.post(
        "/planning/sharing", data={"csrf_token": "x", "municipality_id": world.municipality_id}
    )
    assert expired.status_code == 422
    assert registry_get(portal_stack, world.planner_email, "/planning/scope").json()[
        "organisations"
    ] == [{"id": world.municipality_id, "name": world.municipality_name}]
    # Another support organisation is no municipality: the registry refuses, said in words.
    not_a_municipality = sharer_admin.post(
        "/planning/sharing",
        data={"csrf_token": csrf_of(after), "municipality_id": portal_stack.organisation_id},
    )
    assert not_a_municipality.status_code == 422
    assert "vain" in Elements(not_a_municipality.text).text_of("municipality_id-error")

    # Start again: chosen from the municipalities offered.
    assert f'<option value="{world.municipality_id}">' in after
    started = sharer_admin.post(
        "/planning/sharing",
        data={"csrf_token": csrf_of(after), "municipality_id": world.municipality_id},
    )
    assert started.status_code == 303
    again = sharer_admin.get("/planning/sharing").text
    assert "Jakaminen aloitettu" in again
    assert world.municipality_name in Elements(again).text_of("shares-with")
    scope = registry_get(portal_stack, world.planner_email, "/planning/scope").json()
    assert world.sharer_id in [o["id"] for o in scope["organisations"]]

    # The municipality's own admin sees who shares with it.
    with portal_client(portal_stack, world.municipality_admin_email) as city:
        shares = city.get("/planning/sharing").text
        assert world.sharer_name in Elements(shares).text_of("shared-with-us")
