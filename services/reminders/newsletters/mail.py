"""One newsletter e-mail: the issue rendered for one recipient, with a personal unsubscribe
link (and the `List-Unsubscribe` headers of RFC 2369 and RFC 8058) and the same stable
Message-ID as every other delivery.

The link's token is the delivery id and an HMAC of it under the issuing organisation's
blind-index key from reminders' keyring: it names no person, cannot be made up for another
delivery, and stays valid as long as the delivery exists."""

import hmac
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reminders.deliveries.models import Delivery
from services.reminders.deliveries.sending import NoAddress
from services.reminders.newsletters import audience, render
from services.reminders.newsletters.models import NewsletterDelivery, NewsletterIssue
from services.reminders.people.models import PartnerCopy
from services.reminders.people.service import partner_document
from services.reminders.runtime import Reminders
from services.reminders.settings import RemindersSettings

TOKEN_KIND = "newsletter-unsubscribe"
SAMPLE_TOKEN = "sample"  # the preview's link, which unsubscribes nobody


class NotWanted(NoAddress):
    """The partner may no longer receive this issue."""


class _Policy(EmailPolicy):
    """The usual folding, except that the unsubscribe URL stays whole on its line: folded
    or encoded (as a long word otherwise is), mail clients would not recognise it."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "list-unsubscribe":
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "list-unsubscribe":
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy()


def token_for(session: Session, reminders: Reminders, delivery: Delivery) -> str:
    mac = reminders.keyring.term_indexes(
        session, delivery.organisation_id, TOKEN_KIND, [delivery.id]
    )[0]
    return f"{delivery.id}.{mac[:32]}"


def delivery_for_token(session: Session, reminders: Reminders, token: str) -> Delivery | None:
    delivery_id, _, mac = token.partition(".")
    if len(delivery_id) != 36 or len(mac) != 32:
        return None
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.kind != audience.KIND:
        return None
    if not hmac.compare_digest(token_for(session, reminders, delivery), token):
        return None
    return delivery


def unsubscribe_url(settings: RemindersSettings, token: str) -> str:
    return f"{settings.public_url()}/unsubscribe/{token}"


def names_for(session: Session, reminders: Reminders, issue: NewsletterIssue) -> dict[str, str]:
    """The partners the issue names whose consent allows it now, with their names."""
    wanted = {
        partner_id
        for block in issue.blocks
        if block.get("type") == "new_partners"
        for partner_id in block.get("partner_ids", [])
    }
    if not wanted:
        return {}
    members = audience.members_for(session, issue)
    names = {}
    for partner in session.scalars(select(PartnerCopy).where(PartnerCopy.partner_id.in_(wanted))):
        if audience.may_take_part(partner, issue, members):
            document = partner_document(session, reminders, partner.partner_id) or {}
            if document.get("name"):
                names[partner.partner_id] = str(document["name"])
    return names


def rendered(
    session: Session, reminders: Reminders, issue: NewsletterIssue, url: str
) -> tuple[str, str]:
    names = names_for(session, reminders, issue)
    return (
        render.text_of(issue.subject, issue.blocks, issue.language, names, url),
        render.html_of(issue.subject, issue.blocks, issue.language, names, url),
    )


def newsletter_message(session: Session, reminders: Reminders, delivery: Delivery) -> EmailMessage:
    """What `deliveries.sending` sends for a newsletter delivery; NoAddress when the
    partner may no longer receive it or has no address reminders may use."""
    link = session.scalar(
        select(NewsletterDelivery).where(NewsletterDelivery.delivery_id == delivery.id)
    )
    issue = session.get(NewsletterIssue, link.issue_id) if link else None
    partner = session.get(PartnerCopy, delivery.recipient_id)
    if issue is None or partner is None:
        raise NotWanted("the partner or the issue is gone")
    if not audience.may_take_part(partner, issue, audience.members_for(session, issue)):
        raise NotWanted("the partner no longer receives this newsletter")
    document = partner_document(session, reminders, partner.partner_id) or {}
    if not document.get("email"):
        raise NoAddress("the partner has no e-mail address for this")
    settings = reminders.settings
    url = unsubscribe_url(settings, token_for(session, reminders, delivery))
    text, html = rendered(session, reminders, issue, url)
    message = EmailMessage(policy=POLICY)
    message["From"] = settings.mail_from
    message["To"] = str(document["email"])
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{delivery.id}@{settings.mail_domain}>"
    message["X-Kortisto-Delivery"] = delivery.idempotency_key
    message["Subject"] = issue.subject
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
