"""The reminders pages over HTTP against the real registry and reminders: my due items with
done and snooze, the count on the home page, my e-mail settings, the upkeep cadences
(changed by an admin, read by staff), failed deliveries and their retry ending in a real
e-mail, the operations page for admins, and the pages when reminders is not answering."""

import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.portal.app import create_app
from services.portal.settings import PortalSettings
from services.reminders import tasks as reminder_tasks
from services.reminders.deliveries import sending
from services.reminders.deliveries.mailer import TransientMailError
from services.reminders.deliveries.models import Delivery
from services.reminders.operations.service import record_heartbeat
from services.reminders.runtime import Reminders
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_PASSWORD,
    OLLI_EMAIL,
    Elements,
    Inbox,
    PortalStack,
    api_partner,
    csrf_of,
    free_port,
    make_due,
    portal_client,
    relay_to_reminders,
    scan_reminders,
    unique,
)

DEFAULT_POLICY = {
    "strong_months": "3",
    "weak_months": "6",
    "renewal_days": "30",
    "stale_months": "12",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
}


def post_form(client: httpx.Client, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Sends a form of ``page`` as the browser would, with the page's form token."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data})


def due_partner(stack: PortalStack, name: str, kind: str = "upkeep") -> str:
    """A partner of Anna's added through the registry, its events brought to reminders and
    its ``kind`` reminder fallen due and scanned: a due item of Anna's."""
    partner_id = api_partner(stack, name)
    relay_to_reminders(stack)
    make_due(stack, partner_id, kind)
    scan_reminders(stack, send=False)
    return partner_id


def item_id_of(html: str, name: str) -> str:
    """The id of the due item about ``name`` on the page."""
    page = Elements(html)
    found = [
        element_id.removeprefix("item-")
        for element_id, text in page.text_by_id.items()
        if re.fullmatch(r"item-[0-9a-f-]{36}", element_id) and name in text
    ]
    assert len(found) == 1, f"{name} is not on the page once: {found}"
    return found[0]


def api(stack: PortalStack, email: str = ANNA_EMAIL) -> dict[str, str]:
    return stack.api_token(email, ANNA_PASSWORD)


# -- my due items ------------------------------------------------------------------------


def test_due_items_are_listed_done_and_snoozed(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    keep_in_touch, check_card = unique("Kallion Kuoro"), unique("Vallilan Pajat")
    first = due_partner(portal_stack, keep_in_touch)
    second = due_partner(portal_stack, check_card, "stale_card")

    page = anna.get("/reminders")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = Elements(page.text)
    assert html.find("a", href="/reminders", **{"aria-current": "page"})
    assert not html.find("a", href="/reminders/operations")  # staff: no operations page
    first_item, second_item = (
        item_id_of(page.text, keep_in_touch),
        item_id_of(page.text, check_card),
    )
    assert "Aika pitää yhteyttä" in html.text_of(f"item-{first_item}")
    assert "Korttia ei ole päivitetty pitkään" in html.text_of(f"item-{second_item}")
    # Each subject links to the partner's card.
    assert html.find("a", href=f"/partners/{first}")
    assert html.find("a", href=f"/partners/{second}")
    snooze_days = html.find("select", id=f"item-{first_item}-days")
    assert snooze_days and snooze_days[0]["name"] == "days"
    assert html.find("label", **{"for": f"item-{first_item}-days"})

    # The home page counts my open due items.
    open_items = httpx.get(
        f"{portal_stack.reminders_url}/notifications", headers=api(portal_stack)
    ).json()
    home = Elements(anna.get("/").text)
    assert f"Sinulla on {len(open_items)} avointa muistutusta." in home.text_of("due-count")

    done = post_form(anna, "/reminders", f"/reminders/items/{first_item}/done", {"shown": "open"})
    assert done.status_code == 303 and done.headers["location"] == "/reminders"
    after = anna.get("/reminders").text
    assert "Muistutus merkittiin tehdyksi." in after
    assert keep_in_touch not in after and check_card in after
    finished = anna.get("/reminders?status=done").text
    assert keep_in_touch in finished
    assert f"/reminders/items/{first_item}/snooze" not in finished  # nothing left to do

    # Snoozing asks for how long; a week is offered first.
    refused = post_form(anna, "/reminders", f"/reminders/items/{second_item}/snooze", {"days": "0"})
    assert refused.status_code == 422
    errors = Elements(refused.text)
    assert "Valitse, kuinka pitkäksi aikaa" in errors.text_of(f"item-{second_item}-days-error")
    assert errors.find("a", href=f"#item-{second_item}-days")
    assert re.search(r"<title>Virhe: ", refused.text)
    snoozed = post_form(anna, "/reminders", f"/reminders/items/{second_item}/snooze", {"days": "3"})
    assert snoozed.status_code == 303
    assert check_card not in anna.get("/reminders").text
    later = Elements(anna.get("/reminders?status=snoozed").text)
    assert "Torkutettu" in later.text_of(f"item-{second_item}")
    assert " asti" in later.text_of(f"item-{second_item}")

    # A done item cannot be snoozed: reminders says so, the page explains it.
    again = post_form(
        anna,
        "/reminders?status=done",
        f"/reminders/items/{first_item}/snooze",
        {"days": "7", "shown": "done"},
    )
    assert again.status_code == 422
    assert "Tehtyä muistutusta ei voi torkuttaa." in again.text

    # Another person's item is not theirs to touch.
    with_olli = post_form_as(portal_stack, OLLI_EMAIL, f"/reminders/items/{second_item}/done")
    assert with_olli.status_code == 404


def post_form_as(stack: PortalStack, email: str, action: str) -> httpx.Response:
    with portal_client(stack, email) as client:
        return post_form(client, "/reminders", action, {})


def test_a_referral_follow_up_is_a_due_item_without_a_card(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    """Matching's referral events name the staff member and the support user; the item has
    no partner card to link, so the page links the support user's referrals."""
    runtime = portal_stack.reminders_runtime
    assert runtime is not None
    relay_to_reminders(portal_stack)
    me = httpx.get(f"{portal_stack.registry_url}/me", headers=api(portal_stack)).json()
    referral_id, support_user_id = str(uuid.uuid4()), str(uuid.uuid4())
    changed = {
        "referral_id": referral_id,
        "organisation_id": portal_stack.organisation_id,
        "partner_id": str(uuid.uuid4()),
        "staff_user_id": me["user"]["id"],
        "support_user_id": support_user_id,
        "status": "contacted",
        "follow_up_on": (date.today() - timedelta(days=1)).isoformat(),
    }
    message = {
        "id": str(uuid.uuid4()),
        "source": "matching",
        "type": "referral.changed",
        "payload": changed,
    }
    assert reminder_tasks.apply(runtime, message)
    scan_reminders(portal_stack, send=False)
    page = anna.get("/reminders")
    html = Elements(page.text)
    item = [
        element_id
        for element_id, text in html.text_by_id.items()
        if element_id.startswith("item-") and "Seuraa ohjausta" in text
    ]
    assert item, f"no follow-up for {referral_id}"
    assert "Avaa ohjaus tukipalvelun käyttäjän sivulla" in html.text_of(item[0])
    assert f'href="/support-users/{support_user_id}#referrals"' in page.text


# -- my e-mail settings --------------------------------------------------------------------


def test_my_email_settings_are_saved(anna: httpx.Client, portal_stack: PortalStack) -> None:
    page = Elements(anna.get("/reminders/settings").text)
    assert page.find("input", id="email_reminders", type="checkbox", checked="")
    (digest,) = page.find("input", id="digest", type="checkbox")
    assert "checked" not in digest
    assert page.find("option", value="8", selected="")

    refused = post_form(
        anna,
        "/reminders/settings",
        "/reminders/settings",
        {"email_reminders": "1", "digest": "1", "digest_hour": "25"},
    )
    assert refused.status_code == 422
    assert "Valitse päivän koosteen kellonaika." in Elements(refused.text).text_of(
        "digest_hour-error"
    )
    try:
        saved = post_form(
            anna,
            "/reminders/settings",
            "/reminders/settings",
            {"email_reminders": "1", "digest": "1", "digest_hour": "7"},
        )
        assert saved.status_code == 303 and saved.headers["location"] == "/reminders/settings"
        page = Elements(anna.get("/reminders/settings").text)
        assert page.find("input", id="digest", checked="")
        assert page.find("option", value="7", selected="")
        stored = httpx.get(
            f"{portal_stack.reminders_url}/me/delivery-settings", headers=api(portal_stack)
        ).json()
        assert stored == {"digest": True, "digest_hour": 7, "email_reminders": True}

        # Unticking sends nothing for the box: both become false.
        post_form(anna, "/reminders/settings", "/reminders/settings", {"digest_hour": "7"})
        stored = httpx.get(
            f"{portal_stack.reminders_url}/me/delivery-settings", headers=api(portal_stack)
        ).json()
        assert stored == {"digest": False, "digest_hour": 7, "email_reminders": False}
    finally:
        httpx.put(
            f"{portal_stack.reminders_url}/me/delivery-settings",
            headers=api(portal_stack),
            json={"digest": False, "digest_hour": 8, "email_reminders": True},
        ).raise_for_status()


# -- the organisation's cadences -----------------------------------------------------------


def test_an_admin_changes_the_cadences_and_staff_read_them(
    anna: httpx.Client, olli: httpx.Client, portal_stack: PortalStack
) -> None:
    readonly = Elements(anna.get("/reminders/policy").text)
    assert not readonly.find("form", action="/reminders/policy")
    facts = readonly.text_of("policy")
    assert "3 kuukauden välein" in facts and "6 kuukauden välein" in facts
    assert "klo 21:00–08:00" in facts
    # Staff cannot change them, even by sending the form.
    refused = post_form(anna, "/reminders/policy", "/reminders/policy", DEFAULT_POLICY)
    assert refused.status_code == 403
    assert "Vain organisaation pääkäyttäjät voivat muuttaa" in refused.text

    form = Elements(olli.get("/reminders/policy").text)
    assert form.find("input", id="weak_months", value="6", inputmode="numeric")
    assert form.find("input", id="quiet_start", type="time", value="21:00")

    wrong = post_form(
        olli,
        "/reminders/policy",
        "/reminders/policy",
        {**DEFAULT_POLICY, "weak_months": "0", "quiet_start": "07:30", "quiet_end": "7.30"},
    )
    assert wrong.status_code == 422
    errors = Elements(wrong.text)
    assert "Kirjoita kuukausien määrä kokonaislukuna 1–36." in errors.text_of("weak_months-error")
    assert "Kirjoita kellonaika tunteina ja minuutteina" in errors.text_of("quiet_end-error")
    assert errors.find("input", id="weak_months", value="0", **{"aria-invalid": "true"})
    same = post_form(
        olli,
        "/reminders/policy",
        "/reminders/policy",
        {**DEFAULT_POLICY, "quiet_start": "07:30", "quiet_end": "07:30"},
    )
    assert same.status_code == 422
    assert "Hiljaisen ajan täytyy päättyä" in Elements(same.text).text_of("quiet_end-error")

    try:
        saved = post_form(
            olli,
            "/reminders/policy",
            "/reminders/policy",
            {**DEFAULT_POLICY, "weak_months": "4", "quiet_start": "22:00", "quiet_end": "07:00"},
        )
        assert saved.status_code == 303
        page = olli.get("/reminders/policy").text
        assert "Tahdit tallennettiin." in page
        assert Elements(page).find("input", id="weak_months", value="4")
        stored = httpx.get(
            f"{portal_stack.reminders_url}/organisation/policy", headers=api(portal_stack)
        ).json()
        assert (stored["weak_months"], stored["quiet_start"]) == (4, "22:00:00")
        assert "4 kuukauden välein" in Elements(anna.get("/reminders/policy").text).text_of(
            "policy"
        )
    finally:
        post_form(olli, "/reminders/policy", "/reminders/policy", DEFAULT_POLICY)


# -- failed deliveries ---------------------------------------------------------------------


def failing(runtime: Reminders) -> Reminders:
    """The same reminders with a mail server that is not there."""
    return Reminders.build(
        runtime.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    )


def email_to_anna(runtime: Reminders, partner_id: str) -> str:
    with runtime.database.session() as session:
        found = session.scalars(
            select(Delivery.id).where(
                Delivery.subject_id == partner_id, Delivery.channel == "email"
            )
        ).all()
    assert len(found) == 1, found
    return found[0]


def test_a_failed_delivery_is_listed_and_retried(
    anna: httpx.Client, portal_stack: PortalStack, inbox: Inbox
) -> None:
    runtime = portal_stack.reminders_runtime
    assert runtime is not None
    name = unique("Sörnäisten Seurakunta")
    partner_id = due_partner(portal_stack, name)
    delivery_id = email_to_anna(runtime, partner_id)
    broken = failing(runtime)
    try:
        with pytest.raises(TransientMailError):
            sending.send(broken, delivery_id)
        sending.give_up(broken, delivery_id, "connection refused")
    finally:
        broken.database.dispose()

    page = anna.get("/reminders/deliveries")
    assert page.status_code == 200
    html = Elements(page.text)
    row = html.text_of(f"delivery-{delivery_id}")
    assert "Aika pitää yhteyttä" in row and name in row
    assert "Sähköposti" in row and "connection refused" in row
    assert html.find("a", href=f"/partners/{partner_id}")
    assert html.find("button", id=f"delivery-{delivery_id}-retry")

    retried = post_form(
        anna, "/reminders/deliveries", f"/reminders/deliveries/{delivery_id}/retry", {}
    )
    assert retried.status_code == 303
    after = anna.get("/reminders/deliveries").text
    assert "Toimitus on jonossa lähetettäväksi uudelleen." in after
    assert f"delivery-{delivery_id}" not in after
    assert f"delivery-{delivery_id}" in anna.get("/reminders/deliveries?status=queued").text

    # The worker's part: this time the mail server answers.
    inbox.messages.clear()
    assert sending.send(runtime, delivery_id).status == "sent"
    [mail] = inbox.to(ANNA_EMAIL)
    assert mail["Subject"] == f"Aika pitää yhteyttä: {name}"
    assert f"delivery-{delivery_id}" in anna.get("/reminders/deliveries?status=sent").text

    # A second retry (an old page) is explained, not an error page.
    stale = post_form(
        anna, "/reminders/deliveries", f"/reminders/deliveries/{delivery_id}/retry", {}
    )
    assert stale.status_code == 422
    assert "Vain epäonnistuneen toimituksen voi yrittää uudelleen." in stale.text


# -- operations ----------------------------------------------------------------------------


def test_the_operations_page_is_for_admins(
    anna: httpx.Client, olli: httpx.Client, portal_stack: PortalStack
) -> None:
    refused = anna.get("/reminders/operations")
    assert refused.status_code == 403
    assert "Ei pääsyä tälle sivulle" in refused.text

    runtime = portal_stack.reminders_runtime
    assert runtime is not None
    with runtime.database.session() as session:
        record_heartbeat(session, "portal-tests")
    page = olli.get("/reminders/operations")
    assert page.status_code == 200
    html = Elements(page.text)
    assert html.find("a", href="/reminders/operations", **{"aria-current": "page"})
    assert "Käynnissä" in html.text_of("worker")
    summary = httpx.get(
        f"{portal_stack.reminders_url}/operations/summary", headers=api(portal_stack, OLLI_EMAIL)
    ).json()
    queues = html.text_of("queues")
    for label, queue in (
        ("Rekisterin tapahtumat", "registry"),
        ("Lähetettävät viestit", "deliveries"),
    ):
        assert f"{label} {summary['queues'][queue]}" in queues
    counts = html.text_of("delivery-counts")
    assert "Oma organisaatio" in counts and "Koko asennus" in counts
    own, everyone = summary["organisation"], summary["deliveries"]
    for label, status in (("Epäonnistui", "failed"), ("Lähetetty", "sent")):
        assert f"{label} {own.get(status, 0)} {everyone.get(status, 0)}" in counts
    due = everyone["due_schedules"]
    assert re.search(rf"\b{due} muistutus(ta)? on erääntynyt", page.text)
    assert f"Niistä {own['due_schedules']} on organisaatiosi." in page.text


# -- reminders not answering -------------------------------------------------------------


@pytest.fixture
def without_reminders(portal_stack: PortalStack, tmp_path: Path) -> Iterator[TestClient]:
    """The portal in this process with the real registry but no reminders service."""
    settings = PortalSettings(
        data_dir=tmp_path,
        registry_url=portal_stack.registry_url,
        matching_url=portal_stack.matching_url,
        reminders_url=f"http://127.0.0.1:{free_port()}",
        environment="test",
    )
    with TestClient(create_app(settings), headers={"Accept-Language": "fi"}) as client:
        token = csrf_of(client.get("/login").text)
        logged_in = client.post(
            "/login",
            data={"csrf_token": token, "email": ANNA_EMAIL, "password": ANNA_PASSWORD},
            follow_redirects=False,
        )
        assert logged_in.status_code == 303
        yield client


def test_home_works_and_reminders_says_it_is_unavailable_without_the_service(
    without_reminders: TestClient,
) -> None:
    home = without_reminders.get("/")
    assert home.status_code == 200
    assert 'id="due-count"' not in home.text
    assert "avointa muistutusta" not in home.text
    page = without_reminders.get("/reminders")
    assert page.status_code == 503
    assert "Kortisto ei ole juuri nyt käytettävissä" in page.text
