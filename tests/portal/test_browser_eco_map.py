"""Eco-maps and the pool network in a real Chromium against the real registry and matching:
a worker draws a support user's eco-map with them, is stopped at the field on bad input,
keeps a snapshot, compares it with the grown map and downloads GraphML; the support user
sees their own map in plain words on a phone, adds a person step by step and cannot open
anyone else's; staff read the pool network's findings beside its drawing, and a partner
of another organisation not shared with the pool is never named there."""

import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from services.matching.runtime import Matching
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_PASSWORD,
    PEKKA_EMAIL,
    PortalStack,
    has_no_horizontal_scroll,
    index_for_matching,
)
from tests.portal.test_browser_support_users import _small_targets, log_in, new_context
from tests.portal.test_eco_map import api_member, eco_api, snapshots_api
from tests.portal.test_support_users import api_support_user

pytestmark = pytest.mark.browser


def tag() -> str:
    return secrets.token_hex(3)


@pytest.fixture
def worker_page(browser: Browser, portal_stack: PortalStack) -> Iterator[Page]:
    """Anna (staff) logged in, in Finnish."""
    context = new_context(browser, portal_stack)
    page = context.new_page()
    log_in(page, ANNA_EMAIL)
    yield page
    context.close()


def add_member(page: Page, name: str, relation: str, ring: str, support: list[str]) -> None:
    form = page.get_by_role("region", name="Lisää jäsen")
    form.get_by_label("Nimi", exact=True).fill(name)
    form.get_by_label("Kuka hän on henkilölle").select_option(label=relation)
    form.get_by_role("group", name="Kuinka läheinen").get_by_label(ring).check()
    group = form.get_by_role("group", name=re.compile("^Mitä hän antaa"))
    for kind in support:
        group.get_by_label(kind).check()
    form.get_by_role("button", name="Lisää karttaan").click()


