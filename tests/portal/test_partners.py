"""The partner pages over HTTP against the real registry process: the list and its filters,
the card, creating and editing with consent capture and the registry's errors at their
fields, pending partners, duplicates, one-step activity logging, consents, competence
cards, and a pooled partner as another organisation sees it."""

import json
import re

import httpx
from babel.dates import format_date

from shared.local_time import today_in
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_NAME,
    ANNA_PASSWORD,
    OLLI_EMAIL,
    OLLI_NAME,
    PEER_ORGANISATION,
    POOL_NAME,
    Elements,
    PortalStack,
    api_partner,
    client_session,
    csrf_of,
    unique,
)


def today_fi() -> str:
    """Today in Finnish time, as the Finnish pages write it; read when a test runs, not when
    the module is collected (Helsinki's midnight may fall between the two)."""
    return format_date(today_in("Europe/Helsinki"), format="medium", locale="fi_FI")


# Consent to keep the card and show it to the team, given in writing.
CONSENTED: dict[str, object] = {
    "purpose": ["file", "team"],
    "consent_method": "written",
    "information_version": "1",
}


def create(client: httpx.Client, kind: str = "organisation", **fields: object) -> httpx.Response:
    token = csrf_of(client.get(f"/partners/new/{kind}").text)
    return client.post(
        f"/partners/new/{kind}", data={"csrf_token": token, **fields}, follow_redirects=False
    )


