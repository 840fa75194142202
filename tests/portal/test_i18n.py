"""The portal speaks Finnish and English: complete catalogues in step with the code, and
pages rendered in the language the person chose or their browser asks for."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from services.portal.i18n import load_translations, negotiate_language
from tests.portal.conftest import RegistrySpy, csrf_of

PORTAL = Path(__file__).resolve().parents[2] / "services" / "portal"
# What follows a required field's label.
REQUIRED = {
    language: f' <span class="field__required" aria-hidden="true">({word})</span>'
    for language, word in (("fi", "pakollinen"), ("en", "required"))
}
LOCALES = PORTAL / "locales"


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _singular(msgid: object) -> str:
    return str(msgid[0]) if isinstance(msgid, tuple) else str(msgid)


def _strings(message_string: object) -> list[str]:
    return list(message_string) if isinstance(message_string, tuple) else [str(message_string)]


def test_every_message_has_a_finnish_translation() -> None:
    template = _catalog(LOCALES / "messages.pot")
    finnish = _catalog(LOCALES / "fi" / "LC_MESSAGES" / "messages.po", "fi")
    assert len(_ids(template)) > 20
    untranslated = []
    for message in template:
        if not message.id:
            continue
        translated = finnish.get(message.id)
        if (
            translated is None
            or translated.fuzzy
            or not all(s.strip() for s in _strings(translated.string))
        ):
            untranslated.append(message.id)
    assert untranslated == []


def test_catalogues_are_in_step_with_the_code() -> None:
    """Forgetting ``pybabel extract`` / ``update`` after changing a string fails here."""
    with (PORTAL / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    in_code = {
        _singular(msgid)
        for _, _, msgid, _, _ in extract_from_dir(str(PORTAL), method_map, options_map)
    }
    template = {_singular(m) for m in _ids(_catalog(LOCALES / "messages.pot"))}
    assert in_code == template
    for language in ("fi", "en"):
        catalog = _catalog(LOCALES / language / "LC_MESSAGES" / "messages.po", language)
        assert _ids(catalog) == _ids(_catalog(LOCALES / "messages.pot")), language


def test_finnish_translations_keep_their_placeholders() -> None:
    finnish = _catalog(LOCALES / "fi" / "LC_MESSAGES" / "messages.po", "fi")
    problems = [(message.id, [str(e) for e in errors]) for message, errors in finnish.check()]
    assert problems == []
    for message in finnish:
        if message.id and message.string:
            for msgid, msgstr in zip(_strings(message.id), _strings(message.string), strict=False):
                assert set(re.findall(r"%\(\w+\)s", msgid)) == set(
                    re.findall(r"%\(\w+\)s", msgstr)
                ), msgid


@pytest.mark.parametrize(
    ("singular", "plural", "expected"),
    [
        (
            "%(num)d more row without problems is not shown.",
            "%(num)d more rows without problems are not shown.",
            {
                ("fi", 1): "1 ongelmaton rivi lisää jätettiin näyttämättä.",
                ("fi", 3): "3 ongelmatonta riviä lisää jätettiin näyttämättä.",
                ("en", 1): "1 more row without problems is not shown.",
                ("en", 3): "3 more rows without problems are not shown.",
            },
        ),
        (
            "%(num)d member:",
            "%(num)d members:",
            {("fi", 1): "1 jäsen:", ("fi", 3): "3 jäsentä:", ("en", 1): "1 member:"},
        ),
        (
            "This meeting has %(num)d participant. A discussion meeting works best with at "
            "most %(max)d people: consider inviting fewer.",
            "This meeting has %(num)d participants. A discussion meeting works best with at "
            "most %(max)d people: consider inviting fewer.",
            {
                ("fi", 11): "Tapaamisessa on 11 osallistujaa. Keskustelutilaisuus toimii "
                "parhaiten, kun paikalla on enintään 10 henkeä: harkitse, voisitko kutsua "
                "vähemmän.",
                ("en", 11): "This meeting has 11 participants. A discussion meeting works best "
                "with at most 10 people: consider inviting fewer.",
            },
        ),
    ],
)
def test_counted_words_agree_with_their_number(
    singular: str, plural: str, expected: dict[tuple[str, int], str]
) -> None:
    catalogues = load_translations()
    for (language, number), sentence in expected.items():
        said = catalogues[language].ngettext(singular, plural, number)
        assert said % {"num": number, "max": 10} == sentence, (language, number)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, "fi"),
        ("", "fi"),
        ("fi-FI,fi;q=0.9", "fi"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, de;q=0.9, en;q=0.8, fi;q=0.7", "en"),
        ("sv, fi;q=0.5, en;q=0.4", "fi"),
        ("en;q=0, fi;q=0.1", "fi"),
        ("de", "fi"),
        ("*", "fi"),
        ("en, fi", "en"),
        ("nonsense;q=abc", "fi"),
    ],
)
def test_language_comes_from_accept_language(accept_language: str | None, expected: str) -> None:
    assert negotiate_language(accept_language) == expected


def test_login_page_in_finnish(client: TestClient, registry_spy: RegistrySpy) -> None:
    response = client.get("/login", headers={"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fi">' in html
    assert response.headers["content-language"] == "fi"
    assert "<title>Kirjaudu sisään – Kortisto</title>" in html
    assert "<h1>Kirjaudu sisään</h1>" in html
    assert (
        f'<label class="field__label" for="email">Sähköpostiosoite</label>{REQUIRED["fi"]}' in html
    )
    assert f'<label class="field__label" for="password">Salasana</label>{REQUIRED["fi"]}' in html
    assert "Siirry pääsisältöön" in html
    for english in ("Log in", "Password", "E-mail address", "Skip to main content"):
        assert english not in html
    # The switch offers the other language, named in that language.
    assert '<button type="submit" class="link-button" lang="en">English</button>' in html
    # The login page must work while the registry is down: it never asks it anything.
    assert registry_spy.requests == []


def test_login_page_in_english(client: TestClient, registry_spy: RegistrySpy) -> None:
    response = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en">' in html
    assert response.headers["content-language"] == "en"
    assert "<title>Log in – Kortisto</title>" in html
    assert "<h1>Log in</h1>" in html
    assert f'<label class="field__label" for="email">E-mail address</label>{REQUIRED["en"]}' in html
    assert f'<label class="field__label" for="password">Password</label>{REQUIRED["en"]}' in html
    for finnish in ("Kirjaudu", "Salasana", "Sähköpostiosoite"):
        assert finnish not in html
    assert '<button type="submit" class="link-button" lang="fi">Suomi</button>' in html
    assert registry_spy.requests == []


def test_without_accept_language_the_page_is_finnish(client: TestClient) -> None:
    html = client.get("/login").text
    assert '<html lang="fi">' in html
    assert "<h1>Kirjaudu sisään</h1>" in html


def test_chosen_language_outranks_the_browser(
    client: TestClient, registry_spy: RegistrySpy
) -> None:
    finnish = {"Accept-Language": "fi"}
    token = csrf_of(client.get("/login", headers=finnish).text)
    switched = client.post(
        "/language/en",
        data={"csrf_token": token, "next": "/login"},
        headers=finnish,
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    html = client.get("/login", headers=finnish).text
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html

    token = csrf_of(html)
    client.post("/language/fi", data={"csrf_token": token, "next": "/login"})
    assert '<html lang="fi">' in client.get("/login", headers={"Accept-Language": "en"}).text
    assert registry_spy.requests == []


def test_error_messages_follow_the_language(client: TestClient) -> None:
    english = {"Accept-Language": "en"}
    token = csrf_of(client.get("/login", headers=english).text)
    html = client.post(
        "/login", data={"csrf_token": token, "email": "", "password": ""}, headers=english
    ).text
    assert "<title>Error: Log in – Kortisto</title>" in html
    assert "Enter your e-mail address." in html
    assert "Enter your password." in html

    finnish = {"Accept-Language": "fi"}
    html = client.post(
        "/login", data={"csrf_token": token, "email": "", "password": ""}, headers=finnish
    ).text
    assert "<title>Virhe: Kirjaudu sisään – Kortisto</title>" in html
    assert "Kirjoita sähköpostiosoitteesi." in html
    assert "Kirjoita salasanasi." in html


def test_switching_language_keeps_the_page_and_its_query(client: TestClient) -> None:
    html = client.get("/login?next=%2Freminders").text
    assert '<input type="hidden" name="next" value="/login?next=%2Freminders">' in html
    response = client.post(
        "/language/en",
        data={"csrf_token": csrf_of(html), "next": "/login?next=%2Freminders"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/login?next=%2Freminders"
    form = client.get(response.headers["location"]).text
    assert '<input type="hidden" name="next" value="/reminders">' in form
    assert "<h1>Log in</h1>" in form
