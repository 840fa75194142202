"""One partner as a vCard 4.0 (RFC 6350), with only the fields the caller may see, and the
export in the access log."""

import vobject
from sqlalchemy.orm import Session

from services.registry.access import service as access
from services.registry.partners import service as partners
from services.registry.partners import sharing
from services.registry.partners.models import PartnerKind
from services.registry.runtime import Registry
from services.registry.transfer.exports import OWNER_BASIS
from shared.auth import Principal


def partner_vcard(
    session: Session, registry: Registry, principal: Principal, partner_id: str
) -> tuple[str, str]:
    """The vCard text and a file name for it."""
    partner, view, basis = partners.find_visible(session, principal, partner_id)
    card = sharing.card_for(partners.card_of(session, registry, partner), view)
    categories = list(partner.category_codes)
    access.record(
        session,
        principal,
        [
            access.Access(
                partner.id,
                partner.organisation_id,
                "export",
                OWNER_BASIS if view == sharing.FULL else basis,
            )
        ],
    )
    organisation = partner.kind == PartnerKind.organisation.value
    vcard = vobject.vCard()
    vcard.add("version").value = "4.0"
    vcard.add("kind").value = "org" if organisation else "individual"
    name = card.get("name", "")
    vcard.add("fn").value = name
    if organisation:
        vcard.add("org").value = [name]
    else:
        given, _, family = name.rpartition(" ")
        vcard.add("n").value = vobject.vcard.Name(family=family, given=given)
    contact = card.get("contact") or {}
    if contact.get("email"):
        vcard.add("email").value = contact["email"]
    if contact.get("phone"):
        tel = vcard.add("tel")
        tel.value = f"tel:{contact['phone']}"
        tel.params["VALUE"] = ["uri"]
        tel.params["TYPE"] = ["voice"]
    if contact.get("address"):
        vcard.add("adr").value = vobject.vcard.Address(
            street=contact["address"], code=partner.district_code or ""
        )
    if contact.get("website"):
        vcard.add("url").value = contact["website"]
    if card.get("birthday") and view == sharing.FULL:
        vcard.add("bday").value = card["birthday"].replace("-", "")
    if categories:
        vcard.add("categories").value = categories
    if card.get("contact_person"):
        related = vcard.add("related")
        related.value = card["contact_person"]
        related.params["VALUE"] = ["text"]
        related.params["TYPE"] = ["contact"]
    vcard.add("uid").value = f"urn:uuid:{partner.id}"
    return vcard.serialize(), f"{partner.id}.vcf"