def created_id(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/partners/([0-9a-f-]{36})(\?.*)?", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def listed(client: httpx.Client, **params: str) -> str:
    response = client.get("/partners", params=params)
    assert response.status_code == 200, response.text
    return response.text


def token_of(name: str) -> str:
    """The random word ``unique`` added: searching by it finds exactly this partner."""
    return name.rsplit(" ", 1)[1]


def a_category(stack: PortalStack) -> tuple[str, str]:
    response = httpx.get(
        f"{stack.registry_url}/categories",
        params={"lang": "fi"},
        headers=stack.api_token(ANNA_EMAIL),
    )
    first = next(c for c in response.json() if c["parent_code"])
    return first["code"], first["label"]


def in_registry(stack: PortalStack, partner_id: str, email: str = ANNA_EMAIL) -> httpx.Response:
    """The partner as the registry gives it to ``email`` (Anna by default)."""
    return httpx.get(f"{stack.registry_url}/partners/{partner_id}", headers=stack.api_token(email))


def error_at(page: Elements, field_id: str) -> str:
    (field,) = page.find("input", id=field_id) or page.find("select", id=field_id)
    assert field.get("aria-invalid") == "true", field
    assert f"{field_id}-error" in field["aria-describedby"].split()
    return page.text_of(f"{field_id}-error")


# -- list and card -----------------------------------------------------------------------


def test_an_organisation_with_consents_is_created_shown_as_a_card_and_listed(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    name = unique("Kallion kokkikerho")
    category, category_label = a_category(portal_stack)
    response = create(
        anna,
        name=name,
        contact_email="kerho@example.org",
        contact_phone="040 123 4567",
        target_group="Nuoret aikuiset",
        resources_available="Keittiö\nSali 40 hengelle",
        resources_needed="Vapaaehtoisia kokkeja",
        district_code="00530",
        tie_strength="strong",
        purpose=["file", "team", "newsletter"],
        consent_method="written",
        information_version="2026-1",
        **{
            "offers-0-title": "Kokkikerho",
            "offers-0-schedule": "tiistaisin 17–19",
            "category-0": category,
        },
    )
    partner_id = created_id(response)
    card = anna.get(response.headers["location"])
    assert card.status_code == 200
    assert card.headers["cache-control"] == "no-store"
    html = card.text
    assert "Kumppani lisättiin resurssitiedostoon." in html
    assert f"<h1>{name}</h1>" in html
    for text in (
        "Kortin etupuoli",
        "Kortin kääntöpuoli",
        "Nuoret aikuiset",
        "Kokkikerho",
        "tiistaisin 17–19",
        "Keittiö",
        "Sali 40 hengelle",
        "Vapaaehtoisia kokkeja",
        "Alue: Kallio",
        "Vahva suhde",
        category_label,
        "kerho@example.org",
        ANNA_NAME,
        "Kortin säilyttäminen resurssitiedostossamme",
        "Uutiskirjeiden lähettäminen",
        "Kirjallisesti",
        "2026-1",
        "Mitä olemme tehneet yhdessä",
        today_fi(),
    ):
        assert text in html, text
    assert f'href="/partners/{partner_id}/consents/receipt"' in html

    row = listed(anna, name=token_of(name))
    assert "1 kumppani löytyi" in row
    assert f'<a href="/partners/{partner_id}">{name}</a>' in row
    for text in ("Organisaatio", "Kallio", "Vahva suhde", "Ei koskaan", "Oma", "Kirjaa toimintaa"):
        assert text in row, text
    page = Elements(row)
    assert page.find("table") and page.find("caption")
    assert len(page.find("th", scope="col")) == 7

    # The filters narrow the list as the registry's search does.
    token = token_of(name)
    assert name in listed(anna, name=token, district="00530", neighbours="1")
    assert name in listed(anna, name=token, district="00510", neighbours="1"), "a neighbour"
    assert name not in listed(anna, name=token, district="00510")
    assert name in listed(anna, name=token, category=category, kind="organisation")
    assert name not in listed(anna, name=token, kind="citizen")
    assert name not in listed(anna, name=token, tie_strength="weak")
    assert name in listed(anna, name=token, months="6"), "never contacted counts"
    assert name in listed(anna, text="kokkikerho", name=token)
    assert name in listed(anna, name=token, scope="own")
    assert name not in listed(anna, name=token, scope="shared")


def test_the_list_works_as_a_get_form_with_paging_and_an_empty_state(
    anna: httpx.Client,
) -> None:
    html = listed(anna, name="zzqq-nobody")
    page = Elements(html)
    (form,) = page.find("form", role="search")
    assert form["method"] == "get" and form["action"] == "/partners"
    labelled = {a["for"] for a in page.find("label")}
    for field in ("name", "text", "district", "category", "kind", "tie_strength", "months"):
        assert field in labelled, field
    assert page.find("input", type="checkbox", name="neighbours")
    assert [a["value"] for a in page.find("input", name="scope")] == ["all", "own", "shared"]
    assert page.find("legend")
    assert "Näillä hakuehdoilla ei löytynyt kumppaneita." in html
    assert '<a href="/partners">Tyhjennä hakuehdot</a>' in html

    wrong = anna.get("/partners", params={"months": "kuusi"})
    assert wrong.status_code == 422
    assert "Kirjoita kuukausien määrä kokonaislukuna" in error_at(Elements(wrong.text), "months")

    # More than a page: the paging links keep the filters.
    prefix = unique("Sivutus").rsplit(" ", 1)[1]
    for number in range(26):
        created_id(create(anna, name=f"{prefix} {number}", **CONSENTED))
    first = listed(anna, name=prefix, scope="own")
    assert "26 kumppania löytyi" in first
    assert "Sivu 1 / 2" in first
    assert f'href="/partners?name={prefix}&amp;scope=own&amp;page=2"' in first
    second = listed(anna, name=prefix, scope="own", page="2")
    assert "Sivu 2 / 2" in second and "Edellinen sivu" in second


def test_an_error_from_the_registry_is_shown_at_its_field_and_nothing_is_created(
    anna: httpx.Client,
) -> None:
    name = unique("Virheellinen")
    cases = [
        (
            {"contact_email": "ei-osoite"},
            "contact_email",
            "Kirjoita sähköpostiosoite oikeassa muodossa",
        ),
        ({"contact_phone": "12"}, "contact_phone", "Kirjoita puhelinnumero"),
        ({"district_code": "99999"}, "district_code", "Valitse alue luettelosta."),
        # An offer without a title; filled slots move up when the form comes back.
        (
            {"offers-1-schedule": "maanantaisin"},
            "offers-0-title",
            "Anna tarjonnalle otsikko.",
        ),
    ]
    for fields, field_id, message in cases:
        response = create(
            anna,
            name=name,
            purpose=["file", "team"],
            consent_method="written",
            information_version="1",
            **fields,
        )
        assert response.status_code == 422, field_id
        page = Elements(response.text)
        assert message in error_at(page, field_id), field_id
        summary_links = [a["href"] for a in page.find("a") if a["href"].startswith("#")]
        assert f"#{field_id}" in summary_links
        assert page.find("div", role="alert")
        (kept,) = page.find("input", id="name")
        assert kept["value"] == name, "what was typed stays"
        assert "<title>Virhe: Lisää organisaatio – Kortisto</title>" in response.text

    # Consent errors land at the consent they concern.
    team_only = create(
        anna, name=name, purpose=["team"], consent_method="verbal", information_version="1"
    )
    assert team_only.status_code == 422
    assert "edellyttävät ensin suostumusta kortin säilyttämiseen" in error_at(
        Elements(team_only.text), "purpose-team"
    )
    no_version = create(anna, name=name, purpose=["file"], consent_method="verbal")
    assert "tietoselosteen versio" in error_at(Elements(no_version.text), "information_version")
    pending_too_much = create(anna, name=name, contact_email="a@example.org", target_group="Kaikki")
    assert "Ilman suostumusta kortin säilyttämiseen" in error_at(
        Elements(pending_too_much.text), "purpose-file"
    )
    # A citizen's availability and birthday.
    late = create(
        anna,
        "citizen",
        name=name,
        **CONSENTED,
        **{
            "availability-0-weekday": "2",
            "availability-0-start": "18:00",
            "availability-0-end": "17:00",
        },
    )
    assert "Päättymisajan pitää olla alkamisajan jälkeen." in error_at(
        Elements(late.text), "availability-0-end"
    )
    born = create(
        anna,
        "citizen",
        name=name,
        purpose=["file"],
        consent_method="verbal",
        information_version="1",
        birthday="2999-01-01",
    )
    assert "Syntymäpäivän pitää olla menneisyydessä." in error_at(Elements(born.text), "birthday")

    assert "0 kumppania löytyi" in listed(anna, name=token_of(name), status="any")


def test_an_address_that_is_not_a_partner_id_is_not_found(anna: httpx.Client) -> None:
    for path in ("/partners/%2E%2E", "/partners/not%20an%20id", "/partners/..%2Fusers"):
        response = anna.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404, path
        assert "Sivua ei löytynyt" in response.text
    unknown = anna.get("/partners/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404


def test_a_form_without_its_token_changes_nothing(anna: httpx.Client) -> None:
    name = unique("Väärennetty")
    anna.get("/partners/new/organisation")
    forged = anna.post(
        "/partners/new/organisation",
        data={"csrf_token": "forged", "name": name, "purpose": "file"},
        follow_redirects=False,
    )
    assert forged.status_code == 400
    assert "Sivu oli vanhentunut" in forged.text
    assert "0 kumppania löytyi" in listed(anna, name=token_of(name), status="any")


def test_a_partner_without_consent_waits_and_is_explained_until_consent_is_recorded(
    anna: httpx.Client,
) -> None:
    name = unique("Odottava Olga")
    partner_id = created_id(create(anna, "citizen", name=name, contact_phone="040 765 4321"))
    card = anna.get(f"/partners/{partner_id}").text
    assert "Kumppani tallennettiin odottamaan suostumusta" in card
    assert "Odottaa suostumusta" in card
    assert "ei ole vielä suostunut siihen, että hänen tietonsa säilytetään" in card
    assert "poistetaan automaattisesti" in card
    assert f'action="/partners/{partner_id}/activities"' not in card
    assert name in listed(anna, name=token_of(name), status="pending")
    assert name not in listed(anna, name=token_of(name))

    token = csrf_of(card)
    refused = anna.post(
        f"/partners/{partner_id}/consents",
        data={"csrf_token": token, "purpose": ["file", "team"], "information_version": "1"},
    )
    assert refused.status_code == 422
    assert "Valitse, miten suostumus annettiin." in error_at(
        Elements(refused.text), "consent-consent_method"
    )
    recorded = anna.post(
        f"/partners/{partner_id}/consents",
        data={
            "csrf_token": token,
            "purpose": ["file", "team"],
            "consent_method": "verbal",
            "information_version": "1",
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    card = anna.get(recorded.headers["location"]).text
    assert "Suostumus kirjattiin." in card
    assert "Odottaa suostumusta" not in card
    assert f'action="/partners/{partner_id}/activities"' in card
    assert name in listed(anna, name=token_of(name))


def test_a_possible_duplicate_is_named_and_linked_after_creating(anna: httpx.Client) -> None:
    email = f"{token_of(unique('x'))}@example.org"
    first_name = unique("Kirjasto Kallio")
    first = created_id(create(anna, name=first_name, contact_email=email, **CONSENTED))
    second = create(anna, name=unique("Kallion kirjasto"), contact_email=email, **CONSENTED)
    assert second.headers["location"].endswith(f"?same={first}")
    card = anna.get(second.headers["location"]).text
    assert "Mahdollisesti sama kumppani" in card
    assert f'Mahdollisesti sama kuin <a href="/partners/{first}">{first_name}</a>' in card


def test_an_activity_is_logged_in_one_step_from_the_list_and_updates_the_last_contact(
    anna: httpx.Client,
) -> None:
    name = unique("Nuorisotalo")
    partner_id = created_id(create(anna, name=name, **CONSENTED))
    list_path = f"/partners?name={token_of(name)}"
    row = anna.get(list_path).text
    assert "Ei koskaan" in row
    assert f'<input type="hidden" name="next" value="{list_path}">' in row
    logged = anna.post(
        f"/partners/{partner_id}/activities",
        data={
            "csrf_token": csrf_of(row),
            "next": list_path,
            "kind": "meeting",
            "occurred_on": today_in("Europe/Helsinki").isoformat(),
            "content": "Tapasimme nuorisotalolla",
            "outcome": "Sovimme bändikerhosta",
        },
        follow_redirects=False,
    )
    assert logged.status_code == 303
    assert logged.headers["location"] == list_path
    row = anna.get(list_path).text
    assert "Toiminta kirjattiin ja viimeisin yhteys päivitettiin." in row
    assert today_fi() in row and "Ei koskaan" not in row

    card = anna.get(f"/partners/{partner_id}").text
    for text in ("Tapaaminen", "Tapasimme nuorisotalolla", "Sovimme bändikerhosta", ANNA_NAME):
        assert text in card, text

    future = anna.post(
        f"/partners/{partner_id}/activities",
        data={"csrf_token": csrf_of(card), "kind": "contact", "occurred_on": "2999-01-01"},
    )
    assert future.status_code == 422
    assert "Päivämäärä ei voi olla tulevaisuudessa." in error_at(
        Elements(future.text), "activity-occurred_on"
    )
    # Nothing but the card page on the way back: no redirect off the site.
    offsite = anna.post(
        f"/partners/{partner_id}/activities",
        data={"csrf_token": csrf_of(card), "kind": "contact", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert offsite.headers["location"] == f"/partners/{partner_id}#activities"


def test_a_consent_is_withdrawn_and_the_receipt_downloaded(anna: httpx.Client) -> None:
    partner_id = created_id(
        create(
            anna,
            name=unique("Peruja"),
            purpose=["file", "team", "newsletter"],
            consent_method="written",
            information_version="3",
        )
    )
    card = anna.get(f"/partners/{partner_id}").text
    token = csrf_of(card)
    nothing = anna.post(
        f"/partners/{partner_id}/consents/withdraw",
        data={"csrf_token": token, "withdraw_method": "verbal"},
    )
    assert nothing.status_code == 422
    assert "Valitse peruttavat suostumukset." in nothing.text
    withdrawn = anna.post(
        f"/partners/{partner_id}/consents/withdraw",
        data={"csrf_token": token, "withdraw": "newsletter", "withdraw_method": "verbal"},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    card = anna.get(withdrawn.headers["location"]).text
    assert "Suostumus peruttiin." in card
    start = card.index("Mihin kumppani nyt suostuu")
    current = card[start : card.index("</table>", start)]
    assert "Uutiskirjeiden lähettäminen" not in current
    assert "Peruttu" in card and "Suullisesti" in card

    receipt = anna.get(f"/partners/{partner_id}/consents/receipt")
    assert receipt.status_code == 200
    assert receipt.headers["content-disposition"].startswith("attachment")
    assert receipt.headers["cache-control"] == "no-store"
    document = json.loads(receipt.content)
    assert document["current_purposes"] == ["file", "team"]
    assert [r["action"] for r in document["records"]].count("withdrawn") == 1


def test_every_error_of_the_form_is_shown_at_once(anna: httpx.Client) -> None:
    name = unique("Monta virhettä")
    response = create(
        anna,
        name=name,
        contact_email="ei-osoite",
        contact_phone="12",
        purpose=["file", "team"],
        consent_method="written",
        information_version="1",
        **{"offers-0-schedule": "maanantaisin", "offers-1-title": "x" * 301},
    )
    assert response.status_code == 422
    page = Elements(response.text)
    assert "Kirjoita sähköpostiosoite oikeassa muodossa" in error_at(page, "contact_email")
    assert "Kirjoita puhelinnumero" in error_at(page, "contact_phone")
    assert "Anna tarjonnalle otsikko." in error_at(page, "offers-0-title")
    assert error_at(page, "offers-1-title")
    summary_links = {a["href"] for a in page.find("a") if a["href"].startswith("#")}
    assert {"#contact_email", "#contact_phone", "#offers-0-title", "#offers-1-title"} <= (
        summary_links
    )

    # A card's errors and a wrong district come back together, and a citizen's times too.
    citizen = create(
        anna,
        "citizen",
        name="",
        district_code="99999",
        **CONSENTED,
        **{
            "availability-0-weekday": "2",
            "availability-0-start": "18:00",
            "availability-0-end": "17:00",
            "availability-1-weekday": "3",
            "availability-1-start": "kuusi",
        },
    )
    assert citizen.status_code == 422
    page = Elements(citizen.text)
    assert error_at(page, "name")
    assert "Valitse alue luettelosta." in error_at(page, "district_code")
    assert "Päättymisajan pitää olla" in error_at(page, "availability-0-end")
    assert "tunteina ja minuutteina" in error_at(page, "availability-1-start")
    assert "0 kumppania löytyi" in listed(anna, name=token_of(name), status="any")

    # Editing a card shows its errors together too.
    partner_id = created_id(create(anna, name=name, **CONSENTED))
    form = anna.get(f"/partners/{partner_id}/edit")
    wrong = anna.post(
        f"/partners/{partner_id}/edit",
        data={
            "csrf_token": csrf_of(form.text),
            "name": name,
            "contact_email": "ei-osoite",
            "contact_phone": "12",
            "status": "active",
        },
    )
    assert wrong.status_code == 422
    page = Elements(wrong.text)
    assert error_at(page, "contact_email") and error_at(page, "contact_phone")


def test_the_responsible_staff_member_is_chosen_among_staff_and_admins(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    word = token_of(unique("rooli"))
    names = {
        "planner": f"Suunnittelija {word}",
        "support_user": f"Tuettava {word}",
        "coordinator": f"Koordinaattori {word}",
        "staff": f"Työntekijä {word}",
    }
    members = {
        role: portal_stack.create_user(
            f"{role}-{word}@example.org", portal_stack.organisation_id, [role], name, ANNA_PASSWORD
        )
        for role, name in names.items()
    }
    for path in ("/partners/new/organisation", "/partners/new/citizen"):
        html = anna.get(path).text
        page = Elements(html)
        assert page.find("select", id="responsible_user_id")
        offered = {attributes.get("value") for tag, attributes in page.elements if tag == "option"}
        assert members["staff"] in offered, path
        for role in ("planner", "support_user", "coordinator"):
            assert members[role] not in offered, (path, role)
            assert names[role] not in html, (path, role)
        assert OLLI_NAME in html and ANNA_NAME in html, "admins and staff are offered"


def test_a_card_is_edited_and_its_errors_shown_at_the_fields(anna: httpx.Client) -> None:
    name = unique("Muokattava")
    partner_id = created_id(
        create(anna, name=name, resources_available="Kahvinkeitin", **CONSENTED)
    )
    form = anna.get(f"/partners/{partner_id}/edit")
    page = Elements(form.text)
    (kept,) = page.find("input", id="name")
    assert kept["value"] == name
    assert "Kahvinkeitin" in form.text
    assert not [i for i in page.find("input") if i.get("name") == "purpose"], (
        "consents live on the card"
    )
    token = csrf_of(form.text)
    wrong = anna.post(
        f"/partners/{partner_id}/edit",
        data={"csrf_token": token, "name": name, "contact_phone": "12", "status": "active"},
    )
    assert wrong.status_code == 422
    assert "Kirjoita puhelinnumero" in error_at(Elements(wrong.text), "contact_phone")
    saved = anna.post(
        f"/partners/{partner_id}/edit",
        data={
            "csrf_token": token,
            "name": f"{name} ry",
            "resources_available": "Kahvinkeitin\nAstiasto",
            "tie_strength": "strong",
            "status": "inactive",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    card = anna.get(saved.headers["location"]).text
    assert "Kortti tallennettiin." in card
    assert f"<h1>{name} ry</h1>" in card and "Astiasto" in card and "Ei aktiivinen" in card
    assert name not in listed(anna, name=token_of(name))
    assert name in listed(anna, name=token_of(name), status="inactive")


def test_competence_and_strength_cards_are_added_to_a_citizen_and_removed(
    anna: httpx.Client,
) -> None:
    partner_id = created_id(
        create(anna, "citizen", name=unique("Kalle Kokki"), skills="leipominen", **CONSENTED)
    )
    card = anna.get(f"/partners/{partner_id}").text
    assert "Pätevyys- tai vahvuuskortteja ei vielä ole." in card
    token = csrf_of(card)
    missing = anna.post(
        f"/partners/{partner_id}/competence-cards",
        data={"csrf_token": token, "kind": "competence", "domain": "cooking"},
    )
    assert missing.status_code == 422
    assert "Anna kortille otsikko." in error_at(Elements(missing.text), "competence-title")
    added = anna.post(
        f"/partners/{partner_id}/competence-cards",
        data={
            "csrf_token": token,
            "kind": "competence",
            "domain": "cooking",
            "title": "Karjalanpiirakat",
            "preferences": "Aamupäivisin, pienessä porukassa",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    card = anna.get(f"/partners/{partner_id}").text
    assert "Pätevyyskortti · Ruoanlaitto" in card and "Karjalanpiirakat" in card
    assert "Aamupäivisin, pienessä porukassa" in card
    (remove,) = re.findall(
        rf'action="(/partners/{partner_id}/competence-cards/[^"]+/remove)"', card
    )
    anna.post(remove, data={"csrf_token": token})
    assert "Karjalanpiirakat" not in anna.get(f"/partners/{partner_id}").text


# -- sharing -----------------------------------------------------------------------------


def test_a_pooled_partner_shows_the_other_organisation_only_the_shared_fields_and_is_logged(
    anna: httpx.Client, pekka: httpx.Client, olli: httpx.Client, portal_stack: PortalStack
) -> None:
    name = unique("Liisa Leipuri")
    pool = f"pool:{portal_stack.pool_id}"
    form = anna.get("/partners/new/citizen").text
    assert f"Jakaminen verkostossa {POOL_NAME}" in form
    partner_id = created_id(
        create(
            anna,
            "citizen",
            name=name,
            contact_email="liisa@example.org",
            birthday="1970-05-01",
            skills="leipominen\nneulominen",
            notes="Salainen muistiinpano",
            information_needed="Tietoa bussireiteistä",
            purpose=["file", "team", pool],
            consent_method="written",
            information_version="1",
            **{f"scope-purpose-pool-{portal_stack.pool_id}": "basic"},
        )
    )

    row = listed(pekka, name=token_of(name), scope="shared")
    assert f'<a href="/partners/{partner_id}">{name}</a>' in row
    assert "Jaettu meille" in row and "Test Org" in row
    assert f'action="/partners/{partner_id}/activities"' not in row

    card = pekka.get(f"/partners/{partner_id}").text
    assert "Tämä kumppani kuuluu organisaatiolle Test Org." in card
    assert "vain perustiedot" in card
    assert "Tämän kortin avaaminen kirjattiin organisaation Test Org käyttölokiin." in card
    assert "leipominen" in card and "neulominen" in card
    for hidden in (
        "liisa@example.org",
        "Salainen muistiinpano",
        "bussireiteistä",
        "1970",
        "Suostumukset",
        "Mitä olemme tehneet yhdessä",
        "Muokkaa korttia",
    ):
        assert hidden not in card, hidden
    assert pekka.get(f"/partners/{partner_id}/edit").status_code == 403
    refused = pekka.post(
        f"/partners/{partner_id}/activities",
        data={"csrf_token": csrf_of(card), "kind": "contact"},
    )
    assert refused.status_code == 403

    log = olli.get("/access-log").text
    entries = log[log.index("<tbody") :]
    assert f'<a href="/partners/{partner_id}">{name}</a>' in entries
    assert PEER_ORGANISATION in entries
    assert "Avasi kortin" in entries and "Löysi haulla" in entries
    assert f"Jaettu verkostossa {POOL_NAME}" in entries
    only_this = olli.get("/access-log", params={"partner": partner_id}).text
    assert f"Merkinnät kumppanista {name}" in only_this
    verified = olli.get("/access-log", params={"verify": "1"}).text
    assert "Loki on koskematon." in verified
    staff_verify = anna.get("/access-log", params={"verify": "1"}).text
    assert "Vain organisaatiosi pääkäyttäjät voivat tarkistaa ketjun." in staff_verify
    assert "Kallio ry" not in pekka.get("/access-log").text, "Pekka sees only his own log"


def test_a_partner_is_shared_with_one_named_organisation_from_the_card(
    anna: httpx.Client, pekka: httpx.Client, portal_stack: PortalStack
) -> None:
    name = unique("Nimetty jako")
    email = f"{token_of(name)}@example.org"
    partner_id = created_id(create(anna, name=name, contact_email=email, **CONSENTED))
    assert name not in listed(pekka, name=token_of(name)), "not shared yet"

    card = anna.get(f"/partners/{partner_id}").text
    page = Elements(card)
    offered = {o["value"] for o in page.find("option")}
    assert portal_stack.peer_organisation_id in offered
    assert portal_stack.organisation_id not in offered, "never our own organisation"
    assert page.find("select", id="consent-share_organisation")
    assert page.find("select", id="consent-share_organisation_scope")
    token = csrf_of(card)

    def share(organisation: str, scope: str = "basic") -> httpx.Response:
        return anna.post(
            f"/partners/{partner_id}/consents",
            data={
                "csrf_token": token,
                "share_organisation": organisation,
                "share_organisation_scope": scope,
                "consent_method": "written",
                "information_version": "2",
            },
            follow_redirects=False,
        )

    for organisation, message in (
        ("00000000-0000-4000-8000-000000000000", "Valitse organisaatio luettelosta."),
        ("not-an-organisation", "Valitse organisaatio luettelosta."),
        (portal_stack.organisation_id, "Valitse jokin muu organisaatio kuin omasi."),
    ):
        refused = share(organisation)
        assert refused.status_code == 422, organisation
        assert message in error_at(Elements(refused.text), "consent-share_organisation")
    purposes = {c["purpose"] for c in in_registry(portal_stack, partner_id).json()["consents"]}
    assert purposes == {"file", "team"}, "nothing recorded"

    shared = share(portal_stack.peer_organisation_id, "contact")
    assert shared.status_code == 303
    consents = in_registry(portal_stack, partner_id).json()["consents"]
    (named,) = [c for c in consents if c["purpose"].startswith("organisation:")]
    assert named["purpose"] == f"organisation:{portal_stack.peer_organisation_id}"
    assert named["scope"] == "contact" and named["active"]
    card = anna.get(shared.headers["location"]).text
    assert "Suostumus kirjattiin." in card
    start = card.index("Mihin kumppani nyt suostuu")
    current = card[start : card.index("</table>", start)]
    assert f"Jakaminen organisaatiolle {PEER_ORGANISATION}" in current
    assert "yhteystietoineen" in current
    offered = {o["value"] for o in Elements(card).find("option")}
    assert portal_stack.peer_organisation_id not in offered, "granted already"

    # Kallio ry now finds the partner and sees its contact details; nothing else changed.
    row = listed(pekka, name=token_of(name), scope="shared")
    assert f'<a href="/partners/{partner_id}">{name}</a>' in row
    assert email in pekka.get(f"/partners/{partner_id}").text


def test_a_new_partner_is_shared_with_one_named_organisation_from_the_form(
    anna: httpx.Client, pekka: httpx.Client, portal_stack: PortalStack
) -> None:
    form = Elements(anna.get("/partners/new/citizen").text)
    (select,) = form.find("select", id="share_organisation")
    assert select["name"] == "share_organisation"
    offered = {o["value"] for o in form.find("option")}
    assert portal_stack.peer_organisation_id in offered
    assert portal_stack.organisation_id not in offered

    name = unique("Jaettu Jaana")
    unknown = create(
        anna,
        "citizen",
        name=name,
        share_organisation="00000000-0000-4000-8000-000000000000",
        **CONSENTED,
    )
    assert unknown.status_code == 422
    page = Elements(unknown.text)
    assert "Valitse organisaatio luettelosta." in error_at(page, "share_organisation")
    assert "#share_organisation" in [a["href"] for a in page.find("a")]
    assert "0 kumppania löytyi" in listed(anna, name=token_of(name), status="any")

    partner_id = created_id(
        create(
            anna,
            "citizen",
            name=name,
            skills="laulaminen",
            share_organisation=portal_stack.peer_organisation_id,
            share_organisation_scope="basic",
            **CONSENTED,
        )
    )
    consents = in_registry(portal_stack, partner_id).json()["consents"]
    (named,) = [c for c in consents if c["purpose"].startswith("organisation:")]
    assert named["purpose"] == f"organisation:{portal_stack.peer_organisation_id}"
    assert named["scope"] == "basic"
    row = listed(pekka, name=token_of(name), scope="shared")
    assert f'<a href="/partners/{partner_id}">{name}</a>' in row
    seen = pekka.get(f"/partners/{partner_id}").text
    assert "vain perustiedot" in seen and "laulaminen" in seen


# -- erasing -----------------------------------------------------------------------------


def test_only_an_admin_or_the_responsible_staff_member_may_erase_and_others_are_refused(
    anna: httpx.Client, olli: httpx.Client, portal_stack: PortalStack
) -> None:
    name = unique("Ollin vastuulla")
    # Olli adds it, so Olli is its responsible staff member; Anna is staff, not an admin.
    partner_id = api_partner(portal_stack, name, email=OLLI_EMAIL)
    card = anna.get(f"/partners/{partner_id}").text
    assert "Poista kumppani pysyvästi" not in card
    assert f'href="/partners/{partner_id}/erase"' not in card
    page = anna.get(f"/partners/{partner_id}/erase")
    assert page.status_code == 403
    assert "Vain pääkäyttäjä tai kumppanin vastuutyöntekijä voi poistaa kumppanin." in page.text
    assert not Elements(page.text).find("input", id="confirm_name")

    refused = anna.post(
        f"/partners/{partner_id}/erase",
        data={"csrf_token": csrf_of(card), "confirm_name": name},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "Mitään ei poistettu." in refused.text
    assert in_registry(portal_stack, partner_id).status_code == 200, "nothing erased"

    admin_card = olli.get(f"/partners/{partner_id}").text
    section = Elements(admin_card)
    assert section.text_of("erase-title") == "Poista kumppani pysyvästi"
    assert f'href="/partners/{partner_id}/erase"' in admin_card
    assert olli.get(f"/partners/{partner_id}/erase").status_code == 200
    # A partner Anna added is hers to erase.
    own = created_id(create(anna, name=unique("Annan vastuulla"), **CONSENTED))
    assert f'href="/partners/{own}/erase"' in anna.get(f"/partners/{own}").text


def test_erasing_needs_the_partners_name_and_then_destroys_the_partner(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    name = unique("Poistettava Pirjo")
    partner_id = created_id(
        create(anna, "citizen", name=name, contact_email="pirjo@example.org", **CONSENTED)
    )
    card = anna.get(f"/partners/{partner_id}").text
    assert f'href="/partners/{partner_id}/erase"' in card
    confirm = anna.get(f"/partners/{partner_id}/erase")
    assert confirm.status_code == 200
    assert confirm.headers["cache-control"] == "no-store"
    for text in (
        f"Poista {name} pysyvästi",
        "tuhotaan pysyvästi",
        "Poistoa ei voi perua.",
        "Käyttölokin merkinnät säilyvät, mutta niissä on vain tunnisteita",
        "Jos kumppani haluaa kopion tiedoistaan, lataa ne ensin:",
    ):
        assert text in confirm.text, text
    assert f'href="/partners/{partner_id}/export"' in confirm.text
    token = csrf_of(confirm.text)

    def erase(typed: str, csrf: str = token) -> httpx.Response:
        return anna.post(
            f"/partners/{partner_id}/erase",
            data={"csrf_token": csrf, "confirm_name": typed},
            follow_redirects=False,
        )

    for typed, message in (
        ("Pirjo", "Kirjoittamasi nimi ei ole tämän kumppanin nimi."),
        ("", "Vahvista poistaminen kirjoittamalla kumppanin nimi."),
    ):
        wrong = erase(typed)
        assert wrong.status_code == 422, typed
        page = Elements(wrong.text)
        assert message in error_at(page, "confirm_name")
        assert "#confirm_name" in [a["href"] for a in page.find("a")]
        assert "<title>Virhe: " in wrong.text
    forged = erase(name, csrf="forged")
    assert forged.status_code == 400 and "Sivu oli vanhentunut" in forged.text
    assert in_registry(portal_stack, partner_id).status_code == 200, "nothing erased yet"

    erased = erase(f"  {name.upper()} ")
    assert erased.status_code == 303
    assert erased.headers["location"] == "/partners"
    assert name not in json.dumps(client_session(anna)), "the notice holds no name"
    notice = anna.get("/partners").text
    assert "Kumppanin tiedot poistettiin pysyvästi." in notice
    assert "Kumppanin tiedot poistettiin" not in anna.get("/partners").text, "shown once"
    assert in_registry(portal_stack, partner_id).status_code == 404
    assert anna.get(f"/partners/{partner_id}").status_code == 404
    assert "0 kumppania löytyi" in listed(anna, name=token_of(name), status="any")
    again = erase(name)
    assert again.status_code == 404
