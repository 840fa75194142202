"""The newsletter pages over HTTP against the real registry and reminders, and a real SMTP
server: the editor (parts added, moved and removed without JavaScript, partners found and
named, errors at their fields, a partner without consent refused), the preview, sending
now, each recipient's state through sending, a reported bounce and the unsubscribe link
passed on by the portal, and who may do what."""

import re
import secrets
from collections.abc import Mapping
from email.message import Message

import httpx

from services.reminders.deliveries import sending
from tests.portal.conftest import (
    ANNA_EMAIL,
    OLLI_EMAIL,
    Elements,
    Inbox,
    PortalStack,
    api_partner,
    csrf_of,
    portal_client,
    relay_to_reminders,
)
from tests.portal.test_reminders import post_form


def tag() -> str:
    return secrets.token_hex(3)


def newsletter_partner(stack: PortalStack, name: str, email: str, newsletter: bool = True) -> str:
    purposes = ("file", "team", "newsletter") if newsletter else ("file", "team")
    return api_partner(stack, name, purposes=purposes, contact={"email": email})


def editor_action(
    client: httpx.Client, path: str, html: str, fields: Mapping[str, object], action: str
) -> httpx.Response:
    """Sends the editor's form back with ``action``, as its buttons do."""
    return client.post(path, data={"csrf_token": csrf_of(html), **fields, "action": action})


def recipient_rows(html: str) -> dict[str, str]:
    """Each recipient row's delivery id and text."""
    page = Elements(html)
    return {
        element_id.removeprefix("recipient-"): page.text_of(element_id)
        for element_id in page.text_by_id
        if re.fullmatch(r"recipient-[0-9a-f-]{36}", element_id)
    }


