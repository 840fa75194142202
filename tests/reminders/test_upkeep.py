"""Schedules kept from events and what the due scan makes of them, against the session's
PostgreSQL and a real SMTP server (aiosmtpd) started here: upkeep by cadence, reset by an
activity; greetings only with consent; withdrawal and forgetting cancel at once; consent
renewal and pending partners; referral follow-ups; quiet hours; digests; idempotent scans
(two at once write nothing twice); retries ending as `failed`, and the retry."""

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from services.reminders.deliveries import sending
from services.reminders.deliveries.mailer import TransientMailError
from services.reminders.deliveries.models import Delivery, Notification
from services.reminders.deliveries.service import claim_ready, run_due_scan, scan_due
from services.reminders.models import outbox
from services.reminders.people.models import PartnerCopy
from services.reminders.runtime import Reminders
from services.reminders.schedules.models import Schedule
from services.reminders.tasks import apply
from shared.auth import Principal
from shared.crypto import SubjectShredded, seal_for
from shared.crypto.documents import open_document
from shared.database import utcnow
from tests.conftest import empty_schema
from tests.live import free_port
from tests.reminders.running import reminders_beside, set_quiet_hours
from tests.smtp import Inbox, smtp_server


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def reminders_app(
    database_urls: dict[str, str], registry_app: TestClient, inbox: Inbox, redis_url: str
) -> Iterator[TestClient]:
    with reminders_beside(
        registry_app,
        database_urls["reminders"],
        broker_url=redis_url,
        result_backend=redis_url,
        smtp_url=inbox.url,
    ) as app:
        yield TestClient(app)


@pytest.fixture
def reminders(reminders_app: TestClient, inbox: Inbox) -> Iterator[Reminders]:
    runtime: Reminders = reminders_app.app.state.reminders  # type: ignore[attr-defined]
    inbox.messages.clear()
    # Emptied before too: the portal's stack shares the session's database, and a due
    # scan would send what its tests left pending.
    empty_schema(runtime.database, "reminders")
    set_quiet_hours(runtime.database, ORG)
    yield runtime
    empty_schema(runtime.database, "reminders")


ORG = "00000000-0000-4000-8000-000000000001"


