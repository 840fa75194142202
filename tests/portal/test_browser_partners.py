"""The partner pages in a real Chromium against the real registry: creating a partner with
consents, an error at its field, one-step activity logging, a pooled partner seen from
another organisation and in the owner's access log, consent to share with one named
organisation, erasing a partner after typing its name, the import wizard, the language
switch and a phone-sized screen."""

import secrets
from collections.abc import Iterator

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, BrowserContext, Page, expect

from shared.local_time import today_in
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_PASSWORD,
    OLLI_EMAIL,
    PEER_ORGANISATION,
    PEKKA_EMAIL,
    POOL_NAME,
    PortalStack,
    api_partner,
    has_no_horizontal_scroll,
)

pytestmark = pytest.mark.browser


def today_fi() -> str:
    """Today in Finnish time, as the Finnish pages write it; read when a test runs, not when
    the module is collected (Helsinki's midnight may fall between the two)."""
    return format_date(today_in("Europe/Helsinki"), format="medium", locale="fi_FI")


CSV_HEADER = "Nimi;Sähköposti;Postinumero\n"
BAD_CSV = (
    CSV_HEADER + "Kirjasto {tag};k-{tag}@example.org;00530\nHuono {tag};h-{tag}@example.org;99999\n"
)
GOOD_CSV = (
    CSV_HEADER
    + "Kirjasto {tag};k-{tag}@example.org;00530\nNuorisotalo {tag};n-{tag}@example.org;00500\n"
)


