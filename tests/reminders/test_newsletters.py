"""Newsletters end to end: partners and consents recorded in the registry over its API and
relayed to reminders by the real outbox relay, issues written and sent over reminders' API,
each e-mail sent by the delivery code to a real SMTP server (aiosmtpd) started here, and
the unsubscribe link followed back into the registry. PostgreSQL is the session's.

Covered: the audience is decided by consent at send time; one delivery per recipient
however often an issue is sent; the List-Unsubscribe headers and a working link that
withdraws `newsletter` consent in the registry; named partners only with consent; escaped
HTML in the preview; refused input naming the field with nothing written; bounces; and who
may see what."""

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any
from urllib.parse import urlparse

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from services.registry import tasks as registry_tasks
from services.registry.models import outbox as registry_outbox
from services.registry.runtime import Registry
from services.reminders import tasks as reminders_tasks
from services.reminders.deliveries import sending
from services.reminders.deliveries.models import Delivery
from services.reminders.models import outbox as reminders_outbox
from services.reminders.newsletters import service as newsletters
from services.reminders.newsletters.models import NewsletterDelivery, NewsletterIssue
from services.reminders.people.models import PartnerCopy
from services.reminders.runtime import Reminders
from shared.events import Event, relay_pending
from tests.conftest import empty_schema
from tests.live import free_port
from tests.registry.conftest import Member, World, add_partner, consents, organisation_card
from tests.reminders.running import quiet_hours_away_from_now, reminders_beside

PUBLIC_URL = "https://uutiset.example.org"
MAIL_DOMAIN = "mail.example.org"


class Inbox:
    """What the SMTP server accepted. Addresses starting with "bounce" are refused for
    good (550), as a server refuses an unknown mailbox."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        self.port = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            self.raw.append(envelope.content)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="module")
def reminders_app(
    registry_app: TestClient, database_urls: dict[str, str], inbox: Inbox
) -> Iterator[TestClient]:
    """Reminders over the session's database, with the registry's key files, verifying
    tokens with the registry's keys over HTTP, sending to the SMTP server above, and its
    Celery messages on the embedded broker in the test's data folder."""
    with reminders_beside(
        registry_app,
        database_urls["reminders"],
        smtp_url=f"smtp://127.0.0.1:{inbox.port}",
        mail_domain=MAIL_DOMAIN,
        reminders_public_url=PUBLIC_URL,
    ) as app:
        yield TestClient(app)


@pytest.fixture
def reminders(reminders_app: TestClient, registry: Registry, inbox: Inbox) -> Iterator[Reminders]:
    runtime: Reminders = reminders_app.app.state.reminders  # type: ignore[attr-defined]
    inbox.messages.clear()
    inbox.raw.clear()
    # Emptied before too: the portal's stack shares the session's database, and a due
    # scan would send what its tests left pending.
    empty_schema(runtime.database, "reminders")
    yield runtime
    empty_schema(runtime.database, "reminders")