def test_a_worker_draws_the_eco_map_keeps_a_snapshot_and_compares(
    worker_page: Page,
    portal_stack: PortalStack,
    matching_index: Matching,
    tmp_path: Path,
) -> None:
    page, word = worker_page, tag()
    name = f"Veera {word}"
    person_id = api_support_user(portal_stack, name)
    mum, coach = f"Äiti {word}", f"Valmentaja Jari {word}"

    page.goto(f"/support-users/{person_id}")
    page.get_by_role("link", name="Ekokartta", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ekokartta: {name}")
    expect(page.get_by_role("region", name="Kysymyksiä keskustelun tueksi")).to_contain_text(
        "Kenelle kerrot ensimmäisenä"
    )

    add_member(page, mum, "Perhe ja suku", "Sisin kehä: läheisimmät", ["Henkinen tuki"])
    expect(page.get_by_role("status")).to_have_text("Jäsen lisättiin ekokarttaan.")
    drawing = page.get_by_role("img", name=re.compile(f"^Henkilön {name} ekokartta"))
    expect(drawing).to_be_visible()
    expect(drawing.locator("text", has_text=mum)).to_have_count(1)
    expect(page.locator("#ring-inner")).to_contain_text(mum)

    # Bad input: the error at its field, the map unchanged.
    form = page.get_by_role("region", name="Lisää jäsen")
    form.get_by_label("Kuka hän on henkilölle").select_option(label="Ystävät")
    form.get_by_role("button", name="Lisää karttaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Kirjoita nimi.")
    expect(page).to_have_title(re.compile("^Virhe: "))
    expect(page.get_by_label("Nimi", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("li.eco-member")).to_have_count(1)
    assert len(eco_api(portal_stack, person_id)["members"]) == 1

    # A snapshot, then the map grows beyond family.
    history = page.get_by_role("region", name="Historia")
    history.get_by_label("Tilannekuvan nimi").fill("Ennen harrastusta")
    history.get_by_role("button", name="Tallenna tilannekuvaksi").click()
    expect(page.get_by_role("status")).to_contain_text("Ekokartta tallennettiin tilannekuvaksi.")
    expect(page.get_by_role("table", name="Tilannekuvat, uusin ensin")).to_contain_text(
        "Ennen harrastusta"
    )
    add_member(
        page,
        coach,
        "Kerhot, järjestöt ja muut yhteisöt",
        "Keskimmäinen kehä",
        ["Seura, yhdessä tekeminen", "Neuvot ja tieto"],
    )
    expect(page.get_by_role("status")).to_have_text("Jäsen lisättiin ekokarttaan.")
    expect(drawing.locator("text", has_text=coach)).to_have_count(1)

    # Compared: the numbers side by side and matching's sentences in Finnish.
    compare = page.get_by_role("region", name="Vertaa kahta ajankohtaa")
    expect(compare.get_by_label("Ennen", exact=True)).to_have_value(
        snapshots_api(portal_stack, person_id)[0]["id"]
    )
    expect(compare.get_by_label("Jälkeen", exact=True)).to_have_value("current")
    compare.get_by_role("button", name="Vertaa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ekokarttojen vertailu: {name}")
    members_row = page.get_by_role("table", name="Luvut rinnakkain").get_by_role(
        "row", name=re.compile("^Jäsenet")
    )
    expect(members_row.get_by_role("cell")).to_have_text(["1", "2"])
    snapshot_id = snapshots_api(portal_stack, person_id)[0]["id"]
    sentences = httpx.get(
        f"{portal_stack.matching_url}/support-users/{person_id}/eco-map/comparison",
        params={"before": snapshot_id},
        headers=portal_stack.api_token(ANNA_EMAIL),
    ).json()["summary"]["fi"]
    summary = page.get_by_role("region", name="Mikä muuttui")
    expect(summary.get_by_role("listitem").first).to_have_text(sentences[0])
    expect(page.locator("#added")).to_contain_text(coach)

    # The GraphML file, downloaded from the eco-map.
    page.get_by_role("link", name=re.compile("^Takaisin henkilön")).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="GraphML").click()
    saved = tmp_path / "eco-map.graphml"
    download_info.value.save_as(saved)
    root = ET.parse(saved).getroot()
    assert root.tag.endswith("graphml")
    labels = {element.text for element in root.iter() if element.tag.endswith("data")}
    assert {name, mum, coach} <= labels


def test_the_support_user_adds_a_person_to_their_own_map_on_a_phone(
    browser: Browser, portal_stack: PortalStack, matching_index: Matching
) -> None:
    word = tag()
    email = f"ilona-{word}@example.org"
    account = portal_stack.create_user(
        email, portal_stack.organisation_id, ["support_user"], f"Ilona {word}", ANNA_PASSWORD
    )
    person_id = api_support_user(portal_stack, f"Ilona {word}", account_user_id=account)
    api_member(
        portal_stack,
        person_id,
        name=f"Isä {word}",
        relation="family",
        ring="inner",
        support=["practical"],
        frequency="weekly",
    )
    other_id = api_support_user(portal_stack, f"Muu {word}")
    api_member(portal_stack, other_id, name=f"Yksityinen {word}", relation="friend", ring="inner")
    context = new_context(
        browser,
        portal_stack,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        log_in(page, email)
        page.get_by_role("navigation", name="Päävalikko").get_by_role(
            "link", name="Toiveeni ja verkostoni"
        ).click()
        page.get_by_role("link", name="Avaa karttani").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Karttani")
        people = page.get_by_role("region", name="Keitä kartassani on")
        expect(people).to_contain_text(f"Isä {word}")
        expect(people).to_contain_text("Hyvin läheinen minulle")
        expect(people).to_contain_text("Auttaa minua asioissa")
        expect(page.get_by_role("img", name=re.compile("^Karttani"))).to_be_visible()
        expect(page.get_by_role("region", name="Mietittävää")).to_contain_text(
            "Kenet haluaisit tavata useammin?"
        )
        for icon in page.locator("svg.icon").all():
            expect(icon).to_have_attribute("aria-hidden", "true")
        assert _small_targets(page) == []
        assert has_no_horizontal_scroll(page)

        # One question at a time, with big answers.
        page.get_by_role("link", name="Lisää ihminen").click()
        expect(page.get_by_text("Vaihe 1/6")).to_be_visible()
        page.get_by_label("Mikä hänen nimensä on?").fill(f"Ystävä Sanna {word}")
        page.get_by_role("button", name="Seuraava").click()
        expect(page.get_by_text("Vaihe 2/6")).to_be_visible()
        # Forgetting to choose says so.
        page.get_by_role("button", name="Seuraava").click()
        expect(page.get_by_role("alert")).to_contain_text("Valitse yksi vastaus.")
        page.get_by_label("Ystävä", exact=True).check()
        assert _small_targets(page) == []
        page.get_by_role("button", name="Seuraava").click()
        page.get_by_label("Läheinen minulle", exact=True).check()
        page.get_by_role("button", name="Seuraava").click()
        expect(page.get_by_role("group", name="Mitä hän tekee kanssasi?")).to_be_visible()
        page.get_by_label("Vietämme aikaa yhdessä").check()
        page.get_by_label("Kuuntelee minua ja välittää minusta").check()
        page.get_by_role("button", name="Seuraava").click()
        page.get_by_label("Autamme toisiamme").check()
        page.get_by_role("button", name="Seuraava").click()
        expect(page.get_by_text("Vaihe 6/6")).to_be_visible()
        page.get_by_label("Joka viikko").check()
        assert has_no_horizontal_scroll(page)
        page.get_by_role("button", name="Tallenna ihminen").click()
        expect(page.get_by_role("status")).to_have_text("Kiitos! Henkilö on nyt kartallasi.")
        people = page.get_by_role("region", name="Keitä kartassani on")
        expect(people).to_contain_text(f"Ystävä Sanna {word}")
        expect(people).to_contain_text("Läheinen minulle")
        sanna = next(
            m
            for m in eco_api(portal_stack, person_id)["members"]
            if m["name"] == f"Ystävä Sanna {word}"
        )
        assert sanna["support"] == ["company", "emotional"]

        # Someone else's map is not theirs to see.
        page.goto(f"/support-users/{other_id}/eco-map")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ei pääsyä tälle sivulle")
        expect(page.locator("main")).not_to_contain_text(f"Yksityinen {word}")
    finally:
        context.close()


def test_staff_read_the_pool_network_and_record_an_acquaintance(
    worker_page: Page,
    portal_stack: PortalStack,
    matching_index: Matching,
    pekka: httpx.Client,
) -> None:
    page, word = worker_page, tag()
    park = index_for_matching(matching_index, portal_stack, f"Puistotalo {word}", "Kerhot")
    shop = index_for_matching(matching_index, portal_stack, f"Kyläkauppa {word}", "Kauppa")
    person_id = api_support_user(portal_stack, f"Mikko {word}")
    # Another organisation's partner, not shared with the pool, tied to its own partner.
    hidden = f"Piilotettu kumppani {word}"
    hidden_id = index_for_matching(
        matching_index, portal_stack, hidden, "Salainen", email=PEKKA_EMAIL
    )
    peer = index_for_matching(
        matching_index, portal_stack, f"Pekan ystävä {word}", "Ystävät", email=PEKKA_EMAIL
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', pekka.get("/network").text)
    assert token
    recorded = pekka.post(
        "/network/acquaintances",
        data={"csrf_token": token.group(1), "a": hidden_id, "b": peer, "strength": "strong"},
    )
    assert recorded.status_code == 303

    page.get_by_role("navigation", name="Päävalikko").get_by_role(
        "link", name="Verkosto", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jakoverkosto")
    form = page.get_by_role("region", name="Tuttavuudet")
    form.get_by_label("Kuka", exact=True).select_option(park)
    form.get_by_label("Tuntee kenet").select_option(shop)
    form.get_by_role("group", name="Kuinka vahva suhde on?").get_by_label("Vahva suhde").check()
    form.get_by_role("button", name="Kirjaa tuttavuus").click()
    expect(page.get_by_role("status")).to_contain_text("Tuttavuus kirjattiin.")
    form = page.get_by_role("region", name="Tuttavuudet")
    form.get_by_label("Kuka", exact=True).select_option(shop)
    form.get_by_label("Tuntee kenet").select_option(person_id)
    form.get_by_role("button", name="Kirjaa tuttavuus").click()
    expect(page.get_by_role("status")).to_contain_text("Tuttavuus kirjattiin.")

    drawing = page.get_by_role("img", name=re.compile("^Jakoverkosto"))
    expect(drawing).to_be_visible()
    # Every drawn node carries its name (or its kind) as a title.
    expect(drawing.locator("title", has_text=f"Puistotalo {word}")).to_have_count(1)
    findings = page.get_by_role("region", name="Havainnot")
    expect(findings.locator("#finding-articulation-points")).to_contain_text(f"Kyläkauppa {word}")
    expect(findings.locator("#finding-bridges")).to_contain_text(f"Mikko {word}")
    expect(findings.locator("#betweenness-method")).to_contain_text("Tarkasti")
    expect(page.get_by_role("table", name="Organisaatiosi kirjaamat tuttavuudet")).to_contain_text(
        f"Puistotalo {word}"
    )
    expect(page.locator("body")).not_to_contain_text(hidden)
    assert page.get_by_role("option", name=re.compile(f"^{hidden}")).count() == 0
    assert has_no_horizontal_scroll(page)
