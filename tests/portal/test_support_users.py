"""The support user pages over HTTP against the real registry and matching: adding a
support user, consents, wishes, the resource check, suggestions with their reasons and plain
sentence, proposing and following a referral, the support user's own page, and who may
enter which page."""

import re
import secrets
from typing import Any

import httpx
import pytest

from services.matching.referrals.models import NEXT_STATUSES
from services.matching.runtime import Matching
from services.portal.support_user_pages import NEXT_REFERRAL_STATUSES
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_PASSWORD,
    Elements,
    PortalStack,
    csrf_of,
    index_for_matching,
    portal_client,
)


def tag() -> str:
    return secrets.token_hex(3)


def post_form(client: httpx.Client, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
    """Sends a form of ``page`` as the browser would, with the page's form token."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data})


def add_support_user(client: httpx.Client, name: str, **fields: Any) -> str:
    data = {"name": name, "district_code": "00530", "languages": ["fi"], **fields}
    response = post_form(client, "/support-users/new", "/support-users/new", data)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/support-users/[0-9a-f-]{36}", location), location
    return location.rsplit("/", 1)[1]


def api_headers(stack: PortalStack, email: str = ANNA_EMAIL) -> dict[str, str]:
    return stack.api_token(email, ANNA_PASSWORD)


def api_support_user(
    stack: PortalStack,
    name: str,
    *,
    consents: tuple[str, ...] = ("matching",),
    account_user_id: str | None = None,
    **fields: Any,
) -> str:
    """A support user added through matching's API as Anna, with the consents given."""
    headers = api_headers(stack)
    body: dict[str, Any] = {"name": name, "district_code": "00530", "languages": ["fi"], **fields}
    if account_user_id:
        body["account_user_id"] = account_user_id
    created = httpx.post(f"{stack.matching_url}/support-users", json=body, headers=headers)
    assert created.status_code == 201, created.text
    person_id: str = created.json()["id"]
    for purpose in consents:
        given = httpx.post(
            f"{stack.matching_url}/support-users/{person_id}/consents",
            json={"purpose": purpose, "action": "granted", "method": "written"},
            headers=headers,
        )
        assert given.status_code == 200, given.text
    return person_id


def api_wish(stack: PortalStack, person_id: str, text: str, language: str = "fi") -> str:
    response = httpx.post(
        f"{stack.matching_url}/support-users/{person_id}/wishes",
        json={"text": text, "language": language},
        headers=api_headers(stack),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_matching_and_the_portal_agree_on_the_referral_steps() -> None:
    assert {k: set(v) for k, v in NEXT_REFERRAL_STATUSES.items()} == {
        k: set(v) for k, v in NEXT_STATUSES.items()
    }


def test_a_support_user_is_added_with_errors_at_their_fields(
    anna: httpx.Client, matching_index: Matching
) -> None:
    page = anna.get("/support-users/new")
    assert page.status_code == 200
    form = Elements(page.text)
    # The district is chosen from the registry's districts; the needs are checkboxes.
    assert form.find("option", value="00530")
    assert form.find("input", type="checkbox", name="accessibility", value="step_free")
    assert form.find("input", type="checkbox", name="languages", value="sv")
    assert form.find("select", name="availability-0-weekday")

    # Nothing but an end time before the start: the errors name their fields.
    refused = post_form(
        anna,
        "/support-users/new",
        "/support-users/new",
        {
            "name": "",
            "availability-0-weekday": "2",
            "availability-0-start": "18:00",
            "availability-0-end": "17:00",
        },
    )
    assert refused.status_code == 422
    errors = Elements(refused.text)
    assert "Kirjoita nimi." in errors.text_of("name-error")
    assert "Valitse vähintään yksi kieli." in errors.text_of("languages-error")
    assert "Päättymisajan" in errors.text_of("availability-0-end-error")
    assert errors.find("a", href="#availability-0-end")
    assert errors.find("input", id="availability-0-start", value="18:00")

    # A district matching does not know is matching's error, shown at the district.
    unknown = post_form(
        anna,
        "/support-users/new",
        "/support-users/new",
        {"name": "Maija", "languages": "fi", "district_code": "99999"},
    )
    assert unknown.status_code == 422
    assert "Valitse alue luettelosta." in Elements(unknown.text).text_of("district_code-error")

    name = f"Maija {tag()}"
    person_id = add_support_user(
        anna,
        name,
        languages=["fi", "en"],
        accessibility=["step_free"],
        **{
            "availability-0-weekday": "2",
            "availability-0-start": "16:00",
            "availability-0-end": "20:00",
        },
    )
    profile = anna.get(f"/support-users/{person_id}")
    assert profile.status_code == 200
    assert "Tukipalvelun käyttäjä lisättiin." in profile.text
    about = Elements(profile.text).text_of("about")
    assert "suomi, englanti" in about
    assert "tiistai 16:00–20:00" in about.lower()
    assert "Tarvitsee esteettömän kulun" in about
    assert profile.headers["cache-control"] == "no-store"

    listed = anna.get("/support-users")
    assert name in listed.text
    assert f'href="/support-users/{person_id}"' in listed.text

    # Editing keeps what is not changed; ending the support moves them off the list.
    edit = anna.get(f"/support-users/{person_id}/edit")
    assert Elements(edit.text).find("input", id="availability-0-start", value="16:00")
    assert Elements(edit.text).find("input", id="availability-1-start")  # one empty time more
    saved = post_form(
        anna,
        f"/support-users/{person_id}/edit",
        f"/support-users/{person_id}/edit",
        {"name": f"{name} M.", "languages": ["fi"], "district_code": "00530", "status": "ended",
         "availability-0-weekday": "3", "availability-0-start": "10:00",
         "availability-0-end": "12:00"},
    )  # fmt: skip
    assert saved.status_code == 303
    profile = anna.get(f"/support-users/{person_id}").text
    assert "Tiedot tallennettiin." in profile
    assert "keskiviikko 10:00–12:00" in Elements(profile).text_of("about").lower()
    assert "Tuki päättynyt" in profile
    assert f"{name} M." not in anna.get("/support-users").text
    assert f"{name} M." in anna.get("/support-users?status=ended").text


def test_every_error_of_the_support_user_form_is_shown_at_once(
    anna: httpx.Client, matching_index: Matching
) -> None:
    refused = post_form(
        anna,
        "/support-users/new",
        "/support-users/new",
        {
            "name": "",
            "availability-0-weekday": "",
            "availability-0-start": "25:00",
            "availability-0-end": "",
            "availability-1-weekday": "9",
            "availability-1-start": "10:00",
            "availability-1-end": "09:00",
            "notes": "x" * 4001,
        },
    )
    assert refused.status_code == 422
    errors = Elements(refused.text)
    fields = [
        "name",
        "languages",
        "availability-0-weekday",
        "availability-0-start",
        "availability-0-end",
        "availability-1-weekday",
        "availability-1-end",
        "notes",
    ]
    for field in fields:
        assert errors.text_of(f"{field}-error"), field
        assert errors.find("a", href=f"#{field}"), field
    assert "Päättymisajan" in errors.text_of("availability-1-end-error")


def test_consents_wishes_and_the_resource_check_on_the_profile(
    anna: httpx.Client, portal_stack: PortalStack, matching_index: Matching
) -> None:
    person_id = add_support_user(anna, f"Ville {tag()}")
    profile = f"/support-users/{person_id}"

    # A consent without how it was given names the field.
    refused = post_form(
        anna, profile, f"{profile}/consents", {"purpose": "matching", "action": "granted"}
    )
    assert refused.status_code == 422
    assert "Valitse, miten henkilö sen ilmaisi." in Elements(refused.text).text_of(
        "consent-method-error"
    )
    given = post_form(
        anna,
        profile,
        f"{profile}/consents",
        {"purpose": "matching", "action": "granted", "method": "verbal"},
    )
    assert given.status_code == 303
    page = anna.get(profile).text
    assert "Suostunut ehdotuksiin" in page
    history = Elements(page).text_of("consents")
    assert "Annettu" in history and "Suullisesti" in history

    # A wish: too short, then in the person's words, in English, with a category.
    short = post_form(anna, profile, f"{profile}/wishes", {"text": "x", "language": "fi"})
    assert short.status_code == 422
    assert "omin sanoin" in Elements(short.text).text_of("wish-text-error")
    added = post_form(
        anna,
        profile,
        f"{profile}/wishes",
        {"text": "I want to play football", "language": "en", "priority": "1",
         "method": "dreams", "category-0": "nonexistent-category"},
    )  # fmt: skip
    assert added.status_code == 422
    assert "Valitse luokka luettelosta." in Elements(added.text).text_of("wish-category-0-error")
    added = post_form(
        anna,
        profile,
        f"{profile}/wishes",
        {"text": "I want to play football", "language": "en", "priority": "1",
         "method": "dreams"},
    )  # fmt: skip
    assert added.status_code == 303
    page = anna.get(profile).text
    assert '<p class="wish__text" lang="en">I want to play football</p>' in page
    assert "Tärkeys: Suuri" in page
    wish_id = re.search(r'id="wish-([0-9a-f-]{36})"', page)
    assert wish_id
    changed = post_form(
        anna, profile, f"{profile}/wishes/{wish_id.group(1)}/status", {"status": "fulfilled"}
    )
    assert changed.status_code == 303
    assert "Tila: Toteutunut" in anna.get(profile).text

    # The resource check: add by kind, then remove.
    missing = post_form(anna, profile, f"{profile}/resource-check", {"kind": "", "text": ""})
    assert missing.status_code == 422
    assert "Valitse, millainen asia se on." in missing.text
    post_form(anna, profile, f"{profile}/resource-check", {"kind": "skill", "text": "Leipoo"})
    page = anna.get(profile).text
    check = Elements(page).text_of("resource-check")
    assert "Taidot" in check and "Leipoo" in check
    remove = re.search(rf'action="({profile}/resource-check/[0-9a-f-]+/remove)"', page)
    assert remove
    assert post_form(anna, profile, remove.group(1), {}).status_code == 303
    assert "Leipoo" not in Elements(anna.get(profile).text).text_of("resource-check")


def test_suggestions_explain_themselves_and_a_referral_follows_its_steps(
    anna: httpx.Client, portal_stack: PortalStack, matching_index: Matching
) -> None:
    word = tag()
    club = f"Laulukuoro {word} ry"
    index_for_matching(matching_index, portal_stack, club, "Kuoro", "laulamme yhdessä")
    person_id = api_support_user(portal_stack, f"Liisa {word}", consents=())
    wish_id = api_wish(portal_stack, person_id, "haluaisin laulaa kuorossa")
    profile = f"/support-users/{person_id}"
    page = f"{profile}/wishes/{wish_id}/suggestions"

    # Without consent to matching there are no suggestions, and the page says why.
    blocked = anna.get(page)
    assert blocked.status_code == 200
    assert "ei ole suostunut yhteisön resursseihin yhdistämiseen" in blocked.text
    post_form(
        anna,
        profile,
        f"{profile}/consents",
        {"purpose": "matching", "action": "granted", "method": "written"},
    )

    html = anna.get(page).text
    assert club in html
    assert "Oma kumppanimme" in html
    assert "Kuoro — lähellä kotiasi" in html  # the plain sentence, in Finnish
    assert "lähellä kotiasi" in html and "sopii siihen, mitä toivot" in html  # the reasons
    assert "score" not in html.lower()

    # Sharing the details without that consent is refused at the checkbox.
    resource_id = re.search(r'name="resource_id" value="([^"]+)"', html)
    assert resource_id
    refused = post_form(
        anna,
        page,
        f"{profile}/wishes/{wish_id}/referrals",
        {"resource_id": resource_id.group(1), "share_details": "1"},
    )
    assert refused.status_code == 422
    refusal = Elements(refused.text)
    assert "ei ole suostunut siihen, että hänen tietonsa välitetään" in refusal.text_of(
        "suggestion-1-share-error"
    )
    assert refusal.find("input", id="suggestion-1-share", checked="")

    proposed = post_form(
        anna,
        page,
        f"{profile}/wishes/{wish_id}/referrals",
        {"resource_id": resource_id.group(1), "note": "Soitan kuoronjohtajalle"},
    )
    assert proposed.status_code == 303
    referral_id = proposed.headers["location"].rsplit("#referral-", 1)[1]
    html = anna.get(profile).text
    # (The person has this one referral: the section is its text.)
    referral = Elements(html).text_of("referrals")
    assert f'id="referral-{referral_id}"' in html
    assert club in referral
    assert "Ehdotettu" in referral and "Soitan kuoronjohtajalle" in referral
    # Only the steps that may follow are offered.
    steps = Elements(html).find("input", name="status")
    assert {s["value"] for s in steps if s["id"].startswith(f"step-{referral_id}")} == {
        "contacted",
        "ended",
    }
    # The suggestion now says it has been taken up, instead of offering it again.
    assert "Ohjausta on ehdotettu: Ehdotettu." in anna.get(page).text

    step = f"{profile}/referrals/{referral_id}/steps"
    ended = post_form(anna, profile, step, {"status": "ended"})
    assert ended.status_code == 422
    assert "päättyneelle ohjaukselle tarvitaan tulos" in Elements(ended.text).text_of(
        f"step-{referral_id}-outcome-error"
    )
    assert post_form(anna, profile, step, {"status": "contacted"}).status_code == 303
    skipped = post_form(anna, profile, step, {"status": "active"})
    assert skipped.status_code == 422
    assert "Tämä vaihe ei voi seurata nykyistä." in skipped.text
    assert post_form(anna, profile, step, {"status": "accepted"}).status_code == 303
    referral = Elements(anna.get(profile).text).text_of("referrals")
    assert "Tila Hyväksytty" in referral
    assert "Kumppaniin otettu yhteyttä" in referral


@pytest.mark.xfail(
    reason=(
        "run after tests/matching/ in one session, matching suggests nothing for this wish "
        "(it passes alone and after the portal tests alone); the cause is not found yet"
    ),
    strict=False,
)
def test_the_support_user_sees_their_wishes_and_plain_ideas_only(
    portal_stack: PortalStack, matching_index: Matching
) -> None:
    word = tag()
    email = f"tuomas-{word}@example.org"
    account = portal_stack.create_user(
        email, portal_stack.organisation_id, ["support_user"], f"Tuomas {word}", ANNA_PASSWORD
    )
    index_for_matching(
        matching_index, portal_stack, f"Uimaseura {word}", "Uintiryhmä", "uimme yhdessä hallissa"
    )
    person_id = api_support_user(portal_stack, f"Tuomas {word}", account_user_id=account)
    api_wish(portal_stack, person_id, "haluan käydä uimassa")
    with portal_client(portal_stack, email) as mine:
        home = mine.get("/")
        assert 'href="/my-network"' in home.text
        assert 'href="/support-users"' not in home.text
        assert mine.get("/support-users").status_code == 403
        assert mine.get(f"/support-users/{person_id}").status_code == 403

        page = mine.get("/my-network")
        assert page.status_code == 200
        html = page.text
        assert '<body class="easy">' in html
        assert "haluan käydä uimassa" in html
        assert "Uintiryhmä — lähellä kotiasi" in html
        # Nothing for staff only: no scores, no partner names, no reasons lists.
        assert f"Uimaseura {word}" not in html
        assert "score" not in html.lower()
        assert "Oma kumppanimme" not in html

        # Their own wish, in the language they chose for the page.
        token = csrf_of(html)
        mine.post("/language/en", data={"csrf_token": token, "next": "/my-network"})
        english = mine.get("/my-network").text
        assert "Swimming" not in english
        assert "Uintiryhmä — close to your home" in english
        added = mine.post(
            "/my-network/wishes", data={"csrf_token": csrf_of(english), "text": "I want a dog"}
        )
        assert added.status_code == 303
        english = mine.get("/my-network").text
        assert '<p class="easy-card__wish" lang="en">I want a dog</p>' in english
        assert "Thank you! Your wish is saved." in english

        # Saying no to ideas hides them; yes brings them back.
        mine.post(
            "/my-network/consent", data={"csrf_token": csrf_of(english), "action": "withdrawn"}
        )
        english = mine.get("/my-network").text
        assert "close to your home" not in english
        assert "Yes, show me ideas" in english


def test_an_account_not_yet_linked_is_told_to_ask_the_worker(portal_stack: PortalStack) -> None:
    email = f"noora-{tag()}@example.org"
    portal_stack.create_user(
        email, portal_stack.organisation_id, ["support_user"], "Noora", ANNA_PASSWORD
    )
    with portal_client(portal_stack, email) as mine:
        page = mine.get("/my-network")
        assert page.status_code == 200
        assert "Sivusi ei ole vielä valmis." in page.text


def test_staff_cannot_open_the_support_users_own_page(anna: httpx.Client) -> None:
    assert anna.get("/my-network").status_code == 403
    assert 'href="/support-users"' in anna.get("/").text
