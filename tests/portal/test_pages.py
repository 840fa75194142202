"""Pages that work without a logged-in person: the login form's errors and accessibility,
the form token, redirects, error pages, headers and the session secret."""

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.portal.app import SESSION_COOKIE, create_app
from services.portal.navigation import SECTIONS, sections_for
from services.portal.settings import PortalSettings
from tests.portal.conftest import Elements, RegistrySpy, client_session, csrf_of, free_port

FINNISH = {"Accept-Language": "fi"}


def _submit_login(client: TestClient, **fields: str) -> tuple[int, str]:
    token = csrf_of(client.get("/login", headers=FINNISH).text)
    response = client.post("/login", data={"csrf_token": token, **fields}, headers=FINNISH)
    return response.status_code, response.text


def test_login_page_structure_is_accessible(client: TestClient) -> None:
    page = Elements(client.get("/login", headers=FINNISH).text)
    assert page.find("html", lang="fi")
    assert page.find("meta", name="viewport")
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find(landmark), landmark
    skip = page.elements[[tag for tag, _ in page.elements].index("a")][1]
    assert skip["href"] == "#main", "the skip link is the first link on the page"
    assert page.find("main", id="main")
    assert page.find("link", rel="stylesheet", href="/static/portal.css")
    labelled = {attributes["for"] for attributes in page.find("label")}
    for field in page.find("input"):
        if field.get("type") != "hidden":
            assert field["id"] in labelled, f"input {field['id']} has no label"
    assert page.find("input", id="email", type="email", autocomplete="username")
    assert page.find("input", id="password", type="password", autocomplete="current-password")
    # No error state before anything was sent.
    assert not [a for _, a in page.elements if "aria-invalid" in a]
    assert not page.find("div", role="alert")


def test_missing_fields_are_named_next_to_the_field_and_in_a_summary(
    client: TestClient, registry_spy: RegistrySpy
) -> None:
    status, html = _submit_login(client, email="", password="")
    assert status == 422
    page = Elements(html)
    summary = page.find("div", role="alert")
    assert summary, "an error summary with role=alert"
    assert "Tarkista nämä kohdat" in page.text_by_id["error-summary-title"]
    assert [
        a["href"] for a in page.find("a") if a["href"].startswith("#") and a["href"] != "#main"
    ] == [
        "#email",
        "#password",
    ]
    for field, message in (
        ("email", "Kirjoita sähköpostiosoitteesi."),
        ("password", "Kirjoita salasanasi."),
    ):
        (attributes,) = page.find("input", id=field)
        assert attributes["aria-invalid"] == "true"
        described_by = attributes["aria-describedby"]
        assert message in page.text_by_id[described_by]
    # Nothing was sent to the registry for a form that is obviously incomplete.
    assert registry_spy.requests == []


def test_a_malformed_email_is_explained_and_kept(client: TestClient) -> None:
    status, html = _submit_login(client, email="anna.example.org", password="something long")
    assert status == 422
    page = Elements(html)
    (email,) = page.find("input", id="email")
    assert email["value"] == "anna.example.org"
    assert "esimerkiksi nimi@example.org" in page.text_by_id["email-error"]
    (password,) = page.find("input", id="password")
    assert "aria-invalid" not in password
    assert "value" not in password, "a password is never sent back to the browser"


def test_a_login_without_the_form_token_is_refused(
    client: TestClient, registry_spy: RegistrySpy
) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"csrf_token": "forged", "email": "anna@example.org", "password": "x" * 12},
        headers=FINNISH,
    )
    assert response.status_code == 422
    assert "Sivu oli vanhentunut. Kirjaudu uudelleen." in response.text
    assert registry_spy.requests == []
    assert "access_token" not in client_session(client)


