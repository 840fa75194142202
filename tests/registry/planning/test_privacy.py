"""A planner tries to learn about one person — a support user whose single wish is the
only one of its kind in a district — and about one partner, through every endpoint and
export a planner can reach, and fails:

- a k below the default is refused everywhere, and so is any parameter that would narrow
  figures to an organisation, a partner or a person;
- every view is the same protected table or a slice of it; a larger k only hides more,
  so all views together publish what the default view publishes;
- from everything published, an attacker solving the totals exactly works out no hidden
  count, and for every hidden count there is another table that publishes the same;
- every export carries the JSON's figures and nothing else; gaps and maps follow from the
  published figures alone;
- no response holds an identifier or a word of a partner's card or a wish;
- other roles are refused, and a planner of another municipality sees none of this."""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.registry.identity.models import OrganisationKind
from services.registry.planning import service, snapshots
from services.registry.planning.suppression import TOTAL, Key, extended
from tests.registry.conftest import Member, add_partner, organisation_card
from tests.registry.planning.attack import derivable, narrowed, twin
from tests.registry.planning.conftest import (
    AURINKOLAHTI,
    COOKING,
    HOUSING,
    KAARTINKAUPUNKI,
    KESKUSTA,
    PUNAVUORI,
    RENTAL,
    Planning,
)

ENDPOINTS = (
    "/planning/scope",
    "/planning/coverage",
    "/planning/coverage.csv",
    "/planning/coverage.geojson",
    "/planning/map.svg",
    "/planning/gaps",
    "/planning/gaps.csv",
    "/planning/trends",
    "/planning/trends.csv",
)
WITH_K = (
    "/planning/coverage",
    "/planning/coverage.csv",
    "/planning/coverage.geojson",
    "/planning/map.svg",
    "/planning/gaps",
    "/planning/gaps.csv",
)
CANARY = "Kanarialintu Salainen"


class Target:
    """The world and the individuals the planner is after."""

    def __init__(self, planning: Planning) -> None:
        self.planning = planning
        a = planning.organisation("Kotipolku ry")
        b = planning.organisation("Kallion asukasyhdistys")
        self.a, self.b = a, b
        planning.partners(a, KESKUSTA, [COOKING], 14)
        planning.partners(b, KESKUSTA, [HOUSING], 9)
        planning.partners(a, PUNAVUORI, [COOKING], 8)
        planning.partners(b, PUNAVUORI, [HOUSING], 3)
        planning.partners(a, KAARTINKAUPUNKI, [COOKING], 6)
        planning.partners(b, KAARTINKAUPUNKI, [RENTAL], 2)
        planning.partners(a, AURINKOLAHTI, [HOUSING], 11)
        planning.wishes(a, KESKUSTA, [COOKING], 9)
        planning.wishes(b, KESKUSTA, [HOUSING], 6)
        planning.wishes(a, PUNAVUORI, [COOKING], 7)
        planning.wishes(b, AURINKOLAHTI, [HOUSING], 12)
        planning.wishes(a, KAARTINKAUPUNKI, [COOKING], 5)
        # The person: the only rental-housing wish in Punavuori.
        (self.wish,) = planning.wishes(b, PUNAVUORI, [RENTAL], 1)
        self.person = (PUNAVUORI, RENTAL)
        # A partner with a real card, alone in its cell.
        staff = planning.world.member(b, "staff")
        self.partner = add_partner(
            planning.client,
            staff,
            organisation_card(CANARY),
            "file",
            "statistics",
            district_code=AURINKOLAHTI,
            category_codes=[COOKING],
        )
        self.partner_cell = (AURINKOLAHTI, COOKING)

    def truth(self, figure: str) -> dict[Key, int]:
        with self.planning.registry.database.session() as session:
            ids = (self.planning.municipality, self.a, self.b)
            if figure == "supply":
                return service.supply_counts(session, ids)
            return service.demand_counts(session, ids)


@pytest.fixture
def target(planning: Planning) -> Target:
    return Target(planning)


