"""JSON documents sealed with a partner's own data key: cards, activities, contributions."""

from typing import Any

from sqlalchemy.orm import Session

from services.registry.partners.models import Partner
from shared.crypto import Keyring
from shared.crypto.documents import open_document, seal_document


def seal(
    session: Session,
    keyring: Keyring,
    partner: Partner,
    table: str,
    row_id: str,
    document: dict[str, Any],
) -> bytes:
    return seal_document(
        keyring,
        session,
        organisation_id=partner.organisation_id,
        subject_id=partner.id,
        table=table,
        row_id=row_id,
        document=document,
    )


def unseal(
    session: Session, keyring: Keyring, table: str, row_id: str, blob: bytes
) -> dict[str, Any]:
    document: dict[str, Any] = open_document(keyring, session, table, row_id, blob)
    return document