def event(type_: str, **payload: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": "registry", "type": type_, "payload": payload}


def staff(reminders: Reminders, user_id: str = "staff-1", **contact: str) -> str:
    sealed = seal_for(
        reminders.keyring.provider,
        "reminders",
        user_id,
        {"email": f"{user_id}@example.org", "name": "Eero", "locale": "fi", **contact},
    )
    apply(
        reminders,
        event(
            "membership.changed",
            organisation_id=ORG,
            user_id=user_id,
            roles=["staff"],
            sealed=sealed,
        ),
    )
    return user_id


def partner(
    reminders: Reminders,
    *,
    partner_id: str | None = None,
    name: str = "Kallion Kuoro",
    purposes: tuple[str, ...] = ("file", "team"),
    tie: str = "weak",
    last_contact_on: date | None = None,
    card_updated_on: date | None = None,
    status: str = "active",
    valid_until: dict[str, str] | None = None,
    purge_after: date | None = None,
    document: dict[str, Any] | None = None,
    responsible: str = "staff-1",
) -> str:
    partner_id = partner_id or str(uuid.uuid4())
    apply(
        reminders,
        event(
            "partner.upserted",
            changed_at=utcnow().isoformat(timespec="microseconds"),
            rebuild_generation=0,
            partner_id=partner_id,
            organisation_id=ORG,
            kind="citizen",
            status=status,
            district_code=None,
            category_codes=[],
            tie_strength=tie,
            last_contact_on=last_contact_on.isoformat() if last_contact_on else None,
            purposes=sorted(purposes),
            valid_until=valid_until or {},
            matching=False,
            responsible_user_id=responsible,
            card_updated_on=(card_updated_on or date.today()).isoformat(),
            purge_after=purge_after.isoformat() if purge_after else None,
            sealed_reminders=seal_for(
                reminders.keyring.provider, "reminders", partner_id, document or {"name": name}
            ),
        ),
    )
    return partner_id


def schedules(reminders: Reminders, subject: str) -> dict[str, Schedule]:
    with reminders.database.session() as session:
        rows = session.scalars(select(Schedule).where(Schedule.subject_id == subject))
        return {s.kind: s for s in rows}


def deliveries(reminders: Reminders, **where: Any) -> list[Delivery]:
    with reminders.database.session() as session:
        query = select(Delivery).order_by(Delivery.created_at)
        for column, value in where.items():
            query = query.where(getattr(Delivery, column) == value)
        return list(session.scalars(query))


def make_due(reminders: Reminders, subject: str, kind: str) -> None:
    with reminders.database.session() as session:
        session.execute(
            update(Schedule)
            .where(Schedule.subject_id == subject, Schedule.kind == kind)
            .values(next_due_at=utcnow() - timedelta(minutes=1))
        )


def scan_and_send(reminders: Reminders) -> list[str]:
    """The due scan, then every queued delivery sent, as the worker would."""
    queued: list[str] = []
    run_due_scan(reminders.database, 100, queued.extend)
    for delivery_id in queued:
        sending.send(reminders, delivery_id)
    return queued


def test_upkeep_falls_due_after_the_cadence_and_an_activity_resets_it(
    reminders: Reminders, inbox: Inbox
) -> None:
    staff(reminders)
    seven_months = date.today() - timedelta(days=213)
    weak = partner(reminders, name="Heikko Kumppani", tie="weak", last_contact_on=seven_months)
    strong = partner(reminders, tie="strong", last_contact_on=date.today() - timedelta(days=30))
    upkeep = schedules(reminders, weak)["upkeep"]
    assert upkeep.next_due_at < utcnow()  # six months have passed
    assert schedules(reminders, strong)["upkeep"].next_due_at > utcnow() + timedelta(days=50)

    sent = scan_and_send(reminders)
    assert len(sent) == 1
    [mail] = inbox.messages
    assert mail["Subject"] == "Aika pitää yhteyttä: Heikko Kumppani"
    assert mail["To"] == "staff-1@example.org"
    [delivery] = deliveries(reminders, channel="email")
    assert delivery.status == "sent" and mail["Message-ID"] == f"<{delivery.id}@kortisto.local>"
    assert str(mail["X-Kortisto-Delivery"]).strip() == delivery.idempotency_key
    with reminders.database.session() as session:
        [note] = session.scalars(select(Notification)).all()
        assert (note.user_id, note.subject_id, note.kind) == ("staff-1", weak, "upkeep")
    # The reminder comes back in two weeks unless a contact is logged; a contact moves it on.
    assert schedules(reminders, weak)["upkeep"].next_due_at > utcnow() + timedelta(days=13)
    apply(
        reminders,
        event(
            "activity.logged",
            partner_id=weak,
            organisation_id=ORG,
            last_contact_on=date.today().isoformat(),
        ),
    )
    assert schedules(reminders, weak)["upkeep"].next_due_at > utcnow() + timedelta(days=170)
    assert scan_and_send(reminders) == []


def test_greetings_need_consent_and_withdrawal_cancels_at_once(
    reminders: Reminders, inbox: Inbox
) -> None:
    birthday = date.today().replace(year=1970)
    document = {"name": "Aino", "email": "aino@example.org", "birthday": birthday.isoformat()}
    without = partner(reminders, purposes=("file", "team"), document={"name": "Ei Onnittelua"})
    pid = partner(reminders, purposes=("file", "team", "greetings"), document=document)
    assert "greeting" not in schedules(reminders, without)
    greeting = schedules(reminders, pid)["greeting"]
    assert greeting.rule == {"every": "year"}
    make_due(reminders, pid, "greeting")
    with reminders.database.session() as session:
        scan_due(session, 100)
    [pending] = deliveries(reminders, kind="greeting")
    assert pending.status == "pending"
    # Consent withdrawn before it went out: the schedule and the delivery end, nothing is sent.
    partner(reminders, partner_id=pid, purposes=("file", "team"), document={"name": "Aino"})
    assert schedules(reminders, pid)["greeting"].status == "cancelled"
    assert deliveries(reminders, kind="greeting")[0].status == "cancelled"
    assert scan_and_send(reminders) == [] and inbox.messages == []


def test_a_greeting_arrives_on_the_birthday_and_returns_next_year(
    reminders: Reminders, inbox: Inbox
) -> None:
    birthday = date(1980, 2, 29)
    document = {"name": "Aino", "email": "aino@example.org", "birthday": birthday.isoformat()}
    pid = partner(reminders, purposes=("file", "greetings"), document=document)
    make_due(reminders, pid, "greeting")
    scan_and_send(reminders)
    [mail] = inbox.messages
    assert mail["To"] == "aino@example.org" and mail["Subject"] == "Hyvää syntymäpäivää, Aino!"
    following = schedules(reminders, pid)["greeting"].next_due_at
    assert timedelta(days=360) < following - utcnow() < timedelta(days=367)


def test_forgetting_a_partner_cancels_everything_and_shreds_its_copy(reminders: Reminders) -> None:
    staff(reminders)
    pid = partner(reminders, last_contact_on=date.today() - timedelta(days=400))
    with reminders.database.session() as session:
        scan_due(session, 100)
        blob = session.get(PartnerCopy, pid).document_encrypted  # type: ignore[union-attr]
    assert deliveries(reminders, channel="email")[0].status == "pending"
    apply(reminders, event("partner.forgotten", partner_id=pid, organisation_id=ORG))
    assert all(s.status == "cancelled" for s in schedules(reminders, pid).values())
    assert deliveries(reminders, channel="email")[0].status == "cancelled"
    with reminders.database.session() as session:
        assert session.get(PartnerCopy, pid) is None
        with pytest.raises(SubjectShredded):
            open_document(reminders.keyring, session, "partners", pid, blob)


def test_consent_renewal_and_stale_cards(reminders: Reminders) -> None:
    expires = date.today() + timedelta(days=100)
    old_card = date.today() - timedelta(days=400)
    pid = partner(reminders, valid_until={"file": expires.isoformat()}, card_updated_on=old_card)
    found = schedules(reminders, pid)
    renewal = found["consent_renewal"].next_due_at.date()
    assert renewal == expires - timedelta(days=30) or renewal == expires - timedelta(days=31)
    assert found["stale_card"].next_due_at < utcnow()


def test_a_pending_partner_is_asked_for_and_then_handed_back_for_purging(
    reminders: Reminders,
) -> None:
    staff(reminders)
    yesterday = date.today() - timedelta(days=2)
    pid = partner(reminders, status="pending", purposes=(), purge_after=yesterday)
    found = schedules(reminders, pid)
    assert set(found) == {"consent_request", "pending_purge"}
    make_due(reminders, pid, "consent_request")  # asked at 09:00 local time
    with reminders.database.session() as session:
        scan_due(session, 100)
        events = session.execute(select(outbox.c.type, outbox.c.payload)).all()
    assert [(e.type, e.payload["partner_id"]) for e in events] == [("partner.purge_due", pid)]
    assert deliveries(reminders, kind="consent_request", channel="email")


def test_a_referral_follow_up_is_scheduled_and_cancelled_when_it_ends(reminders: Reminders) -> None:
    referral = str(uuid.uuid4())
    common = {
        "referral_id": referral,
        "organisation_id": ORG,
        "partner_id": "p",
        "staff_user_id": "staff-1",
        "support_user_id": "support-user-1",
    }
    apply(
        reminders, event("referral.changed", status="proposed", follow_up_on="2027-01-15", **common)
    )
    follow_up = schedules(reminders, referral)["referral_follow_up"]
    assert follow_up.status == "active" and follow_up.next_due_at.date() == date(2027, 1, 15)
    assert follow_up.rule == {"support_user_id": "support-user-1"}
    apply(reminders, event("referral.changed", status="ended", follow_up_on="2027-01-15", **common))
    assert schedules(reminders, referral)["referral_follow_up"].status == "cancelled"


def test_quiet_hours_hold_an_email_until_morning(reminders: Reminders) -> None:
    staff(reminders)
    pid = partner(reminders, last_contact_on=date.today() - timedelta(days=400))
    late = datetime.combine(date.today(), time(20, 30), tzinfo=UTC)  # 22:30 or 23:30 in Helsinki
    set_quiet_hours(reminders.database, ORG, (time(21), time(8)))  # the defaults
    with reminders.database.session() as session:
        session.execute(update(Schedule).where(Schedule.subject_id == pid).values(next_due_at=late))
        scan_due(session, 100, now=late)
    [email] = deliveries(reminders, channel="email", kind="upkeep")
    assert email.send_after.astimezone(UTC).hour in (5, 6)  # 08:00 in Helsinki, winter or summer
    with reminders.database.session() as session:
        assert claim_ready(session, 100, now=late) == []


def test_two_scans_at_once_write_every_delivery_once(reminders: Reminders) -> None:
    staff(reminders)
    for _ in range(60):
        partner(reminders, last_contact_on=date.today() - timedelta(days=400))
    queued: list[str] = []
    threads = [
        threading.Thread(target=run_due_scan, args=(reminders.database, 7, queued.extend))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emails = deliveries(reminders, channel="email")
    assert len(emails) == 60 and len({d.idempotency_key for d in emails}) == 60
    assert sorted(queued) == sorted(d.id for d in emails)
    with reminders.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 60
    # Scanning again (as a second beat would) finds nothing more to do.
    again: list[str] = []
    run_due_scan(reminders.database, 7, again.extend)
    assert again == []


def test_a_digest_gathers_the_days_items_into_one_message(
    reminders: Reminders, reminders_app: TestClient, registry_app: TestClient, inbox: Inbox
) -> None:
    staff(reminders)
    token = registry_app.app.state.registry.issuer.issue(  # type: ignore[attr-defined]
        Principal("staff-1", ORG, frozenset({"staff"}))
    )
    headers = {"Authorization": f"Bearer {token}"}
    body = {"digest": True, "digest_hour": 8, "email_reminders": True}
    assert reminders_app.put("/me/delivery-settings", json=body, headers=headers).json() == body
    names = ["Eka", "Toka", "Kolmas"]
    for name in names:
        partner(reminders, name=name, last_contact_on=date.today() - timedelta(days=400))
    assert scan_and_send(reminders) == []  # held for the digest
    assert {d.status for d in deliveries(reminders, channel="email")} == {"held"}
    make_due(reminders, "staff-1:" + ORG, "digest")
    scan_and_send(reminders)
    [mail] = inbox.messages
    assert mail["Subject"] == "Päivän muistutukset (3)"
    assert all(name in mail.get_content() for name in names)  # type: ignore[attr-defined]
    statuses = {d.kind: d.status for d in deliveries(reminders, channel="email")}
    assert statuses == {"upkeep": "sent", "digest": "sent"}
    items = reminders_app.get("/notifications", headers=headers).json()
    assert sorted(i["subject_name"] for i in items) == sorted(names)
    done = reminders_app.post(f"/notifications/{items[0]['id']}/done", headers=headers)
    assert done.json()["status"] == "done"
    snoozed = reminders_app.post(
        f"/notifications/{items[1]['id']}/snooze", json={"days": 3}, headers=headers
    )
    assert snoozed.json()["status"] == "snoozed"
    assert len(reminders_app.get("/notifications", headers=headers).json()) == 1
    # A page at a time, and the e-mails named by their partner for the failed-deliveries view.
    every = reminders_app.get("/notifications?status=all", headers=headers).json()
    pages = [
        reminders_app.get(f"/notifications?status=all&limit=2&offset={o}", headers=headers).json()
        for o in (0, 2)
    ]
    assert [i["id"] for page in pages for i in page] == [i["id"] for i in every]
    assert [len(page) for page in pages] == [2, 1]
    sent = reminders_app.get("/deliveries?status=sent", headers=headers).json()
    emails = [d for d in sent if d["kind"] == "upkeep" and d["channel"] == "email"]
    assert sorted(d["subject_name"] for d in emails) == sorted(names)
    bad = reminders_app.post(
        f"/notifications/{items[1]['id']}/snooze", json={"days": 0}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"].endswith("days")


def test_an_unreachable_mail_server_ends_as_failed_and_can_be_retried(
    reminders: Reminders, reminders_app: TestClient, registry_app: TestClient
) -> None:
    staff(reminders)
    partner(reminders, last_contact_on=date.today() - timedelta(days=400))
    queued: list[str] = []
    run_due_scan(reminders.database, 100, queued.extend)
    [delivery_id] = queued
    broken = Reminders.build(
        reminders.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    )
    with pytest.raises(TransientMailError):
        sending.send(broken, delivery_id)
    [delivery] = deliveries(reminders, id=delivery_id)
    assert (delivery.status, delivery.attempts) == ("queued", 1) and delivery.last_error
    sending.give_up(broken, delivery_id, "connection refused")
    token = registry_app.app.state.registry.issuer.issue(  # type: ignore[attr-defined]
        Principal("admin-1", ORG, frozenset({"admin", "staff"}))
    )
    headers = {"Authorization": f"Bearer {token}"}
    failed = reminders_app.get("/deliveries?status=failed", headers=headers).json()
    assert [d["id"] for d in failed] == [delivery_id]
    retried = reminders_app.post(f"/deliveries/{delivery_id}/retry", headers=headers)
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert sending.send(reminders, delivery_id).status == "sent"
    again = reminders_app.post(f"/deliveries/{delivery_id}/retry", headers=headers)
    assert again.status_code == 422
    broken.database.dispose()


def test_the_policy_changes_every_partners_cadence(
    reminders: Reminders, reminders_app: TestClient, registry_app: TestClient
) -> None:
    pid = partner(reminders, tie="weak", last_contact_on=date.today() - timedelta(days=100))
    assert schedules(reminders, pid)["upkeep"].next_due_at > utcnow()
    issue = registry_app.app.state.registry.issuer.issue  # type: ignore[attr-defined]
    admin = {"Authorization": f"Bearer {issue(Principal('a', ORG, frozenset({'admin'})))}"}
    staff_only = {"Authorization": f"Bearer {issue(Principal('s', ORG, frozenset({'staff'})))}"}
    policy = reminders_app.get("/organisation/policy", headers=staff_only).json()
    assert (policy["strong_months"], policy["weak_months"]) == (3, 6)
    changed = {**policy, "weak_months": 2}
    assert (
        reminders_app.put("/organisation/policy", json=changed, headers=staff_only).status_code
        == 403
    )
    assert reminders_app.put("/organisation/policy", json=changed, headers=admin).status_code == 200
    assert schedules(reminders, pid)["upkeep"].next_due_at < utcnow()
    bad = {**policy, "quiet_start": "08:00:00", "quiet_end": "08:00:00"}
    assert reminders_app.put("/organisation/policy", json=bad, headers=admin).status_code == 422


def test_metrics_show_deliveries_and_queues(
    reminders: Reminders, reminders_app: TestClient, registry_app: TestClient
) -> None:
    staff(reminders)
    partner(reminders, last_contact_on=date.today() - timedelta(days=400))
    with reminders.database.session() as session:
        scan_due(session, 100)
    body = reminders_app.get("/metrics").text
    assert 'kortisto_deliveries{status="pending"} 1' in body
    assert "kortisto_worker_alive" in body and 'kortisto_queue_length{queue="reminders"}' in body
    # An organisation's admin sees the installation's figures and their own apart.
    issue = registry_app.app.state.registry.issuer.issue  # type: ignore[attr-defined]
    for organisation, own in ((ORG, {"pending": 1, "sent": 1}), (str(uuid.uuid4()), {})):
        token = issue(Principal("a", organisation, frozenset({"admin"})))
        summary = reminders_app.get(
            "/operations/summary", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert summary["deliveries"]["pending"] == 1
        assert {k: v for k, v in summary["organisation"].items() if k != "due_schedules"} == own