def published(body: dict[str, Any], figure: str) -> tuple[list[str], list[str], dict[Key, Any]]:
    """What the coverage JSON publishes of one table, as entries of the extended table."""
    rows = [d["code"] for d in body["districts"]]
    columns = [c["code"] for c in body["categories"]]
    entries: dict[Key, Any] = {
        (c["district_code"], c["category_code"]): c[figure] for c in body["cells"]
    }
    entries |= {(d["code"], TOTAL): d[figure] for d in body["districts"]}
    entries |= {(TOTAL, c["code"]): c[figure] for c in body["categories"]}
    entries[(TOTAL, TOTAL)] = body["total"][figure]
    return rows, columns, entries


def test_the_person_and_the_partner_are_hidden_and_cannot_be_worked_out(
    target: Target,
) -> None:
    body = target.planning.coverage()
    for figure, secret in (("demand", target.person), ("supply", target.partner_cell)):
        rows, columns, entries = published(body, figure)
        assert entries[secret] is None
        truth = extended(target.truth(figure), rows, columns)
        assert truth[secret] == 1
        for key, value in entries.items():
            assert value is None or value == truth.get(key, 0)  # published means true
        # The attacker: everything published and every total, solved exactly, and again
        # with the bounds (a hidden count is at least 1).
        assert derivable(rows, columns, entries) == {}
        assert narrowed(rows, columns, entries) == {}
        # The proof: for each hidden count, another table that publishes the same.
        hidden = {key for key, value in entries.items() if value is None}
        for key in hidden:
            other = twin(truth, hidden, key)
            assert other is not None and other[key] != truth[key]
            assert all(other[k] >= 1 for k in hidden)


def test_k_below_the_default_is_refused_everywhere(target: Target) -> None:
    client, planner = target.planning.client, target.planning.planner
    for path in WITH_K:
        for k in (0, 1, 2, 4):
            response = client.get(path, headers=planner.headers, params={"k": k})
            assert response.status_code == 422, (path, k)
            assert response.json()["error"]["field"] == "k"
    for path in set(ENDPOINTS) - set(WITH_K):
        response = client.get(path, headers=planner.headers, params={"k": 1})
        assert response.status_code == 422 and response.json()["error"]["field"] == "k"
    low = client.get("/aggregates/supply", headers=planner.headers, params={"k": 1})
    assert low.status_code == 422


@pytest.mark.parametrize(
    "parameter",
    ["organisation_id", "organisation", "exclude", "partner_id", "wish_id", "support_user_id"],
)
def test_figures_cannot_be_narrowed_to_an_organisation_or_a_person(
    target: Target, parameter: str
) -> None:
    client, planner = target.planning.client, target.planning.planner
    value = {"wish_id": target.wish, "partner_id": str(target.partner["id"])}.get(
        parameter, target.b
    )
    for path in ENDPOINTS:
        response = client.get(path, headers=planner.headers, params={parameter: value})
        assert response.status_code == 422, path
        assert response.json()["error"] | {"message": ""} == {
            "code": "unknown_parameter",
            "field": parameter,
            "message": "",
        }