class Network:
    """Organisations and partners recorded in the registry, with what reminders learns of
    them relayed across, and reminders' API at hand."""

    def __init__(
        self, world: World, registry: Registry, reminders: Reminders, api: TestClient
    ) -> None:
        self.world = world
        self.registry = registry
        self.reminders = reminders
        self.api = api

    @property
    def client(self) -> TestClient:
        return self.world.client

    def relay(self) -> None:
        """The registry's outbox to reminders, and reminders' outbox to the registry, until
        both are empty (what beat's relay tasks and the worker do)."""

        def to_reminders(event: Event) -> None:
            reminders_tasks.apply(self.reminders, event.as_message())

        def to_registry(event: Event) -> None:
            registry_tasks.apply(self.registry, event.as_message())

        while True:
            moved = relay_pending(self.registry.database, registry_outbox, "registry", to_reminders)
            moved += relay_pending(
                self.reminders.database, reminders_outbox, "reminders", to_registry
            )
            if not moved:
                return

    def organisation(self, name: str) -> tuple[Member, Member]:
        """An organisation with an admin and a staff member; outside its quiet hours now."""
        organisation_id = self.world.organisation(name)
        admin = self.world.member(organisation_id, "admin")
        staff = self.world.member(organisation_id, "staff")
        self.relay()
        policy = self.api.get("/organisation/policy", headers=admin.headers).json()
        start, end = quiet_hours_away_from_now("Europe/Helsinki")
        policy |= {"quiet_start": start.isoformat(), "quiet_end": end.isoformat()}
        assert self.api.put("/organisation/policy", headers=admin.headers, json=policy).is_success
        return admin, staff

    def partner(
        self, member: Member, name: str, email: str, *purposes: str, scope: str | None = None
    ) -> str:
        card = organisation_card(name, contact={"email": email, "phone": "040 1234567"})
        created = add_partner(self.client, member, card, *purposes, scope=scope)
        self.relay()
        return str(created["id"])

    def withdraw(self, member: Member, partner_id: str, *purposes: str) -> None:
        response = self.client.post(
            f"/partners/{partner_id}/consents/withdraw",
            headers=member.headers,
            json={"purposes": list(purposes), "method": "verbal"},
        )
        assert response.status_code == 200, response.text
        self.relay()

    def grant(self, member: Member, partner_id: str, *purposes: str) -> None:
        response = self.client.post(
            f"/partners/{partner_id}/consents", headers=member.headers, json=consents(*purposes)
        )
        assert response.status_code == 201, response.text
        self.relay()

    def issue(self, member: Member, **fields: Any) -> dict[str, Any]:
        body = {
            "subject": "Syksyn kuulumiset",
            "blocks": [{"type": "news", "title": "Uusi kerho", "text": "Kokkikerho alkaa."}],
            **fields,
        }
        response = self.api.post("/newsletters", headers=member.headers, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def send(self, member: Member, issue_id: str) -> dict[str, Any]:
        response = self.api.post(f"/newsletters/{issue_id}/send", headers=member.headers)
        assert response.status_code == 200, response.text
        sent: dict[str, Any] = response.json()
        return sent

    def deliver(self) -> list[str]:
        """Every queued delivery sent as the worker's task sends it; their final states."""
        with self.reminders.database.session() as session:
            queued = list(session.scalars(select(Delivery.id).where(Delivery.status == "queued")))
        return [sending.send(self.reminders, delivery_id).status for delivery_id in queued]

    def deliveries(self, issue_id: str) -> list[Delivery]:
        with self.reminders.database.session() as session:
            return list(
                session.scalars(
                    select(Delivery)
                    .join(NewsletterDelivery, NewsletterDelivery.delivery_id == Delivery.id)
                    .where(NewsletterDelivery.issue_id == issue_id)
                )
            )


@pytest.fixture
def network(
    world: World, registry: Registry, reminders: Reminders, reminders_app: TestClient
) -> Network:
    return Network(world, registry, reminders, reminders_app)


@pytest.fixture
def world(registry_app: TestClient, registry: Registry) -> World:
    return World(registry_app, registry)


def test_the_audience_is_decided_by_consent_at_send_time(network: Network, inbox: Inbox) -> None:
    _, staff = network.organisation("Kotipolku")
    _, other = network.organisation("Kallio ry")
    network.partner(staff, "Aino Kerho", "aino@example.org", "file", "newsletter")
    withdrawn = network.partner(staff, "Bertta Seura", "bertta@example.org", "file", "newsletter")
    later = network.partner(staff, "Cecilia Kuoro", "cecilia@example.org", "file", "team")
    network.partner(staff, "Daniel Paja", "daniel@example.org", "file", "team")
    network.partner(other, "Eemeli Talo", "eemeli@example.org", "file", "newsletter")

    issue = network.issue(staff)
    # After the issue was written: one withdraws, another consents.
    network.withdraw(staff, withdrawn, "newsletter")
    network.grant(staff, later, "newsletter")

    sent = network.send(staff, issue["id"])
    assert sent["recipients"] == 2
    assert network.deliver() == ["sent", "sent"]
    assert sorted(m["To"] for m in inbox.messages) == [
        "aino@example.org",
        "cecilia@example.org",
    ]
    message = inbox.to("aino@example.org")[0]
    assert message["Subject"] == "Syksyn kuulumiset"
    assert "Kokkikerho alkaa." in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    got = network.api.get(f"/newsletters/{issue['id']}", headers=staff.headers).json()
    assert got["status"] == "sent" and got["deliveries"] == {"sent": 2}


def test_a_consent_withdrawn_after_the_deliveries_are_written_stops_the_email(
    network: Network, inbox: Inbox
) -> None:
    _, staff = network.organisation("Kotipolku")
    keeps = network.partner(staff, "Aino Kerho", "aino@example.org", "file", "newsletter")
    leaves = network.partner(staff, "Bertta Seura", "bertta@example.org", "file", "newsletter")
    issue = network.issue(staff)
    assert network.send(staff, issue["id"])["recipients"] == 2

    network.withdraw(staff, leaves, "newsletter")  # before the worker took the e-mail
    states = {d.recipient_id: d.status for d in network.deliveries(issue["id"])}
    assert states == {keeps: "queued", leaves: "cancelled"}
    assert network.deliver() == ["sent"]
    assert [m["To"] for m in inbox.messages] == ["aino@example.org"]


def test_one_delivery_per_recipient_however_often_it_is_sent(
    network: Network, inbox: Inbox
) -> None:
    _, staff = network.organisation("Kotipolku")
    for name in ("Aino", "Bertta", "Cecilia"):
        network.partner(staff, f"{name} ry", f"{name.lower()}@example.org", "file", "newsletter")
    issue = network.issue(staff)
    assert network.send(staff, issue["id"])["recipients"] == 3

    again = network.api.post(f"/newsletters/{issue['id']}/send", headers=staff.headers)
    assert again.status_code == 409
    # The due scan taking the same issue as well (a race with the button) writes nothing.
    with network.reminders.database.session() as session:
        session.execute(
            update(NewsletterIssue)
            .where(NewsletterIssue.id == issue["id"])
            .values(status="scheduled", scheduled_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    queued: list[str] = []
    assert newsletters.run_due(network.reminders, queued.extend) == 1
    assert queued == []
    assert len(network.deliveries(issue["id"])) == 3

    first = network.deliver()
    for delivery in network.deliveries(issue["id"]):  # a task delivered twice by the broker
        assert sending.send(network.reminders, delivery.id).status == "sent"
    assert first == ["sent"] * 3
    assert sorted(m["To"] for m in inbox.messages) == [
        "aino@example.org",
        "bertta@example.org",
        "cecilia@example.org",
    ]


def test_a_scheduled_issue_goes_out_with_the_due_scan(network: Network, inbox: Inbox) -> None:
    _, staff = network.organisation("Kotipolku")
    network.partner(staff, "Aino Kerho", "aino@example.org", "file", "newsletter")
    when = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    issue = network.issue(staff, scheduled_at=when)
    assert issue["status"] == "scheduled"

    queued: list[str] = []
    assert newsletters.run_due(network.reminders, queued.extend) == 0  # not yet
    with network.reminders.database.session() as session:
        session.execute(
            update(NewsletterIssue)
            .where(NewsletterIssue.id == issue["id"])
            .values(scheduled_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert newsletters.run_due(network.reminders, queued.extend) == 1
    assert len(queued) == 1
    assert [sending.send(network.reminders, q).status for q in queued] == ["sent"]
    assert [m["To"] for m in inbox.messages] == ["aino@example.org"]
    newsletters.run_due(network.reminders, queued.extend)
    got = network.api.get(f"/newsletters/{issue['id']}", headers=staff.headers).json()
    assert got["status"] == "sent"


def test_the_unsubscribe_link_withdraws_newsletter_consent_in_the_registry(
    network: Network, inbox: Inbox
) -> None:
    _, staff = network.organisation("Kotipolku")
    partner_id = network.partner(
        staff, "Aino Kerho", "aino@example.org", "file", "team", "newsletter"
    )
    first = network.issue(staff)
    network.send(staff, first["id"])
    network.deliver()
    (message,) = inbox.messages
    delivery = network.deliveries(first["id"])[0]

    assert message["Message-ID"] == f"<{delivery.id}@{MAIL_DOMAIN}>"
    header = str(message["List-Unsubscribe"])
    assert header.startswith(f"<{PUBLIC_URL}/unsubscribe/") and header.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    # Written whole on one line, as mail clients read it (never folded or encoded).
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in inbox.raw[0]
    assert partner_id not in url and "aino" not in url  # nothing personal in the link
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert url in plain and f'href="{url}"' in html

    # A second issue is waiting (written during quiet hours, say) when the link is used.
    second = network.issue(staff, subject="Talven tapahtumat")
    network.send(staff, second["id"])

    path = urlparse(url).path
    form = network.api.get(path)
    assert form.status_code == 200 and '<form method="post"' in form.text
    assert network.api.get(path[:-4] + "0000").status_code == 404  # a made-up token

    one_click = network.api.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200 and "text/html" in one_click.headers["content-type"]
    # At once in reminders: the waiting issue does not go to this partner.
    assert {d.status for d in network.deliveries(second["id"])} == {"cancelled"}

    network.relay()  # newsletter.unsubscribed to the registry, partner.upserted back
    history = network.client.get(f"/partners/{partner_id}/consents", headers=staff.headers).json()
    last = history[-1]
    assert (last["purpose"], last["action"], last["method"]) == (
        "newsletter",
        "withdrawn",
        "electronic",
    )
    assert last["information_version"] == "newsletter-unsubscribe-link"
    assert last["obtained_by"] == f"partner:{partner_id}"
    card = network.client.get(f"/partners/{partner_id}", headers=staff.headers).json()
    assert "newsletter" not in {c["purpose"] for c in card["consents"] if c["active"]}
    with network.reminders.database.session() as session:
        copy = session.get(PartnerCopy, partner_id)
        assert copy is not None and copy.purposes == "|file|team|"

    third = network.issue(staff, subject="Kevät")
    assert network.send(staff, third["id"])["recipients"] == 0
    assert network.deliver() == []
    assert len(inbox.messages) == 1

    # Using the link again asks again, harmlessly; the JSON answer is for the portal.
    again = network.api.post(path, headers={"Accept": "application/json"})
    assert again.status_code == 200 and again.json() == {"unsubscribed": True}
    network.relay()
    after = network.client.get(f"/partners/{partner_id}/consents", headers=staff.headers)
    assert len(after.json()) == len(history)
    recipients = network.api.get(
        f"/newsletters/{first['id']}/deliveries", headers=staff.headers
    ).json()
    assert recipients[0]["unsubscribed"] is True


def test_the_preview_escapes_everything_and_names_only_consenting_partners(
    network: Network,
) -> None:
    _, staff = network.organisation("Kotipolku")
    _, other = network.organisation("Kallio ry")
    named = network.partner(
        staff, "Aino <b>Kerho</b> & co", "aino@example.org", "file", "newsletter"
    )
    leaving = network.partner(staff, "Bertta Seura", "bertta@example.org", "file", "newsletter")
    silent = network.partner(staff, "Cecilia Kuoro", "cecilia@example.org", "file", "team")
    foreign = network.partner(other, "Daniel Paja", "daniel@example.org", "file", "newsletter")
    blocks: list[dict[str, Any]] = [
        {"type": "news", "title": "<script>alert(1)</script>", "text": "Tom & Jerry\n\n<i>x</i>"},
        {
            "type": "event",
            "title": "Kevätjuhla",
            "when": "ti 3.6. klo 17",
            "where": 'Kallio "sali" <1>',
            "text": "Tervetuloa!",
        },
        {"type": "new_partners", "text": "Tervetuloa mukaan:", "partner_ids": [named, leaving]},
        {"type": "thanks", "text": "Kiitos <kaikille>"},
    ]
    issue = network.issue(staff, subject="Uutiset <3", blocks=blocks)

    for refused in (silent, foreign):
        bad = [*blocks[:2], {"type": "new_partners", "partner_ids": [named, refused]}]
        response = network.api.post(
            "/newsletters", headers=staff.headers, json={"subject": "x", "blocks": bad}
        )
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "blocks.2.partner_ids.1"
    # Every partner who may not be named is named in the answer, not only the first.
    bad = [
        {"type": "new_partners", "partner_ids": [silent, named]},
        {"type": "new_partners", "partner_ids": [named, foreign]},
    ]
    response = network.api.post(
        "/newsletters", headers=staff.headers, json={"subject": "x", "blocks": bad}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "blocks.0.partner_ids.0"
    assert [d["field"] for d in error["details"]] == [
        "blocks.0.partner_ids.0",
        "blocks.1.partner_ids.1",
    ]

    network.withdraw(staff, leaving, "newsletter")  # after the issue named it
    preview = network.api.get(f"/newsletters/{issue['id']}/preview", headers=staff.headers)
    assert preview.status_code == 200
    html, plain = preview.json()["html"], preview.json()["text"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>Uutiset &lt;3</title>" in html and "<h1>Uutiset &lt;3</h1>" in html
    assert "Tom &amp; Jerry" in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "Kallio &quot;sali&quot; &lt;1&gt;" in html
    assert "<li>Aino &lt;b&gt;Kerho&lt;/b&gt; &amp; co</li>" in html
    assert "Kiitos &lt;kaikille&gt;" in html
    assert "Bertta" not in html and "Bertta" not in plain  # consent ended: left out
    assert "<script>alert(1)</script>" in plain and "- Aino <b>Kerho</b> & co" in plain
    sample = preview.json()["unsubscribe_url"]
    assert sample == f"{PUBLIC_URL}/unsubscribe/sample" and sample in plain
    assert network.api.post(urlparse(sample).path).status_code == 404  # unsubscribes nobody


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"blocks": [{"type": "poem", "text": "Ruusut"}]}, "blocks.0"),
        ({"blocks": []}, "blocks"),
        ({"blocks": [{"type": "news", "title": "", "text": "x"}]}, "blocks.0.news.title"),
        ({"scheduled_at": "2020-01-01T09:00:00+02:00"}, "scheduled_at"),
        ({"scheduled_at": "2999-01-01T09:00:00"}, "scheduled_at"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": f"pool:{uuid.uuid4()}"}, "audience"),
        ({"language": "sv"}, "language"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    network: Network, change: dict[str, Any], field: str
) -> None:
    _, staff = network.organisation("Kotipolku")
    body = {"subject": "Uutiset", "blocks": [{"type": "thanks", "text": "Kiitos"}], **change}
    response = network.api.post("/newsletters", headers=staff.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].startswith(field)
    with network.reminders.database.session() as session:
        assert session.scalar(select(func.count()).select_from(NewsletterIssue)) == 0

    issue = network.issue(staff)
    changed = network.api.put(f"/newsletters/{issue['id']}", headers=staff.headers, json=body)
    assert changed.status_code == 422
    got = network.api.get(f"/newsletters/{issue['id']}", headers=staff.headers).json()
    assert got["subject"] == issue["subject"] and got["blocks"] == issue["blocks"]


def test_only_the_organisations_staff_reach_its_newsletters(network: Network) -> None:
    admin, staff = network.organisation("Kotipolku")
    other_admin, other_staff = network.organisation("Kallio ry")
    planner = network.world.member(admin.organisation_id, "planner")
    issue = network.issue(staff)
    api = network.api
    paths = [
        ("get", f"/newsletters/{issue['id']}"),
        ("get", f"/newsletters/{issue['id']}/preview"),
        ("get", f"/newsletters/{issue['id']}/deliveries"),
        ("post", f"/newsletters/{issue['id']}/send"),
        ("delete", f"/newsletters/{issue['id']}"),
    ]
    for method, path in paths:
        assert getattr(api, method)(path, headers=other_staff.headers).status_code == 404
        assert getattr(api, method)(path, headers=other_admin.headers).status_code == 404
        assert getattr(api, method)(path, headers=planner.headers).status_code == 403
        assert getattr(api, method)(path).status_code == 401
    assert api.get("/newsletters", headers=other_staff.headers).json() == []
    assert api.get("/newsletters", headers=planner.headers).status_code == 403
    blocks = [{"type": "thanks", "text": "Kiitos"}]
    create = api.post(
        "/newsletters", headers=planner.headers, json={"subject": "x", "blocks": blocks}
    )
    assert create.status_code == 403
    bounce = {"message_id": f"<{uuid.uuid4()}@{MAIL_DOMAIN}>"}
    assert api.post("/newsletters/bounces", headers=staff.headers, json=bounce).status_code == 403
    got = api.get(f"/newsletters/{issue['id']}", headers=staff.headers).json()
    assert got["status"] == "draft"
    assert api.delete(f"/newsletters/{issue['id']}", headers=admin.headers).status_code == 204


def test_bounces_are_recorded_on_the_delivery(network: Network, inbox: Inbox) -> None:
    admin, staff = network.organisation("Kotipolku")
    other_admin, _ = network.organisation("Kallio ry")
    refused = network.partner(staff, "Aino Kerho", "bounce@example.org", "file", "newsletter")
    delivered = network.partner(staff, "Bertta Seura", "bertta@example.org", "file", "newsletter")
    issue = network.issue(staff)
    network.send(staff, issue["id"])
    assert sorted(network.deliver()) == ["failed", "sent"]  # refused for good: no retries

    (message,) = inbox.messages
    report = {"message_id": message["Message-ID"], "reason": "550 mailbox full for good"}
    assert (
        network.api.post("/newsletters/bounces", headers=other_admin.headers, json=report)
    ).status_code == 404
    recorded = network.api.post("/newsletters/bounces", headers=admin.headers, json=report)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["bounced"] is True

    rows = network.api.get(f"/newsletters/{issue['id']}/deliveries", headers=staff.headers)
    by_partner = {r["partner_id"]: r for r in rows.json()}
    assert by_partner[refused]["status"] == "failed" and by_partner[refused]["bounced"]
    assert "550" in by_partner[refused]["error"]
    assert by_partner[delivered]["status"] == "failed" and by_partner[delivered]["bounced"]
    assert by_partner[delivered]["sent_at"] is not None
    assert by_partner[delivered]["error"] == "bounced: 550 mailbox full for good"
    assert by_partner[refused]["name"] == "Aino Kerho"
    unknown = {"message_id": f"<{uuid.uuid4()}@{MAIL_DOMAIN}>"}
    assert (
        network.api.post("/newsletters/bounces", headers=admin.headers, json=unknown)
    ).status_code == 404


def test_a_pool_issue_reaches_partners_who_consented_to_the_pool(
    network: Network, inbox: Inbox
) -> None:
    admin, staff = network.organisation("Kotipolku")
    other_admin, other_staff = network.organisation("Kallio ry")
    client = network.client
    pool = client.post("/pools", headers=admin.headers, json={"name": "Kallion verkosto"}).json()
    invited = client.post(
        f"/pools/{pool['id']}/invitations",
        headers=admin.headers,
        json={"organisation_id": other_admin.organisation_id},
    )
    assert invited.status_code == 201, invited.text
    assert client.post(f"/pools/{pool['id']}/accept", headers=other_admin.headers).is_success
    network.relay()

    own = network.partner(staff, "Aino Kerho", "aino@example.org", "file", "newsletter")
    pooled = network.partner(
        other_staff,
        "Bertta Seura",
        "bertta@example.org",
        "file",
        "newsletter",
        f"pool:{pool['id']}",
        scope="basic",
    )
    network.partner(other_staff, "Cecilia Kuoro", "cecilia@example.org", "file", "newsletter")
    blocks = [{"type": "new_partners", "partner_ids": [pooled]}]
    issue = network.issue(staff, audience=f"pool:{pool['id']}", blocks=blocks)
    assert network.send(staff, issue["id"])["recipients"] == 2
    network.deliver()
    assert sorted(m["To"] for m in inbox.messages) == ["aino@example.org", "bertta@example.org"]
    assert "Bertta Seura" in inbox.to("aino@example.org")[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]

    rows = network.api.get(f"/newsletters/{issue['id']}/deliveries", headers=staff.headers)
    names = {r["partner_id"]: r["name"] for r in rows.json()}
    assert names == {own: "Aino Kerho", pooled: None}  # another organisation's partner
    assert all(r["status"] == "sent" and r["error"] is None for r in rows.json())

    # Once the other organisation leaves, its partners are out of the pool's issues, those
    # waiting to be sent included.
    waiting = network.issue(staff, audience=f"pool:{pool['id']}")
    assert network.send(staff, waiting["id"])["recipients"] == 2
    assert client.post(f"/pools/{pool['id']}/leave", headers=other_admin.headers).is_success
    network.relay()
    states = {d.recipient_id: d.status for d in network.deliveries(waiting["id"])}
    assert states == {own: "queued", pooled: "cancelled"}
    later = network.issue(staff, audience=f"pool:{pool['id']}")
    assert network.send(staff, later["id"])["recipients"] == 1