def test_an_unreachable_registry_is_explained(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    settings = PortalSettings(data_dir=tmp_path, registry_url=closed, environment="test")
    with TestClient(create_app(settings)) as client:
        status, html = _submit_login(client, email="anna@example.org", password="x" * 12)
        assert status == 503
        assert "Kirjautuminen ei juuri nyt onnistu" in html
        assert "access_token" not in client_session(client)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["checks"]["registry"].startswith("failing")


def test_pages_that_need_a_login_redirect_to_it(client: TestClient) -> None:
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/login"
    for section in SECTIONS:
        response = client.get(section.path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=%2F{section.path.lstrip('/')}"


def test_the_language_switch_never_redirects_off_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "login"):
        response = client.post(
            "/language/en", data={"csrf_token": token, "next": target}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/", target


def test_the_language_switch_refuses_unknown_languages_and_forged_posts(
    client: TestClient,
) -> None:
    token = csrf_of(client.get("/login").text)
    unknown = client.post(
        "/language/de", data={"csrf_token": token}, headers={"Accept": "text/html"}
    )
    assert unknown.status_code == 404
    forged = client.post("/language/en", data={"csrf_token": "forged"}, headers=FINNISH)
    assert forged.status_code == 400
    assert "Sivu oli vanhentunut" in forged.text
    assert client_session(client).get("language") is None


def test_unknown_pages_are_html_in_the_language_or_json(client: TestClient) -> None:
    page = client.get("/no-such-page", headers={"Accept": "text/html", **FINNISH})
    assert page.status_code == 404
    assert '<html lang="fi">' in page.text
    assert "Sivua ei löytynyt" in page.text
    api = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_responses_carry_security_headers_and_a_safe_cookie(client: TestClient) -> None:
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http here; https portal_url adds it
    assert set(client_session(client)) == {"csrf_token"}


def test_the_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/portal.css")
    assert response.status_code == 200
    assert ":focus-visible" in response.text


def test_planners_see_only_the_planner_section() -> None:
    assert [s.key for s in sections_for(["planner"])] == ["planner"]
    assert [s.key for s in sections_for(["staff"])] == [
        "partners",
        "districts",
        "support_users",
        "reminders",
        "network",
        "access_log",
    ]
    assert [s.key for s in sections_for(["support_user"])] == ["my_network"]
    assert [s.key for s in sections_for(["staff", "coordinator"])] == [
        "partners",
        "districts",
        "support_users",
        "reminders",
        "meetings",
        "network",
        "access_log",
    ]
    assert sections_for([]) == []
    assert "planner" not in {s.key for s in sections_for(["staff", "coordinator", "support_user"])}


# -- the session secret ------------------------------------------------------------------


def test_a_session_secret_is_made_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KORTISTO_PORTAL_SESSION_SECRET", raising=False)
    settings = PortalSettings(data_dir=tmp_path, environment="embedded")
    first = settings.resolved_session_secret()
    key_file = tmp_path / "keys" / "portal-session.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 40
    again = PortalSettings(data_dir=tmp_path, environment="embedded")
    assert again.resolved_session_secret() == first


def test_sessions_survive_a_restart(
    tmp_path: Path, registry_spy: RegistrySpy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KORTISTO_PORTAL_SESSION_SECRET", raising=False)
    settings = PortalSettings(data_dir=tmp_path, registry_url=registry_spy.url, environment="test")
    with TestClient(create_app(settings)) as before:
        token = csrf_of(before.get("/login").text)
        before.post("/language/en", data={"csrf_token": token})
        cookie = before.cookies[SESSION_COOKIE]
    restarted = PortalSettings(data_dir=tmp_path, registry_url=registry_spy.url, environment="test")
    with TestClient(create_app(restarted)) as after:
        after.cookies.set(SESSION_COOKIE, cookie)
        assert '<html lang="en">' in after.get("/login", headers=FINNISH).text


def test_the_secret_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KORTISTO_PORTAL_SESSION_SECRET", "from-the-environment-" + "x" * 20)
    settings = PortalSettings(data_dir=tmp_path, environment="production")
    assert settings.resolved_session_secret().startswith("from-the-environment-")
    assert not (tmp_path / "keys").exists()


def test_production_refuses_to_start_without_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KORTISTO_PORTAL_SESSION_SECRET", raising=False)
    settings = PortalSettings(data_dir=tmp_path, environment="production")
    with pytest.raises(ValueError, match="KORTISTO_PORTAL_SESSION_SECRET"):
        create_app(settings)
