"""The e-mails reminders writes, in the recipient's language (Finnish or English). Each has
a stable Message-ID made from its delivery id, so a message sent twice after a crash is
recognisably the same message."""

from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from services.reminders.deliveries.models import Delivery

SUBJECTS = {
    "upkeep": {"fi": "Aika pitää yhteyttä: {name}", "en": "Time to get in touch: {name}"},
    "consent_renewal": {
        "fi": "Suostumus vanhenee pian: {name}",
        "en": "A consent expires soon: {name}",
    },
    "consent_request": {
        "fi": "Kysy suostumusta: {name}",
        "en": "Ask for consent: {name}",
    },
    "stale_card": {
        "fi": "Tarkista kortti: {name}",
        "en": "Check the card: {name}",
    },
    "referral_follow_up": {
        "fi": "Seuraa ohjausta",
        "en": "Follow up a referral",
    },
    "action_item": {"fi": "Sovittu tehtävä: {name}", "en": "An agreed task: {name}"},
    "greeting": {"fi": "Hyvää syntymäpäivää, {name}!", "en": "Happy birthday, {name}!"},
    "digest": {"fi": "Päivän muistutukset ({count})", "en": "Today's reminders ({count})"},
}
BODIES = {
    "upkeep": {
        "fi": "Edellisestä yhteydenotosta kumppaniin {name} on kulunut sovittu aika. "
        "Kirjaa yhteydenotto Kortistoon, niin muistutus siirtyy.",
        "en": "The agreed time since the last contact with {name} has passed. Log the "
        "contact in Kortisto and the reminder moves on.",
    },
    "consent_renewal": {
        "fi": "Kumppanin {name} suostumus päättyy pian. Pyydä uusi suostumus ajoissa.",
        "en": "{name}'s consent ends soon. Ask for it to be renewed in time.",
    },
    "consent_request": {
        "fi": "Kumppanilta {name} puuttuu suostumus kortistoon. Kysy sitä, tai tiedot "
        "poistetaan määräajan jälkeen.",
        "en": "{name} has not consented to the resource file yet. Ask, or their details "
        "are removed when the time runs out.",
    },
    "stale_card": {
        "fi": "Kumppanin {name} korttia ei ole päivitetty vuoteen. Tarkista, ovatko tiedot "
        "yhä oikein.",
        "en": "{name}'s card has not been updated for a year. Check that it is still right.",
    },
    "referral_follow_up": {
        "fi": "On aika kysyä, miten ohjaus on edennyt.",
        "en": "It is time to ask how the referral is going.",
    },
    "action_item": {
        "fi": "Keskustelutilaisuudessa sovittu tehtävä erääntyy tänään: {name}.",
        "en": "A task agreed at a review meeting is due today: {name}.",
    },
    "greeting": {
        "fi": "Lämpimät onnittelut syntymäpäivänäsi! Kiitos, että olet mukana verkostossamme.",
        "en": "Warm wishes on your birthday! Thank you for being part of our network.",
    },
}


def language_of(contact: dict[str, Any]) -> str:
    return "en" if contact.get("locale") == "en" else "fi"


def envelope(delivery: Delivery, to: str, *, sender: str, domain: str) -> EmailMessage:
    """The headers every e-mail of a delivery carries."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{delivery.id}@{domain}>"
    message["X-Kortisto-Delivery"] = delivery.idempotency_key
    return message


def compose(
    delivery: Delivery,
    to: str,
    language: str,
    name: str,
    *,
    sender: str,
    domain: str,
    items: list[str] | None = None,
) -> EmailMessage:
    message = envelope(delivery, to, sender=sender, domain=domain)
    if delivery.kind == "digest":
        lines = items or []
        message["Subject"] = SUBJECTS["digest"][language].format(count=len(lines))
        message.set_content("\n".join(f"- {line}" for line in lines) + "\n")
    else:
        message["Subject"] = SUBJECTS[delivery.kind][language].format(name=name)
        message.set_content(BODIES[delivery.kind][language].format(name=name) + "\n")
    return message


def digest_line(kind: str, name: str, language: str) -> str:
    return SUBJECTS[kind][language].format(name=name)