def new_context(
    browser: Browser, stack: PortalStack, locale: str = "fi-FI", **options: object
) -> BrowserContext:
    context = browser.new_context(base_url=stack.portal_url, locale=locale, **options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(ANNA_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tervetuloa")


@pytest.fixture
def anna_page(browser: Browser, portal_stack: PortalStack) -> Iterator[Page]:
    context = new_context(browser, portal_stack)
    page = context.new_page()
    log_in(page, ANNA_EMAIL)
    yield page
    context.close()


def tag() -> str:
    return secrets.token_hex(3)


def search(page: Page, name: str) -> None:
    page.goto("/partners")
    search_form = page.get_by_role("search")
    search_form.get_by_label("Nimi", exact=True).fill(name)
    search_form.get_by_role("button", name="Hae").click()


def test_a_partner_created_with_consents_is_found_in_the_list(anna_page: Page) -> None:
    page, word = anna_page, tag()
    name = f"Kallion kokkikerho {word}"
    page.goto("/partners")
    page.get_by_role("link", name="Lisää kumppani").click()
    page.get_by_role("link", name="Organisaatio").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lisää organisaatio")
    page.get_by_label("Nimi", exact=True).fill(name)
    page.get_by_label("Sähköpostiosoite").fill(f"kerho-{word}@example.org")
    page.get_by_label("Puhelin").fill("040 123 4567")
    page.locator("#offers-0-title").fill("Kokkikerho")
    page.locator("#offers-0-schedule").fill("tiistaisin 17–19")
    page.get_by_label("Alue", exact=True).select_option("00530")
    consent = page.get_by_role("group", name="Mihin kumppani on suostunut?")
    consent.get_by_label("Kortin säilyttäminen resurssitiedostossamme").check()
    consent.get_by_label("Kortin näyttäminen koko tiimillemme").check()
    consent.get_by_label(f"Jakaminen verkostossa {POOL_NAME}").check()
    page.get_by_role("group", name="Miten suostumus annettiin?").get_by_label(
        "Kirjallisesti"
    ).check()
    page.get_by_label("Tietoselosteen versio").fill("2026-1")
    page.get_by_role("button", name="Lisää kumppani").click()

    expect(page.get_by_role("status")).to_have_text("Kumppani lisättiin resurssitiedostoon.")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    front = page.get_by_role("region", name="Kortin etupuoli")
    expect(front).to_contain_text("Kokkikerho – tiistaisin 17–19")
    consents = page.get_by_role("table", name="Mihin kumppani nyt suostuu")
    expect(consents).to_contain_text("Kortin säilyttäminen resurssitiedostossamme")
    expect(consents).to_contain_text(f"Jakaminen verkostossa {POOL_NAME}")

    search(page, word)
    expect(page.get_by_role("heading", name="1 kumppani löytyi")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Organisaatio")
    expect(row).to_contain_text("Kallio")
    expect(row).to_contain_text("Heikko suhde")
    expect(row).to_contain_text("Ei koskaan")
    expect(row).to_contain_text("Oma")
    row.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_an_error_is_shown_next_to_its_field_and_nothing_is_created(anna_page: Page) -> None:
    page, word = anna_page, tag()
    name = f"Virheellinen {word}"
    page.goto("/partners/new/citizen")
    page.get_by_label("Nimi", exact=True).fill(name)
    page.get_by_label("Sähköpostiosoite").fill("maija.example.org")
    page.get_by_label("Kortin säilyttäminen resurssitiedostossamme").check()
    page.get_by_label("Suullisesti").check()
    page.get_by_label("Tietoselosteen versio").fill("1")
    page.get_by_role("button", name="Lisää kumppani").click()

    message = "Kirjoita sähköpostiosoite oikeassa muodossa, esimerkiksi nimi@example.org."
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(message)
    email = page.get_by_label("Sähköpostiosoite")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(f"Virhe: {message}")
    expect(email).to_have_value("maija.example.org")
    expect(page.get_by_label("Nimi", exact=True)).to_have_value(name)
    expect(page.get_by_label("Kortin säilyttäminen resurssitiedostossamme")).to_be_checked()
    expect(page).to_have_title("Virhe: Lisää kansalainen – Kortisto")
    summary.get_by_role("link", name=message).click()
    expect(email).to_be_focused()

    search(page, word)
    expect(page.get_by_role("heading", name="0 kumppania löytyi")).to_be_visible()


def test_an_activity_logged_in_one_step_updates_the_last_contact(
    anna_page: Page, portal_stack: PortalStack
) -> None:
    page, word = anna_page, tag()
    name = f"Nuorisotalo {word}"
    partner_id = api_partner(portal_stack, name)
    search(page, word)
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Ei koskaan")
    row.get_by_text("Kirjaa toimintaa").click()
    row.get_by_label("Mitä teitte?").select_option("meeting")
    expect(row.get_by_label("Päivämäärä")).to_have_value(today_in("Europe/Helsinki").isoformat())
    row.get_by_label("Mitä tapahtui").fill("Tapasimme nuorisotalolla")
    row.get_by_label("Lopputulos").fill("Sovimme bändikerhosta")
    row.get_by_role("button", name="Kirjaa toiminta").click()

    expect(page.get_by_role("status")).to_have_text(
        "Toiminta kirjattiin ja viimeisin yhteys päivitettiin."
    )
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(today_fi())
    expect(row).not_to_contain_text("Ei koskaan")

    # On the card the same form logs straight away and returns to the card.
    page.goto(f"/partners/{partner_id}")
    log = page.get_by_role("region", name="Mitä olemme tehneet yhdessä")
    expect(log.get_by_role("table")).to_contain_text("Tapasimme nuorisotalolla")
    log.get_by_label("Mitä tapahtui").fill("Soitin ja kysyin kuulumiset")
    log.get_by_role("button", name="Kirjaa toiminta").click()
    expect(page).to_have_url(f"{portal_stack.portal_url}/partners/{partner_id}#activities")
    expect(page.get_by_role("status")).to_contain_text("Toiminta kirjattiin")
    expect(page.get_by_role("table", name="Toiminta, uusin ensin")).to_contain_text(
        "Soitin ja kysyin kuulumiset"
    )


def test_a_pooled_partner_shows_only_shared_fields_and_is_in_the_owners_access_log(
    browser: Browser, portal_stack: PortalStack
) -> None:
    word = tag()
    name = f"Liisa Leipuri {word}"
    api_partner(
        portal_stack,
        name,
        "citizen",
        purposes=("file", "team", f"pool:{portal_stack.pool_id}"),
        scope="basic",
        contact={"email": f"liisa-{word}@example.org"},
        skills=["leipominen", "neulominen"],
        birthday="1970-05-01",
        notes="Salainen muistiinpano",
    )
    peer = new_context(browser, portal_stack)
    owner = new_context(browser, portal_stack)
    try:
        pekka = peer.new_page()
        log_in(pekka, PEKKA_EMAIL)
        search(pekka, word)
        row = pekka.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text("Jaettu meille")
        expect(row).to_contain_text("Test Org")
        expect(row.get_by_text("Kirjaa toimintaa")).to_have_count(0)
        row.get_by_role("link", name=name).click()
        main = pekka.get_by_role("main")
        expect(main).to_contain_text("Tämä kumppani kuuluu organisaatiolle Test Org.")
        expect(main).to_contain_text(
            "Tämän kortin avaaminen kirjattiin organisaation Test Org käyttölokiin."
        )
        expect(main).to_contain_text("leipominen")
        for hidden in (
            f"liisa-{word}@example.org",
            "Salainen muistiinpano",
            "1970",
            "Suostumukset",
        ):
            expect(main).not_to_contain_text(hidden)

        olli = owner.new_page()
        log_in(olli, OLLI_EMAIL)
        olli.get_by_role("navigation", name="Päävalikko").get_by_role(
            "link", name="Käyttöloki"
        ).click()
        entries = olli.get_by_role("table", name="Käyttöloki, uusimmat ensin, sivu 1")
        opened = entries.get_by_role("row").filter(has_text=name).filter(has_text="Avasi kortin")
        expect(opened).to_contain_text(PEER_ORGANISATION)
        expect(opened).to_contain_text(f"Jaettu verkostossa {POOL_NAME}")
        # Pekka's searches are logged too (the list's first page and the name search).
        expect(
            entries.get_by_role("row").filter(has_text=name).filter(has_text="Löysi haulla")
        ).not_to_have_count(0)
        olli.get_by_role("button", name="Tarkista ketju").click()
        expect(olli.get_by_role("status")).to_contain_text("Loki on koskematon.")
    finally:
        peer.close()
        owner.close()


def test_consent_to_share_with_one_named_organisation_is_recorded_on_the_card(
    anna_page: Page, portal_stack: PortalStack
) -> None:
    page, word = anna_page, tag()
    name = f"Nimetty jako {word}"
    partner_id = api_partner(portal_stack, name)
    page.goto(f"/partners/{partner_id}")
    page.locator("details.disclosure > summary", has_text="Kirjaa suostumus").click()
    form = page.locator(f"form[action='/partners/{partner_id}/consents']")
    form.get_by_label("Jakaminen yhdelle organisaatiolle").select_option(label=PEER_ORGANISATION)
    form.get_by_label("Kuinka paljon organisaatio saa nähdä?").select_option("contact")
    form.get_by_label("Kirjallisesti").check()
    form.get_by_label("Tietoselosteen versio").fill("2026-1")
    form.get_by_role("button", name="Kirjaa suostumus").click()

    expect(page.get_by_role("status")).to_have_text("Suostumus kirjattiin.")
    consents = page.get_by_role("table", name="Mihin kumppani nyt suostuu")
    expect(consents).to_contain_text(
        f"Jakaminen organisaatiolle {PEER_ORGANISATION} (yhteystietoineen)"
    )


def test_a_partner_is_erased_after_typing_its_name(
    anna_page: Page, portal_stack: PortalStack
) -> None:
    page, word = anna_page, tag()
    name = f"Poistettava Pirjo {word}"
    partner_id = api_partner(portal_stack, name, "citizen")
    page.goto(f"/partners/{partner_id}")
    erase = page.get_by_role("region", name="Poista kumppani pysyvästi")
    erase.get_by_role("link", name="Poista kumppani pysyvästi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Poista {name} pysyvästi")
    expect(page.get_by_role("main")).to_contain_text("Poistoa ei voi perua.")
    expect(
        page.get_by_role("link", name="Lataa kaikki kumppanista säilytetyt tiedot (JSON)")
    ).to_have_attribute("href", f"/partners/{partner_id}/export")

    typed = page.get_by_label("Vahvista kirjoittamalla kumppanin nimi")
    typed.fill("Pirjo")
    page.get_by_role("button", name="Poista pysyvästi").click()
    message = "Kirjoittamasi nimi ei ole tämän kumppanin nimi."
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(typed).to_have_attribute("aria-invalid", "true")

    typed.fill(name.lower())
    page.get_by_role("button", name="Poista pysyvästi").click()
    expect(page).to_have_url(f"{portal_stack.portal_url}/partners")
    expect(page.get_by_role("status")).to_contain_text("Kumppanin tiedot poistettiin pysyvästi.")
    search(page, word)
    expect(page.get_by_role("heading", name="0 kumppania löytyi")).to_be_visible()


def test_the_import_wizard_reports_a_bad_row_then_commits_a_good_file(anna_page: Page) -> None:
    page, word = anna_page, tag()
    page.goto("/partners")
    page.get_by_role("link", name="Tuo taulukosta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuo kumppaneita")

    def choose(content: str) -> None:
        page.get_by_label("Tiedosto", exact=True).set_input_files(
            files=[{"name": "kumppanit.csv", "mimeType": "text/csv", "buffer": content.encode()}]
        )
        page.get_by_label("Organisaatioita").check()
        page.get_by_label("Kortin säilyttäminen resurssitiedostossamme").check()
        page.get_by_label("Kortin näyttäminen koko tiimillemme").check()
        page.get_by_role("group", name="Miten suostumukset annettiin?").get_by_label(
            "Kirjallisesti"
        ).check()
        page.get_by_label("Tietoselosteen versio").fill("2026-1")
        page.get_by_role("button", name="Tarkista tiedosto").click()

    choose(BAD_CSV.format(tag=word))
    expect(page.get_by_role("alert")).to_contain_text("Tiedostoa ei voi tuoda sellaisenaan")
    expect(page.get_by_role("alert")).to_contain_text("1 rivillä on virheitä.")
    bad_row = page.locator("tr.row--error")
    expect(bad_row).to_have_count(1)
    expect(bad_row.get_by_role("rowheader")).to_have_text("3")
    expect(bad_row).to_contain_text("Alue (Postinumero)")
    expect(bad_row).to_contain_text("Tällä postinumerolla ei ole aluetta.")
    expect(page.get_by_role("button", name="Tuo kaikki 2 riviä")).to_have_count(0)

    page.get_by_role("link", name="Valitse korjattu tiedosto").click()
    choose(GOOD_CSV.format(tag=word))
    expect(page.get_by_role("status")).to_contain_text("Kaikki 2 riviä voidaan tuoda")
    page.get_by_role("button", name="Tuo kaikki 2 riviä").click()
    expect(page.get_by_role("status")).to_contain_text("2 kumppania lisättiin resurssitiedostoon.")
    page.get_by_role("link", name="Siirry kumppaneihin").click()
    expect(page.get_by_role("link", name=f"Kirjasto {word}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Nuorisotalo {word}")).to_be_visible()


def test_the_language_switch_works_on_the_partner_pages(
    anna_page: Page, portal_stack: PortalStack
) -> None:
    page, word = anna_page, tag()
    name = f"Kirjasto {word}"
    partner_id = api_partner(portal_stack, name, resources_available=["Sali"])

    def switch(to: str) -> None:
        page.get_by_role("navigation", name="Kieli" if to == "English" else "Language").get_by_role(
            "button", name=to
        ).click()

    page.goto(f"/partners?name={word}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verkostokumppanit")
    switch("English")
    expect(page).to_have_url(f"{portal_stack.portal_url}/partners?name={word}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    expect(page.get_by_role("heading", name="1 partner found")).to_be_visible()
    expect(page.get_by_role("search").get_by_label("Name", exact=True)).to_have_value(word)

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("region", name="Front of the card")).to_be_visible()
    expect(page.get_by_role("region", name="Back of the card")).to_contain_text("Sali")
    switch("Suomi")
    expect(page).to_have_url(f"{portal_stack.portal_url}/partners/{partner_id}")
    expect(page.get_by_role("region", name="Kortin kääntöpuoli")).to_contain_text("Sali")

    for path, finnish, english in (
        ("/partners/new/organisation", "Lisää organisaatio", "Add an organisation"),
        ("/partners/import", "Tuo kumppaneita", "Import partners"),
        ("/districts", "Alueet", "Districts"),
        ("/access-log", "Käyttöloki", "Access log"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(finnish)
        switch("English")
        expect(page.get_by_role("heading", level=1)).to_have_text(english)
        switch("Suomi")
        expect(page.get_by_role("heading", level=1)).to_have_text(finnish)


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_partner_pages_fit_a_phone_screen(
    browser: Browser, portal_stack: PortalStack, language: str
) -> None:
    word = tag()
    partner_id = api_partner(
        portal_stack,
        f"Pitkänimisen yhdistyksen kokkikerho ja kaikkien kortteliasukkaiden olohuone {word}",
        contact={"email": f"hyvin.pitka.osoite.{word}@esimerkkiyhdistys.example.org"},
        offers=[
            {"title": "Kokkikerho", "description": "Ruokaa yhdessä " * 20, "schedule": "ti 17–19"}
        ],
        resources_available=["Keittiö", "Sali 40 hengelle"],
        resources_needed=["Vapaaehtoisia"],
    )
    context = new_context(
        browser,
        portal_stack,
        locale=language,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.locator("#email").fill(ANNA_EMAIL)
        page.locator("#password").fill(ANNA_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        page.wait_for_url("**/")

        for path in (
            "/partners",
            f"/partners?name={word}",
            f"/partners/{partner_id}",
            "/partners/new",
            "/partners/new/organisation",
            "/partners/new/citizen",
            f"/partners/{partner_id}/edit",
            "/partners/import",
            "/districts",
            "/access-log",
        ):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert has_no_horizontal_scroll(page), path

        # The open quick-log form in a list row, the card's open disclosures and an error
        # state fit too.
        page.goto(f"/partners?name={word}")
        page.locator("details.quick-log summary").first.click()
        assert has_no_horizontal_scroll(page), "quick log"
        page.goto(f"/partners/{partner_id}")
        for summary in page.locator("details.disclosure > summary").all():
            summary.click()
        assert has_no_horizontal_scroll(page), "card with its forms open"
        page.goto("/partners/new/organisation")
        page.locator("#contact_email").fill("not-an-address")
        page.locator("form.form--wide button[type=submit]").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert has_no_horizontal_scroll(page), "form errors"
        page.goto("/partners/import")
        page.locator("#file").set_input_files(
            files=[
                {
                    "name": "k.csv",
                    "mimeType": "text/csv",
                    "buffer": BAD_CSV.format(tag=word).encode(),
                }
            ]
        )
        page.locator("input[name=kind][value=organisation]").check()
        page.locator("form.form--wide button[type=submit]").click()
        expect(page.locator("tr.row--error")).to_have_count(1)
        assert has_no_horizontal_scroll(page), "import report"
    finally:
        context.close()
