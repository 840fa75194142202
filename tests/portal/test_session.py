"""Logging in and out through the real registry, with both services running as processes:
who sees which sections, refreshing expired tokens, and what the session cookie holds."""

import base64
import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from services.portal.app import SESSION_COOKIE
from tests.portal.conftest import (
    ACCESS_TOKEN_SECONDS,
    ANNA_EMAIL,
    ANNA_NAME,
    ANNA_PASSWORD,
    PortalStack,
    client_session,
    csrf_of,
    session_of,
)

SESSION_KEYS = {"access_token", "refresh_token", "csrf_token", "language", "notice"}


@pytest.fixture
def portal(portal_stack: PortalStack) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=portal_stack.portal_url, headers={"Accept-Language": "fi"}, timeout=20
    ) as client:
        yield client


def log_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def new_user(stack: PortalStack, roles: list[str], kind: str = "support_provider") -> str:
    organisation_id = stack.create_org(f"Org {secrets.token_hex(3)}", kind)
    email = f"user-{secrets.token_hex(4)}@example.org"
    stack.create_user(email, organisation_id, roles, "Pia Planner", ANNA_PASSWORD)
    return email


def _jwt_claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return claims


def test_staff_member_logs_in_and_sees_their_sections(portal: httpx.Client) -> None:
    response = log_in(portal, ANNA_EMAIL, ANNA_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = portal.get("/")
    assert home.status_code == 200
    assert f"Tervetuloa, {ANNA_NAME}" in home.text
    assert "Test Org" in home.text
    assert "Työntekijä" in home.text
    for section in (
        "Verkostokumppanit",
        "Alueet",
        "Tukipalvelun käyttäjät",
        "Muistutukset",
        "Käyttöloki",
    ):
        assert section in home.text
    for section in ("Suunnittelu", "Tapaamiset"):
        assert section not in home.text
    assert home.headers["cache-control"] == "no-store"

    session = client_session(portal)
    assert set(session) <= SESSION_KEYS
    assert session["access_token"] and session["refresh_token"]
    # Neither the cookie nor the token inside it carries a name or an e-mail address.
    readable = json.dumps(session) + json.dumps(_jwt_claims(session["access_token"]))
    for personal in (ANNA_NAME, "Anna", ANNA_EMAIL, "Test Org"):
        assert personal not in readable

    reminders = portal.get("/reminders")
    assert reminders.status_code == 200
    assert "<h1>Omat muistutukset</h1>" in reminders.text
    assert "Tulossa pian" not in reminders.text
    partners = portal.get("/partners")
    assert partners.status_code == 200
    assert "<h1>Verkostokumppanit</h1>" in partners.text
    assert "Tulossa pian" not in partners.text


def test_a_wrong_password_is_shown_at_the_field_and_logs_nobody_in(
    portal: httpx.Client,
) -> None:
    response = log_in(portal, ANNA_EMAIL, "wrong horse battery")
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "Sähköpostiosoite tai salasana on väärä." in response.text
    assert 'aria-describedby="password-error"' in response.text
    assert f'value="{ANNA_EMAIL}"' in response.text
    assert "access_token" not in client_session(portal)
    assert portal.get("/", follow_redirects=False).headers["location"] == "/login"
    # The failed attempt changed nothing: the right password still works.
    assert log_in(portal, ANNA_EMAIL, ANNA_PASSWORD).headers["location"] == "/"


def test_a_planner_sees_only_the_planner_section(
    portal_stack: PortalStack, portal: httpx.Client
) -> None:
    email = new_user(portal_stack, ["planner"], kind="municipality")
    log_in(portal, email, ANNA_PASSWORD)
    home = portal.get("/")
    assert "Kuntasuunnittelija" in home.text
    assert 'href="/planning"' in home.text
    for path in (
        "/partners",
        "/districts",
        "/access-log",
        "/support-users",
        "/reminders",
        "/meetings",
        "/my-network",
    ):
        assert f'href="{path}"' not in home.text
        refused = portal.get(path)
        assert refused.status_code == 403, path
        assert "Ei pääsyä tälle sivulle" in refused.text
    assert portal.get("/planning").status_code == 200


def test_the_section_after_login_is_the_one_asked_for(portal: httpx.Client) -> None:
    asked = portal.get("/reminders", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=%2Freminders"
    form = portal.get(asked.headers["location"]).text
    response = portal.post(
        "/login",
        data={
            "csrf_token": csrf_of(form),
            "email": ANNA_EMAIL,
            "password": ANNA_PASSWORD,
            "next": "/reminders",
        },
    )
    assert response.headers["location"] == "/reminders"


def test_an_expired_access_token_is_refreshed_once_even_when_requests_race(
    portal_stack: PortalStack, portal: httpx.Client
) -> None:
    email = new_user(portal_stack, ["staff"])
    log_in(portal, email, ANNA_PASSWORD)
    first = client_session(portal)
    time.sleep(ACCESS_TOKEN_SECONDS + 1.5)

    # Four requests at once with the same expired session, as parallel tabs would send.
    cookie = portal.cookies[SESSION_COOKIE]

    def load_home_with(session_cookie: str) -> httpx.Response:
        with httpx.Client(
            base_url=portal_stack.portal_url, cookies={SESSION_COOKIE: session_cookie}, timeout=20
        ) as tab:
            return tab.get("/", follow_redirects=False)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(load_home_with, [cookie] * 4))
    assert [a.status_code for a in answers] == [200] * 4
    renewed = {session_of(a.cookies[SESSION_COOKIE])["refresh_token"] for a in answers}
    assert len(renewed) == 1, "every racing request got the same new tokens"
    (new_refresh,) = renewed
    assert new_refresh != first["refresh_token"]

    # The registry did not take the race for a stolen token: the new session goes on.
    time.sleep(ACCESS_TOKEN_SECONDS + 1.5)
    later = load_home_with(answers[0].cookies[SESSION_COOKIE])
    assert later.status_code == 200
    assert session_of(later.cookies[SESSION_COOKIE])["refresh_token"] != new_refresh


def test_logging_out_ends_the_session_at_the_registry_too(
    portal_stack: PortalStack, portal: httpx.Client
) -> None:
    email = new_user(portal_stack, ["staff"])
    log_in(portal, email, ANNA_PASSWORD)
    refresh_token = client_session(portal)["refresh_token"]
    home = portal.get("/")
    response = portal.post("/logout", data={"csrf_token": csrf_of(home.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    session = client_session(portal)
    assert "access_token" not in session
    assert "refresh_token" not in session
    login_page = portal.get("/login")
    assert '<p class="notice" role="status">Olet kirjautunut ulos.</p>' in login_page.text
    assert portal.get("/", follow_redirects=False).headers["location"] == "/login"
    refused = httpx.post(
        f"{portal_stack.registry_url}/auth/refresh", json={"refresh_token": refresh_token}
    )
    assert refused.status_code == 401
