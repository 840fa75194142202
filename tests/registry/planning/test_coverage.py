"""Coverage as a planner sees it: supply and demand by district × category over the
municipality and the organisations that share statistics with it, per 1,000 inhabitants,
and unmet demand with the neighbouring districts' supply taken into account."""

import pytest

from services.registry.planning.schemas import CoverageOut, GapsOut
from tests.registry.planning.conftest import (
    AURINKOLAHTI,
    COOKING,
    HOUSING,
    KAARTINKAUPUNKI,
    KESKUSTA,
    PUNAVUORI,
    RENTAL,
    Planning,
    by_code,
    cell,
)


@pytest.fixture
def counted(planning: Planning) -> Planning:
    """A world in which every counted figure is at least 5, so nothing is suppressed."""
    a = planning.organisation("Kotipolku ry")
    b = planning.organisation("Kallion asukasyhdistys")
    c = planning.organisation("Ei jaa ry", shares=False)
    d = planning.organisation("Lopetti ry")
    planning.partners(a, KESKUSTA, [COOKING], 6)
    planning.partners(a, KESKUSTA, [HOUSING, COOKING], 5)  # counts in both categories
    planning.partners(b, KAARTINKAUPUNKI, [HOUSING], 7)
    planning.partners(planning.municipality, AURINKOLAHTI, [HOUSING], 8)
    # Not counted: no `statistics` consent, not active, an organisation that does not
    # share, and one that stopped sharing.
    planning.partners(a, KESKUSTA, [COOKING], 5, statistics=False)
    planning.partners(a, KESKUSTA, [COOKING], 3, status="inactive")
    planning.partners(c, KESKUSTA, [COOKING], 9)
    planning.partners(d, KAARTINKAUPUNKI, [HOUSING], 6)
    leaver = planning.organisations["Lopetti ry"][1]
    stopped = planning.client.delete(
        f"/planning/shares/{planning.municipality}", headers=leaver.headers
    )
    assert stopped.status_code == 200
    planning.wishes(a, PUNAVUORI, [COOKING], 6)
    planning.wishes(b, KESKUSTA, [COOKING], 5)
    planning.wishes(b, KESKUSTA, [COOKING], 2, status="fulfilled")
    planning.wishes(c, KESKUSTA, [COOKING], 7)
    planning.wishes(a, None, [COOKING], 3)  # the support user has no district
    planning.wishes(a, AURINKOLAHTI, [HOUSING], 12)
    planning.wishes(b, KESKUSTA, [RENTAL], 5)
    return planning


def test_supply_and_demand_are_counted_over_the_municipality_and_who_shares_with_it(
    counted: Planning,
) -> None:
    body = counted.coverage()
    CoverageOut.model_validate(body)  # the documented shape, sent without a second pass
    assert body["organisations"] == 3
    assert body["municipality"]["name"] == "Helsingin kaupunki"
    assert body["k"] == 5
    figures = {
        (c["district_code"], c["category_code"]): (c["supply"], c["demand"]) for c in body["cells"]
    }
    assert figures == {
        (KESKUSTA, COOKING): (11, 5),
        (KESKUSTA, HOUSING): (5, 0),
        (KESKUSTA, RENTAL): (0, 5),
        (PUNAVUORI, COOKING): (0, 6),
        (KAARTINKAUPUNKI, HOUSING): (7, 0),
        (AURINKOLAHTI, HOUSING): (8, 12),
    }
    assert not any(c["supply_suppressed"] or c["demand_suppressed"] for c in body["cells"])
    keskusta = by_code(body["districts"], KESKUSTA)
    assert (keskusta["supply"], keskusta["demand"]) == (16, 10)
    assert keskusta["name"] == "Helsinki keskusta - Etu-Töölö"
    assert (by_code(body["categories"], HOUSING)["supply"], body["total"]["supply"]) == (20, 31)
    assert body["total"]["demand"] == 28
    assert len(body["districts"]) == 84  # every district, also those with nothing


def test_figures_per_1000_inhabitants_use_the_districts_population(counted: Planning) -> None:
    body = counted.coverage()
    keskusta = cell(body, KESKUSTA, COOKING)
    assert keskusta is not None
    assert keskusta["population"] == 18462
    assert keskusta["supply_per_1000"] == round(11 * 1000 / 18462, 2) == 0.6
    punavuori = cell(body, PUNAVUORI, COOKING)
    assert punavuori is not None and punavuori["demand_per_1000"] == round(6000 / 7192, 2)
    # 00230 has no inhabitants: counts are shown, a rate is not.
    empty = by_code(body["districts"], "00230")
    assert empty["population"] == 0 and empty["supply_per_1000"] is None
    # The whole city's rate uses the sum of the populations.
    total = body["total"]
    assert total["supply_per_1000"] == round(31 * 1000 / total["population"], 2)