def listed_row(client: httpx.Client, subject: str) -> str:
    """The text of the newsletter list's row about ``subject``."""
    html = client.get("/reminders/newsletters").text
    [row] = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if subject in r]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_a_newsletter_is_written_previewed_sent_and_followed(
    anna: httpx.Client, portal_stack: PortalStack, inbox: Inbox
) -> None:
    word = tag()
    reader_name, silent_name = f"Lukupiiri {word}", f"Hiljainen Seura {word}"
    reader_email, bouncer_email = f"lukupiiri-{word}@example.org", f"pomppu-{word}@example.org"
    reader = newsletter_partner(portal_stack, reader_name, reader_email)
    newsletter_partner(portal_stack, f"Pomppu ry {word}", bouncer_email)
    silent = newsletter_partner(
        portal_stack, silent_name, f"hiljainen-{word}@example.org", newsletter=False
    )
    relay_to_reminders(portal_stack)

    # The editor starts with one news part; the audience is ours or the pool's.
    new = anna.get("/reminders/newsletters/new")
    assert new.status_code == 200
    page = Elements(new.text)
    assert page.find("input", id="subject", name="subject")
    assert page.find("input", type="radio", name="audience", value="organisation", checked="")
    assert page.find("input", type="radio", name="audience", value=f"pool:{portal_stack.pool_id}")
    assert page.find("input", name="block-0-type", value="news")
    assert page.find("input", id="block-0-title")

    # Adding parts sends the form back; what was written stays, nothing is saved yet.
    subject = f"Syysuutiset {word}"
    fields: dict[str, object] = {
        "subject": subject,
        "language": "fi",
        "audience": "organisation",
        "block-count": "1",
        "block-0-type": "news",
        "block-0-title": "Kerhot alkavat",
        "block-0-text": "Syksyn kerhot alkavat syyskuussa.",
        "send": "draft",
    }
    added = editor_action(anna, "/reminders/newsletters/new", new.text, fields, "add-event")
    assert added.status_code == 200
    page = Elements(added.text)
    assert page.find("input", id="block-0-title", value="Kerhot alkavat")
    assert page.find("input", name="block-1-type", value="event")
    assert page.find("input", id="block-1-when")
    assert "Osa 2: Tapahtuma" in added.text
    fields.update({"block-count": "2", "block-1-type": "event", "block-1-title": "Syysjuhla"})
    named = editor_action(
        anna, "/reminders/newsletters/new", added.text, fields, "add-new_partners"
    )
    fields.update({"block-count": "3", "block-2-type": "new_partners", "block-2-find": word})
    found = editor_action(anna, "/reminders/newsletters/new", named.text, fields, "find-2")
    page = Elements(found.text)
    assert page.find("input", type="checkbox", name="block-2-partner", value=reader)
    assert not page.find("input", type="checkbox", name="block-2-partner", value=silent)
    assert subject not in anna.get("/reminders/newsletters").text

    # Missing details are named at their fields.
    missing = editor_action(anna, "/reminders/newsletters/new", found.text, fields, "save")
    assert missing.status_code == 422
    errors = Elements(missing.text)
    assert "Kirjoita, milloin tapahtuma on" in errors.text_of("block-1-when-error")
    assert "Valitse vähintään yksi mainittava kumppani." in errors.text_of("block-2-partner-error")
    assert errors.find("a", href="#block-1-when")

    # A partner who has not agreed to newsletters cannot be named (a form sent with one
    # anyway): reminders refuses it, and the error names the partner.
    fields.update({"block-1-when": "lauantaina 12.9. klo 14", "block-2-partner": silent})
    refused = editor_action(anna, "/reminders/newsletters/new", found.text, fields, "save")
    assert refused.status_code == 422
    error = Elements(refused.text).text_of("block-2-partner-error")
    assert f"{silent_name} ei ole suostunut" in error

    fields["block-2-partner"] = reader
    saved = editor_action(anna, "/reminders/newsletters/new", refused.text, fields, "save")
    assert saved.status_code == 303, saved.text
    issue_url = saved.headers["location"]
    assert re.fullmatch(r"/reminders/newsletters/[0-9a-f-]{36}", issue_url)
    issue = anna.get(issue_url)
    assert "Uutiskirje tallennettiin luonnoksena." in issue.text
    page = Elements(issue.text)
    assert "Luonnos" in page.text_of("issue-facts")
    assert "Omat kumppanimme" in page.text_of("issue-facts")
    frame = page.find("iframe", src=f"{issue_url}/preview")
    assert frame and frame[0]["title"] == f"Viestin esikatselu: {subject}"
    assert "sandbox" in frame[0]
    text = issue.text[issue.text.index('class="preview-text"') :]
    assert "Kerhot alkavat" in text and "Syysjuhla" in text and reader_name in text
    assert silent_name not in text

    # The preview on its own: the e-mail's HTML, in a frame that runs nothing.
    preview = anna.get(f"{issue_url}/preview")
    assert preview.status_code == 200
    assert "<h2>Kerhot alkavat</h2>" in preview.text
    policy = preview.headers["content-security-policy"]
    assert "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy

    # Editing: the event moves up, and the preview follows.
    edit = anna.get(f"{issue_url}/edit")
    form = Elements(edit.text)
    assert form.find("input", id="subject", value=subject)
    assert form.find("input", type="checkbox", name="block-2-partner", value=reader, checked="")
    moved = editor_action(anna, f"{issue_url}/edit", edit.text, fields, "up-1")
    assert Elements(moved.text).find("input", name="block-0-type", value="event")
    moved_fields = {
        **fields,
        "block-0-type": "event", "block-0-title": "Syysjuhla",
        "block-0-when": "lauantaina 12.9. klo 14", "block-0-text": "",
        "block-1-type": "news", "block-1-title": "Kerhot alkavat",
        "block-1-text": "Syksyn kerhot alkavat syyskuussa.", "block-1-when": "",
    }  # fmt: skip
    resaved = editor_action(anna, f"{issue_url}/edit", moved.text, moved_fields, "save")
    assert resaved.status_code == 303
    text = anna.get(issue_url).text
    text = text[text.index('class="preview-text"') :]
    assert text.index("Syysjuhla") < text.index("Kerhot alkavat")

    # Send now: each recipient is followed on the page.
    sent = post_form(anna, issue_url, f"{issue_url}/send", {})
    assert sent.status_code == 303 and sent.headers["location"] == f"{issue_url}#recipients"
    page_html = anna.get(issue_url).text
    assert "Uutiskirje on matkalla." in page_html
    rows = recipient_rows(page_html)
    assert any(reader_name in row for row in rows.values())
    assert not any(silent_name in row for row in rows.values())
    assert all(("Jonossa" in row or "Odottaa lähetysaikaa" in row) for row in rows.values())
    assert not Elements(page_html).find("a", href=f"{issue_url}/edit")
    # The list says it is on its way, not yet that it was sent.
    listed = listed_row(anna, subject)
    assert "Lähettäminen alkoi" in listed and "Lähetetty" not in listed, listed

    # The worker's part: every e-mail of the issue goes to the SMTP server.
    inbox.messages.clear()
    for delivery_id in rows:
        runtime = portal_stack.reminders_runtime
        assert runtime is not None
        sending.send(runtime, delivery_id)
    [mail] = inbox.to(reader_email)
    assert mail["Subject"] == subject
    assert inbox.to(bouncer_email)
    rows = recipient_rows(anna.get(issue_url).text)
    assert all("Lähetetty" in row for row in rows.values())
    page = Elements(anna.get(issue_url).text)
    assert "Lähetetty" in page.text_of("issue-facts")
    listed = listed_row(anna, subject)
    assert "Lähetetty" in listed and "Lähettäminen alkoi" not in listed, listed

    # A bounce reported later, recorded by an admin by the e-mail's Message-ID.
    [bounced_mail] = inbox.to(bouncer_email)
    with portal_client(portal_stack, OLLI_EMAIL) as olli:
        recorded = post_form(
            olli,
            "/reminders/newsletters",
            "/reminders/newsletters/bounces",
            {"message_id": str(bounced_mail["Message-ID"]), "reason": "550 no such user"},
        )
        assert recorded.status_code == 303
        assert "Palautunut viesti kirjattiin" in olli.get("/reminders/newsletters").text
        unknown = post_form(
            olli,
            "/reminders/newsletters",
            "/reminders/newsletters/bounces",
            {"message_id": "<00000000-0000-4000-8000-000000000000@kortisto.local>"},
        )
        assert unknown.status_code == 422
        assert "ei ole tätä Message-ID" in Elements(unknown.text).text_of("message_id-error")
    rows = recipient_rows(anna.get(issue_url).text)
    [bounced_row] = [row for row in rows.values() if "Pomppu ry" in row]
    assert "Palautui" in bounced_row and "Epäonnistui" in bounced_row
    assert "550 no such user" in bounced_row
    # A failed recipient is tried again from the newsletter's page, which it returns to.
    [bounced_id] = [d for d, row in rows.items() if "Pomppu ry" in row]
    retried = anna.post(
        f"/reminders/deliveries/{bounced_id}/retry",
        data={"csrf_token": csrf_of(anna.get(issue_url).text), "next": f"{issue_url}#recipients"},
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == f"{issue_url}#recipients"
    assert "Jonossa" in recipient_rows(anna.get(issue_url).text)[bounced_id]
    # Staff see no bounce form and cannot record one.
    assert 'action="/reminders/newsletters/bounces"' not in anna.get("/reminders/newsletters").text

    # The reader unsubscribes with the link in their e-mail, which the portal passes on.
    link = unsubscribe_link(mail)
    assert link.startswith(portal_stack.portal_url + "/unsubscribe/")
    with httpx.Client(headers={"Accept-Language": "fi"}) as stranger:
        asked = stranger.get(link)
        assert asked.status_code == 200 and "Peru tilaus" in asked.text
        assert 'method="post"' in asked.text
        done = stranger.post(link)
        assert done.status_code == 200 and "Tilaus on peruttu" in done.text
        assert stranger.get(link.rsplit("/", 1)[0] + "/not-a-token").status_code == 404
    rows = recipient_rows(anna.get(issue_url).text)
    [reader_row] = [row for row in rows.values() if reader_name in row]
    assert "Perui tilauksen" in reader_row

    # Sent is sent: no second sending, no editing, no deleting.
    again = post_form(anna, issue_url, f"{issue_url}/send", {})
    assert again.status_code == 409
    assert "lähetetään tai se on jo lähetetty" in again.text
    assert anna.get(f"{issue_url}/edit", follow_redirects=False).headers["location"] == issue_url
    kept = post_form(anna, issue_url, f"{issue_url}/delete", {})
    assert kept.status_code == 409


def unsubscribe_link(mail: Message) -> str:
    header = str(mail["List-Unsubscribe"]).strip()
    assert header.startswith("<") and header.endswith(">")
    return header[1:-1]


def test_a_scheduled_newsletter_keeps_its_time_and_a_draft_can_be_deleted(
    anna: httpx.Client,
) -> None:
    new = anna.get("/reminders/newsletters/new").text
    subject = f"Joulutervehdys {tag()}"
    fields = {
        "subject": subject,
        "language": "en",
        "audience": "organisation",
        "block-count": "1",
        "block-0-type": "news",
        "block-0-title": "Season's greetings",
        "block-0-text": "Thank you for this year.",
        "send": "scheduled",
        "send_on": "2020-12-20",
        "send_at": "10:00",
    }
    past = editor_action(anna, "/reminders/newsletters/new", new, fields, "save")
    assert past.status_code == 422
    assert "Lähetysajan täytyy olla tulevaisuudessa." in Elements(past.text).text_of(
        "send_on-error"
    )
    fields["send_on"] = "2099-12-20"
    saved = editor_action(anna, "/reminders/newsletters/new", past.text, fields, "save")
    assert saved.status_code == 303
    issue_url = saved.headers["location"]
    page = anna.get(issue_url).text
    assert "Uutiskirje tallennettiin. Se lähetetään asetettuun aikaan." in page
    facts = Elements(page).text_of("issue-facts")
    assert "Ajastettu" in facts and "20.12.2099" in facts and "englanti" in facts
    edit = Elements(anna.get(f"{issue_url}/edit").text)
    assert edit.find("input", type="radio", name="send", value="scheduled", checked="")
    assert edit.find("input", id="send_on", value="2099-12-20")
    assert edit.find("input", id="send_at", value="10:00")
    listed = Elements(anna.get("/reminders/newsletters").text).text_of("issues")
    assert subject in listed and "Lähetetään 20.12.2099" in listed

    deleted = post_form(anna, issue_url, f"{issue_url}/delete", {})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/reminders/newsletters"
    assert subject not in anna.get("/reminders/newsletters").text
    assert anna.get(issue_url).status_code == 404


def new_partners_form(word: str, chosen: list[str] | None = None) -> dict[str, object]:
    """The editor with one "new partners" part finding partners by ``word``."""
    return {
        "subject": f"Uudet kumppanit {word}",
        "language": "fi",
        "audience": "organisation",
        "block-count": "1",
        "block-0-type": "new_partners",
        "block-0-find": word,
        "block-0-partner": chosen or [],
        "send": "draft",
    }


def test_the_partner_picker_offers_only_partners_who_agreed_to_newsletters(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    word = tag()
    reader = newsletter_partner(portal_stack, f"Lukijat {word}", f"lukijat-{word}@example.org")
    silent = newsletter_partner(
        portal_stack, f"Hiljaiset {word}", f"hiljaiset-{word}@example.org", newsletter=False
    )
    relay_to_reminders(portal_stack)

    new = anna.get("/reminders/newsletters/new").text
    found = editor_action(
        anna, "/reminders/newsletters/new", new, new_partners_form(word), "find-0"
    )
    assert found.status_code == 200
    page = Elements(found.text)
    assert page.find("input", type="checkbox", name="block-0-partner", value=reader)
    assert not page.find("input", type="checkbox", name="block-0-partner", value=silent)
    assert f"Hiljaiset {word}" not in found.text


def test_a_partner_whose_consent_was_withdrawn_since_is_named_in_the_error(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    word = tag()
    names = [f"Ensimmäinen {word}", f"Toinen {word}", f"Kolmas {word}"]
    partners = [
        newsletter_partner(portal_stack, name, f"k{i}-{word}@example.org")
        for i, name in enumerate(names)
    ]
    relay_to_reminders(portal_stack)
    new = anna.get("/reminders/newsletters/new").text
    fields = new_partners_form(word, partners)
    saved = editor_action(anna, "/reminders/newsletters/new", new, fields, "save")
    assert saved.status_code == 303, saved.text
    issue_url = saved.headers["location"]

    # Two of the three withdraw their consent to newsletters after being chosen.
    for partner_id in partners[1:]:
        withdrawn = httpx.post(
            f"{portal_stack.registry_url}/partners/{partner_id}/consents/withdraw",
            headers=portal_stack.api_token(ANNA_EMAIL),
            json={"purposes": ["newsletter"], "method": "written"},
        )
        assert withdrawn.status_code == 200, withdrawn.text
    relay_to_reminders(portal_stack)

    edit = anna.get(f"{issue_url}/edit").text
    refused = editor_action(anna, f"{issue_url}/edit", edit, fields, "save")
    assert refused.status_code == 422
    page = Elements(refused.text)
    error = page.text_of("block-0-partner-error")
    assert names[1] in error and names[2] in error and names[0] not in error
    assert "eivät ole suostuneet" in error
    assert len(page.find("a", href="#block-0-partner")) == 1
    assert names[1] in refused.text[refused.text.index('class="error-summary"') :]
    # Nothing changed: the issue still names all three.
    kept = Elements(anna.get(f"{issue_url}/edit").text)
    for partner_id in partners:
        assert kept.find("input", type="checkbox", name="block-0-partner", value=partner_id)

    # With one partner the sentence is singular.
    one = new_partners_form(word, partners[:2])
    refused = editor_action(anna, f"{issue_url}/edit", edit, one, "save")
    error = Elements(refused.text).text_of("block-0-partner-error")
    assert f"{names[1]} ei ole suostunut" in error