def test_a_larger_k_and_a_slice_reveal_nothing_the_default_view_does_not(
    target: Target,
) -> None:
    planning = target.planning
    base = planning.coverage()
    views = [planning.coverage(k=k) for k in (6, 7, 9, 10, 15, 40)]
    views += [
        planning.coverage(district=[PUNAVUORI]),
        planning.coverage(category=[RENTAL, HOUSING]),
        planning.coverage(district=[KESKUSTA, PUNAVUORI], category=[COOKING], k=8),
    ]
    for figure in ("supply", "demand"):
        rows, columns, known = published(base, figure)
        for view in views:
            _, _, entries = published(view, figure)
            for key, value in entries.items():
                if key[0] in rows and key[1] in columns and value is not None:
                    assert known.get(key, 0) == value, (key, view["k"])
        # So all views together know what the default view knows, which hides everything.
        assert derivable(rows, columns, known) == {}
        assert narrowed(rows, columns, known) == {}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_exports_and_derived_figures_hold_only_what_the_view_publishes(target: Target) -> None:
    planning = target.planning
    body = planning.coverage(lang="en")
    cells = {(c["district_code"], c["category_code"]): c for c in body["cells"]}
    districts = {d["code"]: d for d in body["districts"]}

    def shown(district: str | None, category: str | None, figure: str) -> int | None:
        if district and category:
            found = cells.get((district, category))
            return 0 if found is None else found[figure]
        if district:
            return districts[district][figure]
        if category:
            return next(c[figure] for c in body["categories"] if c["code"] == category)
        return body["total"][figure]

    def csv_value(text: str) -> int | None:
        return None if text == "" else int(text)

    for row in csv_rows(planning.get("/planning/coverage.csv", lang="en").text):
        for figure in ("supply", "demand"):
            expected = shown(row["district_code"] or None, row["category_code"] or None, figure)
            assert csv_value(row[figure]) == expected
    for category in (None, COOKING, RENTAL):
        params = {"category": category} if category else {}
        collection = planning.get("/planning/coverage.geojson", **params).json()
        for feature in collection["features"]:
            for figure in ("supply", "demand"):
                assert feature["properties"][figure] == shown(feature["id"], category, figure)
    # Gaps: recomputed here from the published figures with the documented rule.
    neighbours = {
        KESKUSTA: ["00120", "00130", "00170", "00180", "00260", "00530"],
        PUNAVUORI: ["00100", "00130", "00150", "00180"],
        KAARTINKAUPUNKI: ["00100", "00120", "00140", "00150", "00170"],
        AURINKOLAHTI: ["00980"],
    }
    for gap in planning.get("/planning/gaps", limit=5000).json()["gaps"]:
        district, category = gap["district_code"], gap["category_code"]
        around = [shown(n, category, "supply") for n in neighbours[district]]
        own = shown(district, category, "supply")
        covered = (own or 0) + 0.5 * sum(v for v in around if v is not None)
        assert gap["demand"] == shown(district, category, "demand")
        assert gap["unmet"] == pytest.approx(gap["demand"] - covered)
        assert gap["partial"] == (own is None or None in around)
    # The map says only published figures (or "not published").
    svg = planning.get("/planning/map.svg", measure="demand", category=RENTAL, lang="en").text
    title = re.search(r"\(00120\): ([^<]*)</title>", svg)
    assert title is not None and title.group(1).startswith("not published")


def responses(planning: Planning, member: Member) -> Iterator[tuple[str, str]]:
    for path in ENDPOINTS:
        yield path, planning.get(path, member).text
    for measure in ("supply", "demand", "unmet", "supply_per_1000"):
        for category in (None, RENTAL, COOKING):
            params = {"measure": measure} | ({"category": category} if category else {})
            yield "/planning/map.svg", planning.get("/planning/map.svg", member, **params).text
    for level in ("cell", "district", "category"):
        yield "/planning/gaps", planning.get("/planning/gaps", member, level=level).text
    yield "/aggregates/supply", planning.get("/aggregates/supply", member).text


def test_no_response_holds_an_identifier_or_a_card(target: Target) -> None:
    planning = target.planning
    with planning.registry.database.session() as session:
        snapshots.take_monthly(session)
    partner_ids = [str(target.partner["id"])]
    secrets = [CANARY, "Kanarialintu", target.wish, *partner_ids, "kanarialintu@example.org"]
    trends = planning.get("/planning/trends", district=PUNAVUORI, category=RENTAL).json()
    assert trends["points"][0]["demand"] is None  # the snapshot kept it hidden too
    for path, text in responses(planning, planning.planner):
        for secret in secrets:
            assert secret not in text, (path, secret)


def test_other_roles_are_refused_and_other_municipalities_see_none_of_it(
    target: Target, client: TestClient
) -> None:
    planning = target.planning
    for role in ("staff", "coordinator", "support_user"):
        member = planning.world.member(planning.municipality, role)
        for path in ENDPOINTS:
            assert client.get(path, headers=member.headers).status_code == 403, (role, path)
    # A planner cannot start or stop another organisation's sharing.
    for method in (client.put, client.delete):
        path = f"/planning/shares/{planning.municipality}"
        response = method(path, headers=planning.planner.headers)
        assert response.status_code == 403
    elsewhere = planning.world.organisation("Espoon kaupunki", kind=OrganisationKind.municipality)
    outsider = planning.world.member(elsewhere, "planner")
    body = planning.get("/planning/coverage", outsider).json()
    assert body["cells"] == [] and body["total"]["supply"] == 0
    scope = planning.get("/planning/scope", outsider).json()
    assert [o["name"] for o in scope["organisations"]] == ["Espoon kaupunki"]