def test_a_filter_shows_a_slice_of_the_same_table(counted: Planning) -> None:
    whole = counted.coverage()
    sliced = counted.coverage(district=[KESKUSTA, PUNAVUORI], category=[COOKING])
    assert sliced["cells"] == [
        c
        for c in whole["cells"]
        if c["district_code"] in (KESKUSTA, PUNAVUORI) and c["category_code"] == COOKING
    ]
    assert [d["code"] for d in sliced["districts"]] == [KESKUSTA, PUNAVUORI]
    assert sliced["total"] == whole["total"]
    unknown = counted.client.get(
        "/planning/coverage", headers=counted.planner.headers, params={"district": "99999"}
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "district"


def test_unmet_demand_counts_neighbouring_supply_partly(counted: Planning) -> None:
    gaps = counted.get("/planning/gaps").json()
    GapsOut.model_validate(gaps)
    assert gaps["neighbour_weight"] == 0.5
    ranked = [(g["district_code"], g["category_code"], g["unmet"]) for g in gaps["gaps"]]
    # Rental housing has no supply anywhere; Aurinkolahti's housing wishes outnumber its
    # own partners and its one neighbour has none; Punavuori has no cooking partner of
    # its own, but Keskusta next door has 11, which cover half a wish each.
    assert ranked == [
        (KESKUSTA, RENTAL, 5.0),
        (AURINKOLAHTI, HOUSING, 4.0),
        (PUNAVUORI, COOKING, 0.5),
    ]
    punavuori = gaps["gaps"][2]
    assert punavuori["supply"] == 0 and punavuori["neighbour_supply"] == 11
    assert punavuori["covered"] == 5.5 and punavuori["partial"] is False
    assert punavuori["unmet_per_1000"] == round(0.5 * 1000 / 7192, 2)
    # Keskusta's 5 cooking wishes are covered by its own 11 partners: no gap listed.
    districts = counted.get("/planning/gaps", level="district").json()["gaps"]
    assert [(g["district_code"], g["unmet"]) for g in districts] == [(AURINKOLAHTI, 4.0)]
    categories = counted.get("/planning/gaps", level="category").json()["gaps"]
    assert [(g["category_code"], g["unmet"]) for g in categories] == [(RENTAL, 5.0)]
    assert counted.get("/planning/gaps", limit=1).json()["gaps"] == gaps["gaps"][:1]


def test_a_suppressed_neighbour_is_left_out_and_the_gap_says_so(counted: Planning) -> None:
    a = counted.organisations["Kotipolku ry"][0]
    counted.partners(a, KAARTINKAUPUNKI, [COOKING], 2)  # next to Punavuori, below k
    body = counted.coverage()
    hidden = cell(body, KAARTINKAUPUNKI, COOKING)
    assert hidden is not None and hidden["supply"] is None and hidden["supply_suppressed"]
    punavuori = next(
        g
        for g in counted.get("/planning/gaps").json()["gaps"]
        if (g["district_code"], g["category_code"]) == (PUNAVUORI, COOKING)
    )
    assert punavuori["partial"] is True
    # What is published of the neighbours is what is counted, nothing more.
    around = ("00100", "00130", "00150", "00180")
    published = [
        c["supply"]
        for c in body["cells"]
        if c["category_code"] == COOKING
        and c["district_code"] in around
        and c["supply"] is not None
    ]
    assert punavuori["neighbour_supply"] == sum(published)


def test_a_planner_of_an_organisation_that_is_not_a_municipality_sees_only_its_own(
    counted: Planning,
) -> None:
    a, admin = counted.organisations["Kotipolku ry"]
    own_planner = counted.world.member(a, "planner")
    body = counted.get("/planning/coverage", own_planner).json()
    assert body["organisations"] == 1
    assert {(c["district_code"], c["category_code"]) for c in body["cells"]} == {
        (KESKUSTA, COOKING),
        (KESKUSTA, HOUSING),
        (PUNAVUORI, COOKING),
        (AURINKOLAHTI, HOUSING),
    }
    # Sharing goes to municipalities only.
    refused = counted.client.put(f"/planning/shares/{a}", headers=admin.headers)
    assert refused.status_code == 422
